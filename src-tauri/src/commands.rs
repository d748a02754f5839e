//! The IPC surface: each command takes the session, runs one `Session`
//! method on a blocking thread (ingest and search read files for seconds;
//! nothing may stall the UI thread or the async runtime) and maps errors to
//! `{code, message}`. Progress and search hits stream through channels,
//! which Tauri documents as the way to move many messages; events are not.
//!
//! Every command here must also be listed in `build.rs` and allowed in
//! `capabilities/default.json`.

use crate::dto::*;
use crate::error::IpcError;
use crate::session::Session;
use faultline_engine::{Analysis, Instant};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// What `main.rs` manages.
pub struct AppState(pub Arc<Session>);

async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| IpcError::internal(e.to_string()))?
}

fn progress_to(channel: Channel<IngestEvent>) -> impl Fn(IngestEvent) + Sync {
    // A closed channel (the window reloaded) must not fail the ingest.
    move |event| {
        let _ = channel.send(event);
    }
}

#[tauri::command]
pub async fn open_sample(state: State<'_, AppState>, on_progress: Channel<IngestEvent>) -> Result<OpenedSample, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.open_sample(&progress_to(on_progress))).await
}

#[tauri::command]
pub async fn ingest_paths(
    state: State<'_, AppState>,
    paths: Vec<String>,
    tz: String,
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
pub async fn analyze(state: State<'_, AppState>, display_tz: String) -> Result<Analysis, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.analyze(&display_tz)).await
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
pub async fn excerpt(state: State<'_, AppState>, file: String, offset: u64, len: u64, line: u64) -> Result<ExcerptDto, IpcError> {
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
pub async fn export(
    state: State<'_, AppState>,
    format: String,
    template: String,
    display_tz: String,
    path: String,
) -> Result<ExportResult, IpcError> {
    let s = state.0.clone();
    off_thread(move || s.export(&format, &template, &display_tz, &path)).await
}
