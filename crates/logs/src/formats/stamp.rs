//! Timestamps of format definitions: lnav's `timestamp-format` (a strftime
//! subset plus `%L %f %N %i %6 %9 %q`), and the layouts tried when a
//! definition gives none.
//!
//! Both produce [`Parts`]: the written fields, which the parser's
//! [`crate::ts::Resolver`] turns into UTC through `faultline_model::time`
//! (source zone for zone-less text, the year rule of syslog for year-less
//! text, the file's date for a time of day alone).

use crate::ts::{month_name, scan, Parts, ALL_LAYOUTS};
use faultline_model::time::zone_abbreviation;

/// One piece of a `timestamp-format`.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    /// A byte that must be there.
    Literal(u8),
    /// Whitespace in the format: any run of whitespace (none included), as strptime reads it.
    Space,
    /// A conversion (`Y` for `%Y`, `6` for `%6`).
    Spec(u8),
}

/// A compiled `timestamp-format` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StampFormat {
    source: String,
    items: Vec<Item>,
}

/// Conversions this reader knows: lnav's documented set and the usual strftime shorthands.
const SPECS: &[u8] = b"aAbBhdeHkIlmMSpyYzZjLfNsiq69TDFRnt%";

impl StampFormat {
    /// Compiles `fmt`; an unknown conversion is an error that names it.
    pub(crate) fn new(fmt: &str) -> Result<StampFormat, String> {
        let b = fmt.as_bytes();
        let mut items = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'%' {
                let Some(&spec) = b.get(i + 1) else {
                    return Err(format!("timestamp-format {fmt:?} ends with a lone %"));
                };
                if !SPECS.contains(&spec) {
                    return Err(format!("timestamp-format {fmt:?}: %{} is not a supported conversion", spec as char));
                }
                match spec {
                    b'T' => items.extend(
                        [Item::Spec(b'H'), Item::Literal(b':'), Item::Spec(b'M')]
                            .into_iter()
                            .chain([Item::Literal(b':'), Item::Spec(b'S')]),
                    ),
                    b'R' => items.extend([Item::Spec(b'H'), Item::Literal(b':'), Item::Spec(b'M')]),
                    b'D' => items.extend([
                        Item::Spec(b'm'),
                        Item::Literal(b'/'),
                        Item::Spec(b'd'),
                        Item::Literal(b'/'),
                        Item::Spec(b'y'),
                    ]),
                    b'F' => items.extend([
                        Item::Spec(b'Y'),
                        Item::Literal(b'-'),
                        Item::Spec(b'm'),
                        Item::Literal(b'-'),
                        Item::Spec(b'd'),
                    ]),
                    b'n' | b't' => items.push(Item::Space),
                    b'%' => items.push(Item::Literal(b'%')),
                    other => items.push(Item::Spec(other)),
                }
                i += 2;
            } else {
                items.push(if c.is_ascii_whitespace() { Item::Space } else { Item::Literal(c) });
                i += 1;
            }
        }
        Ok(StampFormat { source: fmt.to_string(), items })
    }

    /// The format as written.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Whether the format writes a year (or an epoch count, which has one).
    pub(crate) fn has_year(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Spec(b'Y' | b'y' | b's' | b'i' | b'6' | b'9' | b'q')))
    }

    /// Reads `text` whole (trailing blanks aside) as this format.
    pub(crate) fn read(&self, text: &str) -> Option<Parts> {
        let b = text.trim().as_bytes();
        let mut p = Parts::default();
        let mut pm: Option<bool> = None;
        let mut yday: Option<u32> = None;
        let mut has_date = false;
        let mut i = 0;
        for item in &self.items {
            match *item {
                Item::Literal(c) => {
                    if b.get(i) != Some(&c) {
                        return None;
                    }
                    i += 1;
                }
                Item::Space => {
                    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                        i += 1;
                    }
                }
                Item::Spec(spec) => {
                    i = self.spec(spec, b, i, &mut p, &mut pm, &mut yday, &mut has_date)?;
                }
            }
        }
        // lnav reads a fraction after the seconds even when the format leaves it out.
        if i < b.len() && matches!(b[i], b'.' | b',') && p.nanos == 0 && self.items.contains(&Item::Spec(b'S')) {
            let (nanos, j) = fraction(b, i + 1)?;
            p.nanos = nanos;
            i = j;
        }
        if i != b.len() {
            return None;
        }
        if let Some(pm) = pm {
            if p.hour == 0 || p.hour > 12 {
                return None;
            }
            p.hour = match (pm, p.hour) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
        }
        if let (Some(yd), Some(year)) = (yday, p.year) {
            let date = chrono::NaiveDate::from_yo_opt(year, yd)?;
            use chrono::Datelike;
            (p.month, p.day) = (date.month(), date.day());
            has_date = true;
        }
        if p.epoch_nanos.is_none() && !has_date {
            // A time of day alone: the resolver takes the file's date.
            (p.month, p.day, p.year) = (0, 0, None);
        }
        valid(&p).then_some(p)
    }

    #[allow(clippy::too_many_arguments)]
    fn spec(
        &self,
        spec: u8,
        b: &[u8],
        i: usize,
        p: &mut Parts,
        pm: &mut Option<bool>,
        yday: &mut Option<u32>,
        has_date: &mut bool,
    ) -> Option<usize> {
        Some(match spec {
            b'Y' => {
                let (v, j) = digits(b, i, 4, 4)?;
                p.year = Some(v as i32);
                j
            }
            b'y' => {
                let (v, j) = digits(b, i, 2, 2)?;
                // POSIX: 69–99 are 19xx, 00–68 are 20xx.
                p.year = Some(if v >= 69 { 1900 + v as i32 } else { 2000 + v as i32 });
                j
            }
            b'm' => {
                let (v, j) = digits(b, i, 1, 2)?;
                p.month = v as u32;
                *has_date = true;
                j
            }
            b'd' | b'e' => {
                let i = if spec == b'e' && b.get(i) == Some(&b' ') { i + 1 } else { i };
                let (v, j) = digits(b, i, 1, 2)?;
                p.day = v as u32;
                *has_date = true;
                j
            }
            b'j' => {
                let (v, j) = digits(b, i, 1, 3)?;
                *yday = Some(v as u32);
                j
            }
            b'b' | b'B' | b'h' => {
                p.month = month_name(b, i)?;
                *has_date = true;
                word_end(b, i + 3)
            }
            b'a' | b'A' => {
                let end = word_end(b, i);
                if end < i + 3 {
                    return None;
                }
                end
            }
            b'H' | b'k' | b'I' | b'l' => {
                let i = if matches!(spec, b'k' | b'l') && b.get(i) == Some(&b' ') { i + 1 } else { i };
                let (v, j) = digits(b, i, 1, 2)?;
                p.hour = v as u32;
                j
            }
            b'M' => {
                let (v, j) = digits(b, i, 1, 2)?;
                p.min = v as u32;
                j
            }
            b'S' => {
                let (v, j) = digits(b, i, 1, 2)?;
                p.sec = v as u32;
                j
            }
            b'p' => {
                let w = b.get(i..i + 2)?;
                *pm = Some(match [w[0].to_ascii_uppercase(), w[1].to_ascii_uppercase()] {
                    [b'A', b'M'] => false,
                    [b'P', b'M'] => true,
                    _ => return None,
                });
                i + 2
            }
            // Fractions: `%L` milliseconds, `%f` microseconds, `%N` nanoseconds;
            // each takes the digits that are there (a logger that trims zeros).
            b'L' | b'f' | b'N' => {
                let (nanos, j) = fraction(b, i)?;
                p.nanos = nanos;
                j
            }
            b's' | b'i' | b'6' | b'9' => {
                let (v, j) = digits(b, i, 1, 19)?;
                let scale: i64 = match spec {
                    b's' => 1_000_000_000,
                    b'i' => 1_000_000,
                    b'6' => 1_000,
                    _ => 1,
                };
                p.epoch_nanos = Some((v as i64).checked_mul(scale)?);
                j
            }
            b'q' => {
                let start = i;
                let mut j = i;
                while b.get(j).is_some_and(u8::is_ascii_hexdigit) {
                    j += 1;
                }
                let secs = i64::from_str_radix(std::str::from_utf8(b.get(start..j)?).ok()?, 16).ok()?;
                p.epoch_nanos = Some(secs.checked_mul(1_000_000_000)?);
                j
            }
            b'z' => {
                let (off, j) = numeric_offset(b, i)?;
                p.offset = Some(off);
                j
            }
            b'Z' => {
                let end = word_end(b, i);
                let name = std::str::from_utf8(b.get(i..end)?).ok()?;
                if let Some((off, j)) = numeric_offset(b, i) {
                    p.offset = Some(off);
                    return Some(j);
                }
                p.offset = Some(zone_abbreviation(name)?);
                end
            }
            _ => return None,
        })
    }
}

