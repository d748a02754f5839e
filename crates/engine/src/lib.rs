//! The facade the `faultline` CLI and the desktop call.
//!
//! An [`Engine`] owns one case (a case file on disk, or in memory for one-shot
//! CLI runs). [`Engine::ingest`] plans the sources of the paths given
//! ([`plan`]), reads the new or changed ones in parallel and stores them;
//! [`Engine::analyze`] correlates the case into an [`Analysis`];
//! [`export`] renders it; [`Engine::search`] and [`Engine::excerpt`] bring
//! raw lines back from the user's files. Nothing here knows about Tauri.
#![deny(missing_docs)]

mod analyze;
mod edits;
mod ingest;
mod job;
pub mod logstore;
pub mod partial;
pub mod plan;
mod progress;
mod reading;
pub mod recent;
pub mod sample;
mod search;

pub use analyze::AnalyzeOptions;
pub use edits::{timeline_key, EntryState};
pub use faultline_clickhouse as clickhouse;
pub use faultline_correlate::CorrelateOptions;
/// Log format definitions (lnav's schema) and Faultline's hand-written formats, for `faultline formats`.
pub use faultline_logs::{formats as log_formats, NATIVE_FORMATS};
pub use faultline_model::time::Zone;
pub use faultline_model::{Analysis, ErrorSeries, Instant, SourceKind, SourceSummary, TimelineEntry, TimelineKind};
pub use faultline_report::{unread_line, ExportOptions, Format, MaskCounts, SecretKind, TemplateChoice};
pub use faultline_search::{Excerpt, ExcerptLine, SearchOptions};
pub use faultline_store::{Note, SourceMeta, TimelineEdit, UnparsedLine};
pub use job::{source_named, IngestOptions, IngestReport};
pub use logstore::{StoreInput, StoreOptions, StoreReport};
pub use plan::{Input, Plan, PlannedSource};
pub use progress::{Progress, BYTES_PROGRESS_PER_SECOND, SERIES_PREVIEWS_PER_SECOND};
pub use search::{search_paths, SearchHit, SearchRequest};

use faultline_store::CaseFile;
use job::IngestJob;
use std::path::{Path, PathBuf};
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
    store_targets: StoreTargets,
    /// The last correlation and what it rests on (see [`analyze`]).
    analysis_cache: std::sync::Mutex<Option<analyze::Cached>>,
    /// The sources an ingest through any connection of this case is reading now.
    reading: reading::Reading,
}

/// Shared by the connections of one case in one process (see [`Engine::second_connection`]).
type StoreTargets = Arc<std::sync::Mutex<std::collections::HashMap<String, faultline_clickhouse::Target>>>;

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
            analysis_cache: Default::default(),
            reading: Default::default(),
        })
    }

    /// Another connection to the same case file, with the same read policy
    /// and log-store targets: the desktop ingests through one while search,
    /// notes and the analysis go through the other, so none of them waits
    /// for an ingest. The case must be on disk (saved or the desktop's
    /// temporary folder), not a [`Engine::open`] case without a path.
    pub fn second_connection(&self) -> Result<Engine, EngineError> {
        let path = self
            .case_path
            .as_deref()
            .ok_or_else(|| EngineError::Other("a case without a file has a single connection".into()))?;
        Ok(Engine {
            case: CaseFile::open_beside(path, &self.case)?,
            case_path: Some(path.to_path_buf()),
            read_policy: self.read_policy.clone(),
            store_targets: self.store_targets.clone(),
            analysis_cache: Default::default(),
            reading: self.reading.clone(),
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
        let _reading = self.reading.mark(plan.sources.iter().map(|s| s.path.display().to_string()).collect());
        IngestJob::new(&self.case, opts, progress).run(&plan)
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
            analysis_cache: Default::default(),
            reading: Default::default(),
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
        // An offset for a source that no longer reads as one source would be
        // refused after its records are gone: refuse it while they are kept.
        if named && !planned_as_before {
            return Err(EngineError::input(root, "reads as other sources now: set the clock offset on each of them"));
        }
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
/// (the desktop's visible range), redacted when asked: its lanes' tooltips
/// quote messages, alerts and notes.
pub fn chart_svg(
    analysis: &Analysis,
    zone: &Zone,
    (from, to): (Option<Instant>, Option<Instant>),
    redact: bool,
) -> (String, MaskCounts) {
    let (mut a, masked) =
        if redact { faultline_report::redact_counted(analysis) } else { (analysis.clone(), Vec::new()) };
    a.series.buckets.retain(|b| from.is_none_or(|f| b.start >= f) && to.is_none_or(|t| b.start <= t));
    (faultline_report::chart_svg(&a, zone, 960, 320), masked)
}
