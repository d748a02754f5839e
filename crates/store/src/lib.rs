//! The case file: one SQLite database (bundled SQLite, WAL) per investigation.
//!
//! A case keeps what the analysis needs and nothing the raw files already
//! hold: the inputs ([`SourceMeta`], with sizes, mtimes and hashes so a
//! re-opened case re-parses only what changed), per-second counts, the
//! notable records with the file and byte offset of their raw text, the
//! changes/messages/alerts, the first unparsed lines, and the analyst's notes.
//!
//! Ingest fills an [`IngestBuffer`] (an [`EventSink`](faultline_model::EventSink)) per source, off any
//! lock; its notable records go to the case in batches while the file is
//! read ([`IngestBuffer::take_notable`], [`CaseFile::spill_records`]) and
//! [`CaseFile::write_source`] stores the rest in one transaction that marks
//! the source complete. The source row is first written as incomplete in its
//! own transaction, so a process killed mid-ingest leaves a case that opens
//! and says which sources are incomplete, and whose records are not read.
#![deny(missing_docs)]
use chrono::{DateTime, Utc};
use faultline_model::{Instant, SourceSummary};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

mod buffer;
mod gate;
mod identity;
mod notable;
mod open;
mod read;
mod sinks;
mod snapshot;
mod write;

pub use buffer::{IngestBuffer, NotableBatch, SpillHook, SPILL_AT};
pub use identity::APPLICATION_ID;
pub use open::SCHEMA_VERSION;
pub use sinks::{Cancellable, ProgressHook, Reporting, Window, WindowStop, Windowed};
pub use snapshot::Snapshot;

/// A case file error, naming the case file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("case file {path}: {source}")]
    Sqlite {
        /// The case file.
        path: String,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The case was written by a newer Faultline.
    #[error("case file {path} has schema version {found}, newer than this Faultline understands ({supported}); upgrade Faultline")]
    TooNew {
        /// The case file.
        path: String,
        /// Its version.
        found: u32,
        /// Ours.
        supported: u32,
    },
    /// The case's file could not be created.
    #[error("case file in {path}: {source}")]
    Io {
        /// Where it was to be.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Stored data did not decode.
    #[error("case file {path}: corrupt row: {detail}")]
    Corrupt {
        /// The case file.
        path: String,
        /// What was wrong.
        detail: String,
    },
}

/// One file behind a source, with what decides whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    /// Its path.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// SHA-256 (hex) of its bytes.
    pub sha256: String,
}

impl FileStamp {
    /// Reads size and mtime (not the hash) of a file.
    pub fn stat(path: &Path) -> std::io::Result<FileStamp> {
        let meta = std::fs::metadata(path)?;
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        Ok(FileStamp { path: path.to_path_buf(), size: meta.len(), mtime_ns, sha256: String::new() })
    }
}

/// A source as stored: its summary and its files.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMeta {
    /// Row id.
    pub id: i64,
    /// The summary shown to the user.
    pub summary: SourceSummary,
    /// The files behind it.
    pub files: Vec<FileStamp>,
    /// The rule of what is an error its counters were written with
    /// (`faultline_model::error_class::RULE` for what this build writes).
    pub error_rule: u32,
}

fn to_us(t: Instant) -> i64 {
    t.timestamp_micros()
}

fn from_us(us: i64) -> Instant {
    DateTime::<Utc>::from_timestamp_micros(us).unwrap_or_default()
}

/// An unparsed line kept in the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnparsedLine {
    /// Source path.
    pub source: String,
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// Byte offset.
    pub offset: u64,
    /// Why it was not read.
    pub reason: String,
    /// Its text (capped).
    pub text: String,
}

/// An analyst's note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Row id.
    pub id: i64,
    /// The instant it is about.
    pub time: Instant,
    /// What the analyst wrote.
    pub text: String,
}

/// An analyst's edit of one timeline entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEdit {
    /// Identifies the entry across analyses.
    pub key: String,
    /// Kept in the timeline even when an analysis no longer produces it.
    pub pinned: bool,
    /// Left out of the timeline and the exports.
    pub hidden: bool,
    /// The text to show instead of the analysis's.
    pub rename: Option<String>,
    /// The entry as it was when edited (what a pinned entry brings back).
    pub entry: faultline_model::TimelineEntry,
}

