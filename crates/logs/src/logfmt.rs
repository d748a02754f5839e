//! logfmt: `time=2026-11-24T08:27:03Z level=error msg="db timeout" service=api`.

use crate::access::status_level;
use crate::input::LineInfo;
use crate::ts::{scan, Layout, Resolver};
use crate::{LineParser, LogError, Out, NO_TIMESTAMP};
use faultline_model::time::{parse_instant, Zone};
use faultline_model::{flags, HttpRequest, Instant, Level, LogRecord, Span};

/// One `key=value` pair as ranges; `escaped` when the quoted value holds `\`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    pub key: (usize, usize),
    pub value: (usize, usize),
    pub escaped: bool,
}

/// Splits a logfmt line into pairs (into a reused vector). Returns false
/// when the line does not look like logfmt at all.
pub(crate) fn pairs(s: &str, into: &mut Vec<Pair>) -> bool {
    into.clear();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let ks = i;
        while i < b.len() && b[i] != b'=' && b[i] != b' ' && b[i] != b'\t' {
            i += 1;
        }
        let key = (ks, i);
        if i >= b.len() || b[i] != b'=' {
            // A bare word (`key` without value): allowed, ignored.
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'"') {
            let vs = i + 1;
            let mut j = vs;
            let mut escaped = false;
            while j < b.len() && b[j] != b'"' {
                if b[j] == b'\\' {
                    escaped = true;
                    j += 1;
                }
                j += 1;
            }
            let ve = j.min(b.len());
            into.push(Pair { key, value: (vs, ve), escaped });
            i = (j + 1).min(b.len());
        } else {
            let vs = i;
            while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
                i += 1;
            }
            into.push(Pair { key, value: (vs, i), escaped: false });
        }
    }
    into.len() >= 2
}

fn unescape(raw: &str, into: &mut String) {
    into.clear();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => into.push('\n'),
                Some('t') => into.push('\t'),
                Some(o) => into.push(o),
                None => {}
            }
        } else {
            into.push(c);
        }
    }
}

pub(crate) const TIME_KEYS: &[&str] = &["time", "ts", "timestamp", "t", "@timestamp", "date", "datetime"];

fn find<'a>(s: &'a str, ps: &[Pair], keys: &[&str]) -> Option<(&'a str, Pair)> {
    keys.iter().find_map(|k| {
        ps.iter().find(|p| s.get(p.key.0..p.key.1) == Some(k)).and_then(|p| Some((s.get(p.value.0..p.value.1)?, *p)))
    })
}

/// A time value: ISO (fast path) or anything `parse_instant` reads.
pub(crate) fn read_time(v: &str, resolver: &mut Resolver, zone: &Zone) -> Option<(Instant, u8)> {
    if let Some((p, end)) = scan(Layout::Iso, v.as_bytes()) {
        if end == v.len() {
            return resolver.resolve(&p);
        }
    }
    parse_instant(v, zone)
}

pub(crate) struct LogfmtParser {
    zone: Zone,
    resolver: Resolver,
    pairs: Vec<Pair>,
    message: String,
}

impl LogfmtParser {
    pub(crate) fn new(zone: Zone, resolver: Resolver) -> Self {
        LogfmtParser { zone, resolver, pairs: Vec::with_capacity(32), message: String::new() }
    }
}

impl LineParser for LogfmtParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        if text.trim().is_empty() {
            return Ok(true);
        }
        if !pairs(text, &mut self.pairs) {
            return out.unparsed(info, bytes, "not logfmt");
        }
        let ps = &self.pairs;
        let Some((time, tflags)) =
            find(text, ps, TIME_KEYS).and_then(|(v, _)| read_time(v, &mut self.resolver, &self.zone))
        else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let get = |keys: &[&str]| find(text, ps, keys).map(|(v, _)| v).filter(|v| !v.is_empty());
        let status = get(&["status", "status_code", "http.status_code"])
            .and_then(|v| v.parse::<u16>().ok())
            .filter(|s| (100..=599).contains(s));
        let http = status.map(|status| HttpRequest {
            client: get(&["remote_addr", "client_ip", "client", "ip"]),
            method: get(&["method", "http.method"]),
            path: get(&["path", "url", "uri"]),
            status,
            bytes: get(&["bytes", "size"]).and_then(|v| v.parse().ok()),
            user_agent: get(&["user_agent", "ua"]),
            ..HttpRequest::default()
        });
        let level = get(&["level", "lvl", "severity", "loglevel"]).and_then(Level::parse).or(status.map(status_level));
        let message = match find(text, ps, &["msg", "message"]) {
            Some((v, p)) if p.escaped => {
                unescape(v, &mut self.message);
                self.message.as_str()
            }
            Some((v, _)) => v,
            None => text,
        };
        let mut rec = LogRecord {
            time,
            span: Span { line: info.no, offset: info.offset, len: info.end - info.offset, lines: 1 },
            level,
            http,
            host: get(&["host", "hostname"]),
            service: get(&["service", "app", "logger", "component", "svc"]),
            message,
            text,
            flags: tflags | if info.cut { flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;
    use faultline_model::Level;

    #[test]
    fn logfmt_lines_with_quoted_and_escaped_values() {
        let data = concat!(
            "time=2026-11-24T08:27:03Z level=error msg=\"db timeout\" service=api host=web-1\n",
            "time=2026-11-24T08:27:04.5+01:00 level=info msg=\"said \\\"hi\\\"\" service=api\n",
            "ts=1795508825 level=warn msg=slow status=503 method=POST path=/pay\n",
            "level=info msg=\"no time\"\n",
        );
        let (sum, sink) = run(data, "logfmt", &opts());
        assert_eq!((sum.records, sum.unparsed), (3, 1));
        let r = &sink.records;
        assert_eq!((r[0].time, r[0].level), (utc("2026-11-24T08:27:03Z"), Some(Level::Error)));
        assert_eq!(
            (r[0].message.as_str(), r[0].service.as_deref(), r[0].host.as_deref()),
            ("db timeout", Some("api"), Some("web-1"))
        );
        assert_eq!(r[1].time, utc("2026-11-24T07:27:04.5Z"));
        assert_eq!(r[1].message, "said \"hi\"");
        assert_eq!(
            (r[2].time, r[2].status, r[2].path.as_deref()),
            (utc("2026-11-24T08:27:05Z"), Some(503), Some("/pay"))
        );
        assert_eq!(sink.unparsed[0], (4, "no timestamp", "level=info msg=\"no time\"".to_string()));
    }
}
