//! GitHub deployments: `GET /repos/{owner}/{repo}/deployments` and each
//! deployment's `…/deployments/{id}/statuses`, as `gh api` writes them (one
//! array per page, pages concatenated), in one file or with the statuses
//! embedded under `statuses`.
//!
//! A deployment is a request (`created_at`); its statuses say when it ran
//! (`in_progress`) and ended (`success`, `failure`, `error`; a later
//! `inactive` only means a newer deployment replaced it). A deployment with
//! no status in the export is placed at its request. A deployment of a sha
//! the environment ran before undoes the deployment it replaced
//! ([`super::mark_redeploys`]).

use super::json::J;
use super::sniff::Sniff;
use super::{change, last_segment, mark_redeploys, time_at, Moments, Reading};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{ChangeStatus, Instant, Span};

pub(crate) const TOOL: &str = "github";

pub(crate) fn looks_like(s: &Sniff) -> bool {
    let deployments = s.has("statuses_url") && s.has("sha") && s.has_any(&["task", "environment"]);
    let statuses =
        s.has("deployment_url") && s.has("state") && s.has_any(&["log_url", "target_url", "environment_url"]);
    deployments || statuses
}

struct Status {
    deployment: String,
    state: String,
    at: Option<Instant>,
    description: Option<String>,
    environment: Option<String>,
    repository: Option<String>,
    span: Span,
}

struct Deployment {
    id: String,
    span: Span,
    requested: Option<Instant>,
    sha: Option<String>,
    git_ref: Option<String>,
    task: Option<String>,
    environment: Option<String>,
    description: Option<String>,
    creator: Option<String>,
    repository: Option<String>,
}

fn repository(j: &J<'_>) -> Option<String> {
    j.text("repository_url").as_deref().and_then(last_segment).map(str::to_string)
}

fn read_status(s: &J<'_>, r: &Reading<'_>, deployment: Option<&str>) -> Option<Status> {
    let deployment = deployment
        .map(str::to_string)
        .or_else(|| s.text("deployment_url").as_deref().and_then(last_segment).map(str::to_string))?;
    Some(Status {
        deployment,
        state: s.text("state").unwrap_or_default(),
        at: time_at(s, "created_at", &r.zone),
        description: s.text("description"),
        environment: s.text("environment"),
        repository: repository(s),
        span: r.span_of(s),
    })
}

