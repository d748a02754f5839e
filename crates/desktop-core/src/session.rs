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
use faultline_engine::recent::RecentCases;
use faultline_engine::{
    export_to, sample, AnalyzeOptions, Engine, ExportOptions, Format, IngestOptions, Input, Instant, SearchOptions,
    SearchRequest, SourceKind, TemplateChoice, Zone,
};
use std::collections::HashSet;
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
    /// The analyst's `.faultline` file; `None` while the case is the session's temporary one.
    saved: Option<PathBuf>,
    // Dropped after `engine` (field order), which closes the case file first.
    _dir: Option<tempfile::TempDir>,
}

impl Case {
    fn create(title: Option<String>) -> Result<Case, IpcError> {
        let dir = tempfile::Builder::new()
            .prefix("faultline-case-")
            .tempdir()
            .map_err(|e| IpcError::new("io", format!("cannot create a temporary case folder: {e}")))?;
        let engine = Engine::open(Some(&dir.path().join("case.faultline")))?;
        Ok(Case { engine, title, saved: None, _dir: Some(dir) })
    }

    fn open(path: &Path) -> Result<Case, IpcError> {
        let engine = Engine::open_existing(path)?;
        let title = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        Ok(Case { engine, title, saved: Some(path.to_path_buf()), _dir: None })
    }
}

/// The paths the user handed to the app through a dialog or a drop. Commands
/// that read or write a path accept only these (the webview is not trusted
/// to name files: a script injected into it could otherwise read or
/// overwrite anything the user can).
#[derive(Default)]
struct Grants {
    /// Files and folders to read (and everything under a granted folder).
    inputs: HashSet<PathBuf>,
    /// Files the user chose in a save dialog.
    saves: HashSet<PathBuf>,
    /// Case files the user chose in an open dialog.
    cases: HashSet<PathBuf>,
}

/// The app's state: the open case, the cancel flag of the running ingest,
/// the paths the user granted, and where the recent-cases list lives.
#[derive(Default)]
pub struct Session {
    case: Mutex<Option<Case>>,
    /// Set by [`Session::close`]: no case is created or installed after it.
    closed: AtomicBool,
    cancel: Arc<AtomicBool>,
    grants: Mutex<Grants>,
    recent_file: Option<PathBuf>,
}

/// The folder for the `.faultline` extension the save dialog enforces.
pub const CASE_EXTENSION: &str = "faultline";

fn kind_of(s: &str) -> Result<SourceKind, IpcError> {
    SourceKind::parse(s)
        .ok_or_else(|| IpcError::bad_request(format!("unknown source kind {s:?} (log, deploys, support or alerts)")))
}

fn parse_zone(s: &str) -> Result<Zone, IpcError> {
    Zone::parse(s).map_err(|e| IpcError::new("bad_zone", e.to_string()))
}

impl Session {
    /// A session whose recent-cases list is the JSON file `recent_file`.
    pub fn with_recent_file(recent_file: PathBuf) -> Session {
        Session { recent_file: Some(recent_file), ..Session::default() }
    }

    fn grants(&self) -> MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Files and folders the user picked in the open dialog or dropped on the window.
    pub fn grant_inputs(&self, paths: &[PathBuf]) {
        self.grants().inputs.extend(paths.iter().cloned());
    }

    /// A file the user chose in a save dialog.
    pub fn grant_save(&self, path: &Path) {
        self.grants().saves.insert(path.to_path_buf());
    }

    /// A case file the user chose in the open dialog.
    pub fn grant_case(&self, path: &Path) {
        self.grants().cases.insert(path.to_path_buf());
    }

    fn check_input(&self, path: &Path) -> Result<(), IpcError> {
        let g = self.grants();
        if g.inputs.iter().any(|granted| path.starts_with(granted)) {
            Ok(())
        } else {
            Err(IpcError::bad_request(format!("{}: not a file or folder you opened or dropped", path.display())))
        }
    }

    /// A save path is good for one write: a second write needs a second dialog.
    fn take_save(&self, path: &str) -> Result<PathBuf, IpcError> {
        if path.is_empty() {
            return Err(IpcError::bad_request("no file was chosen"));
        }
        let p = PathBuf::from(path);
        if self.grants().saves.remove(&p) {
            Ok(p)
        } else {
            Err(IpcError::bad_request(format!("{path}: not a file you chose in the save dialog")))
        }
    }

