//! Error events: the notable records that count as errors, each with its
//! signature cluster, endpoint, host and stack trace.
//!
//! An event carries everything the analysis reads about its records (times,
//! level, where they are, the text overlap matching reads), so the records
//! themselves need not stay in memory, and records of one second that agree
//! on all of it are one event with a count: an outage log that is mostly 5xx
//! responses holds millions, and the engine streams them from the case
//! through an [`Extractor`] keeping only these events, a few per second.

use crate::signature::{self, Miner, Trace};
use faultline_model::{Citation, ErrorClass, Instant, Interner, Level, NotableRecord, SourceSummary};
use regex::Regex;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, OnceLock};

/// Where one record of an event is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordAt {
    /// Microseconds into the event's second.
    pub micros: u32,
    /// 1-based line.
    pub line: u64,
    /// Byte offset.
    pub offset: u64,
}

/// Errors of one second that look alike: a 5xx response, an error-or-worse
/// record, or an exception, and as many more of the same kind as `count` says.
#[derive(Debug, Clone)]
pub struct ErrorEvent {
    /// Unix second.
    pub t: i64,
    /// The first record.
    pub first: RecordAt,
    /// The last record (the first, when `count` is 1).
    pub last: RecordAt,
    /// Records it stands for (at least 1).
    pub count: u32,
    /// Failed responses (user-visible failures) rather than log records: 5xx,
    /// or 4xx (only in [`Events::client_errors`] until a surge of them is
    /// admitted as incident signal, see [`crate::client_errors`]).
    pub http: bool,
    /// The records' HTTP status, for responses.
    pub status: Option<u16>,
    /// The records' level.
    pub level: Option<Level>,
    /// Request path (masked), from the request or the message.
    pub endpoint: Option<Arc<str>>,
    /// Host, service, or the source's name.
    pub host: Option<Arc<str>>,
    /// The name of the source it was read from (`archive-portal` for
    /// `app/archive-portal.log`), when that name says more than `access`.
    pub source_name: Option<Arc<str>>,
    /// Source index.
    pub source: u32,
    /// The stack trace, when the record holds one (most errors do not: no
    /// room is spent on an empty one). A record with a trace is an event alone.
    trace: Option<Box<Trace>>,
    /// Signature cluster.
    pub cluster: usize,
    /// The file that holds the records.
    pub file: Arc<str>,
    /// What overlap matching reads and a citation shows until the raw line
    /// is read back: the first record's text; for requests, its request line
    /// (one shared copy per distinct line). The records of an event differ
    /// only in values: numbers, hex ids, UUIDs (see [`Extractor`]).
    pub text: Arc<str>,
    /// The records' distinct clients: a range of [`Events::clients`].
    clients: (u32, u32),
}

static NO_TRACE: Trace = Trace { final_line: None, frames: Vec::new(), modules: Vec::new() };

impl ErrorEvent {
    fn at(&self, r: RecordAt) -> Instant {
        chrono::DateTime::from_timestamp(self.t, r.micros * 1000).unwrap_or_default()
    }

    /// The first record's exact time.
    pub fn time(&self) -> Instant {
        self.at(self.first)
    }

    /// The last record's exact time.
    pub fn last_time(&self) -> Instant {
        self.at(self.last)
    }

    /// The stack trace (empty when the record holds none).
    pub fn trace(&self) -> &Trace {
        self.trace.as_deref().unwrap_or(&NO_TRACE)
    }

    fn citation(r: RecordAt, file: &str, text: &str) -> Citation {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        Citation { file: file.to_string(), line: r.line, offset: r.offset, text: cap(first, 300) }
    }

    /// The citation of its first record.
    pub fn cite(&self) -> Citation {
        Self::citation(self.first, &self.file, &self.text)
    }

    /// The citation of its last record. Only the first record's text is
    /// kept: until the engine reads the raw line back (or when the file is
    /// gone) the text says whose it is.
    pub fn cite_last(&self) -> Citation {
        let mut c = Self::citation(self.last, &self.file, &self.text);
        if self.count > 1 && !c.text.is_empty() {
            c.text = format!("{} (the text of the first of {} alike errors in this second)", c.text, self.count);
        }
        c
    }
}

