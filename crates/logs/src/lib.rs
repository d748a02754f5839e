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
mod format;
pub mod formats;
mod input;
mod json;
mod level;
mod logfmt;
mod parallel;
mod rotate;
mod syslog;
mod text;
mod ts;
mod w3c;
mod window;

pub use detect::{detect, detect_with};
pub use faultline_input::SAMPLE_BYTES;
pub use format::{LogFormat, NATIVE_FORMATS};
pub use input::{open, read_sample};
pub use parallel::{parse_parallel, parse_range};
pub use rotate::rotation_sets;
pub use window::window_start;

use faultline_input::Decoded;
use format::Kind;

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
    /// Time of the first record in file order (a chunk's join with the one before it).
    head: Option<Instant>,
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
        if self.prev.is_none() {
            self.head = Some(rec.time);
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
    pub(crate) fn unparsed(
        &mut self,
        line: &input::LineInfo,
        text: &[u8],
        reason: &'static str,
    ) -> Result<bool, LogError> {
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
    parse_from(Decoded::new(reader), format, opts, sink, 0, 0).map(|(sum, _, _)| sum)
}

/// [`parse`] of a stream that starts at byte `pos` and after line `no` of the
/// file (a chunk of it). Returns the summary and the times of the first and
/// last records in file order, so chunks can be joined exactly.
fn parse_from(
    reader: impl BufRead,
    format: &LogFormat,
    opts: &LogOptions,
    sink: &mut dyn EventSink,
    pos: u64,
    no: u64,
) -> Result<(LogSummary, Option<Instant>, Option<Instant>), LogError> {
    let resolver = ts::Resolver::new(opts.zone, opts.year_reference);
    let cap = opts.max_record_bytes.max(64);
    let mut parser: Box<dyn LineParser> = match format.kind {
        Kind::NginxCombined | Kind::AccessCommon => Box::new(access::AccessParser::new(resolver)),
        Kind::Syslog3164 | Kind::Syslog5424 => Box::new(syslog::SyslogParser::new(resolver, format.column)),
        Kind::JsonLines | Kind::Journald => Box::new(json::JsonParser::new(opts.zone)),
        Kind::Logfmt => Box::new(logfmt::LogfmtParser::new(opts.zone, resolver)),
        Kind::Cri => Box::new(cri::CriParser::new(resolver, cap)),
        Kind::W3c => Box::new(w3c::W3cParser::new(resolver)),
        Kind::Definition => match &format.def {
            Some(def) if def.is_json() => Box::new(formats::reader::JsonDefParser::new(def.clone(), resolver)),
            Some(def) => Box::new(formats::reader::TextDefParser::new(def.clone(), resolver, cap)),
            None => Box::new(text::TextParser::new(LogFormat::of(Kind::Generic), resolver, cap)),
        },
        Kind::NginxError | Kind::ApacheError | Kind::Gunicorn | Kind::AppLog | Kind::Generic => {
            Box::new(text::TextParser::new(format.clone(), resolver, cap))
        }
    };
    let mut out = Out { sink, sum: LogSummary::default(), prev: None, head: None };
    let mut lines = faultline_input::Lines::new(reader, cap);
    lines.pos = pos;
    lines.no = no;
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut scratch = String::new();
    const PROGRESS_EVERY: u64 = 1 << 20;
    let mut next_progress = pos + PROGRESS_EVERY;
    let mut go = true;
    loop {
        let info = match lines.next(&mut buf) {
            Ok(Some(info)) => info,
            Ok(None) => break,
            Err(source) => return Err(LogError::Read { line: lines.no + 1, source }),
        };
        let text = faultline_input::line_text(&buf, &mut scratch);
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
    Ok((out.sum, out.head, out.prev))
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

    /// lnav's built-in definitions alone (not this machine's own formats), compiled once.
    pub fn builtin() -> &'static formats::Registry {
        static REGISTRY: std::sync::OnceLock<formats::Registry> = std::sync::OnceLock::new();
        REGISTRY.get_or_init(formats::Registry::builtin)
    }

    /// Detects `data`'s format, checks its name, parses it.
    pub fn run(data: &str, want_format: &str, opts: &LogOptions) -> (LogSummary, faultline_model::CollectingSink) {
        let format =
            detect_with(builtin(), data.as_bytes()).unwrap_or_else(|| panic!("no format detected for {data:?}"));
        assert_eq!(format.name(), want_format, "detected format");
        parse_str(data, &format, opts)
    }
}

#[cfg(test)]
mod tests;
