//! The adapters an ingest wraps around the sink a parse fills, one concern
//! each, in the manner of ripgrep's `Sink`: [`Cancellable`] stops the parse
//! when the user cancels, [`Reporting`] tells how far it got, and
//! [`Windowed`] ends a `--from/--to` read where the window does. The sink
//! they wrap ([`IngestBuffer`](crate::IngestBuffer)) only keeps what the
//! case will hold; the engine's ingest wires them around it.

use faultline_model::{Alert, Change, EventSink, Instant, LogRecord, SinkError, SupportMessage, Unparsed};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Hands everything on, and asks the parser to stop once `flag` is set.
#[derive(Debug)]
pub struct Cancellable<S> {
    inner: S,
    flag: Arc<AtomicBool>,
}

impl<S> Cancellable<S> {
    /// Stops the parse feeding `inner` once `flag` is set.
    pub fn new(inner: S, flag: Arc<AtomicBool>) -> Self {
        Cancellable { inner, flag }
    }

    /// The wrapped sink.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn go_on(&self, inner: bool) -> bool {
        inner && !self.flag.load(Ordering::Relaxed)
    }
}

impl<S: EventSink> EventSink for Cancellable<S> {
    fn record(&mut self, record: &LogRecord<'_>) -> Result<bool, SinkError> {
        let go = self.inner.record(record)?;
        Ok(self.go_on(go))
    }
    fn change(&mut self, change: Change) -> Result<bool, SinkError> {
        let go = self.inner.change(change)?;
        Ok(self.go_on(go))
    }
    fn message(&mut self, message: SupportMessage) -> Result<bool, SinkError> {
        let go = self.inner.message(message)?;
        Ok(self.go_on(go))
    }
    fn alert(&mut self, alert: Alert) -> Result<bool, SinkError> {
        let go = self.inner.alert(alert)?;
        Ok(self.go_on(go))
    }
    fn unparsed(&mut self, line: &Unparsed<'_>) -> Result<bool, SinkError> {
        let go = self.inner.unparsed(line)?;
        Ok(self.go_on(go))
    }
    fn progress(&mut self, bytes_read: u64) -> Result<bool, SinkError> {
        let go = self.inner.progress(bytes_read)?;
        Ok(self.go_on(go))
    }
    fn whole_stream(&mut self) {
        self.inner.whole_stream()
    }
}

/// Told how far a parse got: `(bytes read in the file, records since the last call)`.
/// Parsers call [`EventSink::progress`] now and then (about once a MiB), not per line.
#[derive(Clone)]
pub struct ProgressHook(pub Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

/// Hands everything on, and reports the parser's progress calls, with the
/// records it handed on since the last one, to a [`ProgressHook`] (the
/// desktop's per-file progress bar).
#[derive(Debug)]
pub struct Reporting<S> {
    inner: S,
    hook: ProgressHook,
    since: u64,
}

impl<S> Reporting<S> {
    /// Reports the progress of the parse feeding `inner` to `hook`.
    pub fn new(inner: S, hook: ProgressHook) -> Self {
        Reporting { inner, hook, since: 0 }
    }

    /// The wrapped sink.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: EventSink> EventSink for Reporting<S> {
    fn record(&mut self, record: &LogRecord<'_>) -> Result<bool, SinkError> {
        self.since += 1;
        self.inner.record(record)
    }
    fn change(&mut self, change: Change) -> Result<bool, SinkError> {
        self.since += 1;
        self.inner.change(change)
    }
    fn message(&mut self, message: SupportMessage) -> Result<bool, SinkError> {
        self.since += 1;
        self.inner.message(message)
    }
    fn alert(&mut self, alert: Alert) -> Result<bool, SinkError> {
        self.since += 1;
        self.inner.alert(alert)
    }
    fn unparsed(&mut self, line: &Unparsed<'_>) -> Result<bool, SinkError> {
        self.inner.unparsed(line)
    }
    fn progress(&mut self, bytes_read: u64) -> Result<bool, SinkError> {
        (self.hook.0)(bytes_read, std::mem::take(&mut self.since));
        self.inner.progress(bytes_read)
    }
    fn whole_stream(&mut self) {
        self.inner.whole_stream()
    }
}

/// Why a window read stopped before the end of its file. Not a
/// cancellation: the reading is done, or must be done another way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStop {
    /// A record was later than the window's end: what follows is outside it.
    Passed,
    /// A record was earlier than one before it by more than the slack: the
    /// file is not in time order, so the part skipped may hold window records.
    Unsorted,
}

