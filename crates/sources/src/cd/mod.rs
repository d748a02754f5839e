//! Change history as the tools that made the changes export it: Argo CD,
//! Spinnaker, GitHub and GitLab deployments, Helm, Kubernetes, Jenkins,
//! ServiceNow, Terraform Cloud and AWS CloudTrail.
//!
//! Each tool has its own reader (one file each). What they share lives here:
//! which recorded moment a change took effect at ([`Moments`]), how an
//! entry is cited ([`Reading`]), how a re-deploy of an earlier revision is
//! recognized as the undo of the change it replaced ([`mark_redeploys`]), and
//! how the changes leave for the sink in time order.

pub(crate) mod argocd;
pub(crate) mod cloudtrail;
pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod helm;
pub(crate) mod jenkins;
pub(crate) mod json;
pub(crate) mod kubernetes;
pub(crate) mod servicenow;
pub(crate) mod sniff;
pub(crate) mod spinnaker;
pub(crate) mod terraform;

use crate::input::LineIndex;
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::time::{parse_instant, parse_offset, Zone};
use faultline_model::{Change, ChangeMoment, ChangeStatus, Instant, Span};
use json::{Doc, J};
use serde_json::Value;

/// The tool export a sample is, if any. Text layouts first (their headers
/// are exact), then JSON by the members an export's entries carry (Argo CD
/// before Kubernetes: an application's resource list names Deployments),
/// then the ServiceNow CSV.
pub(crate) fn detect(sample: &[u8]) -> Option<crate::SourceFormat> {
    use crate::SourceFormat as F;
    if argocd::looks_like_history(sample) {
        return Some(F::ArgoCdHistory);
    }
    if kubernetes::looks_like_rollout_history(sample) {
        return Some(F::KubectlRolloutHistory);
    }
    if helm::looks_like_table(sample) {
        return Some(F::HelmHistory);
    }
    if let Some(s) = sniff::sniff(sample) {
        type Looks = fn(&sniff::Sniff) -> bool;
        let checks: [(Looks, F); 10] = [
            (cloudtrail::looks_like, F::CloudTrail),
            (terraform::looks_like, F::TerraformRuns),
            (argocd::looks_like_json, F::ArgoCdJson),
            (kubernetes::looks_like_json, F::KubernetesJson),
            (spinnaker::looks_like, F::SpinnakerJson),
            (github::looks_like, F::GithubDeployments),
            (gitlab::looks_like, F::GitlabDeployments),
            (helm::looks_like, F::HelmHistory),
            (jenkins::looks_like, F::JenkinsBuilds),
            (servicenow::json_looks_like, F::ServiceNowJson),
        ];
        return checks.iter().find(|(test, _)| test(&s)).map(|(_, f)| *f);
    }
    let cols = crate::csvtab::header(sample)?;
    servicenow::csv_looks_like(&cols, sample).then_some(F::ServiceNowCsv)
}

/// The times a tool recorded for one change.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Moments {
    pub(crate) requested: Option<Instant>,
    pub(crate) started: Option<Instant>,
    pub(crate) finished: Option<Instant>,
}

impl Moments {
    /// When the change took effect: its finish, else its start, else when it
    /// was requested, and which of these it is.
    pub(crate) fn effective(&self) -> Option<(Instant, ChangeMoment)> {
        self.finished
            .map(|t| (t, ChangeMoment::Finished))
            .or(self.started.map(|t| (t, ChangeMoment::Started)))
            .or(self.requested.map(|t| (t, ChangeMoment::Requested)))
    }
}

/// A change with its moments filled in; `None` when the tool recorded no time.
pub(crate) fn change(tool: &str, id: String, message: String, moments: Moments) -> Option<Change> {
    let (time, moment) = moments.effective()?;
    Some(Change {
        tool: Some(tool.to_string()),
        moment,
        requested: moments.requested,
        started: moments.started,
        finished: moments.finished,
        ..Change::new(id, time, message)
    })
}

