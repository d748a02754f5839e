//! Hand-written timestamp scanners for the layouts log lines are written in.
//!
//! A regex or `chrono::parse_from_str` per line is far too slow for a
//! multi-gigabyte access log, so each layout is a small digit scanner that
//! yields the written fields; [`Resolver`] turns them into UTC through
//! `faultline_model::time` and caches the last second it resolved, because
//! consecutive lines nearly always share it.

mod resolve;

pub(crate) use resolve::Resolver;

use faultline_model::time::{from_epoch_int, zone_abbreviation};

/// The timestamp layouts the text formats are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `2026-11-24T08:27:03.123+03:00`, `2026-11-24 08:27:03,123`, `2026/11/24 08:27:03`.
    Iso,
    /// `17/06/09 20:10:40` (yy/MM/dd, Spark).
    YySlash,
    /// `081109 203615` (yyMMdd HHmmss, HDFS).
    Compact,
    /// `03-17 16:13:38.811` (MM-dd, logcat; no year).
    MonthDay,
    /// `20171223-22:15:29:606` (HealthApp; fields not zero-padded, integer millis).
    HealthApp,
    /// `Nov 24 08:27:03` (syslog; no year).
    Syslog,
    /// `Tue Nov 24 08:27:03.123456 2026` (ctime, Apache error log).
    Ctime,
    /// `24/Nov/2026:08:27:03 +0300` (common log format).
    Clf,
    /// `2026.11.24 08:27:03`, `2005-06-03-15.42.50.675872` (IBM), `2026/11/24T08:27:03`:
    /// year first with any of `-` `/` `.` between date fields, `T`, a space or `-`
    /// before the time, `:` or `.` inside it.
    YmdLoose,
    /// `24-Nov-2026 08:27:03.123` (Tomcat), `24 Nov 2026 08:27:03`, `24 Nov 08:27:03.123` (redis, no year).
    DayMonthName,
    /// `Nov 24, 2026 8:27:03 AM` (java.util.logging), `Nov 24 2026 08:27:03`.
    MonthNameYear,
    /// `11/24/2026 08:27:03`, `11/24/2026 8:27:03 PM` (US).
    MdySlash,
    /// `24/11/2026 08:27:03`.
    DmySlash,
    /// `24.11.2026 08:27:03`.
    DmyDot,
    /// Seconds since 1970 (`1795508823`, `1795508823.123`) or milli/micro/nanoseconds.
    Epoch,
}

/// Every layout, in the order detection tries them (more specific first).
pub(crate) const ALL_LAYOUTS: &[Layout] = &[
    Layout::Iso,
    Layout::Clf,
    Layout::Ctime,
    Layout::Syslog,
    Layout::HealthApp,
    Layout::YySlash,
    Layout::MonthDay,
    Layout::Compact,
    Layout::YmdLoose,
    Layout::DayMonthName,
    Layout::MonthNameYear,
    Layout::MdySlash,
    Layout::DmySlash,
    Layout::DmyDot,
    Layout::Epoch,
];

/// The fields of a written timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Parts {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    pub nanos: u32,
    /// Seconds east of UTC, when the text states an offset.
    pub offset: Option<i32>,
    /// An epoch count (nanoseconds since 1970, UTC); `nanos` is added to it.
    pub epoch_nanos: Option<i64>,
}

#[inline]
fn digit(b: &[u8], i: usize) -> Option<u32> {
    match b.get(i) {
        Some(c) if c.is_ascii_digit() => Some((c - b'0') as u32),
        _ => None,
    }
}

/// Exactly `n` digits at `i`.
#[inline]
fn num(b: &[u8], i: usize, n: usize) -> Option<u32> {
    let mut v = 0;
    for k in 0..n {
        v = v * 10 + digit(b, i + k)?;
    }
    Some(v)
}

/// Between `min` and `max` digits at `i`; returns the value and the index after.
#[inline]
fn num_var(b: &[u8], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let mut v = 0;
    let mut k = 0;
    while k < max {
        match digit(b, i + k) {
            Some(d) => v = v * 10 + d,
            None => break,
        }
        k += 1;
    }
    if k < min {
        return None;
    }
    Some((v, i + k))
}

