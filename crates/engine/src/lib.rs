//! The facade the `faultline` CLI and the desktop call.
//!
//! An [`Engine`] owns one case (a case file on disk, or in memory for one-shot
//! CLI runs). [`Engine::ingest`] plans the sources of the paths given
//! ([`plan`]), reads the new or changed ones in parallel and stores them;
//! [`Engine::analyze`] correlates the case into an [`Analysis`];
//! [`export`] renders it; [`Engine::search`] and [`Engine::excerpt`] bring
//! raw lines back from the user's files. Nothing here knows about Tauri.
#![deny(missing_docs)]

mod edits;
mod ingest;
pub mod logstore;
pub mod partial;
pub mod plan;
pub mod recent;
mod robust;
pub mod sample;

pub use edits::{timeline_key, EntryState};
pub use faultline_clickhouse as clickhouse;
pub use faultline_correlate::CorrelateOptions;
/// Log format definitions (lnav's schema) and Faultline's hand-written formats, for `faultline formats`.
pub use faultline_logs::{formats as log_formats, NATIVE_FORMATS};
pub use faultline_model::time::Zone;
pub use faultline_model::{Analysis, ErrorSeries, Instant, SourceKind, SourceSummary, TimelineEntry, TimelineKind};
pub use faultline_report::{ExportOptions, Format, MaskCounts, SecretKind, TemplateChoice};
pub use faultline_search::{Excerpt, ExcerptLine, SearchOptions};
pub use faultline_store::{Note, SourceMeta, TimelineEdit, UnparsedLine};
pub use logstore::{StoreInput, StoreOptions, StoreReport};
pub use plan::{Input, Plan, PlannedSource};

use faultline_store::CaseFile;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An engine error, written for the user: it names the file (and line where
/// the parser knows it).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// An input could not be read or is not what the user said it is.
    #[error("{path}: {message}")]
    Input {
        /// The file or folder.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The case file failed.
    #[error(transparent)]
    Store(#[from] faultline_store::StoreError),
    /// Search failed.
    #[error(transparent)]
    Search(#[from] faultline_search::SearchError),
    /// Export failed.
    #[error(transparent)]
    Report(#[from] faultline_report::ReportError),
    /// A request outside what the case holds (a file that is not one of its inputs, …).
    #[error("{0}")]
    Other(String),
}

impl EngineError {
    pub(crate) fn input(path: &Path, message: impl Into<String>) -> EngineError {
        let message = message.into();
        let shown = path.display().to_string();
        // Parsers often name the file themselves; do not say it twice.
        let message = message.strip_prefix(&format!("{shown}: ")).map(str::to_string).unwrap_or(message);
        EngineError::Input { path: shown, message }
    }
}

/// How to ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// The zone for timestamps written without one.
    pub zone: Zone,
    /// Set to stop ingest early (the desktop's cancel button).
    pub cancel: Option<Arc<AtomicBool>>,
    /// Only records in `[from, to]` are wanted (`--from/--to`; either end
    /// may be open). Plain, time-ordered logs of a line-per-record format
    /// are then read only around the window, found through their byte
    /// offsets; every other source is read whole. A source read for a window
    /// says so in its notes and is not reused for another window or a whole read.
    pub window: Option<(Option<Instant>, Option<Instant>)>,
    /// How far before the logs a change may be a suspect (`None`: the
    /// correlator's default, 24 h). A git repository is read only for this
    /// look-back before the earliest log record (or `window`'s start) up to
    /// an hour past the latest, walking newest first: read after the logs,
    /// whose time range it needs.
    pub lookback: Option<chrono::Duration>,
    /// Clock offsets the analyst gives sources (`--offset SOURCE=±DURATION`):
    /// a source name (its path, a path suffix or its file name) and the
    /// milliseconds added to every instant it states. A source not named
    /// keeps the offset the case has for it; one named with another offset
    /// than it was read with is read again. A name that matches no source
    /// of this ingest, or several, is an error.
    pub offsets: Vec<(String, i64)>,
}

/// Which of `paths` the analyst means by `name`: the path itself, else the
/// one path ending in `/name` (a file name or a trailing part of the path).
pub fn source_named<'a>(name: &str, paths: impl IntoIterator<Item = &'a str>) -> Result<&'a str, EngineError> {
    let paths: Vec<&str> = paths.into_iter().collect();
    if let Some(exact) = paths.iter().find(|p| **p == name) {
        return Ok(exact);
    }
    let trimmed = name.trim_start_matches("./");
    let suffix = format!("/{trimmed}");
    let mut found: Vec<&str> = paths.iter().copied().filter(|p| p.ends_with(&suffix)).collect();
    found.sort_unstable();
    found.dedup();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(EngineError::Other(format!(
            "--offset {name}: no source of this analysis is named so (sources: {})",
            if paths.is_empty() { "none".to_string() } else { paths.join(", ") }
        ))),
        many => Err(EngineError::Other(format!(
            "--offset {name}: names {} sources ({}); give more of the path",
            many.len(),
            many.join(", ")
        ))),
    }
}

/// What ingest reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// The sources were planned.
    Planned {
        /// The sources about to be read.
        sources: Vec<PlannedSource>,
        /// Paths that could not be looked at.
        problems: Vec<String>,
    },
    /// A source is being read.
    Started {
        /// Its path.
        path: String,
        /// Its format.
        format: String,
        /// Its size in bytes.
        bytes: u64,
    },
    /// A source is in the case.
    Finished {
        /// Its summary.
        summary: SourceSummary,
        /// It was unchanged and not read again.
        reused: bool,
    },
    /// The error series of what has been read so far, over the sources
    /// being read (at most [`SERIES_PREVIEWS_PER_SECOND`] a second): a chart
    /// can show a big file's shape long before its analysis is done.
    Series {
        /// Buckets of at least a minute.
        series: ErrorSeries,
    },
    /// How far the reading of a source got (at most [`BYTES_PROGRESS_PER_SECOND`]
    /// of these per second, over all sources).
    Bytes {
        /// The source's path (as in `Started`).
        path: String,
        /// Bytes read so far, over its files (decompressed bytes for a `.gz`).
        bytes_read: u64,
        /// Records read so far.
        records: u64,
    },
}

