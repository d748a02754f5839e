//! `faultline inspect`: every input format detected from content, with exact
//! record/unparsed counts and UTC instants.

use crate::{faultline, git, inspect, shared_data, source, write};
use std::io::Write;

const ACCESS: &str = r#"203.0.113.7 - - [17/Nov/2026:11:27:03 +0300] "POST /login HTTP/1.1" 500 512 "-" "Mozilla/5.0" 0.012
203.0.113.8 - alice [17/Nov/2026:11:27:04 +0300] "GET /account HTTP/1.1" 200 2048 "https://archive.example/" "curl/8.5.0" 0.101
"#;

const APP: &str = "2026-11-17 11:27:03,120 ERROR [archive.portal.views] Exception on /login [POST]
Traceback (most recent call last):
  File \"/srv/archive/scripts/portal_login.py\", line 41, in login
    from archive_auth.sessions import LegacySessionStore
ImportError: cannot import name 'LegacySessionStore' from 'archive_auth.sessions'
2026-11-17 11:27:04,000 INFO [archive.portal] GET /account 200
";

#[test]
fn every_kind_of_input_in_one_folder_is_detected_from_content() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Names say nothing: detection must read the content.
    write(d, "a.txt", ACCESS);
    write(d, "b.txt", APP);
    write(
        d,
        "c.txt",
        "commit 5b1f0c3e9d2a4b6c8e0f1a3b5c7d9e1f2a4b6c8d\nAuthor: Dana Ops <dana@archive.example>\nDate:   2026-11-17 11:20:14 +0300\n\n    Upgrade archive_auth to 2.0 in auth settings\n\n config/auth_settings.py | 4 ++--\n 1 file changed, 2 insertions(+), 2 deletions(-)\n",
    );
    write(
        d,
        "d.txt",
        "Ticket ID,Created at,Requester,Channel,Subject,Description,Status\n101,2026-11-17 11:29:10 +0300,reader42,twitter,Login broken,Getting a 500 error when I log in,open\n",
    );
    write(
        d,
        "e.txt",
        r#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"High5xxRate","service":"archive-portal","severity":"page"},"annotations":{"summary":"5xx ratio above 5%"},"startsAt":"2026-11-17T09:34:12Z","endsAt":"0001-01-01T00:00:00Z"}]}"#,
    );
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[d], &["--tz", "+03:00"], cache.path());
    assert_eq!(sources.len(), 5, "{sources:#?}");
    let kinds: Vec<(&str, &str)> = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
        .iter()
        .map(|n| {
            let s = source(&sources, n);
            (s["kind"].as_str().unwrap(), s["format"].as_str().unwrap())
        })
        .collect();
    assert_eq!(kinds[0], ("log", "nginx-combined"));
    assert_eq!(kinds[1].0, "log");
    assert_eq!(kinds[2], ("deploys", "git-log"));
    assert_eq!(kinds[3], ("support", "tickets-csv"));
    assert_eq!(kinds[4], ("alerts", "alertmanager"));

    let app = source(&sources, "b.txt");
    assert_eq!(app["records"], 2, "the traceback is part of its record");
    assert_eq!(app["unparsed"], 0);
    assert_eq!(app["first"], "2026-11-17T08:27:03.120Z", "naive local time read in --tz +03:00");
    assert_eq!(app["tz"], "+03:00");
    let access = source(&sources, "a.txt");
    assert_eq!(access["records"], 2);
    assert_eq!(access["first"], "2026-11-17T08:27:03Z");
    // The same fields as the analysis's sources: read whole, no window, no change summary for a log.
    assert_eq!((access["complete"].as_bool(), access["window"].is_null()), (Some(true), true), "{access:#}");
    assert!(access.get("changes").is_none(), "{access:#}");
    assert_eq!(source(&sources, "c.txt")["first"], "2026-11-17T08:20:14Z");
    assert_eq!(source(&sources, "e.txt")["first"], "2026-11-17T09:34:12Z");
}

#[test]
fn a_rotated_set_with_a_gzip_member_is_one_source_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line =
        |h: u32| format!("198.51.100.4 - - [17/Nov/2026:{h:02}:00:00 +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"ua\"\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(format!("{}{}", line(1), line(2)).as_bytes()).unwrap();
    write(d, "access.log.2.gz", gz.finish().unwrap());
    write(d, "access.log.1", line(3));
    write(d, "access.log", format!("{}{}", line(4), line(5)));
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[d], &["--tz", "UTC"], cache.path());
    assert_eq!(sources.len(), 1, "{sources:#?}");
    let s = &sources[0];
    assert!(s["path"].as_str().unwrap().ends_with("access.log"));
    assert_eq!(s["records"], 5);
    assert_eq!(s["first"], "2026-11-17T01:00:00Z");
    assert_eq!(s["last"], "2026-11-17T05:00:00Z");
}

