//! A log read only for a `--from/--to` window serves that window again and
//! nothing else: another window or a whole read reads it again.

use chrono::{DateTime, Utc};
use faultline_engine::{Engine, IngestOptions, Input};
use faultline_model::ReadWindow;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Three hours of nginx access log (a format read in windows), a request
/// every 10 s from 08:00 UTC.
fn log() -> String {
    let start = at("2026-11-17T08:00:00Z");
    (0..3 * 360)
        .map(|i| {
            let t = start + chrono::Duration::seconds(10 * i);
            format!(
                "10.0.0.{} - - [{}] \"GET /api/orders HTTP/1.1\" 200 512 \"-\" \"curl/8.0\"\n",
                i % 250,
                t.format("%d/%b/%Y:%H:%M:%S +0000")
            )
        })
        .collect()
}

#[test]
fn a_window_read_is_reused_only_for_the_same_window() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    std::fs::write(&path, log()).unwrap();
    let case = dir.path().join("case.faultline");
    let inputs = [Input { path: path.clone(), kind: None }];
    let a = (Some(at("2026-11-17T09:00:00Z")), Some(at("2026-11-17T09:10:00Z")));
    let b = (Some(at("2026-11-17T10:00:00Z")), Some(at("2026-11-17T10:10:00Z")));
    // Each run opens the case anew, as the CLI does.
    let ingest = |window| {
        let engine = Engine::open(Some(&case)).unwrap();
        let report = engine.ingest(&inputs, &IngestOptions { window, ..Default::default() }, &|_| {}).unwrap();
        let stored = engine.sources().unwrap().remove(0).summary;
        (!report.reused.is_empty(), stored)
    };

    let (reused, first) = ingest(Some(a));
    assert!(!reused);
    assert_eq!(first.window, Some(ReadWindow { from: a.0, to: a.1 }), "{first:?}");
    assert!(first.complete);
    assert!(first.records < 200, "only the window (and its slack) was read: {}", first.records);
    assert_eq!(first.sha256, "");

    let (reused, again) = ingest(Some(a));
    assert!(reused, "the same window is served by the stored read");
    assert_eq!(again, first);

    let (reused, other) = ingest(Some(b));
    assert!(!reused, "another window is not served by the first one's records");
    assert_eq!(other.window, Some(ReadWindow { from: b.0, to: b.1 }));
    // From the last record before the second window less its slack.
    assert_eq!(other.first, Some(at("2026-11-17T09:54:50Z")), "{other:?}");

    let (reused, whole) = ingest(None);
    assert!(!reused, "a whole read is not served by a window read");
    assert_eq!((whole.window, whole.records, whole.sha256.len()), (None, 3 * 360, 64));

    // A whole read serves any window.
    let (reused, kept) = ingest(Some(a));
    assert!(reused);
    assert_eq!(kept, whole);
}