/// The error events of a case, in time order, with their signature clusters.
#[derive(Debug, Default)]
pub struct Events {
    /// The events, sorted by time.
    pub list: Vec<ErrorEvent>,
    /// Their signature clusters.
    pub miner: Miner,
    /// 4xx responses, in time order: the ones ingest kept (minutes where
    /// they were a large share of the requests), not incident errors unless
    /// [`crate::client_errors::admit`] moves a surge of them into `list`.
    pub client_errors: Vec<ErrorEvent>,
    /// Client ids (a 64-bit hash of the address: no table of a million
    /// addresses, and a collision is as likely as none), each event's
    /// distinct ones together.
    clients: Vec<u64>,
    /// How many of the event's records each of those clients made (parallel to `clients`).
    client_records: Vec<u32>,
    /// The hasher of the client ids.
    client_hasher: foldhash::fast::RandomState,
    /// The request ids the notable records carry, sampled per source, for
    /// telling whether two sources' clocks agree.
    pub request_ids: crate::clock::RequestIds,
}

impl Events {
    /// The ids of `e`'s distinct clients (equal ids, equal addresses).
    pub fn clients_of(&self, e: &ErrorEvent) -> &[u64] {
        self.clients.get(e.clients.0 as usize..e.clients.1 as usize).unwrap_or(&[])
    }

    /// How many of `e`'s records each of its clients made (parallel to [`Events::clients_of`]).
    pub fn client_records_of(&self, e: &ErrorEvent) -> &[u32] {
        self.client_records.get(e.clients.0 as usize..e.clients.1 as usize).unwrap_or(&[])
    }

    /// How the events turn a client address into its id.
    pub fn client_ids(&self) -> ClientIds {
        ClientIds(self.client_hasher.clone())
    }

    /// Records the error events stand for (4xx responses not included).
    pub fn records(&self) -> u64 {
        self.list.iter().map(|e| u64::from(e.count)).sum()
    }
}

/// Turns a client address into the id [`Events`] know it by.
#[derive(Debug, Clone)]
pub struct ClientIds(foldhash::fast::RandomState);

impl ClientIds {
    /// The id of `client`.
    pub fn of(&self, client: &str) -> u64 {
        self.0.hash_one(client)
    }
}

fn endpoint_in_message() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"(?:\b(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+|\bon\s+|\bpath[=:]\s*"?)(/[^\s"\[\]]*)"#)
            .unwrap_or_else(|e| panic!("endpoint pattern: {e}"))
    })
}

/// Whether a notable record is an error ([`ErrorClass`], as the per-second counters decide it).
pub fn is_error(rec: &NotableRecord, trace: &Trace) -> bool {
    ErrorClass::of(rec.record.status, rec.record.level, || trace.is_trace()).is_error()
}

/// Whether a record's text holds a stack trace: the probe ingest gives the
/// per-second counters, so they find the traces the error events do.
pub fn holds_trace(text: &str) -> bool {
    text.contains('\n') && signature::parse_trace(text).is_trace()
}

/// A name for a source from its path: the file stem, or the folder when
/// the stem says nothing (`access`, `error`, `app`).
pub fn source_name(path: &str) -> Option<String> {
    if let Some(pod) = kubernetes_pod(path) {
        return Some(pod);
    }
    let base = signature::basename(path);
    let stem = base.split('.').next().unwrap_or(base);
    const GENERIC: &[&str] = &[
        "access",
        "error",
        "errors",
        "app",
        "application",
        "server",
        "output",
        "syslog",
        "messages",
        "log",
        "logs",
        "current",
        "stdout",
        "stderr",
    ];
    if stem.is_empty() || GENERIC.contains(&stem.to_ascii_lowercase().as_str()) {
        let parent = path.trim_end_matches(base).trim_end_matches(['/', '\\']);
        let p = signature::basename(parent);
        if !p.is_empty() && !GENERIC.contains(&p.to_ascii_lowercase().as_str()) {
            return Some(p.to_string());
        }
        return None;
    }
    Some(stem.to_string())
}

/// The pod a Kubernetes node's log file belongs to: kubelet writes
/// `/var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log` and links
/// `/var/log/containers/<pod>_<namespace>_<container>-<id>.log` to it.
fn kubernetes_pod(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    let under = |name: &str| parts.windows(3).find(|w| w[0] == "log" && w[1] == name).and_then(|w| w.get(2)).copied();
    let pod = if let Some(dir) = under("pods") {
        dir.split('_').nth(1)
    } else {
        under("containers").and_then(|f| f.split('_').next())
    };
    pod.filter(|p| !p.is_empty()).map(str::to_string)
}

