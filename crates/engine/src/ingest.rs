//! Reading one planned source into an [`IngestBuffer`].
//!
//! Each file is read once: the bytes pass through a SHA-256 hasher on their
//! way into the parser, so the case records what exactly was read without a
//! second pass over a gigabyte log.

use crate::plan::{PlannedSource, Reader};
use crate::EngineError;
use faultline_input::{Hasher, Layout, StreamStatus};
use faultline_logs::{LogOptions, LogSummary};
use faultline_model::clock::ClockShift;
use faultline_model::time::Zone;
use faultline_model::{EventSink, Instant, ReadWindow, SourceSummary, Unparsed};
use faultline_sources::SourceOptions;
use faultline_store::{Cancellable, FileStamp, IngestBuffer, ProgressHook, Reporting, Window, WindowStop};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// [`faultline_input::open_hashed`], its errors naming the file.
fn open_hashed(path: &Path, status: &StreamStatus) -> Result<(Box<dyn BufRead + Send>, Hasher), EngineError> {
    faultline_input::open_hashed(path, status).map_err(|e| EngineError::input(path, e.to_string()))
}

/// The SHA-256 (hex) of a file's bytes (see [`crate::file_sha256`]).
pub(crate) fn hash_file(path: &Path) -> Result<String, EngineError> {
    faultline_input::sha256_file(path).map_err(|e| EngineError::input(path, e.to_string()))
}

/// The file's mtime as a wall-clock time in `zone` (the year reference for syslog).
fn mtime_in_zone(stamp: &FileStamp, zone: &Zone) -> Option<chrono::NaiveDateTime> {
    let utc = chrono::DateTime::from_timestamp(stamp.mtime_ns.div_euclid(1_000_000_000), 0)?;
    Some(zone.local_time(utc))
}

/// The sink one part of a file is parsed into (see
/// [`faultline_logs::parse_parallel`]): its own buffer, spilling to the case,
/// the parse stopped on `cancel`, its progress told to `hook`.
fn part_sink(
    file: String,
    cancel: &Arc<AtomicBool>,
    hook: &ProgressHook,
    spill: &Spill,
) -> Reporting<Cancellable<IngestBuffer>> {
    Reporting::new(Cancellable::new(new_buffer(file).with_spill(spill.hook()), cancel.clone()), hook.clone())
}

/// An empty buffer for `file` whose counters find stack traces the way the
/// analysis's error events do, so both count the same records as errors.
fn new_buffer(file: String) -> IngestBuffer {
    IngestBuffer::new(file).with_trace_probe(faultline_correlate::events::holds_trace)
}

/// What reading a source produced.
pub struct Ingested {
    /// Its summary.
    pub summary: SourceSummary,
    /// Its files, with hashes.
    pub files: Vec<FileStamp>,
    /// What was read.
    pub buffer: IngestBuffer,
    /// The parse was cancelled before the end.
    pub cancelled: bool,
    /// Files read only in part (a truncated gzip, a gzip bomb), each named, with why.
    pub problems: Vec<String>,
    /// For a change source: its tools, changes, range and moments.
    pub change_source: Option<faultline_model::ChangeSourceSummary>,
}

/// What the readers send the thread that writes the case.
pub enum Spilled {
    /// A batch of a source's notable records, stored ahead of the rest.
    Records {
        /// The source's path (as [`faultline_store::CaseFile::begin_source`] got it).
        path: String,
        /// The records.
        records: faultline_store::NotableBatch,
    },
    /// What was stored ahead for the source goes: its read starts over.
    Discard {
        /// The source's path.
        path: String,
    },
    /// Every source is read: nothing more comes.
    Done,
}

/// Sends a source's notable records to the thread that writes the case in
/// batches of [`faultline_store::SPILL_AT`], so a reader holds a few MiB of
/// them however many errors the file has.
pub struct Spill {
    path: String,
    tx: std::sync::mpsc::SyncSender<Spilled>,
    sent: Arc<AtomicBool>,
}

impl Spill {
    /// Spills the records of the source at `path` through `tx`.
    pub fn new(path: String, tx: std::sync::mpsc::SyncSender<Spilled>) -> Spill {
        Spill { path, tx, sent: Arc::default() }
    }

