//! Change exports from CD tools, and inputs that cannot be read: a warning
//! that names the file, lines kept searchable, the rest analyzed, exit 0,
//! and an analysis that says it is partial.

use crate::{faultline, inspect, ok, source, write};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The built-in sample's folder (written on first use) and its inputs.
fn sample(cache: &Path) -> (PathBuf, Vec<String>) {
    let dir = PathBuf::from(ok(&["sample"], cache).trim());
    let inputs =
        ["nginx", "app", "deploys", "support", "alerts"].iter().map(|p| dir.join(p).display().to_string()).collect();
    (dir, inputs)
}

fn analyze_json(args: &[String], cache: &Path) -> (Value, String) {
    let mut all: Vec<&str> = vec!["analyze", "--format", "json", "--tz", "+03:00"];
    all.extend(args.iter().map(String::as_str));
    let out = faultline(&all, cache);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status.code());
    (serde_json::from_slice(&out.stdout).expect("JSON on stdout"), stderr)
}

/// A PDF someone exported by mistake: no kind's format reads it.
const NOT_AN_EXPORT: &str =
    "Quarterly change review\nPrepared for the CAB, 12 March\nSee attached slides for the details\n";

#[test]
fn each_explicit_flag_with_an_unreadable_input_warns_and_the_rest_is_analyzed() {
    let cache = tempfile::tempdir().unwrap();
    let (_, inputs) = sample(cache.path());
    let dir = tempfile::tempdir().unwrap();
    for (flag, kind) in [("--deploys", "deploys"), ("--support", "support"), ("--alerts", "alerts"), ("--logs", "log")]
    {
        let file = write(dir.path(), &format!("{kind}-export.txt"), NOT_AN_EXPORT);
        let mut args = inputs.clone();
        args.extend([flag.to_string(), file.display().to_string()]);
        let (a, stderr) = analyze_json(&args, cache.path());
        assert!(stderr.contains(&format!("{kind}-export.txt")) && stderr.contains("partial"), "{flag}: {stderr}");
        assert_eq!(a["partial"], true, "{flag}");
        let unread = a["unread"].as_array().unwrap();
        assert_eq!(unread.len(), 1, "{flag}: {unread:#?}");
        assert!(unread[0]["path"].as_str().unwrap().ends_with(&format!("{kind}-export.txt")));
        assert_eq!(unread[0]["cause"], "not_recognized", "{flag}");
        assert_eq!(unread[0]["kind"], kind, "{flag}");
        assert_eq!(unread[0]["unparsed"], 3, "{flag}");
        // The rest was analyzed: the sample's culprit is still found.
        assert!(
            a["suspects"][0]["change_id"].as_str().unwrap().starts_with("861695c"),
            "{flag}: {:#}",
            a["suspects"][0]
        );
        let s = source(a["sources"].as_array().unwrap(), &format!("{kind}-export.txt"));
        assert_eq!((s["format"].as_str(), s["unparsed"].as_u64()), (Some("unreadable"), Some(3)), "{flag}");
    }
}

#[test]
fn a_chat_api_response_given_as_support_is_read_as_the_first_user_reports() {
    let cache = tempfile::tempdir().unwrap();
    let (dir, _) = sample(cache.path());
    let inputs = ["nginx", "app", "deploys"].map(|p| dir.join(p).display().to_string());
    // Slack's `conversations.history`, saved from the API: the messages are wrapped in an object.
    let history = r#"{"ok": true, "messages": [
  {"type": "message", "user": "U0G9QF9C6", "user_profile": {"real_name": "Maria Lopez"}, "text": "Login says 'Something went wrong' for everyone here", "ts": "1794904140.000200"},
  {"type": "message", "user": "U061F7AUR", "text": "same, since a couple of minutes", "ts": "1794904201.000100"}
], "has_more": false, "response_metadata": {"next_cursor": ""}}
"#;
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "slack-history.json", history);
    let mut args = inputs.to_vec();
    args.extend(["--support".to_string(), file.display().to_string()]);
    let (a, stderr) = analyze_json(&args, cache.path());
    assert_eq!(a["partial"], false, "{stderr}");
    let s = source(a["sources"].as_array().unwrap(), "slack-history.json");
    assert_eq!(
        (s["format"].as_str(), s["records"].as_u64(), s["unparsed"].as_u64()),
        (Some("support-json"), Some(2), Some(0))
    );
    // The onset is 08:27:04 UTC; Maria wrote at 08:29:00.
    assert_eq!(a["metrics"]["time_to_first_report_s"], 116, "{:#}", a["metrics"]);
    let timeline = a["timeline"].to_string();
    assert!(timeline.contains("Maria Lopez") && timeline.contains("Something went wrong"), "{timeline}");
}

