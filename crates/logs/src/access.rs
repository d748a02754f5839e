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

/// A `u64` as `str::parse` reads it (optional `+`, digits, no overflow), by hand.
fn size(tok: &[u8]) -> Option<u64> {
    let digits = tok.strip_prefix(b"+").unwrap_or(tok);
    if digits.is_empty() {
        return None;
    }
    let mut v = 0u64;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
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

/// `d.ddd` as written, when it has one dot and at most 15 digits: the
/// integer of its digits over a power of ten is exactly what `str::parse`
/// returns (both are the correctly rounded quotient), without its cost.
fn plain_decimal(v: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    if v.is_empty() || v.len() > 16 {
        return None;
    }
    let (mut int, mut dot, mut digits) = (0u64, None, 0usize);
    for (k, &c) in v.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                int = int * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b'.' if dot.is_none() => dot = Some(k),
            _ => return None,
        }
    }
    let dot = dot?;
    if digits == 0 {
        return None;
    }
    Some(int as f64 / POW10[v.len() - 1 - dot])
}

/// `0.123` (seconds, nginx `$request_time`) or `rt=0.123` → milliseconds.
fn duration_ms(tok: &str) -> Option<f64> {
    if let Some(secs) = plain_decimal(tok.as_bytes()) {
        return Some(secs * 1000.0);
    }
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
    // `client ident user`, possibly after a vhost (`example.com:443 client ident user`):
    // the last three space-separated tokens before `[`, read backwards by hand
    // (this runs once per line of a multi-gigabyte log).
    let head = b.get(..lb)?;
    let mut end = head.len();
    let mut token_back = || -> Option<(usize, usize)> {
        while end > 0 && head[end - 1] == b' ' {
            end -= 1;
        }
        if end == 0 {
            return None;
        }
        let stop = end;
        while end > 0 && head[end - 1] != b' ' {
            end -= 1;
        }
        Some((end, stop))
    };
    let (ua_, ub_) = token_back()?;
    let _ident = token_back()?;
    let (ca, cb) = token_back()?;
    let (user, client) = (s.get(ua_..ub_)?, s.get(ca..cb)?);
    let mut http = HttpRequest { client: Some(client), user: dash_none(user), ..HttpRequest::default() };

    let mut i = rb + 1;
    i = skip_spaces(b, i);
    let (rq_a, rq_b, next) = quoted(b, i)?;
    let request = s.get(rq_a..rq_b)?;
    let rq = request.as_bytes();
    if let Some(sp) = rq.iter().position(|c| *c == b' ') {
        http.method = Some(request.get(..sp)?);
        let rest = &rq[sp + 1..];
        let path_end = match rest.iter().rposition(|c| *c == b' ') {
            Some(k) if rest[k + 1..].starts_with(b"HTTP/") => k,
            _ => rest.len(),
        };
        http.path = dash_none(request.get(sp + 1..sp + 1 + path_end)?);
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
    let bytes_tok = b.get(i..bytes_end)?;
    if bytes_tok != b"-" {
        http.bytes = Some(size(bytes_tok)?);
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
    /// The last timestamp text and what it resolved to: consecutive lines of
    /// a busy server nearly always share their second, so most lines skip the
    /// scan (and its month-name lookup) entirely.
    last_ts: Vec<u8>,
    last_time: Option<(faultline_model::Instant, u8)>,
}

impl AccessParser {
    pub(crate) fn new(resolver: Resolver) -> Self {
        AccessParser { resolver, last_ts: Vec::with_capacity(64), last_time: None }
    }

    fn time(&mut self, ts: &[u8]) -> Option<(faultline_model::Instant, u8)> {
        if ts != self.last_ts.as_slice() || self.last_ts.is_empty() {
            self.last_time = scan(Layout::Clf, ts).and_then(|(p, _)| self.resolver.resolve(&p));
            self.last_ts.clear();
            self.last_ts.extend_from_slice(ts);
        }
        self.last_time
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
        let Some((time, flags)) = self.time(ts) else {
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
    fn the_hand_written_number_readers_agree_with_str_parse() {
        for tok in ["0.123", "1.500", "0.045", "12.", ".5", "3.14159265358979", "0.000", "29.999", "7.1"] {
            assert_eq!(super::plain_decimal(tok.as_bytes()), tok.parse::<f64>().ok(), "{tok}");
        }
        for tok in ["1.2.3", ".", "", "1e3", "12", "-1.0"] {
            assert_eq!(super::plain_decimal(tok.as_bytes()), None, "{tok}");
        }
        for tok in ["0", "512", "+7", "18446744073709551615", "18446744073709551616", "", "+", "1x", "-1"] {
            assert_eq!(super::size(tok.as_bytes()), tok.parse::<u64>().ok(), "{tok}");
        }
    }

    #[test]
    fn hosts_and_odd_spacing_before_the_timestamp_are_read_like_before() {
        let a = super::parse_line(
            "shop.example:443  10.0.0.1 -  bob [24/Nov/2026:08:27:03 +0000] \"GET /a HTTP/1.1\" 200 5",
        )
        .unwrap();
        assert_eq!(
            (a.http.client, a.http.user, a.http.path, a.http.method),
            (Some("10.0.0.1"), Some("bob"), Some("/a"), Some("GET"))
        );
        assert!(
            super::parse_line("- bob [24/Nov/2026:08:27:03 +0000] \"GET /a HTTP/1.1\" 200 5").is_none(),
            "three tokens are needed"
        );
        let b = super::parse_line("1.2.3.4 - - [24/Nov/2026:08:27:03 +0000] \"GET /a b HTTP/2\" 200 -").unwrap();
        assert_eq!((b.http.path, b.http.bytes), (Some("/a b"), None));
        let c = super::parse_line("1.2.3.4 - - [24/Nov/2026:08:27:03 +0000] \"GET /a b FTP/2\" 200 -").unwrap();
        assert_eq!(c.http.path, Some("/a b FTP/2"));
        let d = super::parse_line("1.2.3.4 - - [24/Nov/2026:08:27:03 +0000] \"-\" 400 0").unwrap();
        assert_eq!((d.http.method, d.http.path), (None, None));
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