    /// The case, created empty on first use: the UI never has to handle "no case".
    fn case(&self) -> Result<MutexGuard<'_, Option<Case>>, IpcError> {
        // A panic while holding the lock leaves a case that is still valid
        // SQLite; carrying on beats making every later command fail.
        let mut guard = self.case.lock().unwrap_or_else(|p| p.into_inner());
        if self.closed.load(Ordering::SeqCst) {
            return Err(IpcError::new("closing", "the app is closing"));
        }
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
        // A close that came before this command keeps its cancel.
        self.cancel.store(self.closed.load(Ordering::SeqCst), Ordering::SeqCst);
        let opts = IngestOptions { zone, cancel: Some(self.cancel.clone()), ..IngestOptions::default() };
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
        self.install(case)?;
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
        for input in &inputs {
            self.check_input(&input.path)?;
        }
        self.with_engine(|case| self.ingest_into(case, &inputs, zone, on_event))
    }

    /// The analyst's correction of the detection table: reads `path` (a
    /// source of the case) again as `kind` with zone-less times in `tz`.
    pub fn correct_source(
        &self,
        path: &str,
        kind: &str,
        tz: &str,
        on_event: &(dyn Fn(IngestEvent) + Sync),
    ) -> Result<IngestResult, IpcError> {
        let kind = kind_of(kind)?;
        let zone = parse_zone(tz)?;
        self.with_engine(|case| {
            // A close that came before this command keeps its cancel.
            self.cancel.store(self.closed.load(Ordering::SeqCst), Ordering::SeqCst);
            let opts = IngestOptions { zone, cancel: Some(self.cancel.clone()), ..IngestOptions::default() };
            let report = case.engine.reingest_source(path, Some(kind), &opts, &|p| on_event(IngestEvent::from(p)))?;
            Ok(IngestResult {
                sources: report.sources,
                reused: report.reused,
                problems: report.problems,
                cancelled: report.cancelled,
            })
        })
    }

    /// Asks the running ingest to stop; it finishes the source it is writing.
    pub fn cancel_ingest(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Closes the case as the app exits: a running ingest is stopped, and an
    /// unsaved case's temporary folder (a copy of what was read from the
    /// user's logs) is deleted. Tauri ends the process without running the
    /// destructors of its managed state, so without this every session left
    /// its case behind in the temporary folder. Waits for a command that
    /// holds the case (a search, an export) to finish; no case is opened after.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.cancel_ingest();
        let case = self.case.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(case);
    }

    /// Makes `case` the session's case, unless the app is closing (then it is
    /// dropped, which deletes a temporary case's folder).
    fn install(&self, case: Case) -> Result<(), IpcError> {
        let mut guard = self.case.lock().unwrap_or_else(|p| p.into_inner());
        if self.closed.load(Ordering::SeqCst) {
            return Err(IpcError::new("closing", "the app is closing"));
        }
        *guard = Some(case);
        Ok(())
    }

    /// The folder of the session's temporary case, while it has one.
    #[cfg(test)]
    fn temporary_folder(&self) -> Option<PathBuf> {
        self.case.lock().ok()?.as_ref()?._dir.as_ref().map(|d| d.path().to_path_buf())
    }

    /// Correlates the case. `display_tz` is only checked here: the analysis is
    /// in UTC and the UI shows it in the zone it chose.
    pub fn analyze(&self, display_tz: &str) -> Result<AnalysisView, IpcError> {
        parse_zone(display_tz)?;
        self.with_engine(|case| {
            let (analysis, states) = case.engine.analyze_edited(&AnalyzeOptions::default())?;
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
            let hidden = case
                .engine
                .timeline_edits()?
                .into_iter()
                .filter(|e| e.hidden)
                .map(|e| HiddenEntryDto { key: e.key, entry: e.entry })
                .collect();
            Ok(AnalysisView { analysis, entries, hidden })
        })
    }

    /// Pins, hides or renames a timeline entry (`action`: `pin`, `unpin`,
    /// `hide`, `show`, `rename`; `text` for `rename`, empty to restore).
    pub fn edit_timeline(&self, key: &str, action: &str, text: Option<&str>) -> Result<(), IpcError> {
        if key.is_empty() {
            return Err(IpcError::bad_request("no timeline entry given"));
        }
        let rename = match action {
            "rename" => Some(text.map(str::trim).unwrap_or("").to_string()),
            "pin" | "unpin" | "hide" | "show" => None,
            other => return Err(IpcError::bad_request(format!("unknown timeline edit {other:?}"))),
        };
        if rename.as_ref().is_some_and(|t| t.chars().count() > 500) {
            return Err(IpcError::bad_request("a milestone name is at most 500 characters"));
        }
        self.with_engine(|case| {
            case.engine.edit_timeline(key, |e| match action {
                "pin" => e.pinned = true,
                "unpin" => e.pinned = false,
                "hide" => e.hidden = true,
                "show" => e.hidden = false,
                _ => e.rename = rename.filter(|t| !t.is_empty()),
            })?;
            Ok(())
        })
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

    /// Renders the postmortem and writes it where the user chose in the save dialog.
    pub fn export(&self, format: &str, template: &str, display_tz: &str, path: &str) -> Result<ExportResult, IpcError> {
        let format = Format::parse(format).map_err(|e| IpcError::bad_request(e.to_string()))?;
        let display_zone = parse_zone(display_tz)?;
        let dest = self.take_save(path)?;
        let bytes = self.with_engine(|case| {
            let analysis = case.engine.analyze(&AnalyzeOptions::default())?;
            let opts = ExportOptions {
                format,
                template: TemplateChoice::parse(template),
                display_zone,
                title: case.title.clone(),
                ..ExportOptions::default()
            };
            Ok(export_to(&analysis, &opts, &dest)?)
        })?;
        Ok(ExportResult { path: path.to_string(), bytes })
    }

    /// Writes the chart: `svg` rendered by the engine for `[from, to]` (the
    /// visible range), or `png` from the bytes the webview drew (checked to
    /// be a PNG).
    pub fn export_chart(
        &self,
        format: &str,
        display_tz: &str,
        from: Option<Instant>,
        to: Option<Instant>,
        png: Option<Vec<u8>>,
        path: &str,
    ) -> Result<ExportResult, IpcError> {
        const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
        const PNG_MAX: usize = 32 << 20;
        let zone = parse_zone(display_tz)?;
        let bytes = match format {
            "svg" => self.with_engine(|case| {
                let analysis = case.engine.analyze(&AnalyzeOptions::default())?;
                Ok(faultline_engine::chart_svg(&analysis, &zone, from, to).into_bytes())
            })?,
            "png" => match png {
                Some(b) if b.starts_with(PNG_MAGIC) && b.len() <= PNG_MAX => b,
                _ => return Err(IpcError::bad_request("the chart image is not a PNG (or is over 32 MiB)")),
            },
            other => return Err(IpcError::bad_request(format!("unknown chart format {other:?} (svg or png)"))),
        };
        let dest = self.take_save(path)?;
        let written = faultline_engine::write_file(&dest, &bytes)?;
        Ok(ExportResult { path: path.to_string(), bytes: written })
    }

    /// The window's case: its title and its `.faultline` file if saved.
    pub fn case_info(&self) -> Result<CaseInfo, IpcError> {
        self.with_engine(|case| {
            Ok(CaseInfo { title: case.title.clone(), path: case.saved.as_ref().map(|p| p.display().to_string()) })
        })
    }

    /// Saves the case to the `.faultline` file chosen in the save dialog and
    /// carries on in it (later notes and edits go there), like "Save as" does.
    pub fn save_case_as(&self, path: &str) -> Result<CaseInfo, IpcError> {
        let dest = self.take_save(path)?;
        if dest.extension().is_none_or(|e| e != CASE_EXTENSION) {
            return Err(IpcError::bad_request(format!("{path}: a case file ends in .{CASE_EXTENSION}")));
        }
        let mut guard = self.case()?;
        let Some(case) = guard.as_ref() else { return Err(IpcError::internal("the case is not open")) };
        case.engine.save_copy(&dest)?;
        let title = case.title.clone();
        let mut reopened = Case::open(&dest)?;
        reopened.title = title.or(reopened.title);
        *guard = Some(reopened);
        drop(guard);
        self.remember(&dest);
        self.case_info()
    }

    /// Opens a `.faultline` file chosen in the open dialog or listed in the
    /// recent cases, replacing the window's case.
    pub fn open_case(&self, path: &str) -> Result<CaseInfo, IpcError> {
        let p = PathBuf::from(path);
        let allowed = self.grants().cases.contains(&p) || self.recent().contains(&p);
        if !allowed {
            return Err(IpcError::bad_request(format!("{path}: not a case you chose or opened before")));
        }
        let case = match Case::open(&p) {
            Ok(c) => c,
            Err(e) => {
                if !p.exists() {
                    self.forget(&p);
                }
                return Err(e);
            }
        };
        // The sources a saved case names may be read again (search, excerpts, re-ingest).
        self.install(case)?;
        self.remember(&p);
        self.case_info()
    }

    fn recent(&self) -> RecentCases {
        self.recent_file.as_deref().map(RecentCases::load).unwrap_or_default()
    }

    fn remember(&self, path: &Path) {
        if let Some(file) = &self.recent_file {
            let mut r = RecentCases::load(file);
            r.remember(path, chrono_now());
            // The list is a convenience: failing to write it must not fail the save.
            let _ = r.save(file);
        }
    }

    fn forget(&self, path: &Path) {
        if let Some(file) = &self.recent_file {
            let mut r = RecentCases::load(file);
            r.forget(path);
            let _ = r.save(file);
        }
    }

    /// The recent cases, most recent first.
    pub fn recent_cases(&self) -> Vec<RecentCaseDto> {
        self.recent()
            .cases
            .into_iter()
            .map(|c| RecentCaseDto {
                name: c.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
                exists: c.path.is_file(),
                path: c.path.display().to_string(),
                opened_at: c.opened_at,
            })
            .collect()
    }
}

