//! Families where the change that caused the incident is only in a CD or
//! change-management tool's export (Argo CD, GitHub, Helm, Spinnaker,
//! Jenkins, GitLab, ServiceNow, Kubernetes — a different tool per variant),
//! undone by that tool's own rollback; and the same incident with that
//! export unreadable (cut off mid-download, or an HTML error page saved in
//! its place), where the analysis must say it is partial instead of
//! quietly finding no suspect.
//!
//! Each export is written in the tool's documented shape; the truth's
//! culprit id is the id the tool itself gives the change.

use crate::formats::at;
use crate::generator::{Failure, Kind, Rng, Scenario, Truth, World};
use serde_json::{json, Value};

/// The tools, most used first: variant `v` puts the culprit in `TOOLS[v % 8]`.
pub const TOOLS: [Tool; 8] = [
    Tool::ArgoCd,
    Tool::Github,
    Tool::Helm,
    Tool::Spinnaker,
    Tool::Jenkins,
    Tool::Gitlab,
    Tool::ServiceNow,
    Tool::Kubernetes,
];

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tool {
    ArgoCd,
    Github,
    Helm,
    Spinnaker,
    Jenkins,
    Gitlab,
    ServiceNow,
    Kubernetes,
}

/// One deploy, as every tool would record it.
#[derive(Debug, Clone)]
pub struct Deploy {
    pub service: String,
    pub started: i64,
    pub finished: i64,
    /// Commit sha.
    pub sha: String,
    /// Release version (image tag, chart version).
    pub version: String,
    pub message: String,
    pub author: String,
    /// A rollback of the deploy at this index (to the revision before it).
    pub undoes: Option<usize>,
}

/// An export: files (name, content), the id the tool gives each deploy, and
/// where each deploy's entry starts in its file (for cutting one off).
struct Export {
    files: Vec<(String, String)>,
    ids: Vec<String>,
    starts: Vec<(usize, usize)>,
}

fn iso(t: i64) -> String {
    at(t, 0).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// `[` items `]`, one per element, with where each starts.
fn array(items: &[String]) -> (String, Vec<usize>) {
    let mut out = String::from("[\n");
    let mut starts = Vec::new();
    for (i, item) in items.iter().enumerate() {
        starts.push(out.len());
        out += item;
        out += if i + 1 < items.len() { ",\n" } else { "\n" };
    }
    out += "]\n";
    (out, starts)
}

/// Deploy indices in newest-first order, as most APIs list them.
fn newest_first(deploys: &[Deploy]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..deploys.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(deploys[i].finished));
    order
}

fn services(deploys: &[Deploy]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in deploys {
        if !out.contains(&d.service) {
            out.push(d.service.clone());
        }
    }
    out
}

fn ulid(rng: &mut Rng) -> String {
    const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    "01H".chars().chain((0..23).map(|_| CROCKFORD[rng.int(0, 31) as usize] as char)).collect()
}