/// The most [`Progress::Bytes`] updates per second an ingest sends: a UI
/// that redraws on each stays responsive, and a second still shows motion.
pub const BYTES_PROGRESS_PER_SECOND: u32 = 10;

/// The most [`Progress::Series`] previews per second an ingest sends: each
/// redraws a chart, which costs a software-rendered webview tens of ms.
pub const SERIES_PREVIEWS_PER_SECOND: u32 = 4;

/// The chart preview of one ingest: each log source's counts so far, in
/// minute buckets, summed over the sources into [`Progress::Series`].
#[derive(Default)]
pub(crate) struct SeriesPreview {
    by_source:
        std::sync::Mutex<std::collections::BTreeMap<String, (std::time::Instant, Vec<faultline_model::SecondCount>)>>,
    sent: std::sync::Mutex<Option<std::time::Instant>>,
}

impl SeriesPreview {
    const EVERY: std::time::Duration = std::time::Duration::from_millis(1000 / SERIES_PREVIEWS_PER_SECOND as u64);

    /// Takes in what `buffer` (source `path`) counted so far and, when a
    /// preview is due, hands `send` the series over every source. The first
    /// call of each source always takes its counts, so a chart can appear
    /// after its first chunk. `send` runs under the lock, so previews leave in
    /// the order they were built. (No final preview: the analysis follows.)
    fn update(&self, path: &str, buffer: &faultline_store::IngestBuffer, send: impl FnOnce(ErrorSeries)) {
        let now = std::time::Instant::now();
        let Ok(mut by_source) = self.by_source.lock() else { return };
        if by_source.get(path).is_some_and(|(at, _)| now.duration_since(*at) < Self::EVERY) {
            return;
        }
        by_source.insert(path.to_string(), (now, buffer.bucket_counts(60)));
        let Ok(mut sent) = self.sent.lock() else { return };
        if sent.is_some_and(|at| now.duration_since(at) < Self::EVERY) {
            return;
        }
        *sent = Some(now);
        let counts: Vec<_> = by_source.values().flat_map(|(_, c)| c.iter().copied()).collect();
        let (Some(first), Some(last)) = (counts.iter().map(|c| c.second).min(), counts.iter().map(|c| c.second).max())
        else {
            return;
        };
        // Minute counts can only be summed into buckets of whole minutes.
        let bucket = faultline_correlate::series::auto_bucket(last - first + 60).max(60);
        let case = faultline_model::CaseData { counts, ..Default::default() };
        send(faultline_correlate::series::build(&case, Some(bucket)));
    }
}

/// Turns the parsers' progress calls for one source into throttled
/// [`Progress::Bytes`] messages. Parsers run on rayon and scoped threads, so
/// the messages go through a channel to the thread that owns the caller's
/// callback.
pub(crate) struct ByteMeter {
    path: String,
    bytes: std::sync::atomic::AtomicU64,
    records: std::sync::atomic::AtomicU64,
    tx: std::sync::Mutex<std::sync::mpsc::Sender<Progress>>,
    last: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
    preview: Arc<SeriesPreview>,
}

impl ByteMeter {
    /// The hook for the file that starts `base` bytes into the source.
    pub(crate) fn hook(self: &Arc<Self>, base: u64) -> faultline_store::ProgressHook {
        let meter = self.clone();
        faultline_store::ProgressHook(Arc::new(move |pos, new| meter.tick(base + pos, new)))
    }

    /// Called after each chunk of the source joins `buffer`, in file order.
    pub(crate) fn preview(&self, buffer: &faultline_store::IngestBuffer) {
        self.preview.update(&self.path, buffer, |series| {
            if let Ok(tx) = self.tx.lock() {
                let _ = tx.send(Progress::Series { series });
            }
        });
    }

    fn tick(&self, at: u64, new_records: u64) {
        let records = self.records.fetch_add(new_records, Ordering::Relaxed) + new_records;
        let bytes = self.bytes.fetch_max(at, Ordering::Relaxed).max(at);
        let every = std::time::Duration::from_millis(1000 / u64::from(BYTES_PROGRESS_PER_SECOND));
        let Ok(mut last) = self.last.lock() else { return };
        if last.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        *last = Some(std::time::Instant::now());
        if let Ok(tx) = self.tx.lock() {
            let _ = tx.send(Progress::Bytes { path: self.path.clone(), bytes_read: bytes, records });
        }
    }
}

/// Hands the memory the ingest buffers freed back to the system. glibc keeps
/// freed heap for reuse, so an ingest followed by an analysis in one process
/// peaked at the sum of both (117 MiB on the 5M-line benchmark log) instead
/// of the larger of the two.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// What [`Engine::ingest`] did.
#[derive(Debug, Clone, Default)]
pub struct IngestReport {
    /// The sources of this ingest, in plan order.
    pub sources: Vec<SourceSummary>,
    /// Paths of sources that were unchanged and not read again.
    pub reused: Vec<String>,
    /// Paths that could not be looked at, with why.
    pub problems: Vec<String>,
    /// Ingest was cancelled; some sources are incomplete.
    pub cancelled: bool,
    /// The change sources read by this ingest: tools, changes, range and moments.
    pub change_sources: Vec<faultline_model::ChangeSourceSummary>,
}

