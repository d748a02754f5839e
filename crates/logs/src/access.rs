//! nginx / Apache access logs (common, combined, extra trailing fields), scanned by hand.

use crate::input::LineInfo;
use crate::ts::{scan, Layout, Resolver};
use crate::{LineParser, LogError, Out, NO_TIMESTAMP};
use faultline_model::{HttpRequest, Level, LogRecord, Span};

/// The fields of one access-log line, as byte ranges / values.
pub(crate) struct AccessLine<'a> {
    pub http: HttpRequest<'a>,
    /// The request line (`GET /x HTTP/1.1`).
    pub request: &'a str,
    /// `$http_referer` and `$http_user_agent` were present.
    pub combined: bool,
    pub ts: (usize, usize),
}

/// A `"…"` field starting at `i` (which must be `"`); `\"` does not end it.
/// Returns the inside's range and the index after the closing quote.
fn quoted(b: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        let k = j + memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
        if b[k] == b'\\' {
            j = k + 2;
            continue;
        }
        return Some((i + 1, k, k + 1));
    }
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

fn dash_none(s: &str) -> Option<&str> {
    if s.is_empty() || s == "-" {
        None
    } else {
        Some(s)
    }
}

/// `0.123` (seconds, nginx `$request_time`) or `rt=0.123` → milliseconds.
fn duration_ms(tok: &str) -> Option<f64> {
    let v = match tok.split_once('=') {
        Some(("rt" | "request_time" | "rtime" | "duration", v)) => v,
        Some(_) => return None,
        None => tok,
    };
    let v = v.trim_matches('"');
    if !v.contains('.') || !v.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return None;
    }
    v.parse::<f64>().ok().filter(|d| d.is_finite()).map(|s| s * 1000.0)
}

/// Reads one access-log line. `None` when it is not one.
pub(crate) fn parse_line(s: &str) -> Option<AccessLine<'_>> {
    let b = s.as_bytes();
    let lb = memchr::memchr(b'[', b)?;
    let rb = lb + memchr::memchr(b']', b.get(lb..)?)?;
    // `client ident user`, possibly after a vhost (`example.com:443 client ident user`).
    let head = s.get(..lb)?;
    let mut toks = head.split(' ').filter(|t| !t.is_empty()).rev();
    let user = toks.next()?;
    let _ident = toks.next()?;
    let client = toks.next()?;
    let mut http = HttpRequest { client: Some(client), user: dash_none(user), ..HttpRequest::default() };

    let mut i = rb + 1;
    i = skip_spaces(b, i);
    let (rq_a, rq_b, next) = quoted(b, i)?;
    let request = s.get(rq_a..rq_b)?;
    if let Some((method, rest)) = request.split_once(' ') {
        http.method = Some(method);
        let path = match rest.rsplit_once(' ') {
            Some((p, proto)) if proto.starts_with("HTTP/") => p,
            _ => rest,
        };
        http.path = dash_none(path);
    } else {
        http.path = dash_none(request);
    }
    i = skip_spaces(b, next);
    let st = b.get(i..i + 3)?;
    if !st.iter().all(u8::is_ascii_digit) || b.get(i + 3).is_some_and(|c| *c != b' ') {
        return None;
    }
    http.status = (st[0] - b'0') as u16 * 100 + (st[1] - b'0') as u16 * 10 + (st[2] - b'0') as u16;
    i = skip_spaces(b, i + 3);
    let bytes_end = i + b.get(i..)?.iter().position(|c| *c == b' ').unwrap_or(b.len() - i);
    let bytes_tok = s.get(i..bytes_end)?;
    if bytes_tok != "-" {
        http.bytes = Some(bytes_tok.parse().ok()?);
    }
    i = skip_spaces(b, bytes_end);
    let mut combined = false;
    if let Some((ra, rbq, n1)) = quoted(b, i) {
        let j = skip_spaces(b, n1);
        if let Some((ua, ub, n2)) = quoted(b, j) {
            combined = true;
            http.referer = dash_none(s.get(ra..rbq)?);
            http.user_agent = dash_none(s.get(ua..ub)?);
            i = n2;
        }
    }
    // Extra fields (`$request_time`, `$upstream_response_time`, …): the first duration-like one.
    if let Some(rest) = s.get(i..) {
        http.duration_ms = rest.split(' ').filter(|t| !t.is_empty()).find_map(duration_ms);
    }
    Some(AccessLine { http, request, combined, ts: (lb + 1, rb) })
}

/// Level from the response status.
pub(crate) fn status_level(status: u16) -> Level {
    match status {
        500..=599 => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    }
}

pub(crate) struct AccessParser {
    resolver: Resolver,
}

impl AccessParser {
    pub(crate) fn new(resolver: Resolver) -> Self {
        AccessParser { resolver }
    }
}

