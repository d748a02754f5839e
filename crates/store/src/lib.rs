//! The case file: one SQLite database (bundled SQLite, WAL) per investigation.
//!
//! A case keeps what the analysis needs and nothing the raw files already
//! hold: the inputs ([`SourceMeta`], with sizes, mtimes and hashes so a
//! re-opened case re-parses only what changed), per-second counts, the
//! notable records with the file and byte offset of their raw text, the
//! changes/messages/alerts, the first unparsed lines, and the analyst's notes.
//!
//! Ingest fills an [`IngestBuffer`] (an [`EventSink`]) per source, off any
//! lock; its notable records go to the case in batches while the file is
//! read ([`IngestBuffer::take_notable`], [`CaseFile::spill_records`]) and
//! [`CaseFile::write_source`] stores the rest in one transaction that marks
//! the source complete. The source row is first written as incomplete in its
//! own transaction, so a process killed mid-ingest leaves a case that opens
//! and says which sources are incomplete, and whose records are not read.
#![deny(missing_docs)]

use chrono::{DateTime, Utc};
use faultline_model::{
    is_notable, Alert, CaseData, Change, EventSink, Instant, Level, Located, LogRecord, NotableRecord, OwnedRecord,
    SecondCount, SinkError, SourceKind, SourceSummary, Span, SupportMessage, Unparsed,
};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod identity;
pub use identity::APPLICATION_ID;

/// The migrations, in order; `PRAGMA user_version` says how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_timeline_edits.sql"),
    include_str!("../migrations/0003_store_sources.sql"),
    include_str!("../migrations/0004_clock_offsets.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// How many unparsed lines of a source are kept verbatim for the report.
const UNPARSED_KEPT: usize = 200;

/// A minute's 4xx responses are kept as notable records when they are at
/// least this share (per cent) of the file's records in that minute…
const CLIENT_ERROR_SHARE_PERCENT: u64 = 10;
/// …and at least this many. Ordinary 404s (a few per cent of a day's
/// requests) are only counted; a surge (an auth service failing closed) or a
/// crawler's burst is kept, for the analysis to tell apart by their clients.
const CLIENT_ERROR_MIN: u64 = 5;

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
#[derive(Debug, Clone)]
pub struct SourceMeta {
    /// Row id.
    pub id: i64,
    /// The summary shown to the user.
    pub summary: SourceSummary,
    /// The files behind it.
    pub files: Vec<FileStamp>,
    /// False when ingest did not finish writing it.
    pub complete: bool,
}

fn to_us(t: Instant) -> i64 {
    t.timestamp_micros()
}

fn from_us(us: i64) -> Instant {
    DateTime::<Utc>::from_timestamp_micros(us).unwrap_or_default()
}

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Trace => "trace",
        Level::Debug => "debug",
        Level::Info => "info",
        Level::Notice => "notice",
        Level::Warn => "warn",
        Level::Error => "error",
        Level::Critical => "critical",
    }
}

/// Per-second counters of one second.
#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    total: u32,
    errors: u32,
    http_5xx: u32,
    http_4xx: u32,
    warnings: u32,
}

impl Counters {
    fn add(&mut self, o: &Counters) {
        self.total += o.total;
        self.errors += o.errors;
        self.http_5xx += o.http_5xx;
        self.http_4xx += o.http_4xx;
        self.warnings += o.warnings;
    }
}

/// A notable record as ingest holds it until it is stored: its text, and
/// each other field as a range of the text when it is part of it (an access
/// log's method, path, client, agent and request line all are) or of `extra`.
/// A third of an [`OwnedRecord`]'s eight allocations and bytes: a flood of
/// errors passes through here by the million.
#[derive(Debug, Clone)]
struct PackedRecord {
    time: Instant,
    span: Span,
    level: Option<Level>,
    status: Option<u16>,
    flags: u8,
    /// How many alike records of its second it stands for (1 but for a log store's groups).
    repeat: u32,
    text: Box<str>,
    extra: Box<str>,
    /// (start, end, in `extra`) of method, path, client, user agent, host, service, message.
    fields: [Option<(u32, u32, bool)>; 7],
}

const F_METHOD: usize = 0;
const F_PATH: usize = 1;
const F_CLIENT: usize = 2;
const F_AGENT: usize = 3;
const F_HOST: usize = 4;
const F_SERVICE: usize = 5;
const F_MESSAGE: usize = 6;

impl PackedRecord {
    fn new(r: &LogRecord<'_>) -> PackedRecord {
        let http = r.http.as_ref();
        let all = [
            http.and_then(|h| h.method),
            http.and_then(|h| h.path),
            http.and_then(|h| h.client),
            http.and_then(|h| h.user_agent),
            r.host,
            r.service,
            Some(r.message),
        ];
        let base = r.text.as_ptr() as usize;
        let mut extra = String::new();
        let mut fields = [None; 7];
        for (slot, field) in fields.iter_mut().zip(all) {
            let Some(f) = field else { continue };
            let at = (f.as_ptr() as usize).wrapping_sub(base);
            *slot = if at <= r.text.len() && f.len() <= r.text.len() - at {
                Some((at as u32, (at + f.len()) as u32, false))
            } else {
                let start = extra.len();
                extra.push_str(f);
                Some((start as u32, extra.len() as u32, true))
            };
        }
        PackedRecord {
            time: r.time,
            span: r.span,
            level: r.level,
            status: http.map(|h| h.status),
            flags: r.flags,
            repeat: 1,
            text: r.text.into(),
            extra: extra.into_boxed_str(),
            fields,
        }
    }

    fn field(&self, i: usize) -> Option<&str> {
        let (a, b, in_extra) = self.fields.get(i).copied().flatten()?;
        let from = if in_extra { &self.extra } else { &self.text };
        from.get(a as usize..b as usize)
    }
}

/// Notable records handed out by [`IngestBuffer::take_notable`], to be
/// stored by [`CaseFile::spill_records`].
#[derive(Debug, Default)]
pub struct NotableBatch(Vec<(std::sync::Arc<str>, PackedRecord)>);

