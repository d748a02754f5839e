//! `faultline analyze`: the built-in sample and case files.

use crate::ok;

#[test]
fn with_no_input_it_analyzes_the_built_in_sample_in_its_zone() {
    let cache = tempfile::tempdir().unwrap();
    let md = ok(&["analyze", "--quiet"], cache.path());
    assert!(md.contains("## Timeline (UTC+3)"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&ok(&["analyze", "--quiet", "--format", "json"], cache.path())).unwrap();
    let sources = json["sources"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> = sources.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["alerts", "deploys", "log", "support"]);
    assert!(sources.iter().all(|s| s["records"].as_u64().unwrap() > 0), "{sources:#?}");
}

#[test]
fn a_case_file_is_reused_and_keeps_notes() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("incident.faultline");
    let case_s = case.to_str().unwrap();
    let first: serde_json::Value =
        serde_json::from_str(&ok(&["analyze", "--quiet", "--case", case_s, "--format", "json"], cache.path())).unwrap();
    ok(&["note", "--case", case_s, "--at", "2026-11-17T13:05:00+03:00", "traced to the 11:20 config push"], cache.path());
    // Re-analyzing the case alone (no inputs) reads it back without the raw files.
    let again: serde_json::Value = serde_json::from_str(&ok(&["analyze", "--quiet", "--case", case_s, "--format", "json"], cache.path())).unwrap();
    assert_eq!(first["sources"], again["sources"]);
    let note = again["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "note" && e["source"] == "analyst");
    assert_eq!(note.expect("the note is in the timeline")["time"], "2026-11-17T10:05:00Z");
}