impl LineParser for AccessParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        if text.trim().is_empty() {
            return Ok(true);
        }
        let Some(line) = parse_line(text) else {
            return out.unparsed(info, bytes, "not an access log line");
        };
        let ts = text.as_bytes().get(line.ts.0..line.ts.1).unwrap_or_default();
        let Some((time, flags)) = scan(Layout::Clf, ts).and_then(|(p, _)| self.resolver.resolve(&p)) else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let mut rec = LogRecord {
            time,
            span: Span { line: info.no, offset: info.offset, len: info.end - info.offset, lines: 1 },
            level: Some(status_level(line.http.status)),
            http: Some(line.http),
            host: None,
            service: None,
            message: line.request,
            text,
            flags: flags | if info.cut { faultline_model::flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;
    use faultline_model::time::Zone;
    use faultline_model::Level;

    const COMBINED: &str = concat!(
        "203.0.113.7 - alice [24/Nov/2026:08:27:03 +0300] \"GET /api/cart?id=1 HTTP/1.1\" 200 512 \"https://shop.example/\" \"Mozilla/5.0 (X11; Linux x86_64)\" 0.123\n",
        "203.0.113.8 - - [24/Nov/2026:08:27:04 +0300] \"POST /api/checkout HTTP/2.0\" 502 157 \"-\" \"curl/8.5.0\" 1.500 0.998\n",
        "203.0.113.9 - - [24/Nov/2026:08:27:04 +0300] \"GET /missing HTTP/1.1\" 404 - \"-\" \"say \\\"hi\\\"\"\n",
        "garbage line\n",
    );

    #[test]
    fn combined_lines_fill_the_request_and_derive_the_level() {
        let (sum, sink) = run(COMBINED, "nginx-combined", &opts());
        assert_eq!((sum.records, sum.unparsed), (3, 1));
        let r = &sink.records[0];
        assert_eq!(r.time, utc("2026-11-24T05:27:03Z"));
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.status, Some(200));
        assert_eq!(r.method.as_deref(), Some("GET"));
        assert_eq!(r.path.as_deref(), Some("/api/cart?id=1"));
        assert_eq!(r.client.as_deref(), Some("203.0.113.7"));
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 (X11; Linux x86_64)"));
        assert_eq!(sink.records[1].level, Some(Level::Error));
        assert_eq!(sink.records[2].level, Some(Level::Warn));
        assert_eq!(sink.records[2].user_agent.as_deref(), Some("say \\\"hi\\\""));
        assert_eq!(sink.unparsed[0].0, 4);
        // Offsets point at each line's first byte.
        let second = COMBINED.find("203.0.113.8").unwrap() as u64;
        assert_eq!((sink.records[1].span.offset, sink.records[1].span.line), (second, 2));
    }

    #[test]
    fn extra_fields_and_user_and_bytes_are_read() {
        let line = COMBINED.lines().next().unwrap();
        let a = super::parse_line(line).unwrap();
        assert_eq!(a.http.user, Some("alice"));
        assert_eq!(a.http.bytes, Some(512));
        assert_eq!(a.http.referer, Some("https://shop.example/"));
        assert!((a.http.duration_ms.unwrap() - 123.0).abs() < 1e-9);
        let b = super::parse_line(COMBINED.lines().nth(1).unwrap()).unwrap();
        assert!((b.http.duration_ms.unwrap() - 1500.0).abs() < 1e-9);
        let c = super::parse_line(COMBINED.lines().nth(2).unwrap()).unwrap();
        assert_eq!((c.http.bytes, c.http.duration_ms), (None, None));
    }

    #[test]
    fn common_log_format_with_crlf_and_negative_offset() {
        let data = "10.0.0.1 - - [24/Nov/2026:03:27:03 -0500] \"GET / HTTP/1.0\" 200 2326\r\n\
                    10.0.0.2 - bob [24/Nov/2026:03:27:09 -0500] \"GET /admin HTTP/1.0\" 503 12\r\n";
        let (sum, sink) = run(data, "access-common", &opts());
        assert_eq!(sum.records, 2);
        assert_eq!(sink.records[0].time, utc("2026-11-24T08:27:03Z"));
        assert_eq!(sink.records[1].level, Some(Level::Error));
        assert!(!sink.records[0].text.ends_with('\r'));
        assert_eq!(sink.records[1].span.offset, data.find("10.0.0.2").unwrap() as u64);
    }

    #[test]
    fn the_written_offset_wins_over_the_source_zone() {
        let mut o = opts();
        o.zone = Zone::parse("Asia/Tokyo").unwrap();
        let (_, sink) = run(COMBINED, "nginx-combined", &o);
        assert_eq!(sink.records[0].time, utc("2026-11-24T05:27:03Z"));
    }

    #[test]
    fn gzip_access_log_reads_like_plain() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log.2.gz");
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(COMBINED.as_bytes()).unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        let format = crate::detect(&crate::read_sample(&path).unwrap()).unwrap();
        assert_eq!(format.name(), "nginx-combined");
        let mut sink = faultline_model::CollectingSink::default();
        let sum = crate::parse(crate::open(&path).unwrap(), &format, &opts(), &mut sink).unwrap();
        assert_eq!((sum.records, sum.bytes), (3, COMBINED.len() as u64));
        assert_eq!(sink.records[1].status, Some(502));
    }
}
