//! Turning what a file wrote into UTC.
//!
//! Three problems live here, in one place so every parser solves them alike:
//! - a timestamp without a zone is read in the source's [`Zone`] (from
//!   `--tz`, default the machine's zone); DST gaps and overlaps resolve
//!   deterministically and are flagged ([`crate::flags::DST_GAP`],
//!   [`crate::flags::DST_AMBIGUOUS`]);
//! - a timestamp without a year (RFC 3164 syslog, logcat) takes it from a
//!   reference instant, the file's modification time ([`YearInference`]);
//! - the many ways people write an instant in CSV/JSON/headers
//!   ([`parse_instant`]), and epoch numbers of any unit ([`from_epoch`]).

use crate::event::{flags, Instant};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;
use std::fmt;

/// The zone in which zone-less timestamps of a source are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// UTC.
    #[default]
    Utc,
    /// A fixed offset (`+03:00`).
    Fixed(FixedOffset),
    /// An IANA zone with its DST rules (`Europe/Berlin`).
    Named(Tz),
}

/// A zone name that is neither an IANA zone nor an offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?}: use an IANA name such as Europe/Berlin, UTC, or an offset such as +03:00")]
pub struct UnknownZone(pub String);

impl Zone {
    /// Reads `UTC`, `Z`, `local`, `+03:00`, `-0500`, `UTC+3`, `Europe/Berlin`.
    pub fn parse(s: &str) -> Result<Zone, UnknownZone> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" || t.eq_ignore_ascii_case("gmt") {
            return Ok(Zone::Utc);
        }
        if t.eq_ignore_ascii_case("local") {
            return Ok(Zone::local());
        }
        let offset_part =
            t.strip_prefix("UTC").or_else(|| t.strip_prefix("utc")).or_else(|| t.strip_prefix("GMT")).unwrap_or(t);
        if let Some(off) = parse_offset(offset_part) {
            return Ok(if off.local_minus_utc() == 0 { Zone::Utc } else { Zone::Fixed(off) });
        }
        t.parse::<Tz>().map(Zone::Named).map_err(|_| UnknownZone(s.to_string()))
    }

    /// The machine's zone: `$TZ`, else `/etc/localtime`'s IANA name, else UTC.
    pub fn local() -> Zone {
        if let Ok(tz) = std::env::var("TZ") {
            let tz = tz.trim_start_matches(':');
            if let Ok(z) = Zone::parse(tz) {
                return z;
            }
        }
        if let Ok(name) = std::fs::read_to_string("/etc/timezone") {
            if let Ok(tz) = name.trim().parse::<Tz>() {
                return Zone::Named(tz);
            }
        }
        if let Ok(target) = std::fs::read_link("/etc/localtime") {
            let s = target.to_string_lossy();
            if let Some(idx) = s.find("zoneinfo/") {
                if let Ok(tz) = s[idx + 9..].parse::<Tz>() {
                    return Zone::Named(tz);
                }
            }
        }
        Zone::Utc
    }

    /// Resolves a local wall-clock time to UTC. Returns the instant and the
    /// [`flags`] bits that say whether DST made it ambiguous (earlier instant
    /// taken) or non-existent (moved forward by the gap).
    pub fn to_utc(&self, local: NaiveDateTime) -> (Instant, u8) {
        match self {
            Zone::Utc => (Utc.from_utc_datetime(&local), 0),
            Zone::Fixed(off) => (Utc.from_utc_datetime(&(local - Duration::seconds(off.local_minus_utc() as i64))), 0),
            Zone::Named(tz) => resolve_local(tz, local),
        }
    }

    /// The UTC offset of this zone at an instant (for display).
    pub fn offset_at(&self, at: Instant) -> FixedOffset {
        match self {
            Zone::Utc => FixedOffset::east_opt(0).unwrap(),
            Zone::Fixed(off) => *off,
            Zone::Named(tz) => tz.offset_from_utc_datetime(&at.naive_utc()).fix(),
        }
    }

    /// The wall-clock time this zone shows at an instant (a file's mtime as
    /// the year reference for logs that write no year).
    pub fn local_time(&self, at: Instant) -> NaiveDateTime {
        at.naive_utc() + Duration::seconds(self.offset_at(at).local_minus_utc() as i64)
    }

    /// Shows an instant in this zone as RFC 3339 (`2026-11-24T11:20:00+03:00`).
    pub fn format_rfc3339(&self, at: Instant) -> String {
        at.with_timezone(&self.offset_at(at)).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }

    /// A short label for headings: `UTC`, `UTC+3`, `UTC+5:30`, `Europe/Berlin`.
    pub fn label(&self) -> String {
        match self {
            Zone::Utc => "UTC".into(),
            Zone::Fixed(off) => offset_label(*off),
            Zone::Named(tz) => tz.name().to_string(),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Utc => f.write_str("UTC"),
            Zone::Fixed(off) => write!(f, "{off}"),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

/// `UTC+3`, `UTC-5:30`.
pub fn offset_label(off: FixedOffset) -> String {
    let secs = off.local_minus_utc();
    if secs == 0 {
        return "UTC".into();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.abs();
    let (h, m) = (abs / 3600, (abs % 3600) / 60);
    if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    }
}

fn resolve_local(tz: &Tz, local: NaiveDateTime) -> (Instant, u8) {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => (t.with_timezone(&Utc), 0),
        LocalResult::Ambiguous(earlier, _) => (earlier.with_timezone(&Utc), flags::DST_AMBIGUOUS),
        LocalResult::None => {
            // A wall time inside a spring-forward gap: read it with the offset in
            // force just before the gap, which moves it forward by the gap's length
            // (02:30 in a 02:00→03:00 gap becomes 03:30) — what the writer's clock
            // would have shown had it not jumped.
            let before = local - Duration::hours(3);
            let off = match tz.from_local_datetime(&before) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                LocalResult::None => tz.offset_from_utc_datetime(&local).fix(),
            };
            let utc = local - Duration::seconds(off.local_minus_utc() as i64);
            (Utc.from_utc_datetime(&utc), flags::DST_GAP)
        }
    }
}