/// An open case file.
pub struct CaseFile {
    conn: Connection,
    path: String,
    /// A [`CaseFile::temporary`] case's file, deleted when the case is dropped
    /// (declared after `conn`, so the connection closes first).
    _temporary: Option<tempfile::TempPath>,
    /// Taken around every write, and shared with the case's other connection
    /// ([`CaseFile::open_beside`]): the writes of the two take turns in the
    /// process instead of polling SQLite's lock, which a flood of spilled
    /// batches would hold almost without a gap.
    write_gate: gate::WriteGate,
}

impl CaseFile {
    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source: e }
    }

    fn writing(&self) -> gate::Turn<'_> {
        self.write_gate.enter()
    }

    fn corrupt(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt { path: self.path.clone(), detail: detail.into() }
    }
}

#[cfg(test)]
mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buffer::UNPARSED_KEPT;
    use crate::fixtures::{request, stored, summary};
    use faultline_model::{flags, EventSink, HttpRequest, Level, LogRecord, OwnedRecord, Span, Unparsed};

    fn t(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_written_source_reads_back_with_counts_and_only_notable_records() {
        let dir = tempfile::tempdir().unwrap();
        let case = CaseFile::open(&dir.path().join("c.faultline")).unwrap();
        let mut buf = IngestBuffer::new("/logs/access.log");
        let base = t("2026-11-17T08:27:00Z");
        buf.record(&request(base, 1, 200)).unwrap();
        buf.record(&request(base, 2, 500)).unwrap();
        buf.record(&request(base + chrono::Duration::seconds(1), 3, 404)).unwrap();
        let mut s = summary("/logs/access.log");
        s.records = buf.record_count();
        case.begin_source(&s).unwrap();
        case.write_source(&s, &[], &buf).unwrap();

        let data = case.load(None, None).unwrap();
        assert_eq!(data.sources.len(), 1);
        assert_eq!(data.counts.len(), 2);
        assert_eq!((data.counts[0].total, data.counts[0].http_5xx, data.counts[0].errors), (2, 1, 1));
        assert_eq!(data.counts[1].http_4xx, 1);
        assert_eq!(data.notable.len(), 1, "only the 500 is kept in full");
        assert_eq!(data.notable[0].record.span.line, 2);
        assert_eq!(data.notable[0].record.status, Some(500));
        assert_eq!(&*data.notable[0].file, "/logs/access.log");
        assert!(case.sources().unwrap()[0].summary.complete);
    }

    #[test]
    fn client_errors_are_kept_only_in_minutes_where_they_are_a_large_share() {
        let dir = tempfile::tempdir().unwrap();
        let case = CaseFile::open(&dir.path().join("c.faultline")).unwrap();
        let mut buf = IngestBuffer::new("/logs/access.log");
        let base = t("2026-11-17T08:00:00Z");
        let mut line = 0;
        // (minute, requests, of which 404): ordinary 404s (4 %), an auth
        // service failing closed (75 %), and the file's last minute (80 %),
        // which no later record settles.
        for (minute, requests, not_found) in [(0, 50, 2), (1, 20, 15), (2, 10, 8)] {
            for k in 0..requests {
                line += 1;
                let at = base + chrono::Duration::seconds(minute * 60 + k);
                buf.record(&request(at, line, if k < not_found { 404 } else { 200 })).unwrap();
            }
        }
        let mut s = summary("/logs/access.log");
        s.records = buf.record_count();
        case.begin_source(&s).unwrap();
        case.write_source(&s, &[], &buf).unwrap();

        let data = case.load(None, None).unwrap();
        assert_eq!(data.counts.iter().map(|c| u64::from(c.http_4xx)).sum::<u64>(), 25, "every 404 is counted");
        let kept: Vec<(u64, Option<u16>)> =
            data.notable.iter().map(|n| (n.record.span.line, n.record.status)).collect();
        assert_eq!(kept.len(), 23, "{kept:?}");
        assert!(kept.iter().all(|&(l, s)| l > 50 && s == Some(404)), "{kept:?}");
    }

    #[test]
    fn records_spilled_while_reading_count_only_once_the_source_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let case = CaseFile::open(&dir.path().join("c.faultline")).unwrap();
        let base = t("2026-11-17T08:27:00Z");
        let mut buf = IngestBuffer::new("/logs/access.log");
        let mut s = summary("/logs/access.log");
        case.begin_source(&s).unwrap();
        for i in 0..6u64 {
            buf.record(&request(base + chrono::Duration::seconds(i as i64), i + 1, 500)).unwrap();
            if i == 3 {
                let batch = buf.take_notable();
                assert_eq!(batch.len(), 4);
                case.spill_records("/logs/access.log", &batch).unwrap();
            }
        }
        assert_eq!(buf.notable_len(), 2);
        // Killed here: the source is incomplete and its spilled records are not read.
        let data = case.load(None, None).unwrap();
        assert!(!case.sources().unwrap()[0].summary.complete);
        assert!(data.notable.is_empty(), "{} records of an incomplete source", data.notable.len());

        s.records = buf.record_count();
        case.write_source(&s, &[], &buf).unwrap();
        let lines: Vec<u64> = case.load(None, None).unwrap().notable.iter().map(|n| n.record.span.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5, 6]);
        // A re-read starts over: nothing of the old read is mixed in.
        case.begin_source(&s).unwrap();
        let again = IngestBuffer::new("/logs/access.log");
        case.write_source(&s, &[], &again).unwrap();
        assert!(case.load(None, None).unwrap().notable.is_empty());
        assert!(case.spill_records("/logs/access.log", &NotableBatch::default()).is_err(), "not being read");
    }

    #[test]
    fn a_buffer_given_the_whole_stream_hands_its_records_on_in_batches() {
        use std::sync::{Arc, Mutex};
        let base = t("2026-11-17T08:27:00Z");
        let batches = Arc::new(Mutex::new(Vec::new()));
        let taken = batches.clone();
        let hook = SpillHook(Arc::new(move |b: NotableBatch| {
            taken.lock().unwrap().push(b.len());
            Ok(())
        }));
        let n = (2 * SPILL_AT + 10) as u64;
        let mut whole = IngestBuffer::new("a.log").with_spill(hook.clone());
        whole.whole_stream();
        let mut part = IngestBuffer::new("a.log").with_spill(hook);
        for i in 0..n {
            whole.record(&request(base, i + 1, 500)).unwrap();
            part.record(&request(base, i + 1, 500)).unwrap();
        }
        assert_eq!(*batches.lock().unwrap(), vec![SPILL_AT, SPILL_AT]);
        assert_eq!(whole.notable_len(), 10);
        assert_eq!(part.notable_len(), n as usize, "a part keeps its records until it is joined");

        // A hook that cannot take them gives them back, in order.
        let refuse = SpillHook(Arc::new(Err));
        let mut kept = IngestBuffer::new("a.log").with_spill(refuse);
        kept.whole_stream();
        for i in 0..n {
            kept.record(&request(base, i + 1, 500)).unwrap();
        }
        assert_eq!(kept.notable_len(), n as usize);
        let dir = tempfile::tempdir().unwrap();
        let case = CaseFile::open(&dir.path().join("c.faultline")).unwrap();
        let s = summary("a.log");
        case.begin_source(&s).unwrap();
        case.write_source(&s, &[], &kept).unwrap();
        let lines: Vec<u64> = case.load(None, None).unwrap().notable.iter().map(|r| r.record.span.line).collect();
        assert_eq!(lines, (1..=n).collect::<Vec<_>>());
    }

    #[test]
    fn fields_that_are_not_part_of_the_text_are_stored_too() {
        // A JSON log's host and service are decoded values, not slices of the line.
        let dir = tempfile::tempdir().unwrap();
        let case = CaseFile::open(&dir.path().join("c.faultline")).unwrap();
        let host = String::from("web-7");
        let service = String::from("checkout");
        let text = String::from(
            r#"{"ts":"2026-11-17T08:27:00Z","level":"error","msg":"payment \"declined\"","host":"web-7"}"#,
        );
        let message = String::from(r#"payment "declined""#);
        let r = LogRecord {
            time: t("2026-11-17T08:27:00Z"),
            span: Span { line: 7, offset: 700, len: 90, lines: 1 },
            level: Some(Level::Error),
            http: Some(HttpRequest {
                status: 503,
                method: Some(&text[2..4]),
                path: Some("/pay"),
                client: None,
                ..Default::default()
            }),
            host: Some(&host),
            service: Some(&service),
            message: &message,
            text: &text,
            flags: 0,
        };
        let mut buf = IngestBuffer::new("/logs/app.json");
        buf.record(&r).unwrap();
        let s = summary("/logs/app.json");
        case.begin_source(&s).unwrap();
        case.write_source(&s, &[], &buf).unwrap();
        let data = case.load(None, None).unwrap();
        assert_eq!(data.notable.len(), 1);
        assert_eq!(data.notable[0].record, OwnedRecord::from(&r));
    }

    #[test]
    fn buffers_of_consecutive_chunks_absorbed_in_order_store_what_one_buffer_would() {
        let base = t("2026-11-17T08:27:00Z");
        let recs: Vec<_> = (0..9u64)
            .map(|i| {
                request(base + chrono::Duration::seconds((i / 2) as i64), i + 1, if i % 3 == 0 { 500 } else { 200 })
            })
            .collect();
        let mut whole = IngestBuffer::new("a.log");
        for r in &recs {
            whole.record(r).unwrap();
        }
        let mut joined = IngestBuffer::new("a.log");
        for part in recs.chunks(3) {
            let mut b = IngestBuffer::new("a.log");
            for r in part {
                b.record(r).unwrap();
            }
            joined.absorb(b, flags::OUT_OF_ORDER);
        }
        let (a, b) = (stored(&whole), stored(&joined));
        assert_eq!(a.counts, b.counts);
        assert_eq!(a.counts.iter().map(|c| c.total).sum::<u32>(), 9);
        assert_eq!(b.notable.len(), 3);
        // The join flags land on each chunk's first record (lines 1, 4, 7 start chunks and are the 500s).
        let flagged: Vec<u64> = b
            .notable
            .iter()
            .filter(|n| n.record.flags & flags::OUT_OF_ORDER != 0)
            .map(|n| n.record.span.line)
            .collect();
        assert_eq!(flagged, [1, 4, 7]);
        assert!(a.notable.iter().all(|n| n.record.flags == 0));
        assert_eq!((joined.record_count(), joined.range()), (whole.record_count(), whole.range()));
    }

    #[test]
    fn a_minute_of_4xx_split_between_parts_is_judged_whole() {
        // (minute, requests, of which 401, spread through the minute): ordinary,
        // a surge (6 in 30), ordinary, and a surge in the file's last minute.
        let base = t("2026-11-17T08:00:00Z");
        let mut recs = Vec::new();
        for (minute, requests, denied) in [(0i64, 40u64, 1u64), (1, 30, 6), (2, 40, 2), (3, 12, 7)] {
            for k in 0..requests {
                let at = base + chrono::Duration::seconds(minute * 60 + k as i64);
                let status = if (k * denied) % requests < denied { 401 } else { 200 };
                recs.push(request(at, recs.len() as u64 + 1, status));
            }
        }
        let kept = |buf: &IngestBuffer| {
            let mut lines: Vec<u64> = stored(buf).notable.iter().map(|n| n.record.span.line).collect();
            lines.sort_unstable();
            lines
        };
        let mut whole = IngestBuffer::new("a.log");
        whole.whole_stream();
        for r in &recs {
            whole.record(r).unwrap();
        }
        let expected = kept(&whole);
        assert_eq!(expected.len(), 13, "the two surges, not the ordinary 401s: {expected:?}");
        assert!(expected.iter().all(|&l| (41..=70).contains(&l) || l > 110), "{expected:?}");
        // However the file is cut into parts, the parts joined keep the same records.
        // Whole-stream parts are the files of a rotated set, read one after another.
        for (size, files) in (1..=recs.len()).flat_map(|size| [(size, false), (size, true)]) {
            let mut joined = IngestBuffer::new("a.log");
            for part in recs.chunks(size) {
                let mut b = IngestBuffer::new("a.log");
                if files {
                    joined.spill_notable();
                    b.whole_stream();
                }
                for r in part {
                    b.record(r).unwrap();
                }
                joined.absorb(b, flags::OUT_OF_ORDER);
                // A part of unparsed lines only does not end the minute either.
                joined.absorb(IngestBuffer::new("a.log"), flags::OUT_OF_ORDER);
            }
            assert_eq!(kept(&joined), expected, "parts of {size} records (files: {files})");
        }
    }

    #[test]
    fn a_spill_in_the_middle_of_a_minute_does_not_cut_its_4xx_in_two() {
        use std::sync::{Arc, Mutex};
        // An outage's flood of 500s fills a batch while the next minute's
        // 401s (8 of 40, one in five) are still coming: the batch is handed
        // on after the first two.
        let base = t("2026-11-17T08:00:00Z");
        let mut recs: Vec<_> = (0..SPILL_AT as u64 - 2).map(|i| request(base, i + 1, 500)).collect();
        for k in 0..40u64 {
            let status = match k % 5 {
                0 => 401,
                1 => 500,
                _ => 200,
            };
            recs.push(request(base + chrono::Duration::seconds(60 + k as i64), recs.len() as u64 + 1, status));
        }
        let kept_401s = |parts: &[&[LogRecord<'_>]], whole_stream: bool| {
            let spilled = Arc::new(Mutex::new(Vec::new()));
            let into = spilled.clone();
            let hook = SpillHook(Arc::new(move |b: NotableBatch| {
                into.lock().unwrap().extend(b.0.iter().map(|(_, r)| (r.span.line, r.status)));
                Ok(())
            }));
            let mut buf = IngestBuffer::new("a.log").with_spill(hook);
            if whole_stream {
                buf.whole_stream();
                parts.iter().flat_map(|p| p.iter()).for_each(|r| assert!(buf.record(r).unwrap()));
            } else {
                for part in parts {
                    let mut b = IngestBuffer::new("a.log");
                    part.iter().for_each(|r| assert!(b.record(r).unwrap()));
                    buf.absorb(b, 0);
                    buf.spill_if_full();
                }
            }
            let mut kept = spilled.lock().unwrap().clone();
            kept.extend(buf.notable.iter().map(|(_, r)| (r.span.line, r.status)));
            kept.extend(buf.client_errors_to_write().flatten().map(|(_, r)| (r.span.line, r.status)));
            let mut lines: Vec<u64> = kept.iter().filter(|(_, s)| *s == Some(401)).map(|(l, _)| *l).collect();
            lines.sort_unstable();
            lines
        };
        let all: Vec<u64> = recs.iter().filter(|r| r.http.unwrap().status == 401).map(|r| r.span.line).collect();
        assert_eq!(all.len(), 8);
        assert_eq!(kept_401s(&[&recs], true), all, "one pass");
        // Cut where the join fills the batch: two 401s before it, six after.
        let (a, b) = recs.split_at(SPILL_AT - 2 + 7);
        assert_eq!(kept_401s(&[a, b], false), all, "two parts");
    }

    #[test]
    fn a_log_stores_counts_and_grouped_records_read_back_as_the_records_would() {
        let case = CaseFile::in_memory().unwrap();
        let base = t("2026-11-17T08:27:04Z");
        let mut buf = IngestBuffer::new("clickhouse://127.0.0.1:8123/logs.app/nginx");
        buf.add_counts(base.timestamp(), 120, 41, 40, 2, 0, base, base + chrono::Duration::milliseconds(900));
        // 40 alike 500s of that second: the first stands for 39, the last for itself.
        buf.add_notable(&request(base, 0, 500), 39);
        buf.add_notable(&request(base + chrono::Duration::milliseconds(900), 0, 500), 1);
        assert_eq!(buf.record_count(), 120, "counted by the store, not by the records");
        let mut s = summary("clickhouse://127.0.0.1:8123/logs.app/nginx");
        s.records = buf.record_count();
        case.begin_source(&s).unwrap();
        case.write_source(&s, &[], &buf).unwrap();
        let mut seen = 0;
        let data = case.load_window_with(None, None, None, |_, _| {
            seen += 1;
            false
        });
        let data = data.unwrap();
        assert_eq!(seen, 40, "each record the rows stand for is handed on");
        assert_eq!(data.counts.len(), 1);
        assert_eq!((data.counts[0].total, data.counts[0].errors, data.counts[0].http_5xx), (120, 41, 40));
        assert_eq!(case.load(None, None).unwrap().notable.len(), 40);
    }

    #[test]
    fn a_source_begun_but_never_written_is_reported_incomplete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.faultline");
        {
            let case = CaseFile::open(&path).unwrap();
            case.begin_source(&summary("/logs/a.log")).unwrap();
        }
        let case = CaseFile::open(&path).unwrap();
        let sources = case.sources().unwrap();
        assert_eq!(sources.len(), 1);
        assert!(!sources[0].summary.complete);
    }

    #[test]
    fn a_case_from_a_newer_faultline_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.faultline");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("PRAGMA user_version = 99").unwrap();
        }
        let err = CaseFile::open(&path).err().unwrap().to_string();
        assert!(err.contains("schema version 99"), "{err}");
        assert!(err.contains("c.faultline"), "{err}");
    }

    #[test]
    fn notes_are_kept_in_time_order() {
        let case = CaseFile::in_memory().unwrap();
        case.add_note(t("2026-11-17T10:05:00Z"), "cause identified").unwrap();
        let first = case.add_note(t("2026-11-17T09:00:00Z"), "paged").unwrap();
        let notes = case.notes().unwrap();
        assert_eq!(notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(), ["paged", "cause identified"]);
        assert!(case.delete_note(first.id).unwrap());
        assert_eq!(case.notes().unwrap().len(), 1);
    }

    #[test]
    fn unparsed_lines_are_counted_all_and_kept_up_to_the_cap() {
        let mut buf = IngestBuffer::new("f.log");
        for i in 0..(UNPARSED_KEPT as u64 + 50) {
            buf.unparsed(&Unparsed { line: i + 1, offset: i * 10, text: b"garbage", reason: "no timestamp" }).unwrap();
        }
        assert_eq!(buf.unparsed_count(), UNPARSED_KEPT as u64 + 50);
        let case = CaseFile::in_memory().unwrap();
        let s = summary("f.log");
        case.begin_source(&s).unwrap();
        case.write_source(&s, &[], &buf).unwrap();
        assert_eq!(case.unparsed_lines(10_000).unwrap().len(), UNPARSED_KEPT);
    }

    #[test]
    fn a_sources_clock_offset_is_stored_with_it_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.faultline");
        {
            let case = CaseFile::open(&path).unwrap();
            let mut s = summary("/exports/tickets.csv");
            s.clock_offset_ms = 40_000;
            case.begin_source(&s).unwrap();
            assert_eq!(case.sources().unwrap()[0].summary.clock_offset_ms, 40_000, "while it is being read");
            case.write_source(&s, &[], &IngestBuffer::new("/exports/tickets.csv")).unwrap();
        }
        let case = CaseFile::open(&path).unwrap();
        assert_eq!(case.sources().unwrap()[0].summary.clock_offset_ms, 40_000);
        assert_eq!(case.load(None, None).unwrap().sources[0].clock_offset_ms, 40_000);
    }

    #[test]
    fn clients_are_named_from_the_records_of_complete_sources_in_a_window() {
        let case = CaseFile::in_memory().unwrap();
        let base = t("2026-11-17T08:27:00Z");
        let mut buf = IngestBuffer::new("/logs/access.log");
        buf.record(&request(base, 1, 500)).unwrap();
        buf.record(&request(base + chrono::Duration::seconds(60), 2, 502)).unwrap();
        let s = summary("/logs/access.log");
        case.begin_source(&s).unwrap();
        case.write_source(&s, &[], &buf).unwrap();
        // A source still being read keeps its records out.
        case.begin_source(&summary("/logs/other.log")).unwrap();
        let mut other = IngestBuffer::new("/logs/other.log");
        other.record(&request(base, 1, 500)).unwrap();
        case.spill_records("/logs/other.log", &other.take_notable()).unwrap();
        let mut seen = Vec::new();
        case.for_each_client(base, base + chrono::Duration::seconds(30), |c| {
            seen.push(c.to_string());
            true
        })
        .unwrap();
        assert_eq!(seen, ["10.0.0.1"]);
    }
}