#[test]
fn every_report_layout_says_the_analysis_is_partial() {
    let cache = tempfile::tempdir().unwrap();
    let (_, inputs) = sample(cache.path());
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "changes.txt", NOT_AN_EXPORT);
    for (format, marker) in [("md", "**Partial analysis.**"), ("html", "<strong>Partial analysis.</strong>")] {
        let mut args: Vec<&str> = vec!["analyze", "--quiet", "--tz", "+03:00", "--format", format];
        args.extend(inputs.iter().map(String::as_str));
        args.extend(["--deploys", file.to_str().unwrap()]);
        let out = ok(&args, cache.path());
        assert!(out.contains(marker), "{format}");
        assert!(out.contains("changes.txt"), "{format}");
    }
}

/// `GET /job/checkout-deploy/api/json?tree=builds[…]`, cut off mid-way (a
/// download that died): the builds before the cut are read.
fn cut_jenkins_export() -> String {
    let build = |n: u32, ts: u64, version: &str| {
        format!(
            r#"{{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":[{{"_class":"hudson.model.ParametersAction","parameters":[{{"name":"ENVIRONMENT","value":"production"}},{{"name":"VERSION","value":"{version}"}}]}}],"building":false,"duration":61000,"fullDisplayName":"checkout-deploy #{n}","number":{n},"result":"SUCCESS","timestamp":{ts},"url":"https://ci.acme.example/job/checkout-deploy/{n}/"}}"#
        )
    };
    format!(
        "{{\"_class\":\"org.jenkinsci.plugins.workflow.job.WorkflowJob\",\"builds\":[\n{},\n{},\n{}",
        build(12, 1_773_324_123_000, "1.4.3"),
        build(11, 1_773_220_000_000, "1.4.2"),
        &build(10, 1_773_100_000_000, "1.4.1")[..120]
    )
}

#[test]
fn a_change_export_cut_off_part_way_keeps_what_it_read_and_says_the_rest_was_not() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "builds.json", cut_jenkins_export());
    let case = dir.path().join("case.faultline");
    let out = faultline(
        &["analyze", "--format", "json", "--case", case.to_str().unwrap(), "--deploys", file.to_str().unwrap()],
        cache.path(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a["partial"], true);
    assert_eq!(a["unread"][0]["cause"], "read_in_part");
    assert!(a["unread"][0]["reason"].as_str().unwrap().contains("builds.json:4"), "{:#}", a["unread"]);
    let s = source(a["sources"].as_array().unwrap(), "builds.json");
    assert_eq!(
        (s["format"].as_str(), s["records"].as_u64(), s["unparsed"].as_u64()),
        (Some("jenkins-builds"), Some(2), Some(1))
    );
    let cs = &a["change_sources"][0];
    assert_eq!((cs["tools"][0].as_str(), cs["changes"].as_u64()), (Some("jenkins"), Some(2)));
    assert_eq!(cs["last"], "2026-03-12T14:03:04Z");
    // Its lines stay searchable, the cut one too.
    let hits = ok(&["search", "\"paramet$", "--case", case.to_str().unwrap()], cache.path());
    assert!(hits.contains("builds.json:4:"), "{hits}");
}