/// The end of a run of letters.
fn word_end(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
        i += 1;
    }
    i
}

/// Between `min` and `max` digits at `i`.
fn digits(b: &[u8], i: usize, min: usize, max: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    let mut j = i;
    while j < i + max {
        match b.get(j) {
            Some(c) if c.is_ascii_digit() => v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?,
            _ => break,
        }
        j += 1;
    }
    (j - i >= min).then_some((v, j))
}

/// Fraction digits at `i` (1 or more) as nanoseconds.
fn fraction(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let (_, end) = digits(b, i, 1, 18)?;
    let mut nanos = 0u32;
    for k in 0..9 {
        let d = b.get(i + k).filter(|_| i + k < end).map_or(0, |c| u32::from(c - b'0'));
        nanos = nanos * 10 + d;
    }
    Some((nanos, end))
}

/// `Z`, `+hh:mm`, `+hhmm`, `+hh`.
fn numeric_offset(b: &[u8], i: usize) -> Option<(i32, usize)> {
    let c = *b.get(i)?;
    if c == b'Z' || c == b'z' {
        return Some((0, i + 1));
    }
    let sign = match c {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, mut j) = digits(b, i + 1, 2, 2)?;
    if b.get(j) == Some(&b':') {
        j += 1;
    }
    let (m, j) = digits(b, j, 2, 2).unwrap_or((0, j));
    if h > 18 || m > 59 {
        return None;
    }
    Some((sign * (h as i32 * 3600 + m as i32 * 60), j))
}