fn argocd(deploys: &[Deploy]) -> Export {
    let mut ids = vec![String::new(); deploys.len()];
    let mut starts = vec![(0, 0); deploys.len()];
    let mut apps = Vec::new();
    let mut entry_texts: Vec<(usize, String)> = Vec::new();
    for svc in services(deploys) {
        let mut history = Vec::new();
        let mut mine: Vec<usize> = (0..deploys.len()).filter(|&i| deploys[i].service == svc).collect();
        mine.sort_by_key(|&i| deploys[i].finished);
        for (n, &i) in mine.iter().enumerate() {
            let d = &deploys[i];
            let hid = 11 + n;
            ids[i] = format!("{svc}#{hid}");
            history.push(json!({
                "revision": d.sha, "deployedAt": iso(d.finished), "id": hid,
                "source": {"repoURL": "https://git.acme.example/deploy.git", "path": format!("apps/{svc}"), "targetRevision": "main"},
                "deployStartedAt": iso(d.started), "initiatedBy": {"username": d.author},
            }));
            entry_texts.push((i, d.sha.clone()));
        }
        apps.push(json!({
            "metadata": {"name": svc, "namespace": "argocd"},
            "spec": {"source": {"repoURL": "https://git.acme.example/deploy.git", "path": format!("apps/{svc}"), "targetRevision": "main"},
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": format!("{svc}-prod")}, "project": "default"},
            "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}, "history": history, "sourceType": "Directory"},
        }));
    }
    let text = pretty(&Value::Array(apps)) + "\n";
    // An entry is found by its (unique) finish; its `{` is the last one before it.
    for (i, _) in entry_texts {
        let needle = format!("\"deployedAt\": \"{}\"", iso(deploys[i].finished));
        let at = text.find(&needle).and_then(|p| text[..p].rfind('{')).unwrap_or(0);
        starts[i] = (0, at);
    }
    Export { files: vec![("argocd-apps.json".into(), text)], ids, starts }
}

fn github(deploys: &[Deploy]) -> Export {
    let order = newest_first(deploys);
    let id_of = |i: usize| 1_843_700_000u64 + 104_729 * (i as u64 + 1);
    let mut items = Vec::new();
    for &i in &order {
        let d = &deploys[i];
        items.push(pretty(&json!({
            "url": format!("https://api.github.com/repos/acme/{}/deployments/{}", d.service, id_of(i)),
            "id": id_of(i), "task": "deploy", "original_environment": "production", "environment": "production",
            "description": d.message, "created_at": iso(d.started - 5), "updated_at": iso(d.finished),
            "statuses_url": format!("https://api.github.com/repos/acme/{}/deployments/{}/statuses", d.service, id_of(i)),
            "repository_url": format!("https://api.github.com/repos/acme/{}", d.service),
            "creator": {"login": d.author.to_lowercase().replace(' ', "-"), "type": "User"},
            "sha": d.sha, "ref": format!("v{}", d.version), "payload": {}, "transient_environment": false, "production_environment": true,
        })));
    }
    let (mut text, item_starts) = array(&items);
    let mut starts = vec![(0, 0); deploys.len()];
    for (k, &i) in order.iter().enumerate() {
        starts[i] = (0, item_starts[k]);
    }
    for &i in &order {
        let d = &deploys[i];
        let status = |state: &str, t: i64, n: u64| {
            pretty(&json!({
                "id": id_of(i) * 3 + n, "state": state, "description": "", "environment": "production", "created_at": iso(t),
                "deployment_url": format!("https://api.github.com/repos/acme/{}/deployments/{}", d.service, id_of(i)),
                "repository_url": format!("https://api.github.com/repos/acme/{}", d.service),
                "log_url": format!("https://github.com/acme/{}/actions/runs/{}", d.service, id_of(i) + 7),
            }))
        };
        text += &array(&[status("success", d.finished, 2), status("in_progress", d.started, 1)]).0;
    }
    Export {
        files: vec![("github-deployments.json".into(), text)],
        ids: order.iter().fold(vec![String::new(); deploys.len()], |mut ids, &i| {
            ids[i] = id_of(i).to_string();
            ids
        }),
        starts,
    }
}

fn helm(deploys: &[Deploy]) -> Export {
    let mut ids = vec![String::new(); deploys.len()];
    let mut starts = vec![(0, 0); deploys.len()];
    let mut files = Vec::new();
    for svc in services(deploys) {
        let mut mine: Vec<usize> = (0..deploys.len()).filter(|&i| deploys[i].service == svc).collect();
        mine.sort_by_key(|&i| deploys[i].started);
        let mut line = String::from("[");
        for (n, &i) in mine.iter().enumerate() {
            let d = &deploys[i];
            let rev = 4 + n;
            ids[i] = format!("{svc}#{rev}");
            let description = match d.undoes {
                Some(u) => {
                    format!("Rollback to {}", 4 + mine.iter().position(|&m| m == u).unwrap_or(1).saturating_sub(1))
                }
                None => "Upgrade complete".to_string(),
            };
            let status = if n + 1 == mine.len() { "deployed" } else { "superseded" };
            if n > 0 {
                line.push(',');
            }
            starts[i] = (files.len(), line.len());
            // Helm stamps `updated` when the upgrade begins, in the local zone of the machine that ran it.
            line += &json!({
                "revision": rev, "updated": at(d.started, 3600).format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string(), "status": status,
                "chart": format!("{svc}-{}", d.version), "app_version": d.version, "description": description,
            })
            .to_string();
        }
        line += "]\n";
        files.push((format!("helm-history-{svc}.json"), line));
    }
    Export { files, ids, starts }
}

fn spinnaker(deploys: &[Deploy], rng: &mut Rng) -> Export {
    let order = newest_first(deploys);
    let ids: Vec<String> = deploys.iter().map(|_| ulid(rng)).collect();
    let group = |i: usize| format!("{}-prod-v{:03}", deploys[i].service, 40 + i);
    let mut items = Vec::new();
    for &i in &order {
        let d = &deploys[i];
        let ms = |t: i64| t * 1000 + 117;
        let (name, stage) = match d.undoes {
            Some(u) => (
                "Rollback prod",
                json!({"id": format!("{}-1", ids[i]), "refId": "1", "type": "rollbackServerGroup", "name": "Rollback", "startTime": ms(d.started), "endTime": ms(d.finished), "status": "SUCCEEDED",
                       "context": {"account": "prod-k8s", "rollbackType": "EXPLICIT", "rollbackContext": {"rollbackServerGroupName": group(u), "restoreServerGroupName": group(u.saturating_sub(1))}}}),
            ),
            None => (
                "Deploy to prod",
                json!({"id": format!("{}-2", ids[i]), "refId": "2", "type": "deploy", "name": "Deploy prod", "startTime": ms(d.started), "endTime": ms(d.finished), "status": "SUCCEEDED",
                       "context": {"account": "prod-k8s", "deploy.server.groups": {"us-east-1": [group(i)]}}}),
            ),
        };
        items.push(pretty(&json!({
            "type": "PIPELINE", "id": ids[i], "application": d.service, "name": name, "buildTime": ms(d.started - 20), "canceled": false,
            "startTime": ms(d.started - 19), "endTime": ms(d.finished + 240), "status": "SUCCEEDED",
            "pipelineConfigId": "6a4cff2e-8265-4584-8993-2da2eb6254f5",
            "trigger": {"type": "docker", "user": d.author, "repository": format!("acme/{}", d.service), "tag": d.version,
                        "artifacts": [{"type": "docker/image", "name": format!("registry.acme.example/acme/{}", d.service), "version": d.version,
                                       "reference": format!("registry.acme.example/acme/{}:{}", d.service, d.version)}]},
            "stages": [stage, {"id": format!("{}-3", ids[i]), "refId": "3", "type": "wait", "name": "Soak", "startTime": ms(d.finished), "endTime": ms(d.finished + 240), "status": "SUCCEEDED", "context": {}}],
        })));
    }
    let (text, item_starts) = array(&items);
    let mut starts = vec![(0, 0); deploys.len()];
    for (k, &i) in order.iter().enumerate() {
        starts[i] = (0, item_starts[k]);
    }
    Export { files: vec![("spinnaker-executions.json".into(), text)], ids, starts }
}

fn jenkins(deploys: &[Deploy]) -> Export {
    let mut ids = vec![String::new(); deploys.len()];
    let mut jobs = Vec::new();
    for svc in services(deploys) {
        let mut mine: Vec<usize> = (0..deploys.len()).filter(|&i| deploys[i].service == svc).collect();
        mine.sort_by_key(|&i| deploys[i].started);
        let mut builds = Vec::new();
        for (n, &i) in mine.iter().enumerate().rev() {
            let d = &deploys[i];
            let number = 120 + n;
            ids[i] = format!("{svc}-deploy #{number}");
            builds.push(json!({
                "_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun",
                "actions": [
                    {"_class": "hudson.model.ParametersAction", "parameters": [
                        {"_class": "hudson.model.StringParameterValue", "name": "ENVIRONMENT", "value": "production"},
                        {"_class": "hudson.model.StringParameterValue", "name": "VERSION", "value": d.version}]},
                    {"_class": "hudson.model.CauseAction", "causes": [{"_class": "hudson.model.Cause$UserIdCause", "shortDescription": format!("Started by user {}", d.author), "userId": d.author.to_lowercase().replace(' ', ".")}]}
                ],
                "building": false, "duration": (d.finished - d.started) * 1000, "fullDisplayName": ids[i], "number": number, "result": "SUCCESS",
                "timestamp": d.started * 1000, "url": format!("https://ci.acme.example/job/{svc}-deploy/{number}/"),
                "changeSet": {"_class": "hudson.plugins.git.GitChangeSetList", "items": [{"_class": "hudson.plugins.git.GitChangeSet", "msg": d.message}]},
            }));
        }
        jobs.push(json!({"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": format!("{svc}-deploy"), "builds": builds}));
    }
    // A view's `api/json?tree=jobs[name,builds[…]]`, on one line as Jenkins writes it.
    let text = json!({"_class": "hudson.model.ListView", "jobs": jobs}).to_string() + "\n";
    let starts = ids
        .iter()
        .map(|id| {
            (
                0,
                text.find(&format!("\"fullDisplayName\":\"{id}\""))
                    .and_then(|p| text[..p].rfind("{\"_class\":\"org.jenkinsci.plugins.workflow.job.WorkflowRun\""))
                    .unwrap_or(0),
            )
        })
        .collect();
    Export { files: vec![("jenkins-builds.json".into(), text)], ids, starts }
}

fn gitlab(deploys: &[Deploy]) -> Export {
    let order = newest_first(deploys);
    let mut ids = vec![String::new(); deploys.len()];
    let mut items = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let d = &deploys[i];
        let iid = 60 - k;
        ids[i] = format!("{}#{iid}", d.service);
        items.push(pretty(&json!({
            "id": 90_000 + iid, "iid": iid, "ref": format!("v{}", d.version), "sha": d.sha,
            "created_at": iso(d.started - 15), "updated_at": iso(d.finished), "status": "success",
            "user": {"id": 311, "username": d.author.to_lowercase().replace(' ', "."), "name": d.author, "state": "active"},
            "environment": {"id": 12, "name": "production", "slug": "production"},
            "deployable": {"id": 7_700_000 + iid, "status": "success", "stage": "deploy", "name": "deploy:production", "ref": format!("v{}", d.version), "tag": true,
                           "started_at": iso(d.started), "finished_at": iso(d.finished),
                           "commit": {"id": d.sha, "title": d.message},
                           "pipeline": {"id": 1_200_000 + iid, "sha": d.sha, "status": "success", "web_url": format!("https://gitlab.acme.example/shop/{}/-/pipelines/{}", d.service, 1_200_000 + iid)}},
        })));
    }
    let (text, item_starts) = array(&items);
    let mut starts = vec![(0, 0); deploys.len()];
    for (k, &i) in order.iter().enumerate() {
        starts[i] = (0, item_starts[k]);
    }
    Export { files: vec![("gitlab-deployments.json".into(), text)], ids, starts }
}