/// A time as these tools write it: RFC 3339 (Kubernetes, GitHub, Argo CD),
/// epoch milliseconds (Spinnaker, Jenkins), Go's `time.Time.String()`
/// (`2026-03-12 14:09:41 +0100 CET`, from `argocd app history`), or a
/// zone-less `2026-03-12 14:09:41` (ServiceNow) read in `zone`.
pub(crate) fn time_value(v: &Value, zone: &Zone) -> Option<Instant> {
    match v {
        Value::String(s) => time_text(s, zone),
        _ => crate::jsonin::value_time(v, zone).map(|(t, _)| t),
    }
}

/// [`time_value`] for text.
pub(crate) fn time_text(s: &str, zone: &Zone) -> Option<Instant> {
    let s = s.trim();
    // Kubernetes and Go write the zero time for "never".
    if s.is_empty() || s.starts_with("0001-01-01") {
        return None;
    }
    parse_instant(s, zone).map(|(t, _)| t).or_else(|| go_time(s))
}

/// Go's `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`,
/// where the trailing name may be an abbreviation (`CET`) or a repeat of the
/// offset (`+0530`), and a monotonic reading (`m=+0.01`) may follow.
fn go_time(s: &str) -> Option<Instant> {
    let mut words: Vec<&str> = s.split_whitespace().collect();
    if words.last().is_some_and(|w| w.starts_with("m=")) {
        words.pop();
    }
    let [date, clock, offset, ..] = words.as_slice() else { return None };
    let offset = parse_offset(offset)?;
    let naive = chrono::NaiveDateTime::parse_from_str(&format!("{date} {clock}"), "%Y-%m-%d %H:%M:%S%.f").ok()?;
    Some(Zone::Fixed(offset).to_utc(naive).0)
}

/// A member's time, if it is one.
pub(crate) fn time_at(j: &J<'_>, key: &str, zone: &Zone) -> Option<Instant> {
    j.get(key).and_then(|v| time_value(v.value, zone))
}

/// Everything a reader needs to cite what it reads and to report what it cannot.
pub(crate) struct Reading<'d> {
    pub(crate) data: &'d [u8],
    pub(crate) label: &'d str,
    pub(crate) zone: Zone,
    index: LineIndex,
    /// Changes read so far; they reach the sink in time order at the end.
    pub(crate) changes: Vec<Change>,
    /// Entries that are not changes (a plan-only run, a read-only API call), by why.
    skipped: Vec<(String, u64)>,
    /// Lines already counted unparsed (an entry cut off by a break is not counted twice).
    reported: Vec<u64>,
}

impl<'d> Reading<'d> {
    pub(crate) fn new(data: &'d [u8], label: &'d str, opts: &SourceOptions) -> Self {
        Reading {
            data,
            label,
            zone: opts.zone,
            index: LineIndex::new(data),
            changes: Vec::new(),
            skipped: Vec::new(),
            reported: Vec::new(),
        }
    }

    /// Where bytes `start..end` are.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let raw = self.data.get(start..end).unwrap_or(b"");
        let lines = raw.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        Span { line: self.index.line_of(start), offset: start as u64, len: raw.len() as u64, lines }
    }

    /// Where a JSON value is.
    pub(crate) fn span_of(&self, j: &J<'_>) -> Span {
        self.span(j.tree.start, j.tree.end)
    }

    /// Keeps `change` (cited at `span`).
    pub(crate) fn push(&mut self, mut change: Change, span: Span) {
        change.span = span;
        self.changes.push(change);
    }

    /// Reports an entry that could not be read as a change: its first line
    /// is counted unparsed and stays searchable.
    pub(crate) fn unparsed(
        &mut self,
        tally: &mut Tally<'_>,
        span: Span,
        reason: &'static str,
    ) -> Result<bool, SourceError> {
        self.reported.push(span.line);
        let start = span.offset as usize;
        let line_end = self
            .data
            .get(start..)
            .and_then(|r| r.iter().position(|b| *b == b'\n'))
            .map_or(self.data.len(), |p| start + p);
        let raw = self.data.get(start..line_end).unwrap_or(b"");
        tally.unparsed(span.line, span.offset, raw, reason)
    }

    /// Counts an entry that is read but is no change (a plan-only run).
    pub(crate) fn skip(&mut self, why: &str) {
        match self.skipped.iter_mut().find(|(w, _)| w == why) {
            Some((_, n)) => *n += 1,
            None => self.skipped.push((why.to_string(), 1)),
        }
    }

    /// Sends the changes to the sink in time order (ties in the order read),
    /// then says what was skipped and, when the document broke, counts each
    /// line from the break on as unparsed and names the place.
    pub(crate) fn finish(mut self, tally: &mut Tally<'_>, broke: Option<&json::Break>) -> Result<(), SourceError> {
        self.changes.sort_by_key(|c| c.time);
        for change in std::mem::take(&mut self.changes) {
            if tally.stopped() || !tally.change(change)? {
                return Ok(());
            }
        }
        for (why, n) in &self.skipped {
            tally.note(format!("{n} {why}: not changes, left out"));
        }
        if let Some(b) = broke {
            let line = self.index.line_of(b.offset);
            let mut counted = 0u64;
            for (n, offset, raw) in crate::input::lines(self.data).filter(|(n, _, _)| *n >= line) {
                if raw.iter().all(u8::is_ascii_whitespace) || self.reported.contains(&n) {
                    continue;
                }
                counted += 1;
                if !tally.unparsed(n, offset as u64, raw, "after a JSON syntax error")? {
                    break;
                }
            }
            tally.note(format!(
                "{}:{line}: {}: {} ({counted} lines counted unparsed)",
                self.label,
                b.message,
                crate::CUT_OFF
            ));
        }
        Ok(())
    }
}

