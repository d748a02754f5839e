//! `faultline analyze --offset` and `--baseline`: per-source clock offsets
//! (applied at read time, kept in the case, suggested but never applied by
//! the analysis) and "what is new in the incident".

use crate::{faultline, ok, write};
use serde_json::Value;
use std::path::Path;

fn analyze(args: &[&str], cache: &Path) -> Value {
    let mut all = vec!["analyze", "--quiet", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(&all, cache)).expect("analyze prints JSON")
}

fn utc(v: &Value) -> chrono::DateTime<chrono::Utc> {
    let s = v.as_str().unwrap_or_else(|| panic!("not a time: {v}"));
    chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc)
}

fn source<'a>(a: &'a Value, suffix: &str) -> &'a Value {
    crate::source(a["sources"].as_array().expect("sources"), suffix)
}

fn entries_of<'a>(a: &'a Value, suffix: &str) -> Vec<&'a Value> {
    a["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["source"].as_str().is_some_and(|s| s.ends_with(suffix)))
        .collect()
}

/// Two web servers behind one balancer, Python logging, both logging the
/// request id of each failed order. web-2's clock is 40 s behind: it writes
/// every request 40 s before web-1 does.
fn two_web_logs(dir: &Path) -> (String, String) {
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z").unwrap();
    let (mut web1, mut web2) = (String::new(), String::new());
    for k in 0..1800i64 {
        let t = start + chrono::Duration::seconds(2 * k);
        let line = |t: chrono::DateTime<chrono::FixedOffset>, text: &str| {
            format!("{} {text}\n", t.format("%Y-%m-%d %H:%M:%S,%3f"))
        };
        web1.push_str(&line(t, &format!("INFO [orders] GET /api/orders/{} 200", 1000 + k)));
        web2.push_str(&line(t, &format!("INFO [orders] GET /api/orders/{} 200", 5000 + k)));
        if k % 10 == 0 {
            let id = format!("{:032x}", 0xa5a5_0000_u64 + k as u64 * 7919);
            let handled = chrono::Duration::milliseconds(80 + (k * 13) % 400);
            web1.push_str(&line(t, &format!("ERROR [orders.pay] request_id={id} payment gateway timed out")));
            web2.push_str(&line(
                t + handled - chrono::Duration::seconds(40),
                &format!("ERROR [orders.pay] request_id={id} retry of payment gateway call failed"),
            ));
        }
    }
    let a = write(dir, "web-1/app.log", web1);
    let b = write(dir, "web-2/app.log", web2);
    (a.display().to_string(), b.display().to_string())
}

