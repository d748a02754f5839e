//! From the written fields of a timestamp to a UTC instant.

use super::Parts;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use faultline_model::time::{YearInference, Zone};
use faultline_model::Instant;

/// Turns written fields into UTC: offset if written, else the source zone;
/// year if written, else inferred. Caches the last resolved second.
#[derive(Debug, Clone)]
pub(crate) struct Resolver {
    zone: Zone,
    years: YearInference,
    key: Option<Parts>,
    base: (Instant, u8),
}

impl Resolver {
    pub(crate) fn new(zone: Zone, reference: Option<NaiveDateTime>) -> Self {
        let reference = reference.unwrap_or_else(|| zone.local_time(Utc::now()));
        Resolver { zone, years: YearInference::new(reference), key: None, base: (DateTime::UNIX_EPOCH, 0) }
    }

    /// UTC instant and DST flags.
    pub(crate) fn resolve(&mut self, p: &Parts) -> Option<(Instant, u8)> {
        if let Some(n) = p.epoch_nanos {
            return Some((DateTime::from_timestamp_nanos(n) + Duration::nanoseconds(p.nanos as i64), 0));
        }
        let key = Parts { nanos: 0, ..*p };
        if self.key != Some(key) {
            self.base = self.resolve_second(&key)?;
            self.key = Some(key);
        }
        Some((self.base.0 + Duration::nanoseconds(p.nanos as i64), self.base.1))
    }

    fn resolve_second(&self, p: &Parts) -> Option<(Instant, u8)> {
        // A leap second (`:60`) is read as the last second of the minute.
        let time = NaiveTime::from_hms_opt(p.hour, p.min, p.sec.min(59))?;
        let local = match p.year {
            Some(y) => NaiveDate::from_ymd_opt(y, p.month, p.day)?.and_time(time),
            // A time of day alone (no date written at all).
            None if p.month == 0 && p.day == 0 => self.years.complete_time(time),
            None => self.years.complete(p.month, p.day, time)?,
        };
        match p.offset {
            Some(off) => Some((Utc.from_utc_datetime(&(local - Duration::seconds(off as i64))), 0)),
            None => Some(self.zone.to_utc(local)),
        }
    }
}