pub(crate) fn parse(data: &[u8], label: &str, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut deployments: Vec<Deployment> = Vec::new();
    let mut statuses: Vec<Status> = Vec::new();
    for root in doc.roots() {
        let entries = if root.value.is_array() { root.items() } else { vec![root] };
        for e in entries {
            let span = r.span_of(&e);
            if !e.complete() {
                r.unparsed(tally, span, "cut off by a JSON syntax error")?;
                continue;
            }
            if e.get("statuses_url").is_some() || (e.get("sha").is_some() && e.get("task").is_some()) {
                let id = e.text("id").unwrap_or_else(|| "?".into());
                for s in e.get("statuses").map(|s| s.items()).unwrap_or_default() {
                    statuses.extend(read_status(&s, &r, Some(&id)));
                }
                deployments.push(Deployment {
                    span,
                    requested: time_at(&e, "created_at", &r.zone),
                    sha: e.text("sha"),
                    git_ref: e.text("ref"),
                    task: e.text("task"),
                    environment: e.text("environment"),
                    description: e.text("description"),
                    creator: e.at(&["creator", "login"]).and_then(|l| super::json::scalar_text(l.value)),
                    repository: repository(&e),
                    id,
                });
            } else if e.get("deployment_url").is_some() && e.get("state").is_some() {
                statuses.extend(read_status(&e, &r, None));
            } else {
                r.unparsed(tally, span, "neither a deployment nor a deployment status")?;
            }
        }
    }
    if deployments.is_empty() && statuses.is_empty() {
        return Err(super::not_found(label, "GitHub deployment or deployment status"));
    }
    // Statuses of deployments the export does not hold stand for them.
    let mut orphans: Vec<String> = Vec::new();
    for s in &statuses {
        if !deployments.iter().any(|d| d.id == s.deployment) && !orphans.contains(&s.deployment) {
            orphans.push(s.deployment.clone());
        }
    }
    for id in orphans {
        let mine: Vec<&Status> = statuses.iter().filter(|s| s.deployment == id).collect();
        let Some(first) = mine.iter().min_by_key(|s| s.at) else { continue };
        deployments.push(Deployment {
            id: id.clone(),
            span: first.span,
            requested: None,
            sha: None,
            git_ref: None,
            task: None,
            environment: mine.iter().find_map(|s| s.environment.clone()),
            description: mine.iter().rev().find_map(|s| s.description.clone()),
            creator: None,
            repository: mine.iter().find_map(|s| s.repository.clone()),
        });
    }
    for d in deployments {
        let mut mine: Vec<&Status> = statuses.iter().filter(|s| s.deployment == d.id).collect();
        mine.sort_by_key(|s| s.at);
        let at = |states: &[&str]| mine.iter().find(|s| states.contains(&s.state.as_str())).and_then(|s| s.at);
        let moments = Moments {
            requested: d.requested,
            started: at(&["in_progress"]),
            finished: at(&["success", "failure", "error"]),
        };
        let last = mine.iter().rev().find(|s| s.state != "inactive").map(|s| s.state.as_str());
        let status = match last {
            Some("success") => ChangeStatus::Succeeded,
            Some("failure" | "error") => ChangeStatus::Failed,
            Some("in_progress" | "queued" | "pending") => ChangeStatus::InProgress,
            None if !mine.is_empty() => ChangeStatus::Succeeded,
            _ => ChangeStatus::Unknown,
        };
        let mut message = format!(
            "{} {}{} to {}",
            d.task.as_deref().unwrap_or("deploy"),
            d.git_ref.as_deref().unwrap_or("?"),
            d.sha.as_deref().map_or(String::new(), |s| format!(" ({})", s.get(..7).unwrap_or(s))),
            d.environment.as_deref().unwrap_or("?")
        );
        if let Some(desc) = &d.description {
            message += &format!(": {desc}");
        }
        if let Some(s) = mine.iter().rev().find(|s| s.state != "inactive" && s.description.is_some()) {
            if s.description != d.description {
                message += &format!(" ({}: {})", s.state, s.description.as_deref().unwrap_or(""));
            }
        }
        let Some(mut c) = change(TOOL, d.id.clone(), message, moments) else {
            r.unparsed(tally, d.span, "deployment without created_at")?;
            continue;
        };
        c.status = status;
        c.service = d.repository;
        c.environment = d.environment;
        c.author = d.creator;
        c.revision = d.sha;
        r.push(c, d.span);
    }
    mark_redeploys(&mut r.changes);
    r.finish(tally, doc.broke.as_ref())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// `gh api --paginate repos/acme/checkout/deployments` followed by the
    /// statuses of each (`gh api …/deployments/{id}/statuses`), newest first
    /// as GitHub lists them.
    pub(crate) const DEPLOYMENTS: &str = r#"[
  {
    "url": "https://api.github.com/repos/acme/checkout/deployments/1843922311",
    "id": 1843922311,
    "node_id": "DE_kwDOJx1vQs5t6n2H",
    "task": "deploy",
    "original_environment": "production",
    "environment": "production",
    "description": "Roll back to 1.4.2",
    "created_at": "2026-03-12T15:20:41Z",
    "updated_at": "2026-03-12T15:22:03Z",
    "statuses_url": "https://api.github.com/repos/acme/checkout/deployments/1843922311/statuses",
    "repository_url": "https://api.github.com/repos/acme/checkout",
    "creator": { "login": "sam-okafor", "id": 5120331, "type": "User" },
    "sha": "4b8e2f1c9d3a7b6e5f4a3b2c1d0e9f8a7b6c5d4e",
    "ref": "v1.4.2",
    "payload": {},
    "transient_environment": false,
    "production_environment": true,
    "performed_via_github_app": null
  },
  {
    "url": "https://api.github.com/repos/acme/checkout/deployments/1843710925",
    "id": 1843710925,
    "node_id": "DE_kwDOJx1vQs5t53lN",
    "task": "deploy",
    "original_environment": "production",
    "environment": "production",
    "description": "Enable request signing for payment calls",
    "created_at": "2026-03-12T14:01:55Z",
    "updated_at": "2026-03-12T14:08:40Z",
    "statuses_url": "https://api.github.com/repos/acme/checkout/deployments/1843710925/statuses",
    "repository_url": "https://api.github.com/repos/acme/checkout",
    "creator": { "login": "dana-lee", "id": 4410872, "type": "User" },
    "sha": "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
    "ref": "v1.4.3",
    "payload": { "image": "ghcr.io/acme/checkout:1.4.3" },
    "transient_environment": false,
    "production_environment": true
  },
  {
    "url": "https://api.github.com/repos/acme/checkout/deployments/1843001877",
    "id": 1843001877,
    "task": "deploy",
    "environment": "production",
    "description": null,
    "created_at": "2026-03-11T09:12:00Z",
    "updated_at": "2026-03-11T09:15:31Z",
    "statuses_url": "https://api.github.com/repos/acme/checkout/deployments/1843001877/statuses",
    "repository_url": "https://api.github.com/repos/acme/checkout",
    "creator": { "login": "dana-lee", "id": 4410872, "type": "User" },
    "sha": "4b8e2f1c9d3a7b6e5f4a3b2c1d0e9f8a7b6c5d4e",
    "ref": "v1.4.2",
    "payload": {}
  }
]
[
  {"id": 3907111102, "state": "success", "description": "Deployment finished successfully.", "environment": "production", "created_at": "2026-03-12T15:22:03Z", "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/1843922311", "repository_url": "https://api.github.com/repos/acme/checkout", "log_url": "https://github.com/acme/checkout/actions/runs/8241127711/job/22539105525", "creator": {"login": "github-actions[bot]"}},
  {"id": 3907101144, "state": "in_progress", "description": "", "environment": "production", "created_at": "2026-03-12T15:20:44Z", "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/1843922311", "repository_url": "https://api.github.com/repos/acme/checkout", "log_url": "https://github.com/acme/checkout/actions/runs/8241127711/job/22539105525"}
]
[
  {"id": 3906801190, "state": "inactive", "description": "The deployment is now inactive", "environment": "production", "created_at": "2026-03-12T15:22:04Z", "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/1843710925", "repository_url": "https://api.github.com/repos/acme/checkout", "log_url": ""},
  {"id": 3906501123, "state": "success", "description": "Deployment finished successfully.", "environment": "production", "created_at": "2026-03-12T14:08:40Z", "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/1843710925", "repository_url": "https://api.github.com/repos/acme/checkout", "log_url": "https://github.com/acme/checkout/actions/runs/8240466120/job/22537211370"},
  {"id": 3906420017, "state": "in_progress", "description": "", "environment": "production", "created_at": "2026-03-12T14:02:10Z", "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/1843710925", "repository_url": "https://api.github.com/repos/acme/checkout", "log_url": "https://github.com/acme/checkout/actions/runs/8240466120/job/22537211370"}
]
"#;

    #[test]
    fn deployments_take_their_times_from_their_statuses() {
        let (sink, report) = run(DEPLOYMENTS, SourceFormat::GithubDeployments, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (3, 0));
        let ids: Vec<&str> = sink.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["1843001877", "1843710925", "1843922311"]);
        let old = &sink.changes[0];
        // No status of it was exported: placed at its request.
        assert_eq!(
            (old.time, old.moment, old.status),
            (utc("2026-03-11T09:12:00Z"), ChangeMoment::Requested, ChangeStatus::Unknown)
        );
        let bad = &sink.changes[1];
        assert_eq!(bad.time, utc("2026-03-12T14:08:40Z"));
        assert_eq!(bad.moment, ChangeMoment::Finished);
        assert_eq!(bad.requested, Some(utc("2026-03-12T14:01:55Z")));
        assert_eq!(bad.started, Some(utc("2026-03-12T14:02:10Z")));
        // Replaced later (inactive), but it succeeded.
        assert_eq!(bad.status, ChangeStatus::Succeeded);
        assert_eq!(bad.service.as_deref(), Some("checkout"));
        assert_eq!(bad.environment.as_deref(), Some("production"));
        assert_eq!(bad.author.as_deref(), Some("dana-lee"));
        assert_eq!(bad.message, "deploy v1.4.3 (9c1d2e3) to production: Enable request signing for payment calls (success: Deployment finished successfully.)");
        assert_eq!(bad.span.line, 22);
        // Back to the sha deployed the day before: it undoes 1843710925.
        assert_eq!(sink.changes[2].undoes.as_deref(), Some("1843710925"));
        assert_eq!(sink.changes[2].time, utc("2026-03-12T15:22:03Z"));
    }

    #[test]
    fn statuses_alone_still_make_changes() {
        let statuses = DEPLOYMENTS.split("]\n[").nth(2).map(|s| format!("[{s}")).unwrap();
        let (sink, report) = run(&statuses, SourceFormat::GithubDeployments, &zone("UTC"));
        assert_eq!(report.records, 1);
        assert_eq!(sink.changes[0].id, "1843710925");
        assert_eq!(sink.changes[0].time, utc("2026-03-12T14:08:40Z"));
        assert_eq!(sink.changes[0].environment.as_deref(), Some("production"));
    }
}
