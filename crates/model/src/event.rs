//! What parsers produce.
//!
//! Log records are borrowed (`LogRecord<'a>`): a 5-million-line log must not
//! allocate per line, so a record points into the parser's line buffer and
//! lives only for the duration of one [`crate::EventSink::record`] call.
//! Changes, support messages and alerts are few and owned.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An instant, always in UTC.
pub type Instant = DateTime<Utc>;

/// What a source is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum SourceKind {
    /// Server and application logs.
    Log,
    /// Deploy / config-change history.
    Deploys,
    /// Customer support messages.
    Support,
    /// Alerts and pages.
    Alerts,
}

impl SourceKind {
    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Log => "log",
            SourceKind::Deploys => "deploys",
            SourceKind::Support => "support",
            SourceKind::Alerts => "alerts",
        }
    }

    /// Parses the command-line / JSON name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "log" | "logs" => SourceKind::Log,
            "deploys" | "deploy" | "changes" => SourceKind::Deploys,
            "support" => SourceKind::Support,
            "alerts" | "alert" | "pages" => SourceKind::Alerts,
            _ => return None,
        })
    }
}

/// Severity of a log record, normalized across formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Level {
    /// trace / finest
    Trace,
    /// debug / fine
    Debug,
    /// info
    Info,
    /// notice (syslog 5)
    Notice,
    /// warn / warning
    Warn,
    /// error / err
    Error,
    /// critical / fatal / alert / emergency / panic
    Critical,
}

impl Level {
    /// Reads the usual spellings (`ERROR`, `err`, `E`, `warning`, `FATAL`, …).
    pub fn parse(s: &str) -> Option<Level> {
        let s = s.trim().trim_matches(|c| c == '[' || c == ']' || c == ':');
        // 13 bytes: the longest spelling, syslog's `informational`.
        if s.is_empty() || s.len() > 13 {
            return None;
        }
        let mut buf = [0u8; 13];
        for (i, b) in s.bytes().enumerate() {
            buf[i] = b.to_ascii_lowercase();
        }
        Some(match &buf[..s.len()] {
            b"trace" | b"finest" | b"finer" | b"t" | b"v" | b"verbose" => Level::Trace,
            b"debug" | b"fine" | b"d" | b"dbg" => Level::Debug,
            b"info" | b"information" | b"informational" | b"i" | b"config" => Level::Info,
            b"notice" | b"n" => Level::Notice,
            b"warn" | b"warning" | b"w" | b"wrn" => Level::Warn,
            b"error" | b"err" | b"e" | b"severe" | b"eror" => Level::Error,
            b"critical" | b"crit" | b"fatal" | b"f" | b"alert" | b"emerg" | b"emergency" | b"panic" | b"c" | b"a" => {
                Level::Critical
            }
            _ => return None,
        })
    }

    /// Syslog / journald priority (0 = emerg … 7 = debug).
    pub fn from_syslog_priority(p: u8) -> Level {
        match p {
            0..=2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warn,
            5 => Level::Notice,
            6 => Level::Info,
            _ => Level::Debug,
        }
    }

    /// Error or worse.
    pub fn is_error(self) -> bool {
        self >= Level::Error
    }
}

/// Where a record sits in its file (for folder sources: in the file named by
/// the event's `file`). Offsets are into the decompressed byte stream, so a
/// record of a `.gz` file is found again by decompressing up to `offset`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Span {
    /// 1-based number of the record's first line (0 when not line-based, e.g. a git commit).
    pub line: u64,
    /// Byte offset of the record's first byte.
    pub offset: u64,
    /// Length in bytes of the whole record, continuation lines included.
    pub len: u64,
    /// Number of lines the record spans.
    pub lines: u32,
}

/// An HTTP request as an access log (or a JSON log with a `status`) tells it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HttpRequest<'a> {
    /// Client address as written.
    pub client: Option<&'a str>,
    /// Authenticated user (`-` becomes `None`).
    pub user: Option<&'a str>,
    /// Method (`GET`).
    pub method: Option<&'a str>,
    /// Path with query string, as requested.
    pub path: Option<&'a str>,
    /// Response status.
    pub status: u16,
    /// Response size in bytes.
    pub bytes: Option<u64>,
    /// Referer header.
    pub referer: Option<&'a str>,
    /// User-Agent header.
    pub user_agent: Option<&'a str>,
    /// Request duration in milliseconds, when a trailing field gives it.
    pub duration_ms: Option<f64>,
}

/// Bit flags on a record.
pub mod flags {
    /// The record was longer than the record-size cap and was cut.
    pub const TRUNCATED: u8 = 1;
    /// The record's time is earlier than the one before it in the file.
    pub const OUT_OF_ORDER: u8 = 2;
    /// A local time that occurred twice (DST fall-back); the earlier instant was taken.
    pub const DST_AMBIGUOUS: u8 = 4;
    /// A local time that never occurred (DST spring-forward); moved forward by the gap.
    pub const DST_GAP: u8 = 8;
    /// The time jumps far (more than a day) from its neighbours: probably a clock fault.
    pub const CLOCK_JUMP: u8 = 16;
}

/// One log record: a line, or a line plus its continuation lines (traceback).
#[derive(Debug, Clone, Copy)]
pub struct LogRecord<'a> {
    /// When it happened (UTC).
    pub time: Instant,
    /// Where it is in the file.
    pub span: Span,
    /// Severity, when the format states one (an access log's is derived from the status).
    pub level: Option<Level>,
    /// The request, for access logs and JSON logs with a status.
    pub http: Option<HttpRequest<'a>>,
    /// Host name (syslog hostname, JSON `host`, journald `_HOSTNAME`).
    pub host: Option<&'a str>,
    /// Program, unit, logger or service name.
    pub service: Option<&'a str>,
    /// The first line's message, without the timestamp/level prefix.
    pub message: &'a str,
    /// The whole raw record, continuation lines included (lossy UTF-8; capped).
    pub text: &'a str,
    /// [`flags`] bits.
    pub flags: u8,
}

