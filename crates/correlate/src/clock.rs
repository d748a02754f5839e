//! Telling when two sources' clocks disagree, and by how much.
//!
//! Two ways of matching the same events in two sources:
//!
//! - **Request ids.** A request id, trace id or correlation id logged by both
//!   an access log and an application log is one event seen by two clocks:
//!   each shared id is a matched pair, its shift the difference between the
//!   two sources' first record of it. [`RequestIds`] keeps, per source, the
//!   ids whose hash is among the 4096 smallest (a bottom-k sample): the same
//!   id hashes alike in every source, so two samples share the ids both
//!   sources logged, in bounded memory however many errors a log holds.
//! - **Error bursts.** Without shared ids, the incident's error burst in
//!   two logs: the instants by which 5 %, 10 %, … 95 % of each source's
//!   errors (above its own background) had happened are 19 matched pairs.
//!
//! A pair of sources gets a suggestion when enough pairs agree on a shift of
//! at least a second (the median of the shifts) and disagree little (their
//! median absolute deviation). The source to correct is the one that
//! disagrees with more of the others; a suggestion is never applied here.

use crate::events::Events;
use faultline_model::{
    CaseData, Citation, ClockMethod, ClockSuggestion, Instant, NotableRecord, SourceKind, SourceSummary,
};
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::sync::Arc;

/// Ids kept per source.
const SAMPLE: usize = 4096;
/// Matched pairs a shift needs.
const MIN_PAIRS: usize = 5;
/// Smaller shifts are timestamp resolution and request durations, not clocks.
const MIN_SHIFT_MS: i64 = 1000;
/// An id recorded further apart than this in one source names a user,
/// session or order, not a request.
const REQUEST_SPAN_MS: i64 = 120_000;
/// Bursts are compared this far around the incident.
const BURST_MARGIN_S: i64 = 1800;
/// Burst edges are whole seconds: a shift must be several of them.
const MIN_BURST_SHIFT_MS: i64 = 5000;

/// Where one source first and last recorded one id.
#[derive(Debug, Clone)]
struct Seen {
    first_ms: i64,
    last_ms: i64,
    id: Box<str>,
    file: Arc<str>,
    line: u64,
    offset: u64,
}

/// One source's sample: the ids with the smallest hashes.
#[derive(Debug)]
struct Sample {
    ids: BTreeMap<u64, Seen>,
    /// Every id whose hash is at most this is in the sample (`u64::MAX`
    /// until the sample first fills).
    complete_to: u64,
}

impl Default for Sample {
    fn default() -> Self {
        Sample { ids: BTreeMap::new(), complete_to: u64::MAX }
    }
}

impl Sample {
    fn add(&mut self, hash: u64, t_ms: i64, id: &str, nr: &NotableRecord) {
        if let Some(seen) = self.ids.get_mut(&hash) {
            seen.last_ms = seen.last_ms.max(t_ms);
            seen.first_ms = seen.first_ms.min(t_ms);
            return;
        }
        if hash > self.complete_to {
            return;
        }
        let r = &nr.record;
        self.ids.insert(
            hash,
            Seen {
                first_ms: t_ms,
                last_ms: t_ms,
                id: id.into(),
                file: nr.file.clone(),
                line: r.span.line,
                offset: r.span.offset,
            },
        );
        if self.ids.len() > SAMPLE {
            if let Some((&top, _)) = self.ids.last_key_value() {
                self.ids.remove(&top);
                self.complete_to = self.ids.last_key_value().map_or(0, |(&h, _)| h);
            }
        }
    }
}

/// The request ids of each source's notable records, sampled (see the module docs).
#[derive(Debug, Default)]
pub struct RequestIds {
    by_source: Vec<Sample>,
    hasher: foldhash::fast::RandomState,
}

impl RequestIds {
    /// Takes in the ids `nr` carries.
    pub fn push(&mut self, nr: &NotableRecord) {
        let r = &nr.record;
        let text = if r.text.is_empty() { r.message.as_str() } else { r.text.as_str() };
        // A traceback's ids are on its first line.
        let text = text.lines().next().unwrap_or("");
        let t_ms = r.time.timestamp_millis();
        let source = nr.source as usize;
        let hasher = &self.hasher;
        let mut found: Vec<(u64, &str)> = Vec::new();
        ids_in(text, |id| found.push((hasher.hash_one(id), id)));
        if found.is_empty() {
            return;
        }
        if self.by_source.len() <= source {
            self.by_source.resize_with(source + 1, Sample::default);
        }
        if let Some(sample) = self.by_source.get_mut(source) {
            for (hash, id) in found {
                sample.add(hash, t_ms, id, nr);
            }
        }
    }