/// How to analyze.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    /// Correlator settings (look-back window, chart buckets).
    pub correlate: CorrelateOptions,
    /// Only records, messages and alerts at or after this instant; changes
    /// from the look-back before it (they are the candidates for the cause).
    pub from: Option<Instant>,
    /// Only records at or before this instant.
    pub to: Option<Instant>,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The source it belongs to.
    pub source: String,
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: u64,
    /// Byte offset.
    pub offset: u64,
    /// The line.
    pub text: String,
    /// The instant of the record the line belongs to, when known.
    pub time: Option<Instant>,
}

/// What to search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The pattern.
    pub pattern: String,
    /// Regex or literal, case.
    pub options: SearchOptions,
    /// Only hits whose record is at or after this instant.
    pub from: Option<Instant>,
    /// Only hits whose record is at or before this instant.
    pub to: Option<Instant>,
    /// Stop after this many hits (0 = no limit).
    pub max_hits: usize,
}

/// Decides whether the engine may read a file the case names (search,
/// excerpts, cited lines, reading a source again). A case file from someone
/// else lists paths of their choosing: the desktop allows only the files the
/// analyst granted in this session. Without a policy every file is readable
/// (the CLI reads what its own command line names). A log store's cited
/// row is asked for by its citation (`clickhouse://…`): fetching it
/// contacts the server the case names.
pub type ReadPolicy = Arc<dyn Fn(&Path) -> bool + Send + Sync>;

/// The one place the engine keeps its state: the case (and, in memory only,
/// who each log store was queried as).
pub struct Engine {
    case: CaseFile,
    case_path: Option<PathBuf>,
    read_policy: Option<ReadPolicy>,
    /// The log-store tables this process queried itself, by locator, with who
    /// it queried them as; never written to the case. A citation's raw rows
    /// are fetched only from these (or, in the CLI, from the case's record).
    store_targets: std::sync::Mutex<std::collections::HashMap<String, faultline_clickhouse::Target>>,
}

impl Engine {
    /// Opens the case at `case_path` (created if missing), or an in-memory case.
    pub fn open(case_path: Option<&Path>) -> Result<Engine, EngineError> {
        let case = match case_path {
            Some(p) => CaseFile::open(p)?,
            None => CaseFile::temporary()?,
        };
        Ok(Engine {
            case,
            case_path: case_path.map(Path::to_path_buf),
            read_policy: None,
            store_targets: Default::default(),
        })
    }

    /// Limits which of the case's files the engine reads (see [`ReadPolicy`]).
    pub fn with_read_policy(mut self, policy: ReadPolicy) -> Engine {
        self.read_policy = Some(policy);
        self
    }

    /// Whether the read policy allows reading `path`.
    pub fn may_read(&self, path: &Path) -> bool {
        self.read_policy.as_ref().is_none_or(|p| p(path))
    }

    /// Drops the planned files the read policy refuses: a symbolic link in
    /// an opened folder that points out of it (a log bundle from elsewhere
    /// can carry one to `~/.aws/credentials`) is named as a problem, not read.
    fn withhold_unreadable(&self, mut plan: Plan) -> Plan {
        if self.read_policy.is_none() {
            return plan;
        }
        let mut refused = Vec::new();
        plan.sources.retain_mut(|source| {
            let had_files = !source.files.is_empty();
            source.files.retain(|f| {
                let ok = self.may_read(f);
                if !ok {
                    refused.push(f.clone());
                }
                ok
            });
            (!had_files || !source.files.is_empty()) && self.may_read(&source.path)
        });
        plan.problems.extend(refused.into_iter().map(|f| {
            format!(
                "{}: outside the files and folders opened in this session (a symbolic link?), not read",
                f.display()
            )
        }));
        plan
    }

    /// The case file, when on disk.
    pub fn case_path(&self) -> Option<&Path> {
        self.case_path.as_deref()
    }

    /// The temporary file of a case opened without a path, deleted when the
    /// engine is dropped; a caller that can be ended by a signal deletes it then.
    pub fn temporary_case_file(&self) -> Option<&Path> {
        self.case.temporary_path()
    }

