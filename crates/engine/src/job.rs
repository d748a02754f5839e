//! One ingest as a job: which planned sources the case already holds, the
//! rest marked incomplete, read in parallel (notable records spilled to the
//! case as they come, progress forwarded to the caller) and then written.
//! The case's connection stays on the calling thread; readers reach it only
//! through a bounded channel, so a flood of errors holds them back instead of
//! filling memory.

use crate::ingest;
use crate::plan::{self, Plan, PlannedSource};
use crate::progress::{ByteMeter, SeriesPreview};
use crate::{EngineError, Progress};
use faultline_correlate::CorrelateOptions;
use faultline_model::time::Zone;
use faultline_model::{Instant, ReadWindow, SourceKind, SourceSummary};
use faultline_store::{CaseFile, FileStamp, SourceMeta};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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
    /// says so in its `window` and is not reused for another window or a whole read.
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

/// What [`Engine::ingest`](crate::Engine::ingest) did.
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

/// One run of [`Engine::ingest`](crate::Engine::ingest) over a case.
pub(crate) struct IngestJob<'a> {
    case: &'a CaseFile,
    opts: &'a IngestOptions,
    progress: &'a (dyn Fn(&Progress) + Sync),
    cancel: Arc<AtomicBool>,
}

/// A source to read, with the clock offset it is read with.
type Todo<'p> = (&'p PlannedSource, i64);

