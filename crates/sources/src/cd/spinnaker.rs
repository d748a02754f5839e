//! Spinnaker pipeline executions, as Gate returns them
//! (`/applications/{app}/pipelines`, `/executions?pipelineConfigIds=…`,
//! `spin pipeline execution list`): an array of executions with an `id`
//! (a ULID), `application`, `name`, epoch-millisecond `buildTime`,
//! `startTime`, `endTime`, `status`, `trigger` and `stages`.
//!
//! A pipeline often goes on long after its deploy (a canary, a manual
//! judgment, a wait), so the change takes effect when its last deploy stage
//! ended, not when the pipeline did: `time` is that stage's end (or start,
//! while it runs), the pipeline's own end only when no deploy stage is
//! recorded. An execution with a rollback stage (`rollbackServerGroup`,
//! `rollbackCluster`, `undoRolloutManifest`) undoes the execution that
//! deployed the server group it rolls back, or else the application's last
//! deploy before it.

use super::json::J;
use super::sniff::Sniff;
use super::{change, Moments, Reading};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{ChangeMoment, ChangeStatus, Instant};

pub(crate) const TOOL: &str = "spinnaker";

/// Stage types that put something new (or old) into service.
const DEPLOY_STAGES: &[&str] = &[
    "deploy",
    "deployManifest",
    "createServerGroup",
    "cloneServerGroup",
    "patchManifest",
    "enableServerGroup",
    "enableManifest",
    "deployCloudFormation",
    "deployAppEngine",
    "createFunction",
    "updateFunction",
];
const ROLLBACK_STAGES: &[&str] = &["rollbackServerGroup", "rollbackCluster", "undoRolloutManifest"];

pub(crate) fn looks_like(s: &Sniff) -> bool {
    let d = s.entry_depth();
    s.has_at(d, "pipelineConfigId") && s.has_at(d, "application") && s.has_any(&["buildTime", "stages"])
        || (s.value_at(d, "type") == Some("PIPELINE") && s.has_at(d, "stages") && s.has_at(d, "application"))
}

fn status(s: &str) -> ChangeStatus {
    match s {
        "SUCCEEDED" => ChangeStatus::Succeeded,
        "TERMINAL" | "FAILED_CONTINUE" | "STOPPED" => ChangeStatus::Failed,
        "CANCELED" | "SKIPPED" => ChangeStatus::Cancelled,
        "RUNNING" | "NOT_STARTED" | "PAUSED" | "SUSPENDED" | "BUFFERED" => ChangeStatus::InProgress,
        _ => ChangeStatus::Unknown,
    }
}

struct Execution {
    index: usize,
    deployed: Vec<String>,
    rollback: Option<String>,
}

pub(crate) fn parse(data: &[u8], label: &str, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut found = 0usize;
    let mut execs: Vec<Execution> = Vec::new();
    for root in doc.roots() {
        let entries = if root.value.is_array() { root.items() } else { vec![root] };
        for e in entries
            .iter()
            .filter(|e| e.get("application").is_some() && (e.get("stages").is_some() || e.get("buildTime").is_some()))
        {
            found += 1;
            let span = r.span_of(e);
            if !e.complete() {
                r.unparsed(tally, span, "cut off by a JSON syntax error")?;
                continue;
            }
            match read(e, &r) {
                Some((c, deployed, rollback)) => {
                    execs.push(Execution { index: r.changes.len(), deployed, rollback });
                    r.push(c, span);
                }
                None => {
                    r.unparsed(tally, span, "execution without startTime or buildTime")?;
                }
            }
        }
    }
    if found == 0 {
        return Err(super::not_found(label, "Spinnaker pipeline execution"));
    }
    link_rollbacks(&mut r, &execs);
    r.finish(tally, doc.broke.as_ref())
}

fn ms(j: &J<'_>, key: &str, zone: &faultline_model::time::Zone) -> Option<Instant> {
    super::time_at(j, key, zone)
}

