//! Faultline's desktop shell: wires the session, the dialog plugin and the
//! commands into a Tauri app. All behaviour lives in `faultline-desktop-core`
//! (plain Rust over `faultline-engine`); this file and `commands.rs` only
//! connect it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod dialogs;
mod launch;
mod priority;

use commands::AppState;
use faultline_desktop_core::Session;
use std::sync::Arc;
use tauri::{DragDropEvent, Manager, RunEvent, WindowEvent};

/// A terminated app (logout, `kill`, a WebDriver session ending) cleans up
/// like one the user quit: the unsaved case's temporary folder is deleted,
/// then the process exits with the shell's code for the signal.
#[cfg(unix)]
fn close_on_termination_signals(session: Arc<Session>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) else { return };
    std::thread::spawn(move || {
        let mut signals = signals.forever();
        if let Some(signal) = signals.next() {
            // Closing waits for a command that holds the case; a second signal does not.
            std::thread::spawn(move || {
                session.close();
                std::process::exit(128 + signal);
            });
        }
        if let Some(signal) = signals.next() {
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
fn close_on_termination_signals(_: Arc<Session>) {}

fn main() {
    let launch = launch::Launch::from_env();
    if launch.print_version || launch.print_help {
        println!("{}", if launch.print_version { launch::Launch::version_line() } else { launch::USAGE.to_string() });
        return;
    }
    for option in &launch.unknown {
        eprintln!("faultline-desktop: ignoring unknown option {option} (--help lists the options)");
    }
    priority::lower_rayon_pool();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            // The recent-cases list lives in the app's config folder; without
            // one (no home folder) the list is simply not kept.
            let session = match app.path().app_config_dir() {
                Ok(dir) => Session::with_recent_file(dir.join("recent-cases.json")),
                Err(_) => Session::default(),
            };
            // What the command line names, the user chose: the window may open it.
            if let Some(case) = &launch.case {
                session.grant_case(case);
            }
            session.grant_inputs(&launch.inputs);
            let session = Arc::new(session);
            close_on_termination_signals(session.clone());
            app.manage(AppState(session));
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
        // The same names as `faultline_desktop_core::COMMANDS` (a test checks it).
        .invoke_handler(tauri::generate_handler![
            commands::open_sample,
            commands::ingest_paths,
            commands::cancel_ingest,
            commands::analyze,
            commands::choose_incident,
            commands::choose_baseline,
            commands::sources,
            commands::search,
            commands::excerpt,
            commands::add_note,
            commands::delete_note,
            commands::notes,
            commands::export,
            commands::export_chart,
            commands::correct_source,
            commands::set_clock_offset,
            commands::edit_timeline,
            commands::case_info,
            commands::save_case_as,
            commands::open_case,
            commands::recent_cases,
            commands::choose_inputs,
            commands::choose_save_path,
            commands::choose_case,
            commands::choose_template,
            commands::confirm_case_folder,
            commands::launch_options,
            commands::add_clickhouse_source,
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| {
            // The process ends after this event without dropping the managed state.
            if let RunEvent::Exit = event {
                if let Some(state) = handle.try_state::<AppState>() {
                    state.0.close();
                }
            }
        }),
        Err(e) => {
            eprintln!("faultline-desktop: {e}");
            std::process::exit(1);
        }
    }
}
