//! `faultline analyze`: the built-in sample and case files.

use crate::{ok, write};

#[test]
fn with_no_input_it_analyzes_the_built_in_sample_in_its_zone() {
    let cache = tempfile::tempdir().unwrap();
    let md = ok(&["analyze", "--quiet"], cache.path());
    assert!(md.contains("## Timeline (UTC+3)"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["analyze", "--quiet", "--format", "json"], cache.path())).unwrap();
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
    ok(
        &["note", "--case", case_s, "--at", "2026-11-17T13:05:00+03:00", "traced to the 11:20 config push"],
        cache.path(),
    );
    // Re-analyzing the case alone (no inputs) reads it back without the raw files.
    let again: serde_json::Value =
        serde_json::from_str(&ok(&["analyze", "--quiet", "--case", case_s, "--format", "json"], cache.path())).unwrap();
    assert_eq!(first["sources"], again["sources"]);
    let note = again["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "note" && e["source"] == "analyst");
    assert_eq!(note.expect("the note is in the timeline")["time"], "2026-11-17T10:05:00Z");
}

fn sample_analysis(cache: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&ok(&["analyze", "--quiet", "--format", "json"], cache)).unwrap()
}

fn utc(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc)
}

fn near(got: &serde_json::Value, want: &str, within_s: i64, what: &str) {
    let got = got.as_str().unwrap_or_else(|| panic!("{what}: no time"));
    let d = (utc(got) - utc(want)).num_seconds().abs();
    assert!(d <= within_s, "{what}: {got} is {d} s from {want}");
}

/// The seed report's story, as the sample's ground truth gives it in UTC
/// (samples/archive-crash/README.md; the report tells it in UTC+3).
#[test]
fn the_sample_tells_the_seed_reports_story() {
    let cache = tempfile::tempdir().unwrap();
    let a = sample_analysis(cache.path());
    let top = &a["suspects"][0];
    assert!(top["change_id"].as_str().unwrap().starts_with("861695c"), "top suspect: {top:#}");
    assert!(top["score"].as_f64().unwrap() >= 0.5);
    assert!(top["evidence"].as_array().unwrap().iter().any(|e| e.as_str().unwrap().contains("auth_settings.py")));
    near(&a["incident"]["onset"], "2026-11-17T08:27:04Z", 60, "onset");
    near(&a["incident"]["recovered"], "2026-11-17T10:53:01Z", 120, "recovery");
    let timeline = a["timeline"].as_array().unwrap();
    let first = |kind: &str| {
        timeline
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in the timeline: {timeline:#?}"))["time"]
            .clone()
    };
    near(&first("user_report"), "2026-11-17T08:27:48Z", 60, "first user report");
    near(&first("alert"), "2026-11-17T09:34:12Z", 60, "page");
    near(&first("fix"), "2026-11-17T10:45:37Z", 60, "fix");
    // The server restart at 13:53; gunicorn recycling single workers earlier in the day is not a restart.
    let restarts: Vec<_> = timeline.iter().filter(|e| e["kind"] == "restart").collect();
    assert_eq!(restarts.len(), 1, "{restarts:#?}");
    near(&restarts[0]["time"], "2026-11-17T10:53:02Z", 60, "restart");
    let confirmation = timeline
        .iter()
        .find(|e| e["kind"] == "note" && e["source"] != "analyst" && e["time"].as_str().unwrap() > "2026-11-17T10:53")
        .expect("a user confirmation after recovery");
    near(&confirmation["time"], "2026-11-17T11:05:31Z", 60, "user confirmation");
    assert_eq!(a["metrics"]["time_to_detect_s"].as_i64().map(|s| s / 60), Some(67));
}

/// Reads line `n` (1-based) of a plain or gzip file.
fn read_line(path: &str, n: u64) -> String {
    use std::io::{BufRead, Read};
    let mut raw = Vec::new();
    std::fs::File::open(path).unwrap().read_to_end(&mut raw).unwrap();
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
        out
    } else {
        raw
    };
    let line = std::io::Cursor::new(bytes).lines().nth((n - 1) as usize).unwrap().unwrap();
    line.trim_end_matches('\r').to_string()
}

#[test]
fn every_citation_points_at_a_real_line_whose_text_matches() {
    let cache = tempfile::tempdir().unwrap();
    let a = sample_analysis(cache.path());
    let mut citations = Vec::new();
    for s in a["suspects"].as_array().unwrap() {
        citations.extend(s["citations"].as_array().unwrap().iter().cloned());
    }
    for e in a["timeline"].as_array().unwrap() {
        if !e["citation"].is_null() {
            citations.push(e["citation"].clone());
        }
    }
    for sig in a["incident"]["signatures"].as_array().unwrap() {
        citations.push(sig["example"].clone());
    }
    assert!(citations.len() >= 10, "{} citations", citations.len());
    for c in citations {
        let line = c["line"].as_u64().unwrap();
        if line == 0 {
            continue; // a commit read from a repository
        }
        let actual = read_line(c["file"].as_str().unwrap(), line);
        let cited = c["text"].as_str().unwrap();
        assert!(actual.starts_with(cited.trim_end()), "{}:{line}\n cited: {cited}\nactual: {actual}", c["file"]);
    }
}

