//! Kubernetes rollouts: Deployments and ReplicaSets as `kubectl get
//! deploy,rs -o json` writes them, and `kubectl rollout history` text.
//!
//! Each ReplicaSet of a Deployment is one revision (annotation
//! `deployment.kubernetes.io/revision`, cause `kubernetes.io/change-cause`,
//! images from its pod template), created when its rollout started. `kubectl
//! rollout undo` does not make a new ReplicaSet: it gives an old one the next
//! revision number and lists its earlier numbers in
//! `deployment.kubernetes.io/revision-history`. Such a revision is the undo of
//! the revision before it; when it is the Deployment's current one, the
//! Deployment's `Progressing` condition says when it finished, otherwise no
//! time is recorded for it and it is counted unparsed. `kubectl rollout
//! history` prints no times at all: its revisions are counted unparsed.

use super::json::J;
use super::sniff::Sniff;
use super::{change, Moments, Reading};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{ChangeMoment, ChangeStatus, Instant, Span};

pub(crate) const TOOL: &str = "kubernetes";

const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

pub(crate) fn looks_like_json(s: &Sniff) -> bool {
    let root_kind = s.value_at(1, "kind");
    let workload = |k: &str| matches!(k, "Deployment" | "ReplicaSet");
    match root_kind {
        Some(k) if workload(k) => true,
        Some("List" | "DeploymentList" | "ReplicaSetList") => s.values("kind").any(workload) || s.has(REVISION),
        _ => false,
    }
}

/// `deployment.apps/checkout` then a `REVISION  CHANGE-CAUSE` table.
pub(crate) fn looks_like_rollout_history(sample: &[u8]) -> bool {
    let text = String::from_utf8_lossy(sample);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let header = |l: &str| l.split_whitespace().collect::<Vec<_>>() == ["REVISION", "CHANGE-CAUSE"];
    header(first) || (first.contains('/') && !first.contains(' ') && lines.next().is_some_and(header))
}

pub(crate) fn parse_rollout_history(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let mut r = Reading::new(data, label, opts);
    let mut header = false;
    let mut revisions = 0u64;
    for (_, offset, raw) in crate::input::lines(data) {
        let raw = crate::input::trim_line(raw);
        let line = String::from_utf8_lossy(raw);
        let words: Vec<&str> = line.split_whitespace().collect();
        if words == ["REVISION", "CHANGE-CAUSE"] {
            header = true;
            continue;
        }
        if header && words.first().is_some_and(|w| w.parse::<u64>().is_ok()) {
            revisions += 1;
            r.unparsed(tally, r.span(offset, offset + raw.len()), "kubectl rollout history records no time")?;
        }
    }
    if !header {
        return Err(super::not_found(label, "`REVISION CHANGE-CAUSE` table"));
    }
    tally.note(format!(
        "kubectl rollout history prints no times: its {revisions} revisions cannot be placed on the timeline (kubectl get deploy,rs -o json has them)"
    ));
    r.finish(tally, None)
}

/// A ReplicaSet: one revision of its Deployment.
struct Revision {
    deployment: String,
    namespace: Option<String>,
    number: i64,
    earlier: Vec<i64>,
    created: Option<Instant>,
    cause: Option<String>,
    images: Vec<String>,
    name: String,
    span: Span,
}

/// A Deployment's current revision and when its rollout last progressed.
struct Rollout {
    name: String,
    namespace: Option<String>,
    revision: i64,
    progressed: Option<(Instant, String, String)>,
    cause: Option<String>,
    images: Vec<String>,
    span: Span,
}

fn images(j: &J<'_>) -> Vec<String> {
    j.at(&["spec", "template", "spec", "containers"])
        .map(|c| c.items().iter().filter_map(|c| c.text("image")).collect())
        .unwrap_or_default()
}

fn annotation(j: &J<'_>, key: &str) -> Option<String> {
    j.at(&["metadata", "annotations"]).and_then(|a| a.text(key))
}

