//! Line-oriented log formats: detection, parsing, multi-line records, gzip and rotated sets.
//!
//! The engine calls [`read_sample`] + [`detect`] to learn a file's format from
//! its content, then [`open`] + [`parse`] to push every record into an
//! [`EventSink`]. Records borrow a reused line buffer, so parsing allocates
//! nothing per line for the text formats.
#![deny(missing_docs)]

mod access;
mod cri;
mod decode;
mod detect;
pub mod formats;
mod input;
mod json;
mod level;
mod logfmt;
mod rotate;
mod syslog;
mod text;
mod ts;
mod w3c;

pub use decode::{
    decode_sample, decode_utf16, line_text, Decoded, Gunzip, StreamStatus, GZIP_RATIO_GRACE, MAX_GZIP_RATIO,
};
pub use detect::{detect, detect_with};
pub use input::{open, read_sample, SAMPLE_BYTES};
pub use rotate::rotation_sets;

use faultline_model::time::Zone;
use faultline_model::{flags, EventSink, Instant, LogRecord, SinkError, Unparsed};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// Faultline's hand-written formats (read before any definition), each with a
/// line it reads: what `faultline formats` lists as `faultline`'s own.
pub const NATIVE_FORMATS: &[(&str, &str)] = &[
    (
        "nginx-combined",
        r#"203.0.113.7 - - [24/Nov/2026:11:27:03 +0300] "POST /login HTTP/1.1" 500 512 "-" "Mozilla/5.0""#,
    ),
    ("access-common", r#"203.0.113.7 - - [24/Nov/2026:11:27:03 +0300] "GET /index.html HTTP/1.0" 200 2326"#),
    ("nginx-error", "2026/11/24 08:27:03 [error] 1234#0: *5 connect() failed (111: Connection refused)"),
    (
        "apache-error",
        "[Tue Nov 24 08:27:03.123456 2026] [proxy:error] [pid 123] AH01114: HTTP: failed to make connection",
    ),
    ("syslog-rfc3164", "Nov 24 08:27:03 web-1 nginx[123]: upstream timed out"),
    ("syslog-rfc5424", "<165>1 2026-11-24T08:27:03.003Z host app 4242 ID47 - db timeout"),
    ("json-lines", r#"{"@timestamp":"2026-11-24T08:27:03.250Z","level":"error","message":"db timeout"}"#),
    ("journald-json", r#"{"__REALTIME_TIMESTAMP":"1795508823123456","PRIORITY":"3","MESSAGE":"worker crashed"}"#),
    ("logfmt", r#"time=2026-11-24T08:27:03Z level=error msg="db timeout""#),
    ("cri", "2026-11-24T08:27:03.123456789Z stderr F panic: runtime error"),
    ("gunicorn", "[2026-11-24 08:27:03 +0000] [1234] [ERROR] Exception in worker process"),
    ("app-log", "2026-11-24 08:27:03,125 ERROR [app.views] Unhandled exception"),
    ("w3c", "2026-11-24 08:27:03 10.0.0.5 GET /api/cart - 443 - 203.0.113.7 curl/8.5.0 - 500 0 0 31"),
    ("generic", "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 RAS KERNEL INFO parity error"),
];

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
    /// W3C extended (IIS, CloudFront): columns named by `#Fields:`.
    W3c,
    /// A format definition ([`formats`]): lnav's, or the analyst's.
    Definition,
}

/// A detected log format, with what detection learned about its layout
/// (for `app-log` / `generic`: the timestamp layout, the column it sits in,
/// and where a level sits; for syslog: the tokens of a prefix before it;
/// for a format definition: the definition).
#[derive(Clone, Debug, PartialEq)]
pub struct LogFormat {
    pub(crate) kind: Kind,
    pub(crate) layout: ts::Layout,
    /// Whitespace-separated tokens before the timestamp.
    pub(crate) column: u8,
    /// Token (after the timestamp) that holds a one-letter level (`D`, `E`), when learned.
    pub(crate) letter_level: Option<u8>,
    /// Tokens after the timestamp searched for a level word.
    pub(crate) level_tokens: u8,
    /// The definition, for [`Kind::Definition`].
    pub(crate) def: Option<Arc<formats::Definition>>,
}

impl LogFormat {
    pub(crate) fn of(kind: Kind) -> Self {
        LogFormat {
            kind,
            layout: ts::Layout::Iso,
            column: 0,
            letter_level: None,
            level_tokens: detect::LEVEL_TOKENS,
            def: None,
        }
    }

    /// The format a definition reads.
    pub fn definition(def: Arc<formats::Definition>) -> Self {
        LogFormat { def: Some(def), ..LogFormat::of(Kind::Definition) }
    }

    /// The definition that reads this format, when it is one.
    pub fn definition_ref(&self) -> Option<&formats::Definition> {
        self.def.as_deref()
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
            Kind::W3c => "w3c",
            Kind::Definition => self.def.as_ref().map_or("definition", |d| d.name()),
        }
    }

    /// Every line is a record on its own and no parser state crosses lines,
    /// so the stream may be cut at any line boundary and the pieces parsed in
    /// parallel ([`parse_parallel`]).
    pub fn splittable(&self) -> bool {
        match self.kind {
            Kind::NginxCombined | Kind::AccessCommon => true,
            // A definition whose records are one line each (JSON, or `multiline: false`).
            Kind::Definition => self.def.as_ref().is_some_and(|d| d.is_json() || !d.multiline),
            _ => false,
        }
    }

    /// Its timestamps carry no year (RFC 3164 syslog, logcat), so years are
    /// inferred from the file's modification time.
    pub fn infers_year(&self) -> bool {
        match self.kind {
            Kind::Syslog3164 => true,
            Kind::Definition => self.def.as_ref().is_some_and(|d| d.infers_year()),
            Kind::AppLog | Kind::Generic => matches!(self.layout, ts::Layout::Syslog | ts::Layout::MonthDay),
            _ => false,
        }
    }

    /// Looks a format up by its [`LogFormat::name`] (for a user who forces a format):
    /// a hand-written format, or a definition of [`formats::registry`].
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
            "w3c" => Kind::W3c,
            _ => return formats::registry().get(name).map(|d| LogFormat::definition(d.clone())),
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
    let mut lines = input::Lines::new(reader, cap);
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
    Ok((out.sum, out.head, out.prev))
}

/// Bytes handed to one worker at a time by [`parse_parallel`]: large enough
/// that the per-chunk overhead vanishes, small enough that a few in flight
/// keep memory bounded whatever the file size.
const CHUNK_BYTES: usize = 4 << 20;

/// [`parse`], on `threads` threads, for a format whose lines are records on
/// their own ([`LogFormat::splittable`]; other formats are parsed in one
/// piece). The stream is cut at line boundaries into chunks that are parsed
/// concurrently into sinks made by `new_sink`, then handed to `merge` in file
/// order, with the flags to add to the chunk's first record (a record earlier
/// than the last one of the chunk before it is out of order, exactly as in a
/// sequential parse). Offsets, line numbers and counts are those of [`parse`].
pub fn parse_parallel<S, F, M>(
    reader: impl BufRead,
    format: &LogFormat,
    opts: &LogOptions,
    threads: usize,
    new_sink: F,
    merge: M,
) -> Result<LogSummary, LogError>
where
    S: EventSink + Send,
    F: Fn() -> S + Sync,
    M: FnMut(S, u8),
{
    parse_range(reader, format, opts, threads, 0, 0, new_sink, merge)
}

/// [`parse_parallel`] of the rest of a plain (not compressed, not UTF-16)
/// file from byte `offset`, the start of line `lines_before + 1`: `reader`
/// reads the file from that offset. Records and unparsed lines carry the
/// file's own offsets and line numbers, exactly as a parse of the whole file
/// gives them (see [`window_start`] for an offset and line count). The
/// summary's `bytes` is the offset where reading ended.
#[allow(clippy::too_many_arguments)]
pub fn parse_range<S, F, M>(
    reader: impl BufRead,
    format: &LogFormat,
    opts: &LogOptions,
    threads: usize,
    offset: u64,
    lines_before: u64,
    new_sink: F,
    merge: M,
) -> Result<LogSummary, LogError>
where
    S: EventSink + Send,
    F: Fn() -> S + Sync,
    M: FnMut(S, u8),
{
    parse_chunked(reader, format, opts, threads, CHUNK_BYTES, (offset, lines_before), new_sink, merge)
}

/// Bytes read at each probe of [`window_start`]: enough for a few hundred
/// access-log lines, so a probe nearly always finds a record.
const PROBE_BYTES: usize = 64 * 1024;

/// The offset of the first line starting at or after `at`, and the time of
/// the first record among the complete lines from there (`None` when the
/// probed bytes hold no record, or no line starts in them).
fn probe<R: std::io::Read + std::io::Seek>(
    file: &mut R,
    at: u64,
    size: u64,
    format: &LogFormat,
    opts: &LogOptions,
    buf: &mut Vec<u8>,
) -> Result<Option<(u64, Option<Instant>)>, LogError> {
    use std::io::{Read, SeekFrom};
    /// Keeps the first record's time and stops.
    struct First(Option<Instant>);
    impl EventSink for First {
        fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
            self.0 = Some(r.time);
            Ok(false)
        }
    }
    let read_err = |source| LogError::Read { line: 0, source };
    // Start one byte early: a line starts at `at` when the byte before it is a newline.
    let from = at.saturating_sub(1);
    file.seek(SeekFrom::Start(from)).map_err(read_err)?;
    buf.clear();
    file.by_ref().take(PROBE_BYTES as u64).read_to_end(buf).map_err(read_err)?;
    let skip = if at == 0 {
        0
    } else {
        match memchr::memchr(b'\n', buf) {
            Some(i) => i + 1,
            None => return Ok(None),
        }
    };
    let line_start = from + skip as u64;
    let at_end = from + buf.len() as u64 >= size;
    // Only whole lines: a line cut by the probe's end could read as another time.
    let end = if at_end { buf.len() } else { memchr::memrchr(b'\n', buf).map_or(skip, |i| i + 1).max(skip) };
    let mut first = First(None);
    let bytes = buf.get(skip..end).unwrap_or_default();
    parse_from(Decoded::Plain(bytes), format, opts, &mut first, line_start, 0)?;
    Ok(Some((line_start, first.0)))
}

/// Where to start reading a plain (not compressed, not UTF-16) log whose
/// records are in time order give or take `slack`, so that every record at
/// or after `from` is read: the byte offset of a line whose first record is
/// earlier than `from - slack` (or 0), found by a binary search over byte
/// offsets that parses a few lines at each probe, and the number of lines
/// before it (a newline count of the bytes before it). Every record before
/// that line is then earlier than `from`, as long as the file is in order
/// within `slack`.
///
/// `None` when the file cannot be searched this way: a probe found no record,
/// or the probes' times are not in order within `slack` (the caller reads
/// the whole file instead).
pub fn window_start<R: std::io::Read + std::io::Seek>(
    file: &mut R,
    format: &LogFormat,
    opts: &LogOptions,
    from: Instant,
    slack: chrono::Duration,
) -> Result<Option<(u64, u64)>, LogError> {
    use std::io::SeekFrom;
    let read_err = |source| LogError::Read { line: 0, source };
    let size = file.seek(SeekFrom::End(0)).map_err(read_err)?;
    let target = from - slack;
    let mut buf = Vec::with_capacity(PROBE_BYTES);
    // Probes seen, as (line start, record time): checked for order at the end.
    let mut seen = Vec::new();
    for at in [0, size.saturating_sub(PROBE_BYTES as u64)] {
        match probe(file, at, size, format, opts, &mut buf)? {
            Some((start, Some(t))) => seen.push((start, t)),
            _ => return Ok(None),
        }
    }
    let (mut lo, mut hi) = (0u64, size);
    if seen.first().is_some_and(|&(_, t)| t >= target) {
        hi = 0;
    }
    // Down to the line: each probe is one seek and a small read.
    while hi.saturating_sub(lo) > 1 {
        let mid = lo + (hi - lo) / 2;
        match probe(file, mid, size, format, opts, &mut buf)? {
            Some((start, Some(t))) => {
                seen.push((start, t));
                if start < hi && t < target {
                    lo = start;
                } else {
                    hi = mid;
                }
            }
            _ => return Ok(None),
        }
    }
    seen.sort_by_key(|&(start, _)| start);
    let mut latest: Option<Instant> = None;
    for &(_, t) in &seen {
        if latest.is_some_and(|l| t + slack < l) {
            return Ok(None);
        }
        latest = Some(latest.map_or(t, |l| l.max(t)));
    }
    // The exact line number: a raw newline count of everything before `lo`.
    file.seek(SeekFrom::Start(0)).map_err(read_err)?;
    let mut lines = 0u64;
    let mut left = lo;
    let mut block = vec![0u8; 1 << 20];
    while left > 0 {
        let want = block.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match file.read(&mut block[..want]) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(read_err(source)),
        };
        lines += memchr::memchr_iter(b'\n', &block[..n]).count() as u64;
        left -= n as u64;
    }
    Ok(Some((lo, lines)))
}

