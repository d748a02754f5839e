//! `faultline formats` and the analyst's own format definitions
//! (`~/.config/faultline/formats/*.json`, lnav's schema), end to end.

use crate::{output_or_hang, write};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// A payment gateway's log layout no hand-written parser knows, as an analyst
/// would describe it to lnav: day.month.year stamps, a three-letter level, an
/// operation id.
const PAYGW_DEFINITION: &str = r#"{
  "$schema": "https://lnav.org/schemas/format-v1.schema.json",
  "paygw_log": {
    "title": "Payment gateway",
    "description": "The card gateway's request log.",
    "regex": {
      "std": {
        "pattern": "^(?<timestamp>\\d{2}\\.\\d{2}\\.\\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) \\| (?<level>[A-Z]{3}) \\| (?<opid>[0-9a-f]{8}) \\| (?<body>.*)$"
      }
    },
    "timestamp-format": ["%d.%m.%Y %H:%M:%S.%L"],
    "opid-field": "opid",
    "level": {"error": "ERR", "warning": "WRN", "info": "INF"},
    "sample": [
      {"line": "24.11.2026 08:27:03.125 | ERR | 9f3a0c21 | charge declined by acquirer: upstream 502", "level": "error"}
    ]
  }
}"#;

const PAYGW_LOG: &str = "24.11.2026 08:27:03.125 | ERR | 9f3a0c21 | charge declined by acquirer: upstream 502
24.11.2026 08:27:04.002 | WRN | 9f3a0c22 | retrying charge on the backup acquirer
24.11.2026 08:27:05.310 | INF | 9f3a0c23 | charge captured
";

/// Runs `faultline` with `home` as the analyst's home folder (and its
/// `.config` as the configuration folder), so only the definitions the test
/// writes there are the analyst's.
fn faultline_at(home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("TZ", "UTC");
    output_or_hang(cmd)
}

fn user_formats(home: &Path) -> std::path::PathBuf {
    home.join(".config/faultline/formats")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn listed<'a>(formats: &'a [Value], name: &str) -> &'a Value {
    formats.iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("{name} is not listed"))
}

#[test]
fn formats_lists_every_format_with_its_origin_and_a_sample() {
    let home = tempfile::tempdir().unwrap();
    let file = write(&user_formats(home.path()), "paygw.json", PAYGW_DEFINITION);

    let out = faultline_at(home.path(), &["formats", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_str(&stdout(&out)).expect("formats prints JSON");
    assert_eq!(json["problems"], Value::Array(Vec::new()));
    let formats = json["formats"].as_array().expect("formats array");

    let mine = listed(formats, "paygw_log");
    assert_eq!((mine["origin"].as_str(), mine["kind"].as_str()), (Some("user"), Some("regex")));
    assert_eq!(mine["title"], "Payment gateway");
    assert_eq!(mine["file"].as_str(), Some(file.display().to_string().as_str()));
    assert_eq!(mine["sample"].as_str(), PAYGW_LOG.lines().next());

    let nginx = listed(formats, "nginx-combined");
    assert_eq!((nginx["origin"].as_str(), nginx["kind"].as_str()), (Some("faultline"), Some("hand-written")));
    let lnav_builtins = formats.iter().filter(|f| f["origin"] == "built-in").count();
    assert_eq!(lnav_builtins, 73, "every lnav definition shipped is listed");
    // lnav's access_log patterns use possessive quantifiers: listed with the engine that reads them.
    let access = listed(formats, "access_log");
    let engines: Vec<&str> = access["engines"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(engines.contains(&"std:fancy-regex"), "{engines:?}");

    let text = faultline_at(home.path(), &["formats"]);
    assert_eq!(text.status.code(), Some(0));
    let text = stdout(&text);
    let row = text.lines().find(|l| l.starts_with("paygw_log ")).expect("a row for the analyst's format");
    assert!(row.contains(" user ") && row.contains("| ERR | 9f3a0c21 |"), "{row}");
    assert!(text.contains(&format!("from {}", file.display())), "{text}");
}

#[test]
fn a_definition_that_cannot_be_used_is_listed_with_its_file_and_reason() {
    let home = tempfile::tempdir().unwrap();
    let dir = user_formats(home.path());
    write(&dir, "paygw.json", PAYGW_DEFINITION);
    // Saved half-way through an edit.
    let truncated = write(&dir, "billing.json", "{\n  \"billing_log\": {\n    \"regex\": ");
    // A sample its own pattern does not read (the analyst changed the layout, not the sample).
    let stale = write(
        &dir,
        "queue.json",
        r#"{"queue_log": {
            "regex": {"std": {"pattern": "^(?<timestamp>\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z) (?<body>.*)$"}},
            "sample": [{"line": "2026-11-24 08:27:03 queue depth 4012"}]}}"#,
    );

    let out = faultline_at(home.path(), &["formats"]);
    assert_eq!(out.status.code(), Some(1), "a definition that cannot be used is a failure to list");
    let text = stdout(&out);
    let problems: Vec<&str> = text.lines().filter(|l| l.starts_with("problem: ")).collect();
    assert_eq!(problems.len(), 2, "{text}");
    assert!(problems.iter().any(|p| p.contains(&truncated.display().to_string()) && p.contains("invalid JSON")));
    assert!(problems
        .iter()
        .any(|p| p.contains(&stale.display().to_string()) && p.contains("queue_log: sample 1: no regex matches it")));
    assert!(text.lines().any(|l| l.starts_with("paygw_log ")), "the usable definitions are still listed:\n{text}");
    assert!(!text.lines().any(|l| l.starts_with("queue_log ")), "{text}");

    let json = faultline_at(home.path(), &["formats", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let json: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2);
    let queue = problems.iter().find(|p| p["format"] == "queue_log").expect("the stale definition");
    assert_eq!(queue["file"].as_str(), Some(stale.display().to_string().as_str()));
}

#[test]
fn a_log_in_the_analysts_layout_is_read_by_their_definition_and_a_broken_one_is_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let dir = user_formats(home.path());
    write(&dir, "paygw.json", PAYGW_DEFINITION);
    let truncated = write(&dir, "billing.json", "{\n  \"billing_log\": {\n    \"regex\": ");
    let logs = tempfile::tempdir().unwrap();
    let log = write(logs.path(), "gateway.out", PAYGW_LOG);

    let out = faultline_at(home.path(), &["inspect", "--format", "json", "--quiet", &log.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_str(&stdout(&out)).expect("inspect prints JSON");
    let source = &json["sources"][0];
    assert_eq!(source["format"], "paygw_log", "{json:#}");
    assert_eq!((source["records"].as_u64(), source["unparsed"].as_u64()), (Some(3), Some(0)));
    assert_eq!(source["first"], "2026-11-24T08:27:03.125Z");
    assert_eq!(source["last"], "2026-11-24T08:27:05.310Z");
    let problems: Vec<&str> = json["problems"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(
        problems.iter().any(|p| p.starts_with("format definition ") && p.contains(&truncated.display().to_string())),
        "{problems:?}"
    );
}
