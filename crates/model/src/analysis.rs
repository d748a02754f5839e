//! The result of correlating a case: what the CLI prints as JSON, what the
//! exporters turn into a postmortem, and what the desktop draws. The JSON
//! shape is a public contract (`faultline analyze --format json`): fields may
//! be added, never change meaning.

use crate::event::{Change, ChangeMoment, Instant, Level, SourceKind};
use crate::explain::{Factor, NoChange, RankedBelow, Verdict};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A pointer to a record in an input, with its raw text, so every claim in a
/// report can be checked against the file it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Citation {
    /// The file that holds the record (for a git repository: the repository folder).
    pub file: String,
    /// 1-based line number (0 when the record is not line-based, e.g. a commit read from a repository).
    pub line: u64,
    /// Byte offset of the record in the (decompressed) file.
    pub offset: u64,
    /// The record's raw first line (capped), or a commit's `hash summary`.
    pub text: String,
}

impl Citation {
    /// `file:line`, or just `file` for records without a line.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}", self.file, self.line)
        }
    }
}

/// An input as ingested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SourceSummary {
    /// The path the user gave (a folder for git repositories and Slack exports).
    pub path: String,
    /// What it is evidence of.
    pub kind: SourceKind,
    /// The detected format (`nginx-combined`, `syslog-rfc3164`, `git-repo`, …).
    pub format: String,
    /// Records read (a traceback is part of one record).
    pub records: u64,
    /// Lines that could not be read as a record (still searchable).
    pub unparsed: u64,
    /// Earliest instant.
    #[ts(type = "string | null")]
    pub first: Option<Instant>,
    /// Latest instant.
    #[ts(type = "string | null")]
    pub last: Option<Instant>,
    /// The zone zone-less timestamps were read in (`UTC`, `+03:00`, `Europe/Berlin`).
    pub tz: String,
    /// Size in bytes (of all files, for folder sources).
    pub bytes: u64,
    /// SHA-256 of the content (for folders: of the sorted file hashes), hex.
    pub sha256: String,
    /// Things the analyst should know about how this source was read
    /// (year inferred from mtime, DST adjustments, truncated records, …).
    #[serde(default)]
    pub notes: Vec<String>,
    /// The analyst's correction of this source's clock, in milliseconds
    /// added to every instant it states (0: none). Already applied to every
    /// instant of the analysis.
    #[serde(default)]
    pub clock_offset_ms: i64,
    /// False when its reading did not finish (cancelled, or the process
    /// died): what it holds is a part. Absent in JSON written before the
    /// field existed, where only finished sources were exported.
    #[serde(default = "finished")]
    pub complete: bool,
    /// Set when only this part of a log was read (`--from`/`--to`): counts
    /// and first/last describe that part, and the content is not hashed.
    #[serde(default)]
    pub window: Option<ReadWindow>,
}

fn finished() -> bool {
    true
}

/// The part of a source's time a window read covered, as asked (records up
/// to [`ReadWindow::SLACK_MINUTES`] either side were read too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReadWindow {
    /// Start of the window; `None`: from the source's start.
    #[ts(type = "string | null")]
    pub from: Option<Instant>,
    /// End of the window; `None`: to the source's end.
    #[ts(type = "string | null")]
    pub to: Option<Instant>,
}

impl ReadWindow {
    /// How far out of time order the records of a log may be for a window
    /// read to be exact: it starts at a record earlier than the window by
    /// this much and stops at one later than it by this much.
    pub const SLACK_MINUTES: i64 = 5;

    /// What the analyst is told about a source read for this window.
    pub fn note(&self) -> String {
        let t = |t: Instant| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let range = match (self.from, self.to) {
            (Some(a), Some(b)) => format!("{} – {}", t(a), t(b)),
            (Some(a), None) => format!("from {} on", t(a)),
            (None, Some(b)) => format!("up to {}", t(b)),
            (None, None) => "everything".into(),
        };
        let slack = Self::SLACK_MINUTES;
        format!(
            "only {range} was read (--from/--to; the file is taken to be in time order within {slack} min, \
             and records up to {slack} min either side were read too); counts and first/last describe that part"
        )
    }
}

