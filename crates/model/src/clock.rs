//! Per-source clock offsets: a host whose clock is off by 40 s puts its
//! records 40 s away from the moment they happened.
//!
//! An offset is the analyst's correction of one source's clock, in
//! milliseconds added to every instant the source's files state. It is
//! applied where the records are read ([`ClockShift`] wraps the sink a
//! parser writes into), so counts, onset, the timeline and search all see
//! the corrected instants; the case stores it with the source, and
//! [`ClockSuggestion`]s are what the analysis proposes and never applies.

use crate::analysis::Citation;
use crate::event::{Alert, Change, Instant, LogRecord, SupportMessage, Unparsed};
use crate::sink::{EventSink, SinkError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The largest offset accepted: a clock off by more than a week is a wrong
/// date or zone, which `--tz` and the source's zone correct.
pub const MAX_OFFSET_MS: i64 = 7 * 24 * 3600 * 1000;

/// Reads an offset as an analyst writes it: `+40s`, `-1m30s`, `+2h`,
/// `-250ms`, `+1.5s`, `0` (no sign means later). Units: `d`, `h`, `m`/`min`,
/// `s`, `ms`; parts in any order add up.
pub fn parse_offset(s: &str) -> Result<i64, String> {
    let text = s.trim();
    let bad = || format!("{s:?} is not a clock offset like +40s, -1m30s, +2h or 0");
    let (sign, body) = match text.as_bytes().first() {
        Some(b'+') => (1i64, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        Some(_) => (1, text),
        None => return Err(bad()),
    };
    let body = body.trim();
    if body.is_empty() {
        return Err(bad());
    }
    if body == "0" {
        return Ok(0);
    }
    let mut total_ms: f64 = 0.0;
    let mut rest = body;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit_ms = match rest[..unit_len].to_ascii_lowercase().as_str() {
            "d" => 86_400_000.0,
            "h" => 3_600_000.0,
            "m" | "min" => 60_000.0,
            "s" | "sec" => 1000.0,
            "ms" => 1.0,
            _ => return Err(bad()),
        };
        rest = rest[unit_len..].trim_start();
        total_ms += value * unit_ms;
    }
    if !total_ms.is_finite() || total_ms.abs() > MAX_OFFSET_MS as f64 {
        return Err(format!(
            "{s:?} is more than a week: a clock that far off is a wrong date or zone (correct the source's zone instead)"
        ));
    }
    Ok(sign * total_ms.round() as i64)
}

/// Writes an offset the way [`parse_offset`] reads it: `+40s`, `-1m30s`,
/// `+2h`, `+1.5s`, `0s`.
pub fn format_offset(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let sign = if ms < 0 { '-' } else { '+' };
    let mut left = ms.unsigned_abs();
    let mut out = String::from(sign);
    for (unit, size) in [("d", 86_400_000u64), ("h", 3_600_000), ("m", 60_000)] {
        if left >= size {
            out.push_str(&format!("{}{unit}", left / size));
            left %= size;
        }
    }
    if left > 0 {
        let (s, frac) = (left / 1000, left % 1000);
        if frac == 0 {
            out.push_str(&format!("{s}s"));
        } else {
            let f = format!("{frac:03}");
            out.push_str(&format!("{s}.{}s", f.trim_end_matches('0')));
        }
    }
    out
}

/// A sink that moves every instant it is given by a source's clock offset
/// before handing it on: records, changes (with their requested, started
/// and finished moments), messages, and alerts with their acknowledgement
/// and resolution.
#[derive(Debug)]
pub struct ClockShift<S> {
    inner: S,
    by: chrono::TimeDelta,
}

impl<S> ClockShift<S> {
    /// Moves what `inner` receives by `offset_ms` (0 hands everything on unchanged).
    pub fn new(inner: S, offset_ms: i64) -> Self {
        ClockShift { inner, by: chrono::TimeDelta::milliseconds(offset_ms) }
    }

    /// The wrapped sink.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// The wrapped sink, borrowed.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn at(&self, t: Instant) -> Instant {
        // Only an instant near the end of the representable range cannot move.
        t.checked_add_signed(self.by).unwrap_or(t)
    }
}

impl<S: EventSink> EventSink for ClockShift<S> {
    fn record(&mut self, record: &LogRecord<'_>) -> Result<bool, SinkError> {
        if self.by.is_zero() {
            return self.inner.record(record);
        }
        let mut moved = *record;
        moved.time = self.at(record.time);
        self.inner.record(&moved)
    }

    fn change(&mut self, mut change: Change) -> Result<bool, SinkError> {
        change.time = self.at(change.time);
        change.requested = change.requested.map(|t| self.at(t));
        change.started = change.started.map(|t| self.at(t));
        change.finished = change.finished.map(|t| self.at(t));
        self.inner.change(change)
    }

    fn message(&mut self, mut message: SupportMessage) -> Result<bool, SinkError> {
        message.time = self.at(message.time);
        self.inner.message(message)
    }