/// One execution as a change, with the server groups it deployed and the one it rolls back.
fn read(e: &J<'_>, r: &Reading<'_>) -> Option<(faultline_model::Change, Vec<String>, Option<String>)> {
    let z = &r.zone;
    let app = e.text("application");
    let name = e.text("name").unwrap_or_else(|| "pipeline".into());
    let stages = e.get("stages").map(|s| s.items()).unwrap_or_default();
    let stype = |s: &J<'_>| s.text("type").unwrap_or_default();
    let deploys: Vec<&J<'_>> = stages
        .iter()
        .filter(|s| DEPLOY_STAGES.contains(&stype(s).as_str()) || ROLLBACK_STAGES.contains(&stype(s).as_str()))
        .collect();
    let rollback_stage = stages.iter().find(|s| ROLLBACK_STAGES.contains(&stype(s).as_str()));
    let moments =
        Moments { requested: ms(e, "buildTime", z), started: ms(e, "startTime", z), finished: ms(e, "endTime", z) };
    let mut deploy_moment = None;
    // The change takes effect when its last deploy stage ends.
    let last = deploys
        .iter()
        .filter_map(|s| ms(s, "endTime", z).or(ms(s, "startTime", z)).map(|t| (t, s)))
        .max_by_key(|(t, _)| *t);
    if let Some((t, s)) = last {
        deploy_moment =
            Some(if ms(s, "endTime", z).is_some() { (t, ChangeMoment::Finished) } else { (t, ChangeMoment::Started) });
    }
    let id = e.text("id").unwrap_or_else(|| "?".into());
    let trigger = e.get("trigger");
    let revision = trigger.as_ref().and_then(revision_of);
    let mut message = format!("{} {name}", app.as_deref().unwrap_or("?"));
    if let Some(rev) = &revision {
        message += &format!(" ({rev})");
    }
    if let Some(reason) = e.text("cancellationReason") {
        message += &format!("; cancelled: {reason}");
    }
    if let Some(failed) = stages.iter().find(|s| s.text("status").as_deref() == Some("TERMINAL")) {
        message += &format!("; stage {} failed", failed.text("name").unwrap_or_else(|| stype(failed)));
    }
    let mut c = change(TOOL, id, message, moments)?;
    if let Some((t, m)) = deploy_moment {
        c.time = t;
        c.moment = m;
    }
    c.status = e.text("status").map_or(ChangeStatus::Unknown, |s| status(&s));
    if e.get("canceled").and_then(|v| v.value.as_bool()) == Some(true) && c.status != ChangeStatus::Failed {
        c.status = ChangeStatus::Cancelled;
    }
    c.service = app;
    c.environment =
        deploys.iter().find_map(|s| s.text_at(&["context", "account"]).or(s.text_at(&["context", "credentials"])));
    c.author = trigger
        .as_ref()
        .and_then(|t| t.text("user"))
        .or(e.text_at(&["authentication", "user"]))
        .filter(|u| u != "[anonymous]");
    c.revision = revision;
    let deployed = deploys.iter().flat_map(|s| server_groups(s)).collect();
    let rolled_back = rollback_stage.and_then(|s| {
        s.text_at(&["context", "rollbackContext", "rollbackServerGroupName"]).or(s.text_at(&["context", "serverGroup"]))
    });
    let is_rollback = rollback_stage.is_some();
    Some((c, deployed, if is_rollback { Some(rolled_back.unwrap_or_default()) } else { None }))
}

/// What a trigger says was deployed: an image, a commit, a build.
fn revision_of(t: &J<'_>) -> Option<String> {
    let artifact = t.get("artifacts").and_then(|a| {
        a.items().iter().find_map(|x| {
            x.text("reference").or_else(|| match (x.text("name"), x.text("version")) {
                (Some(n), Some(v)) => Some(format!("{n}:{v}")),
                _ => None,
            })
        })
    });
    artifact
        .or(t.text("hash"))
        .or(t.text_at(&["buildInfo", "scm", "sha1"]))
        .or_else(|| {
            t.get("buildInfo").and_then(|b| b.get("scm")).and_then(|s| s.items().first().and_then(|x| x.text("sha1")))
        })
        .or(match (t.text("repository"), t.text("tag")) {
            (Some(repo), Some(tag)) => Some(format!("{repo}:{tag}")),
            (None, Some(tag)) => Some(tag),
            _ => None,
        })
}