/// How a change ended, as the tool that made it recorded it. A failed or
/// cancelled deployment is still a change: a partial rollout causes incidents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeStatus {
    /// The input does not say (a commit, a plain deploy log line).
    #[default]
    Unknown,
    /// Finished as intended.
    Succeeded,
    /// Failed part-way: some of it may be live.
    Failed,
    /// Cancelled or aborted before it finished.
    Cancelled,
    /// Still running when the export was taken.
    InProgress,
}

/// Which of a change's recorded moments [`Change::time`] is: the moment it
/// took effect, as well as the input tells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeMoment {
    /// The one time the input gives (a commit's committer time, a deploy row's time).
    #[default]
    Recorded,
    /// When it was requested or scheduled (a change request's planned start).
    Requested,
    /// When it started (a rollout or pipeline with no recorded end).
    Started,
    /// When it finished (a sync, rollout or pipeline that records its end).
    Finished,
}

/// A deploy, config push or commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Change {
    /// The id as the input gives it: commit hash, deploy id, version.
    pub id: String,
    /// When it was made/deployed (UTC).
    #[ts(type = "string")]
    pub time: Instant,
    /// Who made it.
    pub author: Option<String>,
    /// Service / app / component it applies to.
    pub service: Option<String>,
    /// Environment (production, staging…).
    pub environment: Option<String>,
    /// Commit message / description. First line is the summary.
    pub message: String,
    /// Changed files (paths as the input gives them).
    pub files: Vec<String>,
    /// For folder sources (a git repo): the file inside it this came from; `None` = the source itself.
    pub file: Option<String>,
    /// Where in that file (line 0 for a git commit read from a repository).
    pub span: Span,
    /// The tool that recorded it (`git`, `argocd`, `spinnaker`, `helm`, `servicenow`, …), when known.
    #[serde(default)]
    pub tool: Option<String>,
    /// How it ended.
    #[serde(default)]
    pub status: ChangeStatus,
    /// Which recorded moment `time` is.
    #[serde(default)]
    pub moment: ChangeMoment,
    /// When it was requested or scheduled, when the tool records it.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub requested: Option<Instant>,
    /// When it started, when the tool records it.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub started: Option<Instant>,
    /// When it finished, when the tool records it.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub finished: Option<Instant>,
    /// What it deployed: a commit sha, image tag, chart version or sync revision.
    #[serde(default)]
    pub revision: Option<String>,
    /// The id or revision of an earlier change this one undoes, when the tool
    /// says so (a Helm rollback to revision 4, an Argo CD sync back to an
    /// earlier revision, a change request that backs out another).
    #[serde(default)]
    pub undoes: Option<String>,
    /// Identifiers its diff added or removed (names, config keys, modules),
    /// when the input holds the diff (a git repository, `git log -p`): what
    /// the correlator looks for in the incident's errors. Capped per change.
    #[serde(default)]
    pub identifiers: Vec<String>,
}

impl Change {
    /// A change known only by its id, time and message; every other field empty.
    pub fn new(id: impl Into<String>, time: Instant, message: impl Into<String>) -> Change {
        Change {
            id: id.into(),
            time,
            author: None,
            service: None,
            environment: None,
            message: message.into(),
            files: Vec::new(),
            file: None,
            span: Span::default(),
            tool: None,
            status: ChangeStatus::Unknown,
            moment: ChangeMoment::Recorded,
            requested: None,
            started: None,
            finished: None,
            revision: None,
            undoes: None,
            identifiers: Vec::new(),
        }
    }
}

/// A message from or to users: a ticket, a Slack message, an email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SupportMessage {
    /// When it was written (UTC).
    #[ts(type = "string")]
    pub time: Instant,
    /// Who wrote it (requester, Slack user name, From:).
    pub author: Option<String>,
    /// Channel / queue / mailbox (`twitter`, `#support`, `email`).
    pub channel: Option<String>,
    /// Subject line, when there is one.
    pub subject: Option<String>,
    /// The body text.
    pub text: String,
    /// For folder sources (a Slack export): the file inside it; `None` = the source itself.
    pub file: Option<String>,
    /// Where in that file.
    pub span: Span,
}

/// An alert or page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Alert {
    /// When it fired / was created (UTC).
    #[ts(type = "string")]
    pub time: Instant,
    /// When someone acknowledged it.
    #[ts(type = "string | null")]
    pub acknowledged: Option<Instant>,
    /// When it resolved.
    #[ts(type = "string | null")]
    pub resolved: Option<Instant>,
    /// Alert name / incident title.
    pub title: String,
    /// Service / job it is about.
    pub service: Option<String>,
    /// Severity as given.
    pub severity: Option<String>,
    /// Status as given (`firing`, `resolved`, `triggered`…).
    pub status: Option<String>,
    /// Longer description (annotations.summary/description).
    pub description: Option<String>,
    /// Who acknowledged or was paged, when given.
    pub responder: Option<String>,
    /// For folder sources: the file inside it; `None` = the source itself.
    pub file: Option<String>,
    /// Where in that file.
    pub span: Span,
}

/// A line that could not be read as (or attached to) a record. Kept: counted,
/// reported and still searchable in the raw file.
#[derive(Debug, Clone, Copy)]
pub struct Unparsed<'a> {
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line.
    pub offset: u64,
    /// The raw bytes (capped).
    pub text: &'a [u8],
    /// Why it was not read (`no timestamp`, `invalid JSON`, …).
    pub reason: &'static str,
}