#[test]
fn a_clock_40_s_behind_is_suggested_with_its_evidence_and_fixed_by_the_offset() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (web1, web2) = two_web_logs(dir.path());
    let a = analyze(&["--tz", "UTC", &web1, &web2], cache.path());
    let s = a["clock_suggestions"].as_array().expect("clock_suggestions");
    assert_eq!(s.len(), 1, "{s:#?}");
    let s = &s[0];
    assert!(s["source"].as_str().unwrap().ends_with("web-2/app.log"), "{s:#}");
    assert!(s["reference"].as_str().unwrap().ends_with("web-1/app.log"), "{s:#}");
    assert_eq!(s["method"], "request_ids");
    assert_eq!(s["pairs"], 180);
    let offset = s["offset_ms"].as_i64().unwrap();
    assert!((39_000..=40_000).contains(&offset), "the offset is +40 s less request handling: {offset}");
    assert_eq!(s["citations"].as_array().map(Vec::len), Some(2));
    // Suggested, never applied.
    assert_eq!(source(&a, "web-2/app.log")["clock_offset_ms"], 0);
    let first = utc(&source(&a, "web-2/app.log")["first"]);

    let fixed = analyze(&["--tz", "UTC", "--offset", "web-2/app.log=+40s", &web1, &web2], cache.path());
    assert_eq!(fixed["clock_suggestions"], serde_json::json!([]), "the corrected clocks agree");
    let web2_fixed = source(&fixed, "web-2/app.log");
    assert_eq!(web2_fixed["clock_offset_ms"], 40_000);
    assert_eq!(utc(&web2_fixed["first"]) - first, chrono::Duration::seconds(40));
    assert!(web2_fixed["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("clock corrected by +40s")));
    assert_eq!(source(&fixed, "web-1/app.log")["clock_offset_ms"], 0);
}

#[test]
fn an_offset_moves_that_sources_timeline_entries_and_marks_them() {
    let cache = tempfile::tempdir().unwrap();
    let plain = analyze(&[], cache.path());
    let moved = analyze(&["--offset", "social-tickets.csv=+40s"], cache.path());
    let (before, after) = (entries_of(&plain, "social-tickets.csv"), entries_of(&moved, "social-tickets.csv"));
    assert!(!before.is_empty() && before.len() == after.len(), "{} vs {}", before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(utc(&a["time"]) - utc(&b["time"]), chrono::Duration::seconds(40), "{a:#}");
        assert_eq!(a["clock_offset_ms"], 40_000);
        assert_eq!(b["clock_offset_ms"], Value::Null);
    }
    // The other sources' entries are where they were, unmarked.
    let others = |a: &Value| -> Vec<Value> {
        a["timeline"].as_array().unwrap().iter().filter(|e| e["clock_offset_ms"].is_null()).cloned().collect()
    };
    assert_eq!(others(&plain).len(), others(&moved).len() + after.len());
}

#[test]
fn an_offset_is_kept_in_the_case_until_set_to_zero() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c.faultline");
    let case_s = case.to_str().unwrap();
    let set = analyze(&["--case", case_s, "--offset", "social-tickets.csv=-1m30s"], cache.path());
    assert_eq!(source(&set, "social-tickets.csv")["clock_offset_ms"], -90_000);
    let again = analyze(&["--case", case_s], cache.path());
    assert_eq!(source(&again, "social-tickets.csv")["clock_offset_ms"], -90_000, "kept in the case");
    assert_eq!(set["timeline"], again["timeline"]);
    // Undone on a case without its inputs given again: the source is read again.
    let undone = analyze(&["--case", case_s, "--offset", "social-tickets.csv=0"], cache.path());
    assert_eq!(source(&undone, "social-tickets.csv")["clock_offset_ms"], 0);
    let plain = analyze(&[], cache.path());
    assert_eq!(undone["timeline"], plain["timeline"]);
}

#[test]
fn an_offset_naming_no_source_or_an_unreadable_duration_is_refused() {
    let cache = tempfile::tempdir().unwrap();
    for (arg, says) in [
        ("no-such.csv=+4s", "no-such.csv"),
        ("social-tickets.csv=forty", "forty"),
        ("social-tickets.csv=+9d", "week"),
        ("+40s", "SOURCE=±DURATION"),
    ] {
        let out = faultline(&["analyze", "--quiet", "--format", "json", "--offset", arg], cache.path());
        assert!(!out.status.success(), "--offset {arg} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "--offset {arg}: {err}");
    }
}

#[test]
fn what_is_new_ranks_the_sample_incident_against_a_baseline() {
    let cache = tempfile::tempdir().unwrap();
    let a = analyze(&[], cache.path());
    let n = &a["novelty"];
    assert_eq!(n["comparable"], true, "{n:#}");
    assert_eq!(n["baseline_given"], false);
    let onset = utc(&a["incident"]["onset"]);
    let from = utc(&n["incident_from"]);
    assert!(from <= onset && onset - from < chrono::Duration::seconds(1), "the window starts at the onset's second");
    let top = &n["signatures"][0];
    assert_eq!(top["rose"], true, "{top:#}");
    let login = n["endpoints"].as_array().unwrap().iter().find(|e| e["value"] == "/login").expect("/login ranked");
    assert_eq!(login["rose"], true, "{login:#}");
    assert!(n["status_codes"].as_array().unwrap().iter().any(|s| s["value"] == "500" && s["rose"] == true));

    let md = ok(&["analyze", "--quiet"], cache.path());
    assert!(md.contains("## What is new in the incident"), "{md}");

    let chosen = analyze(&["--baseline", "2026-11-17T09:00:00+03:00..2026-11-17T10:00:00+03:00"], cache.path());
    let n = &chosen["novelty"];
    assert_eq!(n["baseline_given"], true);
    assert_eq!(n["baseline_from"], "2026-11-17T06:00:00Z");
    assert_eq!(n["baseline_to"], "2026-11-17T07:00:00Z");
    let out = faultline(&["analyze", "--quiet", "--baseline", "2026-11-17T10:00:00Z"], cache.path());
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("FROM..TO"));
}