#[inline]
fn byte(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// A fraction of a second: digits after `.`/`,`; returns nanos and the index after all digits.
fn fraction(b: &[u8], i: usize) -> (u32, usize) {
    let mut nanos = 0u32;
    let mut k = 0;
    while let Some(d) = digit(b, i + k) {
        if k < 9 {
            nanos = nanos * 10 + d;
        }
        k += 1;
    }
    let mut scale = k;
    while scale < 9 {
        nanos *= 10;
        scale += 1;
    }
    (nanos, i + k)
}

/// `HH:MM[:SS][.fff]` at `i`.
fn clock(b: &[u8], i: usize, p: &mut Parts, need_secs: bool) -> Option<usize> {
    p.hour = num(b, i, 2)?;
    if byte(b, i + 2) != b':' {
        return None;
    }
    p.min = num(b, i + 3, 2)?;
    let mut j = i + 5;
    if byte(b, j) == b':' && digit(b, j + 1).is_some() {
        p.sec = num(b, j + 1, 2)?;
        j += 3;
        if matches!(byte(b, j), b'.' | b',') && digit(b, j + 1).is_some() {
            let (n, end) = fraction(b, j + 1);
            p.nanos = n;
            j = end;
        }
    } else if need_secs {
        return None;
    }
    if p.hour > 23 || p.min > 59 || p.sec > 60 {
        return None;
    }
    Some(j)
}

/// `Z`, `+03:00`, `+0300`, `+03`, ` +0000`, ` UTC` at `i`; returns offset seconds and index after.
fn offset(b: &[u8], i: usize, allow_space: bool) -> Option<(i32, usize)> {
    let c = byte(b, i);
    if c == b'Z' || c == b'z' {
        if byte(b, i + 1).is_ascii_alphanumeric() {
            return None;
        }
        return Some((0, i + 1));
    }
    if c == b'+' || c == b'-' {
        let h = num(b, i + 1, 2)? as i32;
        let (m, end) = if byte(b, i + 3) == b':' {
            (num(b, i + 4, 2)? as i32, i + 6)
        } else if let Some(m) = num(b, i + 3, 2) {
            (m as i32, i + 5)
        } else {
            (0, i + 3)
        };
        if digit(b, end).is_some() || h > 18 || m > 59 {
            return None;
        }
        let secs = h * 3600 + m * 60;
        return Some((if c == b'-' { -secs } else { secs }, end));
    }
    if allow_space && c == b' ' {
        if matches!(byte(b, i + 1), b'+' | b'-') {
            return offset(b, i + 1, false);
        }
        return zone_name(b, i + 1);
    }
    None
}

/// A zone abbreviation (`UTC`, `PST`, `CEST`: 3 or 4 capitals) at `i`; its offset and the index after.
fn zone_name(b: &[u8], i: usize) -> Option<(i32, usize)> {
    let mut j = i;
    while byte(b, j).is_ascii_uppercase() {
        j += 1;
    }
    if !(3..=4).contains(&(j - i)) || byte(b, j).is_ascii_alphanumeric() {
        return None;
    }
    let off = zone_abbreviation(std::str::from_utf8(b.get(i..j)?).ok()?)?;
    Some((off, j))
}

/// DB2's offset in minutes after its `2005-06-03-15.42.50.675872` stamp (`-240`, `+060`).
fn db2_offset(b: &[u8], i: usize) -> Option<(i32, usize)> {
    let sign = match byte(b, i) {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let m = num(b, i + 1, 3)? as i32;
    if digit(b, i + 4).is_some() || m > 18 * 60 {
        return None;
    }
    Some((sign * m * 60, i + 4))
}

/// `1` to `2` digit hour clock (`8:27:03`) with an optional ` AM`/` PM`.
fn loose_clock(b: &[u8], i: usize, p: &mut Parts) -> Option<usize> {
    let (h, j) = num_var(b, i, 1, 2)?;
    if byte(b, j) != b':' {
        return None;
    }
    p.min = num(b, j + 1, 2)?;
    let mut j = j + 3;
    if byte(b, j) == b':' {
        p.sec = num(b, j + 1, 2)?;
        j += 3;
        if matches!(byte(b, j), b'.' | b',') && digit(b, j + 1).is_some() {
            let (n, end) = fraction(b, j + 1);
            p.nanos = n;
            j = end;
        }
    }
    p.hour = h;
    if byte(b, j) == b' ' {
        let ampm = [byte(b, j + 1).to_ascii_uppercase(), byte(b, j + 2).to_ascii_uppercase()];
        let pm = match ampm {
            [b'A', b'M'] => Some(false),
            [b'P', b'M'] => Some(true),
            _ => None,
        };
        if let Some(pm) = pm {
            if !(1..=12).contains(&h) {
                return None;
            }
            p.hour = match (pm, h) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
            j += 3;
        }
    }
    (p.hour <= 23 && p.min <= 59 && p.sec <= 60).then_some(j)
}

/// Epoch counts Faultline takes for a timestamp: 2000-01-01 to 2100-01-01.
const EPOCH_SECS: std::ops::Range<i64> = 946_684_800..4_102_444_800;

/// An epoch count at `i`: 10 digits of seconds (with an optional fraction), or
/// 13/16/19 digits of milli/micro/nanoseconds.
fn epoch(b: &[u8], i: usize, p: &mut Parts) -> Option<usize> {
    let mut j = i;
    while j < i + 20 && digit(b, j).is_some() {
        j += 1;
    }
    let len = j - i;
    if !matches!(len, 10 | 13 | 16 | 19) {
        return None;
    }
    let v: i64 = std::str::from_utf8(b.get(i..j)?).ok()?.parse().ok()?;
    let t = from_epoch_int(v)?;
    if !EPOCH_SECS.contains(&t.timestamp()) {
        return None;
    }
    p.epoch_nanos = t.timestamp_nanos_opt();
    let mut end = j;
    if len == 10 && byte(b, j) == b'.' && digit(b, j + 1).is_some() {
        let (n, e) = fraction(b, j + 1);
        p.nanos = n;
        end = e;
    }
    Some(end)
}

/// `Mon` at `i` and the index after its name (`Nov`, `November`).
fn month_word(b: &[u8], i: usize, p: &mut Parts) -> Option<usize> {
    p.month = month_name(b, i)?;
    let mut j = i + 3;
    while byte(b, j).is_ascii_alphabetic() {
        j += 1;
    }
    Some(j)
}

const MONTHS: [&[u8; 3]; 12] =
    [b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec"];

/// A three-letter English month name at `i` (any case).
pub(crate) fn month_name(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i..i + 3)?;
    let lower = [s[0].to_ascii_lowercase(), s[1].to_ascii_lowercase(), s[2].to_ascii_lowercase()];
    MONTHS.iter().position(|m| **m == lower).map(|p| p as u32 + 1)
}

fn weekday_name(b: &[u8], i: usize) -> bool {
    const DAYS: [&[u8; 3]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
    match b.get(i..i + 3) {
        Some(s) => {
            let lower = [s[0].to_ascii_lowercase(), s[1].to_ascii_lowercase(), s[2].to_ascii_lowercase()];
            DAYS.iter().any(|d| **d == lower)
        }
        None => false,
    }
}

/// The end of a timestamp must not run into a word or number.
fn boundary(b: &[u8], end: usize) -> bool {
    !byte(b, end).is_ascii_alphanumeric()
}

/// Scans `layout` at the very start of `b`; returns the fields and the index after the timestamp.
pub(crate) fn scan(layout: Layout, b: &[u8]) -> Option<(Parts, usize)> {
    let mut p = Parts::default();
    let end = match layout {
        Layout::Iso => {
            p.year = Some(num(b, 0, 4)? as i32);
            let sep = byte(b, 4);
            if sep != b'-' && sep != b'/' {
                return None;
            }
            p.month = num(b, 5, 2)?;
            if byte(b, 7) != sep {
                return None;
            }
            p.day = num(b, 8, 2)?;
            if !matches!(byte(b, 10), b'T' | b' ') {
                return None;
            }
            let mut j = clock(b, 11, &mut p, false)?;
            if let Some((off, e)) = offset(b, j, true) {
                p.offset = Some(off);
                j = e;
            }
            j
        }
        Layout::YySlash => {
            p.year = Some(2000 + num(b, 0, 2)? as i32);
            if byte(b, 2) != b'/' || byte(b, 5) != b'/' || byte(b, 8) != b' ' {
                return None;
            }
            p.month = num(b, 3, 2)?;
            p.day = num(b, 6, 2)?;
            clock(b, 9, &mut p, true)?
        }
        Layout::Compact => {
            p.year = Some(2000 + num(b, 0, 2)? as i32);
            p.month = num(b, 2, 2)?;
            p.day = num(b, 4, 2)?;
            if byte(b, 6) != b' ' {
                return None;
            }
            p.hour = num(b, 7, 2)?;
            p.min = num(b, 9, 2)?;
            p.sec = num(b, 11, 2)?;
            if p.hour > 23 || p.min > 59 || p.sec > 60 {
                return None;
            }
            13
        }
        Layout::MonthDay => {
            p.month = num(b, 0, 2)?;
            // `03-17` (logcat), `03/17`, `10.30` (Proxifier).
            let sep = byte(b, 2);
            if !matches!(sep, b'-' | b'/' | b'.') || byte(b, 5) != b' ' {
                return None;
            }
            p.day = num(b, 3, 2)?;
            clock(b, 6, &mut p, true)?
        }
        Layout::HealthApp => {
            p.year = Some(num(b, 0, 4)? as i32);
            p.month = num(b, 4, 2)?;
            p.day = num(b, 6, 2)?;
            if byte(b, 8) != b'-' {
                return None;
            }
            let (h, j) = num_var(b, 9, 1, 2)?;
            if byte(b, j) != b':' {
                return None;
            }
            let (m, j) = num_var(b, j + 1, 1, 2)?;
            if byte(b, j) != b':' {
                return None;
            }
            let (s, j) = num_var(b, j + 1, 1, 2)?;
            // The millisecond field is printed as an unpadded integer (`:86` is 86 ms).
            let (ms, j) = if byte(b, j) == b':' { num_var(b, j + 1, 1, 3)? } else { (0, j) };
            if h > 23 || m > 59 || s > 60 {
                return None;
            }
            (p.hour, p.min, p.sec, p.nanos) = (h, m, s, ms * 1_000_000);
            j
        }
        Layout::Syslog => {
            p.month = month_name(b, 0)?;
            if byte(b, 3) != b' ' {
                return None;
            }
            let i = if byte(b, 4) == b' ' { 5 } else { 4 };
            let (d, j) = num_var(b, i, 1, 2)?;
            if byte(b, j) != b' ' {
                return None;
            }
            p.day = d;
            clock(b, j + 1, &mut p, true)?
        }
        Layout::Ctime => {
            let mut i = 0;
            if weekday_name(b, 0) && byte(b, 3) == b' ' {
                i = 4;
            }
            p.month = month_name(b, i)?;
            if byte(b, i + 3) != b' ' {
                return None;
            }
            let k = if byte(b, i + 4) == b' ' { i + 5 } else { i + 4 };
            let (d, j) = num_var(b, k, 1, 2)?;
            if byte(b, j) != b' ' {
                return None;
            }
            p.day = d;
            let mut j = clock(b, j + 1, &mut p, true)?;
            if byte(b, j) != b' ' {
                return None;
            }
            // date(1) writes the zone before the year: `Tue Nov 24 08:27:03 UTC 2026`.
            if let Some((off, e)) = zone_name(b, j + 1) {
                p.offset = Some(off);
                j = e;
                if byte(b, j) != b' ' {
                    return None;
                }
            }
            p.year = Some(num(b, j + 1, 4)? as i32);
            j + 5
        }
        Layout::Clf => {
            p.day = num(b, 0, 2)?;
            if byte(b, 2) != b'/' || byte(b, 6) != b'/' || byte(b, 11) != b':' {
                return None;
            }
            p.month = month_name(b, 3)?;
            p.year = Some(num(b, 7, 4)? as i32);
            let mut j = clock(b, 12, &mut p, true)?;
            if let Some((off, e)) = offset(b, j, true) {
                p.offset = Some(off);
                j = e;
            }
            j
        }
        Layout::YmdLoose => {
            p.year = Some(num(b, 0, 4)? as i32);
            let sep = byte(b, 4);
            if !matches!(sep, b'-' | b'/' | b'.') || byte(b, 7) != sep {
                return None;
            }
            p.month = num(b, 5, 2)?;
            p.day = num(b, 8, 2)?;
            if !matches!(byte(b, 10), b'T' | b' ' | b'-') {
                return None;
            }
            // The clock's own separator: `:` as usual, `.` in IBM's `15.42.50.675872`.
            let tsep = byte(b, 13);
            if !matches!(tsep, b':' | b'.') || byte(b, 16) != tsep {
                return None;
            }
            p.hour = num(b, 11, 2)?;
            p.min = num(b, 14, 2)?;
            p.sec = num(b, 17, 2)?;
            let mut j = 19;
            if matches!(byte(b, j), b'.' | b',') && digit(b, j + 1).is_some() {
                let (n, e) = fraction(b, j + 1);
                p.nanos = n;
                j = e;
            }
            if p.hour > 23 || p.min > 59 || p.sec > 60 {
                return None;
            }
            if let Some((off, e)) = db2_offset(b, j).or_else(|| offset(b, j, true)) {
                p.offset = Some(off);
                j = e;
            }
            j
        }
        Layout::DayMonthName => {
            let (d, j) = num_var(b, 0, 1, 2)?;
            let sep = byte(b, j);
            if !matches!(sep, b'-' | b' ' | b'/') {
                return None;
            }
            p.day = d;
            let j = month_word(b, j + 1, &mut p)?;
            if byte(b, j) != sep {
                return None;
            }
            let j = match num(b, j + 1, 4) {
                Some(y) if matches!(byte(b, j + 5), b' ' | b':') => {
                    p.year = Some(y as i32);
                    j + 6
                }
                // Redis: `24 Nov 08:27:03.123`, no year.
                _ if sep == b' ' => j + 1,
                _ => return None,
            };
            let mut j = clock(b, j, &mut p, true)?;
            if let Some((off, e)) = offset(b, j, true) {
                p.offset = Some(off);
                j = e;
            }
            j
        }
        Layout::MonthNameYear => {
            let j = month_word(b, 0, &mut p)?;
            if byte(b, j) != b' ' {
                return None;
            }
            let (d, j) = num_var(b, j + 1, 1, 2)?;
            p.day = d;
            let j = if byte(b, j) == b',' { j + 1 } else { j };
            if byte(b, j) != b' ' {
                return None;
            }
            p.year = Some(num(b, j + 1, 4)? as i32);
            if byte(b, j + 5) != b' ' {
                return None;
            }
            loose_clock(b, j + 6, &mut p)?
        }
        Layout::MdySlash | Layout::DmySlash | Layout::DmyDot => {
            let sep = if layout == Layout::DmyDot { b'.' } else { b'/' };
            let (a, j) = num_var(b, 0, 1, 2)?;
            if byte(b, j) != sep {
                return None;
            }
            let (c, k) = num_var(b, j + 1, 1, 2)?;
            if byte(b, k) != sep {
                return None;
            }
            p.year = Some(num(b, k + 1, 4)? as i32);
            (p.month, p.day) = if layout == Layout::MdySlash { (a, c) } else { (c, a) };
            if !matches!(byte(b, k + 5), b' ' | b'T' | b'-') {
                return None;
            }
            let mut j = loose_clock(b, k + 6, &mut p)?;
            if let Some((off, e)) = offset(b, j, true) {
                p.offset = Some(off);
                j = e;
            }
            j
        }
        Layout::Epoch => {
            let end = epoch(b, 0, &mut p)?;
            if !boundary(b, end) {
                return None;
            }
            return Some((p, end));
        }
    };
    if p.month == 0 || p.month > 12 || p.day == 0 || p.day > 31 || !boundary(b, end) {
        return None;
    }
    Some((p, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate, Utc};
    use faultline_model::time::Zone;
    use faultline_model::Instant;

    fn at(layout: Layout, s: &str) -> Option<(Instant, usize)> {
        let (p, end) = scan(layout, s.as_bytes())?;
        let reference = NaiveDate::from_ymd_opt(2026, 12, 1)?.and_hms_opt(0, 0, 0)?;
        let mut r = Resolver::new(Zone::Utc, Some(reference));
        Some((r.resolve(&p)?.0, end))
    }

    fn utc(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn every_layout_reads_its_written_instant() {
        let cases = [
            (Layout::Iso, "2026-11-24T08:27:03.123456789Z x", "2026-11-24T08:27:03.123456789Z", 30),
            (Layout::Iso, "2026-11-24 11:27:03,5 +03:00", "2026-11-24T08:27:03.5Z", 28),
            (Layout::Iso, "2026-11-24 08:27:03 +0000] [1]", "2026-11-24T08:27:03Z", 25),
            (Layout::Iso, "2026/11/24 08:27:03 [error]", "2026-11-24T08:27:03Z", 19),
            (Layout::Iso, "2026-11-24 08:27:03 - name", "2026-11-24T08:27:03Z", 19),
            (Layout::YySlash, "17/06/09 20:10:40 INFO", "2017-06-09T20:10:40Z", 17),
            (Layout::Compact, "081109 203615 148", "2008-11-09T20:36:15Z", 13),
            (Layout::MonthDay, "03-17 16:13:38.811  1702", "2026-03-17T16:13:38.811Z", 18),
            (Layout::HealthApp, "20171223-23:7:6:86|x", "2017-12-23T23:07:06.086Z", 18),
            (Layout::Syslog, "Nov  4 08:27:03 host", "2026-11-04T08:27:03Z", 15),
            (Layout::Ctime, "Tue Nov 24 08:27:03.123456 2026]", "2026-11-24T08:27:03.123456Z", 31),
            (Layout::Clf, "24/Nov/2026:11:27:03 +0300]", "2026-11-24T08:27:03Z", 26),
            (Layout::Iso, "2026-11-24 08:27:03 PST x", "2026-11-24T16:27:03Z", 23),
            (Layout::Ctime, "Tue Nov 24 08:27:03 CET 2026 x", "2026-11-24T07:27:03Z", 28),
            (Layout::MonthDay, "[10.30 16:49:06] chrome.exe", "2026-10-30T16:49:06Z", 0),
            (Layout::YmdLoose, "2005-06-03-15.42.50.675872 R02", "2005-06-03T15:42:50.675872Z", 26),
            (Layout::YmdLoose, "2007-05-18-14.20.46.973000-240 I27204F351", "2007-05-18T18:20:46.973Z", 30),
            (Layout::YmdLoose, "2026.11.24 08:27:03 x", "2026-11-24T08:27:03Z", 19),
            (Layout::YmdLoose, "2026/11/24T08:27:03+01:00 x", "2026-11-24T07:27:03Z", 25),
            (Layout::YmdLoose, "2026-11-24-08:27:03 x", "2026-11-24T08:27:03Z", 19),
            (Layout::DayMonthName, "24-Nov-2026 08:27:03.123 INFO", "2026-11-24T08:27:03.123Z", 24),
            (Layout::DayMonthName, "24 Nov 2026 08:27:03 x", "2026-11-24T08:27:03Z", 20),
            (Layout::DayMonthName, "24 Nov 08:27:03.123 * x", "2026-11-24T08:27:03.123Z", 19),
            (Layout::MonthNameYear, "Nov 24, 2026 8:27:03 PM org.x", "2026-11-24T20:27:03Z", 23),
            (Layout::MdySlash, "11/24/2026 08:27:03 x", "2026-11-24T08:27:03Z", 19),
            (Layout::DmySlash, "24/11/2026 08:27:03 x", "2026-11-24T08:27:03Z", 19),
            (Layout::DmyDot, "24.11.2026 08:27:03 x", "2026-11-24T08:27:03Z", 19),
            (Layout::Epoch, "1795508823 x", "2026-11-24T08:27:03Z", 10),
            (Layout::Epoch, "1795508823.250 x", "2026-11-24T08:27:03.25Z", 14),
            (Layout::Epoch, "1795508823123 x", "2026-11-24T08:27:03.123Z", 13),
        ];
        for (layout, text, want, end) in cases {
            // `[…]` around a timestamp is the generic reader's business: strip it here.
            let (text, end) = match text.strip_prefix('[') {
                Some(t) => (t, t.find(']').unwrap()),
                None => (text, end),
            };
            let (got, e) = at(layout, text).unwrap_or_else(|| panic!("{text} not read as {layout:?}"));
            assert_eq!(got, utc(want), "{text}");
            assert_eq!(e, end, "{text}");
        }
    }

    #[test]
    fn near_misses_are_rejected() {
        assert!(at(Layout::Iso, "2017-05-16_13:53:08 x").is_none());
        assert!(at(Layout::Iso, "2026-13-24 08:27:03").is_none());
        assert!(at(Layout::Compact, "1234567 203615").is_none());
        assert!(at(Layout::Syslog, "Now 24 08:27:03 x").is_none());
        assert!(at(Layout::Iso, "2026-02-30 08:27:03").is_none());
        assert_eq!(at(Layout::Iso, "2026-11-24 08:27:03 INFO x").map(|t| t.1), Some(19), "a level is no zone");
        assert!(at(Layout::Epoch, "12345678901 x").is_none(), "11 digits are no epoch unit");
        assert!(at(Layout::Epoch, "4200000000 x").is_none(), "after 2100");
        assert!(at(Layout::Epoch, "1795508823abc").is_none());
        assert!(at(Layout::MdySlash, "13/24/2026 08:27:03").is_none());
    }
}
