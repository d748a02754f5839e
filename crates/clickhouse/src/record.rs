//! Turning a row of the notable-records query into log records.
//!
//! The columns say when, what level, which status, service and host; the
//! message column says the rest. When it holds whole log lines in a layout
//! Faultline reads (an access log line, a Python log record with its
//! traceback), each is read by the same parser a file of them would be, so
//! the request, client and logger come out as they would from the file; a
//! plain message body (OpenTelemetry's `Body`) is the record's text as it is.

use crate::client::{Client, Error};
use crate::fetch::StoreSink;
use faultline_model::{flags, CollectingSink, HttpRequest, LogRecord, OwnedRecord, Span};
use std::collections::{BTreeMap, HashMap};

/// Fields of a notable-records row (see [`crate::sql::Sql::notable_page`]).
pub const GROUP_FIELDS: usize = 18;

/// One group of alike notable records of one second.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// Hash of what the group's records share.
    pub group_key: u64,
    /// How many records.
    pub n: u64,
    /// The first record's microsecond and row key.
    pub first_us: i64,
    /// See `first_us`.
    pub first_key: u64,
    /// The last record's microsecond and row key.
    pub last_us: i64,
    /// See `last_us`.
    pub last_key: u64,
    /// Service ('' when unmapped).
    pub service: String,
    /// Host.
    pub host: String,
    /// Level class (0 = none).
    pub level: u8,
    /// Status (0 = none).
    pub status: u16,
    /// Client.
    pub client: String,
    /// Method.
    pub method: String,
    /// The first record's path.
    pub path: String,
    /// The first record's user agent.
    pub user_agent: String,
    /// The first record's message length (before the fetch cap).
    pub body_len: u64,
    /// The first record's message (capped).
    pub body: String,
    /// The last record's message, when it is another record.
    pub last_body: String,
}

impl GroupRow {
    /// Reads a row of [`GROUP_FIELDS`] fields.
    pub fn read(client: &Client, r: &[String]) -> Result<GroupRow, Error> {
        let num = |i: usize, what: &str| -> Result<u64, Error> {
            r.get(i)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| client.bad_answer(format!("notable records: {what} is not a number")))
        };
        let int = |i: usize, what: &str| -> Result<i64, Error> {
            r.get(i)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| client.bad_answer(format!("notable records: {what} is not a number")))
        };
        let text = |i: usize| r.get(i).cloned().unwrap_or_default();
        Ok(GroupRow {
            group_key: num(1, "group")?,
            n: num(2, "count")?,
            first_us: int(3, "first time")?,
            first_key: num(4, "first key")?,
            last_us: int(5, "last time")?,
            last_key: num(6, "last key")?,
            service: text(7),
            host: text(8),
            level: u8::try_from(num(9, "level")?).unwrap_or(0),
            status: u16::try_from(num(10, "status")?).unwrap_or(0),
            client: text(11),
            method: text(12),
            path: text(13),
            user_agent: text(14),
            body_len: num(15, "length")?,
            body: text(16),
            last_body: text(17),
        })
    }
}

/// Records of a service held until its message layout is known.
const DETECT_FROM: usize = 8;

/// Reads message bodies per service, with the layout learned from the first few.
#[derive(Default)]
pub struct Bodies {
    formats: HashMap<String, Option<faultline_logs::LogFormat>>,
    waiting: HashMap<String, Vec<GroupRow>>,
}

impl Bodies {
    /// Takes a group row of `service` (its name as a source), handing its records on once the layout is known.
    pub fn push(&mut self, service: &str, row: GroupRow, sink: &mut dyn StoreSink) -> Result<(), String> {
        if let Some(format) = self.formats.get(service) {
            return emit(service, &row, format.as_ref(), sink);
        }
        let waiting = self.waiting.entry(service.to_string()).or_default();
        waiting.push(row);
        if waiting.len() >= DETECT_FROM {
            self.settle(service, sink)?;
        }
        Ok(())
    }