/// Parses a JSON export, refusing one that breaks before anything was read.
pub(crate) fn parse_doc(data: &[u8], label: &str) -> Result<Doc, SourceError> {
    let doc = json::parse(data);
    if doc.roots().next().is_none() {
        let (line, message) = match &doc.broke {
            Some(b) => (LineIndex::new(data).line_of(b.offset), b.message.clone()),
            None => (0, "empty".to_string()),
        };
        return Err(SourceError::Syntax { path: label.to_string(), line, message: format!("not JSON: {message}") });
    }
    Ok(doc)
}

/// The refusal of a document that parses but holds none of what `tool` exports.
pub(crate) fn not_found(label: &str, what: &str) -> SourceError {
    SourceError::Invalid { path: label.to_string(), message: format!("no {what} found in it") }
}

/// Marks the re-deploy of an earlier revision as the undo of the change it
/// replaced: within one tool, service and environment, in time order, a
/// change whose revision differs from the one live before it but was
/// deployed (not failed) earlier sets `undoes` to the id of the change that
/// made the live revision live — a re-sync of the same revision is not a new
/// change, and a successful retry of a failed deploy replaces it. A change
/// whose reader already knows what it undoes (a Helm rollback) keeps that. A
/// cancelled change never went live; a failed one may have in part, so it
/// counts as live.
pub(crate) fn mark_redeploys(changes: &mut [Change]) {
    struct Live {
        id: String,
        revision: String,
        failed: bool,
    }
    let mut order: Vec<usize> = (0..changes.len()).collect();
    order.sort_by_key(|&i| changes.get(i).map(|c| c.time));
    // (tool, service, environment) → (what is live, revisions deployed before).
    type Key = (Option<String>, Option<String>, Option<String>);
    let mut tracks: Vec<(Key, Option<Live>, Vec<String>)> = Vec::new();
    for i in order {
        let Some(c) = changes.get_mut(i) else { continue };
        let Some(rev) = c.revision.clone() else { continue };
        let key = (c.tool.clone(), c.service.clone(), c.environment.clone());
        let pos = match tracks.iter().position(|(k, _, _)| *k == key) {
            Some(p) => p,
            None => {
                tracks.push((key, None, Vec::new()));
                tracks.len() - 1
            }
        };
        let Some((_, live, deployed)) = tracks.get_mut(pos) else { continue };
        if c.undoes.is_none() {
            if let Some(l) = live.as_ref().filter(|l| l.revision != rev && deployed.contains(&rev)) {
                c.undoes = Some(l.id.clone());
            }
        }
        let failed = c.status == ChangeStatus::Failed;
        match (c.status, live.as_mut()) {
            (ChangeStatus::Cancelled, _) => continue,
            (_, Some(l)) if l.revision == rev => {
                if l.failed && !failed {
                    l.id = c.id.clone();
                    l.failed = false;
                }
            }
            _ => *live = Some(Live { id: c.id.clone(), revision: rev.clone(), failed }),
        }
        if !failed && !deployed.contains(&rev) {
            deployed.push(rev);
        }
    }
}

