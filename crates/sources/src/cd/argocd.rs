//! Argo CD: `argocd app list -o json`, `argocd app get APP -o json` (or
//! `kubectl get applications -o json`), and `argocd app history APP`.
//!
//! An application's `status.history` holds one entry per completed sync:
//! history `id`, `revision` (a commit sha or chart version; `revisions` for
//! multi-source apps), `deployStartedAt`, `deployedAt` (when the sync
//! finished) and `initiatedBy`. A sync that failed or is still running is
//! not in the history, only in `status.operationState`; it is read from
//! there. A sync to a revision the application ran before is the undo of
//! the sync it replaced ([`super::mark_redeploys`]).

use super::json::J;
use super::sniff::Sniff;
use super::{change, mark_redeploys, time_at, Moments, Reading};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{ChangeStatus, Instant};
use regex::Regex;
use std::sync::OnceLock;

pub(crate) const TOOL: &str = "argocd";

/// An Application (list, single, or a Kubernetes `List` of them), or bare history entries.
pub(crate) fn looks_like_json(s: &Sniff) -> bool {
    let app = s.has_all(&["spec", "status", "destination"])
        && s.has_any(&["reconciledAt", "operationState", "history", "sourceType", "syncPolicy"])
        && s.has_any(&["sync", "health"]);
    let typed = s.value_starts("apiVersion", "argoproj.io/") && s.values("kind").any(|k| k == "Application");
    let history = s.has_at(s.entry_depth(), "deployedAt") && s.has_at(s.entry_depth(), "revision");
    app || typed || history
}

fn row_pattern() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        // `ID  DATE  REVISION`, DATE as Go prints a time (`2026-03-12 14:09:41 +0000 UTC`).
        Regex::new(r"^(\d+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4} \S+)\s+(\S.*?)\s*$")
            .unwrap_or_else(|e| panic!("argocd history row: {e}"))
    })
}

fn is_header(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    words == ["ID", "DATE", "REVISION"]
}

/// `argocd app history` output: an `ID DATE REVISION` header (after a
/// `SOURCE url` line in recent versions) and rows.
pub(crate) fn looks_like_history(sample: &[u8]) -> bool {
    let text = String::from_utf8_lossy(sample);
    let mut lines = text.lines().map(str::trim_end).filter(|l| !l.trim().is_empty());
    let Some(mut first) = lines.next() else { return false };
    if first.starts_with("SOURCE ") {
        let Some(next) = lines.next() else { return false };
        first = next;
    }
    is_header(first) && lines.next().is_none_or(|row| row_pattern().is_match(row))
}

pub(crate) fn parse_json(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut apps = 0usize;
    for root in doc.roots() {
        let entries = if root.value.is_array() { root.items() } else { vec![root] };
        for e in entries {
            if let Some(items) = e.get("items").filter(|i| i.value.is_array()) {
                for app in items.items() {
                    apps += 1;
                    read_app(&app, &mut r, tally)?;
                }
            } else if e.get("status").is_some() || e.get("spec").is_some() {
                apps += 1;
                read_app(&e, &mut r, tally)?;
            } else if e.get("deployedAt").is_some() {
                apps += 1;
                read_entry(&e, &App::default(), &mut r, tally)?;
            }
        }
    }
    if apps == 0 {
        return Err(super::not_found(label, "Argo CD application or history entry"));
    }
    mark_redeploys(&mut r.changes);
    r.finish(tally, doc.broke.as_ref())
}

/// What an application's changes share.
#[derive(Default)]
struct App {
    name: Option<String>,
    namespace: Option<String>,
}

fn read_app(app: &J<'_>, r: &mut Reading<'_>, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let a = App {
        name: app.text_at(&["metadata", "name"]),
        namespace: app.text_at(&["spec", "destination", "namespace"]).or(app.text_at(&["spec", "destination", "name"])),
    };
    let history = app.at(&["status", "history"]).map(|h| h.items()).unwrap_or_default();
    let mut synced: Vec<(String, Option<Instant>)> = Vec::new();
    for e in &history {
        if let Some(c) = read_entry(e, &a, r, tally)? {
            synced.push(c);
        }
    }
    // A cut-off application's operation may be half read: only a whole one is trusted.
    if let Some(op) = app.at(&["status", "operationState"]).filter(|_| app.complete()) {
        read_operation(&op, &a, &synced, r);
    }
    Ok(())
}