fn servicenow(deploys: &[Deploy]) -> Export {
    let mut order: Vec<usize> = (0..deploys.len()).collect();
    order.sort_by_key(|&i| deploys[i].started);
    let ids: Vec<String> = (0..deploys.len()).map(|i| format!("CHG00317{:02}", 40 + i * 3)).collect();
    let local = |t: i64| at(t, 0).format("%Y-%m-%d %H:%M:%S").to_string();
    let mut text = String::from("\"number\",\"short_description\",\"type\",\"state\",\"cmdb_ci\",\"assignment_group\",\"assigned_to\",\"start_date\",\"end_date\",\"work_start\",\"work_end\",\"close_code\"\n");
    let mut starts = vec![(0, 0); deploys.len()];
    for i in order {
        let d = &deploys[i];
        let summary = match d.undoes {
            Some(u) => format!("Back out {}: errors after {}", ids[u], deploys[u].message),
            None => d.message.clone(),
        };
        starts[i] = (0, text.len());
        text += &format!(
            "\"{}\",\"{}\",\"Normal\",\"Closed\",\"{}\",\"Platform\",\"{}\",\"{}\",\"{}\",\"{}\",\"{}\",\"Successful\"\n",
            ids[i],
            summary.replace('"', "\"\""),
            d.service,
            d.author,
            local(d.started - 600),
            local(d.started + 3000),
            local(d.started),
            local(d.finished)
        );
    }
    Export { files: vec![("change-requests.csv".into(), text)], ids, starts }
}

