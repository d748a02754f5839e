//! `faultline search`: hits with file, line and instant; windows; unparsed lines stay searchable.

use crate::{faultline, ok, write};

const APP: &str = "noise before any timestamp: ImportError mentioned here\n\
2026-11-17 11:27:03,120 ERROR [archive.portal.views] Exception on /login [POST]\n\
Traceback (most recent call last):\n\
  File \"/srv/archive/scripts/portal_login.py\", line 41, in login\n\
ImportError: cannot import name 'LegacySessionStore' from 'archive_auth.sessions'\n\
2026-11-17 13:53:10,000 ERROR [archive.portal.views] ImportError again after restart\n";

#[test]
fn hits_carry_file_line_and_the_instant_of_their_record() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "app.log", APP);
    let cache = tempfile::tempdir().unwrap();
    let out = ok(&["search", "ImportError", p.to_str().unwrap(), "--tz", "+03:00", "--format", "json"], cache.path());
    let hits: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(hits.len(), 3, "{out}");
    // The unparsed line before the first timestamp is still found.
    assert_eq!(hits[0]["line"], 1);
    assert_eq!(hits[0]["time"], serde_json::Value::Null);
    // A traceback line takes the instant of the record it belongs to.
    assert_eq!(hits[1]["line"], 5);
    assert_eq!(hits[1]["time"], "2026-11-17T08:27:03.120Z");
    assert_eq!(hits[2]["time"], "2026-11-17T10:53:10Z");
}

#[test]
fn a_time_window_keeps_only_hits_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "app.log", APP);
    let cache = tempfile::tempdir().unwrap();
    let out = ok(
        &["search", "-F", "ImportError", p.to_str().unwrap(), "--tz", "+03:00", "--from", "2026-11-17T13:00:00+03:00"],
        cache.path(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].contains(":6:2026-11-17T10:53:10Z: "), "{out}");
}

#[test]
fn no_hit_exits_1_and_a_bad_pattern_exits_3_with_the_pattern_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "app.log", APP);
    let cache = tempfile::tempdir().unwrap();
    assert_eq!(faultline(&["search", "NoSuchThing", p.to_str().unwrap()], cache.path()).status.code(), Some(1));
    let bad = faultline(&["search", "(unclosed", p.to_str().unwrap()], cache.path());
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("(unclosed"));
}
