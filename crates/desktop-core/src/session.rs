//! The desktop's state and everything its commands do, as plain Rust with no
//! Tauri types, so it is tested without a window (`cargo test -p
//! faultline-desktop-core`). Each method is one engine call plus the mapping
//! of its inputs and outputs; `src-tauri/src/commands.rs` only moves them
//! off the UI thread.
//!
//! One case per window session, in a temp folder that is deleted when the
//! session is replaced or dropped. Opening the sample starts a fresh case, so
//! the sample's conclusions are never mixed with the user's files.

use crate::access::{Access, Recorded};
use crate::cancel::{Asked, RunningIngests};
use crate::case::{policy, Case};
use crate::dto::*;
use crate::error::{ErrorCode, IpcError};
use crate::grants::Grants;
use crate::requests::*;
use faultline_engine::recent::RecentCases;
use faultline_engine::{
    sample, Engine, ExportOptions, IngestOptions, Input, Instant, SearchOptions, SearchRequest, SourceKind,
    StoreOptions, TemplateChoice, Zone,
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
/// The longest record an excerpt shows: ingest truncates records at 1 MiB,
/// so a longer request can only come from a page that is not the UI.
pub const MAX_EXCERPT_LEN: u64 = 4 << 20;
/// A note or a milestone name longer than this is not a note.
const MAX_NOTE_CHARS: usize = 10_000;
const MAX_MILESTONE_CHARS: usize = 500;
/// The most paths one ingest request may name (a drop of a whole disk is a folder).
const MAX_PATHS: usize = 10_000;

/// The folder for the `.faultline` extension the save dialog enforces.
pub const CASE_EXTENSION: &str = "faultline";

/// The app's state: the open case, the cancel flags of the running ingests,
/// what the analyst granted, and where the recent-cases list lives.
#[derive(Default)]
pub struct Session {
    /// Held only to take or replace the case: a command runs on its own
    /// `Arc`, so a long ingest does not hold up search, notes or exports
    /// (see [`crate::holding`]).
    pub(crate) case: Mutex<Option<Arc<Case>>>,
    /// Set by [`Session::close`]: no case is created or installed after it,
    /// and an ingest that starts after it starts cancelled.
    pub(crate) closed: AtomicBool,
    pub(crate) ingests: RunningIngests,
    pub(crate) access: Arc<Mutex<Access>>,
    recent_file: Option<PathBuf>,
}

fn ingest_result(report: faultline_engine::IngestReport) -> IngestResult {
    IngestResult {
        sources: report.sources,
        reused: report.reused,
        problems: report.problems,
        cancelled: report.cancelled,
    }
}

impl Session {
    /// A session whose recent-cases list is the JSON file `recent_file`.
    pub fn with_recent_file(recent_file: PathBuf) -> Session {
        Session { recent_file: Some(recent_file), ..Session::default() }
    }

    pub(crate) fn access(&self) -> MutexGuard<'_, Access> {
        self.access.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Files and folders the user picked in the open dialog or dropped on the window.
    pub fn grant_inputs(&self, paths: &[PathBuf]) {
        self.access().grants.grant_inputs(paths);
    }

    /// A file the user chose in a save dialog.
    pub fn grant_save(&self, path: &Path) {
        self.access().grants.grant_save(path);
    }

    /// A case file the user chose in the open dialog.
    pub fn grant_case(&self, path: &Path) {
        self.access().grants.grant_case(path);
    }

    /// A template file the user chose in the template dialog.
    pub fn grant_template(&self, path: &Path) {
        self.access().grants.grant_template(path);
    }

    /// The table a "Add source → ClickHouse" request names (its locator,
    /// no credentials), for the shell's confirmation dialog.
    pub fn store_locator(&self, req: &StoreSourceRequest) -> Result<String, IpcError> {
        Ok(req.input()?.locator())
    }

    /// A table the analyst confirmed querying in the shell's dialog.
    pub fn grant_store(&self, locator: &str) {
        self.access().grant_store(locator);
    }

    /// Queries a log store's table into the case (one source per service),
    /// like adding files. The table must have been confirmed in this session
    /// ([`Session::grant_store`]): the page alone cannot make the app
    /// contact a server.
    pub fn add_store_source(
        &self,
        req: &StoreSourceRequest,
        on_event: &(dyn Fn(IngestEvent) + Sync),
    ) -> Result<IngestResult, IpcError> {
        let input = req.input()?;
        let locator = input.locator();
        if !self.access().may_read(Path::new(&locator)) {
            return Err(IpcError::new(ErrorCode::NotGranted, format!("{locator}: not confirmed in this session")));
        }
        let asked = self.ingests.asked();
        self.with_ingest(|case, engine| {
            let running = self.ingests.start(asked, &self.closed);
            let opts = StoreOptions { from: req.from, to: req.to, lookback: None, cancel: Some(running.flag.clone()) };
            let report = engine.ingest_store(&input, &opts, &|p| on_event(IngestEvent::from(p)))?;
            case.incident.store(0, Ordering::SeqCst);
            Ok(IngestResult {
                sources: report.sources,
                reused: Vec::new(),
                problems: Vec::new(),
                cancelled: running.cancelled(),
            })
        })
    }

    fn ingest_into(
        &self,
        case: &Case,
        engine: &Engine,
        asked: Asked,
        inputs: &[Input],
        zone: Zone,
        on_event: &(dyn Fn(IngestEvent) + Sync),
    ) -> Result<IngestResult, IpcError> {
        let running = self.ingests.start(asked, &self.closed);
        let opts = IngestOptions { zone, cancel: Some(running.flag.clone()), ..IngestOptions::default() };
        let report = engine.ingest(inputs, &opts, &|p| on_event(IngestEvent::from(p)))?;
        case.incident.store(0, Ordering::SeqCst);
        Ok(ingest_result(report))
    }

    /// Replaces the case with a fresh one holding the built-in sample.
    pub fn open_sample(&self, on_event: &(dyn Fn(IngestEvent) + Sync)) -> Result<OpenedSample, IpcError> {
        let sample = sample::archive_crash()?;
        // The app wrote the sample's files itself: reading them needs no dialog.
        self.grant_inputs(std::slice::from_ref(&sample.dir));
        let case = Case::create(Some(sample.title.clone()), policy(&self.access))?;
        let ingest = {
            let engine = case.ingest.lock().unwrap_or_else(|p| p.into_inner());
            self.ingest_into(&case, &engine, self.ingests.asked(), &sample.inputs, sample.zone, on_event)?
        };
        self.install(case)?;
        Ok(OpenedSample { title: sample.title, display_tz: sample.display_zone.to_string(), ingest })
    }

    /// Adds files and folders to the case; zone-less timestamps are read in `tz`.
    /// Every path must be granted (canonical, no `..`).
    pub fn ingest_paths(
        &self,
        paths: &[String],
        tz: &ZoneSpec,
        on_event: &(dyn Fn(IngestEvent) + Sync),
    ) -> Result<IngestResult, IpcError> {
        if paths.is_empty() {
            return Err(IpcError::bad_request("no files or folders were given"));
        }
        if paths.len() > MAX_PATHS {
            return Err(IpcError::bad_request(format!("{} paths in one request (at most {MAX_PATHS})", paths.len())));
        }
        let zone = tz.zone()?;
        let inputs = {
            let access = self.access();
            paths.iter().map(|p| access.grants.input(p).map(Input::auto)).collect::<Result<Vec<_>, _>>()?
        };
        let asked = self.ingests.asked();
        self.with_ingest(|case, engine| self.ingest_into(case, engine, asked, &inputs, zone, on_event))
    }

    /// The analyst's correction of the detection table: reads `path` (a
    /// source of the case) again as `kind` with zone-less times in `tz`.
    /// The engine refuses a source this session may not read.
    pub fn correct_source(
        &self,
        path: &str,
        kind: SourceKind,
        tz: &ZoneSpec,
        on_event: &(dyn Fn(IngestEvent) + Sync),
    ) -> Result<IngestResult, IpcError> {
        let zone = tz.zone()?;
        let asked = self.ingests.asked();
        self.with_ingest(|case, engine| {
            let running = self.ingests.start(asked, &self.closed);
            let opts = IngestOptions { zone, cancel: Some(running.flag.clone()), ..IngestOptions::default() };
            let report = engine.reingest_source(path, Some(kind), &opts, &|p| on_event(IngestEvent::from(p)))?;
            case.incident.store(0, Ordering::SeqCst);
            Ok(ingest_result(report))
        })
    }

    /// The analyst's clock correction: reads `path` (a source of the case)
    /// again with its timestamps moved by `offset` (`+40s`, `-1m30s`; `0`
    /// undoes it, read as the CLI's `--offset` reads it), as the kind and in
    /// the zone it was read with. Applied at read time, so every count, event
    /// and citation moves with it.
    pub fn set_clock_offset(
        &self,
        path: &str,
        offset: &str,
        on_event: &(dyn Fn(IngestEvent) + Sync),
    ) -> Result<IngestResult, IpcError> {
        let offset_ms =
            faultline_model::clock::parse_offset(offset).map_err(|why| IpcError::new(ErrorCode::BadRequest, why))?;
        let asked = self.ingests.asked();
        self.with_ingest(|case, engine| {
            let meta =
                engine.sources()?.into_iter().find(|m| m.summary.path == path).ok_or_else(|| {
                    IpcError::new(ErrorCode::BadRequest, format!("{path} is not a source of this case"))
                })?;
            let zone = Zone::parse(&meta.summary.tz).map_err(|e| {
                IpcError::new(ErrorCode::BadRequest, format!("{path}: its zone {:?} is not one: {e}", meta.summary.tz))
            })?;
            let running = self.ingests.start(asked, &self.closed);
            let opts = IngestOptions {
                zone,
                cancel: Some(running.flag.clone()),
                offsets: vec![(path.to_string(), offset_ms)],
                ..IngestOptions::default()
            };
            let report =
                engine.reingest_source(path, Some(meta.summary.kind), &opts, &|p| on_event(IngestEvent::from(p)))?;
            case.incident.store(0, Ordering::SeqCst);
            Ok(ingest_result(report))
        })
    }

    /// Asks the running ingests to stop; each finishes the source it is writing.
    pub fn cancel_ingest(&self) {
        self.ingests.cancel_all();
    }

    /// Correlates the case. `display_tz` is only checked here: the analysis is
    /// in UTC and the UI shows it in the zone it chose.
    pub fn analyze(&self, display_tz: &ZoneSpec) -> Result<AnalysisView, IpcError> {
        display_tz.zone()?;
        self.with_engine(|case, engine| case.view(engine))
    }

    /// Analyzes the case's `number`-th incident (1 = earliest; `None`: the
    /// most severe) from now on: the views and exports follow, until another
    /// choice or another case.
    pub fn choose_incident(&self, number: Option<u32>, display_tz: &ZoneSpec) -> Result<AnalysisView, IpcError> {
        display_tz.zone()?;
        self.with_engine(|case, engine| {
            let before = case.incident.swap(number.unwrap_or(0), Ordering::SeqCst);
            let view = case.view(engine)?;
            match number {
                Some(n) if !view.analysis.incidents.iter().any(|i| i.number == n && i.analyzed) => {
                    case.incident.store(before, Ordering::SeqCst);
                    let found = view.analysis.incidents.len();
                    Err(IpcError::bad_request(format!("no incident {n} in this case ({found} found)")))
                }
                _ => Ok(view),
            }
        })
    }

    /// Compares the incident with the analyst's baseline `[from, to]` (UTC,
    /// RFC 3339) in "what is new" from now on; `None` goes back to the
    /// default (as long as the incident, just before its onset).
    pub fn choose_baseline(
        &self,
        range: Option<(&str, &str)>,
        display_tz: &ZoneSpec,
    ) -> Result<AnalysisView, IpcError> {
        display_tz.zone()?;
        let parse = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| IpcError::bad_request(format!("{s:?} is not an RFC 3339 instant")))
        };
        let baseline = match range {
            Some((from, to)) => {
                let (from, to) = (parse(from)?, parse(to)?);
                if to <= from {
                    return Err(IpcError::bad_request("the baseline ends before it begins"));
                }
                Some((from, to))
            }
            None => None,
        };
        self.with_engine(|case, engine| {
            *case.baseline.lock().unwrap_or_else(|p| p.into_inner()) = baseline;
            case.view(engine)
        })
    }

    /// Pins, hides or renames a timeline entry.
    pub fn edit_timeline(&self, key: &str, action: &TimelineAction) -> Result<(), IpcError> {
        if key.is_empty() {
            return Err(IpcError::bad_request("no timeline entry given"));
        }
        if let TimelineAction::Rename { text } = action {
            if text.trim().chars().count() > MAX_MILESTONE_CHARS {
                return Err(IpcError::bad_request(format!(
                    "a milestone name is at most {MAX_MILESTONE_CHARS} characters"
                )));
            }
        }
        self.with_engine(|case, engine| {
            engine.edit_timeline(key, &case.analyze_options(), |e| match action {
                TimelineAction::Pin => e.pinned = true,
                TimelineAction::Unpin => e.pinned = false,
                TimelineAction::Hide => e.hidden = true,
                TimelineAction::Show => e.hidden = false,
                TimelineAction::Rename { text } => {
                    let t = text.trim();
                    e.rename = (!t.is_empty()).then(|| t.to_string());
                }
            })?;
            Ok(())
        })
    }

    /// Every source in the case, each saying whether this session may read
    /// its files and why not.
    pub fn sources(&self) -> Result<Vec<SourceRow>, IpcError> {
        let metas = self.with_engine(|_, engine| Ok(engine.sources()?))?;
        let access = self.access();
        Ok(metas
            .into_iter()
            .map(|m| {
                let root = Path::new(&m.summary.path);
                let first_unreadable = if m.files.is_empty() {
                    access.unavailable(root)
                } else {
                    m.files.iter().find_map(|f| access.unavailable(&f.path))
                };
                let unavailable =
                    first_unreadable.map(|reason| UnavailableDto { reason, message: reason.message().to_string() });
                let mut row = SourceRow::from(m);
                row.unavailable = unavailable;
                row
            })
            .collect())
    }

    /// Asks the analyst to confirm `folder` as the folder of the case's
    /// inputs: every input under it whose size and hash match the case's
    /// record becomes readable in this session.
    pub fn confirm_case_folder(&self, folder: &Path) -> Result<ConfirmResult, IpcError> {
        let folder = crate::grants::canonical(folder)
            .filter(|f| f.is_dir())
            .ok_or_else(|| IpcError::bad_request(format!("{}: not a folder", folder.display())))?;
        let metas = self.with_engine(|_, engine| Ok(engine.sources()?))?;
        let recorded: Vec<Recorded<'_>> = metas
            .iter()
            .flat_map(|m| m.files.iter())
            .map(|f| Recorded { path: &f.path, size: f.size, sha256: &f.sha256 })
            .collect();
        let done = self.access().confirm_folder(&folder, &recorded, |p| faultline_engine::file_sha256(p).ok());
        Ok(ConfirmResult {
            folder: folder.display().to_string(),
            verified: done.verified,
            changed: done.changed,
            elsewhere: done.elsewhere,
            unhashed: done.unhashed,
        })
    }

    /// Searches the raw files this session may read, handing each hit to
    /// `on_hit` as it is found. Smart case: a pattern with no capital letter ignores case.
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
        self.with_engine(|_, engine| {
            let hits = engine.search(&request, |hit| on_hit(SearchHitDto::from(hit)))?;
            Ok(SearchSummary { hits, truncated: hits as usize >= max_hits })
        })
    }

    /// The raw lines of a cited record with context. `line` 0 means unknown;
    /// `len` is at most [`MAX_EXCERPT_LEN`].
    pub fn excerpt(&self, file: &str, offset: u64, len: u64, line: u64) -> Result<ExcerptDto, IpcError> {
        if len > MAX_EXCERPT_LEN {
            return Err(IpcError::bad_request(format!("an excerpt of {len} bytes (at most {MAX_EXCERPT_LEN})")));
        }
        if offset.checked_add(len).is_none() {
            return Err(IpcError::bad_request("an excerpt past the largest file offset"));
        }
        let line = (line > 0).then_some(line);
        self.with_engine(|_, engine| {
            Ok(engine.excerpt(Path::new(file), offset, len.max(1), line, EXCERPT_CONTEXT)?.into())
        })
    }

    pub fn add_note(&self, time: Instant, text: &str) -> Result<NoteDto, IpcError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(IpcError::bad_request("the note is empty"));
        }
        if text.chars().count() > MAX_NOTE_CHARS {
            return Err(IpcError::bad_request(format!("a note is at most {MAX_NOTE_CHARS} characters")));
        }
        self.with_engine(|_, engine| Ok(engine.add_note(time, text)?.into()))
    }

    pub fn delete_note(&self, id: i64) -> Result<bool, IpcError> {
        self.with_engine(|_, engine| Ok(engine.delete_note(id)?))
    }

    pub fn notes(&self) -> Result<Vec<NoteDto>, IpcError> {
        self.with_engine(|_, engine| Ok(engine.notes()?.into_iter().map(NoteDto::from).collect()))
    }

    /// Renders the postmortem and writes it where the user chose in the save
    /// dialog. The template is a built-in or a file picked in the template
    /// dialog; nothing else is read.
    pub fn export(&self, req: &ExportRequest) -> Result<ExportResult, IpcError> {
        let display_zone = req.display_tz.zone()?;
        let template = match &req.template {
            TemplateRequest::Builtin { name } => name.choice(),
            TemplateRequest::File { path } => TemplateChoice::File(self.access().grants.template(path)?),
        };
        let dest = self.access().grants.take_save(&req.path)?;
        let (bytes, masked) = self.with_engine(|case, engine| {
            let analysis = engine.analyze(&case.analyze_options())?;
            let opts = ExportOptions {
                format: req.format.format(),
                template,
                display_zone,
                redact: req.redact,
                title: case.title.clone(),
                ..ExportOptions::default()
            };
            let (bytes, masked) = faultline_engine::export_counted(&analysis, &opts)?;
            Ok((faultline_engine::write_file(&dest, &bytes)?, masked))
        })?;
        Ok(ExportResult { path: dest.display().to_string(), bytes, masked: masked_dtos(masked) })
    }

    /// Writes the chart: `svg` rendered by the engine for `[from, to]` (the
    /// visible range), or `png` from the bytes the webview drew (checked to
    /// be a PNG).
    pub fn export_chart(
        &self,
        format: ChartFormat,
        display_tz: &ZoneSpec,
        range: (Option<Instant>, Option<Instant>),
        redact: bool,
        png: Option<Vec<u8>>,
        path: &str,
    ) -> Result<ExportResult, IpcError> {
        const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
        const PNG_MAX: usize = 32 << 20;
        let zone = display_tz.zone()?;
        let (bytes, masked) = match format {
            ChartFormat::Svg => self.with_engine(|case, engine| {
                let analysis = engine.analyze(&case.analyze_options())?;
                let (svg, masked) = faultline_engine::chart_svg(&analysis, &zone, range, redact);
                Ok((svg.into_bytes(), masked))
            })?,
            // Drawn by the page: its lanes show titles, and the tooltips that quote messages are not in it.
            ChartFormat::Png => match png {
                Some(b) if b.starts_with(PNG_MAGIC) && b.len() <= PNG_MAX => (b, Vec::new()),
                _ => return Err(IpcError::bad_request("the chart image is not a PNG (or is over 32 MiB)")),
            },
        };
        let dest = self.access().grants.take_save(path)?;
        let written = faultline_engine::write_file(&dest, &bytes)?;
        Ok(ExportResult { path: dest.display().to_string(), bytes: written, masked: masked_dtos(masked) })
    }

    /// The window's case: its title and its `.faultline` file if saved.
    pub fn case_info(&self) -> Result<CaseInfo, IpcError> {
        self.with_engine(|case, _| {
            Ok(CaseInfo { title: case.title.clone(), path: case.saved.as_ref().map(|p| p.display().to_string()) })
        })
    }

    /// Saves the case to the `.faultline` file chosen in the save dialog and
    /// carries on in it (later notes and edits go there), like "Save as" does.
    pub fn save_case_as(&self, path: &str) -> Result<CaseInfo, IpcError> {
        if Path::new(path).extension().is_none_or(|e| e != CASE_EXTENSION) {
            return Err(IpcError::bad_request(format!("{path}: a case file ends in .{CASE_EXTENSION}")));
        }
        let dest = self.access().grants.take_save(path)?;
        let case = self.current()?;
        {
            // The copy is of whole sources: an ingest running finishes first,
            // and none starts on this case until the copy replaces it.
            let _ingest = case.ingest.lock().unwrap_or_else(|p| p.into_inner());
            // Held until the copy replaces the case: an edit made meanwhile
            // waits, then goes to the copy.
            let engine = case.engine.lock().unwrap_or_else(|p| p.into_inner());
            if !self.is_current(&case) {
                return Err(IpcError::new(ErrorCode::Engine, "another case was opened; save again"));
            }
            engine.save_copy(&dest)?;
            let mut reopened = Case::open(&dest, policy(&self.access))?;
            reopened.title = case.title.clone().or(reopened.title);
            // The same analyst carries on: the tables queried, the incident and the baseline chosen stay.
            reopened.adopt_store_targets(&engine);
            reopened.incident.store(case.incident.load(Ordering::SeqCst), Ordering::SeqCst);
            *reopened.baseline.get_mut().unwrap_or_else(|p| p.into_inner()) =
                *case.baseline.lock().unwrap_or_else(|p| p.into_inner());
            if !self.replace(Some(&case), &mut Some(reopened), true)? {
                return Err(IpcError::new(ErrorCode::Engine, "another case was opened while saving; save again"));
            }
        }
        self.remember(&dest);
        self.case_info()
    }

    /// Opens a `.faultline` file chosen in the open dialog or listed in the
    /// recent cases, replacing the window's case. Opening grants nothing: the
    /// inputs it lists stay unreadable until granted or confirmed.
    pub fn open_case(&self, path: &str) -> Result<CaseInfo, IpcError> {
        let granted = self.access().grants.case(path);
        let p = match granted {
            Ok(p) => p,
            Err(refused) => {
                let recent = self.recent();
                // A recent case that is gone is forgotten by the name it was remembered under.
                let Ok(p) = Grants::shaped_case(path) else {
                    if recent.contains(Path::new(path)) {
                        self.forget(Path::new(path));
                        return Err(IpcError::new(ErrorCode::Input, format!("{path}: no such case file")));
                    }
                    return Err(refused);
                };
                if !(recent.contains(&p) || recent.contains(Path::new(path))) {
                    return Err(refused);
                }
                p
            }
        };
        let case = Case::open(&p, policy(&self.access))?;
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

/// What a redaction masked, as the export dialog reports it.
fn masked_dtos(masked: faultline_engine::MaskCounts) -> Vec<MaskedDto> {
    masked
        .into_iter()
        .map(|(kind, n)| MaskedDto {
            kind: kind.prefix().to_string(),
            label: kind.noun(n).to_string(),
            count: n as u64,
        })
        .collect()
}