    /// The hook a buffer of this source spills through.
    fn hook(&self) -> faultline_store::SpillHook {
        let (path, tx, sent) = (self.path.clone(), self.tx.clone(), self.sent.clone());
        faultline_store::SpillHook(Arc::new(move |records| {
            match tx.send(Spilled::Records { path: path.clone(), records }) {
                Ok(()) => {
                    sent.store(true, std::sync::atomic::Ordering::SeqCst);
                    Ok(())
                }
                // No writer (it cannot happen while the ingest runs): the
                // buffer keeps them for write_source rather than lose them.
                Err(std::sync::mpsc::SendError(Spilled::Records { records, .. })) => Err(records),
                Err(_) => Ok(()),
            }
        }))
    }

    /// Drops what this source stored ahead, if anything: it is read again.
    fn restart(&self) {
        if self.sent.swap(false, std::sync::atomic::Ordering::SeqCst) {
            let _ = self.tx.send(Spilled::Discard { path: self.path.clone() });
        }
    }
}

/// Counts the lines of a file nobody could read as a format, as unparsed.
struct UnparsedCounter<'a> {
    sink: &'a mut dyn EventSink,
}

impl UnparsedCounter<'_> {
    fn run(&mut self, reader: &mut dyn BufRead, reason: &'static str) -> Result<u64, EngineError> {
        self.run_from(reader, reason, 1)
    }

    /// Counts the lines from `from_line` on (the ones before are read, not counted).
    fn run_from(&mut self, reader: &mut dyn BufRead, reason: &'static str, from_line: u64) -> Result<u64, EngineError> {
        let mut line = Vec::new();
        let (mut n, mut offset) = (0u64, 0u64);
        loop {
            line.clear();
            let read = match faultline_input::read_line_capped(reader, &mut line, 4096) {
                Ok(0) => break,
                Ok(r) => r,
                Err(_) => break,
            };
            n += 1;
            if n < from_line {
                offset += read as u64;
                continue;
            }
            let cap = line.len().min(4096);
            let go_on = self
                .sink
                .unparsed(&Unparsed { line: n, offset, text: &line[..cap], reason })
                .map_err(|e| EngineError::Other(e.to_string()))?;
            offset += read as u64;
            if !go_on {
                break;
            }
        }
        Ok(n.saturating_sub(from_line.saturating_sub(1)))
    }
}

/// What a window read of a log source produced.
struct WindowRead {
    buffer: IngestBuffer,
    files: Vec<FileStamp>,
    unparsed: u64,
    bytes: u64,
    totals: LogSummary,
    cancelled: bool,
}

