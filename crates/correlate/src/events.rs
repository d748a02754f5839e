//! Error events: the notable records that count as errors, each with its
//! signature cluster, endpoint, host and stack trace.

use crate::signature::{self, Miner, Trace};
use faultline_model::{CaseData, Citation, Interner, Level, NotableRecord};
use regex::Regex;
use std::sync::{Arc, OnceLock};

/// One error: a 5xx response, an error-or-worse record, or an exception.
#[derive(Debug, Clone)]
pub struct ErrorEvent {
    /// Index into [`CaseData::notable`].
    pub idx: usize,
    /// Unix second.
    pub t: i64,
    /// A 5xx response (user-visible failure) rather than a log record.
    pub http: bool,
    /// Request path (masked), from the request or the message.
    pub endpoint: Option<Arc<str>>,
    /// Host, service, or the source's name.
    pub host: Option<Arc<str>>,
    /// The name of the source it was read from (`archive-portal` for
    /// `app/archive-portal.log`), when that name says more than `access`.
    pub source_name: Option<Arc<str>>,
    /// Client address.
    pub client: Option<Arc<str>>,
    /// Source index.
    pub source: u32,
    /// The stack trace, if the record holds one.
    pub trace: Trace,
    /// Signature cluster.
    pub cluster: usize,
}

fn endpoint_in_message() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"(?:\b(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+|\bon\s+|\bpath[=:]\s*"?)(/[^\s"\[\]]*)"#)
            .unwrap_or_else(|e| panic!("endpoint pattern: {e}"))
    })
}

/// Whether a notable record is an error.
pub fn is_error(rec: &NotableRecord, trace: &Trace) -> bool {
    let r = &rec.record;
    if let Some(s) = r.status {
        return s >= 500;
    }
    match r.level {
        Some(l) if l.is_error() => true,
        Some(l) if l < Level::Warn => false,
        _ => trace.is_trace(),
    }
}

/// A name for a source from its path: the file stem, or the folder when
/// the stem says nothing (`access`, `error`, `app`).
pub fn source_name(path: &str) -> Option<String> {
    let base = signature::basename(path);
    let stem = base.split('.').next().unwrap_or(base);
    const GENERIC: &[&str] = &["access", "error", "errors", "app", "application", "server", "output", "syslog", "messages", "log", "logs", "current", "stdout", "stderr"];
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

/// Reads the error events out of a case and clusters their signatures.
pub fn extract(case: &CaseData) -> (Vec<ErrorEvent>, Miner) {
    let mut miner = Miner::default();
    let mut strings = Interner::default();
    let mut out = Vec::new();
    for (idx, nr) in case.notable.iter().enumerate() {
        let r = &nr.record;
        let trace = if r.text.contains('\n') { signature::parse_trace(&r.text) } else { Trace::default() };
        if !is_error(nr, &trace) {
            continue;
        }
        let http = r.status.is_some_and(|s| s >= 500);
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
        let cluster = miner.add(&key);
        let source_name = case.sources.get(nr.source as usize).and_then(|s| source_name(&nr.file).or_else(|| source_name(&s.path)));
        let host = r.host.as_deref().or(r.service.as_deref()).or(source_name.as_deref()).map(|h| strings.get(h));
        out.push(ErrorEvent {
            idx,
            t: r.time.timestamp(),
            http,
            endpoint: endpoint.as_deref().map(|e| strings.get(e)),
            host,
            source_name: source_name.as_deref().map(|n| strings.get(n)),
            client: r.client.as_deref().map(|c| strings.get(c)),
            source: nr.source,
            trace,
            cluster,
        });
    }
    out.sort_by_key(|e| (e.t, e.idx));
    (out, miner)
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
    Citation { file: nr.file.to_string(), line: nr.record.span.line, offset: nr.record.span.offset, text: cap(first, 300) }
}
