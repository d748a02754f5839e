//! Clock suggestions on cases shaped like real ones: an nginx access log
//! with `$request_id`, an application log that logs the same id, a worker.

use super::*;
use faultline_model::{Level, NotableRecord, OwnedRecord, SecondCount, Span};

const T0: i64 = 1_764_000_000;

fn at_ms(ms: i64) -> Instant {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn source(path: &str, records: u64) -> SourceSummary {
    SourceSummary {
        path: path.into(),
        kind: SourceKind::Log,
        format: "test".into(),
        records,
        unparsed: 0,
        first: None,
        last: None,
        tz: "UTC".into(),
        bytes: 0,
        sha256: String::new(),
        notes: Vec::new(),
        clock_offset_ms: 0,
        complete: true,
        window: None,
    }
}

fn record(case: &mut CaseData, source: u32, t_ms: i64, text: String) {
    let line = case.notable.iter().filter(|n| n.source == source).count() as u64 + 1;
    let file = case.sources.get(source as usize).map(|s| s.path.clone()).unwrap_or_default();
    case.notable.push(NotableRecord {
        source,
        file: file.into(),
        record: OwnedRecord {
            time: at_ms(t_ms),
            span: Span { line, offset: line * 120, len: 120, lines: 1 },
            level: Some(Level::Error),
            status: None,
            method: None,
            path: None,
            client: None,
            user_agent: None,
            host: None,
            service: None,
            message: text.clone(),
            text,
            flags: 0,
        },
    });
}

fn request_id(k: i64) -> String {
    // nginx's `$request_id`: 32 hex digits.
    format!("f{:031x}", (k as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// 200 failed requests, seven seconds apart: the access log writes each
/// with nginx's bare `$request_id`, every other log as `request_id=` at
/// its own clock, `shifts_ms` later (plus up to `jitter_ms` of handling).
fn shared_requests(shifts_ms: &[i64], jitter_ms: i64) -> CaseData {
    let mut case = CaseData { sources: vec![source("nginx/access.log", 50_000)], ..Default::default() };
    for (k, _) in shifts_ms.iter().enumerate() {
        case.sources.push(source(&format!("app/worker-{k}.log"), 2_000));
    }
    for k in 0..200i64 {
        let t = (T0 + k * 7) * 1000;
        let id = request_id(k);
        record(
            &mut case,
            0,
            t,
            format!("10.0.0.{} - - [..] \"POST /api/orders HTTP/1.1\" 502 0 \"-\" \"ua\" {id}", k % 9),
        );
        for (s, shift) in shifts_ms.iter().enumerate() {
            let handled = (k * 37) % (2 * jitter_ms + 1) - jitter_ms;
            let text = format!("ERROR [orders] request_id={id} upstream timed out after 30s");
            record(&mut case, s as u32 + 1, t + shift + handled, text);
        }
    }
    case.notable.sort_by_key(|n| n.record.time);
    case
}

fn suggestions(case: &CaseData, incident: Option<(Instant, Instant)>) -> Vec<ClockSuggestion> {
    suggest(case, &crate::events::extract(case), incident)
}

#[test]
fn request_ids_in_the_shapes_logs_write_them_are_found() {
    let found = |text: &str| {
        let mut v = Vec::new();
        ids_in(text, |id| v.push(id.to_string()));
        v
    };
    assert_eq!(found("ERROR request_id=ab12cd34 failed"), ["ab12cd34"]);
    assert_eq!(
        found(r#"{"level":"error","traceId":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"x"}"#),
        ["4bf92f3577b34da6a3ce929d0e0e4736"]
    );
    assert_eq!(found("X-Request-ID: 9f1c2e7a-0b1d-4c57-9a3e-1f2b3c4d5e6f"), ["9f1c2e7a-0b1d-4c57-9a3e-1f2b3c4d5e6f"]);
    assert_eq!(
        found("\"GET / HTTP/1.1\" 502 0 \"-\" \"ua\" 4bf92f3577b34da6a3ce929d0e0e4736"),
        ["4bf92f3577b34da6a3ce929d0e0e4736"]
    );
    // Ids of people and things, short values and bare hashes of other lengths are not requests.
    assert!(found("user_id=12345678 order id=99 sha 4bf92f3577b34da6a3ce929d0e0e4736aa").is_empty());
    assert!(found("request_id=12").is_empty());
}

#[test]
fn an_app_log_40_s_behind_the_access_log_gets_an_offset_with_its_evidence() {
    let case = shared_requests(&[40_000], 300);
    let s = suggestions(&case, None);
    assert_eq!(s.len(), 1, "{s:#?}");
    let s = &s[0];
    assert_eq!((s.source.as_str(), s.reference.as_str()), ("app/worker-0.log", "nginx/access.log"));
    assert_eq!(s.method, ClockMethod::RequestIds);
    assert_eq!(s.pairs, 200);
    assert!((s.offset_ms + 40_000).abs() <= 300, "{}", s.offset_ms);
    assert_eq!(s.current_offset_ms, 0);
    assert!(s.spread_ms <= 300);
    let id = s.example_id.as_deref().expect("an example id");
    assert_eq!(s.citations.len(), 2);
    assert!(s.citations.iter().all(|c| c.text == id));
    assert_eq!(s.citations[0].file, "nginx/access.log", "the reference's record first");
}

#[test]
fn an_offset_already_set_is_corrected_not_replaced() {
    let mut case = shared_requests(&[40_000], 0);
    // The analyst set +10 s; the records (read with it) are still 40 s late.
    case.sources[1].clock_offset_ms = 10_000;
    let s = suggestions(&case, None);
    assert_eq!(s.first().map(|s| (s.offset_ms, s.current_offset_ms)), Some((-30_000, 10_000)));
}

#[test]
fn clocks_that_agree_within_request_handling_time_get_nothing() {
    assert!(suggestions(&shared_requests(&[300], 400), None).is_empty());
}

#[test]
fn the_one_clock_the_others_disagree_with_is_the_one_to_move() {
    // Two logs agree with the access log; the third is 90 s early. It holds
    // the most records, which alone would make it the reference.
    let mut case = shared_requests(&[0, 250, -90_000], 200);
    case.sources[3].records = 900_000;
    let s = suggestions(&case, None);
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].source, "app/worker-2.log");
    assert!((s[0].offset_ms - 90_000).abs() <= 500, "{}", s[0].offset_ms);
}

#[test]
fn an_id_logged_for_hours_is_a_session_not_a_request() {
    // The same five ids, every ten minutes for three hours, in both logs
    // 40 s apart: users' sessions, which say nothing about the clocks.
    let mut case =
        CaseData { sources: vec![source("nginx/access.log", 9_000), source("app/app.log", 900)], ..Default::default() };
    for round in 0..18i64 {
        for k in 0..5i64 {
            let t = (T0 + round * 600 + k) * 1000;
            let id = request_id(k);
            record(&mut case, 0, t, format!("GET /cart 500 request_id={id}"));
            record(&mut case, 1, t + 40_000, format!("ERROR cart failed request_id={id}"));
        }
    }
    case.notable.sort_by_key(|n| n.record.time);
    assert!(suggestions(&case, None).is_empty());
}

#[test]
fn without_shared_ids_the_same_error_burst_places_the_clocks() {
    // An outage seen by two hosts' logs, one clock 40 s ahead; background
    // errors now and then in both.
    let mut case = CaseData {
        sources: vec![source("web-1/app.log", 10_000), source("web-2/app.log", 10_000)],
        ..Default::default()
    };
    let start = T0 + 3600;
    for s in T0..T0 + 7200 {
        for (src, shift) in [(0u32, 0i64), (1, 40)] {
            let burst = s >= start + shift && s < start + shift + 600;
            let errors = if burst { 4 + (s % 3) as u32 } else { u32::from(s % 173 == 0) };
            case.counts.push(SecondCount {
                second: s,
                source: src,
                total: 20,
                errors,
                http_5xx: 0,
                http_4xx: 0,
                warnings: 0,
            });
        }
    }
    let incident = Some((at_ms(start * 1000), at_ms((start + 599) * 1000)));
    let s = suggestions(&case, incident);
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].method, ClockMethod::ErrorBursts);
    assert_eq!(s[0].source, "web-2/app.log");
    assert!((s[0].offset_ms + 40_000).abs() <= 1000, "{}", s[0].offset_ms);
    assert_eq!(s[0].pairs, 19);
    assert!(s[0].citations.is_empty() && s[0].example_id.is_none());
    // Without an incident there is no burst to compare.
    assert!(suggestions(&case, None).is_empty());
}