/// Why a window read has no hash: hashing would read the whole file.
pub const NOT_HASHED_NOTE: &str = "not hashed: only a window was read (hashing would read the whole file)";

impl SourceSummary {
    /// Everything the analyst should know about how this source was read, as
    /// sentences: what its fields say (a window read, no hash) and then its
    /// notes. Reports, the CLI and the desktop show these.
    pub fn shown_notes(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.notes.len() + 2);
        if let Some(w) = &self.window {
            out.push(w.note());
            out.push(NOT_HASHED_NOTE.to_string());
        }
        out.extend(self.notes.iter().cloned());
        out
    }
}

/// A recurring error message shape, numbers and ids masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Signature {
    /// Stable id (hash of the template).
    pub id: String,
    /// The template (`KeyError: 'session_<*>'`).
    pub template: String,
    /// Records with this signature inside the incident window.
    pub count: u64,
    /// First occurrence.
    #[ts(type = "string")]
    pub first: Instant,
    /// Last occurrence.
    #[ts(type = "string")]
    pub last: Instant,
    /// Not seen before the incident window.
    pub new: bool,
    /// Worst level seen.
    pub level: Option<Level>,
    /// Endpoints (request paths) it appears on.
    pub endpoints: Vec<String>,
    /// Hosts / services it appears on.
    pub hosts: Vec<String>,
    /// Files, modules, classes named in its stack traces.
    pub modules: Vec<String>,
    /// The first record with this signature.
    pub example: Citation,
}

/// The incident window and its fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Incident {
    /// The first error that belongs to the incident.
    #[ts(type = "string")]
    pub onset: Instant,
    /// The last incident error once the rate is back at baseline; `None` while ongoing.
    #[ts(type = "string | null")]
    pub recovered: Option<Instant>,
    /// The record at the onset.
    pub onset_citation: Citation,
    /// The record at recovery.
    pub recovered_citation: Option<Citation>,
    /// Error signatures in the window, new ones first.
    pub signatures: Vec<Signature>,
    /// Failing endpoints, most errors first.
    pub endpoints: Vec<String>,
    /// Failing services / hosts / sources.
    pub services: Vec<String>,
    /// One sentence: what failed.
    pub summary: String,
}

/// One incident found in the inputs, as `analyze` lists them all; the one
/// analyzed in full is [`Analysis::incident`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IncidentListing {
    /// 1-based, in time order: what `faultline analyze --incident N` takes.
    pub number: u32,
    /// The first error that belongs to it.
    #[ts(type = "string")]
    pub onset: Instant,
    /// Its last error once the rate is back at baseline; `None` while ongoing.
    #[ts(type = "string | null")]
    pub recovered: Option<Instant>,
    /// Its size: failed requests when access logs show them, else error records.
    pub errors: u64,
    /// One sentence: what failed (as [`Incident::summary`]).
    pub summary: String,
    /// The record at the onset.
    pub onset_citation: Citation,
    /// This is the incident the rest of the analysis is about.
    pub analyzed: bool,
}

/// The separate factors of a suspect's score, each in [0, 1].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SuspectFactors {
    /// Proximity to onset.
    pub time: f64,
    /// Files/modules/keys/services of the change named in the incident's evidence.
    pub overlap: f64,
    /// A later revert or fix of the same files/service shortly before recovery.
    pub recovery: f64,
    /// The change's service vs the failing services.
    pub scope: f64,
}

/// A change ranked as a possible root cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Suspect {
    /// The change's id as in the input.
    pub change_id: String,
    /// The posterior probability that this change caused the incident, in
    /// [0, 1]; >= 0.5 means "named as the likely root cause".
    pub score: f64,
    /// One line: what the change was and why it ranks here.
    pub summary: String,
    /// When the change was made.
    #[ts(type = "string")]
    pub time: Instant,
    /// Human-readable evidence lines, each citing its record (`file:line`):
    /// `explanation` rendered by `faultline_report`, one line per factor, in order.
    pub evidence: Vec<String>,
    /// The score's factors.
    pub factors: SuspectFactors,
    /// The records the evidence cites.
    pub citations: Vec<Citation>,
    /// Why it ranks below the top suspect (empty for the top one).
    pub ranked_lower_because: Option<String>,
    /// The change's service, author, files and message, for display.
    pub service: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Changed files.
    pub files: Vec<String>,
    /// Full message.
    pub message: String,
    /// What the posterior says: likely root cause, possible, unlikely.
    #[serde(default)]
    pub verdict: Verdict,
    /// Every piece of evidence with its likelihood ratio; the posterior is
    /// the prior times their product, normalized over the candidates and
    /// "no change did it".
    #[serde(default)]
    pub explanation: Vec<Factor>,
    /// Why it ranks below the top suspect (`None` for the top one).
    #[serde(default)]
    pub ranked_below: Option<RankedBelow>,
}