#[test]
fn the_markdown_postmortem_names_the_push_in_the_sample_zone() {
    let cache = tempfile::tempdir().unwrap();
    let md = ok(&["analyze", "--quiet", "--format", "md"], cache.path());
    for section in [
        "## Issue summary",
        "## Timeline (UTC+3)",
        "## Root cause",
        "## Resolution and recovery",
        "## Corrective and preventive measures",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    assert!(md.contains("11:20"), "the push at 11:20 UTC+3");
    let utc = ok(&["analyze", "--quiet", "--format", "md", "--display-tz", "UTC"], cache.path());
    assert!(utc.contains("## Timeline (UTC)") && utc.contains("08:20"), "the same push at 08:20 UTC");
}

/// An outage log that is mostly errors: twelve thousand 503s in twenty
/// minutes among a trickle of 500s. Ingest stores them in batches while it
/// reads and the analysis merges alike ones per second; every one is still
/// counted, and the onset and recovery are the flood's first and last lines.
#[test]
fn a_flood_of_errors_is_counted_exactly_from_its_first_line_to_its_last() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = utc("2026-11-24T09:00:00Z").timestamp();
    let (flood_from, flood_to) = (t0 + 3600, t0 + 3600 + 20 * 60);
    let mut log = String::new();
    let (mut failed, mut first, mut last) = (0u64, 0u64, 0u64);
    let mut line = 0u64;
    for s in t0..t0 + 5400 {
        let at = chrono::DateTime::from_timestamp(s, 0).unwrap().format("%d/%b/%Y:%H:%M:%S +0000");
        for k in 0..10u64 {
            line += 1;
            let in_flood = (flood_from..flood_to).contains(&s);
            let status = if in_flood {
                503
            } else if (s * 10 + k as i64) % 200 == 0 {
                500
            } else {
                200
            };
            if in_flood {
                failed += 1;
                first = if first == 0 { line } else { first };
                last = line;
            }
            log.push_str(&format!(
                "10.0.{}.{} - - [{at}] \"GET /api/items/{} HTTP/1.1\" {status} 512 \"-\" \"probe/1.0\"\n",
                k,
                s % 250,
                s * 10 + k as i64
            ));
        }
    }
    let path = write(dir.path(), "edge/access.log", &log);
    let out = ok(&["analyze", "--format", "json", "--quiet", "--tz", "UTC", &path.display().to_string()], dir.path());
    let a: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(a["metrics"]["errors"].as_u64(), Some(failed), "{}", a["incident"]["summary"]);
    assert_eq!(a["metrics"]["peak_errors_per_minute"].as_u64(), Some(600));
    assert_eq!(a["metrics"]["affected_clients"].as_u64(), Some(2500));
    let inc = &a["incident"];
    assert_eq!(inc["onset_citation"]["line"].as_u64(), Some(first));
    assert_eq!(inc["recovered_citation"]["line"].as_u64(), Some(last));
    assert_eq!(utc(inc["onset"].as_str().unwrap()).timestamp(), flood_from);
    assert_eq!(utc(inc["recovered"].as_str().unwrap()).timestamp(), flood_to - 1);
    let text = inc["recovered_citation"]["text"].as_str().unwrap();
    assert!(text.contains("\" 503 512 ") && text.starts_with("10.0.9."), "the raw line of the last 503: {text}");
}

/// A rotated app log whose new failure begins in the last lines of the older
/// file, in the same millisecond as the thousands that open the newer one:
/// the first error cited is the older file's, as in the files' order.
#[test]
fn the_records_of_a_rotated_set_stay_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut old = String::new();
    for s in 0..3600 {
        old.push_str(&format!("2026-11-24 09:{:02}:{:02},000 INFO [web] request served\n", s / 60, s % 60));
    }
    for _ in 0..3 {
        old.push_str("2026-11-24 10:00:00,000 ERROR [web] payment gateway timed out\n");
    }
    let mut new = String::new();
    for k in 0..6000 {
        let s = k / 20;
        new.push_str(&format!("2026-11-24 10:{:02}:{:02},000 ERROR [web] payment gateway timed out\n", s / 60, s % 60));
    }
    for s in 300..3600 {
        new.push_str(&format!("2026-11-24 10:{:02}:{:02},000 INFO [web] request served\n", s / 60, s % 60));
    }
    write(dir.path(), "logs/app.log.1", &old);
    let newer = write(dir.path(), "logs/app.log", &new);
    let folder = newer.parent().unwrap().display().to_string();
    let out = ok(&["analyze", "--format", "json", "--quiet", "--tz", "UTC", &folder], dir.path());
    let a: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(a["sources"].as_array().map(Vec::len), Some(1), "one rotated set: {:#}", a["sources"]);
    let onset = &a["incident"]["onset_citation"];
    assert!(onset["file"].as_str().unwrap().ends_with("app.log.1"), "{onset:#}");
    assert_eq!(onset["line"].as_u64(), Some(3601));
    assert_eq!(a["metrics"]["errors"].as_u64(), Some(6003));
}