    /// Reads `inputs` into the case. Sources already in the case whose files
    /// are unchanged (same size and mtime) and were read the same way are
    /// reused without parsing: a source read only for a window serves only
    /// that same window; one read whole serves any.
    pub fn ingest(
        &self,
        inputs: &[Input],
        opts: &IngestOptions,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<IngestReport, EngineError> {
        let plan = self.withhold_unreadable(plan::plan(inputs)?);
        progress(&Progress::Planned { sources: plan.sources.clone(), problems: plan.problems.clone() });
        let stored = self.case.sources()?;
        let zone_name = opts.zone.to_string();
        let mut given_offsets: std::collections::HashMap<String, i64> = Default::default();
        {
            let planned: Vec<String> = plan.sources.iter().map(|s| s.path.display().to_string()).collect();
            // Only a source this ingest reads can take a new offset now.
            for (name, ms) in &opts.offsets {
                given_offsets.insert(source_named(name, planned.iter().map(String::as_str))?.to_string(), *ms);
            }
        }
        let offset_of = |path: &str| -> i64 {
            given_offsets.get(path).copied().unwrap_or_else(|| {
                stored.iter().find(|m| m.summary.path == path).map_or(0, |m| m.summary.clock_offset_ms)
            })
        };
        let wanted_window = opts.window.map(|(from, to)| ingest::window_note(from, to));
        let mut report = IngestReport { problems: plan.problems.clone(), ..Default::default() };
        let mut todo = Vec::new();
        for source in &plan.sources {
            let path = source.path.display().to_string();
            let reusable = stored.iter().find(|m| m.summary.path == path).filter(|m| {
                m.complete
                    && m.summary.format == source.format_name()
                    && m.summary.kind == source.kind
                    && m.summary.tz == zone_name
                    && m.summary.clock_offset_ms == offset_of(&path)
                    && !matches!(source.reader, plan::Reader::Export(faultline_sources::SourceFormat::GitRepo))
                    && unchanged(&m.files)
                    && match m.summary.notes.iter().find(|n| ingest::is_window_note(n)) {
                        None => true,
                        Some(read) => wanted_window.as_deref() == Some(read.as_str()),
                    }
            });
            match reusable {
                Some(m) => {
                    report.reused.push(path);
                    progress(&Progress::Finished { summary: m.summary.clone(), reused: true });
                }
                None => todo.push(source),
            }
        }
        // Mark every source about to be read as incomplete first: a process
        // killed mid-ingest leaves a case that says what is missing.
        let todo: Vec<(&PlannedSource, i64)> =
            todo.into_iter().map(|s| (s, offset_of(&s.path.display().to_string()))).collect();
        for (source, offset) in &todo {
            self.case.begin_source(&SourceSummary {
                path: source.path.display().to_string(),
                kind: source.kind,
                format: source.format_name(),
                records: 0,
                unparsed: 0,
                first: None,
                last: None,
                tz: zone_name.clone(),
                bytes: 0,
                sha256: String::new(),
                notes: vec![],
                clock_offset_ms: *offset,
            })?;
        }
        let cancel = opts.cancel.clone().unwrap_or_default();
        let zone = opts.zone;
        let window = opts.window;
        let lookback = opts.lookback.unwrap_or_else(|| CorrelateOptions::default().lookback);
        let stored = &stored;
        let (tx, rx) = std::sync::mpsc::channel::<Progress>();
        let throttle = Arc::new(std::sync::Mutex::new(None));
        let preview = Arc::new(SeriesPreview::default());
        let parsed = AtomicBool::new(false);
        // Notable records reach the case while the files are read (the case's
        // connection stays on this thread); a full channel holds the readers back.
        let (spill_tx, spill_rx) = std::sync::mpsc::sync_channel::<ingest::Spilled>(2);
        let mut spill_error = None;
        let results: Vec<Result<ingest::Ingested, EngineError>> = std::thread::scope(|scope| {
            // Forwards the parsers' byte progress to the caller's callback
            // until every source is read (a polled flag, not the channel's
            // end: a stray hook clone must not hang the ingest).
            let parsed = &parsed;
            scope.spawn(move || loop {
                match rx.recv_timeout(std::time::Duration::from_millis(50)) {
                    Ok(p) => progress(&p),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) if !parsed.load(Ordering::SeqCst) => {}
                    Err(_) => break,
                }
            });
            let (todo, cancel, throttle, preview) = (&todo, &cancel, &throttle, &preview);
            let readers = scope.spawn(move || {
                let read_one = |(source, offset): &(&PlannedSource, i64),
                                within: Option<(Option<Instant>, Option<Instant>)>| {
                    let path = source.path.display().to_string();
                    let bytes = source.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
                    progress(&Progress::Started { path: path.clone(), format: source.format_name(), bytes });
                    let spill = ingest::Spill::new(path.clone(), spill_tx.clone());
                    let meter = Arc::new(ByteMeter {
                        path,
                        bytes: Default::default(),
                        records: Default::default(),
                        tx: std::sync::Mutex::new(tx.clone()),
                        last: throttle.clone(),
                        preview: preview.clone(),
                    });
                    ingest::ingest_source(source, zone, window, within, *offset, cancel.clone(), &meter, &spill)
                };
                // Repositories last: their look-back is measured from the logs.
                let is_repo = |(s, _): &&(&PlannedSource, i64)| {
                    matches!(s.reader, plan::Reader::Export(faultline_sources::SourceFormat::GitRepo))
                };
                let mut slots: Vec<Option<Result<ingest::Ingested, EngineError>>> = Vec::new();
                slots.resize_with(todo.len(), || None);
                let firsts: Vec<(usize, Result<ingest::Ingested, EngineError>)> = todo
                    .par_iter()
                    .enumerate()
                    .filter(|(_, s)| !is_repo(s))
                    .map(|(i, s)| (i, read_one(s, None)))
                    .collect();
                let logs = firsts
                    .iter()
                    .filter_map(|(_, r)| r.as_ref().ok())
                    .map(|i| &i.summary)
                    .chain(stored.iter().map(|m| &m.summary))
                    .filter(|s| s.kind == SourceKind::Log)
                    .map(|s| (s.first, s.last));
                let within = ingest::changes_window(logs, window, lookback);
                for (i, r) in firsts {
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = Some(r);
                    }
                }
                let repos: Vec<(usize, Result<ingest::Ingested, EngineError>)> = todo
                    .par_iter()
                    .enumerate()
                    .filter(|(_, s)| is_repo(s))
                    .map(|(i, s)| (i, read_one(s, within)))
                    .collect();
                for (i, r) in repos {
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = Some(r);
                    }
                }
                let results: Vec<Result<ingest::Ingested, EngineError>> = slots
                    .into_iter()
                    .map(|r| r.unwrap_or_else(|| Err(EngineError::Other("a source was not read".into()))))
                    .collect();
                parsed.store(true, Ordering::SeqCst);
                let _ = spill_tx.send(ingest::Spilled::Done);
                results
            });
            // Until every reader is done (or gone: a panic drops the senders).
            // After a failed write the rest is drained, so no reader waits
            // forever; the receiver is owned here, so a panic while writing
            // drops it and the readers' sends fail instead of blocking.
            let spill_rx = spill_rx;
            while let Ok(message) = spill_rx.recv() {
                let written = match &message {
                    ingest::Spilled::Done => break,
                    _ if spill_error.is_some() => Ok(()),
                    ingest::Spilled::Records { path, records } => self.case.spill_records(path, records),
                    ingest::Spilled::Discard { path } => self.case.discard_spilled(path),
                };
                if let Err(e) = written {
                    spill_error = Some(e);
                }
            }
            readers.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        if let Some(e) = spill_error {
            // The sources stay marked incomplete in the case.
            return Err(e.into());
        }
        for ((source, _), result) in todo.iter().zip(results) {
            let mut ingested = match result {
                Ok(i) => i,
                Err(e) => {
                    // One unreadable source (a corrupt repository, a file gone
                    // since planning) must not cost the others: it is named and
                    // left out of the case.
                    self.case.remove_source(&source.path.display().to_string())?;
                    report.problems.push(e.to_string());
                    continue;
                }
            };
            if ingested.cancelled {
                report.cancelled = true;
                continue;
            }
            report.problems.append(&mut ingested.problems);
            report.change_sources.extend(ingested.change_source.take());
            if let Some(change) = content_change(stored, &ingested.summary) {
                ingested.summary.notes.push(change.clone());
                report.problems.push(format!("{}: {change}", ingested.summary.path));
            }
            self.case.write_source(&ingested.summary, &ingested.files, &ingested.buffer)?;
            progress(&Progress::Finished { summary: ingested.summary.clone(), reused: false });
        }
        let all = self.case.sources()?;
        report.sources = plan
            .sources
            .iter()
            .filter_map(|s| {
                let path = s.path.display().to_string();
                all.iter().find(|m| m.summary.path == path).map(|m| m.summary.clone())
            })
            .collect();
        report.cancelled |= cancel.load(Ordering::Relaxed);
        release_freed_memory();
        Ok(report)
    }

