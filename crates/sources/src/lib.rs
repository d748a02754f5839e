//! Deploy history, support messages and alert exports: git repositories, git log text, CSV/JSON exports, Slack, mbox.
//!
//! Every format is recognized from its content (and, for folders, their
//! structure), never from a file name: exports get renamed, and a `.json`
//! may be a log, a deploy history or an Alertmanager capture. Detection is
//! deliberately strict in [`detect_file`] (an ordinary log must fall through
//! to the log parsers) and lenient in [`detect_as`], where the user has
//! already said what the file is evidence of.
#![deny(missing_docs)]

mod alerts;
mod cd;
mod csvtab;
mod deploys;
mod detect;
mod diffwords;
mod gitlog;
mod gitrepo;
mod input;
mod jsonin;
mod mail;
mod slack;
mod support;

use faultline_model::time::Zone;
use faultline_model::{
    Alert, Change, ChangeSourceSummary, EventSink, Instant, SinkError, SourceKind, SupportMessage, Unparsed,
};
use std::path::{Path, PathBuf};

pub use detect::{detect_as, detect_dir, detect_file};

/// What a source's note says when its file was read only up to a point (a
/// JSON export cut off or corrupt part-way): the entries before it were read.
const CUT_OFF: &str = "the rest of the file could not be read";

/// Whether a source note says the file was read only in part.
pub fn is_cut_off_note(note: &str) -> bool {
    note.contains(CUT_OFF)
}

/// A deploy, support or alert format this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// A git repository folder (work tree or bare), read with libgit2.
    GitRepo,
    /// `git log` text output (medium layout, optionally `--stat`/`--name-status`).
    GitLog,
    /// A CSV deploy history.
    DeploysCsv,
    /// A JSON (array or lines) deploy history.
    DeploysJson,
    /// A ticket export (Zendesk-like CSV).
    TicketsCsv,
    /// A Slack export folder.
    SlackExport,
    /// An mbox mailbox.
    Mbox,
    /// A single RFC 822 message.
    Eml,
    /// Support messages as JSON lines / array.
    SupportJson,
    /// Prometheus Alertmanager webhook payloads.
    Alertmanager,
    /// An incident / alert CSV export (PagerDuty, Opsgenie-like).
    IncidentsCsv,
    /// Argo CD applications as JSON (`argocd app list/get -o json`) with their sync history.
    ArgoCdJson,
    /// `argocd app history` text.
    ArgoCdHistory,
    /// Spinnaker pipeline executions (Gate's `/executions`, `/applications/{app}/pipelines`).
    SpinnakerJson,
    /// GitHub deployments and deployment statuses (REST API JSON).
    GithubDeployments,
    /// GitLab deployments (REST API JSON).
    GitlabDeployments,
    /// `helm history` as JSON or its default table.
    HelmHistory,
    /// `kubectl rollout history` text (revisions without times).
    KubectlRolloutHistory,
    /// Kubernetes Deployments and ReplicaSets as JSON (`kubectl get deploy,rs -o json`).
    KubernetesJson,
    /// Jenkins builds (`/api/json?tree=builds[…]`).
    JenkinsBuilds,
    /// ServiceNow change requests exported as CSV.
    ServiceNowCsv,
    /// ServiceNow change requests as JSON (Table API, `change_request.do?JSON`).
    ServiceNowJson,
    /// Terraform Cloud / Enterprise runs (`/api/v2/workspaces/:id/runs`).
    TerraformRuns,
    /// AWS CloudTrail records (trail files, `lookup-events` output).
    CloudTrail,
}

impl SourceFormat {
    /// Every format, in detection-independent order.
    pub const ALL: [SourceFormat; 24] = [
        SourceFormat::GitRepo,
        SourceFormat::GitLog,
        SourceFormat::DeploysCsv,
        SourceFormat::DeploysJson,
        SourceFormat::TicketsCsv,
        SourceFormat::SlackExport,
        SourceFormat::Mbox,
        SourceFormat::Eml,
        SourceFormat::SupportJson,
        SourceFormat::Alertmanager,
        SourceFormat::IncidentsCsv,
        SourceFormat::ArgoCdJson,
        SourceFormat::ArgoCdHistory,
        SourceFormat::SpinnakerJson,
        SourceFormat::GithubDeployments,
        SourceFormat::GitlabDeployments,
        SourceFormat::HelmHistory,
        SourceFormat::KubectlRolloutHistory,
        SourceFormat::KubernetesJson,
        SourceFormat::JenkinsBuilds,
        SourceFormat::ServiceNowCsv,
        SourceFormat::ServiceNowJson,
        SourceFormat::TerraformRuns,
        SourceFormat::CloudTrail,
    ];