/// What records of one second must share to be one event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GroupKey {
    cluster: usize,
    source: u32,
    http: bool,
    status: Option<u16>,
    level: Option<u8>,
    /// Interned strings compare by address.
    file: usize,
    endpoint: usize,
    host: usize,
    source_name: usize,
    /// The text overlap matching reads (a request's request line), values
    /// left out: records that differ in more stay apart.
    shape: u64,
}

fn addr(s: &Option<Arc<str>>) -> usize {
    s.as_ref().map_or(0, |a| Arc::as_ptr(a) as *const u8 as usize)
}

/// Turns notable records, one at a time, into error events and clusters their
/// signatures. Records come in time order from a case; out of order they are
/// still all counted, only merged less.
#[derive(Debug, Default)]
pub struct Extractor {
    events: Events,
    strings: Interner,
    hasher: foldhash::fast::RandomState,
    /// The source name of the last (file, source) seen: records come file by file.
    last_name: Option<(Arc<str>, u32, Option<Arc<str>>)>,
    /// The second being merged, its events by key, and their clients so far.
    second: i64,
    open: HashMap<GroupKey, (usize, Vec<u64>), foldhash::fast::RandomState>,
}

/// A hash of `text` with its values left out, by the number, hex and UUID
/// rules of signature masking (`signature::mask`, whose regexes cost too much
/// per record here): a number that does not follow a letter (`8812` in
/// `session_8812`, `12` in `12ms`, IP parts), a hex run of six or more with
/// digits and letters, a UUID. Unlike the signature, quoted text stays: what
/// overlap matching looks for (words, file and module names, names with digits
/// like `psycopg2` or `handlers_v2`) keeps records apart.
fn shape_of(hasher: &foldhash::fast::RandomState, text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = hasher.build_hasher();
    let b = text.as_bytes();
    let hex = |c: u8| c.is_ascii_hexdigit();
    let is_uuid = |at: usize| {
        b.get(at..at + 36).is_some_and(|u| {
            u.iter().enumerate().all(|(k, &c)| if matches!(k, 8 | 13 | 18 | 23) { c == b'-' } else { hex(c) })
        })
    };
    let mut i = 0;
    while i < b.len() {
        let starts_word = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if starts_word && is_uuid(i) {
            h.write_u8(b'#');
            i += 36;
            continue;
        }
        if starts_word && b[i].is_ascii_alphanumeric() {
            let end = b[i..].iter().position(|c| !c.is_ascii_alphanumeric()).map_or(b.len(), |n| i + n);
            let word = &b[i..end];
            if word.len() >= 6
                && word.iter().all(|&c| hex(c))
                && word.iter().any(u8::is_ascii_digit)
                && word.iter().any(u8::is_ascii_alphabetic)
            {
                h.write_u8(b'#');
                i = end;
                continue;
            }
            if word[0].is_ascii_digit() {
                h.write_u8(b'#');
                i += word.iter().take_while(|c| c.is_ascii_digit()).count();
                continue;
            }
            h.write(word);
            i = end;
            continue;
        }
        h.write_u8(b[i]);
        i += 1;
    }
    h.finish()
}

/// Whether `b`'s last record comes after `a`'s, `b` being later in the event
/// order. Within a second, micros tell; line numbers only within one file
/// (access logs count whole seconds); otherwise the event order.
pub fn ends_later(a: &ErrorEvent, b: &ErrorEvent) -> bool {
    if (a.t, a.last.micros) != (b.t, b.last.micros) {
        return (b.t, b.last.micros) > (a.t, a.last.micros);
    }
    if a.file == b.file {
        return b.last.line >= a.last.line;
    }
    true
}