/// The last path segment of a URL or path (`…/job/checkout-deploy/57/` → `57`).
pub(crate) fn last_segment(url: &str) -> Option<&str> {
    url.trim_end_matches('/').rsplit('/').next().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::utc;

    #[test]
    fn every_tool_export_is_detected_from_its_content() {
        use crate::{detect_as, detect_file, SourceFormat as F};
        let rollout = "deployment.apps/checkout \nREVISION  CHANGE-CAUSE\n1         <none>\n";
        let helm_table = "REVISION\tUPDATED                 \tSTATUS    \tCHART         \tAPP VERSION\tDESCRIPTION\n1       \tWed Mar 11 10:12:00 2026\tdeployed  \tcheckout-1.4.2\t1.4.2      \tInstall complete\n";
        let cases: Vec<(&str, F)> = vec![
            (argocd::tests::APP_GET, F::ArgoCdJson),
            (argocd::tests::HISTORY_TEXT, F::ArgoCdHistory),
            (spinnaker::tests::EXECUTIONS, F::SpinnakerJson),
            (github::tests::DEPLOYMENTS, F::GithubDeployments),
            (gitlab::tests::DEPLOYMENTS, F::GitlabDeployments),
            (helm::tests::HISTORY, F::HelmHistory),
            (helm_table, F::HelmHistory),
            (kubernetes::tests::LIST, F::KubernetesJson),
            (rollout, F::KubectlRolloutHistory),
            (jenkins::tests::BUILDS, F::JenkinsBuilds),
            (servicenow::tests::CSV, F::ServiceNowCsv),
            (terraform::tests::RUNS, F::TerraformRuns),
            (cloudtrail::tests::TRAIL, F::CloudTrail),
        ];
        for (sample, want) in cases {
            assert_eq!(detect_file(sample.as_bytes()), Some(want), "{}", sample.get(..80).unwrap_or(sample));
            assert_eq!(detect_as(sample.as_bytes(), faultline_model::SourceKind::Deploys), Some(want));
        }
        // Cut at the 64 KiB detection sample, a big export is still recognized.
        let mut big = String::from("[\n");
        for _ in 0..40 {
            big += spinnaker::tests::EXECUTIONS.trim().trim_start_matches('[').trim_end_matches(']');
            big += ",\n";
        }
        let cut = big.get(..65_536).unwrap_or(&big);
        assert_eq!(detect_file(cut.as_bytes()), Some(F::SpinnakerJson));
    }

    #[test]
    fn logs_that_mention_deploys_are_not_taken_for_change_exports() {
        let logs: &[&str] = &[
            // Argo CD's own controller log, JSON lines.
            "{\"application\":\"argocd/checkout\",\"dest-namespace\":\"checkout-prod\",\"level\":\"info\",\"msg\":\"Sync operation to 9c1d2e3 succeeded\",\"reason\":\"OperationCompleted\",\"time\":\"2026-03-12T14:09:12Z\"}\n",
            // A Kubernetes audit event that carries a Deployment.
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\",\"stage\":\"ResponseComplete\",\"verb\":\"patch\",\"objectRef\":{\"resource\":\"deployments\",\"name\":\"checkout\"},\"requestObject\":{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"annotations\":{\"deployment.kubernetes.io/revision\":\"3\"}}},\"requestReceivedTimestamp\":\"2026-03-12T14:02:03.000000Z\"}\n",
            // Jenkins console output and a CI job log.
            "Started by user Dana Lee\nRunning in Durability level: MAX_SURVIVABILITY\n[Pipeline] Start of Pipeline\n",
            "{\"timestamp\":\"2026-03-12T14:02:03Z\",\"level\":\"info\",\"number\":57,\"result\":\"SUCCESS\",\"msg\":\"build finished\"}\n",
            // Helm's debug output.
            "upgrade.go:142: [debug] preparing upgrade for checkout\nupgrade.go:150: [debug] performing update for checkout\n",
            // A ServiceNow incident export.
            "number,short_description,opened_at,cmdb_ci,state\nINC0010021,Checkout down,2026-03-12 14:10:00,checkout,Resolved\n",
        ];
        for sample in logs {
            assert_eq!(detect(sample.as_bytes()), None, "{sample}");
        }
    }

    #[test]
    fn a_utf16_export_from_windows_powershell_is_detected_and_read() {
        // `helm history checkout -o json > history.json` in Windows PowerShell 5 writes UTF-16LE with a BOM.
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(helm::tests::HISTORY.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(crate::detect_file(&bytes), Some(crate::SourceFormat::HelmHistory));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.json");
        std::fs::write(&path, &bytes).unwrap();
        let mut sink = faultline_model::CollectingSink::default();
        let report = crate::parse(&path, crate::SourceFormat::HelmHistory, &Default::default(), &mut sink).unwrap();
        assert_eq!(report.records, 3);
        assert_eq!(sink.changes[1].time, utc("2026-03-12T14:02:03.540271Z"));
    }

    #[test]
    fn the_effective_moment_is_the_finish_else_the_start_else_the_request() {
        let (a, b, c) = (utc("2026-03-12T14:00:00Z"), utc("2026-03-12T14:02:00Z"), utc("2026-03-12T14:09:00Z"));
        let all = Moments { requested: Some(a), started: Some(b), finished: Some(c) };
        assert_eq!(all.effective(), Some((c, ChangeMoment::Finished)));
        assert_eq!(Moments { finished: None, ..all }.effective(), Some((b, ChangeMoment::Started)));
        assert_eq!(
            Moments { requested: Some(a), ..Default::default() }.effective(),
            Some((a, ChangeMoment::Requested))
        );
        assert_eq!(Moments::default().effective(), None);
    }

    #[test]
    fn go_time_strings_read_with_their_offset() {
        let z = Zone::Utc;
        assert_eq!(time_text("2026-03-12 14:09:41 +0000 UTC", &z), Some(utc("2026-03-12T14:09:41Z")));
        assert_eq!(time_text("2026-03-12 15:09:41 +0100 CET", &z), Some(utc("2026-03-12T14:09:41Z")));
        assert_eq!(time_text("2026-03-12 19:39:41.5 +0530 +0530", &z), Some(utc("2026-03-12T14:09:41.5Z")));
        assert_eq!(time_text("0001-01-01T00:00:00Z", &z), None);
    }

    fn deploy(id: &str, t: &str, rev: &str, status: ChangeStatus) -> Change {
        Change {
            tool: Some("x".into()),
            service: Some("checkout".into()),
            revision: Some(rev.into()),
            status,
            ..Change::new(id, utc(t), "")
        }
    }

    #[test]
    fn a_redeploy_of_an_earlier_revision_undoes_the_change_it_replaced() {
        let mut cs = vec![
            deploy("1", "2026-03-12T10:00:00Z", "aaa", ChangeStatus::Succeeded),
            deploy("2", "2026-03-12T11:00:00Z", "bbb", ChangeStatus::Succeeded),
            // Re-sync of the live revision: no undo, and 2 stays what made bbb live.
            deploy("3", "2026-03-12T11:30:00Z", "bbb", ChangeStatus::Succeeded),
            deploy("4", "2026-03-12T12:00:00Z", "aaa", ChangeStatus::Succeeded),
            // A failed deploy of a new revision, then a retry of it: no undo.
            deploy("5", "2026-03-12T13:00:00Z", "ccc", ChangeStatus::Failed),
            deploy("6", "2026-03-12T13:10:00Z", "ccc", ChangeStatus::Succeeded),
            // Back to aaa after the failed-then-fixed ccc: undoes 6.
            deploy("7", "2026-03-12T14:00:00Z", "aaa", ChangeStatus::Succeeded),
        ];
        // Another service's history is its own.
        let mut other = deploy("8", "2026-03-12T12:30:00Z", "bbb", ChangeStatus::Succeeded);
        other.service = Some("search".into());
        cs.push(other);
        mark_redeploys(&mut cs);
        let undoes: Vec<_> = cs.iter().map(|c| c.undoes.as_deref()).collect();
        assert_eq!(undoes, vec![None, None, None, Some("2"), None, None, Some("6"), None]);
    }
}
