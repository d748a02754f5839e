//! Terraform Cloud / Enterprise runs: `GET /api/v2/workspaces/:id/runs`
//! (JSON:API: `data` of `{"id": "run-…", "type": "runs", "attributes":
//! {…}, "relationships": {…}}`, optionally `included` workspaces and
//! configuration versions).
//!
//! Only a run that applied changed infrastructure: `applied`, or `errored`
//! after its apply began. Plan-only, discarded and planned-and-finished runs
//! are read and left out (counted in a note). The change took effect at
//! `status-timestamps.applied-at` (or `errored-at`), having started at
//! `applying-at`.

use super::json::{Doc, J};
use super::sniff::Sniff;
use super::{change, Moments, Reading};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::ChangeStatus;

pub(crate) const TOOL: &str = "terraform";

pub(crate) fn looks_like(s: &Sniff) -> bool {
    s.values("type").any(|t| t == "runs") && s.has_any(&["status-timestamps", "has-changes", "is-destroy"])
}

/// The name of an `included` resource of `kind` with `id`.
fn included(doc: &Doc, kind: &str, id: &str) -> Option<(String, Option<String>)> {
    doc.roots().flat_map(|r| r.get("included").map(|i| i.items()).unwrap_or_default()).find_map(|inc| {
        (inc.text("type").as_deref() == Some(kind) && inc.text("id").as_deref() == Some(id)).then(|| {
            let name = inc.text_at(&["attributes", "name"]).unwrap_or_else(|| id.to_string());
            let sha = inc.text_at(&["attributes", "ingress-attributes", "commit-sha"]);
            (name, sha)
        })
    })
}

fn related(run: &J<'_>, rel: &str) -> Option<String> {
    run.at(&["relationships", rel, "data"]).and_then(|d| d.text("id"))
}