    /// Every source in the case.
    pub fn sources(&self) -> Result<Vec<SourceMeta>, EngineError> {
        Ok(self.case.sources()?)
    }

    /// Removes a source from the case.
    pub fn remove_source(&self, path: &str) -> Result<(), EngineError> {
        Ok(self.case.remove_source(path)?)
    }

    /// Opens an existing case file; unlike [`Engine::open`] it creates
    /// nothing and refuses a file that is not a Faultline case.
    pub fn open_existing(case_path: &Path) -> Result<Engine, EngineError> {
        if !case_path.is_file() {
            return Err(EngineError::input(case_path, "no such case file"));
        }
        Ok(Engine {
            case: CaseFile::open_existing(case_path)?,
            case_path: Some(case_path.to_path_buf()),
            read_policy: None,
            store_targets: Default::default(),
        })
    }

    /// Writes a consistent copy of the case to `dest` (replacing a file
    /// there), through a temporary file in the same folder and a rename, so
    /// `dest` is either the old file or the whole new case.
    pub fn save_copy(&self, dest: &Path) -> Result<(), EngineError> {
        let same = self.case_path.as_deref().is_some_and(|p| {
            p == dest || (p.canonicalize().ok().is_some() && p.canonicalize().ok() == dest.canonicalize().ok())
        });
        if same {
            return Ok(());
        }
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| EngineError::input(dest, "not a file name"))?;
        let tmp = dest.with_file_name(format!(".{name}.saving-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        self.case.copy_to(&tmp)?;
        std::fs::rename(&tmp, dest).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            EngineError::input(dest, e.to_string())
        })
    }

    /// Reads one source of the case again, as `kind` (detected when `None`)
    /// with zone-less timestamps in `opts.zone`: the analyst's correction of
    /// the detection table. The forced kind is checked against the content
    /// before the old records are dropped.
    pub fn reingest_source(
        &self,
        path: &str,
        kind: Option<SourceKind>,
        opts: &IngestOptions,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<IngestReport, EngineError> {
        let meta = self
            .case
            .sources()?
            .into_iter()
            .find(|m| m.summary.path == path)
            .ok_or_else(|| EngineError::Other(format!("{path} is not a source of this case")))?;
        let root = Path::new(path);
        if !self.may_read(root) || meta.files.iter().any(|f| !self.may_read(&f.path)) {
            return Err(EngineError::input(root, "not readable in this session: open or confirm its folder first"));
        }
        // A folder source (git repository, Slack export) is read from its
        // folder; a rotated set from its members, which plan back into one source.
        let inputs: Vec<Input> = if root.is_dir() || meta.files.len() <= 1 {
            vec![Input { path: root.to_path_buf(), kind }]
        } else {
            meta.files.iter().map(|f| Input { path: f.path.clone(), kind }).collect()
        };
        // The analyst's correction is checked against the content before the old records go.
        let planned = plan::plan(&inputs)?;
        if let Some((path, why)) = planned.sources.iter().find_map(|s| match &s.reader {
            plan::Reader::Unreadable(why) => Some((s.path.clone(), why.clone())),
            _ => None,
        }) {
            return Err(EngineError::input(&path, why));
        }
        // The offset the analyst set stays with the source unless this read sets another.
        let mut opts = opts.clone();
        let named = opts.offsets.iter().any(|(name, _)| source_named(name, [path]).is_ok());
        let planned_as_before = planned.sources.iter().any(|s| s.path == root);
        if meta.summary.clock_offset_ms != 0 && !named && planned_as_before {
            opts.offsets.push((path.to_string(), meta.summary.clock_offset_ms));
        }
        self.case.remove_source(path)?;
        self.ingest(&inputs, &opts, progress)
    }

    /// The analyst's timeline edits.
    pub fn timeline_edits(&self) -> Result<Vec<TimelineEdit>, EngineError> {
        Ok(self.case.timeline_edits()?)
    }

    /// Stores an edit of the timeline entry `key` (of the analysis `opts`
    /// asks for, or one edited before). Pinning keeps the entry as it is now.
    pub fn edit_timeline(
        &self,
        key: &str,
        opts: &AnalyzeOptions,
        change: impl FnOnce(&mut TimelineEdit),
    ) -> Result<TimelineEdit, EngineError> {
        let mut edit = match self.case.timeline_edits()?.into_iter().find(|e| e.key == key) {
            Some(e) => e,
            None => {
                let analysis = self.analyze_unedited(opts)?;
                let entry = analysis
                    .timeline
                    .into_iter()
                    .find(|e| edits::editable(e) && timeline_key(e) == key)
                    .ok_or_else(|| EngineError::Other(format!("no timeline entry {key} in this case")))?;
                TimelineEdit { key: key.to_string(), pinned: false, hidden: false, rename: None, entry }
            }
        };
        change(&mut edit);
        if edit.rename.as_deref().is_some_and(|r| r.trim().is_empty() || r == edit.entry.text) {
            edit.rename = None;
        }
        self.case.set_timeline_edit(&edit)?;
        Ok(edit)
    }

    /// Correlates the case and applies the analyst's timeline edits (hidden
    /// entries left out, renamed text used, pinned entries kept): what every
    /// view and export shows.
    pub fn analyze(&self, opts: &AnalyzeOptions) -> Result<Analysis, EngineError> {
        Ok(self.analyze_edited(opts)?.0)
    }

    /// [`Engine::analyze`], with what the analyst did to each remaining
    /// timeline entry (parallel to `timeline`).
    pub fn analyze_edited(&self, opts: &AnalyzeOptions) -> Result<(Analysis, Vec<EntryState>), EngineError> {
        let mut analysis = self.analyze_unedited(opts)?;
        let edits = self.case.timeline_edits()?;
        let states = edits::apply(&mut analysis, &edits);
        Ok((analysis, states))
    }

    fn analyze_unedited(&self, opts: &AnalyzeOptions) -> Result<Analysis, EngineError> {
        // Before the earliest representable instant: every change.
        let changes_from = opts.from.and_then(|from| from.checked_sub_signed(opts.correlate.lookback));
        // The notable records become error events as they stream from the
        // case; only the few the analysis reads whole stay in `data`.
        let mut events = faultline_correlate::events::Extractor::default();
        let data =
            self.case.load_window_with(opts.from, opts.to, changes_from, |sources, nr| events.push(sources, nr))?;
        let extracted = events.finish();
        let client_ids = extracted.client_ids();
        let stored = self.case.sources()?;
        let unread = partial::unread_inputs(stored.iter().map(|m| (&m.summary, m.complete)));
        let correlate = CorrelateOptions {
            unread_change_sources: unread.iter().filter(|u| u.kind == SourceKind::Deploys).count() as u32,
            ..opts.correlate.clone()
        };
        let mut analysis = faultline_correlate::analyze_events(&data, extracted, &correlate);
        if let Some(novelty) = analysis.novelty.as_mut() {
            name_clients(&self.case, novelty, &client_ids)?;
        }
        partial::mark(&mut analysis, &data, &stored);
        for note in self.case.notes()? {
            analysis.timeline.push(TimelineEntry {
                time: note.time,
                kind: TimelineKind::Note,
                source: "analyst".into(),
                text: note.text,
                citation: None,
                change_id: None,
                suspect: false,
                clock_offset_ms: None,
            });
        }
        analysis.timeline.sort_by_key(|e| e.time);
        cite_raw_lines(&mut analysis, &self.case, &|p| self.may_read(p));
        // The contract's evidence lines, summaries and lead, worded from the typed facts.
        faultline_report::fill_text(&mut analysis);
        Ok(analysis)
    }

    /// The first unparsed lines kept per source.
    pub fn unparsed_lines(&self, limit: usize) -> Result<Vec<UnparsedLine>, EngineError> {
        Ok(self.case.unparsed_lines(limit)?)
    }

    /// Adds an analyst's note.
    pub fn add_note(&self, time: Instant, text: &str) -> Result<Note, EngineError> {
        Ok(self.case.add_note(time, text)?)
    }

    /// Removes a note.
    pub fn delete_note(&self, id: i64) -> Result<bool, EngineError> {
        Ok(self.case.delete_note(id)?)
    }

    /// The analyst's notes.
    pub fn notes(&self) -> Result<Vec<Note>, EngineError> {
        Ok(self.case.notes()?)
    }

    /// Searches every file of the case, calling `on_hit` until it returns false.
    pub fn search(&self, request: &SearchRequest, on_hit: impl FnMut(SearchHit) -> bool) -> Result<u64, EngineError> {
        let mut targets = Vec::new();
        for meta in self.case.sources()? {
            let zone = Zone::parse(&meta.summary.tz).unwrap_or_default();
            // Files the policy withholds are not searched (the desktop lists them as unavailable).
            for file in meta.files.iter().filter(|f| self.may_read(&f.path)) {
                targets.push(SearchTarget {
                    source: meta.summary.path.clone(),
                    path: file.path.clone(),
                    kind: meta.summary.kind,
                    zone,
                });
            }
        }
        search_targets(&targets, request, on_hit)
    }

    /// The raw lines of a record with context, from one of the case's files.
    pub fn excerpt(
        &self,
        file: &Path,
        offset: u64,
        len: u64,
        line: Option<u64>,
        context: usize,
    ) -> Result<Excerpt, EngineError> {
        // A log store's row, as a citation names it: fetched from the store.
        if let Some(cited) = file.to_str().filter(|f| faultline_clickhouse::is_locator(f)) {
            // A case from someone else names servers of their choosing: its
            // rows are fetched only from a table queried in this session.
            if !self.may_read(file) {
                return Err(EngineError::input(
                    file,
                    "a log store's row: add its ClickHouse source in this session to read its rows",
                ));
            }
            return self.store_excerpt(cited, context);
        }
        let known = self.case.sources()?.iter().any(|m| m.files.iter().any(|f| f.path == file));
        if !known {
            return Err(EngineError::Other(format!("{} is not one of this case's inputs", file.display())));
        }
        if !self.may_read(file) {
            return Err(EngineError::input(file, "not readable in this session: open or confirm its folder first"));
        }
        Ok(faultline_search::excerpt(file, offset, len, line, context, context)?)
    }
}