/// Reads only the part of each file of a log source that can hold records
/// in `[from, to]`: from a line found by binary search over byte offsets
/// (exact offsets and line numbers) until a record past `to`. `None` when
/// that cannot be done exactly (a gzip or UTF-16 file, a file whose probes
/// or records are not in time order within the slack): the caller reads
/// the source whole. Files are not hashed. The window is in corrected time:
/// the file is searched for it at its own clock (`offset_ms` earlier).
#[allow(clippy::too_many_arguments)]
fn read_window(
    source: &PlannedSource,
    format: &faultline_logs::LogFormat,
    zone: Zone,
    (from, to): (Option<Instant>, Option<Instant>),
    offset_ms: i64,
    cancel: &Arc<AtomicBool>,
    meter: &Arc<crate::progress::ByteMeter>,
    spill: &Spill,
    threads: usize,
) -> Result<Option<WindowRead>, EngineError> {
    use std::io::{Seek, SeekFrom};
    if !format.splittable() || (from.is_none() && to.is_none()) {
        return Ok(None);
    }
    for path in &source.files {
        if Layout::of_file(path).map_err(|e| EngineError::input(path, e.to_string()))? != Layout::Plain {
            return Ok(None);
        }
    }
    let slack = chrono::Duration::minutes(ReadWindow::SLACK_MINUTES);
    let end = to.map(|t| t + slack);
    let first_file = source.files.first().map(|p| p.display().to_string()).unwrap_or_default();
    // One window over the whole source (the order holds across its files);
    // `parts` hands each part of a file parsed in parallel its own sink.
    let (mut window, parts) = (Window::new(end, slack), Window::new(end, slack));
    let mut read = WindowRead {
        buffer: new_buffer(first_file).with_spill(spill.hook()),
        files: Vec::new(),
        unparsed: 0,
        bytes: 0,
        totals: LogSummary::default(),
        cancelled: false,
    };
    for path in &source.files {
        let stamp = FileStamp::stat(path).map_err(|e| EngineError::input(path, e.to_string()))?;
        // The next file's own buffer may spill before this one's rest would: in file order.
        read.buffer.spill_notable();
        read.buffer.set_file(path.display().to_string());
        let opts = LogOptions { zone, year_reference: mtime_in_zone(&stamp, &zone), ..LogOptions::default() };
        let mut file = File::open(path).map_err(|e| EngineError::input(path, e.to_string()))?;
        let (offset, lines) = match from {
            None => (0, 0),
            Some(from) => match faultline_logs::window_start(
                &mut file,
                format,
                &opts,
                from - chrono::Duration::milliseconds(offset_ms),
                slack,
            )
            .map_err(|e| EngineError::input(path, e.to_string()))?
            {
                Some(start) => start,
                None => return Ok(None),
            },
        };
        file.seek(SeekFrom::Start(offset)).map_err(|e| EngineError::input(path, e.to_string()))?;
        let name = path.display().to_string();
        let hook = meter.hook(read.bytes);
        let buffer = &mut read.buffer;
        let s = faultline_logs::parse_range(
            BufReader::with_capacity(256 * 1024, file),
            format,
            &opts,
            threads,
            offset,
            lines,
            || ClockShift::new(parts.sink(part_sink(name.clone(), cancel, &hook, spill)), offset_ms),
            |chunk, first_flags| {
                buffer.absorb(window.join(chunk.into_inner()).into_inner().into_inner(), first_flags);
                meter.preview(buffer);
                buffer.spill_if_full();
            },
        )
        .map_err(|e| EngineError::input(path, e.to_string()))?;
        if window.stop() == Some(WindowStop::Unsorted) {
            return Ok(None);
        }
        read.unparsed += s.unparsed;
        read.bytes += stamp.size;
        read.totals.truncated += s.truncated;
        read.totals.dst_gap += s.dst_gap;
        read.totals.dst_ambiguous += s.dst_ambiguous;
        read.totals.out_of_order += s.out_of_order;
        read.files.push(stamp);
        // Stopping for the window is not a cancel; only the user's flag is.
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            read.cancelled = true;
            break;
        }
    }
    Ok(Some(read))
}