pub(crate) fn parse(data: &[u8], label: &str, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut found = 0usize;
    for root in doc.roots() {
        let list = root.get("data").unwrap_or(root);
        let runs = if list.value.is_array() { list.items() } else { vec![list] };
        for run in runs.iter().filter(|x| x.text("type").as_deref() == Some("runs")) {
            found += 1;
            let span = r.span_of(run);
            if !run.complete() {
                r.unparsed(tally, span, "cut off by a JSON syntax error")?;
                continue;
            }
            let Some(a) = run.get("attributes") else {
                r.unparsed(tally, span, "run without attributes")?;
                continue;
            };
            let status = a.text("status").unwrap_or_default();
            let ts = a.get("status-timestamps");
            let at = |k: &str| ts.as_ref().and_then(|t| super::time_at(t, k, &r.zone));
            let (applying, applied, errored) = (at("applying-at"), at("applied-at"), at("errored-at"));
            let plan_only = a.get("plan-only").and_then(|p| p.value.as_bool()) == Some(true);
            let cancelled = matches!(status.as_str(), "canceled" | "force_canceled");
            let state = match status.as_str() {
                "applied" => ChangeStatus::Succeeded,
                "errored" if applying.is_some() => ChangeStatus::Failed,
                "applying" | "apply_queued" | "confirmed" | "post_apply_running" => ChangeStatus::InProgress,
                _ if cancelled && applying.is_some() => ChangeStatus::Cancelled,
                _ => {
                    r.skip(if plan_only {
                        "plan-only runs"
                    } else {
                        "runs that applied nothing (planned, discarded, errored or cancelled before apply)"
                    });
                    continue;
                }
            };
            let moments = Moments {
                requested: super::time_at(&a, "created-at", &r.zone),
                started: applying,
                finished: applied.or(errored).or(if cancelled {
                    at("canceled-at").or(at("force-canceled-at"))
                } else {
                    None
                }),
            };
            let workspace =
                related(run, "workspace").map(|id| included(&doc, "workspaces", &id).map_or(id, |(name, _)| name));
            let sha = related(run, "configuration-version")
                .and_then(|id| included(&doc, "configuration-versions", &id))
                .and_then(|(_, sha)| sha);
            let id = run.text("id").unwrap_or_else(|| "?".into());
            let mut message = format!("terraform apply in {}", workspace.as_deref().unwrap_or("workspace"));
            if a.get("is-destroy").and_then(|d| d.value.as_bool()) == Some(true) {
                message += " (destroy)";
            }
            if let Some(m) = a.text("message") {
                message += &format!(": {m}");
            }
            let Some(mut c) = change(TOOL, id, message, moments) else {
                r.unparsed(tally, span, "run without status timestamps")?;
                continue;
            };
            c.status = state;
            c.service = workspace;
            c.revision = sha;
            c.author = related(run, "created-by").map(|u| included(&doc, "users", &u).map_or(u, |(n, _)| n));
            r.push(c, span);
        }
    }
    if found == 0 {
        return Err(super::not_found(label, "Terraform run"));
    }
    r.finish(tally, doc.broke.as_ref())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    pub(crate) const RUNS: &str = r#"{
  "data": [
    {
      "id": "run-CZcmD7eagjhyX0vN",
      "type": "runs",
      "attributes": {
        "actions": { "is-cancelable": false, "is-confirmable": false, "is-discardable": false, "is-force-cancelable": false },
        "canceled-at": null,
        "created-at": "2026-03-12T13:58:04.171Z",
        "has-changes": true,
        "is-destroy": false,
        "message": "Raise payments-db max_connections to 400",
        "plan-only": false,
        "source": "tfe-configuration-version",
        "status": "applied",
        "status-timestamps": {
          "plan-queued-at": "2026-03-12T13:58:04+00:00",
          "planning-at": "2026-03-12T13:58:06+00:00",
          "planned-at": "2026-03-12T13:58:41+00:00",
          "confirmed-at": "2026-03-12T14:01:12+00:00",
          "apply-queued-at": "2026-03-12T14:01:13+00:00",
          "applying-at": "2026-03-12T14:01:15+00:00",
          "applied-at": "2026-03-12T14:03:52+00:00"
        },
        "trigger-reason": "manual"
      },
      "relationships": {
        "workspace": { "data": { "id": "ws-qPhan8kDLymzv2uS", "type": "workspaces" } },
        "configuration-version": { "data": { "id": "cv-ntv3HbhJqvFzamy7", "type": "configuration-versions" } },
        "created-by": { "data": { "id": "user-V3R563qtJNcExAkN", "type": "users" } }
      }
    },
    {
      "id": "run-8KtJ2xB5cA9dQ1mE",
      "type": "runs",
      "attributes": { "created-at": "2026-03-12T12:00:00Z", "plan-only": true, "status": "planned_and_finished", "status-timestamps": { "planned-at": "2026-03-12T12:00:40+00:00" } },
      "relationships": { "workspace": { "data": { "id": "ws-qPhan8kDLymzv2uS", "type": "workspaces" } } }
    }
  ],
  "included": [
    { "id": "ws-qPhan8kDLymzv2uS", "type": "workspaces", "attributes": { "name": "payments-db-prod" } },
    { "id": "cv-ntv3HbhJqvFzamy7", "type": "configuration-versions", "attributes": { "ingress-attributes": { "commit-sha": "1f2e3d4c5b6a79880716253443526170a9b8c7d6" } } }
  ],
  "links": { "self": "https://app.terraform.io/api/v2/workspaces/ws-qPhan8kDLymzv2uS/runs?page%5Bnumber%5D=1&page%5Bsize%5D=20" },
  "meta": { "pagination": { "current-page": 1, "total-count": 2 } }
}
"#;

    #[test]
    fn applied_runs_are_changes_and_plans_are_left_out() {
        let (sink, report) = run(RUNS, SourceFormat::TerraformRuns, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (1, 0));
        let c = &sink.changes[0];
        assert_eq!(c.id, "run-CZcmD7eagjhyX0vN");
        assert_eq!((c.time, c.moment), (utc("2026-03-12T14:03:52Z"), ChangeMoment::Finished));
        assert_eq!(c.started, Some(utc("2026-03-12T14:01:15Z")));
        assert_eq!(c.status, ChangeStatus::Succeeded);
        assert_eq!(c.service.as_deref(), Some("payments-db-prod"));
        assert_eq!(c.revision.as_deref(), Some("1f2e3d4c5b6a79880716253443526170a9b8c7d6"));
        assert_eq!(c.message, "terraform apply in payments-db-prod: Raise payments-db max_connections to 400");
        assert_eq!(c.span.line, 3);
        assert!(report.notes.iter().any(|n| n == "1 plan-only runs: not changes, left out"), "{:?}", report.notes);
    }
}
