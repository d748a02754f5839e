//! Runs the real binary on a written scenario and compares its JSON with the truth.

use crate::generator::{Kind, Scenario};
use chrono::DateTime;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Onset must be this close to the first incident error.
pub const ONSET_TOL: i64 = 60;
/// Recovery must be this close to the last incident error.
pub const RECOVERY_TOL: i64 = 120;
/// Each milestone must be this close.
pub const MILESTONE_TOL: i64 = 60;

fn secs(v: &Value) -> Option<i64> {
    DateTime::parse_from_rfc3339(v.as_str()?).ok().map(|t| t.timestamp())
}

/// How far (seconds, signed: later is positive) the analyzed incident's
/// onset and recovery are from the truth's, for the accuracy table; `None`
/// where either side has none (an ongoing incident has no recovery).
pub fn window_error(s: &Scenario, a: &Value) -> (Option<i64>, Option<i64>) {
    let inc = &a["incident"];
    let onset = secs(&inc["onset"]).map(|o| o - s.truth.onset);
    let recovered = secs(&inc["recovered"]).filter(|_| !s.truth.shape.ongoing).map(|r| r - s.truth.recovered);
    (onset, recovered)
}

/// Writes the scenario under `dir` and runs `faultline analyze` on it.
pub fn run(s: &Scenario, dir: &Path) -> Result<Value, String> {
    run_with(s, dir, &[])
}

/// [`run`] with more arguments for `faultline analyze`.
pub fn run_with(s: &Scenario, dir: &Path, extra: &[&str]) -> Result<Value, String> {
    for (rel, _, content) in &s.files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("mkdir {}: {e}", parent.display()))?;
        }
        std::fs::write(&p, content).map_err(|e| format!("write {}: {e}", p.display()))?;
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.arg("analyze").arg("--quiet").args(["--format", "json", "--tz", &s.tz]).args(extra);
    if s.as_folder {
        cmd.arg(dir);
    } else {
        for (rel, kind, _) in &s.files {
            let flag = match kind {
                Kind::Logs => "--logs",
                Kind::Deploys => "--deploys",
                Kind::Support => "--support",
                Kind::Alerts => "--alerts",
            };
            cmd.arg(flag).arg(dir.join(rel));
        }
    }
    let out = cmd.output().map_err(|e| format!("cannot run faultline: {e}"))?;
    if !out.status.success() {
        return Err(format!("faultline exited {}: {}", out.status, String::from_utf8_lossy(&out.stderr).trim()));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("output is not JSON: {e}"))
}

/// Every way the analysis differs from the truth (empty = the variant passes).
pub fn compare(s: &Scenario, a: &Value) -> Vec<String> {
    let t = &s.truth;
    let mut bad = Vec::new();
    let suspects = a["suspects"].as_array().cloned().unwrap_or_default();
    let top = suspects.first();
    // The onset families judge the incident window only.
    match (!t.shape.cause_unjudged).then_some(&t.culprit) {
        None => {}
        Some(Some(id)) => {
            let ok =
                top.is_some_and(|s| s["change_id"].as_str() == Some(id) && s["score"].as_f64().unwrap_or(0.0) >= 0.5);
            if !ok {
                let got: Vec<String> = suspects
                    .iter()
                    .take(3)
                    .map(|s| {
                        format!("{}={}", s["change_id"].as_str().unwrap_or("?").get(..10).unwrap_or("?"), s["score"])
                    })
                    .collect();
                bad.push(format!(
                    "top suspect should be {} >= 0.5, got [{}]",
                    id.get(..10).unwrap_or(id),
                    got.join(", ")
                ));
            }
            let marked = a["timeline"]
                .as_array()
                .is_some_and(|tl| tl.iter().any(|e| e["suspect"] == true && e["change_id"].as_str() == Some(id)));
            if !marked {
                bad.push("the culprit is not marked as suspect on the timeline".into());
            }
        }
        Some(None) => {
            if let Some(s) = suspects.iter().find(|s| s["score"].as_f64().unwrap_or(0.0) >= 0.5) {
                bad.push(format!("no suspect should reach 0.5, {} has {}", s["change_id"], s["score"]));
            }
            let lead = a["lead"].as_str().unwrap_or("");
            if lead.is_empty() || t.lead_mentions.as_deref().is_some_and(|w| !lead.contains(w)) {
                bad.push(format!("lead should mention {:?}, got {lead:?}", t.lead_mentions));
            }
        }
    }
    // An input written unreadable on purpose must be reported as such, never dropped quietly.
    for (rel, _, _) in s.files.iter().filter(|(rel, _, _)| rel.contains(".unreadable.")) {
        let named = a["unread"]
            .as_array()
            .is_some_and(|u| u.iter().any(|x| x["path"].as_str().is_some_and(|p| p.ends_with(rel.as_str()))));
        if a["partial"] != true || !named {
            bad.push(format!("{rel} could not be read, but the analysis does not say it is partial because of it"));
        }
    }
    let inc = &a["incident"];
    match secs(&inc["onset"]) {
        Some(o) if o - t.onset >= -ONSET_TOL && o - t.onset <= ONSET_TOL + t.shape.onset_late => {}
        got => bad.push(format!("onset {got:?} vs truth {} (off by {:?} s)", t.onset, got.map(|o| o - t.onset))),
    }
    match secs(&inc["recovered"]) {
        None if t.shape.ongoing && inc["onset"].is_string() => {}
        Some(r) if !t.shape.ongoing && (r - t.recovered).abs() <= RECOVERY_TOL => {}
        got => bad.push(format!(
            "recovered {got:?} vs truth {} (off by {:?} s)",
            t.recovered,
            got.map(|r| r - t.recovered)
        )),
    }
    let tl = a["timeline"].as_array().cloned().unwrap_or_default();
    for (kind, at) in &t.milestones {
        let near = tl
            .iter()
            .filter(|e| e["kind"].as_str() == Some(kind))
            .filter_map(|e| secs(&e["time"]))
            .map(|x| (x - at).abs())
            .min();
        if near.is_none_or(|d| d > MILESTONE_TOL) {
            bad.push(format!("milestone {kind} at {at}: nearest is {near:?} s away"));
        }
    }
    bad.extend(crate::onset_shapes::compare(s, a));
    bad
}