/// Server groups (or manifests) a deploy stage created, as its outputs name them.
fn server_groups(s: &J<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(by_region) = s.at(&["context", "deploy.server.groups"]).and_then(|g| g.object().map(|_| g)) {
        if let Some(map) = by_region.object() {
            for groups in map.values() {
                if let Some(list) = groups.as_array() {
                    out.extend(list.iter().filter_map(super::json::scalar_text));
                }
            }
        }
    }
    if let Some(list) = s.at(&["outputs", "outputs.createdArtifacts"]) {
        out.extend(list.items().iter().filter_map(|a| a.text("reference").or(a.text("name"))));
    }
    out
}

/// A rollback undoes the execution that deployed the server group it rolls
/// back; without that name, the application's last deploy before it.
fn link_rollbacks(r: &mut Reading<'_>, execs: &[Execution]) {
    for ex in execs {
        let Some(target) = &ex.rollback else { continue };
        let Some(c) = r.changes.get(ex.index) else { continue };
        let (app, at) = (c.service.clone(), c.time);
        let earlier =
            execs.iter().filter(|o| o.rollback.is_none()).filter_map(|o| r.changes.get(o.index).map(|oc| (o, oc)));
        let by_group = earlier
            .clone()
            .find(|(o, _)| !target.is_empty() && o.deployed.iter().any(|g| g == target))
            .map(|(_, oc)| oc.id.clone());
        let undone = by_group.or_else(|| {
            earlier
                .filter(|(_, oc)| oc.service == app && oc.time < at && oc.status != ChangeStatus::Cancelled)
                .max_by_key(|(_, oc)| oc.time)
                .map(|(_, oc)| oc.id.clone())
        });
        if let Some(c) = r.changes.get_mut(ex.index) {
            c.undoes = undone;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// Gate's `/applications/checkout/pipelines` in its shape: newest first,
    /// epoch milliseconds, a deploy followed by a long canary, a rollback, a
    /// cancelled run.
    pub(crate) const EXECUTIONS: &str = r#"[
  {
    "type": "PIPELINE",
    "id": "01HRX9Q4M6T2V8K3J5N7P9R1S3",
    "application": "checkout",
    "name": "Rollback prod",
    "buildTime": 1773329400000,
    "canceled": false,
    "startTime": 1773329401210,
    "endTime": 1773329466031,
    "status": "SUCCEEDED",
    "pipelineConfigId": "0d6c4e2a-7f1b-4c3e-9a8d-5b2f1e0c9d7a",
    "authentication": { "user": "sam@acme.example", "allowedAccounts": ["prod-k8s"] },
    "trigger": { "type": "manual", "user": "sam@acme.example", "parameters": {}, "artifacts": [] },
    "stages": [
      {
        "id": "01HRX9Q4N0A1B2C3D4E5F6G7H8",
        "refId": "1",
        "type": "rollbackServerGroup",
        "name": "Rollback checkout-prod",
        "startTime": 1773329401390,
        "endTime": 1773329465877,
        "status": "SUCCEEDED",
        "context": {
          "account": "prod-k8s",
          "rollbackType": "EXPLICIT",
          "rollbackContext": { "rollbackServerGroupName": "checkout-prod-v043", "restoreServerGroupName": "checkout-prod-v042" }
        }
      }
    ]
  },
  {
    "type": "PIPELINE",
    "id": "01HRX2B7C8D9E0F1G2H3J4K5M6",
    "application": "checkout",
    "name": "Deploy to prod",
    "buildTime": 1773323999500,
    "canceled": false,
    "startTime": 1773324000114,
    "endTime": 1773326112902,
    "status": "SUCCEEDED",
    "pipelineConfigId": "6a4cff2e-8265-4584-8993-2da2eb6254f5",
    "trigger": {
      "type": "docker",
      "user": "[anonymous]",
      "account": "acme-registry",
      "repository": "acme/checkout",
      "tag": "1.4.3",
      "artifacts": [ { "type": "docker/image", "name": "registry.acme.example/acme/checkout", "version": "1.4.3", "reference": "registry.acme.example/acme/checkout:1.4.3" } ]
    },
    "stages": [
      { "id": "01HRX2B7D0", "refId": "1", "type": "bake", "name": "Bake", "startTime": 1773324000300, "endTime": 1773324290000, "status": "SUCCEEDED", "context": {} },
      {
        "id": "01HRX2B7D1", "refId": "2", "type": "deploy", "name": "Deploy prod",
        "startTime": 1773324290100, "endTime": 1773324512000, "status": "SUCCEEDED",
        "context": { "account": "prod-k8s", "deploy.server.groups": { "us-east-1": ["checkout-prod-v043"] } }
      },
      { "id": "01HRX2B7D2", "refId": "3", "type": "kayentaCanary", "name": "Canary", "startTime": 1773324512100, "endTime": 1773326112800, "status": "SUCCEEDED", "context": {} }
    ]
  },
  {
    "type": "PIPELINE",
    "id": "01HRWZZ1A2B3C4D5E6F7G8H9J0",
    "application": "checkout",
    "name": "Deploy to prod",
    "buildTime": 1773310000000,
    "canceled": true,
    "canceledBy": "dana@acme.example",
    "cancellationReason": "wrong tag",
    "startTime": 1773310000500,
    "endTime": 1773310030000,
    "status": "CANCELED",
    "pipelineConfigId": "6a4cff2e-8265-4584-8993-2da2eb6254f5",
    "trigger": { "type": "manual", "user": "dana@acme.example", "artifacts": [] },
    "stages": [ { "id": "01HRWZZ1B0", "refId": "1", "type": "bake", "name": "Bake", "startTime": 1773310000600, "endTime": 1773310030000, "status": "CANCELED", "context": {} } ]
  }
]
"#;

    #[test]
    fn executions_take_effect_when_their_deploy_stage_ends_and_rollbacks_name_what_they_undo() {
        let (sink, report) = run(EXECUTIONS, SourceFormat::SpinnakerJson, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (3, 0));
        let ids: Vec<&str> = sink.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["01HRWZZ1A2B3C4D5E6F7G8H9J0", "01HRX2B7C8D9E0F1G2H3J4K5M6", "01HRX9Q4M6T2V8K3J5N7P9R1S3"]);
        let deploy = &sink.changes[1];
        // The deploy stage ended at 14:08:32; the canary kept the pipeline going until 14:35.
        assert_eq!(deploy.time, utc("2026-03-12T14:08:32Z"));
        assert_eq!(deploy.moment, ChangeMoment::Finished);
        assert_eq!(deploy.requested, Some(utc("2026-03-12T13:59:59.500Z")));
        assert_eq!(deploy.started, Some(utc("2026-03-12T14:00:00.114Z")));
        assert_eq!(deploy.finished, Some(utc("2026-03-12T14:35:12.902Z")));
        assert_eq!(deploy.revision.as_deref(), Some("registry.acme.example/acme/checkout:1.4.3"));
        assert_eq!(deploy.environment.as_deref(), Some("prod-k8s"));
        assert_eq!(deploy.author, None);
        assert_eq!(deploy.status, ChangeStatus::Succeeded);
        let cancelled = &sink.changes[0];
        assert_eq!(cancelled.status, ChangeStatus::Cancelled);
        assert_eq!(cancelled.time, utc("2026-03-12T10:07:10Z"));
        assert!(cancelled.message.ends_with("cancelled: wrong tag"), "{}", cancelled.message);
        let rollback = &sink.changes[2];
        assert_eq!(rollback.undoes.as_deref(), Some("01HRX2B7C8D9E0F1G2H3J4K5M6"));
        assert_eq!(rollback.time, utc("2026-03-12T15:31:05.877Z"));
        assert_eq!(rollback.author.as_deref(), Some("sam@acme.example"));
        assert_eq!(rollback.span.line, 2);
    }

    #[test]
    fn detection_needs_an_execution_shape() {
        let s = super::super::sniff::sniff(EXECUTIONS.as_bytes()).unwrap();
        assert!(super::looks_like(&s));
        let log =
            super::super::sniff::sniff(b"{\"application\":\"checkout\",\"level\":\"info\",\"msg\":\"stages done\"}")
                .unwrap();
        assert!(!super::looks_like(&log));
    }
}
