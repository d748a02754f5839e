//! `faultline analyze --from/--to`: a plain, time-ordered log is read only
//! around the window, with the same result as the whole file cut to it.

use crate::{ok, write};
use serde_json::Value;
use std::path::Path;

/// Four hours of nginx access log (08:00–12:00 UTC, a line every 2 s) with a
/// burst of 500s on /api/checkout from 10:05 to 10:12 (the first at 10:05:02).
fn access_log() -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00Z").unwrap();
    let mut out = String::new();
    for i in 0..7200i64 {
        let t = start + chrono::Duration::seconds(2 * i);
        let burst =
            t.format("%H:%M").to_string().as_str() >= "10:05" && t.format("%H:%M").to_string().as_str() < "10:12";
        let (path, status) = if burst && i % 3 != 0 {
            ("/api/checkout", 500)
        } else if i % 5 == 0 {
            ("/api/checkout", 200)
        } else {
            ("/api/orders", 200)
        };
        out.push_str(&format!(
            "10.0.{}.{} - - [{}] \"POST {path} HTTP/1.1\" {status} {} \"-\" \"Go-http-client/1.1\" 0.{:03}\n",
            i % 7,
            i % 250,
            t.format("%d/%b/%Y:%H:%M:%S +0000"),
            200 + i % 900,
            i % 1000
        ));
    }
    out
}

fn analyze(args: &[&str], cache: &Path) -> Value {
    let mut all = vec!["analyze", "--quiet", "--tz", "UTC", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(&all, cache)).unwrap()
}

const FROM: &str = "2026-11-24T10:00:00Z";
const TO: &str = "2026-11-24T10:20:00Z";

#[test]
fn a_window_reads_only_its_part_and_finds_what_the_whole_file_cut_to_it_finds() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", access_log());
    let log_s = log.to_str().unwrap();

    // The reference: the whole file read into a case, then analyzed for the window.
    let case = dir.path().join("whole.faultline");
    let case_s = case.to_str().unwrap();
    let whole = analyze(&["--case", case_s, log_s], cache.path());
    assert_eq!(whole["sources"][0]["records"], 7200);
    let want = analyze(&["--case", case_s, "--from", FROM, "--to", TO], cache.path());

    let got = analyze(&["--from", FROM, "--to", TO, log_s], cache.path());
    assert_eq!(got["incident"]["onset"], "2026-11-24T10:05:02Z", "{:#}", got["incident"]);
    assert_eq!(got["incident"]["onset"], want["incident"]["onset"]);
    assert!(got["metrics"]["errors"].as_u64().unwrap() > 100, "{:#}", got["metrics"]);
    assert_eq!(got["metrics"]["errors"], want["metrics"]["errors"]);
    // Not just the headline: the cited lines (file, line number, offset) and the whole story agree.
    for key in ["incident", "metrics", "series", "timeline", "suspects"] {
        assert_eq!(got[key], want[key], "{key}");
    }
    let cited = got["incident"]["onset_citation"]["line"].as_u64().unwrap();
    assert_eq!(cited, (2 * 3600 + 5 * 60 + 2) / 2 + 1, "line of the first 500 at 10:05:02");

    let source = &got["sources"][0];
    assert_eq!(source["window"], serde_json::json!({"from": FROM, "to": TO}), "{source:#}");
    assert_eq!(source["sha256"], "", "no hash of a file not read whole");
    let records = source["records"].as_u64().unwrap();
    // 10:00–10:20 with 5 min of slack on either side: about 30 of the 240 minutes.
    assert!((600..=1000).contains(&records), "{records} records read");
    // Reading starts at the last line earlier than the window less the slack, and stops past the window plus the slack.
    assert_eq!(source["first"], "2026-11-24T09:54:58Z", "{source:#}");
    assert_eq!(source["last"], "2026-11-24T10:25:00Z", "{source:#}");
    assert_eq!(whole["sources"][0]["window"], Value::Null, "a whole read has no window");

    // The postmortem tells its reader which part was read, and why there is no hash.
    let md = ok(
        &["analyze", "--quiet", "--tz", "UTC", "--format", "markdown", "--from", FROM, "--to", TO, log_s],
        cache.path(),
    );
    assert!(md.contains("only 2026-11-24T10:00:00Z – 2026-11-24T10:20:00Z was read (--from/--to;"), "{md}");
    assert!(md.contains("not hashed: only a window was read"), "{md}");
}