fn revision_of(e: &J<'_>) -> Option<String> {
    let many: Vec<String> = e
        .get("revisions")
        .map(|v| v.items().iter().filter_map(|i| super::json::scalar_text(i.value)).collect())
        .unwrap_or_default();
    if many.is_empty() {
        e.text("revision")
    } else {
        Some(many.join(", "))
    }
}

/// What was synced, as the analyst reads it: the repository path or chart and the target.
fn source_text(e: &J<'_>) -> Option<String> {
    let source = e.get("source").or_else(|| e.get("sources").and_then(|s| s.items().into_iter().next()))?;
    let target = source.text("targetRevision");
    let what = match (source.text("chart"), source.text("path"), source.text("repoURL")) {
        (Some(chart), _, _) => format!("chart {chart}"),
        (None, Some(path), Some(repo)) => format!("{repo} {path}"),
        (None, None, Some(repo)) => repo,
        (None, Some(path), None) => path,
        (None, None, None) => return target,
    };
    Some(match target {
        Some(t) => format!("{what} @ {t}"),
        None => what,
    })
}

fn short(rev: &str) -> &str {
    if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        rev.get(..7).unwrap_or(rev)
    } else {
        rev
    }
}

fn initiator(j: &J<'_>) -> Option<String> {
    let by = j.get("initiatedBy")?;
    by.text("username").or_else(|| {
        (by.get("automated").and_then(|a| a.value.as_bool()) == Some(true)).then(|| "automated sync".to_string())
    })
}

/// One history entry; returns its revision and finish for matching the operation.
fn read_entry(
    e: &J<'_>,
    a: &App,
    r: &mut Reading<'_>,
    tally: &mut Tally<'_>,
) -> Result<Option<(String, Option<Instant>)>, SourceError> {
    let span = r.span_of(e);
    if !e.complete() {
        r.unparsed(tally, span, "cut off by a JSON syntax error")?;
        return Ok(None);
    }
    let moments = Moments {
        started: time_at(e, "deployStartedAt", &r.zone),
        finished: time_at(e, "deployedAt", &r.zone),
        ..Moments::default()
    };
    let revision = revision_of(e);
    let hid = e.text("id").unwrap_or_else(|| "?".into());
    let id = match &a.name {
        Some(n) => format!("{n}#{hid}"),
        None => format!("#{hid}"),
    };
    let target = a.name.as_deref().unwrap_or("application");
    let mut message = format!("Sync {target} to {}", revision.as_deref().map_or("?", short));
    if let Some(s) = source_text(e) {
        message += &format!(" ({s})");
    }
    let Some(mut c) = change(TOOL, id, message, moments) else {
        r.unparsed(tally, span, "history entry without deployedAt")?;
        return Ok(None);
    };
    c.status = ChangeStatus::Succeeded;
    c.service = a.name.clone();
    c.environment = a.namespace.clone();
    c.author = initiator(e);
    c.revision = revision.clone();
    r.push(c, span);
    Ok(Some((revision.unwrap_or_default(), moments.finished)))
}