#[test]
fn a_change_export_that_cannot_be_read_at_all_is_named_in_place_of_no_change() {
    let cache = tempfile::tempdir().unwrap();
    let (_, mut inputs) = sample(cache.path());
    // The sample's own change history is left out: only the broken export could explain it.
    inputs.retain(|p| !p.ends_with("deploys"));
    let dir = tempfile::tempdir().unwrap();
    // Spinnaker executions whose first entry breaks (a missing comma) before it ends.
    let broken = "[\n  {\"type\": \"PIPELINE\", \"id\": \"01HRX2B7C8D9E0F1G2H3J4K5M6\", \"application\": \"archive-portal\",\n   \"pipelineConfigId\": \"6a4cff2e\", \"buildTime\": 1795422000000 \"stages\": []}\n]\n";
    let file = write(dir.path(), "executions.json", broken);
    inputs.push(file.display().to_string());
    let mut args: Vec<&str> = vec!["analyze", "--quiet", "--tz", "+03:00", "--format", "md"];
    args.extend(inputs.iter().map(String::as_str));
    let md = ok(&args, cache.path());
    assert!(md.contains("a change source could not be read"), "{md}");
    assert!(md.contains("executions.json"));
    assert!(!md.contains("No change in the inputs explains this incident."));
}

/// `argocd app get checkout -o json`, with the fields a reader needs.
const ARGO: &str = r#"{
  "metadata": {"name": "archive-portal", "namespace": "argocd"},
  "spec": {"source": {"repoURL": "https://git.archive.example.org/deploy.git", "path": "portal", "targetRevision": "main"},
           "destination": {"server": "https://kubernetes.default.svc", "namespace": "portal-prod"}, "project": "default"},
  "status": {
    "sync": {"status": "Synced"}, "health": {"status": "Healthy"}, "reconciledAt": "2026-11-17T12:00:00Z",
    "history": [
      {"id": 4, "revision": "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", "deployStartedAt": "2026-11-16T09:00:00Z", "deployedAt": "2026-11-16T09:02:10Z"},
      {"id": 5, "revision": "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", "deployStartedAt": "2026-11-17T08:10:00Z", "deployedAt": "2026-11-17T08:16:41Z"}
    ],
    "operationState": {"operation": {"sync": {"revision": "1f2e"}}, "phase": "Running", "startedAt": "2026-11-17T11:00:00Z"}
  }
}
"#;

#[test]
fn inspect_shows_each_change_source_with_its_tool_count_range_and_moments() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let argo = write(dir.path(), "exports/app.json", ARGO);
    let helm = write(
        dir.path(),
        "exports/history.json",
        r#"[{"revision":1,"updated":"2026-11-16T10:00:00+03:00","status":"superseded","chart":"portal-2.0.0","app_version":"2.0.0","description":"Install complete"},{"revision":2,"updated":"2026-11-17T11:20:00+03:00","status":"deployed","chart":"portal-2.0.1","app_version":"2.0.1","description":"Upgrade complete"}]"#,
    );
    let sources = inspect(&[&dir.path().join("exports")], &["--tz", "UTC"], cache.path());
    let a = source(&sources, "app.json");
    assert_eq!((a["kind"].as_str(), a["format"].as_str()), (Some("deploys"), Some("argocd-json")));
    let c = &a["changes"];
    assert_eq!(c["tools"], serde_json::json!(["argocd"]));
    assert_eq!(c["changes"], 3);
    assert_eq!((c["first"].as_str(), c["last"].as_str()), (Some("2026-11-16T09:02:10Z"), Some("2026-11-17T11:00:00Z")));
    assert_eq!(
        c["moments"],
        serde_json::json!([{"moment": "finished", "changes": 2}, {"moment": "started", "changes": 1}])
    );
    let h = &source(&sources, "history.json")["changes"];
    assert_eq!((h["tools"][0].as_str(), h["changes"].as_u64()), (Some("helm"), Some(2)));
    assert_eq!(h["moments"][0]["moment"], "started");
    // The text layout says the same.
    let text = ok(&["inspect", "--quiet", "--tz", "UTC", argo.to_str().unwrap(), helm.to_str().unwrap()], cache.path());
    assert!(text.contains("changes: 3 from argocd, 2026-11-16T09:02:10Z – 2026-11-17T11:00:00Z; placed at: finished for 2, started for 1"), "{text}");
}

#[test]
fn a_forced_kind_that_does_not_fit_still_searches_raw_without_a_case() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "notes.txt", NOT_AN_EXPORT);
    let hits = ok(&["search", "CAB", file.to_str().unwrap()], cache.path());
    assert!(hits.contains("notes.txt:2:"), "{hits}");
}
