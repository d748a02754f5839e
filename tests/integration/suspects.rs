//! The root-cause model end to end: a real configuration repository with a
//! month of history, read only for the look-back, whose culprit commit
//! introduced the name the errors carry; the contract's evidence lines and
//! verdicts; the sample's explanation.

use crate::{faultline, ok, write};
use std::io::Write as _;
use std::path::Path;

/// 2026-11-24T00:00:00Z.
const DAY: i64 = 1_795_478_400;

/// `git fast-import` input: `commits` of (unix time, message, file, content), on one branch.
fn fast_import(commits: &[(i64, String, String, String)]) -> String {
    let mut s = String::new();
    for (i, (t, msg, file, content)) in commits.iter().enumerate() {
        s += &format!("commit refs/heads/main\nmark :{}\n", i + 1);
        s += &format!(
            "author Dana Lee <dana@shop.example> {t} +0000\ncommitter Dana Lee <dana@shop.example> {t} +0000\n"
        );
        s += &format!("data {}\n{msg}\n", msg.len());
        if i > 0 {
            s += &format!("from :{i}\n");
        }
        s += &format!("M 100644 inline {file}\ndata {}\n{content}\n\n", content.len());
    }
    s
}

fn git(repo: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = std::process::Command::new("git");
    cmd.args(args).current_dir(repo).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("git runs");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("git reads its input");
    }
    let out = child.wait_with_output().expect("git finishes");
    assert!(out.status.success(), "git {args:?} failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn stamp(t: i64, fmt: &str) -> String {
    chrono::DateTime::from_timestamp(t, 0).unwrap().format(fmt).to_string()
}