    /// The name shown in summaries and accepted on the command line.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::GitRepo => "git-repo",
            SourceFormat::GitLog => "git-log",
            SourceFormat::DeploysCsv => "deploys-csv",
            SourceFormat::DeploysJson => "deploys-json",
            SourceFormat::TicketsCsv => "tickets-csv",
            SourceFormat::SlackExport => "slack-export",
            SourceFormat::Mbox => "mbox",
            SourceFormat::Eml => "eml",
            SourceFormat::SupportJson => "support-json",
            SourceFormat::Alertmanager => "alertmanager",
            SourceFormat::IncidentsCsv => "incidents-csv",
            SourceFormat::ArgoCdJson => "argocd-json",
            SourceFormat::ArgoCdHistory => "argocd-history",
            SourceFormat::SpinnakerJson => "spinnaker-executions",
            SourceFormat::GithubDeployments => "github-deployments",
            SourceFormat::GitlabDeployments => "gitlab-deployments",
            SourceFormat::HelmHistory => "helm-history",
            SourceFormat::KubectlRolloutHistory => "kubectl-rollout-history",
            SourceFormat::KubernetesJson => "kubernetes-json",
            SourceFormat::JenkinsBuilds => "jenkins-builds",
            SourceFormat::ServiceNowCsv => "servicenow-csv",
            SourceFormat::ServiceNowJson => "servicenow-json",
            SourceFormat::TerraformRuns => "terraform-runs",
            SourceFormat::CloudTrail => "cloudtrail",
        }
    }

    /// The tool whose export this is (`argocd`, `helm`, …), as [`Change::tool`] names it; `None` for generic exports.
    pub fn tool(self) -> Option<&'static str> {
        Some(match self {
            SourceFormat::GitRepo | SourceFormat::GitLog => "git",
            SourceFormat::ArgoCdJson | SourceFormat::ArgoCdHistory => cd::argocd::TOOL,
            SourceFormat::SpinnakerJson => cd::spinnaker::TOOL,
            SourceFormat::GithubDeployments => cd::github::TOOL,
            SourceFormat::GitlabDeployments => cd::gitlab::TOOL,
            SourceFormat::HelmHistory => cd::helm::TOOL,
            SourceFormat::KubectlRolloutHistory | SourceFormat::KubernetesJson => cd::kubernetes::TOOL,
            SourceFormat::JenkinsBuilds => cd::jenkins::TOOL,
            SourceFormat::ServiceNowCsv | SourceFormat::ServiceNowJson => cd::servicenow::TOOL,
            SourceFormat::TerraformRuns => cd::terraform::TOOL,
            SourceFormat::CloudTrail => cd::cloudtrail::TOOL,
            _ => return None,
        })
    }

    /// The format named by [`SourceFormat::name`].
    pub fn from_name(name: &str) -> Option<SourceFormat> {
        SourceFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the format is evidence of.
    pub fn kind(self) -> SourceKind {
        match self {
            SourceFormat::GitRepo
            | SourceFormat::GitLog
            | SourceFormat::DeploysCsv
            | SourceFormat::DeploysJson
            | SourceFormat::ArgoCdJson
            | SourceFormat::ArgoCdHistory
            | SourceFormat::SpinnakerJson
            | SourceFormat::GithubDeployments
            | SourceFormat::GitlabDeployments
            | SourceFormat::HelmHistory
            | SourceFormat::KubectlRolloutHistory
            | SourceFormat::KubernetesJson
            | SourceFormat::JenkinsBuilds
            | SourceFormat::ServiceNowCsv
            | SourceFormat::ServiceNowJson
            | SourceFormat::TerraformRuns
            | SourceFormat::CloudTrail => SourceKind::Deploys,
            SourceFormat::TicketsCsv
            | SourceFormat::SlackExport
            | SourceFormat::Mbox
            | SourceFormat::Eml
            | SourceFormat::SupportJson => SourceKind::Support,
            SourceFormat::Alertmanager | SourceFormat::IncidentsCsv => SourceKind::Alerts,
        }
    }

    /// Whether the format is a folder (git repository, Slack export) rather than a file.
    pub fn is_folder(self) -> bool {
        matches!(self, SourceFormat::GitRepo | SourceFormat::SlackExport)
    }
}