fn kubernetes(deploys: &[Deploy]) -> Export {
    let mut ids = vec![String::new(); deploys.len()];
    let mut items = Vec::new();
    let mut entry_of = vec![0usize; deploys.len()];
    for svc in services(deploys) {
        let mut mine: Vec<usize> = (0..deploys.len()).filter(|&i| deploys[i].service == svc).collect();
        mine.sort_by_key(|&i| deploys[i].started);
        let image = |i: usize| format!("registry.acme.example/{svc}:{}", deploys[i].version);
        let template =
            |i: usize| json!({"spec": {"template": {"spec": {"containers": [{"name": svc, "image": image(i)}]}}}});
        // ReplicaSets by what they run: `kubectl rollout undo` gives an old one the next revision.
        let mut sets: Vec<(usize, Vec<usize>)> = Vec::new();
        for (n, &i) in mine.iter().enumerate() {
            let rev = n + 1;
            ids[i] = format!("deployment/{svc}#{rev}");
            match deploys[i]
                .undoes
                .and_then(|u| mine.iter().position(|&m| m == u))
                .and_then(|p| p.checked_sub(1))
                .and_then(|p| mine.get(p))
            {
                Some(&back_to) => {
                    if let Some(set) = sets.iter_mut().find(|(first, _)| *first == back_to) {
                        set.1.push(rev);
                    }
                }
                None => sets.push((i, vec![rev])),
            }
        }
        let last = *mine.last().unwrap_or(&0);
        let current = sets.iter().find(|(_, revs)| revs.contains(&mine.len())).map(|(first, _)| *first).unwrap_or(last);
        let rs_name = |first: usize| format!("{svc}-{:x}", 0x6d5f7c9b8du64 + first as u64 * 0x1f3a);
        let mut dep = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"annotations": {"deployment.kubernetes.io/revision": mine.len().to_string()}, "name": svc, "namespace": "shop"},
            "status": {"conditions": [{"type": "Progressing", "status": "True", "lastUpdateTime": iso(deploys[last].finished), "reason": "NewReplicaSetAvailable",
                                       "message": format!("ReplicaSet \"{}\" has successfully progressed.", rs_name(current))}]},
        });
        if let (Some(obj), Some(spec)) = (dep.as_object_mut(), template(current).get("spec").cloned()) {
            obj.insert("spec".into(), spec);
        }
        items.push((last, dep));
        for (first, revs) in &sets {
            let mut annotations = json!({"deployment.kubernetes.io/revision": revs.last().map(|r| r.to_string()).unwrap_or_default(),
                                          "kubernetes.io/change-cause": deploys[*first].message});
            if revs.len() > 1 {
                let earlier: Vec<String> = revs[..revs.len() - 1].iter().map(|r| r.to_string()).collect();
                annotations["deployment.kubernetes.io/revision-history"] = json!(earlier.join(","));
            }
            let mut rs = json!({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"annotations": annotations, "creationTimestamp": iso(deploys[*first].started), "name": rs_name(*first), "namespace": "shop",
                             "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": svc, "controller": true}]},
            });
            if let (Some(obj), Some(spec)) = (rs.as_object_mut(), template(*first).get("spec").cloned()) {
                obj.insert("spec".into(), spec);
            }
            items.push((*first, rs));
        }
        // Where each deploy is written: a rollback in its Deployment, the others in their ReplicaSet.
        for &i in &mine {
            entry_of[i] = if deploys[i].undoes.is_some() {
                items.iter().position(|(k, v)| *k == last && v["kind"] == "Deployment").unwrap_or(0)
            } else {
                items.iter().position(|(k, v)| *k == i && v["kind"] == "ReplicaSet").unwrap_or(0)
            };
        }
    }
    let texts: Vec<String> = items.iter().map(|(_, v)| pretty(v)).collect();
    let (list, item_starts) = array(&texts);
    let prefix = "{\n\"apiVersion\": \"v1\",\n\"kind\": \"List\",\n\"items\": ";
    let text =
        format!("{prefix}{}\"metadata\": {{\"resourceVersion\": \"\"}}\n}}\n", list.trim_end().to_string() + ",\n");
    let starts = entry_of.iter().map(|&e| (0, prefix.len() + item_starts.get(e).copied().unwrap_or(0))).collect();
    Export { files: vec![("kubernetes-rollouts.json".into(), text)], ids, starts }
}