impl Extractor {
    /// Adds `nr` to the error events, if it is an error. Returns whether the
    /// analysis also needs the record itself in [`faultline_model::CaseData::notable`]:
    /// only the lifecycle lines the timeline's restarts are made of, and the
    /// failure lines (crash, OOM kill, failing probe) suspects are checked against.
    pub fn push(&mut self, sources: &[SourceSummary], nr: &NotableRecord) -> bool {
        let r = &nr.record;
        // Request ids pair the records of two logs (clock suggestions); one log has nothing to pair.
        if sources.iter().filter(|s| s.kind == faultline_model::SourceKind::Log).nth(1).is_some() {
            self.events.request_ids.push(nr);
        }
        let keep = r.status.is_none()
            && (faultline_model::is_lifecycle_message(&r.message) || faultline_model::is_failure_message(&r.message));
        let trace = if r.text.contains('\n') { signature::parse_trace(&r.text) } else { Trace::default() };
        let client_error = r.status.is_some_and(|s| (400..500).contains(&s));
        if !client_error && !is_error(nr, &trace) {
            return keep;
        }
        let http = r.status.is_some_and(|s| s >= 400);
        let endpoint = match &r.path {
            Some(p) => Some(signature::endpoint_of(p)),
            None => endpoint_in_message()
                .captures(&r.message)
                .and_then(|c| c.get(1))
                .map(|m| signature::endpoint_of(m.as_str())),
        };
        let key = if http {
            format!(
                "HTTP {} {} {}",
                r.status.unwrap_or(500),
                r.method.as_deref().unwrap_or("-"),
                endpoint.as_deref().unwrap_or("-")
            )
        } else {
            signature::key_for(&r.message, &trace)
        };
        let cluster = self.events.miner.add(&key);
        let file = self.strings.get(&nr.file);
        let source_name = match &self.last_name {
            Some((f, source, name)) if Arc::ptr_eq(f, &file) && *source == nr.source => name.clone(),
            _ => {
                let name = sources
                    .get(nr.source as usize)
                    .and_then(|s| source_name(&nr.file).or_else(|| source_name(&s.path)))
                    .map(|n| self.strings.get(&n));
                self.last_name = Some((file.clone(), nr.source, name.clone()));
                name
            }
        };
        let host =
            r.host.as_deref().or(r.service.as_deref()).map(|h| self.strings.get(h)).or_else(|| source_name.clone());
        let endpoint = endpoint.as_deref().map(|e| self.strings.get(e));
        let client = r.client.as_deref().map(|c| self.hasher.hash_one(c));
        let t = r.time.timestamp();
        let at = RecordAt { micros: r.time.timestamp_subsec_micros(), line: r.span.line, offset: r.span.offset };
        // What overlap matching will read: a request's request line, a record's text.
        let overlap_text = if http || r.text.is_empty() { r.message.as_str() } else { r.text.as_str() };
        if t != self.second {
            self.close_second();
            self.second = t;
        }
        let group = GroupKey {
            cluster,
            source: nr.source,
            http,
            status: r.status.filter(|_| http),
            level: r.level.map(|l| l as u8),
            file: Arc::as_ptr(&file) as *const u8 as usize,
            endpoint: addr(&endpoint),
            host: addr(&host),
            source_name: addr(&source_name),
            shape: shape_of(&self.hasher, overlap_text),
        };
        let alone = trace.is_trace();
        if !alone {
            if let Some((i, clients)) = self.open.get_mut(&group) {
                if let Some(e) = self.events.list.get_mut(*i) {
                    e.count += 1;
                    e.last = at;
                    clients.extend(client);
                    return keep;
                }
            }
        }
        let text = if http { self.strings.get(overlap_text) } else { Arc::from(overlap_text) };
        self.events.list.push(ErrorEvent {
            t,
            first: at,
            last: at,
            count: 1,
            http,
            status: r.status.filter(|_| http),
            level: r.level,
            endpoint,
            host,
            source_name,
            source: nr.source,
            trace: alone.then(|| Box::new(trace)),
            cluster,
            file,
            text,
            clients: (0, 0),
        });
        let i = self.events.list.len() - 1;
        let clients = client.into_iter().collect();
        if alone {
            self.close(i, clients);
        } else {
            self.open.insert(group, (i, clients));
        }
        keep
    }

