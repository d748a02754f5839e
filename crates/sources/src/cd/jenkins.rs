//! Jenkins builds: a job's `/api/json?tree=builds[…]` (or `allBuilds[…]`),
//! and a view's or folder's `jobs[name,builds[…]]`.
//!
//! A build has a `number`, `timestamp` (epoch milliseconds, when it
//! started), `duration` (milliseconds; 0 while `building`), `result`
//! (`SUCCESS`, `UNSTABLE`, `FAILURE`, `ABORTED`, `NOT_BUILT`, null while
//! running), and in `actions` its parameters, causes and built revision. It
//! took effect when it finished (`timestamp + duration`). The id is its
//! `fullDisplayName` (`checkout-deploy #57`), as Jenkins shows it. The
//! environment, version and commit come from build parameters with the
//! usual names; a build deploying a version the environment ran before
//! undoes the build it replaced ([`super::mark_redeploys`]).

use super::json::J;
use super::sniff::Sniff;
use super::{change, mark_redeploys, Moments, Reading};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{ChangeStatus, Instant};

pub(crate) const TOOL: &str = "jenkins";

const ENVIRONMENT_PARAMS: &[&str] = &["ENVIRONMENT", "ENV", "TARGET_ENV", "DEPLOY_ENV", "STAGE", "TARGET"];
const VERSION_PARAMS: &[&str] =
    &["VERSION", "IMAGE_TAG", "TAG", "RELEASE", "IMAGE", "GIT_COMMIT", "GIT_SHA", "COMMIT", "REVISION", "BRANCH"];

pub(crate) fn looks_like(s: &Sniff) -> bool {
    let jenkins_class = s
        .values("_class")
        .any(|c| c.starts_with("hudson.") || c.starts_with("org.jenkinsci.") || c.starts_with("jenkins."));
    let builds = s.has_any(&["builds", "allBuilds"]) && s.has("number") && s.has("timestamp");
    builds && (jenkins_class || s.has_any(&["result", "duration"]))
}

fn status(result: Option<&str>, building: bool) -> ChangeStatus {
    match result {
        _ if building => ChangeStatus::InProgress,
        Some("SUCCESS") => ChangeStatus::Succeeded,
        // An unstable build ran its deploy steps; its tests failed.
        Some("UNSTABLE") => ChangeStatus::Succeeded,
        Some("FAILURE") => ChangeStatus::Failed,
        Some("ABORTED" | "NOT_BUILT") => ChangeStatus::Cancelled,
        _ => ChangeStatus::Unknown,
    }
}

/// The job's name from a build URL: the last `job/NAME` segment (folders nest them).
fn job_name(url: &str) -> Option<String> {
    let parts: Vec<&str> = url.split('/').collect();
    parts.windows(2).rev().find(|w| w.first() == Some(&"job")).and_then(|w| w.get(1)).map(|s| s.to_string())
}

/// What a build's `actions` say: parameters, who or what started it, the commit built.
#[derive(Default)]
struct Actions {
    parameters: Vec<(String, String)>,
    cause: Option<(Option<String>, Option<String>)>,
    sha: Option<String>,
}

fn actions(b: &J<'_>) -> Actions {
    let mut out = Actions::default();
    for a in b.get("actions").map(|a| a.items()).unwrap_or_default() {
        for p in a.get("parameters").map(|p| p.items()).unwrap_or_default() {
            if let (Some(n), Some(v)) = (p.text("name"), p.text("value")) {
                out.parameters.push((n, v));
            }
        }
        if out.cause.is_none() {
            if let Some(c) = a.get("causes").and_then(|c| c.items().into_iter().next()) {
                out.cause = Some((c.text("userId").or(c.text("userName")), c.text("shortDescription")));
            }
        }
        if out.sha.is_none() {
            out.sha = a.text_at(&["lastBuiltRevision", "SHA1"]);
        }
    }
    out
}

fn param<'p>(params: &'p [(String, String)], names: &[&str]) -> Option<&'p str> {
    names.iter().find_map(|n| {
        params.iter().find(|(k, v)| k.eq_ignore_ascii_case(n) && !v.trim().is_empty()).map(|(_, v)| v.as_str())
    })
}

