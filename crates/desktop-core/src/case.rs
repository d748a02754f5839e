//! The open case of a session: its engine, the analyst's choices that
//! every view and export follows (the incident, the baseline), and where it
//! lives (a temporary folder until saved).

use crate::access::Access;
use crate::dto::*;
use crate::error::{ErrorCode, IpcError};
use faultline_engine::{AnalyzeOptions, Engine, Instant, ReadPolicy};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

pub(crate) struct Case {
    /// The connection of every command but reading sources: the analysis,
    /// search, notes, edits and exports.
    pub(crate) engine: Mutex<Engine>,
    /// The connection sources are read through, one ingest at a time; the
    /// case file is in WAL mode, so reading it on `engine` never waits for it.
    pub(crate) ingest: Mutex<Engine>,
    pub(crate) title: Option<String>,
    /// The incident the analyst chose to analyze (1 = earliest; 0: the most
    /// severe). New data renumbers incidents, so every ingest resets it.
    pub(crate) incident: AtomicU32,
    /// The baseline "what is new" compares the incident with, when the
    /// analyst dragged one on the chart (`None`: as long, just before the onset).
    pub(crate) baseline: Mutex<Option<(Instant, Instant)>>,
    /// The analyst's `.faultline` file; `None` while the case is the session's temporary one.
    pub(crate) saved: Option<PathBuf>,
    // Dropped after the engines (field order), which close the case file first.
    pub(crate) dir: Mutex<Option<tempfile::TempDir>>,
}

pub(crate) fn policy(access: &Arc<Mutex<Access>>) -> ReadPolicy {
    let access = access.clone();
    Arc::new(move |path: &Path| access.lock().unwrap_or_else(|p| p.into_inner()).may_read(path))
}

impl Case {
    pub(crate) fn create(title: Option<String>, policy: ReadPolicy) -> Result<Case, IpcError> {
        let dir = tempfile::Builder::new()
            .prefix("faultline-case-")
            .tempdir()
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("cannot create a temporary case folder: {e}")))?;
        let engine = Engine::open(Some(&dir.path().join("case.faultline")))?.with_read_policy(policy);
        Ok(Case {
            ingest: Mutex::new(engine.second_connection()?),
            engine: Mutex::new(engine),
            title,
            incident: AtomicU32::new(0),
            baseline: Mutex::default(),
            saved: None,
            dir: Mutex::new(Some(dir)),
        })
    }

    pub(crate) fn open(path: &Path, policy: ReadPolicy) -> Result<Case, IpcError> {
        let engine = Engine::open_existing(path)?.with_read_policy(policy);
        let title = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        Ok(Case {
            ingest: Mutex::new(engine.second_connection()?),
            engine: Mutex::new(engine),
            title,
            incident: AtomicU32::new(0),
            baseline: Mutex::default(),
            saved: Some(path.to_path_buf()),
            dir: Mutex::new(None),
        })
    }

    /// Who the log-store tables were queried as, carried over from `engine`
    /// (a case saved under another name is queried by the same analyst).
    pub(crate) fn adopt_store_targets(&mut self, engine: &Engine) {
        self.engine.get_mut().unwrap_or_else(|p| p.into_inner()).adopt_store_targets(engine);
    }
}

impl Case {
    /// The analysis with the analyst's timeline edits, as the window shows it.
    pub(crate) fn view(&self, engine: &Engine) -> Result<AnalysisView, IpcError> {
        let (analysis, states) = engine.analyze_edited(&self.analyze_options())?;
        let entries = analysis
            .timeline
            .iter()
            .zip(states)
            .map(|(e, st)| EntryStateDto {
                key: if e.kind == faultline_engine::TimelineKind::Note { String::new() } else { st.key },
                pinned: st.pinned,
                renamed_from: st.renamed_from,
            })
            .collect();
        let hidden = engine
            .timeline_edits()?
            .into_iter()
            .filter(|e| e.hidden)
            .map(|e| HiddenEntryDto { key: e.key, entry: e.entry })
            .collect();
        Ok(AnalysisView { analysis, entries, hidden })
    }

    /// What every view and export of this case analyzes.
    pub(crate) fn analyze_options(&self) -> AnalyzeOptions {
        AnalyzeOptions {
            correlate: faultline_engine::CorrelateOptions {
                incident: Some(self.incident.load(Ordering::SeqCst)).filter(|n| *n > 0),
                baseline: *self.baseline.lock().unwrap_or_else(|p| p.into_inner()),
                ..Default::default()
            },
            ..Default::default()
        }
    }
}