    fn settle(&mut self, service: &str, sink: &mut dyn StoreSink) -> Result<(), String> {
        let rows = self.waiting.remove(service).unwrap_or_default();
        let mut sample = Vec::new();
        for r in &rows {
            sample.extend_from_slice(r.body.lines().next().unwrap_or("").as_bytes());
            sample.push(b'\n');
        }
        let format = faultline_logs::detect(&sample);
        for r in &rows {
            emit(service, r, format.as_ref(), sink)?;
        }
        self.formats.insert(service.to_string(), format);
        Ok(())
    }

    /// Hands on what is still held (services with fewer than a handful of records).
    pub fn finish(&mut self, sink: &mut dyn StoreSink) -> Result<(), String> {
        let mut services: Vec<String> = self.waiting.keys().cloned().collect();
        services.sort();
        for s in services {
            self.settle(&s, sink)?;
        }
        Ok(())
    }

    /// Per service, the layout its messages were read as (`message` for plain bodies).
    pub fn formats(&self) -> BTreeMap<String, String> {
        self.formats
            .iter()
            .map(|(s, f)| (s.clone(), f.as_ref().map_or("message".to_string(), |f| f.name().to_string())))
            .collect()
    }
}

/// The record of one message, read with `format` when it parses as exactly one record.
fn parse(body: &str, format: Option<&faultline_logs::LogFormat>) -> Option<OwnedRecord> {
    let format = format?;
    let mut sink = CollectingSink::default();
    let opts = faultline_logs::LogOptions { zone: faultline_model::time::Zone::Utc, ..Default::default() };
    let mut bytes = body.as_bytes().to_vec();
    bytes.push(b'\n');
    faultline_logs::parse(std::io::Cursor::new(bytes), format, &opts, &mut sink).ok()?;
    if sink.records.len() != 1 || !sink.unparsed.is_empty() {
        return None;
    }
    sink.records.pop()
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Hands the group's first record (standing for all but the last) and its last record to `sink`.
fn emit(
    service: &str,
    row: &GroupRow,
    format: Option<&faultline_logs::LogFormat>,
    sink: &mut dyn StoreSink,
) -> Result<(), String> {
    let n = u32::try_from(row.n).unwrap_or(u32::MAX).max(1);
    let two = n > 1 && !row.last_body.is_empty();
    let first_repeat = if two { n - 1 } else { n };
    one(service, row, &row.body, row.first_us, row.first_key, first_repeat, format, sink)?;
    if two {
        one(service, row, &row.last_body, row.last_us, row.last_key, 1, format, sink)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn one(
    service: &str,
    row: &GroupRow,
    body: &str,
    us: i64,
    key: u64,
    repeat: u32,
    format: Option<&faultline_logs::LogFormat>,
    sink: &mut dyn StoreSink,
) -> Result<(), String> {
    let parsed = parse(body, format);
    let p = parsed.as_ref();
    let time = chrono::DateTime::from_timestamp_micros(us).unwrap_or_default();
    let level = crate::level_of_class(row.level).or(p.and_then(|p| p.level));
    let status = if row.status > 0 { Some(row.status) } else { p.and_then(|p| p.status) };
    let http = status.map(|status| HttpRequest {
        status,
        method: non_empty(&row.method).or(p.and_then(|p| p.method.as_deref())),
        path: non_empty(&row.path).or(p.and_then(|p| p.path.as_deref())),
        client: non_empty(&row.client).or(p.and_then(|p| p.client.as_deref())),
        user_agent: non_empty(&row.user_agent).or(p.and_then(|p| p.user_agent.as_deref())),
        ..Default::default()
    });
    let first_line = body.lines().next().unwrap_or("");
    let truncated = body.len() as u64 >= crate::sql::MESSAGE_CAP as u64 && row.body_len > body.len() as u64;
    let record = LogRecord {
        time,
        span: Span { line: 0, offset: key, len: body.len() as u64, lines: body.lines().count().max(1) as u32 },
        level,
        http,
        host: non_empty(&row.host).or(p.and_then(|p| p.host.as_deref())),
        service: p.and_then(|p| p.service.as_deref()).or(non_empty(service)),
        message: p.map_or(first_line, |p| p.message.as_str()),
        text: p.map_or(body, |p| p.text.as_str()),
        flags: if truncated { flags::TRUNCATED } else { 0 },
    };
    // The query's filter is a superset; the case's own rule decides.
    if !faultline_model::is_notable(&record) {
        return Ok(());
    }
    sink.record(service, &record, repeat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::BucketCounts;

    #[derive(Default)]
    struct Kept(Vec<(String, OwnedRecord, u32)>);

    impl StoreSink for Kept {
        fn counts(&mut self, _: &str, _: &BucketCounts) -> Result<(), String> {
            Ok(())
        }
        fn record(&mut self, service: &str, r: &LogRecord<'_>, repeat: u32) -> Result<(), String> {
            self.0.push((service.to_string(), r.into(), repeat));
            Ok(())
        }
    }

    fn row(n: u64, status: u16, level: u8, body: &str, last: &str) -> GroupRow {
        GroupRow {
            group_key: 1,
            n,
            first_us: 1_763_367_224_000_000,
            first_key: 11,
            last_us: 1_763_367_224_900_000,
            last_key: 12,
            service: "nginx".into(),
            host: String::new(),
            level,
            status,
            client: String::new(),
            method: String::new(),
            path: String::new(),
            user_agent: String::new(),
            body_len: body.len() as u64,
            body: body.into(),
            last_body: last.into(),
        }
    }

    const LINE: &str =
        r#"93.184.216.34 - - [17/Nov/2026:11:27:04 +0300] "POST /login HTTP/1.1" 500 1234 "-" "Mozilla/5.0" 0.012"#;

    #[test]
    fn access_lines_in_the_message_column_are_read_as_requests_and_a_flood_is_two_records() {
        let mut kept = Kept::default();
        let mut bodies = Bodies::default();
        bodies.push("nginx", row(40, 500, 6, LINE, &LINE.replace(" 1234 ", " 987 ")), &mut kept).unwrap();
        bodies.finish(&mut kept).unwrap();
        assert_eq!(bodies.formats().get("nginx").map(String::as_str), Some("nginx-combined"));
        assert_eq!(kept.0.len(), 2);
        let (svc, first, repeat) = &kept.0[0];
        assert_eq!((svc.as_str(), *repeat), ("nginx", 39));
        assert_eq!(first.status, Some(500));
        assert_eq!(first.method.as_deref(), Some("POST"));
        assert_eq!(first.path.as_deref(), Some("/login"));
        assert_eq!(first.client.as_deref(), Some("93.184.216.34"));
        assert_eq!(first.time.timestamp_micros(), 1_763_367_224_000_000, "the column's time, not the line's");
        assert_eq!((first.span.offset, first.span.line), (11, 0), "cited by row key, not by line");
        let (_, last, repeat) = &kept.0[1];
        assert_eq!((*repeat, last.span.offset, last.time.timestamp_subsec_micros()), (1, 12, 900_000));
    }

    #[test]
    fn a_plain_body_is_the_record_and_the_service_names_it() {
        let mut kept = Kept::default();
        let mut bodies = Bodies::default();
        let body = "Exception on /login [POST]\nTraceback (most recent call last):\n  File \"/srv/app.py\", line 3\nImportError: cannot import name 'X'";
        bodies.push("portal", row(1, 0, 6, body, ""), &mut kept).unwrap();
        // Below the level of the case (info, no lifecycle words): dropped.
        bodies.push("portal", row(1, 0, 3, "user logged in", ""), &mut kept).unwrap();
        bodies.finish(&mut kept).unwrap();
        assert_eq!(kept.0.len(), 1);
        let (_, r, repeat) = &kept.0[0];
        assert_eq!(*repeat, 1);
        assert_eq!(r.message, "Exception on /login [POST]");
        assert_eq!(r.text, body);
        assert_eq!(r.service.as_deref(), Some("portal"));
        assert_eq!(r.level, Some(faultline_model::Level::Error));
        assert_eq!(r.span.lines, 4);
    }
}