/// The last sync operation, when the history does not already hold it: a
/// failed or running sync is a change the history never records.
fn read_operation(op: &J<'_>, a: &App, synced: &[(String, Option<Instant>)], r: &mut Reading<'_>) {
    let phase = op.text("phase").unwrap_or_default();
    let status = match phase.as_str() {
        "Succeeded" => ChangeStatus::Succeeded,
        "Failed" | "Error" => ChangeStatus::Failed,
        "Running" | "Terminating" => ChangeStatus::InProgress,
        _ => return,
    };
    let started = time_at(op, "startedAt", &r.zone);
    let finished = time_at(op, "finishedAt", &r.zone);
    let revision = op
        .get("syncResult")
        .and_then(|s| revision_of(&s))
        .or_else(|| op.at(&["operation", "sync"]).and_then(|s| revision_of(&s)));
    if status == ChangeStatus::Succeeded {
        let recorded = synced.iter().any(|(rev, at)| {
            Some(rev) == revision.as_ref()
                && match (at, finished) {
                    (Some(a), Some(b)) => (*a - b).num_seconds().abs() <= 5,
                    _ => true,
                }
        });
        if recorded {
            return;
        }
    }
    let target = a.name.as_deref().unwrap_or("application");
    let Some(at) = started.or(finished) else { return };
    let id = format!("{target}@{}", at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let mut message = format!("Sync {target} to {} ({phase})", revision.as_deref().map_or("?", short));
    if let Some(m) = op.text("message") {
        message += &format!(": {m}");
    }
    let Some(mut c) = change(TOOL, id, message, Moments { started, finished, ..Moments::default() }) else { return };
    c.status = status;
    c.service = a.name.clone();
    c.environment = a.namespace.clone();
    c.author = op.get("operation").and_then(|o| initiator(&o));
    c.revision = revision;
    let span = r.span_of(op);
    r.push(c, span);
}

pub(crate) fn parse_history(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let mut r = Reading::new(data, label, opts);
    let mut header = false;
    let mut source: Option<String> = None;
    // Multi-source applications list each history id once per source: one change per id.
    let mut by_id: Vec<(String, usize)> = Vec::new();
    for (_, line_offset, raw) in crate::input::lines(data) {
        let raw = crate::input::trim_line(raw);
        let text = String::from_utf8_lossy(raw);
        let line = text.trim_end();
        let span = r.span(line_offset, line_offset + raw.len());
        if line.trim().is_empty() {
            continue;
        }
        if let Some(url) = line.strip_prefix("SOURCE ") {
            source = Some(url.trim().to_string());
            continue;
        }
        if is_header(line) {
            header = true;
            continue;
        }
        let caps = row_pattern().captures(line);
        let (Some(hid), Some(date), Some(rev_col)) = (
            caps.as_ref().and_then(|c| c.get(1)),
            caps.as_ref().and_then(|c| c.get(2)),
            caps.as_ref().and_then(|c| c.get(3)),
        ) else {
            r.unparsed(tally, span, "not an argocd app history row")?;
            continue;
        };
        let Some(at) = super::time_text(date.as_str(), &r.zone) else {
            r.unparsed(tally, span, "no readable time")?;
            continue;
        };
        // `HEAD (53a4f1c)`: the target, then the synced commit; a chart version stands alone.
        let col = rev_col.as_str();
        let revision = match (col.rfind('('), col.ends_with(')')) {
            (Some(open), true) => col.get(open + 1..col.len() - 1).unwrap_or(col).to_string(),
            _ => col.to_string(),
        };
        let id = format!("#{}", hid.as_str());
        if let Some((_, at_index)) = by_id.iter().find(|(i, _)| *i == id) {
            if let Some(c) = r.changes.get_mut(*at_index) {
                c.revision = Some(format!("{}, {revision}", c.revision.as_deref().unwrap_or("")));
                c.message += &format!("; {col}");
            }
            continue;
        }
        let mut message = format!("Sync to {col}");
        if let Some(s) = &source {
            message += &format!(" ({s})");
        }
        let Some(mut c) = change(TOOL, id.clone(), message, Moments { finished: Some(at), ..Moments::default() })
        else {
            continue;
        };
        c.status = ChangeStatus::Succeeded;
        c.revision = Some(revision);
        by_id.push((id, r.changes.len()));
        r.push(c, span);
    }
    if !header {
        return Err(super::not_found(label, "`ID DATE REVISION` header"));
    }
    if !r.changes.is_empty() {
        tally.note(
            "argocd app history does not name the application: these changes carry no service (argocd app get APP -o json does)"
                .into(),
        );
    }
    mark_redeploys(&mut r.changes);
    r.finish(tally, None)
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// `argocd app get checkout -o json`, trimmed to what matters but in its shape:
    /// no apiVersion/kind (the CLI prints the object without them), three syncs,
    /// the third going back to the first revision, and a failed sync after it.
    pub(crate) const APP_GET: &str = r#"{
  "metadata": {
    "name": "checkout",
    "namespace": "argocd",
    "uid": "6e2b1c9a-3f0e-4a8b-9b1d-2f6c0d8e7a11",
    "creationTimestamp": "2026-01-20T09:12:44Z"
  },
  "spec": {
    "source": {
      "repoURL": "https://github.com/acme/deploy.git",
      "path": "apps/checkout",
      "targetRevision": "main"
    },
    "destination": {
      "server": "https://kubernetes.default.svc",
      "namespace": "checkout-prod"
    },
    "project": "default",
    "syncPolicy": {
      "automated": { "prune": true, "selfHeal": true }
    }
  },
  "status": {
    "resources": [
      { "group": "apps", "version": "v1", "kind": "Deployment", "namespace": "checkout-prod", "name": "checkout", "status": "Synced", "health": { "status": "Healthy" } }
    ],
    "sync": {
      "status": "Synced",
      "comparedTo": { "source": { "repoURL": "https://github.com/acme/deploy.git", "path": "apps/checkout", "targetRevision": "main" }, "destination": { "server": "https://kubernetes.default.svc", "namespace": "checkout-prod" } },
      "revision": "4b8e2f1c9d3a7b6e5f4a3b2c1d0e9f8a7b6c5d4e"
    },
    "health": { "status": "Healthy" },
    "history": [
      {
        "revision": "4b8e2f1c9d3a7b6e5f4a3b2c1d0e9f8a7b6c5d4e",
        "deployedAt": "2026-03-12T09:41:07Z",
        "id": 7,
        "source": { "repoURL": "https://github.com/acme/deploy.git", "path": "apps/checkout", "targetRevision": "main" },
        "deployStartedAt": "2026-03-12T09:40:31Z",
        "initiatedBy": { "automated": true }
      },
      {
        "revision": "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
        "deployedAt": "2026-03-12T14:09:12Z",
        "id": 8,
        "source": { "repoURL": "https://github.com/acme/deploy.git", "path": "apps/checkout", "targetRevision": "main" },
        "deployStartedAt": "2026-03-12T14:02:03Z",
        "initiatedBy": { "username": "dana@acme.example" }
      },
      {
        "revision": "4b8e2f1c9d3a7b6e5f4a3b2c1d0e9f8a7b6c5d4e",
        "deployedAt": "2026-03-12T15:21:40Z",
        "id": 9,
        "source": { "repoURL": "https://github.com/acme/deploy.git", "path": "apps/checkout", "targetRevision": "main" },
        "deployStartedAt": "2026-03-12T15:20:58Z",
        "initiatedBy": { "username": "sam@acme.example" }
      }
    ],
    "reconciledAt": "2026-03-12T16:00:02Z",
    "operationState": {
      "operation": {
        "sync": { "revision": "1f2e3d4c5b6a79880716253443526170a9b8c7d6" },
        "initiatedBy": { "username": "dana@acme.example" },
        "retry": {}
      },
      "phase": "Failed",
      "message": "one or more objects failed to apply, reason: Deployment.apps \"checkout\" is invalid",
      "syncResult": { "revision": "1f2e3d4c5b6a79880716253443526170a9b8c7d6" },
      "startedAt": "2026-03-12T15:50:00Z",
      "finishedAt": "2026-03-12T15:50:09Z"
    },
    "sourceType": "Directory"
  }
}
"#;

    #[test]
    fn app_get_json_reads_history_operation_and_the_undo() {
        let (sink, report) = run(APP_GET, SourceFormat::ArgoCdJson, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (4, 0));
        let ids: Vec<&str> = sink.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["checkout#7", "checkout#8", "checkout#9", "checkout@2026-03-12T15:50:00Z"]);
        let bad = &sink.changes[1];
        assert_eq!(bad.time, utc("2026-03-12T14:09:12Z"));
        assert_eq!(bad.moment, ChangeMoment::Finished);
        assert_eq!(bad.started, Some(utc("2026-03-12T14:02:03Z")));
        assert_eq!(bad.revision.as_deref(), Some("9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"));
        assert_eq!(bad.service.as_deref(), Some("checkout"));
        assert_eq!(bad.environment.as_deref(), Some("checkout-prod"));
        assert_eq!(bad.author.as_deref(), Some("dana@acme.example"));
        assert_eq!(bad.tool.as_deref(), Some("argocd"));
        assert_eq!(bad.message, "Sync checkout to 9c1d2e3 (https://github.com/acme/deploy.git apps/checkout @ main)");
        assert_eq!(bad.span.line, 42);
        assert_eq!(sink.changes[0].author.as_deref(), Some("automated sync"));
        // History id 9 syncs the revision of id 7 again: it undoes id 8.
        assert_eq!(sink.changes[2].undoes.as_deref(), Some("checkout#8"));
        assert_eq!(sink.changes[1].undoes, None);
        let failed = &sink.changes[3];
        assert_eq!(failed.status, ChangeStatus::Failed);
        assert_eq!(failed.time, utc("2026-03-12T15:50:09Z"));
        assert!(failed.message.contains("Deployment.apps"), "{}", failed.message);
        assert_eq!(report.first, Some(utc("2026-03-12T09:41:07Z")));
        assert_eq!(report.last, Some(utc("2026-03-12T15:50:09Z")));
    }

    #[test]
    fn app_list_json_reads_every_application_and_skips_an_operation_already_in_history() {
        let list = format!(
            "[\n{},\n{}\n]\n",
            APP_GET.trim(),
            r#"{"metadata": {"name": "search"}, "spec": {"destination": {"namespace": "search-prod"}, "source": {"repoURL": "https://charts.acme.example", "chart": "search", "targetRevision": "2.3.1"}, "project": "default"},
 "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}, "reconciledAt": "2026-03-12T16:00:00Z",
  "history": [{"revision": "2.3.1", "deployedAt": "2026-03-12T11:00:05Z", "deployStartedAt": "2026-03-12T10:59:50Z", "id": 1, "source": {"repoURL": "https://charts.acme.example", "chart": "search", "targetRevision": "2.3.1"}}],
  "operationState": {"operation": {"sync": {"revision": "2.3.1"}}, "phase": "Succeeded", "syncResult": {"revision": "2.3.1"}, "startedAt": "2026-03-12T10:59:50Z", "finishedAt": "2026-03-12T11:00:05Z"}}}"#
        );
        let (sink, report) = run(&list, SourceFormat::ArgoCdJson, &zone("UTC"));
        assert_eq!(report.records, 5);
        let search = sink.changes.iter().find(|c| c.id == "search#1").unwrap();
        assert_eq!(search.message, "Sync search to 2.3.1 (chart search @ 2.3.1)");
        assert_eq!(search.revision.as_deref(), Some("2.3.1"));
        assert_eq!(search.environment.as_deref(), Some("search-prod"));
    }

    pub(crate) const HISTORY_TEXT: &str = "\
SOURCE  https://github.com/acme/deploy.git
ID      DATE                           REVISION
7       2026-03-12 10:41:07 +0100 CET  main (4b8e2f1)
8       2026-03-12 15:09:12 +0100 CET  main (9c1d2e3)
9       2026-03-12 16:21:40 +0100 CET  main (4b8e2f1)
";

    #[test]
    fn app_history_text_reads_ids_go_times_and_the_undo() {
        let (sink, report) = run(HISTORY_TEXT, SourceFormat::ArgoCdHistory, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (3, 0));
        let c = &sink.changes[1];
        assert_eq!((c.id.as_str(), c.time), ("#8", utc("2026-03-12T14:09:12Z")));
        assert_eq!(c.revision.as_deref(), Some("9c1d2e3"));
        assert_eq!(c.span.line, 4);
        assert_eq!(c.service, None);
        assert_eq!(sink.changes[2].undoes.as_deref(), Some("#8"));
        assert!(report.notes.iter().any(|n| n.contains("does not name the application")));
    }

    #[test]
    fn detection_tells_argocd_json_and_history_apart_from_logs() {
        let s = super::super::sniff::sniff(APP_GET.as_bytes()).unwrap();
        assert!(super::looks_like_json(&s));
        assert!(super::looks_like_history(HISTORY_TEXT.as_bytes()));
        assert!(super::looks_like_history(
            b"ID  DATE                           REVISION\n0   2026-03-12 10:41:07 +0000 UTC  1.4.2\n"
        ));
        assert!(!super::looks_like_history(b"ID DATE REVISION\nnot a row\n"));
        let log = super::super::sniff::sniff(
            b"{\"level\":\"info\",\"msg\":\"sync\",\"revision\":\"abc\",\"time\":\"2026-03-12T10:00:00Z\"}",
        )
        .unwrap();
        assert!(!super::looks_like_json(&log));
    }
}