fn chrono_now() -> Instant {
    Instant::from(std::time::SystemTime::now())
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
    fn closing_deletes_the_unsaved_case_and_keeps_a_saved_one() {
        let s = sample_session();
        let folder = s.temporary_folder().expect("the sample lives in a temporary case");
        assert!(folder.join("case.faultline").is_file());
        s.close();
        assert!(!folder.exists(), "{} left behind", folder.display());
        // Nothing reopens a case once closing: a late command gets an error, not a new temporary folder.
        assert!(s.sources().is_err());
        assert!(s.open_sample(&quiet).is_err());
        assert!(s.temporary_folder().is_none());

        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join("kept.faultline");
        let s = sample_session();
        s.grant_save(&saved);
        s.save_case_as(saved.to_str().unwrap()).unwrap();
        s.close();
        assert!(saved.is_file(), "the analyst's saved case stays");
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
        let a = s.analyze("UTC+3").unwrap().analysis;
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
        let summary = s
            .search("HTTP", true, None, None, Some(3), &mut |h| {
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
        let a = s.analyze("UTC").unwrap().analysis;
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
        let path = out.to_str().unwrap();
        assert_eq!(
            s.export("markdown", "seed", "+03:00", path).unwrap_err().code,
            "bad_request",
            "a path the user did not choose"
        );
        assert!(!out.exists());
        s.grant_save(&out);
        let r = s.export("markdown", "seed", "+03:00", path).unwrap();
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
        s.grant_inputs(&[dir.path().to_path_buf()]);
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

    fn export_md(s: &Session, dir: &Path, name: &str) -> String {
        let out = dir.join(name);
        s.grant_save(&out);
        s.export("markdown", "seed", "UTC", out.to_str().unwrap()).unwrap();
        std::fs::read_to_string(&out).unwrap()
    }

    #[test]
    fn ingest_refuses_paths_the_user_did_not_open() {
        let s = Session::default();
        let e = s.ingest_paths(&["/etc".to_string()], "UTC", &quiet).unwrap_err();
        assert_eq!(e.code, "bad_request");
        assert!(s.sources().unwrap().is_empty());
    }

    #[test]
    fn pin_hide_and_rename_persist_and_shape_the_export() {
        let s = sample_session();
        let dir = tempfile::tempdir().unwrap();
        let view = s.analyze("UTC").unwrap();
        let pick = |kind: TimelineKind| {
            let i = view.analysis.timeline.iter().position(|e| e.kind == kind).expect("the sample has this kind");
            (view.analysis.timeline[i].clone(), view.entries[i].key.clone())
        };
        let (restart, restart_key) = pick(TimelineKind::Restart);
        let (onset, onset_key) = pick(TimelineKind::ErrorOnset);
        let (change, change_key) = pick(TimelineKind::Change);
        let before = export_md(&s, dir.path(), "before.md");
        assert!(before.contains(&restart.text), "the restart is in the export before it is hidden");

        s.edit_timeline(&restart_key, "hide", None).unwrap();
        s.edit_timeline(&onset_key, "rename", Some("  Archive downloads start failing  ")).unwrap();
        s.edit_timeline(&change_key, "pin", None).unwrap();
        assert_eq!(s.edit_timeline(&onset_key, "explode", None).unwrap_err().code, "bad_request");
        assert!(s.edit_timeline("change@0#nothing", "pin", None).is_err());

        let after = export_md(&s, dir.path(), "after.md");
        assert!(!after.contains(&restart.text), "a hidden entry is left out of the export");
        assert!(after.contains("Archive downloads start failing"), "the renamed milestone is in the export");
        // (Markdown escapes the raw line's brackets: compare its first words.)
        let onset_words: String = onset.text.chars().take(20).collect();
        assert!(before.contains(&onset_words), "{onset_words} in {before}");
        assert!(!after.contains(&onset_words), "the analysis's own onset text is replaced");

        let view = s.analyze("UTC").unwrap();
        assert_eq!(view.hidden.len(), 1);
        assert_eq!(view.hidden[0].entry.text, restart.text);
        let i = view.entries.iter().position(|e| e.key == change_key).unwrap();
        assert!(view.entries[i].pinned);
        assert_eq!(view.analysis.timeline[i].text, change.text);
        let j = view.entries.iter().position(|e| e.key == onset_key).unwrap();
        assert_eq!(view.entries[j].renamed_from.as_deref(), Some(onset.text.as_str()));

        // Undo: shown again, the analysis's text back.
        s.edit_timeline(&restart_key, "show", None).unwrap();
        s.edit_timeline(&onset_key, "rename", Some("")).unwrap();
        let undone = export_md(&s, dir.path(), "undone.md");
        assert!(undone.contains(&restart.text), "{undone}");
        assert!(undone.contains(&onset_words), "{onset_words} in {undone}");
    }

    #[test]
    fn a_saved_case_reopens_from_the_recent_list_with_its_edits_and_notes() {
        let conf = tempfile::tempdir().unwrap();
        let recent = conf.path().join("recent-cases.json");
        let s = Session::with_recent_file(recent.clone());
        s.open_sample(&quiet).unwrap();
        let view = s.analyze("UTC").unwrap();
        let restart = view.analysis.timeline.iter().position(|e| e.kind == TimelineKind::Restart).unwrap();
        let key = view.entries[restart].key.clone();
        s.edit_timeline(&key, "hide", None).unwrap();
        let t: Instant = "2026-11-24T08:27:00Z".parse().unwrap();
        s.add_note(t, "rollback started").unwrap();

        let dest = conf.path().join("archive crash.faultline");
        assert_eq!(s.save_case_as(dest.to_str().unwrap()).unwrap_err().code, "bad_request", "not chosen in the dialog");
        let not_case = conf.path().join("x.md");
        s.grant_save(&not_case);
        assert_eq!(
            s.save_case_as(not_case.to_str().unwrap()).unwrap_err().code,
            "bad_request",
            "a case ends in .faultline"
        );
        s.grant_save(&dest);
        let info = s.save_case_as(dest.to_str().unwrap()).unwrap();
        assert_eq!(info.path.as_deref(), dest.to_str());
        assert!(dest.is_file());
        // Edits after saving go to the saved file.
        s.add_note(t, "second note, after saving").unwrap();

        let fresh = Session::with_recent_file(recent.clone());
        let list = fresh.recent_cases();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "archive crash");
        assert!(list[0].exists);
        assert!(fresh.open_case("/etc/passwd").is_err(), "only chosen or recent cases open");
        let info = fresh.open_case(&list[0].path).unwrap();
        assert_eq!(info.title.as_deref(), Some("archive crash"));
        let view = fresh.analyze("UTC").unwrap();
        assert!(view.analysis.incident.is_some(), "the reopened case has the incident");
        assert_eq!(view.hidden.len(), 1, "the hidden entry stays hidden");
        let notes: Vec<String> = fresh.notes().unwrap().into_iter().map(|n| n.text).collect();
        assert_eq!(notes, ["rollback started", "second note, after saving"]);
        assert!(fresh.sources().unwrap().len() >= 5);
    }

    #[test]
    fn opening_a_file_that_is_not_a_case_fails_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let bogus = dir.path().join("notes.faultline");
        std::fs::write(&bogus, b"just text\n").unwrap();
        let s = Session::default();
        s.grant_case(&bogus);
        assert!(s.open_case(bogus.to_str().unwrap()).is_err());
        assert_eq!(std::fs::read(&bogus).unwrap(), b"just text\n");
    }

    #[test]
    fn correcting_the_zone_of_a_source_moves_its_records() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "2026-11-24 10:00:00,000 ERROR boom\n2026-11-24 10:00:05,000 INFO ok\n").unwrap();
        let s = Session::default();
        s.grant_inputs(std::slice::from_ref(&log));
        let events = Mutex::new(Vec::new());
        s.ingest_paths(&[log.display().to_string()], "UTC", &quiet).unwrap();
        let first = s.sources().unwrap()[0].summary.first.unwrap();
        assert_eq!(first.to_rfc3339(), "2026-11-24T10:00:00+00:00");
        let r =
            s.correct_source(&log.display().to_string(), "log", "+03:00", &|e| events.lock().unwrap().push(e)).unwrap();
        assert!(!r.cancelled);
        let rows = s.sources().unwrap();
        assert_eq!(rows.len(), 1, "re-read in place, not added twice");
        assert_eq!(rows[0].summary.tz, "+03:00");
        assert_eq!(rows[0].summary.first.unwrap().to_rfc3339(), "2026-11-24T07:00:00+00:00");
        let events = events.into_inner().unwrap();
        assert!(
            events.iter().any(|e| matches!(e, IngestEvent::Finished { reused: false, .. })),
            "read again: {events:?}"
        );
        // A kind that does not fit is refused, and the source is kept as it was.
        assert!(s.correct_source(&log.display().to_string(), "deploys", "+03:00", &quiet).is_err());
        assert_eq!(s.sources().unwrap().len(), 1);
        assert_eq!(s.correct_source("/nope.log", "log", "UTC", &quiet).unwrap_err().code, "engine");
    }

    #[test]
    fn chart_exports_as_svg_and_checks_png_bytes() {
        let s = sample_session();
        let dir = tempfile::tempdir().unwrap();
        let svg = dir.path().join("chart.svg");
        s.grant_save(&svg);
        let r = s.export_chart("svg", "+03:00", None, None, None, svg.to_str().unwrap()).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert_eq!(r.bytes as usize, text.len());
        assert!(text.starts_with("<svg") || text.contains("<svg"), "{}", &text[..80.min(text.len())]);
        let png = dir.path().join("chart.png");
        s.grant_save(&png);
        assert!(s.export_chart("png", "UTC", None, None, Some(b"<svg/>".to_vec()), png.to_str().unwrap()).is_err());
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend_from_slice(&[0u8; 16]);
        let r = s.export_chart("png", "UTC", None, None, Some(bytes.clone()), png.to_str().unwrap()).unwrap();
        assert_eq!(std::fs::read(&png).unwrap(), bytes);
        assert_eq!(r.bytes, 24);
        // One dialog, one write.
        assert!(s.export_chart("png", "UTC", None, None, Some(bytes), png.to_str().unwrap()).is_err());
    }
}