/// [`parse_parallel`] with chunks of `chunk_bytes` (tests use tiny ones),
/// of a stream that starts at byte `start.0`, after line `start.1`.
#[allow(clippy::too_many_arguments)]
fn parse_chunked<S, F, M>(
    reader: impl BufRead,
    format: &LogFormat,
    opts: &LogOptions,
    threads: usize,
    chunk_bytes: usize,
    start: (u64, u64),
    new_sink: F,
    mut merge: M,
) -> Result<LogSummary, LogError>
where
    S: EventSink + Send,
    F: Fn() -> S + Sync,
    M: FnMut(S, u8),
{
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::sync::mpsc;

    // A line longer than this with no newline in sight ends chunking: the rest
    // of the stream is parsed in one piece, whose line reader caps what it
    // keeps (a 1 GB line must not become a 1 GB chunk).
    let longest_chunked_line = 4 * chunk_bytes.max(opts.max_record_bytes);
    // Mid-file, the bytes at a line start say nothing about the encoding.
    let mut reader = if start.0 == 0 { Decoded::new(reader) } else { Decoded::Plain(reader) };
    if !format.splittable() || threads < 2 {
        let mut sink = new_sink();
        sink.whole_stream();
        let (sum, _, _) = parse_from(reader, format, opts, &mut sink, start.0, start.1)?;
        merge(sink, 0);
        return Ok(sum);
    }
    type Done<S> = Result<(S, LogSummary, Option<Instant>, Option<Instant>), LogError>;
    struct Joined {
        sum: LogSummary,
        last: Option<Instant>,
    }
    impl Joined {
        /// Adds one chunk's summary; returns the flags its first record gets.
        fn join(&mut self, s: &LogSummary, head: Option<Instant>, tail: Option<Instant>) -> u8 {
            let mut extra = 0;
            if let (Some(prev), Some(head)) = (self.last, head) {
                if head < prev {
                    extra |= flags::OUT_OF_ORDER;
                    self.sum.out_of_order += 1;
                    if prev - head > chrono::Duration::days(1) {
                        extra |= flags::CLOCK_JUMP;
                    }
                }
            }
            let t = &mut self.sum;
            t.records += s.records;
            t.unparsed += s.unparsed;
            t.first = match (t.first, s.first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            t.last = match (t.last, s.last) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            t.bytes = s.bytes;
            t.truncated += s.truncated;
            t.dst_gap += s.dst_gap;
            t.dst_ambiguous += s.dst_ambiguous;
            t.out_of_order += s.out_of_order;
            t.stopped |= s.stopped;
            if tail.is_some() {
                self.last = tail;
            }
            extra
        }
    }
    let mut joined = Joined { sum: LogSummary::default(), last: None };
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Vec<u8>, u64, u64)>(threads);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Vec<u8>, Done<S>)>();
    std::thread::scope(|scope| -> Result<LogSummary, LogError> {
        for _ in 0..threads {
            let (job_rx, done_tx, new_sink) = (&job_rx, done_tx.clone(), &new_sink);
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((seq, chunk, pos, no)) = job else { return };
                let mut sink = new_sink();
                let done = parse_from(&chunk[..], format, opts, &mut sink, pos, no).map(|(s, h, t)| (sink, s, h, t));
                if done_tx.send((seq, chunk, done)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut free: Vec<Vec<u8>> = Vec::new();
        let mut waiting: BTreeMap<u64, Done<S>> = BTreeMap::new();
        let (mut sent, mut merged) = (0u64, 0u64);
        let mut stop = false;
        // Merges finished chunks in order; blocks while more than `keep` are in flight.
        let mut settle = |keep: u64,
                          sent: u64,
                          merged: &mut u64,
                          free: &mut Vec<Vec<u8>>,
                          stop: &mut bool|
         -> Result<(), LogError> {
            while sent - *merged > keep {
                while let Some(done) = waiting.remove(merged) {
                    let (sink, s, head, tail) = done?;
                    // After a sink asked to stop, later chunks are dropped, as a sequential parse never reads them.
                    if !*stop {
                        let extra = joined.join(&s, head, tail);
                        merge(sink, extra);
                        *stop = s.stopped;
                    }
                    *merged += 1;
                }
                if sent - *merged <= keep {
                    break;
                }
                let Ok((seq, chunk, done)) = done_rx.recv() else { break };
                free.push(chunk);
                waiting.insert(seq, done);
            }
            Ok(())
        };
        let (mut pos, mut no) = start;
        let mut carry: Vec<u8> = Vec::new();
        let mut tail_in_one_piece = false;
        // Bytes to gather before cutting: more than the carry when the carry holds no newline yet.
        let mut target = chunk_bytes;
        loop {
            let mut buf = free.pop().unwrap_or_default();
            buf.clear();
            buf.extend_from_slice(&carry);
            carry.clear();
            let mut eof = false;
            while buf.len() < target {
                let at = buf.len();
                buf.resize(target, 0);
                let n = loop {
                    match reader.read(&mut buf[at..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(source) => {
                            let line = no + memchr::memchr_iter(b'\n', &buf[..at]).count() as u64 + 1;
                            return Err(LogError::Read { line, source });
                        }
                    }
                };
                buf.truncate(at + n);
                if n == 0 {
                    eof = true;
                    break;
                }
            }
            let cut = if eof {
                buf.len()
            } else {
                match memchr::memrchr(b'\n', &buf) {
                    Some(i) => i + 1,
                    None if buf.len() > longest_chunked_line => {
                        carry = buf;
                        tail_in_one_piece = true;
                        break;
                    }
                    None => {
                        target = buf.len() + chunk_bytes;
                        carry = buf;
                        continue;
                    }
                }
            };
            target = chunk_bytes;
            carry.extend_from_slice(&buf[cut..]);
            buf.truncate(cut);
            if buf.is_empty() {
                break;
            }
            let lines = memchr::memchr_iter(b'\n', &buf).count() as u64 + u64::from(!buf.ends_with(b"\n"));
            let (at_pos, at_no) = (pos, no);
            pos += buf.len() as u64;
            no += lines;
            if job_tx.send((sent, buf, at_pos, at_no)).is_err() {
                break;
            }
            sent += 1;
            settle(threads as u64 + 1, sent, &mut merged, &mut free, &mut stop)?;
            if stop || eof {
                break;
            }
        }
        drop(job_tx);
        settle(0, sent, &mut merged, &mut free, &mut stop)?;
        if tail_in_one_piece && !stop {
            let mut sink = new_sink();
            let rest = std::io::BufReader::with_capacity(256 * 1024, (&carry[..]).chain(reader));
            let (s, head, tail) = parse_from(rest, format, opts, &mut sink, pos, no)?;
            let extra = joined.join(&s, head, tail);
            merge(sink, extra);
        } else if !stop {
            joined.sum.bytes = pos;
        }
        Ok(joined.sum)
    })
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

    /// Records whether the parser said the sink gets the whole stream.
    #[derive(Default)]
    struct Whole(bool, u64);
    impl EventSink for Whole {
        fn record(&mut self, _: &LogRecord<'_>) -> Result<bool, SinkError> {
            self.1 += 1;
            Ok(true)
        }
        fn whole_stream(&mut self) {
            self.0 = true;
        }
    }

    #[test]
    fn only_a_sink_given_the_whole_stream_is_told_so() {
        // An app log is parsed in one piece: its one sink may hand records on as they come.
        let app = "2026-11-24 08:27:01 ERROR a\n".repeat(2000);
        let mut sinks = Vec::new();
        parse_chunked(
            app.as_bytes(),
            &LogFormat::from_name("app-log").unwrap(),
            &opts(),
            2,
            4096,
            (0, 0),
            Whole::default,
            |s, _| sinks.push(s),
        )
        .unwrap();
        assert_eq!(sinks.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(), vec![(true, 2000)]);
        // An access log cut into chunks: each part may still take join flags.
        let access: String = (0..2000).map(|i| format!("{}\n", access_line(i, 3, 500))).collect();
        let mut sinks = Vec::new();
        parse_chunked(
            access.as_bytes(),
            &LogFormat::from_name("nginx-combined").unwrap(),
            &opts(),
            2,
            4096,
            (0, 0),
            Whole::default,
            |s, _| sinks.push(s),
        )
        .unwrap();
        assert!(sinks.len() > 10 && sinks.iter().all(|s| !s.0), "{} parts", sinks.len());
        assert_eq!(sinks.iter().map(|s| s.1).sum::<u64>(), 2000);
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
        assert_eq!(sink.records[0].message, "café down", "a line that is not UTF-8 is read as Latin-1");
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

    /// Everything a sink sees, in order, comparable between parses.
    #[derive(Default)]
    struct Seen(Vec<String>);
    impl EventSink for Seen {
        fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
            let status = r.http.map(|h| h.status);
            self.0.push(format!("R {} {:?} flags={} {:?} {}", r.time, r.span, r.flags, status, r.text));
            Ok(true)
        }
        fn unparsed(&mut self, u: &Unparsed<'_>) -> Result<bool, SinkError> {
            self.0.push(format!("U {} {} {} {:?}", u.line, u.offset, u.reason, u.text));
            Ok(true)
        }
    }

    /// Parses in chunks of `chunk` bytes on two threads; the flags a join adds
    /// are applied to the chunk's first record, as the store's merge does.
    fn chunked(data: &[u8], chunk: usize, opts: &LogOptions) -> (LogSummary, Vec<String>, Vec<u8>) {
        let format = LogFormat::from_name("nginx-combined").unwrap();
        let mut all = Vec::new();
        let mut joins = Vec::new();
        let sum = parse_chunked(data, &format, opts, 2, chunk, (0, 0), Seen::default, |mut s: Seen, extra| {
            joins.push(extra);
            if let Some(first) = s.0.iter_mut().find(|e| e.starts_with('R')) {
                if extra != 0 {
                    let (head, tail) = first.split_once(" flags=").unwrap();
                    let (n, rest) = tail.split_once(' ').unwrap();
                    *first = format!("{head} flags={} {rest}", n.parse::<u8>().unwrap() | extra);
                }
            }
            all.append(&mut s.0);
        })
        .unwrap();
        (sum, all, joins)
    }

    fn access_line(i: u32, sec: u32, status: u16) -> String {
        format!(
            "10.0.0.{} - - [24/Nov/2026:08:27:{sec:02} +0000] \"GET /p{i} HTTP/1.1\" {status} 12 \"-\" \"ua\" 0.{i:03}",
            i % 250
        )
    }

    #[test]
    fn a_log_parsed_in_parallel_chunks_is_exactly_the_sequential_parse() {
        let mut data = b"\xEF\xBB\xBF".to_vec();
        for i in 0..400u32 {
            // A clock that steps back now and then (out of order, also across
            // chunk joins), CRLF lines, blank and garbage lines, 5xx lines.
            let base = (i / 7) % 60;
            let sec = if i % 17 == 0 && base >= 2 { base - 2 } else { base };
            let text = match i % 37 {
                5 => "garbage that is not an access line".to_string(),
                9 => String::new(),
                _ => access_line(i, sec, if i % 11 == 0 { 503 } else { 200 }),
            };
            data.extend_from_slice(text.as_bytes());
            data.extend_from_slice(if i % 13 == 0 { b"\r\n" } else { b"\n" });
        }
        data.extend_from_slice(access_line(999, 1, 500).as_bytes()); // no final newline, out of order
        let format = LogFormat::from_name("nginx-combined").unwrap();
        let mut want = Seen::default();
        let want_sum = parse(&data[..], &format, &opts(), &mut want).unwrap();
        assert!(want_sum.out_of_order > 5 && want_sum.unparsed > 0, "{want_sum:?}");
        for chunk in [64, 300, 1000, 4096, 1 << 20] {
            let (sum, got, joins) = chunked(&data, chunk, &opts());
            assert_eq!(sum, want_sum, "summary, chunks of {chunk}");
            assert_eq!(got, want.0, "chunks of {chunk}");
            if chunk == 64 {
                assert!(joins.len() > 100 && joins.iter().any(|j| *j & flags::OUT_OF_ORDER != 0), "{joins:?}");
            }
        }
    }

    #[test]
    fn a_read_error_mid_file_is_an_error_not_a_hang() {
        struct FailsAfter(Vec<u8>, usize);
        impl std::io::Read for FailsAfter {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.1 >= self.0.len() {
                    return Err(std::io::Error::other("disk went away"));
                }
                let n = buf.len().min(self.0.len() - self.1);
                buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                self.1 += n;
                Ok(n)
            }
        }
        let data = format!("{}\n", access_line(1, 3, 200)).repeat(200).into_bytes();
        let format = LogFormat::from_name("nginx-combined").unwrap();
        let reader = std::io::BufReader::new(FailsAfter(data, 0));
        let result = parse_chunked(reader, &format, &opts(), 2, 256, (0, 0), Seen::default, |_, _| {});
        assert!(matches!(result, Err(LogError::Read { .. })), "{result:?}");
    }

    #[test]
    fn a_line_longer_than_any_chunk_is_cut_like_in_a_sequential_parse() {
        let mut o = opts();
        o.max_record_bytes = 100;
        let good = format!("{}\n", access_line(1, 3, 500));
        let mut data = good.repeat(20).into_bytes();
        data.extend(std::iter::repeat_n(b'x', 5000));
        data.push(b'\n');
        data.extend_from_slice(good.repeat(20).as_bytes());
        let format = LogFormat::from_name("nginx-combined").unwrap();
        let mut want = Seen::default();
        let want_sum = parse(&data[..], &format, &o, &mut want).unwrap();
        let (sum, got, _) = chunked(&data, 64, &o);
        assert_eq!((sum, got), (want_sum, want.0));
    }

    /// Records (with their offsets, line numbers and flags) in `[from, to]`.
    fn in_window(seen: &[String], from: Instant, to: Instant) -> Vec<String> {
        seen.iter()
            .filter(|e| {
                // `R 2026-11-24 03:10:00 UTC Span …`
                let Some(time) = e.strip_prefix("R ").and_then(|r| r.split(" UTC").next()) else { return false };
                let t = chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S").unwrap().and_utc();
                t >= from && t <= to
            })
            .cloned()
            .collect()
    }

    /// [`Seen`] that stops at the first record later than `end`.
    struct Until(Instant, Seen);
    impl EventSink for Until {
        fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
            if r.time > self.0 {
                return Ok(false);
            }
            self.1.record(r)
        }
        fn unparsed(&mut self, u: &Unparsed<'_>) -> Result<bool, SinkError> {
            self.1.unparsed(u)
        }
    }

    #[test]
    fn a_window_read_from_the_searched_offset_is_exactly_the_full_parse_of_that_window() {
        // Six hours, a line every 2-3 s, with garbage and blank lines, CRLF
        // lines and small steps back in time (within the slack).
        let mut data = Vec::new();
        let start = utc("2026-11-24T00:00:00Z");
        let mut t = start;
        for i in 0..9000u32 {
            t += chrono::Duration::seconds(if i % 2 == 0 { 2 } else { 3 });
            let shown = if i % 29 == 0 { t - chrono::Duration::seconds(40) } else { t };
            let stamp = shown.format("%d/%b/%Y:%H:%M:%S +0000");
            let line = match i % 41 {
                7 => "garbage that is not an access line".to_string(),
                19 => String::new(),
                _ => format!(
                    "10.0.0.{} - - [{stamp}] \"GET /p{i} HTTP/1.1\" {} 12 \"-\" \"ua\" 0.012",
                    i % 250,
                    if i % 13 == 0 { 503 } else { 200 }
                ),
            };
            data.extend_from_slice(line.as_bytes());
            data.extend_from_slice(if i % 17 == 0 { b"\r\n" } else { b"\n" });
        }
        let format = LogFormat::from_name("nginx-combined").unwrap();
        let mut whole = Seen::default();
        parse(&data[..], &format, &opts(), &mut whole).unwrap();
        let slack = chrono::Duration::minutes(5);
        for (from, to) in [
            ("2026-11-24T03:10:00Z", "2026-11-24T03:20:00Z"),
            ("2026-11-24T00:00:30Z", "2026-11-24T00:04:00Z"),
            ("2026-11-24T06:10:00Z", "2026-11-24T09:00:00Z"),
        ] {
            let (from, to) = (utc(from), utc(to));
            let want = in_window(&whole.0, from, to);
            assert!(!want.is_empty(), "{from}: the window has records");
            let (offset, lines) = window_start(&mut std::io::Cursor::new(&data), &format, &opts(), from, slack)
                .unwrap()
                .expect("searchable");
            assert_eq!(lines as usize, memchr::memchr_iter(b'\n', &data[..offset as usize]).count());
            assert!(offset == 0 || data[offset as usize - 1] == b'\n', "a line start");
            if from > start + chrono::Duration::minutes(30) {
                assert!(offset > data.len() as u64 / 4, "{from}: the search skipped the early part ({offset})");
            }
            // The public parallel reader, and tiny chunks of the same machinery.
            for chunk in [None, Some(300), Some(4096)] {
                let mut got = Vec::new();
                let rest = &data[offset as usize..];
                // The flags a join adds go to the chunk's first record, as the store's merge does.
                let merge = |mut s: Until, extra: u8| {
                    if let Some(first) = s.1 .0.iter_mut().find(|e| e.starts_with('R')).filter(|_| extra != 0) {
                        let (head, tail) = first.split_once(" flags=").unwrap();
                        let (n, rest) = tail.split_once(' ').unwrap();
                        *first = format!("{head} flags={} {rest}", n.parse::<u8>().unwrap() | extra);
                    }
                    got.extend(s.1 .0)
                };
                let new = || Until(to + slack, Seen::default());
                let sum = match chunk {
                    None => parse_range(rest, &format, &opts(), 2, offset, lines, new, merge).unwrap(),
                    Some(c) => parse_chunked(rest, &format, &opts(), 2, c, (offset, lines), new, merge).unwrap(),
                };
                let got_window = in_window(&got, from, to);
                let first_diff = got_window.iter().zip(&want).position(|(a, b)| a != b);
                assert!(
                    got_window.len() == want.len() && first_diff.is_none(),
                    "{from}..{to}, chunks {chunk:?}: {} vs {} records, first difference {:?}",
                    got_window.len(),
                    want.len(),
                    first_diff.map(|i| (&got_window[i], &want[i]))
                );
                assert!(got.len() < whole.0.len() / 2, "only the window was read");
                if to < start + chrono::Duration::hours(5) {
                    assert!(sum.stopped, "stopped after the window");
                }
            }
        }
        // A file whose times are not in order cannot be searched.
        let mut shuffled = data.clone();
        let half = shuffled.len() / 2;
        let cut = half + memchr::memchr(b'\n', &shuffled[half..]).unwrap() + 1;
        shuffled.rotate_left(cut);
        assert_eq!(
            window_start(&mut std::io::Cursor::new(&shuffled), &format, &opts(), utc("2026-11-24T04:00:00Z"), slack)
                .unwrap(),
            None
        );
    }

    #[test]
    fn every_native_format_reads_its_listed_line() {
        for (name, line) in NATIVE_FORMATS {
            let data = match *name {
                "w3c" => format!("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n{line}\n"),
                _ => format!("{line}\n"),
            };
            let found = detect_with(builtin(), data.as_bytes()).unwrap_or_else(|| panic!("{name}: not detected"));
            assert_eq!(found.name(), *name);
            let (sum, _) = parse_str(&data, &found, &opts());
            assert_eq!((sum.records, sum.unparsed), (1, 0), "{name}");
        }
    }

    #[test]
    fn every_format_name_round_trips() {
        for name in [
            "nginx-combined",
            "access-common",
            "nginx-error",
            "apache-error",
            "syslog-rfc3164",
            "syslog-rfc5424",
            "json-lines",
            "journald-json",
            "logfmt",
            "cri",
            "gunicorn",
            "app-log",
            "generic",
            "w3c",
            "haproxy_log",
        ] {
            assert_eq!(LogFormat::from_name(name).unwrap().name(), name);
        }
        assert!(LogFormat::from_name("csv").is_none());
    }

    #[test]
    fn a_truncated_gzip_stream_keeps_what_inflated() {
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
        // The engine reports the cut through `StreamStatus`; the parse keeps every whole line before it.
        let sum = parse(reader, &LogFormat::from_name("app-log").unwrap(), &opts(), &mut sink).unwrap();
        assert!(sum.records > 0 && sum.records < 1000, "{sum:?}");
        assert_eq!(sum.records as usize, sink.records.len());
    }
}