#[test]
fn a_month_old_config_repository_is_read_for_the_look_back_and_its_diff_names_the_culprit() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("config-repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "--bare"], None);
    let onset = DAY + 10 * 3600;
    let mut commits: Vec<(i64, String, String, String)> = (0..600)
        .map(|i| {
            let t = DAY - 30 * 86_400 + i * 3600;
            (
                t,
                format!("search: replicas {}", i % 7 + 2),
                "services/search/values.yaml".into(),
                format!("replicas: {}\n", i % 7 + 2),
            )
        })
        .collect();
    for i in 0..40 {
        let t = onset - 6 * 3600 + i * 500;
        commits.push((
            t,
            format!("catalog: cache size {i}"),
            "services/catalog/values.yaml".into(),
            format!("cache_mb: {i}\n"),
        ));
    }
    commits.sort_by_key(|c| c.0);
    let culprit_at = onset - 240;
    let pos = commits.iter().position(|c| c.0 > culprit_at).unwrap_or(commits.len());
    commits.insert(
        pos,
        (
            culprit_at,
            "payments: switch to the new gateway client".into(),
            "services/checkout/payments.yaml".into(),
            "provider: PaymentGateWay\nretries: 3\n".into(),
        ),
    );
    let revert_at = onset + 1800;
    commits.push((
        revert_at,
        "Revert \"payments: switch to the new gateway client\"".into(),
        "services/checkout/payments.yaml".into(),
        "provider: LegacyGateway\n".into(),
    ));
    git(&repo, &["fast-import", "--quiet"], Some(&fast_import(&commits)));
    let culprit = git(&repo, &["rev-list", "-n", "1", "--grep=^payments: switch to the new gateway", "main"], None);
    let head = git(&repo, &["rev-parse", "main"], None);
    git(&repo, &["symbolic-ref", "HEAD", "refs/heads/main"], None);

    // Three hours of checkout traffic; from the onset until the revert lands, every checkout fails.
    let (mut access, mut app) = (String::new(), String::new());
    for s in (onset - 2 * 3600..onset + 3600).step_by(5) {
        let failing = (onset..revert_at + 60).contains(&s);
        let status = if failing { 500 } else { 200 };
        access += &format!(
            "10.1.{}.{} - - [{}] \"POST /checkout HTTP/1.1\" {status} 120 \"-\" \"Mozilla/5.0\"\n",
            s % 200,
            s % 7,
            stamp(s, "%d/%b/%Y:%H:%M:%S +0000")
        );
        if failing {
            app += &format!("{},120 ERROR [portal.views] Exception on /checkout [POST]\nTraceback (most recent call last):\n  File \"/srv/checkout/portal/payments/gateway.py\", line 12, in charge\n    client = load_provider(settings.PAYMENTS)\nModuleNotFoundError: No module named 'paymentgateway'\n", stamp(s, "%Y-%m-%d %H:%M:%S"));
        } else if s % 60 == 0 {
            app +=
                &format!("{},004 INFO [portal.views] POST /checkout handled in 41ms\n", stamp(s, "%Y-%m-%d %H:%M:%S"));
        }
    }
    let logs = dir.path().join("logs");
    write(&logs, "access.log", access);
    write(&logs, "checkout.log", app);

    let cache = tempfile::tempdir().unwrap();
    let (r, l) = (repo.to_str().unwrap(), logs.to_str().unwrap());
    let out = ok(&["analyze", "--quiet", "--tz", "UTC", "--format", "json", "--deploys", r, "--logs", l], cache.path());
    let a: serde_json::Value = serde_json::from_str(&out).unwrap();
    let top = &a["suspects"][0];
    assert_eq!(top["change_id"].as_str(), Some(culprit.as_str()), "{:#}", a["suspects"]);
    assert!(top["score"].as_f64().unwrap() >= 0.5 && top["verdict"] == "likely", "{top:#}");
    let diff = top["explanation"].as_array().unwrap().iter().find(|f| f["fact"]["kind"] == "diff_in_errors");
    assert!(
        diff.is_some_and(|f| f["fact"]["identifiers"].as_array().unwrap().iter().any(|i| i == "PaymentGateWay")),
        "the diff's `PaymentGateWay` is the errors' `paymentgateway`: {top:#}"
    );
    assert!(top["evidence"].as_array().unwrap().iter().any(|e| e.as_str().unwrap().contains("`PaymentGateWay`")));

    // Only the look-back was read: 24 h before the first log line, not the month before it.
    let source = a["sources"].as_array().unwrap().iter().find(|s| s["format"] == "git-repo").unwrap();
    let read = source["records"].as_u64().unwrap();
    assert!((40..100).contains(&read), "{read} commits read");
    let notes: Vec<&str> = source["notes"].as_array().unwrap().iter().filter_map(|n| n.as_str()).collect();
    assert!(notes.iter().any(|n| n.starts_with(&format!("HEAD {head}"))), "{notes:?}");
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert!(source["sha256"].as_str().is_some_and(|h| h.len() == 64 && h != empty), "{source:#}");
}

#[test]
fn every_suspect_has_one_evidence_line_per_factor_and_the_verdict_its_score_earns() {
    let cache = tempfile::tempdir().unwrap();
    let a: serde_json::Value =
        serde_json::from_str(&ok(&["analyze", "--quiet", "--format", "json"], cache.path())).unwrap();
    let suspects = a["suspects"].as_array().unwrap();
    assert!(suspects.len() >= 3);
    for s in suspects {
        let (evidence, factors) = (s["evidence"].as_array().unwrap(), s["explanation"].as_array().unwrap());
        assert_eq!(evidence.len(), factors.len(), "{s:#}");
        for (line, f) in evidence.iter().zip(factors) {
            let line = line.as_str().unwrap();
            assert!(line.contains(": ×"), "a weight in words: {line}");
            for c in f["citations"].as_array().unwrap() {
                let at = format!("{}:{}", c["file"].as_str().unwrap(), c["line"]);
                assert!(c["line"] == 0 || line.contains(&at), "{line} cites {at}");
            }
        }
        let score = s["score"].as_f64().unwrap();
        let want = if score >= 0.5 {
            "likely"
        } else if score >= 0.15 {
            "possible"
        } else {
            "unlikely"
        };
        assert_eq!(s["verdict"], want, "{s:#}");
    }
    // The culprit's commit-message-free evidence: its file in 339 tracebacks.
    let evidence: Vec<&str> = suspects[0]["evidence"].as_array().unwrap().iter().filter_map(|e| e.as_str()).collect();
    assert!(
        evidence.iter().any(|e| e.contains("`config/auth_settings.py`, changed by it, appears in 339 tracebacks")),
        "{evidence:#?}"
    );
    assert!(a["lead"].is_null() && a["no_change"].is_null(), "the push is named: no lead");
}