    /// The shifts of the ids both `a` and `b` recorded: `b`'s time minus `a`'s.
    fn shared(&self, a: usize, b: usize) -> Vec<(i64, &Seen, &Seen)> {
        let (Some(sa), Some(sb)) = (self.by_source.get(a), self.by_source.get(b)) else { return Vec::new() };
        // Only below both samples' bounds is either sample complete.
        let bound = sa.complete_to.min(sb.complete_to);
        let request = |s: &Seen| s.last_ms - s.first_ms <= REQUEST_SPAN_MS;
        sa.ids
            .range(..=bound)
            .filter_map(|(h, x)| sb.ids.get(h).map(|y| (x, y)))
            .filter(|(x, y)| request(x) && request(y))
            .map(|(x, y)| (y.first_ms - x.first_ms, x, y))
            .collect()
    }
}

/// Calls `found` with each request id in `text`: the value of a key such as
/// `request_id=`, `"traceId": "`, `X-Request-ID: ` or `correlation-id=`
/// (6 to 128 characters, a digit among them); failing those, a bare 32-digit
/// hex token (nginx's `$request_id`) or a UUID.
pub fn ids_in<'a>(text: &'a str, mut found: impl FnMut(&'a str)) {
    let b = text.as_bytes();
    let mut keyed = false;
    let mut i = 0;
    while i + 1 < b.len() {
        if (b[i] | 0x20) != b'i' || (b[i + 1] | 0x20) != b'd' {
            i += 1;
            continue;
        }
        let key_end = i + 2;
        i = key_end;
        if b.get(key_end).is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let word = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
        let key_start = b[..key_end].iter().rposition(|c| !word(c)).map_or(0, |p| p + 1);
        if !is_request_key(&b[key_start..key_end]) {
            continue;
        }
        if let Some(value) = value_after(text, key_end) {
            keyed = true;
            found(value);
        }
    }
    if keyed {
        return;
    }
    let mut start = 0;
    while start < b.len() {
        let len = b[start..].iter().position(|c| !(c.is_ascii_hexdigit() || *c == b'-')).unwrap_or(b.len() - start);
        let bounded = start == 0 || !b[start - 1].is_ascii_alphanumeric();
        let after_ok = b.get(start + len).is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_');
        if len > 0 && bounded && after_ok {
            let token = &text[start..start + len];
            if is_bare_id(token) {
                found(token);
            }
        }
        start += len.max(1);
    }
}

fn is_request_key(key: &[u8]) -> bool {
    if key.len() > 48 {
        return false;
    }
    let norm: Vec<u8> =
        key.iter().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>();
    const KEYS: &[&[u8]] =
        &[b"requestid", b"reqid", b"traceid", b"correlationid", b"corrid", b"transactionid", b"txnid"];
    KEYS.iter().any(|k| norm.ends_with(k))
}

/// The value after a key: `="v"`, `: v`, `":"v"`.
fn value_after(text: &str, from: usize) -> Option<&str> {
    let b = text.as_bytes();
    let mut i = from;
    let skip = |i: &mut usize, what: &dyn Fn(u8) -> bool| {
        while b.get(*i).is_some_and(|&c| what(c)) {
            *i += 1;
        }
    };
    skip(&mut i, &|c| c == b'"' || c == b'\'' || c == b' ');
    if !matches!(b.get(i), Some(b'=' | b':')) {
        return None;
    }
    i += 1;
    skip(&mut i, &|c| c == b'"' || c == b'\'' || c == b' ');
    let len = b[i..]
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')))
        .unwrap_or(b.len() - i);
    let value = text.get(i..i + len)?;
    ((6..=128).contains(&value.len()) && value.bytes().any(|c| c.is_ascii_digit())).then_some(value)
}

