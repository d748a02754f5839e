//! What an ingest tells its caller as it goes: throttled byte counts per
//! source and a preview of the error series while big files are read.

use faultline_model::ErrorSeries;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::PlannedSource;
use faultline_model::SourceSummary;

/// What ingest reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// The sources were planned.
    Planned {
        /// The sources about to be read.
        sources: Vec<PlannedSource>,
        /// Paths that could not be looked at.
        problems: Vec<String>,
    },
    /// A source is being read.
    Started {
        /// Its path.
        path: String,
        /// Its format.
        format: String,
        /// Its size in bytes.
        bytes: u64,
    },
    /// A source is in the case.
    Finished {
        /// Its summary.
        summary: SourceSummary,
        /// It was unchanged and not read again.
        reused: bool,
    },
    /// The error series of what has been read so far, over the sources
    /// being read (at most [`SERIES_PREVIEWS_PER_SECOND`] a second): a chart
    /// can show a big file's shape long before its analysis is done.
    Series {
        /// Buckets of at least a minute.
        series: ErrorSeries,
    },
    /// How far the reading of a source got (at most [`BYTES_PROGRESS_PER_SECOND`]
    /// of these per second, over all sources).
    Bytes {
        /// The source's path (as in `Started`).
        path: String,
        /// Bytes read so far, over its files (decompressed bytes for a `.gz`).
        bytes_read: u64,
        /// Records read so far.
        records: u64,
    },
}

/// The most [`Progress::Bytes`] updates per second an ingest sends: a UI
/// that redraws on each stays responsive, and a second still shows motion.
pub const BYTES_PROGRESS_PER_SECOND: u32 = 10;

/// The most [`Progress::Series`] previews per second an ingest sends: each
/// redraws a chart, which costs a software-rendered webview tens of ms.
pub const SERIES_PREVIEWS_PER_SECOND: u32 = 4;

/// The chart preview of one ingest: each log source's counts so far, in
/// minute buckets, summed over the sources into [`Progress::Series`].
#[derive(Default)]
pub(crate) struct SeriesPreview {
    by_source:
        std::sync::Mutex<std::collections::BTreeMap<String, (std::time::Instant, Vec<faultline_model::SecondCount>)>>,
    sent: std::sync::Mutex<Option<std::time::Instant>>,
}

impl SeriesPreview {
    const EVERY: std::time::Duration = std::time::Duration::from_millis(1000 / SERIES_PREVIEWS_PER_SECOND as u64);

    /// Takes in what `buffer` (source `path`) counted so far and, when a
    /// preview is due, hands `send` the series over every source. The first
    /// call of each source always takes its counts, so a chart can appear
    /// after its first chunk. `send` runs under the lock, so previews leave in
    /// the order they were built. (No final preview: the analysis follows.)
    fn update(&self, path: &str, buffer: &faultline_store::IngestBuffer, send: impl FnOnce(ErrorSeries)) {
        let now = std::time::Instant::now();
        let Ok(mut by_source) = self.by_source.lock() else { return };
        if by_source.get(path).is_some_and(|(at, _)| now.duration_since(*at) < Self::EVERY) {
            return;
        }
        by_source.insert(path.to_string(), (now, buffer.bucket_counts(60)));
        let Ok(mut sent) = self.sent.lock() else { return };
        if sent.is_some_and(|at| now.duration_since(at) < Self::EVERY) {
            return;
        }
        *sent = Some(now);
        let counts: Vec<_> = by_source.values().flat_map(|(_, c)| c.iter().copied()).collect();
        let (Some(first), Some(last)) = (counts.iter().map(|c| c.second).min(), counts.iter().map(|c| c.second).max())
        else {
            return;
        };
        // Minute counts can only be summed into buckets of whole minutes.
        let bucket = faultline_correlate::series::auto_bucket(last - first + 60).max(60);
        let case = faultline_model::CaseData { counts, ..Default::default() };
        send(faultline_correlate::series::build(&case, Some(bucket)));
    }
}

/// Turns the parsers' progress calls for one source into throttled
/// [`Progress::Bytes`] messages. Parsers run on rayon and scoped threads, so
/// the messages go through a channel to the thread that owns the caller's
/// callback.
pub(crate) struct ByteMeter {
    path: String,
    bytes: std::sync::atomic::AtomicU64,
    records: std::sync::atomic::AtomicU64,
    tx: std::sync::Mutex<std::sync::mpsc::Sender<Progress>>,
    last: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
    preview: Arc<SeriesPreview>,
}

impl ByteMeter {
    /// A meter for the source at `path`, sending on `tx`; `last` (when a
    /// message was last sent) and `preview` are shared by every source of
    /// the ingest, so the throttle holds over all of them.
    pub(crate) fn new(
        path: String,
        tx: std::sync::mpsc::Sender<Progress>,
        last: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
        preview: Arc<SeriesPreview>,
    ) -> ByteMeter {
        ByteMeter {
            path,
            bytes: Default::default(),
            records: Default::default(),
            tx: std::sync::Mutex::new(tx),
            last,
            preview,
        }
    }

    /// The hook for the file that starts `base` bytes into the source.
    pub(crate) fn hook(self: &Arc<Self>, base: u64) -> faultline_store::ProgressHook {
        let meter = self.clone();
        faultline_store::ProgressHook(Arc::new(move |pos, new| meter.tick(base + pos, new)))
    }

    /// Called after each chunk of the source joins `buffer`, in file order.
    pub(crate) fn preview(&self, buffer: &faultline_store::IngestBuffer) {
        self.preview.update(&self.path, buffer, |series| {
            if let Ok(tx) = self.tx.lock() {
                let _ = tx.send(Progress::Series { series });
            }
        });
    }

    fn tick(&self, at: u64, new_records: u64) {
        let records = self.records.fetch_add(new_records, Ordering::Relaxed) + new_records;
        let bytes = self.bytes.fetch_max(at, Ordering::Relaxed).max(at);
        let every = std::time::Duration::from_millis(1000 / u64::from(BYTES_PROGRESS_PER_SECOND));
        let Ok(mut last) = self.last.lock() else { return };
        if last.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        *last = Some(std::time::Instant::now());
        if let Ok(tx) = self.tx.lock() {
            let _ = tx.send(Progress::Bytes { path: self.path.clone(), bytes_read: bytes, records });
        }
    }
}