fn valid(p: &Parts) -> bool {
    if p.epoch_nanos.is_some() {
        return true;
    }
    let date_ok = (p.month == 0 && p.day == 0) || ((1..=12).contains(&p.month) && (1..=31).contains(&p.day));
    date_ok && p.hour <= 23 && p.min <= 59 && p.sec <= 60
}

/// Reads a captured timestamp when the definition gives no format: the
/// layouts the text formats scan (the whole text must be the timestamp),
/// a few more that only appear inside fields, and epoch counts.
pub(crate) fn read_any(text: &str) -> Option<Parts> {
    let t = text.trim().trim_matches(|c| c == '[' || c == ']');
    let b = t.as_bytes();
    if b.is_empty() {
        return None;
    }
    for layout in ALL_LAYOUTS {
        if let Some((mut p, end)) = scan(*layout, b) {
            if let Some(rest) = zone_tail(b, end, &mut p) {
                if rest == b.len() {
                    return Some(p);
                }
            }
        }
    }
    for fmt in FALLBACK_FORMATS.iter() {
        if let Some(p) = fmt.read(t) {
            return Some(p);
        }
    }
    None
}

/// Where a zone written after a scanned timestamp ends (`08:27:03 PST`, `… +0100`), or
/// `end` when nothing follows.
fn zone_tail(b: &[u8], end: usize, p: &mut Parts) -> Option<usize> {
    if end == b.len() {
        return Some(end);
    }
    let rest = std::str::from_utf8(b.get(end..)?).ok()?.trim();
    if rest.is_empty() {
        return Some(b.len());
    }
    if p.offset.is_some() {
        return None;
    }
    let off = match numeric_offset(rest.as_bytes(), 0) {
        Some((off, used)) if used == rest.len() => off,
        _ => zone_abbreviation(rest)?,
    };
    p.offset = Some(off);
    Some(b.len())
}

/// Layouts that only appear inside captured fields (compiled once).
static FALLBACK_FORMATS: std::sync::LazyLock<Vec<StampFormat>> = std::sync::LazyLock::new(|| {
    [
        "%d/%b/%Y %H:%M:%S",
        "%d/%b/%Y:%H:%M:%S.%L",
        "%d %b %Y %H:%M:%S.%L",
        "%d %b %Y %H:%M:%S",
        "%d %b %H:%M:%S.%L",
        "%d-%b-%Y %H:%M:%S.%L",
        "%d-%b-%Y %H:%M:%S",
        "%b %d, %Y %l:%M:%S %p",
        "%b %d %Y %H:%M:%S",
        "%a %b %d %H:%M:%S %Z %Y",
        "%a, %d %b %Y %H:%M:%S %Z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S %Z",
        "%Y%m%d %H:%M:%S.%L",
        "%Y%m%dT%H%M%S",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %l:%M:%S %p",
        "%d.%m.%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S:%L %z",
        "%Y-%m-%d %H:%M:%S:%L",
        "%Y-%m-%dT%I:%M:%S %p %Z",
        "%m/%d/%Y %I:%M:%S:%L %p %Z",
        "%a %b %d %H:%M:%S:%f %Y",
        "%y%m%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%m%d %H:%M:%S.%f",
        "%Y-%m-%d",
        "%H:%M:%S.%f",
        "%H:%M:%S",
        "%M:%S.%f",
        "%s.%f",
        "+%s",
    ]
    .iter()
    .filter_map(|f| StampFormat::new(f).ok())
    .collect()
});