/// Reads `+03:00`, `+0300`, `+03`, `-5`, `Z`.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    if s == "Z" || s == "z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (digits[..1].parse::<i32>().ok()?, digits[1..].parse::<i32>().ok()?),
        4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
        _ => return None,
    };
    if h > 18 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Supplies the year that RFC 3164 syslog and similar formats leave out.
///
/// The reference is the file's modification time: the newest line cannot be
/// later than when the file was last written. A month-day is placed in the
/// reference's year unless that puts it more than a day after the
/// reference, in which case it belongs to the year before. A file that runs
/// from December into January thus gets the right year on both sides
/// without a first pass over the file.
#[derive(Debug, Clone, Copy)]
pub struct YearInference {
    reference: NaiveDateTime,
}

impl YearInference {
    /// Infers years relative to `reference` (normally the file's mtime, in the source zone).
    pub fn new(reference: NaiveDateTime) -> Self {
        YearInference { reference }
    }

    /// The reference instant's year.
    pub fn reference_year(&self) -> i32 {
        self.reference.year()
    }

    /// The full local date-time for a month/day/time written without a year.
    pub fn complete(&self, month: u32, day: u32, time: NaiveTime) -> Option<NaiveDateTime> {
        let year = self.reference.year();
        let limit = self.reference + Duration::days(1);
        // Feb 29 exists only in some years: try the candidate year, then the one before.
        for y in [year, year - 1, year - 2, year - 3, year - 4] {
            if let Some(d) = NaiveDate::from_ymd_opt(y, month, day) {
                let dt = d.and_time(time);
                if dt <= limit {
                    return Some(dt);
                }
            }
        }
        None
    }
}

