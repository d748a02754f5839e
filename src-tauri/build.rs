//! Declares the app's commands so `capabilities/default.json` can allow each
//! one by name: without this manifest Tauri checks no permissions on app
//! commands at all, and any script in the webview could call any of them.

// The one command list (`COMMANDS`), shared with the app's core crate.
include!("../crates/desktop-core/src/command_list.rs");

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
