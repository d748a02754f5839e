//! Types that exist only to cross IPC. The analysis itself crosses as the
//! model's `Analysis` (bindings generated from `faultline-model`); these wrap
//! engine types that are not serializable or carry more than the UI needs.
//! `cargo test -p faultline-desktop-core` writes their TypeScript bindings next to
//! the model's in `ui/src/ipc/bindings/`.
//!
//! Counts are `u64` in Rust but JSON numbers in JS: `#[ts(type = "number")]`
//! keeps the bindings honest (ts-rs would otherwise say `bigint`).

use faultline_engine::{Instant, Progress, SourceMeta, SourceSummary};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What ingest reports while it runs, streamed through a channel.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
#[ts(export)]
pub enum IngestEvent {
    /// The inputs were expanded into sources.
    Planned {
        /// How many sources will be read or reused.
        #[ts(type = "number")]
        sources: u64,
        /// Paths that could not be looked at, with why.
        problems: Vec<String>,
    },
    /// A source is being read.
    Started {
        path: String,
        format: String,
        #[ts(type = "number")]
        bytes: u64,
    },
    /// A source is in the case.
    Finished {
        path: String,
        format: String,
        #[ts(type = "number")]
        records: u64,
        #[ts(type = "number")]
        unparsed: u64,
        /// Unchanged since the last ingest and not read again.
        reused: bool,
    },
    /// The error series of what the sources being read hold so far (at most
    /// 4 a second): the chart before the analysis. Only these sources: a
    /// case's earlier sources are not in it.
    Series { series: faultline_engine::ErrorSeries },
    /// How far a source's reading got (at most 10 a second over all sources).
    Bytes {
        path: String,
        /// Bytes read so far (decompressed bytes for a `.gz`, so it may pass `Started.bytes`).
        #[ts(type = "number")]
        bytes_read: u64,
        #[ts(type = "number")]
        records: u64,
    },
}

impl From<&Progress> for IngestEvent {
    fn from(p: &Progress) -> IngestEvent {
        match p {
            Progress::Planned { sources, problems } => {
                IngestEvent::Planned { sources: sources.len() as u64, problems: problems.clone() }
            }
            Progress::Started { path, format, bytes } => {
                IngestEvent::Started { path: path.clone(), format: format.clone(), bytes: *bytes }
            }
            Progress::Finished { summary, reused } => IngestEvent::Finished {
                path: summary.path.clone(),
                format: summary.format.clone(),
                records: summary.records,
                unparsed: summary.unparsed,
                reused: *reused,
            },
            Progress::Series { series } => IngestEvent::Series { series: series.clone() },
            Progress::Bytes { path, bytes_read, records } => {
                IngestEvent::Bytes { path: path.clone(), bytes_read: *bytes_read, records: *records }
            }
        }
    }
}

/// What an ingest did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IngestResult {
    /// The sources of this ingest.
    pub sources: Vec<SourceSummary>,
    /// Paths reused without parsing.
    pub reused: Vec<String>,
    /// Paths that could not be looked at, with why.
    pub problems: Vec<String>,
    /// Stopped by the user; some sources are missing.
    pub cancelled: bool,
}

/// The built-in sample, opened as a fresh case.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OpenedSample {
    /// The incident's title.
    pub title: String,
    /// The zone the sample's report is told in (`+03:00`).
    pub display_tz: String,
    /// The ingest.
    pub ingest: IngestResult,
}

/// A source as the sources table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SourceRow {
    /// The summary.
    pub summary: SourceSummary,
    /// How many files it was read from.
    #[ts(type = "number")]
    pub files: u64,
    /// What the analyst is told about how it was read: what its fields say
    /// (a window read, no hash) and its notes, rendered here so the sources
    /// table says it in the words of the reports and the CLI.
    pub notes: Vec<String>,
    /// Set when this session may not read the source's files (a case opened
    /// from a file: its inputs need a grant or a confirmed folder).
    pub unavailable: Option<UnavailableDto>,
}

impl From<SourceMeta> for SourceRow {
    fn from(m: SourceMeta) -> SourceRow {
        SourceRow { files: m.files.len() as u64, notes: m.summary.shown_notes(), summary: m.summary, unavailable: None }
    }
}

/// Why a source of the case cannot be read in this session.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UnavailableDto {
    pub reason: crate::access::UnavailableReason,
    /// The reason, for the analyst.
    pub message: String,
}