/// What a timeline entry marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TimelineKind {
    /// A deploy / config push in the window.
    Change,
    /// The first incident error.
    ErrorOnset,
    /// The first user report after onset (and later ones of note).
    UserReport,
    /// An alert / page fired.
    Alert,
    /// An alert acknowledged.
    Ack,
    /// A server / worker restart.
    Restart,
    /// A fix or revert.
    Fix,
    /// Errors back at baseline.
    Recovery,
    /// A message from the support/ops side to users.
    Communication,
    /// An analyst's note, or a user confirmation of recovery.
    Note,
}

/// One milestone of the incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimelineEntry {
    /// When.
    #[ts(type = "string")]
    pub time: Instant,
    /// What kind of milestone.
    pub kind: TimelineKind,
    /// The source it comes from (path), or `analysis` / `analyst`.
    pub source: String,
    /// What happened, in a sentence.
    pub text: String,
    /// The record it rests on.
    pub citation: Option<Citation>,
    /// For changes: the change id; marks the suggested root cause.
    pub change_id: Option<String>,
    /// This change is the suggested root cause.
    #[serde(default)]
    pub suspect: bool,
    /// The clock offset applied to the entry's source, in milliseconds
    /// (`None`: none; the time shown already includes it).
    #[serde(default)]
    pub clock_offset_ms: Option<i64>,
}

/// Incident metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Metrics {
    /// Onset → first alert.
    pub time_to_detect_s: Option<i64>,
    /// Onset → first user report.
    pub time_to_first_report_s: Option<i64>,
    /// Onset → recovered.
    pub time_to_recover_s: Option<i64>,
    /// Errors that belong to the incident.
    pub errors: u64,
    /// Distinct clients (IPs / users) that saw an incident error.
    pub affected_clients: u64,
    /// Highest incident errors per minute.
    pub peak_errors_per_minute: u64,
    /// Support messages about the symptom during the incident.
    pub user_reports: u64,
}

/// Error and request counts over time, for the chart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorSeries {
    /// Width of one bucket.
    pub bucket_seconds: u32,
    /// Buckets in time order (empty buckets omitted).
    pub buckets: Vec<SeriesBucket>,
}

/// One bucket of [`ErrorSeries`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SeriesBucket {
    /// Bucket start.
    #[ts(type = "string")]
    pub start: Instant,
    /// All records (requests + log records).
    pub total: u64,
    /// Errors (5xx, error/critical records).
    pub errors: u64,
    /// Of which 5xx responses.
    pub http_5xx: u64,
    /// 4xx responses.
    pub http_4xx: u64,
    /// Warnings.
    pub warnings: u64,
}

/// Everything `faultline analyze` concludes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Analysis {
    /// The incident analyzed (the most severe found, unless another was
    /// asked for), when one was found.
    pub incident: Option<Incident>,
    /// Every incident found, in time order (the analyzed one included).
    #[serde(default)]
    pub incidents: Vec<IncidentListing>,
    /// Changes ranked as root cause, best first.
    pub suspects: Vec<Suspect>,
    /// Milestones in time order.
    pub timeline: Vec<TimelineEntry>,
    /// Incident metrics.
    pub metrics: Metrics,
    /// When no suspect reaches 0.5: the strongest non-change evidence, in a
    /// sentence (`no_change` rendered by `faultline_report`).
    pub lead: Option<String>,
    /// When no suspect reaches 0.5: the "no change did it" hypothesis, its
    /// posterior and its evidence.
    #[serde(default)]
    pub no_change: Option<NoChange>,
    /// Error series for the chart.
    pub series: ErrorSeries,
    /// The inputs.
    pub sources: Vec<SourceSummary>,
    /// True when the analysis ran without some of what it was given (see
    /// `unread`): a change that caused the incident may be in an input it
    /// could not read, so "no suspect" is no proof that no change did.
    #[serde(default)]
    pub partial: bool,
    /// The inputs it could not read, each with why. Empty = every input was read.
    #[serde(default)]
    pub unread: Vec<UnreadInput>,
    /// Each change source: its tool, how many changes, their range, and which recorded moment placed them.
    #[serde(default)]
    pub change_sources: Vec<ChangeSourceSummary>,
    /// What rose in the incident window against a baseline (none without an incident).
    #[serde(default)]
    pub novelty: Option<crate::novelty::Novelty>,
    /// Offsets proposed for sources whose clocks seem off; never applied by the analysis.
    #[serde(default)]
    pub clock_suggestions: Vec<crate::clock::ClockSuggestion>,
    /// The incident as lanes on one time axis (empty without an incident).
    #[serde(default)]
    pub lanes: Vec<crate::lanes::Lane>,
}