    fn alert(&mut self, mut alert: Alert) -> Result<bool, SinkError> {
        alert.time = self.at(alert.time);
        alert.acknowledged = alert.acknowledged.map(|t| self.at(t));
        alert.resolved = alert.resolved.map(|t| self.at(t));
        self.inner.alert(alert)
    }

    fn unparsed(&mut self, line: &Unparsed<'_>) -> Result<bool, SinkError> {
        self.inner.unparsed(line)
    }

    fn progress(&mut self, bytes_read: u64) -> Result<bool, SinkError> {
        self.inner.progress(bytes_read)
    }

    fn whole_stream(&mut self) {
        self.inner.whole_stream()
    }
}

/// How a [`ClockSuggestion`] was estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClockMethod {
    /// The same request ids (trace ids, correlation ids) recorded by both
    /// sources: each id is one matched pair, its shift the difference of
    /// the two sources' first record of it.
    RequestIds,
    /// The same error burst in both sources: the instants by which 5 %, 10 %,
    /// … 95 % of each source's incident errors had happened are the matched
    /// pairs.
    ErrorBursts,
}

/// An offset the analysis proposes for a source whose records keep a
/// constant distance from another source's records of the same events.
/// Never applied by the analysis: the analyst sets it (`--offset`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClockSuggestion {
    /// The source whose clock seems off (its path).
    pub source: String,
    /// The source it was compared with, taken as the right clock.
    pub reference: String,
    /// The offset to give `source`: its current one corrected by the shift
    /// found (what `--offset SOURCE=…` would set).
    pub offset_ms: i64,
    /// The offset `source` has now.
    pub current_offset_ms: i64,
    /// How the shift was estimated.
    pub method: ClockMethod,
    /// Matched pairs it rests on (shared ids, or burst quantiles).
    pub pairs: u64,
    /// `source`'s time minus `reference`'s time, the median over the pairs.
    pub median_shift_ms: i64,
    /// How much the pairs disagree: the median absolute deviation of their shifts.
    pub spread_ms: i64,
    /// One matched pair: for request ids the id itself, else `None`.
    pub example_id: Option<String>,
    /// The records of that pair (the reference's, then the source's).
    pub citations: Vec<Citation>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Span;
    use crate::sink::CollectingSink;

    #[test]
    fn offsets_read_as_analysts_write_them() {
        assert_eq!(parse_offset("+40s"), Ok(40_000));
        assert_eq!(parse_offset("-1m30s"), Ok(-90_000));
        assert_eq!(parse_offset("+2h"), Ok(7_200_000));
        assert_eq!(parse_offset("40s"), Ok(40_000));
        assert_eq!(parse_offset("-250ms"), Ok(-250));
        assert_eq!(parse_offset("+1.5s"), Ok(1500));
        assert_eq!(parse_offset("0"), Ok(0));
        assert_eq!(parse_offset("-0s"), Ok(0));
        assert_eq!(parse_offset("+1h 2m"), Ok(3_720_000));
        for bad in ["", "+", "forty", "+40x", "s", "+8d", "--4s", "+1e3s"] {
            assert!(parse_offset(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn offsets_are_written_back_the_way_they_are_read() {
        for ms in [0, 40_000, -90_000, 7_200_000, -250, 1500, 3_723_004, 86_400_000] {
            assert_eq!(parse_offset(&format_offset(ms)), Ok(ms), "{}", format_offset(ms));
        }
        assert_eq!(format_offset(-90_000), "-1m30s");
        assert_eq!(format_offset(1500), "+1.5s");
    }

    #[test]
    fn every_instant_of_a_source_moves_by_its_offset() {
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap_or_default();
        let mut sink = ClockShift::new(CollectingSink::default(), 40_000);
        let record = LogRecord {
            time: at(1000),
            span: Span::default(),
            level: None,
            http: None,
            host: None,
            service: None,
            message: "m",
            text: "m",
            flags: 0,
        };
        assert_eq!(sink.record(&record).ok(), Some(true));
        let mut change = Change::new("c1", at(2000), "deploy");
        change.started = Some(at(1990));
        change.finished = Some(at(2000));
        assert_eq!(sink.change(change).ok(), Some(true));
        let alert = Alert {
            time: at(3000),
            acknowledged: Some(at(3060)),
            resolved: None,
            title: "down".into(),
            service: None,
            severity: None,
            status: None,
            description: None,
            responder: None,
            file: None,
            span: Span::default(),
        };
        assert_eq!(sink.alert(alert).ok(), Some(true));
        let got = sink.into_inner();
        assert_eq!(got.records[0].time, at(1040));
        assert_eq!((got.changes[0].time, got.changes[0].started), (at(2040), Some(at(2030))));
        assert_eq!((got.alerts[0].time, got.alerts[0].acknowledged), (at(3040), Some(at(3100))));
    }
}