pub(crate) fn parse_json(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut sets: Vec<Revision> = Vec::new();
    let mut rollouts: Vec<Rollout> = Vec::new();
    for root in doc.roots() {
        let objects = match root.text("kind").as_deref() {
            Some("List" | "DeploymentList" | "ReplicaSetList") => {
                root.get("items").map(|i| i.items()).unwrap_or_default()
            }
            _ if root.value.is_array() => root.items(),
            _ => vec![root],
        };
        for o in objects {
            let span = r.span_of(&o);
            if !o.complete() {
                r.unparsed(tally, span, "cut off by a JSON syntax error")?;
                continue;
            }
            let kind = o.text("kind").unwrap_or_default();
            let namespace = o.text_at(&["metadata", "namespace"]);
            let name = o.text_at(&["metadata", "name"]).unwrap_or_else(|| "?".into());
            let number = annotation(&o, REVISION).and_then(|n| n.parse::<i64>().ok());
            match (kind.as_str(), number) {
                ("ReplicaSet", Some(number)) => {
                    let owner = o.at(&["metadata", "ownerReferences"]).and_then(|refs| {
                        refs.items()
                            .iter()
                            .find(|x| x.text("kind").as_deref() == Some("Deployment"))
                            .and_then(|x| x.text("name"))
                    });
                    sets.push(Revision {
                        deployment: owner.unwrap_or_else(|| name.clone()),
                        namespace,
                        number,
                        earlier: annotation(&o, REVISION_HISTORY)
                            .map(|h| h.split(',').filter_map(|n| n.trim().parse().ok()).collect())
                            .unwrap_or_default(),
                        created: o
                            .at(&["metadata", "creationTimestamp"])
                            .and_then(|t| super::time_value(t.value, &r.zone)),
                        cause: annotation(&o, CHANGE_CAUSE),
                        images: images(&o),
                        name,
                        span,
                    });
                }
                ("Deployment", Some(revision)) => {
                    let progressed = o.at(&["status", "conditions"]).and_then(|cs| {
                        cs.items().iter().find(|c| c.text("type").as_deref() == Some("Progressing")).and_then(|c| {
                            let at = c.get("lastUpdateTime").and_then(|t| super::time_value(t.value, &r.zone))?;
                            Some((at, c.text("reason").unwrap_or_default(), c.text("message").unwrap_or_default()))
                        })
                    });
                    rollouts.push(Rollout {
                        name,
                        namespace,
                        revision,
                        progressed,
                        cause: annotation(&o, CHANGE_CAUSE),
                        images: images(&o),
                        span,
                    });
                }
                _ => r.skip("objects that are neither a Deployment nor one of its ReplicaSets"),
            }
        }
    }
    if sets.is_empty() && rollouts.is_empty() {
        return Err(super::not_found(label, "Deployment or ReplicaSet with a revision"));
    }
    for rs in &sets {
        let current =
            rollouts.iter().find(|d| d.name == rs.deployment && d.namespace == rs.namespace && d.revision == rs.number);
        emit_revision(rs, current, &sets, &mut r, tally)?;
    }
    // A Deployment whose ReplicaSets are not in the export: its current revision alone.
    for d in rollouts.iter().filter(|d| !sets.iter().any(|s| s.deployment == d.name && s.namespace == d.namespace)) {
        let Some((at, reason, msg)) = &d.progressed else {
            r.unparsed(tally, d.span, "deployment without a Progressing condition time")?;
            continue;
        };
        let id = format!("deployment/{}#{}", d.name, d.revision);
        let message = d.cause.clone().unwrap_or_else(|| format!("roll out {}", d.images.join(", ")));
        let Some(mut c) = change(TOOL, id, format!("{message} ({reason}: {msg})"), progress_moments(*at, reason))
        else {
            continue;
        };
        c.status = progress_status(reason);
        c.service = Some(d.name.clone());
        c.environment = d.namespace.clone();
        c.revision = Some(d.images.join(", "));
        r.push(c, d.span);
    }
    r.finish(tally, doc.broke.as_ref())
}