impl<'a> IngestJob<'a> {
    pub(crate) fn new(
        case: &'a CaseFile,
        opts: &'a IngestOptions,
        progress: &'a (dyn Fn(&Progress) + Sync),
    ) -> IngestJob<'a> {
        IngestJob { case, opts, progress, cancel: opts.cancel.clone().unwrap_or_default() }
    }

    /// Reads the sources of `plan` the case does not already hold as they are.
    pub(crate) fn run(&self, plan: &Plan) -> Result<IngestReport, EngineError> {
        let progress = self.progress;
        progress(&Progress::Planned { sources: plan.sources.clone(), problems: plan.problems.clone() });
        let stored = self.case.sources()?;
        let mut given_offsets: HashMap<String, i64> = Default::default();
        {
            let planned: Vec<String> = plan.sources.iter().map(|s| s.path.display().to_string()).collect();
            // Only a source this ingest reads can take a new offset now.
            for (name, ms) in &self.opts.offsets {
                given_offsets.insert(source_named(name, planned.iter().map(String::as_str))?.to_string(), *ms);
            }
        }
        let offset_of = |path: &str| -> i64 {
            given_offsets.get(path).copied().unwrap_or_else(|| {
                stored.iter().find(|m| m.summary.path == path).map_or(0, |m| m.summary.clock_offset_ms)
            })
        };
        let mut report = IngestReport { problems: plan.problems.clone(), ..Default::default() };
        let todo = self.unread(plan, &stored, &offset_of, &mut report);
        self.begin(&todo)?;
        let results = self.read(&todo, &stored)?;
        self.write(&todo, results, &stored, &mut report)?;
        let all = self.case.sources()?;
        report.sources = plan
            .sources
            .iter()
            .filter_map(|s| {
                let path = s.path.display().to_string();
                all.iter().find(|m| m.summary.path == path).map(|m| m.summary.clone())
            })
            .collect();
        report.cancelled |= self.cancel.load(Ordering::Relaxed);
        release_freed_memory();
        Ok(report)
    }

    /// The planned sources that must be read; the others are reused, as
    /// `report` says. A source read only for a window serves only that same
    /// window; one read whole serves any.
    fn unread<'p>(
        &self,
        plan: &'p Plan,
        stored: &[SourceMeta],
        offset_of: &dyn Fn(&str) -> i64,
        report: &mut IngestReport,
    ) -> Vec<Todo<'p>> {
        let zone_name = self.opts.zone.to_string();
        let wanted_window = self.opts.window.map(|(from, to)| ReadWindow { from, to });
        let progress = self.progress;
        let mut todo = Vec::new();
        for source in &plan.sources {
            let path = source.path.display().to_string();
            let reusable = stored.iter().find(|m| m.summary.path == path).filter(|m| {
                m.summary.complete
                    && m.error_rule == faultline_model::error_class::RULE
                    && m.summary.format == source.format_name()
                    && m.summary.kind == source.kind
                    && m.summary.tz == zone_name
                    && m.summary.clock_offset_ms == offset_of(&path)
                    && !matches!(source.reader, plan::Reader::Export(faultline_sources::SourceFormat::GitRepo))
                    && unchanged(&m.files)
                    && (m.summary.window.is_none() || m.summary.window == wanted_window)
            });
            match reusable {
                Some(m) => {
                    report.reused.push(path);
                    progress(&Progress::Finished { summary: m.summary.clone(), reused: true });
                }
                None => todo.push(source),
            }
        }
        todo.into_iter().map(|s| (s, offset_of(&s.path.display().to_string()))).collect()
    }

    /// Marks every source about to be read as incomplete first: a process
    /// killed mid-ingest leaves a case that says what is missing.
    fn begin(&self, todo: &[Todo<'_>]) -> Result<(), EngineError> {
        let zone_name = self.opts.zone.to_string();
        for (source, offset) in todo {
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
                complete: false,
                window: None,
            })?;
            // A search while it is read covers its files; one that cannot be
            // stat'ed is named by the read itself.
            let files: Vec<FileStamp> = source.files.iter().filter_map(|f| FileStamp::stat(f).ok()).collect();
            self.case.begin_files(&source.path.display().to_string(), &files)?;
        }
        Ok(())
    }

    /// Reads the sources, logs first and then repositories (their look-back
    /// is measured from the logs), writing spilled notable records to the
    /// case as they come. A failed spill fails the ingest: the sources stay
    /// marked incomplete in the case.
    fn read(
        &self,
        todo: &[Todo<'_>],
        stored: &[SourceMeta],
    ) -> Result<Vec<Result<ingest::Ingested, EngineError>>, EngineError> {
        let progress = self.progress;
        let cancel = self.cancel.clone();
        let zone = self.opts.zone;
        let window = self.opts.window;
        let lookback = self.opts.lookback.unwrap_or_else(|| CorrelateOptions::default().lookback);
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
            let (cancel, throttle, preview) = (&cancel, &throttle, &preview);
            let readers = scope.spawn(move || {
                let read_one = |(source, offset): &(&PlannedSource, i64),
                                within: Option<(Option<Instant>, Option<Instant>)>| {
                    let path = source.path.display().to_string();
                    let bytes = source.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
                    progress(&Progress::Started { path: path.clone(), format: source.format_name(), bytes });
                    let spill = ingest::Spill::new(path.clone(), spill_tx.clone());
                    let meter = Arc::new(ByteMeter::new(path, tx.clone(), throttle.clone(), preview.clone()));
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
        Ok(results)
    }

    /// Writes what was read; a source that could not be read is named and
    /// left out, and a cancelled one stays incomplete.
    fn write(
        &self,
        todo: &[Todo<'_>],
        results: Vec<Result<ingest::Ingested, EngineError>>,
        stored: &[SourceMeta],
        report: &mut IngestReport,
    ) -> Result<(), EngineError> {
        let progress = self.progress;
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
        Ok(())
    }
}

/// Hands the memory the ingest buffers freed back to the system. glibc keeps
/// freed heap for reuse, so an ingest followed by an analysis in one process
/// peaked at the sum of both (117 MiB on the 5M-line benchmark log) instead
/// of the larger of the two.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Says so when a source read before now has other content: the old records
/// were replaced (never mixed with the new ones), and the analyst should know
/// the evidence moved under them.
fn content_change(stored: &[SourceMeta], now: &SourceSummary) -> Option<String> {
    let before = stored.iter().find(|m| m.summary.path == now.path && m.summary.complete)?;
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

fn unchanged(files: &[FileStamp]) -> bool {
    !files.is_empty()
        && files.iter().all(|f| {
            FileStamp::stat(&f.path).map(|now| now.size == f.size && now.mtime_ns == f.mtime_ns).unwrap_or(false)
        })
}