impl YearInference {
    /// The full local date-time for a time of day written without any date
    /// (strace, some job runners): the reference's date, or the day before
    /// when that would put it after the reference (the file cannot hold a
    /// line written after it was last modified).
    pub fn complete_time(&self, time: NaiveTime) -> NaiveDateTime {
        let dt = self.reference.date().and_time(time);
        if dt > self.reference + Duration::minutes(1) {
            dt - Duration::days(1)
        } else {
            dt
        }
    }
}

/// Common zone abbreviations and their UTC offsets in seconds, for
/// timestamps that name their zone (`08:27:03 PST`, `Tue Nov 24 08:27:03 CET 2026`).
/// Abbreviations are ambiguous in general; these are the readings logs mean
/// in practice (`CST` is US Central, `IST` India, `BST` British Summer Time).
const ZONE_ABBREVIATIONS: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 3600),
    ("BST", 3600),
    ("CET", 3600),
    ("CEST", 7200),
    ("MET", 3600),
    ("MEST", 7200),
    ("EET", 7200),
    ("EEST", 10800),
    ("MSK", 10800),
    ("IST", 19800),
    ("SGT", 28800),
    ("HKT", 28800),
    ("AWST", 28800),
    ("JST", 32400),
    ("KST", 32400),
    ("ACST", 34200),
    ("ACDT", 37800),
    ("AEST", 36000),
    ("AEDT", 39600),
    ("NZST", 43200),
    ("NZDT", 46800),
    ("HST", -36000),
    ("AKST", -32400),
    ("AKDT", -28800),
    ("PST", -28800),
    ("PDT", -25200),
    ("MST", -25200),
    ("MDT", -21600),
    ("CST", -21600),
    ("CDT", -18000),
    ("EST", -18000),
    ("EDT", -14400),
    ("AST", -14400),
    ("ADT", -10800),
    ("NST", -12600),
    ("NDT", -9000),
];

/// The UTC offset (seconds east) of a zone abbreviation (`PST`, `CEST`, `UTC`), any case.
pub fn zone_abbreviation(name: &str) -> Option<i32> {
    let name = name.trim();
    ZONE_ABBREVIATIONS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, off)| *off)
}

/// Converts an epoch number to an instant, guessing the unit from its size:
/// seconds, milliseconds, microseconds or nanoseconds since 1970.
pub fn from_epoch(value: f64) -> Option<Instant> {
    if !value.is_finite() || value <= 0.0 {
        return None;
    }
    let secs = if value < 1e11 {
        value
    } else if value < 1e14 {
        value / 1e3
    } else if value < 1e17 {
        value / 1e6
    } else {
        value / 1e9
    };
    let whole = secs.floor();
    let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0) as u32;
    DateTime::from_timestamp(whole as i64, nanos)
}

/// Integer form of [`from_epoch`] that keeps full precision for micro/nanoseconds.
pub fn from_epoch_int(value: i64) -> Option<Instant> {
    if value <= 0 {
        return None;
    }
    let (secs, nanos) = if value < 100_000_000_000 {
        (value, 0)
    } else if value < 100_000_000_000_000 {
        (value / 1_000, (value % 1_000) * 1_000_000)
    } else if value < 100_000_000_000_000_000 {
        (value / 1_000_000, (value % 1_000_000) * 1_000)
    } else {
        (value / 1_000_000_000, value % 1_000_000_000)
    };
    DateTime::from_timestamp(secs, nanos as u32)
}

/// Layouts with an explicit offset that [`parse_instant`] tries.
const ZONED_LAYOUTS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f %:z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M%:z",
    "%Y/%m/%d %H:%M:%S%.f %z",
    "%a %b %e %H:%M:%S %Y %z",
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y %H:%M:%S %z",
    "%d/%b/%Y:%H:%M:%S %z",
];

/// Layouts without an offset (read in the source zone).
const NAIVE_LAYOUTS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S,%f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%a %b %e %H:%M:%S %Y",
    "%a, %d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y %I:%M %p",
];