#[test]
fn syslog_without_year_takes_it_from_mtime_across_new_year() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "messages",
        "Dec 31 23:59:58 web1 nginx[811]: worker process exited\nJan  1 00:00:02 web1 systemd[1]: Started nginx.service\n",
    );
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_798_761_600 + 3600); // 2027-01-01T01:00Z
    std::fs::File::options().write(true).open(&p).unwrap().set_modified(mtime).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[&p], &["--tz", "UTC"], cache.path());
    assert_eq!(sources[0]["format"], "syslog-rfc3164");
    assert_eq!(sources[0]["first"], "2026-12-31T23:59:58Z");
    assert_eq!(sources[0]["last"], "2027-01-01T00:00:02Z");
}

#[test]
fn lines_before_the_first_timestamp_are_counted_unparsed() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "app.log", format!("garbage header\n{APP}"));
    let cache = tempfile::tempdir().unwrap();
    let s = &inspect(&[&p], &["--tz", "UTC"], cache.path())[0];
    assert_eq!(s["records"], 2);
    assert_eq!(s["unparsed"], 1);
}

#[test]
fn the_loghub_samples_are_read_with_every_line_a_record() {
    let loghub = shared_data().join("loghub");
    let cache = tempfile::tempdir().unwrap();
    let names =
        ["Apache", "Linux", "OpenSSH", "Hadoop", "Zookeeper", "Spark", "HDFS", "OpenStack", "Android", "HealthApp"];
    let files: Vec<_> = names.iter().map(|n| loghub.join(n).join(format!("{n}_2k.log"))).collect();
    let refs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let sources = inspect(&refs, &["--tz", "UTC"], cache.path());
    assert_eq!(sources.len(), names.len());
    for n in names {
        let s = source(&sources, &format!("{n}_2k.log"));
        assert_eq!(s["kind"], "log", "{n}");
        assert_eq!(s["records"].as_u64().unwrap() + s["unparsed"].as_u64().unwrap(), 2000, "{n}: {s}");
        assert!(s["records"].as_u64().unwrap() >= 1990, "{n}: {s}");
    }
    // Timestamps as written, read in UTC.
    assert_eq!(source(&sources, "Hadoop_2k.log")["first"], "2015-10-18T18:01:47.978Z");
    assert_eq!(source(&sources, "Apache_2k.log")["first"], "2005-12-04T04:47:44Z");
}

#[test]
fn a_missing_input_fails_with_exit_3_naming_it() {
    let cache = tempfile::tempdir().unwrap();
    let out = faultline(&["inspect", "/nonexistent/access.log"], cache.path());
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/access.log"), "{err}");
}

#[test]
fn forcing_a_kind_that_does_not_fit_names_the_file_and_the_analysis_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "access.log", ACCESS);
    let cache = tempfile::tempdir().unwrap();
    let out = faultline(&["analyze", "--deploys", p.to_str().unwrap(), "--format", "json"], cache.path());
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("access.log") && err.contains("deploys"), "{err}");
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a["partial"], true);
    assert_eq!(a["unread"][0]["cause"], "not_recognized");
}

#[test]
fn a_git_repository_and_a_slack_export_are_one_source_each_named_by_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let repo = d.join("configs");
    write(&repo, "config/auth_settings.py", "AUTH_BACKEND = 'archive_auth.v2'\n");
    let git = |args: &[&str], date: &str| git(&repo, args, date);
    git(&["init", "-q"], "2026-11-17T11:20:14+03:00");
    git(&["add", "."], "2026-11-17T11:20:14+03:00");
    git(&["commit", "-q", "-m", "Upgrade archive_auth to 2.0"], "2026-11-17T11:20:14+03:00");
    write(&repo, "scripts/portal_login.py", "from archive_auth.sessions import SessionStore\n");
    git(&["add", "."], "2026-11-17T13:45:37+03:00");
    git(&["commit", "-q", "-m", "Update portal_login for archive_auth 2.0"], "2026-11-17T13:45:37+03:00");

    let slack = d.join("slack");
    write(&slack, "users.json", r#"[{"id":"U1","name":"reader42","real_name":"Reader Fortytwo"}]"#);
    write(&slack, "channels.json", r#"[{"id":"C1","name":"support"}]"#);
    write(
        &slack,
        "support/2026-11-17.json",
        r#"[{"type":"message","user":"U1","text":"login gives a 500","ts":"1794904068.000200"}]"#,
    );

    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[d], &["--tz", "UTC"], cache.path());
    assert_eq!(sources.len(), 2, "{sources:#?}");
    let g = source(&sources, "configs");
    assert_eq!(
        (g["kind"].as_str(), g["format"].as_str(), g["records"].as_u64()),
        (Some("deploys"), Some("git-repo"), Some(2))
    );
    assert_eq!(g["first"], "2026-11-17T08:20:14Z");
    assert_eq!(g["last"], "2026-11-17T10:45:37Z");
    let s = source(&sources, "slack");
    assert_eq!(
        (s["kind"].as_str(), s["format"].as_str(), s["records"].as_u64()),
        (Some("support"), Some("slack-export"), Some(1))
    );
    assert_eq!(s["first"], "2026-11-17T08:27:48.000200Z");
}