/// A `--from/--to` read of a file in time order give or take `slack`: where
/// it ends, and why it stopped once it has. The parts of one file parsed in
/// parallel each get a [`Windowed`] sink from it ([`Window::sink`]) and are
/// joined back through it ([`Window::join`]), which also checks the order
/// across the join.
#[derive(Debug, Clone)]
pub struct Window {
    end: Option<Instant>,
    slack: chrono::Duration,
    latest: Option<Instant>,
    stop: Option<WindowStop>,
}

impl Window {
    /// A read that stops at the first record later than `end` (not kept), or
    /// at the first record earlier than one before it by more than `slack`.
    pub fn new(end: Option<Instant>, slack: chrono::Duration) -> Self {
        Window { end, slack, latest: None, stop: None }
    }

    /// Why the read stopped, if it did.
    pub fn stop(&self) -> Option<WindowStop> {
        self.stop
    }

    /// A sink for one part of the file: it hands records on to `inner` until
    /// the window says stop.
    pub fn sink<S>(&self, inner: S) -> Windowed<S> {
        Windowed { inner, window: Window::new(self.end, self.slack), earliest: None }
    }

    /// Takes back a part's sink after its parse, in file order: its stop,
    /// and a stop of its own when the part begins earlier than the latest
    /// record before it by more than the slack.
    pub fn join<S>(&mut self, part: Windowed<S>) -> S {
        let Windowed { inner, window, earliest } = part;
        if let (Some(latest), Some(earliest)) = (self.latest, earliest) {
            if earliest + self.slack < latest {
                self.stop.get_or_insert(WindowStop::Unsorted);
            }
        }
        if let Some(stop) = window.stop {
            self.stop.get_or_insert(stop);
        }
        self.latest = self.latest.max(window.latest);
        inner
    }

    /// Whether `t` may be handed on; the stop is kept when not.
    fn admits(&mut self, t: Instant) -> bool {
        if self.end.is_some_and(|end| t > end) {
            self.stop = Some(WindowStop::Passed);
            return false;
        }
        if self.latest.is_some_and(|latest| t + self.slack < latest) {
            self.stop = Some(WindowStop::Unsorted);
            return false;
        }
        true
    }

    fn seen(&mut self, t: Instant) {
        self.latest = self.latest.max(Some(t));
    }
}

/// The sink of one part of a window read (see [`Window::sink`]).
#[derive(Debug)]
pub struct Windowed<S> {
    inner: S,
    window: Window,
    earliest: Option<Instant>,
}

impl<S> Windowed<S> {
    /// Why this part's parse stopped, if it did.
    pub fn stop(&self) -> Option<WindowStop> {
        self.window.stop
    }

    fn seen(&mut self, t: Instant) {
        self.window.seen(t);
        self.earliest = Some(self.earliest.map_or(t, |e| e.min(t)));
    }
}