fn progress_status(reason: &str) -> ChangeStatus {
    match reason {
        "NewReplicaSetAvailable" => ChangeStatus::Succeeded,
        "ProgressDeadlineExceeded" => ChangeStatus::Failed,
        "ReplicaSetUpdated" | "NewReplicaSetCreated" | "FoundNewReplicaSet" => ChangeStatus::InProgress,
        _ => ChangeStatus::Unknown,
    }
}

fn progress_moments(at: Instant, reason: &str) -> Moments {
    if matches!(reason, "NewReplicaSetAvailable" | "ProgressDeadlineExceeded") {
        Moments { finished: Some(at), ..Moments::default() }
    } else {
        Moments { started: Some(at), ..Moments::default() }
    }
}

/// The id of revision `n` of `deployment`, or `None` when no ReplicaSet in the export had it.
fn revision_id(deployment: &str, n: i64, sets: &[Revision]) -> Option<String> {
    sets.iter()
        .any(|s| s.deployment == deployment && (s.number == n || s.earlier.contains(&n)))
        .then(|| format!("deployment/{deployment}#{n}"))
}

fn emit_revision(
    rs: &Revision,
    current: Option<&Rollout>,
    sets: &[Revision],
    r: &mut Reading<'_>,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let message = rs.cause.clone().unwrap_or_else(|| format!("roll out {}", rs.images.join(", ")));
    let base = |n: i64| format!("deployment/{}#{n}", rs.deployment);
    let images = rs.images.join(", ");
    // The ReplicaSet's first revision is its creation; later ones are rollbacks to it.
    let first = rs.earlier.first().copied().unwrap_or(rs.number);
    let mut numbers: Vec<i64> = rs.earlier.clone();
    numbers.push(rs.number);
    numbers.sort_unstable();
    numbers.dedup();
    for n in numbers {
        let before = sets
            .iter()
            .filter(|s| s.deployment == rs.deployment && s.namespace == rs.namespace)
            .flat_map(|s| s.earlier.iter().copied().chain(std::iter::once(s.number)))
            .filter(|m| *m < n)
            .max();
        let (moments, status, undoes) = if n == first {
            let m = Moments { started: rs.created, ..Moments::default() };
            (m, ChangeStatus::Unknown, None)
        } else {
            let undoes = before.and_then(|b| revision_id(&rs.deployment, b, sets));
            match current
                .filter(|d| d.revision == n)
                .and_then(|d| d.progressed.as_ref().filter(|(_, _, msg)| msg.contains(&rs.name)))
            {
                Some((at, reason, _)) => (progress_moments(*at, reason), progress_status(reason), undoes),
                None => {
                    r.unparsed(tally, rs.span, "a rollback to this ReplicaSet whose time Kubernetes does not record")?;
                    continue;
                }
            }
        };
        let text = if n == first { message.clone() } else { format!("rollback to revision {first} ({message})") };
        let Some(mut c) = change(TOOL, base(n), text, moments) else {
            r.unparsed(tally, rs.span, "ReplicaSet without creationTimestamp")?;
            continue;
        };
        // The current revision's finish comes from its Deployment, when it names this ReplicaSet.
        if n == first {
            if let Some((at, reason, _)) =
                current.and_then(|d| d.progressed.as_ref()).filter(|(_, _, msg)| msg.contains(&rs.name))
            {
                if Some(*at) >= rs.created && reason == "NewReplicaSetAvailable" && n == rs.number {
                    c.finished = Some(*at);
                    c.time = *at;
                    c.moment = ChangeMoment::Finished;
                    c.status = ChangeStatus::Succeeded;
                }
            }
        } else {
            c.status = status;
        }
        if c.status == ChangeStatus::Unknown {
            c.status = status;
        }
        c.undoes = undoes;
        c.service = Some(rs.deployment.clone());
        c.environment = rs.namespace.clone();
        c.revision = Some(images.clone());
        r.push(c, rs.span);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// `kubectl get deploy,rs -n shop -l app=checkout -o json`, trimmed to the
    /// fields that matter: revision 1 (1.4.2), 2 (1.4.3, the bad one), then
    /// `kubectl rollout undo` made 1.4.2's ReplicaSet revision 3.
    pub(crate) const LIST: &str = r#"{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "annotations": { "deployment.kubernetes.io/revision": "3" },
                "name": "checkout",
                "namespace": "shop"
            },
            "spec": { "template": { "spec": { "containers": [ { "name": "checkout", "image": "registry.acme.example/checkout:1.4.2" } ] } } },
            "status": {
                "conditions": [
                    { "type": "Available", "status": "True", "lastUpdateTime": "2026-03-10T08:00:31Z", "reason": "MinimumReplicasAvailable" },
                    { "type": "Progressing", "status": "True", "lastTransitionTime": "2026-03-10T08:00:02Z", "lastUpdateTime": "2026-03-12T15:21:40Z", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet \"checkout-6d5f7c9b8d\" has successfully progressed." }
                ]
            }
        },
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "annotations": { "deployment.kubernetes.io/revision": "2", "kubernetes.io/change-cause": "kubectl set image deployment/checkout checkout=registry.acme.example/checkout:1.4.3 --record=true" },
                "creationTimestamp": "2026-03-12T14:02:03Z",
                "name": "checkout-7f9c6b5d4c",
                "namespace": "shop",
                "ownerReferences": [ { "apiVersion": "apps/v1", "kind": "Deployment", "name": "checkout", "controller": true } ]
            },
            "spec": { "template": { "spec": { "containers": [ { "name": "checkout", "image": "registry.acme.example/checkout:1.4.3" } ] } } }
        },
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "annotations": { "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" },
                "creationTimestamp": "2026-03-10T08:00:02Z",
                "name": "checkout-6d5f7c9b8d",
                "namespace": "shop",
                "ownerReferences": [ { "apiVersion": "apps/v1", "kind": "Deployment", "name": "checkout", "controller": true } ]
            },
            "spec": { "template": { "spec": { "containers": [ { "name": "checkout", "image": "registry.acme.example/checkout:1.4.2" } ] } } }
        }
    ],
    "kind": "List",
    "metadata": { "resourceVersion": "" }
}
"#;

    #[test]
    fn replicasets_are_revisions_and_an_undo_is_timed_by_its_deployment() {
        let (sink, report) = run(LIST, SourceFormat::KubernetesJson, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (3, 0));
        let ids: Vec<&str> = sink.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["deployment/checkout#1", "deployment/checkout#2", "deployment/checkout#3"]);
        let bad = &sink.changes[1];
        assert_eq!((bad.time, bad.moment), (utc("2026-03-12T14:02:03Z"), ChangeMoment::Started));
        assert_eq!(bad.revision.as_deref(), Some("registry.acme.example/checkout:1.4.3"));
        assert!(bad.message.starts_with("kubectl set image deployment/checkout"), "{}", bad.message);
        assert_eq!(bad.service.as_deref(), Some("checkout"));
        assert_eq!(bad.environment.as_deref(), Some("shop"));
        assert_eq!(bad.span.line, 20);
        let undo = &sink.changes[2];
        assert_eq!((undo.time, undo.moment), (utc("2026-03-12T15:21:40Z"), ChangeMoment::Finished));
        assert_eq!(undo.status, ChangeStatus::Succeeded);
        assert_eq!(undo.undoes.as_deref(), Some("deployment/checkout#2"));
        assert!(undo.message.starts_with("rollback to revision 1"), "{}", undo.message);
        assert_eq!(sink.changes[0].time, utc("2026-03-10T08:00:02Z"));
    }

    #[test]
    fn rollout_history_text_is_recognized_but_has_no_times() {
        let text = "deployment.apps/checkout \nREVISION  CHANGE-CAUSE\n1         <none>\n2         kubectl set image deployment/checkout checkout=registry.acme.example/checkout:1.4.3 --record=true\n3         <none>\n\n";
        assert!(super::looks_like_rollout_history(text.as_bytes()));
        let (sink, report) = run(text, SourceFormat::KubectlRolloutHistory, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (0, 3));
        assert_eq!(sink.unparsed[1].0, 4);
        assert!(report.notes.iter().any(|n| n.contains("prints no times")), "{:?}", report.notes);
    }
}