/// Reads an instant written the way exports, headers and JSON fields write
/// them: RFC 3339 / ISO 8601 with or without `T`, fraction and offset; a
/// trailing ` UTC`/`Z`; RFC 2822 (`Tue, 24 Nov 2026 08:27:03 +0000`); git's
/// default (`Tue Nov 24 08:27:03 2026 +0300`); US `11/24/2026 08:27`; a bare
/// date; or an epoch number (seconds, millis, micros, nanos). Zone-less text
/// is read in `zone`. Returns the instant and DST [`flags`].
///
/// Not for the hot path of a log parser: it tries layouts in turn.
pub fn parse_instant(text: &str, zone: &Zone) -> Option<(Instant, u8)> {
    let mut s = text.trim().trim_matches('"');
    if s.is_empty() {
        return None;
    }
    if let Some(n) = parse_epoch_text(s) {
        return Some((n, 0));
    }
    // A trailing zone name that chrono cannot read.
    let mut forced_utc = false;
    for suffix in [" UTC", " GMT", " utc", "Z", "z"] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            if suffix.len() > 1 || stripped.as_bytes().last().is_some_and(|b| b.is_ascii_digit()) {
                s = stripped.trim_end();
                forced_utc = true;
                break;
            }
        }
    }
    // RFC 2822 dates often end with a comment: `+0000 (UTC)`.
    if let Some(idx) = s.rfind(" (") {
        if s.ends_with(')') {
            s = s[..idx].trim_end();
        }
    }
    if !forced_utc {
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some((dt.with_timezone(&Utc), 0));
        }
        if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
            return Some((dt.with_timezone(&Utc), 0));
        }
        for layout in ZONED_LAYOUTS {
            if let Ok(dt) = DateTime::parse_from_str(s, layout) {
                return Some((dt.with_timezone(&Utc), 0));
            }
        }
    }
    let naive =
        NAIVE_LAYOUTS.iter().find_map(|layout| NaiveDateTime::parse_from_str(s, layout).ok()).or_else(|| {
            ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y"]
                .iter()
                .find_map(|l| NaiveDate::parse_from_str(s, l).ok())
                .map(|d| d.and_time(NaiveTime::MIN))
        })?;
    if forced_utc {
        Some((Utc.from_utc_datetime(&naive), 0))
    } else {
        Some(zone.to_utc(naive))
    }
}

