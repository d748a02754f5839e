//! The desktop's command list is written once (`COMMANDS`); the Tauri shell
//! must register, declare and allow exactly those names. A command missing
//! from the capability fails at run time with "not allowed"; one allowed but
//! not registered is an attack surface nobody reviews.

use faultline_desktop_core::COMMANDS;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn repo_file(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn listed() -> BTreeSet<String> {
    let set: BTreeSet<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
    assert_eq!(set.len(), COMMANDS.len(), "a command is listed twice");
    set
}

#[test]
fn main_registers_exactly_the_listed_commands() {
    let main = repo_file("src-tauri/src/main.rs");
    let start = main.find("generate_handler![").expect("main.rs registers commands");
    let end = main.get(start..).and_then(|m| m.find(']')).expect("the handler list ends") + start;
    let registered: BTreeSet<String> = main
        .get(start..end)
        .unwrap_or_default()
        .split("commands::")
        .skip(1)
        .map(|s| s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(registered, listed());
}

#[test]
fn every_listed_command_is_a_tauri_command() {
    let commands = repo_file("src-tauri/src/commands.rs");
    let mut defined = BTreeSet::new();
    let mut lines = commands.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[tauri::command]" {
            let signature = lines.find(|l| l.contains("fn ")).unwrap_or_default();
            let name = signature.split("fn ").nth(1).and_then(|r| r.split(['(', '<']).next()).unwrap_or_default();
            defined.insert(name.trim().to_string());
        }
    }
    assert_eq!(defined, listed());
}

#[test]
fn the_build_script_declares_the_same_list() {
    let build = repo_file("src-tauri/build.rs");
    assert!(
        build.contains(r#"include!("../crates/desktop-core/src/command_list.rs");"#),
        "build.rs must declare COMMANDS from the one list"
    );
    assert!(build.contains(".commands(COMMANDS)"));
}

#[test]
fn the_capability_allows_exactly_the_listed_commands() {
    let cap: serde_json::Value = serde_json::from_str(&repo_file("src-tauri/capabilities/default.json")).unwrap();
    let allowed: BTreeSet<String> = cap["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.contains(':'))
        .map(|p| p.strip_prefix("allow-").unwrap_or_else(|| panic!("{p}: only allow-<command> here")).replace('-', "_"))
        .collect();
    assert_eq!(allowed, listed());
    // Plugins: only event listening (drag and drop). Dialogs run in Rust, not from the page.
    let plugins: Vec<&str> =
        cap["permissions"].as_array().unwrap().iter().filter_map(|p| p.as_str()).filter(|p| p.contains(':')).collect();
    assert_eq!(plugins, ["core:event:allow-listen", "core:event:allow-unlisten"]);
}

#[test]
fn the_scripted_dialogs_exist_only_behind_the_e2e_feature() {
    let manifest = repo_file("Cargo.toml");
    let features = manifest.split("[features]").nth(1).and_then(|f| f.split("\n[").next()).unwrap_or_default();
    assert!(features.contains("e2e-dialogs = []"), "{features}");
    assert!(!features.contains("default"), "no default features: a release build has no scripted dialogs");
    let dialogs = repo_file("src-tauri/src/dialogs.rs");
    let reads: Vec<usize> = dialogs.match_indices("std::env::var").map(|(i, _)| i).collect();
    assert_eq!(reads.len(), 1, "the variable is read in one place");
    let before = dialogs.get(..reads[0]).unwrap_or_default();
    assert!(before.trim_end().rsplit("\n\n").next().unwrap_or_default().contains(r#"#[cfg(feature = "e2e-dialogs")]"#));
    for file in ["src-tauri/src/commands.rs", "src-tauri/src/main.rs"] {
        assert!(!repo_file(file).contains("FAULTLINE_E2E_DIALOGS\")"), "{file} reads the hook itself");
    }
    assert!(repo_file("scripts/e2e.sh").contains("--features e2e-dialogs"));
}
