//! Declares the app's commands so `capabilities/default.json` can allow each
//! one by name: without this manifest Tauri checks no permissions on app
//! commands at all, and any script in the webview could call any of them.

/// Every command `main.rs` registers. A command missing here cannot be
/// allowed by a capability, so the UI would get "not allowed" at runtime.
const COMMANDS: &[&str] = &[
    "open_sample",
    "ingest_paths",
    "cancel_ingest",
    "analyze",
    "search",
    "excerpt",
    "add_note",
    "delete_note",
    "notes",
    "export",
    "sources",
    "export_chart",
    "correct_source",
    "edit_timeline",
    "case_info",
    "save_case_as",
    "open_case",
    "recent_cases",
    "choose_inputs",
    "choose_save_path",
    "choose_case",
    "launch_options",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A panic here would only print "build script failed"; say what.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
