//! Ingest reports how far each source got (the desktop's per-file progress
//! bars), throttled so a big file cannot flood the UI.

use faultline_engine::{Engine, IngestOptions, Input, Progress};
use std::sync::Mutex;

#[test]
fn a_big_log_reports_bytes_and_records_as_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut text = String::new();
    let mut n = 0u64;
    while text.len() < 6 << 20 {
        text.push_str(&format!("2026-11-24 10:{:02}:{:02},000 INFO [svc] request {n} served in 12 ms\n", (n / 60) % 60, n % 60));
        n += 1;
    }
    std::fs::write(&log, &text).unwrap();
    let engine = Engine::open(None).unwrap();
    let events = Mutex::new(Vec::new());
    let started = std::time::Instant::now();
    let report = engine
        .ingest(&[Input::auto(&log)], &IngestOptions::default(), &|p| {
            if let Progress::Bytes { path, bytes_read, records } = p {
                events.lock().unwrap().push((path.clone(), *bytes_read, *records, started.elapsed()));
            }
        })
        .unwrap();
    let events = events.into_inner().unwrap();
    assert_eq!(report.sources[0].records, n);
    assert!(!events.is_empty(), "no byte progress for a 6 MiB file");
    let (path, bytes, records, _) = events.last().unwrap();
    assert_eq!(path, &log.display().to_string());
    assert!(*bytes <= text.len() as u64 && *bytes > 0);
    assert!(*records <= n);
    assert!(events.windows(2).all(|w| w[0].1 <= w[1].1 && w[0].2 <= w[1].2), "progress never goes back");
    // Throttled: at most ~10 a second (one extra for the first).
    let secs = events.last().unwrap().3.as_secs_f64();
    assert!(events.len() as f64 <= secs * 10.0 + 2.0, "{} updates in {secs:.2}s", events.len());
}