impl std::fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How to read a source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceOptions {
    /// The zone zone-less timestamps are read in.
    pub zone: Zone,
    /// For a history read by walking it (a git repository): only changes
    /// committed in `[from, to]` are read (either end open). The walk goes
    /// newest first and stops past `from`, so a repository with years of
    /// history costs what the look-back holds. Default: everything.
    pub changes_within: Option<(Option<Instant>, Option<Instant>)>,
}

/// What reading a source produced, besides the events pushed into the sink.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceReport {
    /// Events emitted (changes, messages or alerts).
    pub records: u64,
    /// Rows / messages / commits that could not be read (reported through `EventSink::unparsed`).
    pub unparsed: u64,
    /// Earliest event time.
    pub first: Option<Instant>,
    /// Latest event time.
    pub last: Option<Instant>,
    /// Files read, for folder sources (Slack export: `users.json` and each day file). Empty for single files.
    pub files: Vec<PathBuf>,
    /// Things the analyst should know about how the source was read.
    pub notes: Vec<String>,
    /// The changes read: tools, count, range, and which moments placed them (path and format left empty).
    pub changes: ChangeSourceSummary,
    /// For a source with no file bytes of its own to hash (a git repository):
    /// text that identifies exactly what was read (its HEAD and every commit
    /// id read), which the engine hashes in place of file content.
    pub identity: Option<String>,
}

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A syntax error at a line that makes the rest of the file unreadable.
    #[error("{path}:{line}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The content is not what the format needs (no header row, not a folder, …).
    #[error("{path}: {message}")]
    Invalid {
        /// The file or folder.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The folder is not a git repository (or libgit2 cannot open it).
    #[error("{path}: not a git repository: {message}")]
    NotARepository {
        /// The folder.
        path: String,
        /// libgit2's explanation.
        message: String,
    },
    /// libgit2 failed while reading history (corrupt objects, …).
    #[error("{path}: git: {message}")]
    Git {
        /// The repository folder.
        path: String,
        /// libgit2's explanation.
        message: String,
    },
    /// The sink refused an event.
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// Reads `path` (a file, possibly gzip-compressed, or a folder for
/// [`SourceFormat::GitRepo`] / [`SourceFormat::SlackExport`]) as `format`,
/// pushing every event into `sink`. Stops early, without error, when the sink
/// returns `Ok(false)`.
pub fn parse(
    path: &Path,
    format: SourceFormat,
    opts: &SourceOptions,
    sink: &mut dyn EventSink,
) -> Result<SourceReport, SourceError> {
    let mut tally = Tally::new(sink);
    let label = path.display().to_string();
    match format {
        SourceFormat::GitRepo => gitrepo::parse(path, opts, &mut tally)?,
        SourceFormat::SlackExport => slack::parse(path, opts, &mut tally)?,
        _ => {
            if path.is_dir() {
                return Err(SourceError::Invalid {
                    path: label,
                    message: format!("is a folder, but {} is read from a file", format.name()),
                });
            }
            let data = input::read_file(path)?;
            parse_data(&data, &label, format, opts, &mut tally)?;
        }
    }
    Ok(tally.finish())
}

/// Reads already-decompressed content as a single-file `format`. `label`
/// names the input in errors (`deploys.csv:14: …`). Folder formats are refused.
pub fn parse_bytes(
    data: &[u8],
    label: &str,
    format: SourceFormat,
    opts: &SourceOptions,
    sink: &mut dyn EventSink,
) -> Result<SourceReport, SourceError> {
    let mut tally = Tally::new(sink);
    parse_data(data, label, format, opts, &mut tally)?;
    Ok(tally.finish())
}

fn parse_data(
    data: &[u8],
    label: &str,
    format: SourceFormat,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    match format {
        SourceFormat::GitLog => gitlog::parse(data, opts, tally),
        SourceFormat::DeploysCsv => deploys::parse_csv(data, label, opts, tally),
        SourceFormat::DeploysJson => deploys::parse_json(data, label, opts, tally),
        SourceFormat::TicketsCsv => support::parse_csv(data, label, opts, tally),
        SourceFormat::SupportJson => support::parse_json(data, label, opts, tally),
        SourceFormat::Mbox => mail::parse_mbox(data, opts, tally),
        SourceFormat::Eml => mail::parse_eml(data, label, opts, tally),
        SourceFormat::Alertmanager => alerts::parse_alertmanager(data, label, opts, tally),
        SourceFormat::IncidentsCsv => alerts::parse_csv(data, label, opts, tally),
        SourceFormat::ArgoCdJson => cd::argocd::parse_json(data, label, opts, tally),
        SourceFormat::ArgoCdHistory => cd::argocd::parse_history(data, label, opts, tally),
        SourceFormat::SpinnakerJson => cd::spinnaker::parse(data, label, opts, tally),
        SourceFormat::GithubDeployments => cd::github::parse(data, label, opts, tally),
        SourceFormat::GitlabDeployments => cd::gitlab::parse(data, label, opts, tally),
        SourceFormat::HelmHistory => cd::helm::parse(data, label, opts, tally),
        SourceFormat::KubectlRolloutHistory => cd::kubernetes::parse_rollout_history(data, label, opts, tally),
        SourceFormat::KubernetesJson => cd::kubernetes::parse_json(data, label, opts, tally),
        SourceFormat::JenkinsBuilds => cd::jenkins::parse(data, label, opts, tally),
        SourceFormat::ServiceNowCsv => cd::servicenow::parse_csv(data, label, opts, tally),
        SourceFormat::ServiceNowJson => cd::servicenow::parse_json(data, label, opts, tally),
        SourceFormat::TerraformRuns => cd::terraform::parse(data, label, opts, tally),
        SourceFormat::CloudTrail => cd::cloudtrail::parse(data, label, opts, tally),
        SourceFormat::GitRepo | SourceFormat::SlackExport => Err(SourceError::Invalid {
            path: label.to_string(),
            message: format!("{} is a folder format: give the folder's path", format.name()),
        }),
    }
}

/// Wraps the sink: counts what goes through, tracks the time range, and
/// remembers whether the sink asked to stop so every parser stops alike.
pub(crate) struct Tally<'s> {
    sink: &'s mut dyn EventSink,
    report: SourceReport,
    stopped: bool,
    dst_adjusted: u64,
}