pub(crate) fn parse(data: &[u8], label: &str, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut found = 0usize;
    for root in doc.roots() {
        let jobs = match root.get("jobs") {
            Some(jobs) => jobs.items(),
            None => vec![root],
        };
        for job in jobs {
            let job_display = job.text("fullName").or(job.text("name"));
            let builds = job.get("builds").or(job.get("allBuilds")).map(|b| b.items()).unwrap_or_default();
            for b in builds {
                found += 1;
                read_build(&b, job_display.as_deref(), &mut r, tally)?;
            }
        }
    }
    if found == 0 {
        return Err(super::not_found(label, "Jenkins build (`builds` or `allBuilds`)"));
    }
    mark_redeploys(&mut r.changes);
    r.finish(tally, doc.broke.as_ref())
}

fn read_build(b: &J<'_>, job: Option<&str>, r: &mut Reading<'_>, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let span = r.span_of(b);
    if !b.complete() {
        r.unparsed(tally, span, "cut off by a JSON syntax error")?;
        return Ok(());
    }
    let started: Option<Instant> = super::time_at(b, "timestamp", &r.zone);
    // `result` is null while a build runs (when the tree asked for it at all).
    let running_result = b.object().is_some_and(|o| o.get("result").is_some_and(serde_json::Value::is_null));
    let building = b.get("building").and_then(|v| v.value.as_bool()) == Some(true) || running_result;
    let duration = b.int("duration").filter(|d| *d > 0 && !building);
    let finished = started.zip(duration).and_then(|(s, d)| s.checked_add_signed(chrono::Duration::milliseconds(d)));
    let number = b.text("number").unwrap_or_else(|| "?".into());
    let job = b.text("url").as_deref().and_then(job_name).or(job.map(str::to_string));
    let id = b.text("fullDisplayName").unwrap_or_else(|| format!("{} #{number}", job.as_deref().unwrap_or("build")));
    let a = actions(b);
    let version = param(&a.parameters, VERSION_PARAMS).map(str::to_string).or(a.sha.clone());
    let environment = param(&a.parameters, ENVIRONMENT_PARAMS).map(str::to_string);
    let result = b.text("result");
    let mut message = id.clone();
    if let Some(v) = &version {
        message += &format!(" deploying {v}");
    }
    if let Some(e) = &environment {
        message += &format!(" to {e}");
    }
    message += &format!(" ({})", result.as_deref().unwrap_or("running"));
    if let Some((_, Some(why))) = &a.cause {
        message += &format!("; {why}");
    }
    let items = b
        .at(&["changeSet", "items"])
        .or_else(|| b.get("changeSets").and_then(|s| s.items().into_iter().next()).and_then(|s| s.get("items")));
    for item in items.map(|i| i.items()).unwrap_or_default().iter().take(5) {
        if let Some(msg) = item.text("msg") {
            message += &format!("\n{msg}");
        }
    }
    let Some(mut c) = change(TOOL, id, message, Moments { started, finished, ..Moments::default() }) else {
        r.unparsed(tally, span, "build without timestamp")?;
        return Ok(());
    };
    c.status = status(result.as_deref(), building);
    c.service = job;
    c.environment = environment;
    c.author = a.cause.and_then(|(user, _)| user);
    c.revision = version;
    let files: Vec<String> = items
        .map(|i| {
            i.items()
                .iter()
                .flat_map(|it| {
                    it.get("affectedPaths")
                        .map(|p| p.items().iter().filter_map(|x| super::json::scalar_text(x.value)).collect::<Vec<_>>())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    c.files = files;
    r.push(c, span);
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// `GET /job/checkout-deploy/api/json?tree=builds[number,result,timestamp,duration,building,url,fullDisplayName,actions[parameters[name,value],causes[userId,shortDescription],lastBuiltRevision[SHA1]],changeSet[items[msg,affectedPaths]]]`
    pub(crate) const BUILDS: &str = r#"{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","builds":[{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":[{"_class":"hudson.model.ParametersAction","parameters":[{"_class":"hudson.model.StringParameterValue","name":"ENVIRONMENT","value":"production"},{"_class":"hudson.model.StringParameterValue","name":"VERSION","value":"1.4.2"}]},{"_class":"hudson.model.CauseAction","causes":[{"_class":"hudson.model.Cause$UserIdCause","shortDescription":"Started by user Sam Okafor","userId":"sam"}]},{"_class":"hudson.plugins.git.util.BuildData","lastBuiltRevision":{"SHA1":"4b8e2f1c9d3a7b6e5f4a3b2c1d0e9f8a7b6c5d4e"}}],"building":false,"duration":93121,"fullDisplayName":"checkout-deploy #58","number":58,"result":"SUCCESS","timestamp":1773328858000,"url":"https://ci.acme.example/job/shop/job/checkout-deploy/58/","changeSet":{"_class":"hudson.scm.EmptyChangeLogSet","items":[]}},{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":[{"_class":"hudson.model.ParametersAction","parameters":[{"_class":"hudson.model.StringParameterValue","name":"ENVIRONMENT","value":"production"},{"_class":"hudson.model.StringParameterValue","name":"VERSION","value":"1.4.3"}]},{"_class":"hudson.model.CauseAction","causes":[{"_class":"hudson.model.Cause$UserIdCause","shortDescription":"Started by user Dana Lee","userId":"dana"}]}],"building":false,"duration":412553,"fullDisplayName":"checkout-deploy #57","number":57,"result":"SUCCESS","timestamp":1773324123000,"url":"https://ci.acme.example/job/shop/job/checkout-deploy/57/","changeSet":{"_class":"hudson.plugins.git.GitChangeSetList","items":[{"_class":"hudson.plugins.git.GitChangeSet","msg":"Enable request signing for payment calls","affectedPaths":["deploy/signing.yaml"]}]}},{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":[{"_class":"hudson.model.ParametersAction","parameters":[{"_class":"hudson.model.StringParameterValue","name":"ENVIRONMENT","value":"production"},{"_class":"hudson.model.StringParameterValue","name":"VERSION","value":"1.4.2"}]}],"building":false,"duration":88002,"fullDisplayName":"checkout-deploy #56","number":56,"result":"SUCCESS","timestamp":1773220000000,"url":"https://ci.acme.example/job/shop/job/checkout-deploy/56/"},{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":[],"building":true,"duration":0,"fullDisplayName":"checkout-deploy #59","number":59,"result":null,"timestamp":1773331000000,"url":"https://ci.acme.example/job/shop/job/checkout-deploy/59/"}]}
"#;

    #[test]
    fn builds_finish_at_timestamp_plus_duration_with_parameters() {
        let (sink, report) = run(BUILDS, SourceFormat::JenkinsBuilds, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (4, 0));
        let ids: Vec<&str> = sink.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["checkout-deploy #56", "checkout-deploy #57", "checkout-deploy #58", "checkout-deploy #59"]);
        let bad = &sink.changes[1];
        assert_eq!(bad.started, Some(utc("2026-03-12T14:02:03Z")));
        assert_eq!((bad.time, bad.moment), (utc("2026-03-12T14:08:55.553Z"), ChangeMoment::Finished));
        assert_eq!(bad.service.as_deref(), Some("checkout-deploy"));
        assert_eq!(bad.environment.as_deref(), Some("production"));
        assert_eq!(bad.revision.as_deref(), Some("1.4.3"));
        assert_eq!(bad.author.as_deref(), Some("dana"));
        assert_eq!(bad.files, vec!["deploy/signing.yaml"]);
        assert_eq!(bad.message, "checkout-deploy #57 deploying 1.4.3 to production (SUCCESS); Started by user Dana Lee\nEnable request signing for payment calls");
        assert_eq!(bad.span.line, 1);
        // #58 deploys 1.4.2 again: it undoes #57.
        assert_eq!(sink.changes[2].undoes.as_deref(), Some("checkout-deploy #57"));
        let running = &sink.changes[3];
        assert_eq!((running.status, running.moment), (ChangeStatus::InProgress, ChangeMoment::Started));
    }
}
