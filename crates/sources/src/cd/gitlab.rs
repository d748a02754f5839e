//! GitLab deployments: `GET /projects/:id/deployments` (one array per page).
//!
//! Each deployment has a project-scoped `iid` (the number the environment
//! page shows), `sha`, `ref`, `status` (`created`, `running`, `success`,
//! `failed`, `canceled`, `blocked`, `skipped`), `created_at`, the
//! `environment`, the `user`, and the job that ran it (`deployable`, with
//! `started_at`/`finished_at`, the commit and the pipeline). A deployment of
//! a sha the environment ran before undoes the deployment it replaced
//! ([`super::mark_redeploys`]).

use super::json::J;
use super::sniff::Sniff;
use super::{change, mark_redeploys, time_at, Moments, Reading};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::ChangeStatus;

pub(crate) const TOOL: &str = "gitlab";

pub(crate) fn looks_like(s: &Sniff) -> bool {
    let d = s.entry_depth();
    s.has_at(d, "deployable") && s.has_at(d, "iid") && s.has_at(d, "sha") && s.has_at(d, "environment")
}

/// The project's name from a pipeline or job URL (`…/group/checkout/-/pipelines/9`).
fn project(e: &J<'_>) -> Option<String> {
    let url = e.text_at(&["deployable", "pipeline", "web_url"]).or(e.text_at(&["deployable", "web_url"]))?;
    let (path, _) = url.split_once("/-/")?;
    super::last_segment(path).map(str::to_string)
}

pub(crate) fn parse(data: &[u8], label: &str, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut found = 0usize;
    for root in doc.roots() {
        let entries = if root.value.is_array() { root.items() } else { vec![root] };
        for e in entries.iter().filter(|e| e.get("deployable").is_some() || e.get("iid").is_some()) {
            found += 1;
            let span = r.span_of(e);
            if !e.complete() {
                r.unparsed(tally, span, "cut off by a JSON syntax error")?;
                continue;
            }
            let status_text = e.text("status").unwrap_or_default();
            let ended = matches!(status_text.as_str(), "success" | "failed" | "canceled");
            let job_finished = time_at(e, "finished_at", &r.zone).or(time_at(
                &e.get("deployable").unwrap_or(*e),
                "finished_at",
                &r.zone,
            ));
            let moments = Moments {
                requested: time_at(e, "created_at", &r.zone),
                started: e.get("deployable").and_then(|d| time_at(&d, "started_at", &r.zone)),
                finished: job_finished.filter(|_| ended),
            };
            let project = project(e);
            let iid = e.text("iid").or(e.text("id")).unwrap_or_else(|| "?".into());
            let id = match &project {
                Some(p) => format!("{p}#{iid}"),
                None => format!("#{iid}"),
            };
            let environment = e.text_at(&["environment", "name"]);
            let sha = e.text("sha");
            let mut message = format!(
                "deploy {}{} to {}",
                e.text("ref").unwrap_or_else(|| "?".into()),
                sha.as_deref().map_or(String::new(), |s| format!(" ({})", s.get(..7).unwrap_or(s))),
                environment.as_deref().unwrap_or("?")
            );
            if let Some(title) = e.text_at(&["deployable", "commit", "title"]) {
                message += &format!(": {}", title.trim());
            }
            let Some(mut c) = change(TOOL, id, message, moments) else {
                r.unparsed(tally, span, "deployment without created_at")?;
                continue;
            };
            c.status = match status_text.as_str() {
                "success" => ChangeStatus::Succeeded,
                "failed" => ChangeStatus::Failed,
                "canceled" | "skipped" => ChangeStatus::Cancelled,
                "running" => ChangeStatus::InProgress,
                _ => ChangeStatus::Unknown,
            };
            c.service = project;
            c.environment = environment;
            c.author = e.text_at(&["user", "username"]).or(e.text_at(&["deployable", "user", "username"]));
            c.revision = sha;
            r.push(c, span);
        }
    }
    if found == 0 {
        return Err(super::not_found(label, "GitLab deployment"));
    }
    mark_redeploys(&mut r.changes);
    r.finish(tally, doc.broke.as_ref())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// `GET /projects/42/deployments?sort=desc` in its shape.
    pub(crate) const DEPLOYMENTS: &str = r#"[
  {
    "id": 90317, "iid": 58, "ref": "v1.4.3", "sha": "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
    "created_at": "2026-03-12T14:01:49.118Z", "updated_at": "2026-03-12T14:09:02.640Z", "status": "failed",
    "user": { "id": 311, "username": "dana.lee", "name": "Dana Lee", "state": "active" },
    "environment": { "id": 12, "name": "production", "slug": "production", "external_url": "https://shop.acme.example" },
    "deployable": {
      "id": 7712093, "status": "failed", "stage": "deploy", "name": "deploy:production", "ref": "v1.4.3", "tag": true,
      "created_at": "2026-03-12T14:01:48.902Z", "started_at": "2026-03-12T14:02:05.331Z", "finished_at": "2026-03-12T14:09:02.511Z",
      "commit": { "id": "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", "short_id": "9c1d2e3f", "title": "Enable request signing for payment calls", "author_name": "Dana Lee" },
      "pipeline": { "id": 1203399, "project_id": 42, "sha": "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", "ref": "v1.4.3", "status": "failed", "web_url": "https://gitlab.acme.example/shop/checkout/-/pipelines/1203399" },
      "user": { "id": 311, "username": "dana.lee" }
    }
  },
  {
    "id": 90122, "iid": 57, "ref": "v1.4.2", "sha": "4b8e2f1c9d3a7b6e5f4a3b2c1d0e9f8a7b6c5d4e",
    "created_at": "2026-03-11T09:12:00.000Z", "updated_at": "2026-03-11T09:15:31.000Z", "status": "success",
    "user": { "id": 311, "username": "dana.lee" },
    "environment": { "id": 12, "name": "production" },
    "deployable": {
      "id": 7701881, "status": "success", "stage": "deploy", "name": "deploy:production", "ref": "v1.4.2",
      "started_at": "2026-03-11T09:12:20.000Z", "finished_at": "2026-03-11T09:15:30.000Z",
      "commit": { "id": "4b8e2f1c9d3a7b6e5f4a3b2c1d0e9f8a7b6c5d4e", "title": "Tidy checkout logging" },
      "pipeline": { "id": 1201877, "web_url": "https://gitlab.acme.example/shop/checkout/-/pipelines/1201877" }
    }
  }
]
"#;

    #[test]
    fn deployments_read_with_job_times_and_status() {
        let (sink, report) = run(DEPLOYMENTS, SourceFormat::GitlabDeployments, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (2, 0));
        let c = &sink.changes[1];
        assert_eq!(c.id, "checkout#58");
        assert_eq!(c.status, ChangeStatus::Failed);
        assert_eq!((c.time, c.moment), (utc("2026-03-12T14:09:02.511Z"), ChangeMoment::Finished));
        assert_eq!(c.started, Some(utc("2026-03-12T14:02:05.331Z")));
        assert_eq!(c.requested, Some(utc("2026-03-12T14:01:49.118Z")));
        assert_eq!(c.service.as_deref(), Some("checkout"));
        assert_eq!(c.environment.as_deref(), Some("production"));
        assert_eq!(c.author.as_deref(), Some("dana.lee"));
        assert_eq!(c.message, "deploy v1.4.3 (9c1d2e3) to production: Enable request signing for payment calls");
        assert_eq!(c.span.line, 2);
        assert_eq!(sink.changes[0].id, "checkout#57");
        assert_eq!(sink.changes[0].time, utc("2026-03-11T09:15:30Z"));
    }
}
