//! What the correlator reads from a case: per-second counts and the notable
//! records, never every line. The case file stores exactly this; a 5-million
//! line log becomes a few thousand count rows plus its errors.

use crate::analysis::SourceSummary;
use crate::event::{Alert, Change, SupportMessage};
use crate::sink::OwnedRecord;
use serde::{Deserialize, Serialize};

/// Counts of one source's records in one second.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondCount {
    /// Unix second (UTC).
    pub second: i64,
    /// Index of the source in [`CaseData::sources`].
    pub source: u32,
    /// All records.
    pub total: u32,
    /// Error or worse records, and 5xx responses.
    pub errors: u32,
    /// 5xx responses.
    pub http_5xx: u32,
    /// 4xx responses.
    pub http_4xx: u32,
    /// Warnings.
    pub warnings: u32,
}

/// A record worth keeping in full: an error, a warning, a 5xx, a restart.
#[derive(Debug, Clone, PartialEq)]
pub struct NotableRecord {
    /// Index of the source in [`CaseData::sources`].
    pub source: u32,
    /// The file that holds it (a member of a rotated set, or the source path),
    /// one copy shared by the file's records.
    pub file: std::sync::Arc<str>,
    /// The record.
    pub record: OwnedRecord,
}

/// An event of a deploys/support/alerts source, with the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// Index of the source in [`CaseData::sources`].
    pub source: u32,
    /// The file that holds it.
    pub file: String,
    /// The event.
    pub event: T,
}

/// Everything the correlator needs, as read back from a case file.
#[derive(Debug, Clone, Default)]
pub struct CaseData {
    /// The inputs.
    pub sources: Vec<SourceSummary>,
    /// Per-second counts, sorted by (second, source).
    pub counts: Vec<SecondCount>,
    /// Notable log records, sorted by time. Loaded for an analysis, only the
    /// ones it reads whole (restarts): the rest became error events on the way
    /// (see `faultline_store::CaseFile::load_window_with`).
    pub notable: Vec<NotableRecord>,
    /// Changes, sorted by time.
    pub changes: Vec<Located<Change>>,
    /// Support messages, sorted by time.
    pub messages: Vec<Located<SupportMessage>>,
    /// Alerts, sorted by time.
    pub alerts: Vec<Located<Alert>>,
}

/// What [`is_lifecycle_message`] looks for (a log store filters on the same
/// words in its own query language).
pub const LIFECYCLE_MARKERS: &[&str] = &[
    "Booting worker",
    "Starting gunicorn",
    "Listening at:",
    "Shutting down",
    "Handling signal",
    "Started ",
    "Stopped ",
    "Stopping ",
    "Starting ",
    "resuming normal operations",
    "caught SIGTERM",
    "server started",
    "Server started",
    "restarted",
    "Restarting",
    "graceful restart",
    "reloading",
];

/// Lines that say a server or worker (re)started or stopped. Kept as notable
/// records whatever their level: restarts are milestones of an incident.
pub fn is_lifecycle_message(message: &str) -> bool {
    static MARKERS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| markers(LIFECYCLE_MARKERS));
    message.len() < 400 && MARKERS.is_match(message)
}

/// One automaton for a list of markers: every notable record of a flood is
/// tested, and twenty-odd `contains` calls a line were a tenth of its analysis.
fn markers(words: &[&str]) -> aho_corasick::AhoCorasick {
    aho_corasick::AhoCorasick::new(words).unwrap_or_else(|e| unreachable!("markers are plain words: {e}"))
}

/// Lines that say a process, container or service failed in its own words
/// (a crash, panic, OOM kill, restart loop or failing health check). Kept as
/// notable records whatever their level: kubelet, systemd and the kernel
/// often log them at info or notice, and they tell which change broke.
pub fn is_failure_message(message: &str) -> bool {
    const FAILURE_MARKERS: &[&str] = &[
        "panic:",
        "panicked at",
        "fatal error:",
        "Segmentation fault",
        "segfault at",
        "core dumped",
        "OOMKilled",
        "Out of memory: Killed process",
        "oom-kill",
        "invoked oom-killer",
        "CrashLoopBackOff",
        "Back-off restarting failed container",
        "start request repeated too quickly",
        "Failed with result",
        "Main process exited, code=",
        "Liveness probe failed",
        "Readiness probe failed",
        "Startup probe failed",
        "health check failed",
        "Health check failed",
        "healthcheck failed",
        "exited with code",
        "terminated with exit code",
    ];
    static MARKERS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| markers(FAILURE_MARKERS));
    message.len() < 600 && MARKERS.is_match(message)
}

/// Whether a record is kept in full in the case.
pub fn is_notable(record: &crate::LogRecord<'_>) -> bool {
    if let Some(h) = &record.http {
        return h.status >= 500;
    }
    match record.level {
        Some(l) if l >= crate::Level::Warn => true,
        _ => is_lifecycle_message(record.message) || is_failure_message(record.message),
    }
}
