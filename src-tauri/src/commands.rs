//! The IPC surface: each command takes the session, runs one `Session`
//! method on a blocking thread (ingest and search read files for seconds;
//! nothing may stall the UI thread or the async runtime) and maps errors to
//! `{code, message}`. Progress and search hits stream through channels,
//! which Tauri documents as the way to move many messages; events are not.
//!
//! Every command here is listed once, in `faultline_desktop_core::COMMANDS`
//! (a test checks `main.rs`, `build.rs` and the capability against it).

use faultline_desktop_core::dto::*;
use faultline_desktop_core::requests::*;
use faultline_desktop_core::{IpcError, Session, CASE_EXTENSION};
use faultline_engine::{Instant, SourceKind};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

/// What `main.rs` manages.
pub struct AppState(pub Arc<Session>);

async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    // Below the window's priority: an ingest must not take the CPU a frame needs.
    tauri::async_runtime::spawn_blocking(move || {
        crate::priority::lower_this_thread();
        f()
    })
    .await
    .map_err(|e| IpcError::internal(e.to_string()))?
}

fn progress_to(channel: Channel<IngestEvent>) -> impl Fn(IngestEvent) + Sync {
    // A closed channel (the window reloaded) must not fail the ingest.
    move |event| {
        let _ = channel.send(event);
    }
}

#[tauri::command]
pub async fn open_sample(
    state: State<'_, AppState>,
    on_progress: Channel<IngestEvent>,
) -> Result<OpenedSample, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.open_sample(&progress_to(on_progress))).await
}

#[tauri::command]
pub async fn ingest_paths(
    state: State<'_, AppState>,
    paths: Vec<String>,
    tz: ZoneSpec,
    on_progress: Channel<IngestEvent>,
) -> Result<IngestResult, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.ingest_paths(&paths, &tz, &progress_to(on_progress))).await
}

#[tauri::command]
pub fn cancel_ingest(state: State<'_, AppState>) {
    // Only flips a flag: safe on the UI thread, and must not wait for the
    // case lock the running ingest holds.
    state.0.cancel_ingest();
}

#[tauri::command]
pub async fn analyze(state: State<'_, AppState>, display_tz: ZoneSpec) -> Result<AnalysisView, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.analyze(&display_tz)).await
}

#[tauri::command]
pub async fn choose_incident(
    state: State<'_, AppState>,
    number: Option<u32>,
    display_tz: ZoneSpec,
) -> Result<AnalysisView, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.choose_incident(number, &display_tz)).await
}

/// `from`/`to` both given: that baseline; both null: the default one.
#[tauri::command]
pub async fn choose_baseline(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
    display_tz: ZoneSpec,
) -> Result<AnalysisView, IpcError> {
    let s = state.0.clone();
    off_thread(move || {
        let range = match (&from, &to) {
            (Some(f), Some(t)) => Some((f.as_str(), t.as_str())),
            (None, None) => None,
            _ => return Err(IpcError::bad_request("a baseline needs both ends, or neither")),
        };
        s.choose_baseline(range, &display_tz)
    })
    .await
}

#[tauri::command]
pub async fn sources(state: State<'_, AppState>) -> Result<Vec<SourceRow>, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.sources()).await
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn search(
    state: State<'_, AppState>,
    pattern: String,
    literal: bool,
    from: Option<Instant>,
    to: Option<Instant>,
    max: Option<usize>,
    on_hit: Channel<SearchHitDto>,
) -> Result<SearchSummary, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.search(&pattern, literal, from, to, max, &mut |hit| on_hit.send(hit).is_ok())).await
}

#[tauri::command]
pub async fn excerpt(
    state: State<'_, AppState>,
    file: String,
    offset: u64,
    len: u64,
    line: u64,
) -> Result<ExcerptDto, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.excerpt(&file, offset, len, line)).await
}

#[tauri::command]
pub async fn add_note(state: State<'_, AppState>, time: Instant, text: String) -> Result<NoteDto, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.add_note(time, &text)).await
}

#[tauri::command]
pub async fn delete_note(state: State<'_, AppState>, id: i64) -> Result<bool, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.delete_note(id)).await
}

#[tauri::command]
pub async fn notes(state: State<'_, AppState>) -> Result<Vec<NoteDto>, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.notes()).await
}

