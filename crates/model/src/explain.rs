//! Why a change is, or is not, the suspected cause of an incident: typed
//! facts with the records they rest on.
//!
//! The correlator states facts (a revert landed 4 s before the last error,
//! a crash loop of the changed deployment, …) and the likelihood ratio it
//! gave each; only `faultline_report` (and the desktop, from the same facts)
//! turns them into sentences. A fact never carries English.

use crate::analysis::Citation;
use crate::event::Instant;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the posterior of a change says, in the words every output uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Verdict {
    /// Posterior ≥ 0.5: named as the likely root cause.
    Likely,
    /// Posterior in [0.15, 0.5): worth a look, not named.
    Possible,
    /// Below 0.15.
    #[default]
    Unlikely,
}

impl Verdict {
    /// The posterior from which a change is named the likely root cause.
    pub const NAMED: f64 = 0.5;
    /// The posterior from which a change is called possible.
    pub const POSSIBLE: f64 = 0.15;

    /// The verdict a posterior earns.
    pub fn of(posterior: f64) -> Verdict {
        if posterior.is_finite() && posterior >= Self::NAMED {
            Verdict::Likely
        } else if posterior.is_finite() && posterior >= Self::POSSIBLE {
            Verdict::Possible
        } else {
            Verdict::Unlikely
        }
    }
}

/// Which lag component of the timing model a change's distance to the onset
/// falls in: a trigger shows within minutes, a latent cause hours later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Lag {
    /// Most of the timing density comes from the fast (trigger) component.
    Fast,
    /// Most of it comes from the latent component.
    Latent,
}

/// How the errors began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OnsetShape {
    /// Half the early peak rate within two minutes of the first error.
    Sharp,
    /// A slower rise: the onset instant is less certain.
    Gradual,
}

/// How a later change undoes an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UndoKind {
    /// A revert / back-out.
    Revert,
    /// A rollback (of a deploy, a release, a Helm revision).
    Rollback,
    /// A roll-forward to the last good version.
    RollForward,
    /// A feature flag or setting turned off.
    Disable,
    /// A kill switch.
    KillSwitch,
    /// A fix of what the change broke.
    Fix,
    /// No undo word: it changes the same thing again.
    Follows,
}

/// How the undo was matched to the change it undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UndoMatch {
    /// The tool recorded what it undoes (`undoes`: a Helm rollback, a change request backing out another).
    Recorded,
    /// Its message names the change's id, hash, change number or revision.
    Id,
    /// Its message quotes the change's summary.
    Message,
    /// It changes the same files.
    Files,
    /// It rolls back the change's service, and this was that service's latest change.
    Service,
    /// A fix forward: it changes what the same incident errors name as this change.
    Errors,
}

/// What kind of line says the changed thing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FailureSignal {
    /// A crash, segfault, fatal error or non-zero exit.
    Crash,
    /// A panic.
    Panic,
    /// Killed for memory.
    OomKill,
    /// Restarting over and over (CrashLoopBackOff, systemd's start limit).
    RestartLoop,
    /// A failing liveness/readiness/health check.
    HealthCheck,
}

/// What in the errors names the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NameKind {
    /// A changed file, in stack frames or messages.
    File,
    /// A module or class a changed file is imported as.
    Module,
    /// An identifier from the change's message.
    Identifier,
    /// A host named in the change's message.
    Host,
    /// An endpoint a changed file is named after.
    Endpoint,
}

/// An infrastructure failure the errors look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InfraClass {
    /// Name resolution.
    Dns,
    /// A database or cache server.
    Database,
    /// A full or failing disk.
    Disk,
    /// Connections reset, refused, unreachable or timing out.
    Network,
    /// A dependency behind a proxy or gateway.
    Upstream,
}

/// One fact about a change and the incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Fact {
    /// When the change took effect against the onset and the background rate of changes.
    Timing {
        /// Seconds from the change to the onset (negative: within the clock-skew grace after it).
        before_onset_s: i64,
        /// The lag component that explains most of it.
        lag: Lag,
        /// How the errors began.
        onset: OnsetShape,
        /// The background rate of changes the timing is weighed against (per day).
        changes_per_day: f64,
    },
    /// Made after the onset: it cannot have caused it.
    AfterOnset {
        /// Seconds after the onset.
        after_onset_s: i64,
    },
    /// A later change undoes it.
    Undone {
        /// The undoing change's id.
        by: String,
        /// How.
        how: UndoKind,
        /// How it was matched to this change.
        matched_by: UndoMatch,
        /// Seconds from the undo to the last incident error (negative: it came
        /// after); `None` while the incident is ongoing.
        before_recovery_s: Option<i64>,
        /// Seconds from the undo to the onset, when it landed before the errors began.
        before_onset_s: Option<i64>,
    },
    /// The errors stopped and the change log covers that time, but nothing recorded undoes it.
    NotUndone {
        /// The change whose undo lined up with the errors stopping, if one did.
        while_undone: Option<String>,
    },
    /// The changed thing failing in its own words right after the change.
    OwnFailure {
        /// The changed service/deployment/process as the failure lines name it.
        name: String,
        /// What kind of failure.
        signal: FailureSignal,
        /// Failure lines naming it after the change.
        lines: u64,
        /// Seconds from the change to the first of them.
        after_change_s: i64,
        /// Such lines in the hours before the change (a baseline).
        before: u64,
    },
    /// The incident's errors name a file, module or identifier the change touched.
    ErrorsName {
        /// The name as the change has it.
        name: String,
        /// What it is.
        what: NameKind,
        /// Incident errors that name it.
        errors: u64,
        /// All of them are stack traces.
        in_traces: bool,
    },
    /// Identifiers the change's diff added or removed appear in the incident's errors.
    DiffInErrors {
        /// The identifiers, as the diff writes them.
        identifiers: Vec<String>,
        /// Incident errors that contain one.
        errors: u64,
    },
    /// The change's service against the services that fail.
    Scope {
        /// The change's service (or the service its files name).
        service: String,
        /// The failing service/host/pod/source name it matched, if any.
        matched: Option<String>,
        /// The failing names.
        failing: Vec<String>,
    },
    /// The errors look like an infrastructure failure.
    Infrastructure {
        /// Which.
        class: InfraClass,
        /// Share of the incident's errors with that signature.
        share: f64,
        /// The change touches that infrastructure (DNS config, a database pool, …).
        touched: bool,
    },
}