/// Longest cited line kept in an analysis.
const MAX_CITED_TEXT: usize = 1000;

/// Puts the raw first line of each cited record into its citation, read from
/// the file by offset, so every claim can be checked against its input as
/// written. (The correlator does no I/O and cites changes, messages and alerts
/// by a summary; a commit read from a repository, line 0, keeps it.) Files
/// that are gone, or that `may_read` withholds, keep the summary.
fn cite_raw_lines(analysis: &mut Analysis, case: &CaseFile, may_read: &dyn Fn(&Path) -> bool) {
    let mut cache: std::collections::HashMap<(String, u64), Option<String>> = std::collections::HashMap::new();
    let mut fill = |c: &mut faultline_model::Citation| {
        if c.line == 0 {
            // A log store's row: named by time and key, its text from the case.
            logstore::cite_store_rows(case, c);
            return;
        }
        if !may_read(Path::new(&c.file)) {
            return;
        }
        let raw = cache.entry((c.file.clone(), c.offset)).or_insert_with(|| {
            let ex = faultline_search::excerpt(Path::new(&c.file), c.offset, 1, Some(c.line), 0, 0).ok()?;
            let first = ex.lines.into_iter().find(|l| l.in_record)?;
            Some(first.text.chars().take(MAX_CITED_TEXT).collect())
        });
        if let Some(raw) = raw {
            c.text = raw.clone();
        }
    };
    for listed in &mut analysis.incidents {
        fill(&mut listed.onset_citation);
    }
    if let Some(inc) = analysis.incident.as_mut() {
        fill(&mut inc.onset_citation);
        if let Some(c) = inc.recovered_citation.as_mut() {
            fill(c);
        }
        for sig in &mut inc.signatures {
            fill(&mut sig.example);
        }
    }
    for s in &mut analysis.suspects {
        for c in &mut s.citations {
            fill(c);
        }
    }
    for e in &mut analysis.timeline {
        if let Some(c) = e.citation.as_mut() {
            // The entries that quote an error record ("First incident error: …")
            // quote its raw line: the correlator knew only a summary of a request.
            let summary = c.text.clone();
            fill(c);
            let quotes_error = matches!(e.kind, TimelineKind::ErrorOnset | TimelineKind::Recovery);
            if quotes_error && !summary.is_empty() && c.text != summary {
                if let Some(head) = e.text.strip_suffix(summary.as_str()) {
                    e.text = format!("{head}{}", faultline_correlate::events::cap(&c.text, 300));
                }
            }
        }
    }
}

