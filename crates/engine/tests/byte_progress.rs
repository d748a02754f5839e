//! Ingest reports how far each source got (the desktop's per-file progress
//! bars), throttled so a big file cannot flood the UI.

use faultline_engine::{Engine, IngestOptions, IngestReport, Input, Progress};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// Ingests `log` into a fresh engine, keeping every progress message with when it came.
fn ingest_recording(log: &Path) -> (IngestReport, Vec<(Progress, Duration)>) {
    let engine = Engine::open(None).unwrap();
    let events = Mutex::new(Vec::new());
    let started = std::time::Instant::now();
    let report = engine
        .ingest(&[Input::auto(log)], &IngestOptions::default(), &|p| {
            events.lock().unwrap().push((p.clone(), started.elapsed()))
        })
        .unwrap();
    (report, events.into_inner().unwrap())
}

#[test]
fn a_big_log_reports_bytes_and_records_as_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut text = String::new();
    let mut n = 0u64;
    while text.len() < 6 << 20 {
        text.push_str(&format!(
            "2026-11-24 10:{:02}:{:02},000 INFO [svc] request {n} served in 12 ms\n",
            (n / 60) % 60,
            n % 60
        ));
        n += 1;
    }
    std::fs::write(&log, &text).unwrap();
    let (report, progress) = ingest_recording(&log);
    let events: Vec<_> = progress
        .into_iter()
        .filter_map(|(p, at)| match p {
            Progress::Bytes { path, bytes_read, records } => Some((path, bytes_read, records, at)),
            _ => None,
        })
        .collect();
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

/// The desktop draws the chart from these previews while a big file is read:
/// the first comes after the first chunk, each covers the file from its start,
/// and their counts only grow towards what the analysis will count.
#[test]
fn a_big_log_previews_its_error_series_as_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let mut text = String::new();
    let mut n = 0u64;
    let mut errors = 0u64;
    // 12 MiB of nginx lines over three hours: several 4 MiB chunks.
    while text.len() < 12 << 20 {
        let second = n / 8;
        let status = if n.is_multiple_of(50) { 500 } else { 200 };
        errors += u64::from(status == 500);
        text.push_str(&format!(
            "10.0.0.{} - - [24/Nov/2026:{:02}:{:02}:{:02} +0000] \"GET /api/orders/{n} HTTP/1.1\" {status} 512 \"-\" \"curl/8.0\"\n",
            n % 200,
            8 + second / 3600,
            (second / 60) % 60,
            second % 60
        ));
        n += 1;
    }
    std::fs::write(&log, &text).unwrap();
    let (report, progress) = ingest_recording(&log);
    assert_eq!(report.sources[0].records, n);
    let previews: Vec<_> = progress
        .into_iter()
        .filter_map(|(p, _)| match p {
            Progress::Series { series } => Some(series),
            _ => None,
        })
        .collect();
    assert!(!previews.is_empty(), "no chart preview for a 12 MiB log");
    let totals: Vec<(u64, u64)> = previews
        .iter()
        .map(|s| (s.buckets.iter().map(|b| b.total).sum(), s.buckets.iter().map(|b| b.http_5xx).sum()))
        .collect();
    assert!(totals.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "previews only grow: {totals:?}");
    let (total, fives) = *totals.last().unwrap();
    assert!(total > 0 && total <= n, "{total} of {n} records");
    assert!(fives > 0 && fives <= errors);
    let first = &previews[0];
    assert!(first.bucket_seconds >= 60 && first.bucket_seconds % 60 == 0);
    assert_eq!(
        first.buckets[0].start.to_rfc3339(),
        "2026-11-24T08:00:00+00:00",
        "the preview starts where the file does"
    );
    // The preview comes early, after a chunk or two, not at the end (one
    // core parses a file in one piece: then it comes at the end).
    if std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2 {
        assert!(totals[0].0 < n, "the first preview already held every record");
    }
}
