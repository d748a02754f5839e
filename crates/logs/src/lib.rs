//! Line-oriented log formats: detection, parsing, multi-line records, gzip and rotated sets.
//!
//! The engine calls [`read_sample`] + [`detect`] to learn a file's format from
//! its content, then [`open`] + [`parse`] to push every record into an
//! [`EventSink`]. Records borrow a reused line buffer, so parsing allocates
//! nothing per line for the text formats.
#![deny(missing_docs)]

mod access;
mod cri;
mod detect;
mod input;
mod json;
mod level;
mod logfmt;
mod rotate;
mod syslog;
mod text;
mod ts;

pub use detect::detect;
pub use input::{open, read_sample, SAMPLE_BYTES};
pub use rotate::rotation_sets;

use faultline_model::time::Zone;
use faultline_model::{flags, EventSink, Instant, LogRecord, SinkError, Unparsed};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// How to read a log.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// The zone zone-less timestamps are read in.
    pub zone: Zone,
    /// The file's mtime in the source zone, for formats without a year; `None` = now.
    pub year_reference: Option<chrono::NaiveDateTime>,
    /// Records longer than this keep their start and are flagged [`flags::TRUNCATED`].
    pub max_record_bytes: usize,
}

impl Default for LogOptions {
    /// The machine's zone (what `--tz` defaults to), years relative to now, 1 MiB records.
    fn default() -> Self {
        LogOptions { zone: Zone::local(), year_reference: None, max_record_bytes: 1 << 20 }
    }
}

/// What a file's lines look like, as [`detect`] learned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    NginxCombined,
    AccessCommon,
    NginxError,
    ApacheError,
    Syslog3164,
    Syslog5424,
    JsonLines,
    Journald,
    Logfmt,
    Cri,
    Gunicorn,
    AppLog,
    Generic,
}

/// A detected log format, with what detection learned about its layout
/// (for `app-log` / `generic`: the timestamp layout, the column it sits in,
/// and where a one-letter level sits).
#[derive(Clone, Debug, PartialEq)]
pub struct LogFormat {
    pub(crate) kind: Kind,
    pub(crate) layout: ts::Layout,
    /// Whitespace-separated tokens before the timestamp.
    pub(crate) column: u8,
    /// Token (after the timestamp) that holds a one-letter level (`D`, `E`), when learned.
    pub(crate) letter_level: Option<u8>,
}

impl LogFormat {
    pub(crate) fn of(kind: Kind) -> Self {
        LogFormat { kind, layout: ts::Layout::Iso, column: 0, letter_level: None }
    }

    /// The stable format name shown to users and stored in the case.
    pub fn name(&self) -> &str {
        match self.kind {
            Kind::NginxCombined => "nginx-combined",
            Kind::AccessCommon => "access-common",
            Kind::NginxError => "nginx-error",
            Kind::ApacheError => "apache-error",
            Kind::Syslog3164 => "syslog-rfc3164",
            Kind::Syslog5424 => "syslog-rfc5424",
            Kind::JsonLines => "json-lines",
            Kind::Journald => "journald-json",
            Kind::Logfmt => "logfmt",
            Kind::Cri => "cri",
            Kind::Gunicorn => "gunicorn",
            Kind::AppLog => "app-log",
            Kind::Generic => "generic",
        }
    }

    /// Its timestamps carry no year (RFC 3164 syslog, logcat), so years are
    /// inferred from the file's modification time.
    pub fn infers_year(&self) -> bool {
        self.kind == Kind::Syslog3164 || matches!(self.layout, ts::Layout::Syslog | ts::Layout::MonthDay)
    }

