//! Reading a source again (as another kind or zone, from the desktop) keeps
//! what the analyst set on it.

use faultline_engine::{Engine, IngestOptions, Input};

const LOG: &str = "\
2026-11-17 08:27:04,120 ERROR [app] payment failed
2026-11-17 08:27:09,500 ERROR [app] payment failed
2026-11-17 08:28:00,000 INFO [app] request done
";

#[test]
fn a_source_read_again_keeps_its_clock_offset() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, LOG).unwrap();
    let path = log.display().to_string();
    let engine = Engine::open(None).unwrap();
    let input = Input { path: log.clone(), kind: None };
    let opts = IngestOptions { offsets: vec![("app.log".into(), 40_000)], ..Default::default() };
    engine.ingest(&[input], &opts, &|_| {}).unwrap();
    let first = |e: &Engine| {
        let s = e.sources().unwrap().into_iter().find(|m| m.summary.path == path).unwrap().summary;
        (s.clock_offset_ms, s.first.map(|t| t.to_rfc3339()))
    };
    let shifted = (40_000, Some("2026-11-17T08:27:44.120+00:00".to_string()));
    assert_eq!(first(&engine), shifted);

    engine.reingest_source(&path, None, &IngestOptions::default(), &|_| {}).unwrap();
    assert_eq!(first(&engine), shifted, "the offset survives a re-read that does not set one");

    let zero = IngestOptions { offsets: vec![(path.clone(), 0)], ..Default::default() };
    engine.reingest_source(&path, None, &zero, &|_| {}).unwrap();
    assert_eq!(first(&engine).0, 0, "a re-read that sets one replaces it");
}