/// What confirming the case's input folder did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ConfirmResult {
    /// The folder, canonical.
    pub folder: String,
    /// Inputs whose size and hash matched: readable now.
    #[ts(type = "number")]
    pub verified: u64,
    /// Inputs in the folder whose content differs from the case's record.
    pub changed: Vec<String>,
    /// Inputs the case lists outside the folder (still unavailable).
    pub elsewhere: Vec<String>,
    /// Inputs the case recorded without a hash (read only for a window, or
    /// interrupted): they cannot be verified; open them to read them.
    pub unhashed: Vec<String>,
}

/// How many values of one kind an export masked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MaskedDto {
    /// The mask's prefix (`password`, `ip`, …).
    pub kind: String,
    /// For people: "passwords", "IP addresses".
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchHitDto {
    /// The source (as the user gave it).
    pub source: String,
    /// The file the line is in (for `excerpt`).
    pub file: String,
    #[ts(type = "number")]
    pub line: u64,
    #[ts(type = "number")]
    pub offset: u64,
    /// The raw line. Untrusted: render as text.
    pub text: String,
    /// The instant of the record the line belongs to.
    #[ts(type = "string | null")]
    pub time: Option<Instant>,
}

impl From<faultline_engine::SearchHit> for SearchHitDto {
    fn from(h: faultline_engine::SearchHit) -> SearchHitDto {
        SearchHitDto {
            source: h.source,
            file: h.file.display().to_string(),
            line: h.line,
            offset: h.offset,
            text: h.text,
            time: h.time,
        }
    }
}

/// How a search ended.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchSummary {
    #[ts(type = "number")]
    pub hits: u64,
    /// Stopped at the hit limit; there may be more.
    pub truncated: bool,
}

/// One line of an excerpt.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ExcerptLineDto {
    #[ts(type = "number | null")]
    pub line: Option<u64>,
    #[ts(type = "number")]
    pub offset: u64,
    /// The raw line. Untrusted: render as text.
    pub text: String,
    /// Part of the record asked for (the rest is context).
    pub in_record: bool,
}

/// A record's raw lines with context.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ExcerptDto {
    pub file: String,
    pub lines: Vec<ExcerptLineDto>,
}

impl From<faultline_engine::Excerpt> for ExcerptDto {
    fn from(e: faultline_engine::Excerpt) -> ExcerptDto {
        ExcerptDto {
            file: e.file.display().to_string(),
            lines: e
                .lines
                .into_iter()
                .map(|l| ExcerptLineDto { line: l.line, offset: l.offset, text: l.text, in_record: l.in_record })
                .collect(),
        }
    }
}

/// An analyst's note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NoteDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "string")]
    pub time: Instant,
    pub text: String,
}

impl From<faultline_engine::Note> for NoteDto {
    fn from(n: faultline_engine::Note) -> NoteDto {
        NoteDto { id: n.id, time: n.time, text: n.text }
    }
}

/// Where an export went.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ExportResult {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// What redaction masked, per kind (empty when not redacted or nothing found).
    pub masked: Vec<MaskedDto>,
}

/// What the analyst did to one timeline entry (parallel to `Analysis.timeline`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EntryStateDto {
    /// Identifies the entry for `edit_timeline`; empty for the analyst's notes.
    pub key: String,
    pub pinned: bool,
    /// The analysis's own text, when renamed.
    pub renamed_from: Option<String>,
}

/// A hidden timeline entry, listed so it can be shown again.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HiddenEntryDto {
    pub key: String,
    pub entry: faultline_engine::TimelineEntry,
}

/// The analysis with the analyst's timeline edits applied, and what was edited.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AnalysisView {
    pub analysis: faultline_engine::Analysis,
    /// One per `analysis.timeline` entry.
    pub entries: Vec<EntryStateDto>,
    /// Entries the analyst hid.
    pub hidden: Vec<HiddenEntryDto>,
}

/// A remembered case file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecentCaseDto {
    pub path: String,
    /// The file name without `.faultline`.
    pub name: String,
    /// RFC 3339.
    pub opened_at: String,
    /// The file is still there.
    pub exists: bool,
}

/// The case the window shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseInfo {
    pub title: Option<String>,
    /// The `.faultline` file the analyst saved or opened; `null` for the session's temporary case.
    pub path: Option<String>,
}

/// Options given on the app's command line.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LaunchOptions {
    /// Open the built-in sample incident at start.
    pub open_sample: bool,
    /// A `.faultline` case named on the command line (the file manager's "Open with"): open it.
    pub open_case: Option<String>,
    /// Other paths named on the command line: read them into a new case.
    pub open_inputs: Vec<String>,
}