/// The commits a repository is read for: the look-back before the earliest
/// log record (or the window's start) to an hour past the latest (or the
/// window's end). `None` (read everything) when there are no logs to measure from.
pub fn changes_window(
    logs: impl Iterator<Item = (Option<Instant>, Option<Instant>)>,
    window: Option<(Option<Instant>, Option<Instant>)>,
    lookback: chrono::Duration,
) -> Option<(Option<Instant>, Option<Instant>)> {
    let (mut first, mut last): (Option<Instant>, Option<Instant>) = (None, None);
    for (f, l) in logs {
        first = match (first, f) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        last = match (last, l) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    let (w_from, w_to) = window.unwrap_or((None, None));
    let from = w_from.or(first)?;
    let to = w_to.or(last);
    Some((from.checked_sub_signed(lookback), to.and_then(|t| t.checked_add_signed(chrono::Duration::hours(1)))))
}

/// Reads one source; a log source only for `window` when that can be done
/// exactly (see [`read_window`]); a repository's changes only `changes_within`.
/// Every instant it states is moved by `offset_ms`, the analyst's correction of its clock.
#[allow(clippy::too_many_arguments)]
pub fn ingest_source(
    source: &PlannedSource,
    zone: Zone,
    window: Option<(Option<Instant>, Option<Instant>)>,
    changes_within: Option<(Option<Instant>, Option<Instant>)>,
    offset_ms: i64,
    cancel: Arc<AtomicBool>,
    meter: &Arc<crate::progress::ByteMeter>,
    spill: &Spill,
) -> Result<Ingested, EngineError> {
    let offset_ms = offset_ms.clamp(-faultline_model::clock::MAX_OFFSET_MS, faultline_model::clock::MAX_OFFSET_MS);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut buffer =
        new_buffer(source.files.first().map(|p| p.display().to_string()).unwrap_or_default()).with_spill(spill.hook());
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let mut unparsed = 0u64;
    let mut cancelled = false;
    let mut bytes = 0u64;
    let mut totals = LogSummary::default();
    let mut problems = Vec::new();
    // Set when only the window was read: the summary says so, and which.
    let mut windowed: Option<ReadWindow> = None;
    let mut change_source = None;
    let mut identity = None;
    match &source.reader {
        Reader::Log(format) => {
            let window_read = match window {
                Some(w) => read_window(source, format, zone, w, offset_ms, &cancel, meter, spill, threads)?,
                None => None,
            };
            if let Some(read) = window_read {
                windowed = window.map(|(from, to)| ReadWindow { from, to });
                buffer = read.buffer;
                files = read.files;
                unparsed = read.unparsed;
                bytes = read.bytes;
                totals = read.totals;
                cancelled = read.cancelled;
            } else {
                // Read whole after all: what a window read began to store goes.
                spill.restart();
            }
            for path in source.files.iter().filter(|_| windowed.is_none()) {
                let mut stamp = FileStamp::stat(path).map_err(|e| EngineError::input(path, e.to_string()))?;
                // The next file's own buffer may spill before this one's rest would: in file order.
                buffer.spill_notable();
                buffer.set_file(path.display().to_string());
                let opts = LogOptions { zone, year_reference: mtime_in_zone(&stamp, &zone), ..LogOptions::default() };
                let status = StreamStatus::default();
                let (mut reader, hasher) = open_hashed(path, &status)?;
                // One big file must use both cores too: lines of a splittable
                // format are parsed in chunks on every core and joined in order.
                let file = path.display().to_string();
                let hook = meter.hook(bytes);
                let result = faultline_logs::parse_parallel(
                    &mut reader,
                    format,
                    &opts,
                    threads,
                    || ClockShift::new(part_sink(file.clone(), &cancel, &hook, spill), offset_ms),
                    |chunk, first_flags| {
                        buffer.absorb(chunk.into_inner().into_inner().into_inner(), first_flags);
                        meter.preview(&buffer);
                        buffer.spill_if_full();
                    },
                );
                stamp.sha256 = hasher.finish(&mut reader);
                problems.extend(status.problem().map(|p| format!("{}: {p}", path.display())));
                let s = result.map_err(|e| EngineError::input(path, e.to_string()))?;
                unparsed += s.unparsed;
                bytes += stamp.size;
                cancelled |= s.stopped;
                totals.truncated += s.truncated;
                totals.dst_gap += s.dst_gap;
                totals.dst_ambiguous += s.dst_ambiguous;
                totals.out_of_order += s.out_of_order;
                files.push(stamp);
                if cancelled {
                    break;
                }
            }
            if format.infers_year() {
                notes.push("years inferred from each file's modification time".to_string());
            }
        }
        Reader::Export(format) => {
            let mut shifted = Cancellable::new(ClockShift::new(&mut buffer, offset_ms), cancel.clone());
            let by = chrono::Duration::milliseconds(offset_ms);
            // The window is in corrected time; the source states its own clock's.
            let back = |t: Option<Instant>| t.and_then(|t| t.checked_sub_signed(by));
            let changes_within = changes_within.map(|(a, b)| (back(a), back(b)));
            match faultline_sources::parse(&source.path, *format, &SourceOptions { zone, changes_within }, &mut shifted)
            {
                Ok(mut report) => {
                    // The reader tallied the changes as their files state them.
                    report.changes.first = report.changes.first.and_then(|t| t.checked_add_signed(by));
                    report.changes.last = report.changes.last.and_then(|t| t.checked_add_signed(by));
                    unparsed += report.unparsed;
                    identity = report.identity;
                    notes.extend(report.notes);
                    if source.kind == faultline_model::SourceKind::Deploys {
                        change_source = Some(report.changes);
                    }
                    let members = if report.files.is_empty() { source.files.clone() } else { report.files };
                    for path in members {
                        if path.is_file() {
                            let mut stamp =
                                FileStamp::stat(&path).map_err(|e| EngineError::input(&path, e.to_string()))?;
                            stamp.sha256 = hash_file(&path)?;
                            bytes += stamp.size;
                            files.push(stamp);
                        }
                    }
                }
                Err(e @ faultline_sources::SourceError::Sink(_)) => {
                    return Err(EngineError::input(&source.path, e.to_string()));
                }
                Err(e) => {
                    // An export that cannot be read must not stop the analysis: what
                    // was read before the error stays, the rest is counted unparsed.
                    let message = EngineError::input(&source.path, e.to_string()).to_string();
                    let read_before = buffer.record_count() > 0;
                    let from_line = match &e {
                        faultline_sources::SourceError::Syntax { line, .. } if read_before => (*line).max(1),
                        _ if read_before => u64::MAX,
                        _ => 1,
                    };
                    for path in source.files.iter().filter(|p| p.is_file()) {
                        let mut stamp = FileStamp::stat(path).map_err(|e| EngineError::input(path, e.to_string()))?;
                        buffer.set_file(path.display().to_string());
                        let status = StreamStatus::default();
                        let (mut reader, hasher) = open_hashed(path, &status)?;
                        unparsed += UnparsedCounter { sink: &mut Cancellable::new(&mut buffer, cancel.clone()) }
                            .run_from(&mut reader, "export could not be read", from_line)?;
                        stamp.sha256 = hasher.finish(&mut reader);
                        bytes += stamp.size;
                        files.push(stamp);
                    }
                    notes.push(crate::partial::unreadable_note(&message));
                    problems.push(format!(
                        "{message}: its lines are counted unparsed and stay searchable; the analysis is partial"
                    ));
                }
            }
        }
        Reader::Unrecognized | Reader::Binary | Reader::Unreadable(_) => {
            let reason = match &source.reader {
                Reader::Binary => "binary content",
                Reader::Unreadable(_) => "not recognized as what it was given as",
                _ => "no recognized format",
            };
            for path in &source.files {
                let mut stamp = FileStamp::stat(path).map_err(|e| EngineError::input(path, e.to_string()))?;
                buffer.set_file(path.display().to_string());
                let status = StreamStatus::default();
                let (mut reader, hasher) = open_hashed(path, &status)?;
                unparsed += UnparsedCounter { sink: &mut Cancellable::new(&mut buffer, cancel.clone()) }
                    .run(&mut reader, reason)?;
                stamp.sha256 = hasher.finish(&mut reader);
                problems.extend(status.problem().map(|p| format!("{}: {p}", path.display())));
                bytes += stamp.size;
                files.push(stamp);
            }
            notes.push(match &source.reader {
                Reader::Binary => {
                    "binary file: not read as records; its lines are counted as unparsed and stay searchable".into()
                }
                Reader::Unreadable(why) => crate::partial::unreadable_note(why),
                _ => "no known format matched: lines counted as unparsed, still searchable".into(),
            });
        }
    }
    if totals.truncated > 0 {
        notes.push(format!("{} records longer than 1 MiB were truncated (their start is kept)", totals.truncated));
    }
    if totals.dst_gap + totals.dst_ambiguous > 0 {
        notes.push(format!(
            "{} times fell in a DST gap (moved forward) and {} were ambiguous (earlier instant taken) in {}",
            totals.dst_gap,
            totals.dst_ambiguous,
            zone.label()
        ));
    }
    if totals.out_of_order > 0 {
        notes.push(format!("{} records are earlier than the record before them (kept, flagged)", totals.out_of_order));
    }
    notes.extend(problems.iter().cloned());
    if offset_ms != 0 {
        notes.push(format!(
            "clock corrected by {}: every instant it states is moved so (set by the analyst)",
            faultline_model::clock::format_offset(offset_ms)
        ));
    }
    let (first, last) = buffer.range();
    let sha256 = if windowed.is_some() {
        // Hashing would cost the whole read the window saved: no hash, and the window says so.
        String::new()
    } else if let Some(identity) = identity {
        // A repository: its HEAD and the commits read, which its notes name.
        faultline_input::sha256_hex(identity.as_bytes())
    } else if files.len() == 1 {
        files[0].sha256.clone()
    } else {
        // A folder or a rotated set: a hash over the members' hashes, in order.
        let mut h = Sha256::new();
        for f in &files {
            h.update(f.path.to_string_lossy().as_bytes());
            h.update(f.sha256.as_bytes());
        }
        faultline_input::hex(&h.finalize())
    };
    let summary = SourceSummary {
        path: source.path.display().to_string(),
        kind: source.kind,
        format: source.format_name(),
        records: buffer.record_count(),
        unparsed,
        first,
        last,
        tz: zone.to_string(),
        bytes,
        sha256,
        notes,
        clock_offset_ms: offset_ms,
        // A cancelled read holds only a part (and is not stored as finished).
        complete: !cancelled,
        window: windowed,
    };
    let change_source = change_source.map(|c: faultline_model::ChangeSourceSummary| {
        faultline_model::ChangeSourceSummary { path: summary.path.clone(), format: summary.format.clone(), ..c }
    });
    Ok(Ingested { summary, files, buffer, cancelled, problems, change_source })
}