impl<S: EventSink> EventSink for Windowed<S> {
    fn record(&mut self, record: &LogRecord<'_>) -> Result<bool, SinkError> {
        if !self.window.admits(record.time) {
            return Ok(false);
        }
        self.seen(record.time);
        self.inner.record(record)
    }
    fn change(&mut self, change: Change) -> Result<bool, SinkError> {
        self.seen(change.time);
        self.inner.change(change)
    }
    fn message(&mut self, message: SupportMessage) -> Result<bool, SinkError> {
        self.seen(message.time);
        self.inner.message(message)
    }
    fn alert(&mut self, alert: Alert) -> Result<bool, SinkError> {
        self.seen(alert.time);
        self.inner.alert(alert)
    }
    fn unparsed(&mut self, line: &Unparsed<'_>) -> Result<bool, SinkError> {
        self.inner.unparsed(line)
    }
    fn progress(&mut self, bytes_read: u64) -> Result<bool, SinkError> {
        self.inner.progress(bytes_read)
    }
    fn whole_stream(&mut self) {
        self.inner.whole_stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::request;
    use crate::IngestBuffer;
    use chrono::{DateTime, Utc};

    fn at(s: i64) -> Instant {
        DateTime::parse_from_rfc3339("2026-11-17T10:00:00Z").unwrap().with_timezone(&Utc) + chrono::Duration::seconds(s)
    }

    #[test]
    fn a_window_read_stops_past_its_end_or_on_disorder_and_is_not_a_cancel() {
        let slack = chrono::Duration::minutes(5);
        let window = Window::new(Some(at(600)), slack);
        let mut sink = window.sink(IngestBuffer::new("a.log"));
        assert!(sink.record(&request(at(0), 1, 500)).unwrap());
        assert!(sink.record(&request(at(600), 2, 200)).unwrap(), "the end itself is inside");
        assert!(sink.record(&request(at(320), 3, 200)).unwrap(), "out of order within the slack");
        assert!(!sink.record(&request(at(601), 4, 500)).unwrap(), "past the end: stop");
        assert_eq!(sink.stop(), Some(WindowStop::Passed));
        let mut window = window;
        let buf = window.join(sink);
        assert_eq!(window.stop(), Some(WindowStop::Passed));
        assert_eq!(
            (buf.record_count(), buf.range()),
            (3, (Some(at(0)), Some(at(600)))),
            "the record past the end is not kept"
        );

        let mut sink = Window::new(None, slack).sink(IngestBuffer::new("a.log"));
        assert!(sink.record(&request(at(1000), 1, 200)).unwrap());
        assert!(!sink.record(&request(at(600), 2, 200)).unwrap(), "earlier by more than the slack: stop");
        assert_eq!(sink.stop(), Some(WindowStop::Unsorted));

        // Disorder across parts joined in order is caught at the join.
        let mut window = Window::new(None, slack);
        let mut part = window.sink(IngestBuffer::new("a.log"));
        part.record(&request(at(1000), 1, 200)).unwrap();
        let mut joined = window.join(part);
        assert_eq!(window.stop(), None);
        let mut part = window.sink(IngestBuffer::new("a.log"));
        assert!(part.record(&request(at(100), 2, 200)).unwrap(), "in order within its own part");
        joined.absorb(window.join(part), 0);
        assert_eq!(window.stop(), Some(WindowStop::Unsorted));
        // Without a window nothing stops.
        let mut plain = IngestBuffer::new("a.log");
        assert!(plain.record(&request(at(1000), 1, 200)).unwrap() && plain.record(&request(at(0), 2, 200)).unwrap());
    }

    #[test]
    fn a_cancel_stops_the_parse_after_the_record_it_came_with() {
        let flag = Arc::new(AtomicBool::new(false));
        let mut sink = Cancellable::new(IngestBuffer::new("a.log"), flag.clone());
        assert!(sink.record(&request(at(0), 1, 500)).unwrap());
        flag.store(true, Ordering::Relaxed);
        assert!(!sink.record(&request(at(1), 2, 500)).unwrap());
        assert!(!sink.progress(10).unwrap());
        assert_eq!(sink.into_inner().record_count(), 2, "what was handed on before the stop is kept");
    }

    #[test]
    fn progress_reports_bytes_and_the_records_since_the_last_report() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let hook = {
            let seen = seen.clone();
            ProgressHook(Arc::new(move |bytes, records| seen.lock().unwrap().push((bytes, records))))
        };
        let mut sink = Reporting::new(IngestBuffer::new("a.log"), hook);
        for i in 0..3 {
            sink.record(&request(at(i), i as u64 + 1, 200)).unwrap();
        }
        sink.progress(300).unwrap();
        sink.record(&request(at(3), 4, 200)).unwrap();
        sink.progress(400).unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![(300, 3), (400, 1)]);
    }
}