fn is_bare_id(token: &str) -> bool {
    let b = token.as_bytes();
    let mixed = b.iter().any(u8::is_ascii_digit) && b.iter().any(u8::is_ascii_alphabetic);
    let hex32 = b.len() == 32 && !token.contains('-');
    let uuid = b.len() == 36 && b.iter().enumerate().all(|(k, &c)| (c == b'-') == matches!(k, 8 | 13 | 18 | 23));
    mixed && (hex32 || uuid)
}

/// What one pair of sources says about their clocks.
struct PairShift<'a> {
    /// `b`'s time minus `a`'s.
    median_ms: i64,
    spread_ms: i64,
    pairs: usize,
    method: ClockMethod,
    example: Option<(&'a Seen, &'a Seen)>,
}

impl PairShift<'_> {
    fn agrees(&self) -> bool {
        self.median_ms.abs() < MIN_SHIFT_MS
    }

    fn shifted(&self) -> bool {
        let min = if self.method == ClockMethod::ErrorBursts { MIN_BURST_SHIFT_MS } else { MIN_SHIFT_MS };
        self.median_ms.abs() >= min && self.spread_ms <= 2000 && self.spread_ms * 4 <= self.median_ms.abs()
    }
}

/// Median and median absolute deviation.
fn median_mad(mut v: Vec<i64>) -> Option<(i64, i64)> {
    fn median(v: &mut [i64]) -> Option<i64> {
        v.sort_unstable();
        let n = v.len();
        let mid = *v.get(n / 2)?;
        Some(if n.is_multiple_of(2) { (*v.get(n / 2 - 1)? + mid) / 2 } else { mid })
    }
    let m = median(&mut v)?;
    let mut dev: Vec<i64> = v.iter().map(|x| (x - m).abs()).collect();
    Some((m, median(&mut dev)?))
}

fn by_ids(ids: &RequestIds, a: usize, b: usize) -> Option<PairShift<'_>> {
    let shared = ids.shared(a, b);
    if shared.len() < MIN_PAIRS {
        return None;
    }
    let (median_ms, spread_ms) = median_mad(shared.iter().map(|(d, _, _)| *d).collect())?;
    // The pair nearest the median shows it.
    let example = shared.iter().min_by_key(|(d, _, _)| (d - median_ms).abs()).map(|(_, x, y)| (*x, *y));
    Some(PairShift { median_ms, spread_ms, pairs: shared.len(), method: ClockMethod::RequestIds, example })
}

/// The instants (seconds) by which each twentieth of a source's errors above
/// its background had happened in `[from, to]`.
fn burst_quantiles(case: &CaseData, source: u32, from: i64, to: i64) -> Option<Vec<i64>> {
    let len = usize::try_from(to - from + 1).ok()?;
    let mut per_second = vec![0u64; len];
    for c in case.counts.iter().filter(|c| c.source == source && c.second >= from && c.second <= to) {
        if let Some(slot) = per_second.get_mut(usize::try_from(c.second - from).ok()?) {
            *slot += u64::from(c.errors);
        }
    }
    let mut sorted = per_second.clone();
    sorted.sort_unstable();
    let background = sorted.get(len / 2).copied().unwrap_or(0);
    let above: Vec<u64> = per_second.iter().map(|&n| n.saturating_sub(background)).collect();
    let total: u64 = above.iter().sum();
    if total < 20 {
        return None;
    }
    let mut out = Vec::with_capacity(19);
    let mut sum = 0u64;
    let mut q = 1u64;
    for (k, &n) in above.iter().enumerate() {
        sum += n;
        while q <= 19 && sum * 20 >= q * total {
            out.push(from + k as i64);
            q += 1;
        }
    }
    Some(out)
}

fn by_bursts(case: &CaseData, a: u32, b: u32, (from, to): (i64, i64)) -> Option<PairShift<'static>> {
    let qa = burst_quantiles(case, a, from, to)?;
    let qb = burst_quantiles(case, b, from, to)?;
    let shifts: Vec<i64> = qa.iter().zip(&qb).map(|(x, y)| (y - x) * 1000).collect();
    let pairs = shifts.len();
    let (median_ms, spread_ms) = median_mad(shifts)?;
    Some(PairShift { median_ms, spread_ms, pairs, method: ClockMethod::ErrorBursts, example: None })
}