#[test]
fn with_no_change_named_the_postmortem_names_the_best_candidate_and_never_says_none_explains_it() {
    // A database outage with a CSS tweak minutes before it.
    let dir = tempfile::tempdir().unwrap();
    let onset = DAY + 10 * 3600;
    let (mut access, mut app) = (String::new(), String::new());
    for s in (onset - 2 * 3600..onset + 3600).step_by(4) {
        let failing = (onset..onset + 1500).contains(&s);
        access += &format!(
            "10.2.{}.{} - - [{}] \"GET /collections/{} HTTP/1.1\" {} 120 \"-\" \"Mozilla/5.0\"\n",
            s % 100,
            s % 9,
            stamp(s, "%d/%b/%Y:%H:%M:%S +0000"),
            s % 40,
            if failing { 500 } else { 200 }
        );
        if failing {
            app += &format!("{},500 ERROR [portal.db] Exception on /collections [GET]\nTraceback (most recent call last):\n  File \"/srv/portal/db.py\", line 31, in query\n    conn = pool.getconn()\npsycopg2.OperationalError: could not connect to server: Connection refused\n", stamp(s, "%Y-%m-%d %H:%M:%S"));
        }
    }
    let deploys = format!(
        "deploy_id,deployed_at,service,deployer,description\nd-1,{},portal,sam,Tweak collection page CSS\nd-2,{},portal,ana,Update footer links\n",
        stamp(onset - 200, "%Y-%m-%dT%H:%M:%SZ"),
        stamp(onset - 5 * 3600, "%Y-%m-%dT%H:%M:%SZ")
    );
    let d = dir.path();
    let (access, app, deploys) =
        (write(d, "access.log", access), write(d, "portal.log", app), write(d, "deploys.csv", deploys));
    let cache = tempfile::tempdir().unwrap();
    let args = |format: &'static str| -> Vec<String> {
        ["analyze", "--quiet", "--tz", "UTC", "--format", format, "--logs"]
            .iter()
            .map(|s| s.to_string())
            .chain([access.display().to_string(), "--logs".into(), app.display().to_string()])
            .chain(["--deploys".into(), deploys.display().to_string()])
            .collect()
    };
    let json = args("json");
    let a: serde_json::Value =
        serde_json::from_str(&ok(&json.iter().map(String::as_str).collect::<Vec<_>>(), cache.path())).unwrap();
    assert!(
        a["suspects"].as_array().unwrap().iter().all(|s| s["score"].as_f64().unwrap() < 0.5),
        "{:#}",
        a["suspects"]
    );
    let lead = a["lead"].as_str().unwrap();
    assert!(lead.starts_with("No change is likely enough to name (best: d-1, "), "{lead}");
    assert!(lead.contains("look like a database failure") && !lead.contains("explains"), "{lead}");
    assert!(a["no_change"]["posterior"].as_f64().unwrap() > 0.5, "{:#}", a["no_change"]);
    let md_args = args("md");
    let out = faultline(&md_args.iter().map(String::as_str).collect::<Vec<_>>(), cache.path());
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("No change is likely enough to name (best: d-1,") && !md.contains("explains"), "{md}");
}
