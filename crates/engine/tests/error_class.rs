//! The per-second counters (the chart, onset and recovery) and the error
//! events (signatures, evidence) count the same records as errors: both ask
//! `ErrorClass`, the counters with the trace probe ingest gives every buffer.

use faultline_correlate::events::{holds_trace, Extractor};
use faultline_model::{EventSink, HttpRequest, Instant, Level, LogRecord, SourceKind, SourceSummary, Span};
use faultline_store::{CaseFile, IngestBuffer};

const TRACE: &str = "2026-11-24 11:27:03,125 WARNING [app] retrying\nTraceback (most recent call last):\n  File \"app/db.py\", line 42, in connect\nConnectionError: refused";

fn at() -> Instant {
    chrono::DateTime::parse_from_rfc3339("2026-11-24T11:27:03Z").unwrap().with_timezone(&chrono::Utc)
}

/// Errors of one record as (counters, events), through a case as ingest writes it.
fn counted(status: Option<u16>, level: Option<Level>, message: &str, text: &str) -> (u64, u64) {
    let record = LogRecord {
        time: at(),
        span: Span { line: 1, offset: 0, len: text.len() as u64, lines: 1 },
        level,
        http: status.map(|status| HttpRequest {
            status,
            method: Some("GET"),
            path: Some("/api"),
            ..Default::default()
        }),
        host: None,
        service: None,
        message,
        text,
        flags: 0,
    };
    let summary = SourceSummary {
        path: "/logs/app.log".into(),
        kind: SourceKind::Log,
        format: "app-log".into(),
        records: 1,
        unparsed: 0,
        first: Some(at()),
        last: Some(at()),
        tz: "UTC".into(),
        bytes: text.len() as u64,
        sha256: String::new(),
        notes: vec![],
        clock_offset_ms: 0,
        complete: true,
        window: None,
    };
    let case = CaseFile::in_memory().unwrap();
    case.begin_source(&summary).unwrap();
    let mut buffer = IngestBuffer::new("/logs/app.log").with_trace_probe(holds_trace);
    buffer.record(&record).unwrap();
    case.write_source(&summary, &[], &buffer).unwrap();
    let mut events = Extractor::default();
    let data = case.load_window_with(None, None, None, |sources, nr| events.push(sources, nr)).unwrap();
    let counters = data.counts.iter().map(|c| u64::from(c.errors)).sum();
    (counters, events.finish().records())
}

/// What the record is, its status, level, message and text, and how many errors it is.
type Case = (&'static str, Option<u16>, Option<Level>, &'static str, &'static str, u64);

#[test]
fn counters_and_events_agree_on_what_is_an_error() {
    let cases: &[Case] = &[
        ("a 5xx", Some(503), None, "GET /api", "GET /api 503", 1),
        ("a 2xx at error level", Some(200), Some(Level::Error), "GET /api", "GET /api 200", 0),
        ("a 4xx at error level", Some(404), Some(Level::Error), "GET /api", "GET /api 404", 0),
        ("an error", None, Some(Level::Error), "db down", "db down", 1),
        ("a critical", None, Some(Level::Critical), "db down", "db down", 1),
        ("a warning", None, Some(Level::Warn), "retrying", "retrying", 0),
        ("a warning with a trace", None, Some(Level::Warn), "retrying", TRACE, 1),
        ("an info with a trace", None, Some(Level::Info), "retrying", TRACE, 0),
        ("a failure without a level, with a trace", None, None, "worker exited with code 1", TRACE, 1),
        ("a failure without a level", None, None, "worker exited with code 1", "worker exited with code 1", 0),
        ("a trace without a level, not notable", None, None, "retrying", TRACE, 0),
    ];
    for (what, status, level, message, text, want) in cases {
        let (counters, events) = counted(*status, *level, message, text);
        assert_eq!(counters, events, "{what}: counters {counters}, events {events}");
        assert_eq!(counters, *want, "{what}");
    }
}

/// A case's counters written by an older rule are not reused: the source is
/// read again, so the chart and the events never follow two rules.
#[test]
fn a_source_counted_by_an_older_rule_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, format!("{TRACE}\n2026-11-24 11:27:05,000 INFO ok\n")).unwrap();
    let case = dir.path().join("case.faultline");
    let inputs = [faultline_engine::Input::auto(&log)];
    let opts = faultline_engine::IngestOptions::default();
    let read = |expect_reused: bool| {
        let engine = faultline_engine::Engine::open(Some(&case)).unwrap();
        let report = engine.ingest(&inputs, &opts, &|_| {}).unwrap();
        assert_eq!(report.reused.is_empty(), !expect_reused, "{:?}", report.reused);
    };
    read(false);
    read(true);
    let conn = rusqlite::Connection::open(&case).unwrap();
    conn.execute("UPDATE sources SET error_rule = 1", []).unwrap();
    drop(conn);
    read(false);
    read(true);
}