fn export(tool: Tool, deploys: &[Deploy], rng: &mut Rng) -> Export {
    match tool {
        Tool::ArgoCd => argocd(deploys),
        Tool::Github => github(deploys),
        Tool::Helm => helm(deploys),
        Tool::Spinnaker => spinnaker(deploys, rng),
        Tool::Jenkins => jenkins(deploys),
        Tool::Gitlab => gitlab(deploys),
        Tool::ServiceNow => servicenow(deploys),
        Tool::Kubernetes => kubernetes(deploys),
    }
}

/// How the export holding the culprit reaches the analyst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delivery {
    /// As the tool wrote it.
    Whole,
    /// Unreadable: cut off before the culprit's entry, or an error page saved in its place.
    Unreadable,
}

/// A proxy's error page, saved by `curl -o` in place of the API's answer.
const ERROR_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

const SERVICES: &[&str] = &["checkout", "payments", "catalog", "accounts"];
const OTHER_SERVICES: &[&str] = &["search", "notifications", "recommendations"];
const AUTHORS: &[&str] = &["Dana Lee", "Sam Okafor", "Priya Nair", "Tom Berg"];

/// The family: the culprit's deploy is only in `TOOLS[seed % 8]`'s export.
pub fn culprit_in_tool(seed: u64, family: &'static str, delivery: Delivery) -> Scenario {
    let mut rng = Rng::new(seed);
    let tool = TOOLS[(seed % 1000) as usize % TOOLS.len()];
    let other_tool = TOOLS[((seed % 1000) as usize + 3) % TOOLS.len()];
    let service = rng.pick(SERVICES).to_string();
    let other = rng.pick(OTHER_SERVICES).to_string();
    let start = 1_773_446_400 + rng.int(0, 200) * 86_400 + 5 * 3600 + rng.int(0, 3600);
    let onset_target = start + rng.int(7200, 9000);
    let fix_t = onset_target + rng.int(1800, 4800);
    let stop = fix_t + rng.int(20, 150);
    let end = stop + rng.int(2400, 4000);
    let world = World { service: service.clone(), start, end, rps: 0.8 + rng.f() * 1.2, noise: false, offset: 0 };
    let trace = format!("Traceback (most recent call last):\n  File \"/srv/{service}/app/views.py\", line 140, in checkout\n    resp = gateway.charge(order)\n  File \"/srv/{service}/app/gateway.py\", line 61, in charge\n    raise UpstreamRejected(resp.status_code)\napp.gateway.UpstreamRejected: upstream rejected request with status {{n}}");
    let failure = Failure {
        endpoints: vec!["/checkout".into()],
        prob: 0.5 + rng.f() * 0.4,
        logger: "app.views".into(),
        trace,
        from: onset_target,
        to: stop,
    };
    let logs = world.logs(&mut rng, &failure, "/login");
    let (onset, recovered) = (logs.first_error, logs.last_error);

    let deploy = |rng: &mut Rng, svc: &str, finished: i64, took: i64, version: &str, message: &str| Deploy {
        service: svc.to_string(),
        started: finished - took,
        finished,
        sha: rng.hash(),
        version: version.to_string(),
        message: message.to_string(),
        author: rng.pick(AUTHORS).to_string(),
        undoes: None,
    };
    // In the culprit's tool: the release before, the culprit, and the tool's rollback of it.
    let minor = rng.int(2, 9);
    let (old_at, old_took) = (start - rng.int(3600, 20_000), rng.int(60, 300));
    let old = deploy(&mut rng, &service, old_at, old_took, &format!("1.{minor}.0"), "Tidy request logging");
    let (culprit_at, culprit_took) = (onset_target - rng.int(300, 900), rng.int(60, 240));
    let culprit = deploy(
        &mut rng,
        &service,
        culprit_at,
        culprit_took,
        &format!("1.{minor}.1"),
        "Enable request signing for payment calls",
    );
    let mut rollback = deploy(&mut rng, &service, fix_t, 25, &old.version, "Roll back request signing");
    rollback.sha = old.sha.clone();
    rollback.undoes = Some(1);
    let mine = export(tool, &[old, culprit, rollback], &mut rng);
    let culprit_id = mine.ids[1].clone();
    // In another tool: another service deployed shortly before the onset, and once the day before.
    let near_at = onset_target - rng.int(60, 200);
    let near = deploy(&mut rng, &other, near_at, 40, "3.2.1", "Tune result cache size");
    let older = deploy(&mut rng, &other, start - 86_000, 90, "3.2.0", "Upgrade base image");
    let theirs = export(other_tool, &[older, near], &mut rng);

    let mut files = vec![
        ("logs/access.log".to_string(), Kind::Logs, logs.access),
        (format!("logs/{service}.log"), Kind::Logs, logs.app),
    ];
    for (name, content) in theirs.files {
        files.push((format!("changes/other/{name}"), Kind::Deploys, content));
    }
    let mut milestones = vec![("error_onset", onset), ("recovery", recovered)];
    match delivery {
        Delivery::Whole => {
            for (name, content) in mine.files {
                files.push((format!("changes/{name}"), Kind::Deploys, content));
            }
            // Whichever moment the tool records, the rollback ran within 25 s of fix_t.
            milestones.push(("fix", fix_t));
        }
        Delivery::Unreadable => {
            let json = !matches!(tool, Tool::ServiceNow);
            for (k, (name, content)) in mine.files.into_iter().enumerate() {
                let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "json"));
                let unreadable = format!("changes/{stem}.unreadable.{ext}");
                let holds = |i: usize| mine.starts.get(i).is_some_and(|(f, _)| *f == k);
                if !(holds(1) || holds(2)) {
                    files.push((format!("changes/{name}"), Kind::Deploys, content));
                    continue;
                }
                let broken = if json && seed.is_multiple_of(2) {
                    // The download died inside the first of the culprit and its rollback.
                    let cut = [1, 2]
                        .iter()
                        .filter(|&&i| holds(i))
                        .filter_map(|&i| mine.starts.get(i))
                        .map(|(_, s)| *s)
                        .min()
                        .unwrap_or(0)
                        + 3;
                    content.get(..cut).unwrap_or(&content).to_string()
                } else {
                    ERROR_PAGE.to_string()
                };
                files.push((unreadable, Kind::Deploys, broken));
            }
        }
    }
    Scenario {
        family,
        files,
        tz: "UTC".into(),
        as_folder: false,
        truth: Truth {
            culprit: (delivery == Delivery::Whole).then_some(culprit_id),
            lead_mentions: None,
            onset,
            recovered,
            milestones,
            ..Truth::default()
        },
    }
}