#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn export_chart(
    state: State<'_, AppState>,
    format: ChartFormat,
    display_tz: ZoneSpec,
    from: Option<Instant>,
    to: Option<Instant>,
    redact: Option<bool>,
    png: Option<Vec<u8>>,
    path: String,
) -> Result<ExportResult, IpcError> {
    let s = state.0.clone();
    // Redacted unless the page says otherwise: the SVG's tooltips quote messages.
    off_thread(move || s.export_chart(format, &display_tz, (from, to), redact.unwrap_or(true), png, &path)).await
}

#[tauri::command]
pub async fn correct_source(
    state: State<'_, AppState>,
    path: String,
    kind: SourceKind,
    tz: ZoneSpec,
    on_progress: Channel<IngestEvent>,
) -> Result<IngestResult, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.correct_source(&path, kind, &tz, &progress_to(on_progress))).await
}

#[tauri::command]
pub async fn set_clock_offset(
    state: State<'_, AppState>,
    path: String,
    offset: String,
    on_progress: Channel<IngestEvent>,
) -> Result<IngestResult, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.set_clock_offset(&path, &offset, &progress_to(on_progress))).await
}

#[tauri::command]
pub async fn edit_timeline(state: State<'_, AppState>, key: String, edit: TimelineAction) -> Result<(), IpcError> {
    let s = state.0.clone();
    off_thread(move || s.edit_timeline(&key, &edit)).await
}

#[tauri::command]
pub async fn case_info(state: State<'_, AppState>) -> Result<CaseInfo, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.case_info()).await
}

#[tauri::command]
pub async fn save_case_as(state: State<'_, AppState>, path: String) -> Result<CaseInfo, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.save_case_as(&path)).await
}

#[tauri::command]
pub async fn open_case(state: State<'_, AppState>, path: String) -> Result<CaseInfo, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.open_case(&path)).await
}

#[tauri::command]
pub async fn recent_cases(state: State<'_, AppState>) -> Result<Vec<RecentCaseDto>, IpcError> {
    let s = state.0.clone();
    off_thread(move || Ok(s.recent_cases())).await
}

// ---- dialogs ---------------------------------------------------------------------
//
// Dialogs run here, not in the webview, so the paths they return are known
// to come from the user: each is granted in the session, and the commands
// that read or write files accept only granted paths.

/// Asks for files (or a folder) to add to the case; `null` when cancelled.
#[tauri::command]
pub async fn choose_inputs(
    app: AppHandle,
    state: State<'_, AppState>,
    folder: bool,
) -> Result<Option<Vec<String>>, IpcError> {
    let s = state.0.clone();
    off_thread(move || {
        let picked = match crate::dialogs::scripted() {
            Some(script) => script.picks("pick-inputs.txt"),
            None if folder => {
                app.dialog().file().set_title("Add a folder of logs").blocking_pick_folder().map(|f| paths_of(vec![f]))
            }
            None => app.dialog().file().set_title("Add log files and exports").blocking_pick_files().map(paths_of),
        };
        Ok(picked.map(|paths| {
            s.grant_inputs(&paths);
            paths.iter().map(|p| p.display().to_string()).collect()
        }))
    })
    .await
}

/// Asks where to save; `null` when cancelled.
#[tauri::command]
pub async fn choose_save_path(
    app: AppHandle,
    state: State<'_, AppState>,
    purpose: SavePurpose,
    default_name: String,
    extension: String,
    label: String,
) -> Result<Option<String>, IpcError> {
    let title = match purpose {
        SavePurpose::Report => "Export postmortem",
        SavePurpose::Chart => "Export chart",
        SavePurpose::Case => "Save case as",
    };
    if purpose == SavePurpose::Case && extension != CASE_EXTENSION {
        return Err(IpcError::bad_request("a case is saved as a .faultline file"));
    }
    if extension.is_empty() || extension.len() > 16 || !extension.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(IpcError::bad_request(format!("bad file extension {extension:?}")));
    }
    // The suggested name is only a file name: a folder in it would steer the dialog.
    let name: String = default_name.chars().filter(|c| !matches!(c, '/' | '\\' | '\0')).take(255).collect();
    let label: String = label.chars().take(100).collect();
    let s = state.0.clone();
    off_thread(move || {
        let chosen = match crate::dialogs::scripted() {
            Some(script) => Some(script.save_path(&name)),
            None => app
                .dialog()
                .file()
                .set_title(title)
                .set_file_name(&name)
                .add_filter(&label, &[extension.as_str()])
                .blocking_save_file()
                .and_then(|f| f.into_path().ok()),
        };
        Ok(chosen.map(|p| {
            s.grant_save(&p);
            p.display().to_string()
        }))
    })
    .await
}