/// One piece of evidence and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Factor {
    /// The likelihood ratio: how many times more probable this evidence is if
    /// the change caused the incident than if it did not (< 1 speaks against it).
    pub ratio: f64,
    /// What was found.
    pub fact: Fact,
    /// The records it rests on.
    pub citations: Vec<Citation>,
}

/// Which kind of fact a factor states, for comparing suspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FactKind {
    /// [`Fact::Timing`]
    Timing,
    /// [`Fact::AfterOnset`]
    AfterOnset,
    /// [`Fact::Undone`]
    Undone,
    /// [`Fact::NotUndone`]
    NotUndone,
    /// [`Fact::OwnFailure`]
    OwnFailure,
    /// [`Fact::ErrorsName`]
    ErrorsName,
    /// [`Fact::DiffInErrors`]
    DiffInErrors,
    /// [`Fact::Scope`]
    Scope,
    /// [`Fact::Infrastructure`]
    Infrastructure,
}

impl Fact {
    /// Its kind.
    pub fn kind(&self) -> FactKind {
        match self {
            Fact::Timing { .. } => FactKind::Timing,
            Fact::AfterOnset { .. } => FactKind::AfterOnset,
            Fact::Undone { .. } => FactKind::Undone,
            Fact::NotUndone { .. } => FactKind::NotUndone,
            Fact::OwnFailure { .. } => FactKind::OwnFailure,
            Fact::ErrorsName { .. } => FactKind::ErrorsName,
            Fact::DiffInErrors { .. } => FactKind::DiffInErrors,
            Fact::Scope { .. } => FactKind::Scope,
            Fact::Infrastructure { .. } => FactKind::Infrastructure,
        }
    }
}

/// One kind of evidence where a suspect falls short of the top one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Shortfall {
    /// The kind of evidence.
    pub kind: FactKind,
    /// The product of this suspect's ratios of that kind (1 when it has none).
    pub ratio: f64,
    /// The same for the top suspect.
    pub top_ratio: f64,
}

/// Why a suspect ranks below the top one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RankedBelow {
    /// The top suspect's change id.
    pub top: String,
    /// Where it falls short, most telling first; empty when only the combination differs.
    pub shortfalls: Vec<Shortfall>,
}

/// Evidence for "no change in the inputs caused it".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum NoChangeFact {
    /// No change was made in the look-back window.
    NoCandidates,
    /// The errors look like an infrastructure failure no candidate touches.
    Infrastructure {
        /// Which.
        class: InfraClass,
        /// Share of the incident's errors with that signature.
        share: f64,
        /// An error with it.
        example: Citation,
    },
    /// The errors stopped, and nothing recorded undoes a candidate before they did.
    NothingUndone,
    /// The nearest candidate before the onset is far from it.
    AllFar {
        /// Seconds from the nearest candidate to the onset.
        nearest_before_onset_s: i64,
    },
}

/// The signature to start from when no change is named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LeadSignature {
    /// Its template.
    pub template: String,
    /// Not seen before the incident.
    pub new: bool,
    /// Occurrences in the incident.
    pub count: u64,
    /// The first.
    #[ts(type = "string")]
    pub first: Instant,
    /// A host it appears on.
    pub host: Option<String>,
    /// An endpoint it appears on.
    pub endpoint: Option<String>,
    /// Its first record.
    pub example: Citation,
}

/// The "no change did it" hypothesis, stated when no change is named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NoChange {
    /// Its posterior: the probability that no change in the inputs caused the incident.
    pub posterior: f64,
    /// The best candidate, when there is one (it is `suspects[0]`).
    pub best: Option<String>,
    /// What speaks for it.
    pub facts: Vec<NoChangeFact>,
    /// The error signature to start from.
    pub signature: Option<LeadSignature>,
    /// The first incident error.
    pub onset: Citation,
}