    /// Stores event `i`'s distinct clients in the order their records came
    /// (file order), each with its record count. Ids are hashes seeded per
    /// run: ordered by id, the clients of one burst came out in another
    /// order on every run, and so did which of them "what is new" listed.
    fn close(&mut self, i: usize, clients: Vec<u64>) {
        let start = self.events.clients.len();
        let mut seen: HashMap<u64, usize> = HashMap::new();
        for c in clients {
            let distinct = &self.events.clients[start..];
            // A handful of clients is the common case: a scan beats hashing them.
            let at = if distinct.len() <= 16 {
                distinct.iter().position(|&d| d == c).map(|k| start + k)
            } else {
                if seen.is_empty() {
                    seen.extend(distinct.iter().enumerate().map(|(k, &d)| (d, start + k)));
                }
                seen.get(&c).copied()
            };
            match at.and_then(|k| self.events.client_records.get_mut(k)) {
                Some(n) => *n = n.saturating_add(1),
                None => {
                    if !seen.is_empty() {
                        seen.insert(c, self.events.clients.len());
                    }
                    self.events.clients.push(c);
                    self.events.client_records.push(1);
                }
            }
        }
        if let Some(e) = self.events.list.get_mut(i) {
            e.clients = (start as u32, self.events.clients.len() as u32);
        }
    }

    fn close_second(&mut self) {
        let open: Vec<(usize, Vec<u64>)> = self.open.drain().map(|(_, v)| v).collect();
        for (i, clients) in open {
            self.close(i, clients);
        }
    }

    /// The events in time order (ties in the order they came), and the signature clusters.
    pub fn finish(mut self) -> Events {
        self.close_second();
        self.events.client_hasher = self.hasher.clone();
        let by_time = |e: &ErrorEvent| (e.t, e.first.micros);
        if !self.events.list.is_sorted_by_key(by_time) {
            self.events.list.sort_by_key(by_time);
        }
        if self.events.list.iter().any(|e| e.status.is_some_and(|s| s < 500)) {
            let (client, errors) = std::mem::take(&mut self.events.list)
                .into_iter()
                .partition(|e: &ErrorEvent| e.status.is_some_and(|s| s < 500));
            self.events.list = errors;
            self.events.client_errors = client;
        }
        self.events.list.shrink_to_fit();
        self.events.clients.shrink_to_fit();
        self.events.client_records.shrink_to_fit();
        self.events
    }
}

/// Reads the error events out of a case's notable records and clusters their signatures.
pub fn extract(case: &faultline_model::CaseData) -> Events {
    let mut ex = Extractor::default();
    for nr in &case.notable {
        ex.push(&case.sources, nr);
    }
    ex.finish()
}

/// Caps a cited line so a minified blob does not flood a report.
pub fn cap(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// The citation of a notable record.
pub fn cite_record(nr: &NotableRecord) -> Citation {
    let first = nr.record.text.lines().next().filter(|l| !l.is_empty()).unwrap_or(&nr.record.message);
    Citation {
        file: nr.file.to_string(),
        line: nr.record.span.line,
        offset: nr.record.span.offset,
        text: cap(first, 300),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alike(a: &str, b: &str) -> bool {
        let h = foldhash::fast::RandomState::default();
        shape_of(&h, a) == shape_of(&h, b)
    }

    #[test]
    fn records_differing_in_values_are_alike_and_in_names_are_not() {
        // Values: ids, counters, addresses, hex request ids, UUIDs, times.
        assert!(alike("session_8812 expired after 12ms", "session_9 expired after 4031ms"));
        assert!(alike(
            "refused by 10.2.0.4:5432 request_id=fbc6b06b5e65",
            "refused by 10.2.0.17:5432 request_id=0e7587fc5dca"
        ));
        assert!(alike(
            "job 550e8400-e29b-41d4-a716-446655440000 failed",
            "job 123e4567-e89b-12d3-a456-426614174000 failed"
        ));
        assert!(alike("GET /api/orders/79720 HTTP/1.1", "GET /api/orders/3 HTTP/1.1"));
        // Names a change may touch stay apart, digits and all.
        assert!(!alike("in handlers_v2.py", "in handlers_v3.py"));
        assert!(!alike("psycopg2.OperationalError", "psycopg3.OperationalError"));
        assert!(!alike("cannot read config/auth_settings.py", "cannot read config/auth_backend.py"));
        assert!(!alike("GET /api/orders HTTP/1.1", "GET /api/order HTTP/1.1"));
        assert!(!alike("db: timeout", "db: timeout — retrying"));
    }
}