impl<'s> Tally<'s> {
    fn new(sink: &'s mut dyn EventSink) -> Self {
        Tally { sink, report: SourceReport::default(), stopped: false, dst_adjusted: 0 }
    }

    /// The sink asked to stop: parsers check this between records.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    fn seen(&mut self, t: Instant) {
        self.report.records += 1;
        self.report.first = Some(self.report.first.map_or(t, |f| f.min(t)));
        self.report.last = Some(self.report.last.map_or(t, |l| l.max(t)));
    }

    fn go(&mut self, go: bool) -> bool {
        if !go {
            self.stopped = true;
        }
        go
    }

    pub(crate) fn change(&mut self, change: Change) -> Result<bool, SourceError> {
        self.seen(change.time);
        self.report.changes.add(&change);
        let go = self.sink.change(change)?;
        Ok(self.go(go))
    }

    pub(crate) fn message(&mut self, message: SupportMessage) -> Result<bool, SourceError> {
        self.seen(message.time);
        let go = self.sink.message(message)?;
        Ok(self.go(go))
    }

    pub(crate) fn alert(&mut self, alert: Alert) -> Result<bool, SourceError> {
        self.seen(alert.time);
        let go = self.sink.alert(alert)?;
        Ok(self.go(go))
    }

    pub(crate) fn unparsed(
        &mut self,
        line: u64,
        offset: u64,
        text: &[u8],
        reason: &'static str,
    ) -> Result<bool, SourceError> {
        self.report.unparsed += 1;
        let text = input::trim_line(text);
        let capped = text.get(..text.len().min(input::UNPARSED_CAP)).unwrap_or(text);
        let go = self.sink.unparsed(&Unparsed { line, offset, text: capped, reason })?;
        Ok(self.go(go))
    }

    /// Counts a timestamp whose local wall time DST made ambiguous or non-existent.
    pub(crate) fn dst(&mut self, flags: u8) {
        if flags != 0 {
            self.dst_adjusted += 1;
        }
    }

    pub(crate) fn note(&mut self, note: String) {
        self.report.notes.push(note);
    }

    pub(crate) fn file(&mut self, path: PathBuf) {
        self.report.files.push(path);
    }

    pub(crate) fn identity(&mut self, identity: String) {
        self.report.identity = Some(identity);
    }

    fn finish(mut self) -> SourceReport {
        if self.dst_adjusted > 0 {
            self.report.notes.push(format!(
                "{} zone-less times fell in a DST change: ambiguous ones were read as the earlier instant, skipped ones moved forward",
                self.dst_adjusted
            ));
        }
        self.report
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use faultline_model::CollectingSink;

    pub(crate) fn utc(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    pub(crate) fn zone(s: &str) -> SourceOptions {
        SourceOptions { zone: Zone::parse(s).unwrap_or_else(|e| panic!("{e}")), ..SourceOptions::default() }
    }

    /// Parses inline content as `format` and returns what the sink saw.
    pub(crate) fn run(data: &str, format: SourceFormat, opts: &SourceOptions) -> (CollectingSink, SourceReport) {
        let mut sink = CollectingSink::default();
        let report = parse_bytes(data.as_bytes(), "fixture", format, opts, &mut sink).unwrap_or_else(|e| panic!("{e}"));
        (sink, report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_model::{CollectingSink, LogRecord};

    #[test]
    fn names_round_trip_and_kinds_match() {
        for f in SourceFormat::ALL {
            assert_eq!(SourceFormat::from_name(f.name()), Some(f));
        }
        assert_eq!(SourceFormat::GitLog.kind(), SourceKind::Deploys);
        assert_eq!(SourceFormat::Mbox.kind(), SourceKind::Support);
        assert_eq!(SourceFormat::IncidentsCsv.kind(), SourceKind::Alerts);
        assert!(SourceFormat::SlackExport.is_folder());
        assert!(!SourceFormat::Eml.is_folder());
    }

    /// A sink that stops after the first change, as a cancelled run does.
    struct StopAfterOne(u32);
    impl EventSink for StopAfterOne {
        fn record(&mut self, _: &LogRecord<'_>) -> Result<bool, SinkError> {
            Ok(true)
        }
        fn change(&mut self, _: Change) -> Result<bool, SinkError> {
            self.0 += 1;
            Ok(false)
        }
    }

    #[test]
    fn a_sink_that_says_stop_stops_the_parser() {
        let csv = "deploy_id,deployed_at,service\nd1,2026-11-24T08:00:00Z,api\nd2,2026-11-24T09:00:00Z,api\n";
        let mut sink = StopAfterOne(0);
        let report =
            parse_bytes(csv.as_bytes(), "d.csv", SourceFormat::DeploysCsv, &SourceOptions::default(), &mut sink)
                .unwrap();
        assert_eq!(sink.0, 1);
        assert_eq!(report.records, 1);
    }

    #[test]
    fn gzip_files_are_read_by_content() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        // No .gz suffix on purpose: compression is recognized from the magic bytes.
        let path = dir.path().join("deploys");
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"deploy_id,deployed_at,service\nd1,2026-11-24T08:00:00Z,api\n").unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        let mut sink = CollectingSink::default();
        let report = parse(&path, SourceFormat::DeploysCsv, &SourceOptions::default(), &mut sink).unwrap();
        assert_eq!(report.records, 1);
        assert_eq!(sink.changes[0].id, "d1");
    }

    #[test]
    fn folder_formats_refuse_files_and_file_formats_refuse_folders() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = CollectingSink::default();
        let err = parse(dir.path(), SourceFormat::DeploysCsv, &SourceOptions::default(), &mut sink).unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
        let err =
            parse_bytes(b"x", "x.txt", SourceFormat::SlackExport, &SourceOptions::default(), &mut sink).unwrap_err();
        assert!(err.to_string().starts_with("x.txt: slack-export is a folder format"), "{err}");
        let missing = dir.path().join("nope.csv");
        let err = parse(&missing, SourceFormat::DeploysCsv, &SourceOptions::default(), &mut sink).unwrap_err();
        assert!(err.to_string().contains("nope.csv"), "{err}");
    }
}