/// Names the "what is new" clients the analysis counted by id only: their
/// addresses are read back from the case's records of the incident window,
/// until every one has its name.
fn name_clients(
    case: &CaseFile,
    novelty: &mut faultline_model::Novelty,
    ids: &faultline_correlate::events::ClientIds,
) -> Result<(), EngineError> {
    if faultline_correlate::novelty::unnamed_clients(novelty).is_empty() {
        return Ok(());
    }
    // The window's last second holds records up to its end.
    let to = novelty.incident_to + chrono::Duration::microseconds(999_999);
    case.for_each_client(novelty.incident_from, to, |client| {
        !faultline_correlate::novelty::name_clients(novelty, ids, [client])
    })?;
    Ok(())
}

/// Says so when a source read before now has other content: the old records
/// were replaced (never mixed with the new ones), and the analyst should know
/// the evidence moved under them.
fn content_change(stored: &[SourceMeta], now: &SourceSummary) -> Option<String> {
    let before = stored.iter().find(|m| m.summary.path == now.path && m.complete)?;
    // A repository's hash covers the commits of the look-back read, which
    // moves with the logs; its content changed only when its HEAD did.
    let head = |notes: &[String]| {
        notes.iter().find_map(|n| {
            let id = n.strip_prefix("HEAD ")?.split(':').next()?;
            (id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_string())
        })
    };
    let heads = (head(&before.summary.notes), head(&now.notes));
    if let (true, Some(old), Some(new)) =
        (now.format == faultline_sources::SourceFormat::GitRepo.name(), heads.0, heads.1)
    {
        return (old != new).then(|| {
            format!(
                "HEAD moved since it was last read ({} → {}): read again, the earlier changes replaced",
                old.chars().take(12).collect::<String>(),
                new.chars().take(12).collect::<String>()
            )
        });
    }
    let (old, new) = (&before.summary.sha256, &now.sha256);
    if old.is_empty() || new.is_empty() || old == new {
        return None;
    }
    Some(format!(
        "content changed since it was last read (sha256 {} → {}): read again, the earlier records replaced",
        old.chars().take(12).collect::<String>(),
        new.chars().take(12).collect::<String>()
    ))
}

fn unchanged(files: &[faultline_store::FileStamp]) -> bool {
    !files.is_empty()
        && files.iter().all(|f| {
            faultline_store::FileStamp::stat(&f.path)
                .map(|now| now.size == f.size && now.mtime_ns == f.mtime_ns)
                .unwrap_or(false)
        })
}