impl NotableBatch {
    /// How many records.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How many notable records a buffer with a [`SpillHook`] holds before it
/// hands them on: a few MiB, however many errors the file has.
pub const SPILL_AT: usize = 4096;

/// Where a buffer hands its notable records once it holds [`SPILL_AT`] (see
/// [`IngestBuffer::with_spill`]); `Err` gives them back to be kept.
#[derive(Clone)]
pub struct SpillHook(pub std::sync::Arc<dyn Fn(NotableBatch) -> Result<(), NotableBatch> + Send + Sync>);

impl std::fmt::Debug for SpillHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpillHook")
    }
}

/// Collects what one source's parse produced, ready to be written.
#[derive(Debug, Default)]
pub struct IngestBuffer {
    /// Shared by every notable record of the file (a day's log has tens of thousands).
    file: std::sync::Arc<str>,
    counts: BTreeMap<i64, Counters>,
    /// The second being counted: consecutive records nearly always share it,
    /// so the map is touched once per second, not once per line.
    current: Option<(i64, Counters)>,
    notable: Vec<(std::sync::Arc<str>, PackedRecord)>,
    /// Index in `notable` of the first record, when it was notable (see [`IngestBuffer::absorb`]).
    first_notable: Option<usize>,
    /// The 4xx responses of the minute being read, until it is over and
    /// [`IngestBuffer::settle_client_errors`] keeps or drops them.
    client_errors: Vec<(std::sync::Arc<str>, PackedRecord)>,
    /// The minute (unix seconds / 60) `client_errors` are of.
    client_error_minute: i64,
    /// The first record was a 4xx response: `client_errors[0]`.
    first_is_client_error: bool,
    changes: Vec<(String, Change)>,
    messages: Vec<(String, SupportMessage)>,
    alerts: Vec<(String, Alert)>,
    unparsed: Vec<(String, u64, u64, &'static str, String)>,
    unparsed_total: u64,
    records_total: u64,
    first: Option<Instant>,
    last: Option<Instant>,
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    progress: Option<ProgressHook>,
    records_reported: u64,
    /// A `--from/--to` read: where it stops, and the disorder it tolerates.
    window: Option<(Option<Instant>, chrono::Duration)>,
    window_stop: Option<WindowStop>,
    spill: Option<SpillHook>,
    /// Gets the whole stream ([`EventSink::whole_stream`]): may spill as it goes.
    whole_stream: bool,
}

/// Why a window read (see [`IngestBuffer::with_window`]) stopped before the
/// end of its file. Not a cancellation: the reading is done, or must be
/// done another way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStop {
    /// A record was later than the window's end: what follows is outside it.
    Passed,
    /// A record was earlier than one before it by more than the slack: the
    /// file is not in time order, so the part skipped may hold window records.
    Unsorted,
}