/// A bare epoch count (9 to 19 digits), the unit guessed from its size by
/// `faultline_model::time` (seconds, millis, micros, nanos).
pub(crate) fn epoch_any(text: &str) -> Option<Parts> {
    let b = text.trim().as_bytes();
    if b.len() < 9 || b.len() > 19 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v: i64 = text.trim().parse().ok()?;
    let t = faultline_model::time::from_epoch_int(v)?;
    Some(Parts { epoch_nanos: t.timestamp_nanos_opt(), ..Parts::default() })
}

/// Reads `text` with the definition's formats, in order.
pub(crate) fn read_with(formats: &[StampFormat], text: &str) -> Option<Parts> {
    formats.iter().find_map(|f| f.read(text))
}

/// [`read_any`], or a bare epoch number.
pub(crate) fn read_auto(text: &str) -> Option<Parts> {
    read_any(text).or_else(|| epoch_any(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(fmt: &str, text: &str) -> Option<Parts> {
        StampFormat::new(fmt).unwrap().read(text)
    }

    #[test]
    fn lnav_conversions_read_what_they_say() {
        let p = read("%Y-%m-%d %H:%M:%S.%L", "2014-10-28 10:42:22.772").unwrap();
        assert_eq!(
            (p.year, p.month, p.day, p.hour, p.min, p.sec, p.nanos),
            (Some(2014), 10, 28, 10, 42, 22, 772_000_000)
        );
        let p = read("%m-%d %H:%M:%S.%f", "05-26 11:18:41.509123").unwrap();
        assert_eq!((p.year, p.month, p.nanos), (None, 5, 509_123_000));
        let p = read("%b-%d %H:%M:%S", "Jan-07 08:09:10").unwrap();
        assert_eq!((p.month, p.day, p.hour), (1, 7, 8));
        assert_eq!(read("%9", "1700000000000000000").unwrap().epoch_nanos, Some(1_700_000_000_000_000_000));
        assert_eq!(read("%6", "1700000000000000").unwrap().epoch_nanos, Some(1_700_000_000_000_000_000));
        assert_eq!(read("%i", "1700000000123").unwrap().epoch_nanos, Some(1_700_000_000_123_000_000));
        assert_eq!(read("%s.%f", "1700000000.5").unwrap().nanos, 500_000_000);
        let p = read("%H:%M:%S", "23:59:58").unwrap();
        assert_eq!((p.month, p.day, p.hour), (0, 0, 23), "a time alone takes the file's date");
        let p = read("%d %b %Y %H:%M:%S %Z", "24 Nov 2026 08:27:03 PST").unwrap();
        assert_eq!(p.offset, Some(-8 * 3600));
        let p = read("%Y-%m-%dT%H:%M:%S%z", "2026-11-24T08:27:03+05:30").unwrap();
        assert_eq!(p.offset, Some(5 * 3600 + 1800));
        let p = read("%m/%d/%Y %I:%M:%S %p", "11/24/2026 12:05:00 AM").unwrap();
        assert_eq!(p.hour, 0);
        assert!(read("%Y-%m-%d", "2026-11-24 extra").is_none(), "the whole field must be the timestamp");
        assert!(StampFormat::new("%Y %Q").unwrap_err().contains("%Q"));
    }

    #[test]
    fn captured_timestamps_without_a_format_are_read_by_layout() {
        for (text, want) in [
            ("11/Feb/2013:06:43:36 +0000", (2013, 2, 11, 6, 0)),
            ("29/Aug/2023 22:02:58", (2023, 8, 29, 22, 0)),
            ("26/Feb/2019:23:08:47.266", (2019, 2, 26, 23, 266_000_000)),
            ("Tue Jan  3 05:01:31 2012", (2012, 1, 3, 5, 0)),
            ("2015-05-13T23:39:43.945958Z", (2015, 5, 13, 23, 945_958_000)),
        ] {
            let p = read_any(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((p.year.unwrap(), p.month, p.day, p.hour, p.nanos), want, "{text}");
        }
        let p = read_any("Feb 26 10:07:24").unwrap();
        assert_eq!((p.year, p.month, p.day), (None, 2, 26));
        assert!(read_auto("1700000000").unwrap().epoch_nanos.is_some());
        assert!(read_any("not a time").is_none());
    }
}