fn cite(s: &Seen) -> Citation {
    Citation { file: s.file.to_string(), line: s.line, offset: s.offset, text: s.id.to_string() }
}

/// Offsets to suggest for sources whose clocks disagree with the others'.
/// `incident` (first and last second) is where error bursts are compared.
pub fn suggest(case: &CaseData, events: &Events, incident: Option<(Instant, Instant)>) -> Vec<ClockSuggestion> {
    let ids = &events.request_ids;
    let n = case.sources.len();
    let burst_window = incident.map(|(on, end)| (on.timestamp() - BURST_MARGIN_S, end.timestamp() + BURST_MARGIN_S));
    let has_errors: Vec<bool> = {
        let mut v = vec![false; n];
        for c in case.counts.iter().filter(|c| c.errors > 0) {
            if let Some(x) = v.get_mut(c.source as usize) {
                *x = true;
            }
        }
        v
    };
    let is_log = |i: usize| case.sources.get(i).is_some_and(|s| s.kind == SourceKind::Log);
    let mut shifts: Vec<(usize, usize, PairShift<'_>)> = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            let found = by_ids(ids, a, b).or_else(|| {
                let w = burst_window?;
                let both =
                    is_log(a) && is_log(b) && has_errors.get(a) == Some(&true) && has_errors.get(b) == Some(&true);
                if both {
                    by_bursts(case, a as u32, b as u32, w)
                } else {
                    None
                }
            });
            if let Some(s) = found {
                shifts.push((a, b, s));
            }
        }
    }
    let mut agreements = vec![0usize; n];
    for (a, b, s) in &shifts {
        if s.agrees() {
            for x in [*a, *b] {
                if let Some(k) = agreements.get_mut(x) {
                    *k += 1;
                }
            }
        }
    }
    let records = |i: usize| case.sources.get(i).map_or(0, |s| s.records);
    let agreed = |i: usize| agreements.get(i).copied().unwrap_or(0);
    // The source to move: the one fewer others agree with; then not the log
    // (servers keep time); then the smaller.
    let moved =
        |a: usize, b: usize| -> bool { (agreed(b), is_log(b), records(b)) <= (agreed(a), is_log(a), records(a)) };
    let mut best: HashMap<usize, ClockSuggestion> = HashMap::new();
    for (a, b, s) in shifts.iter().filter(|(_, _, s)| s.shifted()) {
        let (source, reference, shift) = if moved(*a, *b) { (*b, *a, s.median_ms) } else { (*a, *b, -s.median_ms) };
        let (Some(src), Some(refr)) = (case.sources.get(source), case.sources.get(reference)) else { continue };
        let citations = match s.example {
            Some((x, y)) if source == *b => vec![cite(x), cite(y)],
            Some((x, y)) => vec![cite(y), cite(x)],
            None => Vec::new(),
        };
        let suggestion = ClockSuggestion {
            source: src.path.clone(),
            reference: refr.path.clone(),
            offset_ms: src.clock_offset_ms - shift,
            current_offset_ms: src.clock_offset_ms,
            method: s.method,
            pairs: s.pairs as u64,
            median_shift_ms: shift,
            spread_ms: s.spread_ms,
            example_id: s.example.map(|(x, _)| x.id.to_string()),
            citations,
        };
        let better = best.get(&source).is_none_or(|old| {
            (suggestion.pairs, suggestion.method == ClockMethod::RequestIds)
                > (old.pairs, old.method == ClockMethod::RequestIds)
        });
        if better {
            best.insert(source, suggestion);
        }
    }
    let mut out: Vec<ClockSuggestion> = best.into_values().collect();
    out.sort_by(|x, y| y.median_shift_ms.abs().cmp(&x.median_shift_ms.abs()).then(x.source.cmp(&y.source)));
    out
}

/// Marks each timeline entry of a source with a clock offset with that offset.
pub fn mark_timeline(sources: &[SourceSummary], timeline: &mut [faultline_model::TimelineEntry]) {
    for e in timeline {
        if let Some(s) = sources.iter().find(|s| s.path == e.source && s.clock_offset_ms != 0) {
            e.clock_offset_ms = Some(s.clock_offset_ms);
        }
    }
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