/// Asks for a `.faultline` case to open; `null` when cancelled.
#[tauri::command]
pub async fn choose_case(app: AppHandle, state: State<'_, AppState>) -> Result<Option<String>, IpcError> {
    let s = state.0.clone();
    off_thread(move || {
        let picked = match crate::dialogs::scripted() {
            Some(script) => script.picks("pick-case.txt").and_then(|p| p.into_iter().next()),
            None => app
                .dialog()
                .file()
                .set_title("Open case")
                .add_filter("Faultline case", &[CASE_EXTENSION])
                .blocking_pick_file()
                .and_then(|f| f.into_path().ok()),
        };
        Ok(picked.map(|p| {
            s.grant_case(&p);
            p.display().to_string()
        }))
    })
    .await
}

/// Asks for a postmortem template file (a copy of a built-in, edited); `null` when cancelled.
#[tauri::command]
pub async fn choose_template(app: AppHandle, state: State<'_, AppState>) -> Result<Option<String>, IpcError> {
    let s = state.0.clone();
    off_thread(move || {
        let picked = match crate::dialogs::scripted() {
            Some(script) => script.picks("pick-template.txt").and_then(|p| p.into_iter().next()),
            None => app
                .dialog()
                .file()
                .set_title("Choose a postmortem template")
                .add_filter("Template", &["j2", "jinja", "md", "html"])
                .blocking_pick_file()
                .and_then(|f| f.into_path().ok()),
        };
        Ok(picked.map(|p| {
            s.grant_template(&p);
            p.display().to_string()
        }))
    })
    .await
}

/// Asks the analyst to confirm the folder of the open case's inputs: the
/// inputs there whose size and hash match the case become readable. `null`
/// when cancelled.
#[tauri::command]
pub async fn confirm_case_folder(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<ConfirmResult>, IpcError> {
    let s = state.0.clone();
    off_thread(move || {
        let picked = match crate::dialogs::scripted() {
            Some(script) => script.picks("pick-folder.txt").and_then(|p| p.into_iter().next()),
            None => app
                .dialog()
                .file()
                .set_title("Confirm the folder of this case's inputs")
                .blocking_pick_folder()
                .and_then(|f| f.into_path().ok()),
        };
        picked.map(|folder| s.confirm_case_folder(&folder)).transpose()
    })
    .await
}

/// "Add source → ClickHouse": the app asks the analyst, in a native dialog
/// the page cannot answer, before it contacts the server the form names;
/// then it queries the table into the case like an ingest. `null` when the
/// analyst declined.
#[tauri::command]
pub async fn add_clickhouse_source(
    app: AppHandle,
    state: State<'_, AppState>,
    request: StoreSourceRequest,
    on_progress: Channel<IngestEvent>,
) -> Result<Option<IngestResult>, IpcError> {
    let s = state.0.clone();
    off_thread(move || {
        let locator = s.store_locator(&request)?;
        let confirmed = match crate::dialogs::scripted() {
            Some(script) => {
                script.picks("confirm-store.txt").is_some_and(|p| p.iter().any(|l| l.as_os_str() == locator.as_str()))
            }
            None => app
                .dialog()
                .message(format!(
                    "Faultline will query the table {locator} and send it the credentials you typed. Query it?"
                ))
                .title("Query a ClickHouse table?")
                .kind(tauri_plugin_dialog::MessageDialogKind::Warning)
                .buttons(tauri_plugin_dialog::MessageDialogButtons::OkCancelCustom("Query".into(), "Cancel".into()))
                .blocking_show(),
        };
        if !confirmed {
            return Ok(None);
        }
        s.grant_store(&locator);
        s.add_store_source(&request, &progress_to(on_progress)).map(Some)
    })
    .await
}

fn paths_of(files: Vec<tauri_plugin_dialog::FilePath>) -> Vec<PathBuf> {
    files.into_iter().filter_map(|f| f.into_path().ok()).collect()
}

#[tauri::command]
pub async fn export(state: State<'_, AppState>, request: ExportRequest) -> Result<ExportResult, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.export(&request)).await
}

/// What the command line asked the window to do at start: `--sample` opens
/// the built-in sample incident (`make run`), a `.faultline` path opens that
/// case, other paths are read into a new case (`launch.rs`).
#[tauri::command]
pub fn launch_options() -> LaunchOptions {
    crate::launch::Launch::from_env().options()
}
