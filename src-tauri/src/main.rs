//! Faultline's desktop shell: wires the session, the dialog plugin and the
//! commands into a Tauri app. All behaviour lives in `session.rs` (plain Rust
//! over `faultline-engine`); this file and `commands.rs` only connect it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dto;
mod error;
mod priority;
mod session;

use commands::AppState;
use std::sync::Arc;
use tauri::{DragDropEvent, Manager, WindowEvent};

fn main() {
    priority::lower_rayon_pool();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // The recent-cases list lives in the app's config folder; without
            // one (no home folder) the list is simply not kept.
            let session = match app.path().app_config_dir() {
                Ok(dir) => session::Session::with_recent_file(dir.join("recent-cases.json")),
                Err(_) => session::Session::default(),
            };
            app.manage(AppState(Arc::new(session)));
            Ok(())
        })
        .on_window_event(|window, event| {
            // What the user drops is what the window may read.
            if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                if let Some(state) = window.try_state::<AppState>() {
                    state.0.grant_inputs(paths);
                }
            }
        })
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
            commands::export_chart,
            commands::correct_source,
            commands::edit_timeline,
            commands::case_info,
            commands::save_case_as,
            commands::open_case,
            commands::recent_cases,
            commands::choose_inputs,
            commands::choose_save_path,
            commands::choose_case,
            commands::launch_options,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("faultline-desktop: {e}");
        std::process::exit(1);
    }
}