/// Told how far a parse got: `(bytes read in the file, records since the last call)`.
/// Parsers call [`EventSink::progress`] now and then (about once a MiB), not per line.
#[derive(Clone)]
pub struct ProgressHook(pub std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

impl IngestBuffer {
    /// An empty buffer; records are attributed to `file` until [`IngestBuffer::set_file`].
    pub fn new(file: impl Into<String>) -> Self {
        IngestBuffer { file: file.into().into(), ..Default::default() }
    }

    /// Stops the parse (the sink returns `false`) once `flag` is set.
    pub fn with_cancel(mut self, flag: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Reports the parser's progress calls to `hook` (the desktop's per-file progress bar).
    pub fn with_progress(mut self, hook: ProgressHook) -> Self {
        self.progress = Some(hook);
        self
    }

    /// Hands the notable records to `hook` in batches of [`SPILL_AT`]: as they
    /// come when the buffer gets a whole stream, else when
    /// [`IngestBuffer::spill_if_full`] is called (on the buffer parts of a
    /// file are joined into: a part's records may still take join flags).
    pub fn with_spill(mut self, hook: SpillHook) -> Self {
        self.spill = Some(hook);
        self
    }

    /// Spills the notable records held when they are a batch. Only for a
    /// buffer nothing will be joined to (see [`IngestBuffer::with_spill`]).
    pub fn spill_if_full(&mut self) {
        if self.notable.len() >= SPILL_AT {
            self.spill_held();
        }
    }

    /// Spills every notable record held, however few: before the next file
    /// of a rotated set is read, whose whole-stream buffer spills on its own,
    /// so the case stores a source's records in file order.
    pub fn spill_held(&mut self) {
        if !self.client_errors.is_empty() {
            self.settle_client_errors();
        }
        if self.notable.is_empty() {
            return;
        }
        if let Some(hook) = self.spill.clone() {
            if let Err(back) = (hook.0)(self.take_notable()) {
                // Nobody to take them: kept for write_source rather than lost.
                self.put_back_notable(back);
            }
        }
    }

    /// Makes this a window read of a file in time order give or take
    /// `slack`: the parse stops at the first record later than `end` (not
    /// kept), or at the first record earlier than one before it by more than
    /// `slack` (the order the read relies on does not hold). Either way
    /// [`IngestBuffer::window_stop`] says so, and `cancel` stays a separate thing.
    pub fn with_window(mut self, end: Option<Instant>, slack: chrono::Duration) -> Self {
        self.window = Some((end, slack));
        self
    }

    /// Why a window read stopped, if it did.
    pub fn window_stop(&self) -> Option<WindowStop> {
        self.window_stop
    }

    /// Attributes the following records to another file (next member of a rotated set).
    pub fn set_file(&mut self, file: impl Into<String>) {
        self.file = file.into().into();
    }

    /// Records seen (all kinds).
    pub fn record_count(&self) -> u64 {
        self.records_total
    }

    /// Unparsed lines seen.
    pub fn unparsed_count(&self) -> u64 {
        self.unparsed_total
    }

    /// Earliest and latest instants seen.
    pub fn range(&self) -> (Option<Instant>, Option<Instant>) {
        (self.first, self.last)
    }

    /// Adds counts a log store computed for one second (or a longer bucket,
    /// counted at its first second): `total` records between `first` and
    /// `last`. The store's notable records come through
    /// [`IngestBuffer::add_notable`], so nothing is counted twice.
    #[allow(clippy::too_many_arguments)]
    pub fn add_counts(
        &mut self,
        second: i64,
        total: u32,
        errors: u32,
        http_5xx: u32,
        http_4xx: u32,
        warnings: u32,
        first: Instant,
        last: Instant,
    ) {
        let c = Counters { total, errors, http_5xx, http_4xx, warnings };
        self.counts.entry(second).or_default().add(&c);
        self.records_total += u64::from(total);
        if self.first.is_none_or(|f| first < f) {
            self.first = Some(first);
        }
        if self.last.is_none_or(|l| last > l) {
            self.last = Some(last);
        }
    }

    /// Keeps a notable record a log store sent, standing for `repeat` alike
    /// records of its second (itself included), without counting it: the
    /// store's counts come through [`IngestBuffer::add_counts`].
    pub fn add_notable(&mut self, r: &LogRecord<'_>, repeat: u32) {
        let mut packed = PackedRecord::new(r);
        packed.repeat = repeat.max(1);
        self.notable.push((self.file.clone(), packed));
    }

    fn seen(&mut self, t: Instant) {
        self.records_total += 1;
        if self.first.is_none_or(|f| t < f) {
            self.first = Some(t);
        }
        if self.last.is_none_or(|l| t > l) {
            self.last = Some(t);
        }
    }

    /// What has been counted so far, summed into `bucket_s`-second buckets
    /// (`second` is each bucket's start, `source` 0): a preview of the chart
    /// while a big file is still being read, small whatever the file's size.
    pub fn bucket_counts(&self, bucket_s: i64) -> Vec<SecondCount> {
        let b = bucket_s.max(1);
        let mut out: Vec<SecondCount> = Vec::new();
        for (sec, c) in self.counts.iter().chain(self.current.as_ref().map(|(s, c)| (s, c))) {
            let start = sec.div_euclid(b) * b;
            // Seconds come in order except `current`, which may sort anywhere.
            let at = match out.last() {
                Some(last) if last.second == start => out.len() - 1,
                _ => match out.binary_search_by_key(&start, |x| x.second) {
                    Ok(i) => i,
                    Err(i) => {
                        out.insert(i, SecondCount { second: start, ..Default::default() });
                        i
                    }
                },
            };
            let x = &mut out[at];
            x.total += c.total;
            x.errors += c.errors;
            x.http_5xx += c.http_5xx;
            x.http_4xx += c.http_4xx;
            x.warnings += c.warnings;
        }
        out
    }

    /// Notable records collected and not yet taken.
    pub fn notable_len(&self) -> usize {
        self.notable.len()
    }

    /// Hands out the notable records collected so far, to be stored now
    /// ([`CaseFile::spill_records`]) rather than held until the whole file is
    /// read: a log that is mostly errors has millions. Only for the buffer
    /// the parts of a file are joined into (see [`IngestBuffer::absorb`]),
    /// whose records take no more join flags.
    pub fn take_notable(&mut self) -> NotableBatch {
        self.first_notable = None;
        NotableBatch(std::mem::take(&mut self.notable))
    }

    /// Gives back records [`IngestBuffer::take_notable`] handed out and
    /// that could not be stored: they go before the ones collected since.
    fn put_back_notable(&mut self, NotableBatch(mut records): NotableBatch) {
        records.append(&mut self.notable);
        self.notable = records;
    }

    /// Every per-second count, the second being counted included.
    fn all_counts(&self) -> std::borrow::Cow<'_, BTreeMap<i64, Counters>> {
        match &self.current {
            None => std::borrow::Cow::Borrowed(&self.counts),
            Some((sec, c)) => {
                let mut all = self.counts.clone();
                all.entry(*sec).or_default().add(c);
                std::borrow::Cow::Owned(all)
            }
        }
    }

    /// Appends what another buffer collected from the next part of the same
    /// file (a chunk parsed in parallel), as if its records had come after
    /// this buffer's. `first_flags` are added to its first record (ordering
    /// flags only the join of the two parts can tell).
    pub fn absorb(&mut self, other: IngestBuffer, first_flags: u8) {
        if !self.client_errors.is_empty() {
            self.settle_client_errors();
        }
        let IngestBuffer {
            counts,
            current,
            mut notable,
            first_notable,
            mut client_errors,
            client_error_minute,
            first_is_client_error,
            changes,
            messages,
            alerts,
            unparsed,
            unparsed_total,
            records_total,
            first,
            last,
            window_stop,
            ..
        } = other;
        // Disorder across the join: the part's earliest record against the latest before it.
        if let (Some((_, slack)), Some(latest), Some(earliest)) = (self.window, self.last, first) {
            if earliest + slack < latest {
                self.window_stop.get_or_insert(WindowStop::Unsorted);
            }
        }
        if let Some(stop) = window_stop {
            self.window_stop.get_or_insert(stop);
        }
        if let Some(i) = first_notable {
            if let Some((_, r)) = notable.get_mut(i) {
                r.flags |= first_flags;
            }
        }
        if first_is_client_error {
            if let Some((_, r)) = client_errors.first_mut() {
                r.flags |= first_flags;
            }
        }
        // The part's last minute goes on being read after the join.
        self.client_errors = client_errors;
        self.client_error_minute = client_error_minute;
        if self.records_total == 0 {
            self.first_notable = first_notable.map(|i| i + self.notable.len());
            self.first_is_client_error = first_is_client_error;
        }
        for (sec, c) in counts.iter().chain(current.as_ref().map(|(s, c)| (s, c))) {
            match &mut self.current {
                Some((cur, cc)) if cur == sec => cc.add(c),
                _ => self.counts.entry(*sec).or_default().add(c),
            }
        }
        self.notable.append(&mut notable);
        self.changes.extend(changes);
        self.messages.extend(messages);
        self.alerts.extend(alerts);
        let room = UNPARSED_KEPT.saturating_sub(self.unparsed.len());
        self.unparsed.extend(unparsed.into_iter().take(room));
        self.unparsed_total += unparsed_total;
        self.records_total += records_total;
        self.first = match (self.first, first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    fn go_on(&self) -> bool {
        !self.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Whether the 4xx responses held are a share of their minute's records
    /// worth keeping (see [`CLIENT_ERROR_SHARE_PERCENT`]).
    fn client_errors_kept(&self) -> bool {
        let m = self.client_error_minute;
        let in_minute = |sec: &i64| sec.div_euclid(60) == m;
        let counted = self
            .counts
            .range(m * 60..m * 60 + 60)
            .map(|(_, c)| c)
            .chain(self.current.as_ref().filter(|(s, _)| in_minute(s)).map(|(_, c)| c));
        let (total, client) =
            counted.fold((0u64, 0u64), |(t, c), x| (t + u64::from(x.total), c + u64::from(x.http_4xx)));
        let held = self.client_errors.len() as u64;
        held >= CLIENT_ERROR_MIN && client.max(held) * 100 >= CLIENT_ERROR_SHARE_PERCENT * total
    }

    /// Ends the minute of the 4xx responses held: they become notable
    /// records when they are a large share of it, else they stay only counted.
    fn settle_client_errors(&mut self) {
        let kept = self.client_errors_kept();
        let held = std::mem::take(&mut self.client_errors);
        let first = std::mem::take(&mut self.first_is_client_error);
        if !kept || held.is_empty() {
            return;
        }
        if first {
            self.first_notable = Some(self.notable.len());
        }
        self.notable.extend(held);
        if self.whole_stream {
            self.spill_if_full();
        }
    }

    /// The 4xx responses held that are kept, for a write that ends the file.
    fn client_errors_to_write(&self) -> &[(std::sync::Arc<str>, PackedRecord)] {
        if self.client_errors_kept() {
            &self.client_errors
        } else {
            &[]
        }
    }
}

impl EventSink for IngestBuffer {
    fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
        if let Some((end, slack)) = self.window {
            if end.is_some_and(|end| r.time > end) {
                self.window_stop = Some(WindowStop::Passed);
                return Ok(false);
            }
            if self.last.is_some_and(|latest| r.time + slack < latest) {
                self.window_stop = Some(WindowStop::Unsorted);
                return Ok(false);
            }
        }
        let first_record = self.records_total == 0;
        self.seen(r.time);
        let sec = r.time.timestamp();
        let c = match &mut self.current {
            Some((cur, c)) if *cur == sec => c,
            slot => {
                if let Some((prev, pc)) = slot.take() {
                    self.counts.entry(prev).or_default().add(&pc);
                }
                &mut slot.insert((sec, Counters::default())).1
            }
        };
        c.total += 1;
        let status = r.http.map(|h| h.status).unwrap_or(0);
        let is_error = status >= 500 || r.level.is_some_and(|l| l.is_error());
        if is_error {
            c.errors += 1;
        }
        if status >= 500 {
            c.http_5xx += 1;
        } else if (400..500).contains(&status) {
            c.http_4xx += 1;
        } else if r.level == Some(Level::Warn) {
            c.warnings += 1;
        }
        let minute = sec.div_euclid(60);
        if minute != self.client_error_minute && !self.client_errors.is_empty() {
            self.settle_client_errors();
        }
        if is_notable(r) {
            if first_record {
                self.first_notable = Some(self.notable.len());
            }
            self.notable.push((self.file.clone(), PackedRecord::new(r)));
            if self.whole_stream {
                self.spill_if_full();
            }
        } else if (400..500).contains(&status) {
            if self.client_errors.is_empty() {
                self.client_error_minute = minute;
            }
            self.first_is_client_error |= first_record;
            self.client_errors.push((self.file.clone(), PackedRecord::new(r)));
        }
        Ok(self.go_on())
    }

    fn change(&mut self, change: Change) -> Result<bool, SinkError> {
        self.seen(change.time);
        let file = change.file.clone().unwrap_or_else(|| self.file.to_string());
        self.changes.push((file, change));
        Ok(self.go_on())
    }

    fn message(&mut self, message: SupportMessage) -> Result<bool, SinkError> {
        self.seen(message.time);
        let file = message.file.clone().unwrap_or_else(|| self.file.to_string());
        self.messages.push((file, message));
        Ok(self.go_on())
    }

    fn alert(&mut self, alert: Alert) -> Result<bool, SinkError> {
        self.seen(alert.time);
        let file = alert.file.clone().unwrap_or_else(|| self.file.to_string());
        self.alerts.push((file, alert));
        Ok(self.go_on())
    }

    fn unparsed(&mut self, u: &Unparsed<'_>) -> Result<bool, SinkError> {
        self.unparsed_total += 1;
        if self.unparsed.len() < UNPARSED_KEPT {
            let text = String::from_utf8_lossy(&u.text[..u.text.len().min(2000)]).into_owned();
            self.unparsed.push((self.file.to_string(), u.line, u.offset, u.reason, text));
        }
        Ok(self.go_on())
    }

    fn whole_stream(&mut self) {
        self.whole_stream = true;
    }

    fn progress(&mut self, bytes: u64) -> Result<bool, SinkError> {
        if let Some(hook) = &self.progress {
            let new = self.records_total.saturating_sub(self.records_reported);
            self.records_reported = self.records_total;
            (hook.0)(bytes, new);
        }
        Ok(self.go_on())
    }
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
}

impl CaseFile {
    /// Opens (creating and migrating as needed) the case file at `path`.
    pub fn open(path: &Path) -> Result<CaseFile, StoreError> {
        let name = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| StoreError::Sqlite { path: name.clone(), source: e })?;
        identity::check(&conn, &name)?;
        CaseFile::init(conn, name, None)
    }

    /// A case that lives in memory only (tests).
    pub fn in_memory() -> Result<CaseFile, StoreError> {
        let conn =
            Connection::open_in_memory().map_err(|e| StoreError::Sqlite { path: ":memory:".into(), source: e })?;
        CaseFile::init(conn, ":memory:".into(), None)
    }

    /// A throwaway case in a temporary file, deleted when dropped: the case of
    /// a one-shot CLI run without `--case`. On disk rather than in memory, so
    /// the process holds only SQLite's page cache, not the whole case (which
    /// grows with the inputs: 22 MB for the 5M-line benchmark log). Nothing
    /// outlives the run, so it is written without a journal's durability.
    pub fn temporary() -> Result<CaseFile, StoreError> {
        let file = tempfile::Builder::new()
            .prefix("faultline-case-")
            .suffix(".faultline")
            .tempfile()
            .map_err(|e| StoreError::Io { path: std::env::temp_dir().display().to_string(), source: e })?;
        let path = file.into_temp_path();
        let name = path.display().to_string();
        let conn = Connection::open(&path).map_err(|e| StoreError::Sqlite { path: name.clone(), source: e })?;
        CaseFile::init(conn, name, Some(path))
    }

    /// The file of a [`CaseFile::temporary`] case (deleted when the case is dropped).
    pub fn temporary_path(&self) -> Option<&Path> {
        self._temporary.as_deref()
    }

    fn init(conn: Connection, path: String, temporary: Option<tempfile::TempPath>) -> Result<CaseFile, StoreError> {
        // A temporary case keeps its rollback journal in memory (small: a fresh
        // file's transactions only add pages) and never waits for the disk. Its
        // pages are 64 KiB: a flood of errors is a million record rows, inserted
        // 12 % faster than with 4 KiB pages (1M-line 5xx flood, 3.04 -> 2.68 s).
        // A saved case keeps SQLite's default (changing it needs a VACUUM).
        let pragmas = if temporary.is_some() {
            "PRAGMA page_size=65536; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
        } else {
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
        };
        let on_disk = temporary.is_none() && path != ":memory:";
        let case = CaseFile { conn, path, _temporary: temporary };
        case.conn.execute_batch(pragmas).map_err(|e| case.err(e))?;
        case.migrate(on_disk)?;
        identity::stamp(&case.conn, &case.path)?;
        Ok(case)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source: e }
    }

    fn corrupt(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt { path: self.path.clone(), detail: detail.into() }
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    fn migrate(&self, on_disk: bool) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: self.path.clone(), found, supported: SCHEMA_VERSION });
        }
        if on_disk && found > 0 && found < SCHEMA_VERSION {
            identity::backup(&self.conn, &self.path, found)?;
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let version = i as u32 + 1;
            let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
            tx.execute_batch(sql).map_err(|e| self.err(e))?;
            tx.execute_batch(&format!("PRAGMA user_version = {version}")).map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Every stored source, in the order they were added.
    pub fn sources(&self) -> Result<Vec<SourceMeta>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, path, kind, format, tz, records, unparsed, first_us, last_us, bytes, sha256, notes, complete,
                        clock_offset_ms
                 FROM sources ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, bool>(12)?,
                    r.get::<_, i64>(13)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, path, kind, format, tz, records, unparsed, first, last, bytes, sha256, notes, complete, offset) =
                row.map_err(|e| self.err(e))?;
            let kind = SourceKind::parse(&kind).ok_or_else(|| self.corrupt(format!("source {path}: kind {kind:?}")))?;
            let notes: Vec<String> = serde_json::from_str(&notes).unwrap_or_default();
            let files = self.source_files(id)?;
            out.push(SourceMeta {
                id,
                summary: SourceSummary {
                    path,
                    kind,
                    format,
                    records: records as u64,
                    unparsed: unparsed as u64,
                    first: first.map(from_us),
                    last: last.map(from_us),
                    tz,
                    bytes: bytes as u64,
                    sha256,
                    notes,
                    // A case may come from anyone: an offset past the CLI's own limit is not a clock.
                    clock_offset_ms: offset
                        .clamp(-faultline_model::clock::MAX_OFFSET_MS, faultline_model::clock::MAX_OFFSET_MS),
                },
                files,
                complete,
            });
        }
        Ok(out)
    }

    fn source_files(&self, id: i64) -> Result<Vec<FileStamp>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, size, mtime_ns, sha256 FROM source_files WHERE source_id = ? ORDER BY ord")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(FileStamp {
                    path: PathBuf::from(r.get::<_, String>(0)?),
                    size: r.get::<_, i64>(1)? as u64,
                    mtime_ns: r.get(2)?,
                    sha256: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Removes a source and everything read from it.
    pub fn remove_source(&self, path: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM sources WHERE path = ?", [path]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Marks a source as being (re)written: its old rows go, an incomplete row
    /// stands in its place until [`CaseFile::write_source`] commits.
    pub fn begin_source(&self, summary: &SourceSummary) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        tx.execute("DELETE FROM sources WHERE path = ?", [&summary.path]).map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO sources (path, kind, format, tz, clock_offset_ms, complete, ingested_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
            params![
                summary.path,
                summary.kind.as_str(),
                summary.format,
                summary.tz,
                summary.clock_offset_ms,
                Utc::now().to_rfc3339()
            ],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Stores a parsed source in one transaction and marks it complete.
    pub fn write_source(
        &self,
        summary: &SourceSummary,
        files: &[FileStamp],
        buffer: &IngestBuffer,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let id: i64 = tx
            .query_row("SELECT id FROM sources WHERE path = ?", [&summary.path], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.corrupt(format!("source {} was not begun", summary.path)))?;
        tx.execute(
            "UPDATE sources SET kind=?, format=?, tz=?, clock_offset_ms=?, records=?, unparsed=?, first_us=?, last_us=?, bytes=?, sha256=?, notes=?, complete=1 WHERE id=?",
            params![
                summary.kind.as_str(),
                summary.format,
                summary.tz,
                summary.clock_offset_ms,
                summary.records as i64,
                summary.unparsed as i64,
                summary.first.map(to_us),
                summary.last.map(to_us),
                summary.bytes as i64,
                summary.sha256,
                serde_json::to_string(&summary.notes).unwrap_or_else(|_| "[]".into()),
                id
            ],
        )
        .map_err(|e| self.err(e))?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO source_files (source_id, ord, path, size, mtime_ns, sha256) VALUES (?,?,?,?,?,?)",
                )
                .map_err(|e| self.err(e))?;
            for (i, f) in files.iter().enumerate() {
                st.execute(params![id, i as i64, f.path.to_string_lossy(), f.size as i64, f.mtime_ns, f.sha256])
                    .map_err(|e| self.err(e))?;
            }
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO counts (source_id, second, total, errors, http_5xx, http_4xx, warnings) VALUES (?,?,?,?,?,?,?)",
                )
                .map_err(|e| self.err(e))?;
            for (second, c) in buffer.all_counts().iter() {
                st.execute(params![id, second, c.total, c.errors, c.http_5xx, c.http_4xx, c.warnings])
                    .map_err(|e| self.err(e))?;
            }
            self.insert_records(&tx, id, &buffer.notable)?;
            self.insert_records(&tx, id, buffer.client_errors_to_write())?;
            let mut st = tx
                .prepare_cached("INSERT INTO events (source_id, kind, file, time_us, data) VALUES (?,?,?,?,?)")
                .map_err(|e| self.err(e))?;
            let json = |v: Result<String, serde_json::Error>| v.map_err(|e| self.corrupt(e.to_string()));
            for (file, c) in &buffer.changes {
                st.execute(params![id, "change", file, to_us(c.time), json(serde_json::to_string(c))?])
                    .map_err(|e| self.err(e))?;
            }
            for (file, m) in &buffer.messages {
                st.execute(params![id, "message", file, to_us(m.time), json(serde_json::to_string(m))?])
                    .map_err(|e| self.err(e))?;
            }
            for (file, a) in &buffer.alerts {
                st.execute(params![id, "alert", file, to_us(a.time), json(serde_json::to_string(a))?])
                    .map_err(|e| self.err(e))?;
            }
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO unparsed (source_id, file, line, offset, reason, text) VALUES (?,?,?,?,?,?)",
                )
                .map_err(|e| self.err(e))?;
            for (file, line, offset, reason, text) in &buffer.unparsed {
                st.execute(params![id, file, *line as i64, *offset as i64, reason, text]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Stores notable records of a source being read (begun with
    /// [`CaseFile::begin_source`], not yet written) ahead of the rest, so
    /// ingest holds a bounded number in memory. They count only once
    /// [`CaseFile::write_source`] marks the source complete.
    pub fn spill_records(&self, source_path: &str, records: &NotableBatch) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let id: i64 = tx
            .query_row("SELECT id FROM sources WHERE path = ? AND complete = 0", [source_path], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.corrupt(format!("source {source_path} is not being read")))?;
        self.insert_records(&tx, id, &records.0)?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Deletes the records stored ahead for a source being read: its read
    /// starts over (a `--from/--to` read that must read the whole file after all).
    pub fn discard_spilled(&self, source_path: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "DELETE FROM records WHERE source_id = (SELECT id FROM sources WHERE path = ? AND complete = 0)",
                [source_path],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn insert_records(
        &self,
        tx: &rusqlite::Transaction<'_>,
        id: i64,
        records: &[(std::sync::Arc<str>, PackedRecord)],
    ) -> Result<(), StoreError> {
        let mut st = tx
            .prepare_cached(
                "INSERT INTO records (source_id, file, time_us, line, offset, len, lines, level, status, method, path, client, user_agent, host, service, message, text, flags, repeat)
                 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            )
            .map_err(|e| self.err(e))?;
        for (file, r) in records {
            st.execute(params![
                id,
                file,
                to_us(r.time),
                r.span.line as i64,
                r.span.offset as i64,
                r.span.len as i64,
                r.span.lines,
                r.level.map(level_name),
                r.status,
                r.field(F_METHOD),
                r.field(F_PATH),
                r.field(F_CLIENT),
                r.field(F_AGENT),
                r.field(F_HOST),
                r.field(F_SERVICE),
                r.field(F_MESSAGE).unwrap_or(""),
                &*r.text,
                r.flags,
                r.repeat
            ])
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Reads back everything the correlator needs, optionally restricted to a window.
    pub fn load(&self, from: Option<Instant>, to: Option<Instant>) -> Result<CaseData, StoreError> {
        self.load_window(from, to, from)
    }

    /// [`CaseFile::load`] with changes read from `changes_from` on: a window
    /// that opens at the first error must still see the deploy that came
    /// minutes before it (the correlator's look-back reaches behind the window).
    pub fn load_window(
        &self,
        from: Option<Instant>,
        to: Option<Instant>,
        changes_from: Option<Instant>,
    ) -> Result<CaseData, StoreError> {
        self.load_window_with(from, to, changes_from, |_, _| true)
    }

    /// [`CaseFile::load_window`] that hands each notable record, in time
    /// order, to `keep` (with the sources read so far) and puts in
    /// [`CaseData::notable`] only those it returns `true` for. A log that is
    /// mostly errors has a million notable records; the analysis turns them
    /// into small events as they stream by instead of holding them all.
    pub fn load_window_with(
        &self,
        from: Option<Instant>,
        to: Option<Instant>,
        changes_from: Option<Instant>,
        mut keep: impl FnMut(&[SourceSummary], &NotableRecord) -> bool,
    ) -> Result<CaseData, StoreError> {
        let metas = self.sources()?;
        // An incomplete source (an ingest killed or cancelled) may hold the
        // records spilled before it stopped: none of them are read.
        let index: BTreeMap<i64, u32> =
            metas.iter().enumerate().filter(|(_, m)| m.complete).map(|(i, m)| (m.id, i as u32)).collect();
        let lo = from.map(to_us).unwrap_or(i64::MIN);
        let hi = to.map(to_us).unwrap_or(i64::MAX);
        let changes_lo = changes_from.map(to_us).unwrap_or(i64::MIN).min(lo);
        let mut data = CaseData { sources: metas.iter().map(|m| m.summary.clone()).collect(), ..Default::default() };

        let mut st = self
            .conn
            .prepare(
                "SELECT source_id, second, total, errors, http_5xx, http_4xx, warnings FROM counts
                 WHERE second >= ? AND second <= ? ORDER BY second, source_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![lo.div_euclid(1_000_000), hi.div_euclid(1_000_000)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    SecondCount {
                        second: r.get(1)?,
                        source: 0,
                        total: r.get(2)?,
                        errors: r.get(3)?,
                        http_5xx: r.get(4)?,
                        http_4xx: r.get(5)?,
                        warnings: r.get(6)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (sid, mut c) = row.map_err(|e| self.err(e))?;
            if let Some(i) = index.get(&sid) {
                c.source = *i;
                data.counts.push(c);
            }
        }

        let mut st = self
            .conn
            .prepare(
                "SELECT source_id, file, time_us, line, offset, len, lines, level, status, method, path, client, user_agent, host, service, message, text, flags, repeat
                 FROM records WHERE time_us >= ? AND time_us <= ? ORDER BY time_us, source_id, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![lo, hi], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(18)?,
                    OwnedRecord {
                        time: from_us(r.get(2)?),
                        span: Span {
                            line: r.get::<_, i64>(3)? as u64,
                            offset: r.get::<_, i64>(4)? as u64,
                            len: r.get::<_, i64>(5)? as u64,
                            lines: r.get(6)?,
                        },
                        level: r.get::<_, Option<String>>(7)?.and_then(|l| Level::parse(&l)),
                        status: r.get(8)?,
                        method: r.get(9)?,
                        path: r.get(10)?,
                        client: r.get(11)?,
                        user_agent: r.get(12)?,
                        host: r.get(13)?,
                        service: r.get(14)?,
                        message: r.get(15)?,
                        text: r.get(16)?,
                        flags: r.get(17)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        // One shared name per file: the records of a file all repeat it.
        let mut files = faultline_model::Interner::default();
        for row in rows {
            let (sid, file, repeat, record) = row.map_err(|e| self.err(e))?;
            if let Some(i) = index.get(&sid) {
                let nr = NotableRecord { source: *i, file: files.get(&file), record };
                // A log store's row may stand for alike records of its second:
                // each is handed on, as the records themselves would be.
                for _ in 1..repeat {
                    if keep(&data.sources, &nr) {
                        data.notable.push(nr.clone());
                    }
                }
                if keep(&data.sources, &nr) {
                    data.notable.push(nr);
                }
            }
        }

        let mut st = self
            .conn
            .prepare(
                "SELECT source_id, kind, file, data FROM events
                 WHERE time_us >= ?3 AND time_us <= ?2 AND (kind = 'change' OR time_us >= ?1) ORDER BY time_us, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![lo, hi, changes_lo], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (sid, kind, file, json) = row.map_err(|e| self.err(e))?;
            let Some(&source) = index.get(&sid) else { continue };
            let bad = |e: serde_json::Error| self.corrupt(format!("{kind} event: {e}"));
            match kind.as_str() {
                "change" => {
                    data.changes.push(Located { source, file, event: serde_json::from_str(&json).map_err(bad)? })
                }
                "message" => {
                    data.messages.push(Located { source, file, event: serde_json::from_str(&json).map_err(bad)? })
                }
                "alert" => data.alerts.push(Located { source, file, event: serde_json::from_str(&json).map_err(bad)? }),
                other => return Err(self.corrupt(format!("unknown event kind {other:?}"))),
            }
        }
        Ok(data)
    }

    /// The first unparsed lines kept for each source.
    pub fn unparsed_lines(&self, limit: usize) -> Result<Vec<UnparsedLine>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT s.path, u.file, u.line, u.offset, u.reason, u.text FROM unparsed u JOIN sources s ON s.id = u.source_id
                 ORDER BY s.id, u.file, u.line LIMIT ?",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([limit as i64], |r| {
                Ok(UnparsedLine {
                    source: r.get(0)?,
                    file: r.get(1)?,
                    line: r.get::<_, i64>(2)? as u64,
                    offset: r.get::<_, i64>(3)? as u64,
                    reason: r.get(4)?,
                    text: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Adds an analyst's note at an instant.
    pub fn add_note(&self, time: Instant, text: &str) -> Result<Note, StoreError> {
        self.conn
            .execute(
                "INSERT INTO notes (time_us, text, created_at) VALUES (?, ?, ?)",
                params![to_us(time), text, Utc::now().to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(Note { id: self.conn.last_insert_rowid(), time, text: text.to_string() })
    }

    /// Removes a note.
    pub fn delete_note(&self, id: i64) -> Result<bool, StoreError> {
        let n = self.conn.execute("DELETE FROM notes WHERE id = ?", [id]).map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// The analyst's timeline edits, in the order they were first made.
    pub fn timeline_edits(&self) -> Result<Vec<TimelineEdit>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT key, pinned, hidden, rename, entry FROM timeline_edits ORDER BY rowid")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, pinned, hidden, rename, entry) = row.map_err(|e| self.err(e))?;
            let entry = serde_json::from_str(&entry).map_err(|e| self.corrupt(format!("timeline edit {key}: {e}")))?;
            out.push(TimelineEdit { key, pinned, hidden, rename, entry });
        }
        Ok(out)
    }

    /// Stores an edit (replacing the entry's earlier one); an edit that
    /// changes nothing any more (unpinned, shown, not renamed) is deleted.
    pub fn set_timeline_edit(&self, edit: &TimelineEdit) -> Result<(), StoreError> {
        if !edit.pinned && !edit.hidden && edit.rename.is_none() {
            self.conn.execute("DELETE FROM timeline_edits WHERE key = ?", [&edit.key]).map_err(|e| self.err(e))?;
            return Ok(());
        }
        let entry =
            serde_json::to_string(&edit.entry).map_err(|e| self.corrupt(format!("timeline edit {}: {e}", edit.key)))?;
        self.conn
            .execute(
                "INSERT INTO timeline_edits (key, pinned, hidden, rename, entry, updated_at) VALUES (?,?,?,?,?,?)
                 ON CONFLICT(key) DO UPDATE SET pinned = excluded.pinned, hidden = excluded.hidden,
                 rename = excluded.rename, entry = excluded.entry, updated_at = excluded.updated_at",
                params![edit.key, edit.pinned, edit.hidden, edit.rename, entry, Utc::now().to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Writes a compact copy of the whole case to `dest`, which must not
    /// exist (SQLite's `VACUUM INTO`): a consistent snapshot even while the
    /// WAL holds uncommitted pages.
    pub fn copy_to(&self, dest: &Path) -> Result<(), StoreError> {
        let dest_s = dest.to_str().ok_or_else(|| self.corrupt(format!("{}: not a UTF-8 path", dest.display())))?;
        self.conn
            .execute("VACUUM INTO ?", [dest_s])
            .map_err(|e| StoreError::Sqlite { path: dest.display().to_string(), source: e })?;
        Ok(())
    }

    /// Opens a case file that must already exist and be a Faultline case
    /// (migrated to this version as needed). Unlike [`CaseFile::open`] it
    /// never creates a file, and it leaves any other SQLite database untouched.
    pub fn open_existing(path: &Path) -> Result<CaseFile, StoreError> {
        use rusqlite::OpenFlags;
        let name = path.display().to_string();
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| StoreError::Sqlite { path: name.clone(), source: e })?;
        identity::check(&conn, &name)?;
        let probe = CaseFile { conn, path: name.clone(), _temporary: None };
        let version = probe.schema_version()?;
        let has_sources: bool = probe
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sources')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| probe.err(e))?;
        if version == 0 || !has_sources {
            return Err(probe.corrupt("not a Faultline case (no case schema)"));
        }
        CaseFile::init(probe.conn, name, None)
    }

    /// Records what was asked of a log store's table (a JSON descriptor: URL
    /// without credentials, table, columns, range, query times), replacing
    /// what an earlier query of the same table recorded.
    pub fn set_store_query(&self, locator: &str, descriptor: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO store_queries (locator, descriptor, queried_at) VALUES (?, ?, ?)
                 ON CONFLICT(locator) DO UPDATE SET descriptor = excluded.descriptor, queried_at = excluded.queried_at",
                params![locator, descriptor, Utc::now().to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Every log-store table queried for this case: (locator, descriptor JSON).
    pub fn store_queries(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT locator, descriptor FROM store_queries ORDER BY locator")
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Forgets a log-store table's query record.
    pub fn remove_store_query(&self, locator: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM store_queries WHERE locator = ?", [locator]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The time and text of a log store's row kept in the case (`file` the
    /// source's locator, `key` the row key a citation carries as its offset).
    pub fn store_row(&self, file: &str, key: u64) -> Result<Option<(Instant, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT time_us, text FROM records WHERE file = ? AND offset = ? AND line = 0 LIMIT 1",
                params![file, key as i64],
                |r| Ok((from_us(r.get(0)?), r.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Hands `named` the client address of each notable record of a complete
    /// source in `[from, to]`, until it returns `false`: how an analysis
    /// names the few clients it ranks (it counts them by a hash of the
    /// address, holding no table of every address).
    pub fn for_each_client(
        &self,
        from: Instant,
        to: Instant,
        mut named: impl FnMut(&str) -> bool,
    ) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT r.client FROM records r JOIN sources s ON s.id = r.source_id
                 WHERE r.time_us >= ? AND r.time_us <= ? AND r.client IS NOT NULL AND s.complete = 1",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st.query(params![to_us(from), to_us(to)]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let client: String = row.get(0).map_err(|e| self.err(e))?;
            if !named(&client) {
                break;
            }
        }
        Ok(())
    }

    /// All notes in time order.
    pub fn notes(&self) -> Result<Vec<Note>, StoreError> {
        let mut st =
            self.conn.prepare("SELECT id, time_us, text FROM notes ORDER BY time_us, id").map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok(Note { id: r.get(0)?, time: from_us(r.get(1)?), text: r.get(2)? }))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_model::{flags, HttpRequest};

    fn t(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn summary(path: &str) -> SourceSummary {
        SourceSummary {
            path: path.into(),
            kind: SourceKind::Log,
            format: "nginx-combined".into(),
            records: 0,
            unparsed: 0,
            first: None,
            last: None,
            tz: "UTC".into(),
            bytes: 10,
            sha256: "ab".into(),
            notes: vec![],
            clock_offset_ms: 0,
        }
    }

    fn request(time: Instant, line: u64, status: u16) -> LogRecord<'static> {
        LogRecord {
            time,
            span: Span { line, offset: line * 100, len: 99, lines: 1 },
            level: Some(if status >= 500 { Level::Error } else { Level::Info }),
            http: Some(HttpRequest { status, path: Some("/login"), client: Some("10.0.0.1"), ..Default::default() }),
            host: None,
            service: None,
            message: "POST /login",
            text: "10.0.0.1 - - [..] \"POST /login HTTP/1.1\" 500 0",
            flags: 0,
        }
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
        assert!(case.sources().unwrap()[0].complete);
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
        assert!(!case.sources().unwrap()[0].complete);
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
        let load = |buf: &IngestBuffer| {
            let case = CaseFile::in_memory().unwrap();
            let s = summary("a.log");
            case.begin_source(&s).unwrap();
            case.write_source(&s, &[], buf).unwrap();
            case.load(None, None).unwrap()
        };
        let (a, b) = (load(&whole), load(&joined));
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
    fn a_window_read_stops_past_its_end_or_on_disorder_and_is_not_a_cancel() {
        let base = t("2026-11-17T10:00:00Z");
        let at = |s: i64| base + chrono::Duration::seconds(s);
        let slack = chrono::Duration::minutes(5);
        let mut buf = IngestBuffer::new("a.log").with_window(Some(at(600)), slack);
        assert!(buf.record(&request(at(0), 1, 500)).unwrap());
        assert!(buf.record(&request(at(600), 2, 200)).unwrap(), "the end itself is inside");
        assert!(buf.record(&request(at(320), 3, 200)).unwrap(), "out of order within the slack");
        assert!(!buf.record(&request(at(601), 4, 500)).unwrap(), "past the end: stop");
        assert_eq!(buf.window_stop(), Some(WindowStop::Passed));
        assert_eq!(
            (buf.record_count(), buf.range()),
            (3, (Some(at(0)), Some(at(600)))),
            "the record past the end is not kept"
        );

        let mut buf = IngestBuffer::new("a.log").with_window(None, slack);
        assert!(buf.record(&request(at(1000), 1, 200)).unwrap());
        assert!(!buf.record(&request(at(600), 2, 200)).unwrap(), "earlier by more than the slack: stop");
        assert_eq!(buf.window_stop(), Some(WindowStop::Unsorted));

        // Disorder across parts joined in order is caught at the join.
        let mut joined = IngestBuffer::new("a.log").with_window(None, slack);
        let mut part = IngestBuffer::new("a.log").with_window(None, slack);
        part.record(&request(at(1000), 1, 200)).unwrap();
        joined.absorb(part, 0);
        assert_eq!(joined.window_stop(), None);
        let mut part = IngestBuffer::new("a.log").with_window(None, slack);
        part.record(&request(at(100), 2, 200)).unwrap();
        joined.absorb(part, 0);
        assert_eq!(joined.window_stop(), Some(WindowStop::Unsorted));
        // Without a window nothing stops.
        let mut plain = IngestBuffer::new("a.log");
        assert!(plain.record(&request(at(1000), 1, 200)).unwrap() && plain.record(&request(at(0), 2, 200)).unwrap());
        assert_eq!(plain.window_stop(), None);
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
        assert!(!sources[0].complete);
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
