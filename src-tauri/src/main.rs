//! Faultline's desktop shell: wires the session, the dialog plugin and the
//! commands into a Tauri app. All behaviour lives in `session.rs` (plain Rust
//! over `faultline-engine`); this file and `commands.rs` only connect it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dto;
mod error;
mod session;

use commands::AppState;
use std::sync::Arc;

fn main() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState(Arc::new(session::Session::default())))
        .invoke_handler(tauri::generate_handler![
            commands::open_sample,
            commands::ingest_paths,
            commands::cancel_ingest,
            commands::analyze,
            commands::sources,
            commands::search,
            commands::excerpt,
            commands::add_note,
            commands::delete_note,
            commands::notes,
            commands::export,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("faultline-desktop: {e}");
        std::process::exit(1);
    }
}