fn parse_epoch_text(s: &str) -> Option<Instant> {
    let bytes = s.as_bytes();
    if bytes.len() < 9 || !bytes[0].is_ascii_digit() {
        return None;
    }
    if bytes.iter().all(|b| b.is_ascii_digit()) {
        return from_epoch_int(s.parse().ok()?);
    }
    if bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.') && bytes.iter().filter(|b| **b == b'.').count() == 1 {
        let (int, frac) = s.split_once('.')?;
        if int.len() >= 9 && int.len() <= 10 {
            let secs: i64 = int.parse().ok()?;
            let mut f = frac.to_string();
            f.truncate(9);
            while f.len() < 9 {
                f.push('0');
            }
            return DateTime::from_timestamp(secs, f.parse().ok()?);
        }
        return from_epoch(s.parse().ok()?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn zones_parse_in_every_spelling() {
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::Utc);
        assert_eq!(Zone::parse("+03:00").unwrap(), Zone::Fixed(FixedOffset::east_opt(3 * 3600).unwrap()));
        assert_eq!(Zone::parse("UTC+3").unwrap(), Zone::Fixed(FixedOffset::east_opt(3 * 3600).unwrap()));
        assert_eq!(Zone::parse("-0530").unwrap(), Zone::Fixed(FixedOffset::west_opt(5 * 3600 + 1800).unwrap()));
        assert_eq!(Zone::parse("Europe/Berlin").unwrap(), Zone::Named(chrono_tz::Europe::Berlin));
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert_eq!(Zone::parse("+03:00").unwrap().label(), "UTC+3");
    }

    #[test]
    fn dst_gap_moves_forward_and_overlap_takes_the_earlier_instant() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        // 2026-03-29 02:30 does not exist in Berlin (02:00 → 03:00).
        let gap = NaiveDateTime::parse_from_str("2026-03-29 02:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let (t, f) = berlin.to_utc(gap);
        assert_eq!(t, utc("2026-03-29T01:30:00Z"));
        assert_eq!(f, flags::DST_GAP);
        // 2026-10-25 02:30 happens twice; the first (CEST, +02:00) is taken.
        let overlap = NaiveDateTime::parse_from_str("2026-10-25 02:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let (t, f) = berlin.to_utc(overlap);
        assert_eq!(t, utc("2026-10-25T00:30:00Z"));
        assert_eq!(f, flags::DST_AMBIGUOUS);
    }

    #[test]
    fn local_time_follows_the_offset_in_force() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        assert_eq!(berlin.local_time(utc("2026-07-01T10:00:00Z")).to_string(), "2026-07-01 12:00:00");
        assert_eq!(berlin.local_time(utc("2026-12-31T23:30:00Z")).to_string(), "2027-01-01 00:30:00");
    }

    #[test]
    fn year_inference_handles_december_to_january() {
        let mtime = NaiveDateTime::parse_from_str("2027-01-02 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let years = YearInference::new(mtime);
        let t = NaiveTime::from_hms_opt(23, 59, 0).unwrap();
        assert_eq!(years.complete(12, 31, t).unwrap().year(), 2026);
        assert_eq!(years.complete(1, 1, t).unwrap().year(), 2027);
        // Feb 29 goes to the last leap year not after the reference.
        assert_eq!(years.complete(2, 29, t).unwrap().year(), 2024);
    }

    #[test]
    fn instants_in_export_layouts() {
        let plus3 = Zone::parse("+03:00").unwrap();
        let cases = [
            ("2026-11-24T08:27:03Z", "2026-11-24T08:27:03Z"),
            ("2026-11-24T11:27:03+03:00", "2026-11-24T08:27:03Z"),
            ("2026-11-24 11:27:03", "2026-11-24T08:27:03Z"),
            ("2026-11-24 08:27:03 UTC", "2026-11-24T08:27:03Z"),
            ("Tue, 24 Nov 2026 08:27:03 +0000", "2026-11-24T08:27:03Z"),
            ("Tue Nov 24 11:27:03 2026 +0300", "2026-11-24T08:27:03Z"),
            ("1795508823", "2026-11-24T08:27:03Z"),
            ("1795508823000", "2026-11-24T08:27:03Z"),
            ("1795508823.500", "2026-11-24T08:27:03.5Z"),
            ("11/24/2026 11:27", "2026-11-24T08:27:00Z"),
        ];
        for (input, want) in cases {
            let (got, _) = parse_instant(input, &plus3).unwrap_or_else(|| panic!("{input} not read"));
            assert_eq!(got, utc(want), "{input}");
        }
        assert!(parse_instant("not a date", &plus3).is_none());
    }

    #[test]
    fn zone_abbreviations_and_times_without_a_date() {
        assert_eq!(zone_abbreviation("pst"), Some(-8 * 3600));
        assert_eq!(zone_abbreviation("CEST"), Some(2 * 3600));
        assert_eq!(zone_abbreviation("INFO"), None);
        let mtime = NaiveDateTime::parse_from_str("2026-11-24 00:10:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let years = YearInference::new(mtime);
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(years.complete_time(t(0, 5)).to_string(), "2026-11-24 00:05:00");
        assert_eq!(years.complete_time(t(23, 59)).to_string(), "2026-11-23 23:59:00", "written before midnight");
    }

    #[test]
    fn epoch_units_are_guessed_from_magnitude() {
        let want = utc("2026-11-24T08:27:03Z");
        assert_eq!(from_epoch_int(1_795_508_823), Some(want));
        assert_eq!(from_epoch_int(1_795_508_823_000), Some(want));
        assert_eq!(from_epoch_int(1_795_508_823_000_000), Some(want));
        assert_eq!(from_epoch_int(1_795_508_823_000_000_000), Some(want));
    }
}
