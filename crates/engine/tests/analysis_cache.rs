//! The analysis is correlated once per state of the case: the analyst's
//! notes and edits go on top of the last correlation, and anything that
//! changes the data — through this connection or another — is seen by the
//! next analysis.

use faultline_engine::{AnalyzeOptions, Engine, IngestOptions, Input, TimelineKind};
use std::path::{Path, PathBuf};

fn sample(part: &str) -> Input {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/archive-crash");
    Input { path: root.join(part), kind: None }
}

fn case_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("case.faultline")
}

#[test]
fn an_ingest_through_another_connection_is_seen_by_the_next_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let writer = Engine::open(Some(&case_path(&dir))).unwrap();
    let reader = writer.second_connection().unwrap();
    let opts = AnalyzeOptions::default();
    writer.ingest(&[sample("nginx"), sample("app")], &IngestOptions::default(), &|_| {}).unwrap();

    let logs_only = reader.analyze(&opts).unwrap();
    assert!(logs_only.incident.is_some(), "the sample's logs hold an incident");
    assert!(logs_only.suspects.is_empty(), "no change was read yet");

    // A note is layered on the same correlation and shows at once.
    let note = reader.add_note(logs_only.incident.as_ref().unwrap().onset, "paged the DBA").unwrap();
    let with_note = reader.analyze(&opts).unwrap();
    assert!(with_note.timeline.iter().any(|e| e.kind == TimelineKind::Note && e.text == "paged the DBA"));
    reader.delete_note(note.id).unwrap();
    assert!(!reader.analyze(&opts).unwrap().timeline.iter().any(|e| e.kind == TimelineKind::Note));

    writer.ingest(&[sample("deploys")], &IngestOptions::default(), &|_| {}).unwrap();
    let with_changes = reader.analyze(&opts).unwrap();
    assert!(!with_changes.suspects.is_empty(), "the other connection's deploy history is correlated");
    assert_eq!(with_changes.sources.len(), logs_only.sources.len() + 1);
}

#[test]
fn a_source_read_again_through_the_same_connection_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let lines = |n: usize| {
        (0..n).map(|i| format!("2026-11-17 08:27:{:02},120 ERROR [app] payment failed\n", i)).collect::<String>()
    };
    std::fs::write(&log, lines(3)).unwrap();
    let engine = Engine::open(Some(&case_path(&dir))).unwrap();
    let input = || Input { path: log.clone(), kind: None };
    engine.ingest(&[input()], &IngestOptions::default(), &|_| {}).unwrap();
    let opts = AnalyzeOptions::default();
    assert_eq!(engine.analyze(&opts).unwrap().sources[0].records, 3);

    std::fs::write(&log, lines(5)).unwrap();
    engine.ingest(&[input()], &IngestOptions::default(), &|_| {}).unwrap();
    assert_eq!(engine.analyze(&opts).unwrap().sources[0].records, 5, "the changed file is what is analyzed");
}

#[test]
fn a_timeline_edit_is_applied_on_top_of_the_last_correlation() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Some(&case_path(&dir))).unwrap();
    engine.ingest(&[sample("nginx"), sample("app"), sample("deploys")], &IngestOptions::default(), &|_| {}).unwrap();
    let opts = AnalyzeOptions::default();
    let before = engine.analyze(&opts).unwrap();
    let entry = before.timeline.iter().find(|e| e.kind != TimelineKind::Note).unwrap();
    let key = faultline_engine::timeline_key(entry);
    engine.edit_timeline(&key, &opts, |e| e.rename = Some("Config push took the archive down".into())).unwrap();
    let after = engine.analyze(&opts).unwrap();
    assert!(after.timeline.iter().any(|e| e.text == "Config push took the archive down"));
    engine.edit_timeline(&key, &opts, |e| e.hidden = true).unwrap();
    let hidden = engine.analyze(&opts).unwrap();
    assert_eq!(hidden.timeline.len(), before.timeline.len() - 1);
    assert_eq!(hidden.suspects, before.suspects, "edits change the timeline, not the correlation");
}

#[test]
fn a_case_without_a_file_has_no_second_connection() {
    let engine = Engine::open(None).unwrap();
    assert!(engine.second_connection().is_err());
}
