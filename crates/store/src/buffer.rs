//! [`IngestBuffer`], the sink one source's parse fills: per-second counters,
//! the notable records the policy keeps ([`crate::notable`]), and spilling
//! them in batches so memory does not follow the error count. Cancel, progress and the window
//! of a `--from/--to` read are adapters around it ([`crate::sinks`]).

use crate::notable::{HeldClientErrors, Keep};
use faultline_model::{
    Alert, Change, ErrorClass, EventSink, Instant, Level, LogRecord, SecondCount, SinkError, Span, SupportMessage,
    Unparsed,
};
use std::collections::BTreeMap;

/// How many unparsed lines of a source are kept verbatim for the report.
pub(crate) const UNPARSED_KEPT: usize = 200;

/// Per-second counters of one second.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counters {
    pub(crate) total: u32,
    pub(crate) errors: u32,
    pub(crate) http_5xx: u32,
    pub(crate) http_4xx: u32,
    pub(crate) warnings: u32,
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
/// A third of an [`OwnedRecord`](faultline_model::OwnedRecord)'s eight allocations and bytes: a flood of
/// errors passes through here by the million.
#[derive(Debug, Clone)]
pub(crate) struct PackedRecord {
    pub(crate) time: Instant,
    pub(crate) span: Span,
    pub(crate) level: Option<Level>,
    pub(crate) status: Option<u16>,
    pub(crate) flags: u8,
    /// How many alike records of its second it stands for (1 but for a log store's groups).
    pub(crate) repeat: u32,
    pub(crate) text: Box<str>,
    pub(crate) extra: Box<str>,
    /// (start, end, in `extra`) of method, path, client, user agent, host, service, message.
    pub(crate) fields: [Option<(u32, u32, bool)>; 7],
}

pub(crate) const F_METHOD: usize = 0;
pub(crate) const F_PATH: usize = 1;
pub(crate) const F_CLIENT: usize = 2;
pub(crate) const F_AGENT: usize = 3;
pub(crate) const F_HOST: usize = 4;
pub(crate) const F_SERVICE: usize = 5;
pub(crate) const F_MESSAGE: usize = 6;

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

    pub(crate) fn field(&self, i: usize) -> Option<&str> {
        let (a, b, in_extra) = self.fields.get(i).copied().flatten()?;
        let from = if in_extra { &self.extra } else { &self.text };
        from.get(a as usize..b as usize)
    }
}

/// Notable records handed out by [`IngestBuffer::take_notable`], to be
/// stored by [`CaseFile::spill_records`](crate::CaseFile::spill_records).
#[derive(Debug, Default)]
pub struct NotableBatch(pub(crate) Vec<(std::sync::Arc<str>, PackedRecord)>);

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
    pub(crate) notable: Vec<(std::sync::Arc<str>, PackedRecord)>,
    /// Index in `notable` of the first record, when it was notable (see [`IngestBuffer::absorb`]).
    first_notable: Option<usize>,
    /// The 4xx responses of the minute being read, until it is over and
    /// [`IngestBuffer::settle`] keeps or drops them.
    client_errors: HeldClientErrors,
    /// The 4xx responses of the first minute, which may have begun in the
    /// part or the rotated file before this one: judged when the two are
    /// joined, on both's counts ([`IngestBuffer::absorb`]), or when written.
    head_client_errors: HeldClientErrors,
    /// The minute (unix seconds / 60) of the first record.
    first_minute: Option<i64>,
    pub(crate) changes: Vec<(String, Change)>,
    pub(crate) messages: Vec<(String, SupportMessage)>,
    pub(crate) alerts: Vec<(String, Alert)>,
    pub(crate) unparsed: Vec<(String, u64, u64, &'static str, String)>,
    unparsed_total: u64,
    records_total: u64,
    first: Option<Instant>,
    last: Option<Instant>,
    spill: Option<SpillHook>,
    /// Gets the whole stream ([`EventSink::whole_stream`]): may spill as it goes.
    whole_stream: bool,
    /// Whether a record's text holds a stack trace (see [`IngestBuffer::with_trace_probe`]).
    trace_probe: Option<fn(&str) -> bool>,
}