/// Searches files without ingesting them: the inputs are planned (formats
/// detected from a sample of each file) and their raw files searched, so a
/// search costs a raw scan, not a parse. Zone-less times are read in `zone`.
pub fn search_paths(
    inputs: &[Input],
    zone: Zone,
    request: &SearchRequest,
    on_hit: impl FnMut(SearchHit) -> bool,
) -> Result<u64, EngineError> {
    let plan = plan::plan(inputs)?;
    let mut targets = Vec::new();
    for source in &plan.sources {
        for path in &source.files {
            targets.push(SearchTarget {
                source: source.path.display().to_string(),
                path: path.clone(),
                kind: source.kind,
                zone,
            });
        }
    }
    search_targets(&targets, request, on_hit)
}

/// One file to search, with what dates its hits.
struct SearchTarget {
    source: String,
    path: PathBuf,
    kind: SourceKind,
    zone: Zone,
}

fn search_targets(
    targets: &[SearchTarget],
    request: &SearchRequest,
    mut on_hit: impl FnMut(SearchHit) -> bool,
) -> Result<u64, EngineError> {
    let pattern = faultline_search::Pattern::new(&request.pattern, request.options)?;
    let mut count = 0u64;
    for target in targets {
        // Folder sources (a git repository) are listed as their folder: nothing to scan line by line.
        if !target.path.is_file() {
            continue;
        }
        let timer = LineTimer::new(&target.path, target.kind, target.zone);
        let mut stop = false;
        faultline_search::search_file(&pattern, &target.path, |hit| {
            let time = timer.time_of(&hit);
            let in_window = match time {
                Some(t) => request.from.is_none_or(|f| t >= f) && request.to.is_none_or(|to| t <= to),
                None => request.from.is_none() && request.to.is_none(),
            };
            if !in_window {
                return true;
            }
            count += 1;
            let go_on = on_hit(SearchHit {
                source: target.source.clone(),
                file: hit.file,
                line: hit.line,
                offset: hit.offset,
                text: hit.text,
                time,
            });
            stop = !go_on || (request.max_hits > 0 && count as usize >= request.max_hits);
            !stop
        })?;
        if stop {
            break;
        }
    }
    Ok(count)
}

/// Finds the instant of a search hit: the line's own timestamp, or (for a
/// continuation line such as a traceback frame) the record it belongs to.
struct LineTimer {
    format: Option<faultline_logs::LogFormat>,
    opts: faultline_logs::LogOptions,
}

impl LineTimer {
    fn new(path: &Path, kind: SourceKind, zone: Zone) -> LineTimer {
        let format = if kind == SourceKind::Log {
            faultline_logs::read_sample(path).ok().and_then(|s| faultline_logs::detect(&s))
        } else {
            None
        };
        let year_reference =
            std::fs::metadata(path).ok().and_then(|m| m.modified().ok()).map(|m| zone.local_time(m.into()));
        LineTimer { format, opts: faultline_logs::LogOptions { zone, year_reference, ..Default::default() } }
    }

    fn parse_line(&self, text: &str) -> Option<Instant> {
        let format = self.format.as_ref()?;
        let mut sink = faultline_model::CollectingSink::default();
        let mut line = text.as_bytes().to_vec();
        line.push(b'\n');
        faultline_logs::parse(std::io::Cursor::new(line), format, &self.opts, &mut sink).ok()?;
        sink.records.first().map(|r| r.time)
    }

    fn time_of(&self, hit: &faultline_search::Hit) -> Option<Instant> {
        self.format.as_ref()?;
        if let Some(t) = self.parse_line(&hit.text) {
            return Some(t);
        }
        // A continuation line: walk back to the line that starts its record.
        let ex = faultline_search::excerpt(&hit.file, hit.offset, 1, Some(hit.line), 200, 0).ok()?;
        ex.lines.iter().rev().filter(|l| !l.in_record).find_map(|l| self.parse_line(&l.text))
    }
}

/// The SHA-256 (hex) of a file's bytes, as ingest records it in a source's
/// files: what tells a case's input from another file of the same name.
pub fn file_sha256(path: &Path) -> Result<String, EngineError> {
    ingest::hash_file(path)
}

/// Renders an analysis (see [`faultline_report::export`]).
pub fn export(analysis: &Analysis, opts: &ExportOptions) -> Result<Vec<u8>, EngineError> {
    Ok(faultline_report::export(analysis, opts)?)
}

/// Renders an analysis and says how many values of each kind redaction masked.
pub fn export_counted(analysis: &Analysis, opts: &ExportOptions) -> Result<(Vec<u8>, MaskCounts), EngineError> {
    Ok(faultline_report::export_counted(analysis, opts)?)
}

/// Renders an analysis and writes it to `path`; returns the bytes written.
pub fn export_to(analysis: &Analysis, opts: &ExportOptions, path: &Path) -> Result<u64, EngineError> {
    let bytes = export(analysis, opts)?;
    write_file(path, &bytes)
}

/// Writes bytes the caller produced (the desktop's chart PNG) to `path`.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<u64, EngineError> {
    std::fs::write(path, bytes).map_err(|e| EngineError::input(path, e.to_string()))?;
    Ok(bytes.len() as u64)
}

/// The error-rate chart alone as SVG, limited to `[from, to]` when given
/// (the desktop's visible range).
pub fn chart_svg(analysis: &Analysis, zone: &Zone, from: Option<Instant>, to: Option<Instant>) -> String {
    let mut a = analysis.clone();
    a.series.buckets.retain(|b| from.is_none_or(|f| b.start >= f) && to.is_none_or(|t| b.start <= t));
    faultline_report::chart_svg(&a, zone, 960, 320)
}
