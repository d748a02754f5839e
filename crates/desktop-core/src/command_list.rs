// Every IPC command of the desktop app, in one place. `src-tauri/build.rs`
// includes this file to declare them (so the capability can allow each by
// name), `src-tauri/src/main.rs` registers the same names, and
// `crates/desktop-core/tests/commands.rs` checks that the three agree with
// `src-tauri/capabilities/default.json`. Plain Rust with no `//!` comments:
// it is `include!`d by the build script.

/// The commands, by the name the page invokes.
pub const COMMANDS: &[&str] = &[
    "open_sample",
    "ingest_paths",
    "cancel_ingest",
    "analyze",
    "choose_incident",
    "choose_baseline",
    "search",
    "excerpt",
    "add_note",
    "delete_note",
    "notes",
    "export",
    "sources",
    "export_chart",
    "correct_source",
    "set_clock_offset",
    "edit_timeline",
    "case_info",
    "save_case_as",
    "open_case",
    "recent_cases",
    "choose_inputs",
    "choose_save_path",
    "choose_case",
    "choose_template",
    "confirm_case_folder",
    "launch_options",
    "add_clickhouse_source",
];