impl IngestBuffer {
    /// An empty buffer; records are attributed to `file` until [`IngestBuffer::set_file`].
    pub fn new(file: impl Into<String>) -> Self {
        IngestBuffer { file: file.into().into(), ..Default::default() }
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
    /// The 4xx responses of the minute being read stay held: the minute
    /// may go on in the next part.
    pub fn spill_if_full(&mut self) {
        if self.notable.len() >= SPILL_AT {
            self.spill_notable();
        }
    }

    /// Spills every notable record kept, however few: before the next file
    /// of a rotated set is read, so the case stores a source's records in
    /// file order. The 4xx responses of the minute being read stay held: a
    /// log rotated in the middle of a surge goes on in the next file.
    pub fn spill_notable(&mut self) {
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

    /// Tells the counters how to find a stack trace in a record's text: a
    /// warning, or a notable record without a level, that holds one is an
    /// error (see [`ErrorClass`]). The analysis's error events ask the same
    /// probe, so the chart and the events count the same records. Without
    /// one no record is taken to hold a trace.
    pub fn with_trace_probe(mut self, probe: fn(&str) -> bool) -> Self {
        self.trace_probe = Some(probe);
        self
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
    /// ([`CaseFile::spill_records`](crate::CaseFile::spill_records)) rather than held until the whole file is
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
    pub(crate) fn all_counts(&self) -> std::borrow::Cow<'_, BTreeMap<i64, Counters>> {
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
        let IngestBuffer {
            counts,
            current,
            mut notable,
            first_notable,
            mut head_client_errors,
            mut client_errors,
            first_minute,
            changes,
            messages,
            alerts,
            unparsed,
            unparsed_total,
            records_total,
            first,
            last,
            ..
        } = other;
        let into_empty = self.records_total == 0;
        // None: a part of unparsed lines only, which does not end the minute.
        let last_minute = current.as_ref().map(|(sec, _)| sec.div_euclid(60));
        if into_empty {
            self.first_minute = first_minute;
        }
        if let Some(i) = first_notable {
            if let Some((_, r)) = notable.get_mut(i) {
                r.flags |= first_flags;
            }
        }
        // Counts first: the minute the two parts share is judged on both.
        for (sec, c) in counts.iter().chain(current.as_ref().map(|(s, c)| (s, c))) {
            match &mut self.current {
                Some((cur, cc)) if cur == sec => cc.add(c),
                _ => self.counts.entry(*sec).or_default().add(c),
            }
        }
        for held in [&mut head_client_errors, &mut client_errors] {
            held.flag_first(first_flags);
            if !into_empty {
                held.not_first();
            }
        }
        let mut ours = std::mem::take(&mut self.client_errors);
        if !head_client_errors.is_empty() {
            // The part's first minute ended inside it: complete now.
            if ours.minute() == head_client_errors.minute() {
                ours.join(head_client_errors);
                self.settle(ours);
            } else {
                self.settle(ours);
                self.settle(head_client_errors);
            }
            self.client_errors = client_errors;
        } else if !ours.is_empty()
            && last_minute.is_none_or(|m| m == ours.minute())
            && (client_errors.is_empty() || client_errors.minute() == ours.minute())
        {
            // The part never left the minute: it goes on being read.
            ours.join(client_errors);
            self.client_errors = ours;
        } else {
            self.settle(ours);
            self.client_errors = client_errors;
        }
        if into_empty {
            if let Some(i) = first_notable {
                self.first_notable = Some(i + self.notable.len());
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

    /// Whether the 4xx responses `held` are a surge of their minute (see [`HeldClientErrors::surge`]).
    fn is_surge(&self, held: &HeldClientErrors) -> bool {
        let m = held.minute();
        let in_minute = |sec: &i64| sec.div_euclid(60) == m;
        let counted = self
            .counts
            .range(m * 60..m * 60 + 60)
            .map(|(_, c)| c)
            .chain(self.current.as_ref().filter(|(s, _)| in_minute(s)).map(|(_, c)| c));
        let (total, client) =
            counted.fold((0u64, 0u64), |(t, c), x| (t + u64::from(x.total), c + u64::from(x.http_4xx)));
        held.surge(total, client)
    }

    /// Ends the minute of the 4xx responses `held`: they become notable
    /// records when they are a large share of it, else they stay only counted.
    fn settle(&mut self, mut held: HeldClientErrors) {
        if held.is_empty() || !self.is_surge(&held) {
            return;
        }
        let (records, first) = held.take();
        if first {
            self.first_notable = Some(self.notable.len());
        }
        self.notable.extend(records);
        if self.whole_stream {
            self.spill_if_full();
        }
    }

    /// The 4xx responses still held that are kept, for a write that ends
    /// the file: its first minute's (a part written without a join) and its last's.
    pub(crate) fn client_errors_to_write(&self) -> impl Iterator<Item = &[(std::sync::Arc<str>, PackedRecord)]> {
        [&self.head_client_errors, &self.client_errors]
            .into_iter()
            .filter(|held| !held.is_empty() && self.is_surge(held))
            .map(|held| held.records())
    }
}

impl EventSink for IngestBuffer {
    fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
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
        let keep = Keep::of(r);
        let notable = keep == Keep::Always;
        // Only a notable record is looked at for a trace: the analysis never
        // sees the others, so counting one would make the chart disagree with it.
        let probe = self.trace_probe.filter(|_| notable);
        let class = ErrorClass::of(r.http.map(|h| h.status), r.level, || probe.is_some_and(|p| p(r.text)));
        if class.is_error() {
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
        if first_record {
            self.first_minute = Some(minute);
        }
        if self.client_errors.ended_by(minute) {
            let first_minute = Some(self.client_errors.minute()) == self.first_minute;
            if first_minute && self.head_client_errors.is_empty() {
                // It may have begun in the part (or the rotated file) before this one.
                self.head_client_errors = std::mem::take(&mut self.client_errors);
            } else {
                let held = std::mem::take(&mut self.client_errors);
                self.settle(held);
            }
        }
        match keep {
            Keep::Always => {
                if first_record {
                    self.first_notable = Some(self.notable.len());
                }
                self.notable.push((self.file.clone(), PackedRecord::new(r)));
                if self.whole_stream {
                    self.spill_if_full();
                }
            }
            Keep::IfSurge => self.client_errors.hold(self.file.clone(), PackedRecord::new(r), minute, first_record),
            Keep::Never => {}
        }
        Ok(true)
    }

    fn change(&mut self, change: Change) -> Result<bool, SinkError> {
        self.seen(change.time);
        let file = change.file.clone().unwrap_or_else(|| self.file.to_string());
        self.changes.push((file, change));
        Ok(true)
    }

    fn message(&mut self, message: SupportMessage) -> Result<bool, SinkError> {
        self.seen(message.time);
        let file = message.file.clone().unwrap_or_else(|| self.file.to_string());
        self.messages.push((file, message));
        Ok(true)
    }

    fn alert(&mut self, alert: Alert) -> Result<bool, SinkError> {
        self.seen(alert.time);
        let file = alert.file.clone().unwrap_or_else(|| self.file.to_string());
        self.alerts.push((file, alert));
        Ok(true)
    }

    fn unparsed(&mut self, u: &Unparsed<'_>) -> Result<bool, SinkError> {
        self.unparsed_total += 1;
        if self.unparsed.len() < UNPARSED_KEPT {
            let text = String::from_utf8_lossy(&u.text[..u.text.len().min(2000)]).into_owned();
            self.unparsed.push((self.file.to_string(), u.line, u.offset, u.reason, text));
        }
        Ok(true)
    }

    fn whole_stream(&mut self) {
        self.whole_stream = true;
    }
}
