//! The desktop's state and everything its commands do, as plain Rust with no
//! Tauri types, so it is tested without a window (`cargo test -p
//! faultline-desktop`). Each method is one engine call plus the mapping of
//! its inputs and outputs; `commands.rs` only moves them off the UI thread.
//!
//! One case per window session, in a temp folder that is deleted when the
//! session is replaced or dropped. Opening the sample starts a fresh case, so
//! the sample's conclusions are never mixed with the user's files.

use crate::dto::*;
use crate::error::IpcError;
use faultline_engine::{
    export, sample, AnalyzeOptions, Analysis, Engine, ExportOptions, Format, IngestOptions, Input, Instant,
    SearchOptions, SearchRequest, TemplateChoice, Zone,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Hit limit when the UI asks for none; a results list longer than this is
/// not read by anyone, and every hit is a message over IPC.
const DEFAULT_MAX_HITS: usize = 500;
const MAX_HITS_CEILING: usize = 5000;
/// Context lines on each side of an excerpt.
const EXCERPT_CONTEXT: usize = 6;

struct Case {
    engine: Engine,
    title: Option<String>,
    // Dropped after `engine` (field order), which closes the case file first.
    _dir: tempfile::TempDir,
}

impl Case {
    fn create(title: Option<String>) -> Result<Case, IpcError> {
        let dir = tempfile::Builder::new()
            .prefix("faultline-case-")
            .tempdir()
            .map_err(|e| IpcError::new("io", format!("cannot create a temporary case folder: {e}")))?;
        let engine = Engine::open(Some(&dir.path().join("case.faultline")))?;
        Ok(Case { engine, title, _dir: dir })
    }
}

/// The app's state: the open case and the cancel flag of the running ingest.
#[derive(Default)]
pub struct Session {
    case: Mutex<Option<Case>>,
    cancel: Arc<AtomicBool>,
}

fn parse_zone(s: &str) -> Result<Zone, IpcError> {
    Zone::parse(s).map_err(|e| IpcError::new("bad_zone", e.to_string()))
}

impl Session {
    /// The case, created empty on first use: the UI never has to handle "no case".
    fn case(&self) -> Result<MutexGuard<'_, Option<Case>>, IpcError> {
        // A panic while holding the lock leaves a case that is still valid
        // SQLite; carrying on beats making every later command fail.
        let mut guard = self.case.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(Case::create(None)?);
        }
        Ok(guard)
    }

    fn with_engine<T>(&self, f: impl FnOnce(&Case) -> Result<T, IpcError>) -> Result<T, IpcError> {
        let guard = self.case()?;
        match guard.as_ref() {
            Some(case) => f(case),
            None => Err(IpcError::internal("the case is not open")),
        }
    }

    fn ingest_into(
        &self,
        case: &Case,
        inputs: &[Input],
        zone: Zone,
        on_event: &(dyn Fn(IngestEvent) + Sync),
    ) -> Result<IngestResult, IpcError> {
        self.cancel.store(false, Ordering::SeqCst);
        let opts = IngestOptions { zone, cancel: Some(self.cancel.clone()) };
        let report = case.engine.ingest(inputs, &opts, &|p| on_event(IngestEvent::from(p)))?;
        Ok(IngestResult {
            sources: report.sources,
            reused: report.reused,
            problems: report.problems,
            cancelled: report.cancelled,
        })
    }

    /// Replaces the case with a fresh one holding the built-in sample.
    pub fn open_sample(&self, on_event: &(dyn Fn(IngestEvent) + Sync)) -> Result<OpenedSample, IpcError> {
        let sample = sample::archive_crash()?;
        let case = Case::create(Some(sample.title.clone()))?;
        let ingest = self.ingest_into(&case, &sample.inputs, sample.zone, on_event)?;
        *self.case.lock().unwrap_or_else(|p| p.into_inner()) = Some(case);
        Ok(OpenedSample { title: sample.title, display_tz: sample.display_zone.to_string(), ingest })
    }

    /// Adds files and folders to the case; zone-less timestamps are read in `tz`.
    pub fn ingest_paths(
        &self,
        paths: &[String],
        tz: &str,
        on_event: &(dyn Fn(IngestEvent) + Sync),
    ) -> Result<IngestResult, IpcError> {
        if paths.is_empty() {
            return Err(IpcError::bad_request("no files or folders were given"));
        }
        let zone = parse_zone(tz)?;
        let inputs: Vec<Input> = paths.iter().map(|p| Input::auto(PathBuf::from(p))).collect();
        self.with_engine(|case| self.ingest_into(case, &inputs, zone, on_event))
    }

    /// Asks the running ingest to stop; it finishes the source it is writing.
    pub fn cancel_ingest(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Correlates the case. `display_tz` is only checked here: the analysis is
    /// in UTC and the UI shows it in the zone it chose.
    pub fn analyze(&self, display_tz: &str) -> Result<Analysis, IpcError> {
        parse_zone(display_tz)?;
        self.with_engine(|case| Ok(case.engine.analyze(&AnalyzeOptions::default())?))
    }

    /// Every source in the case.
    pub fn sources(&self) -> Result<Vec<SourceRow>, IpcError> {
        self.with_engine(|case| Ok(case.engine.sources()?.into_iter().map(SourceRow::from).collect()))
    }

    /// Searches the raw files, handing each hit to `on_hit` as it is found.
    /// Smart case: a pattern with no capital letter ignores case.
    pub fn search(
        &self,
        pattern: &str,
        literal: bool,
        from: Option<Instant>,
        to: Option<Instant>,
        max: Option<usize>,
        on_hit: &mut dyn FnMut(SearchHitDto) -> bool,
    ) -> Result<SearchSummary, IpcError> {
        if pattern.is_empty() {
            return Err(IpcError::bad_request("the search pattern is empty"));
        }
        let max_hits = max.filter(|m| *m > 0).unwrap_or(DEFAULT_MAX_HITS).min(MAX_HITS_CEILING);
        let request = SearchRequest {
            pattern: pattern.to_string(),
            options: SearchOptions { literal, case_insensitive: !pattern.chars().any(char::is_uppercase) },
            from,
            to,
            max_hits,
        };
        self.with_engine(|case| {
            let hits = case.engine.search(&request, |hit| on_hit(SearchHitDto::from(hit)))?;
            Ok(SearchSummary { hits, truncated: hits as usize >= max_hits })
        })
    }

    /// The raw lines of a cited record with context. `line` 0 means unknown.
    pub fn excerpt(&self, file: &str, offset: u64, len: u64, line: u64) -> Result<ExcerptDto, IpcError> {
        let line = (line > 0).then_some(line);
        self.with_engine(|case| {
            Ok(case.engine.excerpt(Path::new(file), offset, len.max(1), line, EXCERPT_CONTEXT)?.into())
        })
    }

    pub fn add_note(&self, time: Instant, text: &str) -> Result<NoteDto, IpcError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(IpcError::bad_request("the note is empty"));
        }
        self.with_engine(|case| Ok(case.engine.add_note(time, text)?.into()))
    }

    pub fn delete_note(&self, id: i64) -> Result<bool, IpcError> {
        self.with_engine(|case| Ok(case.engine.delete_note(id)?))
    }

    pub fn notes(&self) -> Result<Vec<NoteDto>, IpcError> {
        self.with_engine(|case| Ok(case.engine.notes()?.into_iter().map(NoteDto::from).collect()))
    }

    /// Renders the postmortem and writes it where the user chose in the save
    /// dialog. The one file write in the shell: the engine returns bytes and
    /// leaves where they go to its caller.
    pub fn export(&self, format: &str, template: &str, display_tz: &str, path: &str) -> Result<ExportResult, IpcError> {
        if path.is_empty() {
            return Err(IpcError::bad_request("no file was chosen"));
        }
        let format = Format::parse(format).map_err(|e| IpcError::bad_request(e.to_string()))?;
        let display_zone = parse_zone(display_tz)?;
        let bytes = self.with_engine(|case| {
            let analysis = case.engine.analyze(&AnalyzeOptions::default())?;
            let opts = ExportOptions {
                format,
                template: TemplateChoice::parse(template),
                display_zone,
                title: case.title.clone(),
                ..ExportOptions::default()
            };
            Ok(export(&analysis, &opts)?)
        })?;
        std::fs::write(path, &bytes).map_err(|e| IpcError::new("io", format!("{path}: {e}")))?;
        Ok(ExportResult { path: path.to_string(), bytes: bytes.len() as u64 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_engine::TimelineKind;

    fn quiet(_: IngestEvent) {}

    fn sample_session() -> Session {
        let s = Session::default();
        s.open_sample(&quiet).expect("the sample opens");
        s
    }

    #[test]
    fn sample_streams_progress_and_fills_the_case() {
        let s = Session::default();
        let events = Mutex::new(Vec::new());
        let opened = s.open_sample(&|e| events.lock().unwrap().push(e)).unwrap();
        assert_eq!(opened.display_tz, "+03:00");
        let events = events.into_inner().unwrap();
        assert!(matches!(events.first(), Some(IngestEvent::Planned { sources, .. }) if *sources >= 5));
        assert!(events.iter().any(|e| matches!(e, IngestEvent::Finished { records, .. } if *records > 0)));
        let rows = s.sources().unwrap();
        assert!(rows.len() >= 5 && rows.iter().all(|r| r.complete));
    }

    #[test]
    fn sample_analysis_names_an_incident_and_a_timeline() {
        let s = sample_session();
        let a = s.analyze("UTC+3").unwrap();
        assert!(a.incident.is_some(), "the sample has an incident");
        assert!(!a.timeline.is_empty());
        assert!(!a.series.buckets.is_empty());
    }

    #[test]
    fn bad_zone_is_a_typed_error() {
        let e = Session::default().analyze("Mars/Olympus").unwrap_err();
        assert_eq!(e.code, "bad_zone");
    }

    #[test]
    fn search_streams_hits_up_to_the_limit() {
        let s = sample_session();
        let mut hits = Vec::new();
        let summary = s.search("HTTP", true, None, None, Some(3), &mut |h| {
            hits.push(h);
            true
        })
        .unwrap();
        assert_eq!(hits.len(), 3);
        assert!(summary.truncated);
        let first = &hits[0];
        let ex = s.excerpt(&first.file, first.offset, first.text.len() as u64, first.line).unwrap();
        assert!(ex.lines.iter().any(|l| l.in_record && l.text == first.text));
    }

    #[test]
    fn excerpt_refuses_files_outside_the_case() {
        let s = sample_session();
        assert!(s.excerpt("/etc/passwd", 0, 10, 1).is_err());
    }

    #[test]
    fn notes_join_the_timeline_and_can_be_deleted() {
        let s = sample_session();
        let t: Instant = "2025-03-14T08:25:00Z".parse().unwrap();
        let note = s.add_note(t, "  rolled back by hand  ").unwrap();
        assert_eq!(note.text, "rolled back by hand");
        let a = s.analyze("UTC").unwrap();
        assert!(a.timeline.iter().any(|e| e.kind == TimelineKind::Note && e.text == "rolled back by hand"));
        assert!(s.delete_note(note.id).unwrap());
        assert!(s.notes().unwrap().is_empty());
        assert_eq!(s.add_note(t, "   ").unwrap_err().code, "bad_request");
    }

    #[test]
    fn export_writes_a_markdown_postmortem() {
        let s = sample_session();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pm.md");
        let r = s.export("markdown", "seed", "+03:00", out.to_str().unwrap()).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(r.bytes as usize, text.len());
        assert!(text.contains("## Timeline"), "{text}");
    }

    #[test]
    fn a_hostile_log_line_comes_back_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("access.log");
        let line = r#"10.0.0.9 - - [24/Nov/2026:11:31:02 +0300] "GET /search?q=<img src=x onerror=window.__pwned=1> HTTP/1.1" 500 612 "-" "curl/8.0""#;
        std::fs::write(&log, format!("{line}\n")).unwrap();
        let s = Session::default();
        s.ingest_paths(&[log.display().to_string()], "UTC", &quiet).unwrap();
        let mut hits = Vec::new();
        s.search("onerror=", true, None, None, None, &mut |h| {
            hits.push(h);
            true
        })
        .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].text, line);
    }
}