    /// Looks a format up by its [`LogFormat::name`] (for a user who forces a format).
    /// `app-log` and `generic` get the ISO layout at the start of the line.
    pub fn from_name(name: &str) -> Option<LogFormat> {
        let kind = match name {
            "nginx-combined" => Kind::NginxCombined,
            "access-common" => Kind::AccessCommon,
            "nginx-error" => Kind::NginxError,
            "apache-error" => Kind::ApacheError,
            "syslog-rfc3164" => Kind::Syslog3164,
            "syslog-rfc5424" => Kind::Syslog5424,
            "json-lines" => Kind::JsonLines,
            "journald-json" => Kind::Journald,
            "logfmt" => Kind::Logfmt,
            "cri" => Kind::Cri,
            "gunicorn" => Kind::Gunicorn,
            "app-log" => Kind::AppLog,
            "generic" => Kind::Generic,
            _ => return None,
        };
        Some(LogFormat::of(kind))
    }
}

/// What reading one log produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogSummary {
    /// Records passed to the sink (a traceback is part of one record).
    pub records: u64,
    /// Lines passed to the sink as [`Unparsed`].
    pub unparsed: u64,
    /// Earliest record time.
    pub first: Option<Instant>,
    /// Latest record time.
    pub last: Option<Instant>,
    /// Bytes of (decompressed) input consumed.
    pub bytes: u64,
    /// Records cut at `max_record_bytes`.
    pub truncated: u64,
    /// Records whose local time fell in a DST gap (moved forward).
    pub dst_gap: u64,
    /// Records whose local time was ambiguous (DST fall-back; earlier instant taken).
    pub dst_ambiguous: u64,
    /// Records earlier than the record before them.
    pub out_of_order: u64,
    /// The sink asked to stop before the end of the input.
    pub stopped: bool,
}

/// Why a log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Reading the stream failed (a truncated gzip member, an I/O error).
    #[error("read error at line {line}: {source}")]
    Read {
        /// The line being read when it failed (1-based).
        line: u64,
        /// The cause.
        source: std::io::Error,
    },
    /// The sink failed.
    #[error("{0}")]
    Sink(#[from] SinkError),
}

impl LogError {
    fn open(path: &Path, source: std::io::Error) -> Self {
        LogError::Open { path: path.to_path_buf(), source }
    }
}

/// Where parsed records go: counts them, sets ordering flags and forwards them.
pub(crate) struct Out<'s> {
    sink: &'s mut dyn EventSink,
    sum: LogSummary,
    prev: Option<Instant>,
}

impl Out<'_> {
    /// Sends a record; `Ok(false)` when the sink asks to stop.
    pub(crate) fn record(&mut self, rec: &mut LogRecord<'_>) -> Result<bool, LogError> {
        if let Some(prev) = self.prev {
            if rec.time < prev {
                rec.flags |= flags::OUT_OF_ORDER;
                self.sum.out_of_order += 1;
                if prev - rec.time > chrono::Duration::days(1) {
                    rec.flags |= flags::CLOCK_JUMP;
                }
            }
        }
        self.prev = Some(rec.time);
        let s = &mut self.sum;
        s.records += 1;
        s.first = Some(s.first.map_or(rec.time, |f| f.min(rec.time)));
        s.last = Some(s.last.map_or(rec.time, |l| l.max(rec.time)));
        if rec.flags & flags::TRUNCATED != 0 {
            s.truncated += 1;
        }
        if rec.flags & flags::DST_GAP != 0 {
            s.dst_gap += 1;
        }
        if rec.flags & flags::DST_AMBIGUOUS != 0 {
            s.dst_ambiguous += 1;
        }
        Ok(self.sink.record(rec)?)
    }

    /// Sends a line that is not a record.
    pub(crate) fn unparsed(&mut self, line: &input::LineInfo, text: &[u8], reason: &'static str) -> Result<bool, LogError> {
        self.sum.unparsed += 1;
        let text = &text[..text.len().min(4096)];
        Ok(self.sink.unparsed(&Unparsed { line: line.no, offset: line.offset, text, reason })?)
    }
}

/// Reason given for a line without a readable time.
pub(crate) const NO_TIMESTAMP: &str = "no timestamp";