/// Why an input is missing from an analysis, in whole or in part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UnreadCause {
    /// Given as a kind (`--deploys`, `--support`, `--alerts`, `--logs`) that no format of that kind matched.
    NotRecognized,
    /// Recognized as a format, but reading it failed (a syntax error before any entry, a missing column).
    ReadFailed,
    /// Read up to a point (a truncated or corrupt export): what follows was not read.
    ReadInPart,
    /// Read, but not one change, message or alert could be taken from it.
    NothingRead,
    /// Its reading was interrupted: it is not in the case.
    Interrupted,
    /// It is being read now, beside this analysis (the desktop analyzes while
    /// it ingests): the analysis holds it once the reading ends.
    Reading,
}

/// An input the analysis ran without, or only partly with. Its lines stay
/// searchable and are counted unparsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnreadInput {
    /// The input's path.
    pub path: String,
    /// What it was given as, or detected as.
    pub kind: SourceKind,
    /// Why it is missing.
    pub cause: UnreadCause,
    /// The format it was recognized as, when one was.
    pub format: Option<String>,
    /// What went wrong, naming the file (and the line, when known).
    pub reason: String,
    /// Lines of it counted unparsed.
    pub unparsed: u64,
}

/// How many changes of a source a recorded moment placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MomentCount {
    /// The moment.
    pub moment: ChangeMoment,
    /// Changes placed at it.
    pub changes: u64,
}

/// A change source as the analysis read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChangeSourceSummary {
    /// The source's path.
    pub path: String,
    /// Its format (`argocd-json`, `git-repo`, …).
    pub format: String,
    /// The tools its changes come from (`argocd`, `git`), in order of first appearance.
    pub tools: Vec<String>,
    /// Changes read.
    pub changes: u64,
    /// Earliest change.
    #[ts(type = "string | null")]
    pub first: Option<Instant>,
    /// Latest change.
    #[ts(type = "string | null")]
    pub last: Option<Instant>,
    /// Which recorded moment placed how many changes (finished, started, requested, recorded).
    pub moments: Vec<MomentCount>,
}

impl ChangeSourceSummary {
    /// Counts one change.
    pub fn add(&mut self, c: &Change) {
        self.changes += 1;
        self.first = Some(self.first.map_or(c.time, |f| f.min(c.time)));
        self.last = Some(self.last.map_or(c.time, |l| l.max(c.time)));
        if let Some(tool) = &c.tool {
            if !self.tools.contains(tool) {
                self.tools.push(tool.clone());
            }
        }
        match self.moments.iter_mut().find(|m| m.moment == c.moment) {
            Some(m) => m.changes += 1,
            None => self.moments.push(MomentCount { moment: c.moment, changes: 1 }),
        }
    }

    /// `finished for 12, started for 1`: which moments placed the changes.
    pub fn moments_text(&self) -> String {
        let name = |m: ChangeMoment| match m {
            ChangeMoment::Recorded => "the one recorded time",
            ChangeMoment::Requested => "requested/planned",
            ChangeMoment::Started => "started",
            ChangeMoment::Finished => "finished",
        };
        self.moments.iter().map(|m| format!("{} for {}", name(m.moment), m.changes)).collect::<Vec<_>>().join(", ")
    }
}