#[test]
fn a_case_read_for_a_window_is_read_again_whole_or_for_another_window() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", access_log());
    let log_s = log.to_str().unwrap();
    let case = dir.path().join("c.faultline");
    let case_s = case.to_str().unwrap();
    let window = |v: &Value| v["sources"][0]["window"].clone();

    let windowed = analyze(&["--case", case_s, "--from", FROM, "--to", TO, log_s], cache.path());
    assert!(windowed["sources"][0]["records"].as_u64().unwrap() < 1000);

    // Another window of the same file: read again for that window, not the first one's records.
    let other = analyze(
        &["--case", case_s, "--from", "2026-11-24T11:00:00Z", "--to", "2026-11-24T11:10:00Z", log_s],
        cache.path(),
    );
    assert_eq!(window(&other), serde_json::json!({"from": "2026-11-24T11:00:00Z", "to": "2026-11-24T11:10:00Z"}));
    assert_eq!(other["sources"][0]["first"], "2026-11-24T10:54:58Z", "{:#}", other["sources"][0]);

    // No window: the file is read whole again, and hashed.
    let whole = analyze(&["--case", case_s, log_s], cache.path());
    let source = &whole["sources"][0];
    assert_eq!(source["records"], 7200, "{source:#}");
    assert_eq!(source["first"], "2026-11-24T08:00:00Z");
    assert_eq!(source["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(window(&whole), Value::Null);
    assert_eq!(whole["incident"]["onset"], "2026-11-24T10:05:02Z");

    // A whole read serves any window: it is kept, not replaced by a window read.
    let again = analyze(&["--case", case_s, "--from", FROM, "--to", TO, log_s], cache.path());
    assert_eq!(again["sources"][0], whole["sources"][0]);
    assert_eq!(again["incident"]["onset"], "2026-11-24T10:05:02Z");
}

#[test]
fn a_gzip_log_is_read_whole_even_with_a_window() {
    use std::io::Write;
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(access_log().as_bytes()).unwrap();
    let gz = write(dir.path(), "access.log.gz", enc.finish().unwrap());
    let got = analyze(&["--from", FROM, "--to", TO, gz.to_str().unwrap()], cache.path());
    let source = &got["sources"][0];
    assert_eq!(source["records"], 7200, "{source:#}");
    assert_eq!(source["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(got["incident"]["onset"], "2026-11-24T10:05:02Z");
}

/// An analyst who narrows the logs to the incident (the window opens at its
/// first error) still gets the deploy that caused it: changes are read from
/// the look-back before the window, not from the window's start.
#[test]
fn a_window_opening_at_the_first_error_still_names_the_change_before_it() {
    let cache = tempfile::tempdir().unwrap();
    let sample = ok(&["sample"], cache.path());
    let sample = sample.trim();
    // The sample's first 500 is at 11:27:04 (UTC+3); the push that caused it at 11:20:14.
    let args = ["--tz", "+03:00", "--from", "2026-11-17T08:27:00Z", "--to", "2026-11-17T11:30:00Z", sample];
    let mut all = vec!["analyze", "--quiet", "--format", "json"];
    all.extend_from_slice(&args);
    let got: Value = serde_json::from_str(&ok(&all, cache.path())).unwrap();
    assert_eq!(got["incident"]["onset"], "2026-11-17T08:27:04Z", "{:#}", got["incident"]);
    let top = &got["suspects"][0];
    assert!(top["change_id"].as_str().unwrap().starts_with("861695cd"), "top suspect: {top:#}");
    assert!(top["score"].as_f64().unwrap() >= 0.5, "named as the likely cause: {top:#}");
    // Changes outside the look-back stay out.
    let mut short = vec!["analyze", "--quiet", "--format", "json", "--lookback", "5m"];
    short.extend_from_slice(&args);
    let got: Value = serde_json::from_str(&ok(&short, cache.path())).unwrap();
    assert!(
        got["suspects"].as_array().unwrap().iter().all(|s| !s["change_id"].as_str().unwrap().starts_with("861695cd")),
        "a push 7 min before the window is outside a 5 min look-back: {:#}",
        got["suspects"]
    );
}

/// A window read that finds the file out of order reads it whole instead;
/// the errors it had already stored (more than one batch) are dropped, not
/// counted twice.
#[test]
fn a_window_read_that_falls_back_to_the_whole_file_counts_each_error_once() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00Z").unwrap();
    let line = |t: chrono::DateTime<chrono::FixedOffset>, k: i64, status: u16| {
        format!(
            "10.0.{}.{} - - [{}] \"GET /api/items/{k} HTTP/1.1\" {status} 99 \"-\" \"probe\"\n",
            k % 7,
            k % 250,
            t.format("%d/%b/%Y:%H:%M:%S +0000")
        )
    };
    let (mut log, mut lines, mut failed) = (String::new(), 0u64, 0u64);
    for s in 0..4 * 3600i64 {
        let t = start + chrono::Duration::seconds(s);
        let hm = t.format("%H:%M").to_string();
        let n = if ("10:05".."10:12").contains(&hm.as_str()) { 15 } else { 1 };
        for k in 0..n {
            let status = if n > 1 { 503 } else { 200 };
            failed += u64::from(status == 503);
            lines += 1;
            log.push_str(&line(t, s * 16 + k, status));
        }
        if hm == "10:15" && t.format("%S").to_string() == "00" {
            // A line from 75 minutes earlier: the file is not in time order.
            lines += 1;
            log.push_str(&line(start + chrono::Duration::hours(1), s * 16 + 15, 200));
        }
    }
    assert!(failed > 6000);
    let path = write(dir.path(), "access.log", log);
    let got = analyze(&["--from", FROM, "--to", TO, path.to_str().unwrap()], cache.path());
    let source = &got["sources"][0];
    assert_eq!(source["records"].as_u64(), Some(lines), "read whole: {source:#}");
    assert_eq!(source["window"], Value::Null, "{source:#}");
    assert_eq!(got["metrics"]["errors"].as_u64(), Some(failed), "{:#}", got["incident"]["summary"]);
}