/// A format's line handler. `line` gets every line (possibly empty) and
/// returns `Ok(false)` when the sink asked to stop.
pub(crate) trait LineParser {
    fn line(&mut self, info: &input::LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError>;
    /// Flushes a record still being assembled.
    fn finish(&mut self, _out: &mut Out<'_>) -> Result<bool, LogError> {
        Ok(true)
    }
}

/// Reads every line of `reader` as `format` and pushes records and unparsed
/// lines into `sink`. Stops early (with `stopped` set) when the sink returns `false`.
pub fn parse(
    reader: impl BufRead,
    format: &LogFormat,
    opts: &LogOptions,
    sink: &mut dyn EventSink,
) -> Result<LogSummary, LogError> {
    let resolver = ts::Resolver::new(opts.zone, opts.year_reference);
    let cap = opts.max_record_bytes.max(64);
    let mut parser: Box<dyn LineParser> = match format.kind {
        Kind::NginxCombined | Kind::AccessCommon => Box::new(access::AccessParser::new(resolver)),
        Kind::Syslog3164 | Kind::Syslog5424 => Box::new(syslog::SyslogParser::new(resolver)),
        Kind::JsonLines | Kind::Journald => Box::new(json::JsonParser::new(opts.zone)),
        Kind::Logfmt => Box::new(logfmt::LogfmtParser::new(opts.zone, resolver)),
        Kind::Cri => Box::new(cri::CriParser::new(resolver, cap)),
        Kind::NginxError | Kind::ApacheError | Kind::Gunicorn | Kind::AppLog | Kind::Generic => {
            Box::new(text::TextParser::new(format.clone(), resolver, cap))
        }
    };
    let mut out = Out { sink, sum: LogSummary::default(), prev: None };
    let mut lines = input::Lines::new(reader, cap);
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut scratch = String::new();
    const PROGRESS_EVERY: u64 = 1 << 20;
    let mut next_progress = PROGRESS_EVERY;
    let mut go = true;
    loop {
        let info = match lines.next(&mut buf) {
            Ok(Some(info)) => info,
            Ok(None) => break,
            Err(source) => return Err(LogError::Read { line: lines.no + 1, source }),
        };
        let text = input::lossy(&buf, &mut scratch);
        if !parser.line(&info, &buf, text, &mut out)? {
            go = false;
            break;
        }
        if lines.pos >= next_progress {
            next_progress = lines.pos + PROGRESS_EVERY;
            if !out.sink.progress(lines.pos)? {
                go = false;
                break;
            }
        }
    }
    if go && !parser.finish(&mut out)? {
        go = false;
    }
    if go {
        go = out.sink.progress(lines.pos)?;
    }
    out.sum.bytes = lines.pos;
    out.sum.stopped = !go;
    Ok(out.sum)
}

/// Parses an in-memory log (tests, small inputs).
#[cfg(test)]
pub(crate) fn parse_str(
    data: &str,
    format: &LogFormat,
    opts: &LogOptions,
) -> (LogSummary, faultline_model::CollectingSink) {
    let mut sink = faultline_model::CollectingSink::default();
    let sum = match parse(data.as_bytes(), format, opts, &mut sink) {
        Ok(s) => s,
        Err(e) => panic!("parse failed: {e}"),
    };
    (sum, sink)
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use chrono::{DateTime, NaiveDate, Utc};

    pub fn utc(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    pub fn opts() -> LogOptions {
        LogOptions {
            zone: Zone::Utc,
            year_reference: Some(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()),
            max_record_bytes: 1 << 20,
        }
    }

    /// Detects `data`'s format, checks its name, parses it.
    pub fn run(data: &str, want_format: &str, opts: &LogOptions) -> (LogSummary, faultline_model::CollectingSink) {
        let format = detect(data.as_bytes()).unwrap_or_else(|| panic!("no format detected for {data:?}"));
        assert_eq!(format.name(), want_format, "detected format");
        parse_str(data, &format, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;
    use faultline_model::CollectingSink;

    struct StopAfter(u64, CollectingSink);
    impl EventSink for StopAfter {
        fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
            self.1.record(r)?;
            Ok(self.1.records.len() < self.0 as usize)
        }
    }

    #[test]
    fn a_sink_that_returns_false_stops_the_parse() {
        let data = "2026-11-24 08:27:01 INFO a\n2026-11-24 08:27:02 INFO b\n2026-11-24 08:27:03 INFO c\n";
        let format = detect(data.as_bytes()).unwrap();
        let mut sink = StopAfter(1, CollectingSink::default());
        let sum = parse(data.as_bytes(), &format, &opts(), &mut sink).unwrap();
        assert!(sum.stopped);
        assert_eq!(sink.1.records.len(), 1);
    }

    #[test]
    fn out_of_order_records_are_flagged_and_counted() {
        let data = "2026-11-24 08:27:05 INFO a\n2026-11-24 08:27:02 INFO b\n2026-11-24 08:27:06 INFO c\n";
        let (sum, sink) = run(data, "app-log", &opts());
        assert_eq!(sum.out_of_order, 1);
        assert_eq!(sink.records[1].flags & flags::OUT_OF_ORDER, flags::OUT_OF_ORDER);
        assert_eq!(sum.first, Some(utc("2026-11-24T08:27:02Z")));
        assert_eq!(sum.last, Some(utc("2026-11-24T08:27:06Z")));
        assert_eq!(sum.bytes, data.len() as u64);
    }

    #[test]
    fn bom_and_invalid_utf8_are_tolerated() {
        let mut data = b"\xEF\xBB\xBF2026-11-24 08:27:03 ERROR caf\xE9 down\n".to_vec();
        data.extend_from_slice(b"2026-11-24 08:27:04 INFO ok\n");
        let format = detect(&data).unwrap();
        assert_eq!(format.name(), "app-log");
        let mut sink = CollectingSink::default();
        let sum = parse(&data[..], &format, &opts(), &mut sink).unwrap();
        assert_eq!(sum.records, 2);
        assert_eq!(sink.records[0].span.offset, 3);
        assert_eq!(sink.records[0].message, "caf\u{fffd} down");
        assert_eq!(sink.records[0].time, utc("2026-11-24T08:27:03Z"));
        assert_eq!(sink.records[1].span.offset, 3 + 36);
    }

    #[test]
    fn progress_is_reported_about_every_mebibyte() {
        struct Progress(Vec<u64>);
        impl EventSink for Progress {
            fn record(&mut self, _: &LogRecord<'_>) -> Result<bool, SinkError> {
                Ok(true)
            }
            fn progress(&mut self, bytes: u64) -> Result<bool, SinkError> {
                self.0.push(bytes);
                Ok(true)
            }
        }
        let data = "2026-11-24 08:27:03 INFO a fairly ordinary log line of some length\n".repeat(50_000);
        let mut sink = Progress(Vec::new());
        let sum = parse(data.as_bytes(), &detect(data.as_bytes()).unwrap(), &opts(), &mut sink).unwrap();
        assert_eq!(sum.records, 50_000);
        assert!(sink.0.len() >= 3 && sink.0.windows(2).all(|w| w[0] < w[1]), "{:?}", sink.0);
        assert_eq!(sink.0.last(), Some(&(data.len() as u64)));
    }

    #[test]
    fn every_format_name_round_trips() {
        for name in [
            "nginx-combined", "access-common", "nginx-error", "apache-error", "syslog-rfc3164", "syslog-rfc5424",
            "json-lines", "journald-json", "logfmt", "cri", "gunicorn", "app-log", "generic",
        ] {
            assert_eq!(LogFormat::from_name(name).unwrap().name(), name);
        }
        assert!(LogFormat::from_name("csv").is_none());
    }

    #[test]
    fn a_corrupt_gzip_stream_is_a_read_error() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all("2026-11-24 08:27:01 INFO a\n".repeat(1000).as_bytes()).unwrap();
        let mut gz = enc.finish().unwrap();
        gz.truncate(gz.len() / 2);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.gz");
        std::fs::write(&path, gz).unwrap();
        let reader = open(&path).unwrap();
        let mut sink = CollectingSink::default();
        let err = parse(reader, &LogFormat::from_name("app-log").unwrap(), &opts(), &mut sink);
        assert!(matches!(err, Err(LogError::Read { .. })), "{err:?}");
    }
}
