//! Formats whose records start with a timestamp and may continue over the
//! following lines (tracebacks, stack traces): nginx and Apache error logs,
//! gunicorn, application logs and the generic timestamp-first fallback.

use crate::cri::push_capped;
use crate::input::LineInfo;
use crate::level::{find_level, logger_and_message, skip_separators};
use crate::ts::{scan, Layout, Parts, Resolver, ALL_LAYOUTS};

/// Columns after the learned one where a line's timestamp may sit when a
/// prefix of varying width comes first (host names, ids), within this many bytes.
const PREFIX_BYTES: usize = 64;
use crate::{Kind, LineParser, LogError, LogFormat, Out, NO_TIMESTAMP};
use faultline_model::{flags, Instant, Level, LogRecord, Span};

/// What the first line of a record says.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Header {
    pub parts: Parts,
    pub level: Option<Level>,
    pub service: Option<(usize, usize)>,
    pub message: usize,
}

/// Start of whitespace-separated token number `column`.
pub(crate) fn column_start(b: &[u8], column: u8) -> Option<usize> {
    let mut i = 0;
    for _ in 0..column {
        while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
            i += 1;
        }
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
    }
    Some(i)
}

/// `layout` at token `column`, optionally inside `[…]`; returns the fields
/// and the index after the timestamp (and its `]`).
pub(crate) fn timestamp_at(b: &[u8], layout: Layout, column: u8) -> Option<(Parts, usize)> {
    let mut i = column_start(b, column)?;
    let bracket = b.get(i) == Some(&b'[');
    if bracket {
        i += 1;
    }
    let (p, used) = scan(layout, b.get(i..)?)?;
    let mut end = i + used;
    if bracket && b.get(end) == Some(&b']') {
        end += 1;
    }
    Some((p, end))
}

/// `TS LEVEL [logger] message`, `TS [LEVEL] logger: message`, `TS pid tid D Tag: message`.
fn generic(s: &str, fmt: &LogFormat) -> Option<Header> {
    let b = s.as_bytes();
    let (parts, end) = timestamp_at(b, fmt.layout, fmt.column)
        .or_else(|| shifted(b, fmt))
        // A bare number at the start of a continuation line is no epoch timestamp.
        .or_else(|| {
            ALL_LAYOUTS
                .iter()
                .filter(|l| **l != fmt.layout && **l != Layout::Epoch)
                .find_map(|l| timestamp_at(b, *l, 0))
        })?;
    let rest = s.get(end..)?;
    let mut h = Header { parts, ..Header::default() };
    match find_level(rest, fmt.level_tokens as usize, fmt.letter_level) {
        Some((level, _, after)) => {
            h.level = Some(level);
            let (logger, msg) = logger_and_message(s, end + after);
            h.service = logger;
            h.message = msg;
        }
        None => h.message = skip_separators(s, end),
    }
    Some(h)
}

/// The learned layout one or a few columns off the learned one (a prefix one
/// token longer or shorter on this line), within the line's first bytes.
fn shifted(b: &[u8], fmt: &LogFormat) -> Option<(Parts, usize)> {
    if fmt.column == 0 {
        return None;
    }
    (1..=8u8)
        .filter(|c| *c != fmt.column)
        .take_while(|c| column_start(b, *c).is_some_and(|s| s < PREFIX_BYTES))
        .find_map(|c| timestamp_at(b, fmt.layout, c))
}

/// `2026/11/24 08:27:03 [error] 1234#0: *5 connect() failed …`
fn nginx_error(s: &str) -> Option<Header> {
    let b = s.as_bytes();
    if b.get(4) != Some(&b'/') {
        return None;
    }
    let (parts, end) = scan(Layout::Iso, b)?;
    let rest = s.get(end..)?.strip_prefix(" [")?;
    let close = rest.find(']')?;
    let level = Level::parse(&rest[..close]);
    let mut i = end + 2 + close + 1;
    i = skip_separators(s, i);
    // `1234#0: ` then an optional connection number `*5 `.
    if let Some(r) = s.get(i..) {
        if let Some(sp) = r.find(": ") {
            if r[..sp].contains('#') && r[..sp].bytes().all(|c| c.is_ascii_digit() || c == b'#') {
                i += sp + 2;
            }
        }
    }
    if let Some(r) = s.get(i..) {
        if r.starts_with('*') {
            if let Some(sp) = r.find(' ') {
                i += sp + 1;
            }
        }
    }
    Some(Header { parts, level, service: None, message: i.min(s.len()) })
}

/// Apache 2.4 `[Tue Nov 24 08:27:03.123456 2026] [proxy:error] [pid 1:tid 2] [client …] AH01114: …`
/// and 2.2 `[Sun Dec 04 04:47:44 2005] [error] [client …] …`.
fn apache_error(s: &str) -> Option<Header> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    let (parts, used) = scan(Layout::Ctime, b.get(1..)?)?;
    let mut i = 1 + used;
    if b.get(i) != Some(&b']') {
        return None;
    }
    i += 1;
    let mut h = Header { parts, ..Header::default() };
    let mut first = true;
    loop {
        let j = skip_separators(s, i);
        let Some(r) = s.get(j..).filter(|r| r.starts_with('[')) else { break };
        let Some(close) = r.find(']') else { break };
        let inner = &r[1..close];
        if first {
            first = false;
            match inner.rsplit_once(':') {
                Some((module, lvl)) => {
                    h.level = Level::parse(lvl);
                    if h.level.is_some() {
                        h.service = Some((j + 1, j + 1 + module.len()));
                    }
                }
                None => h.level = Level::parse(inner),
            }
            if h.level.is_none() {
                break;
            }
        } else if !["pid ", "client ", "remote ", "tid "].iter().any(|p| inner.starts_with(p)) {
            break;
        }
        i = j + close + 1;
    }
    h.message = skip_separators(s, i);
    Some(h)
}

/// `[2026-11-24 08:27:03 +0000] [1234] [INFO] Booting worker with pid: 1234`
fn gunicorn(s: &str) -> Option<Header> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    let (parts, used) = scan(Layout::Iso, b.get(1..)?)?;
    let rest = s.get(1 + used..)?.strip_prefix("] [")?;
    let pid_end = rest.find(']')?;
    if !rest[..pid_end].bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let after = rest.get(pid_end + 1..)?.strip_prefix(" [")?;
    let lvl_end = after.find(']')?;
    let level = Level::parse(&after[..lvl_end]);
    level?;
    let msg = s.len() - after.len() + lvl_end + 1;
    Some(Header { parts, level, service: None, message: skip_separators(s, msg) })
}

/// The header of `s` as a line of `fmt`, if it starts a record.
pub(crate) fn header(s: &str, fmt: &LogFormat) -> Option<Header> {
    match fmt.kind {
        Kind::NginxError => nginx_error(s),
        Kind::ApacheError => apache_error(s),
        Kind::Gunicorn => gunicorn(s),
        _ => generic(s, fmt),
    }
}

#[derive(Default)]
struct Pending {
    active: bool,
    time: Option<(Instant, u8)>,
    header: Header,
    line: u64,
    offset: u64,
    end: u64,
    lines: u32,
    text: String,
    truncated: bool,
}

pub(crate) struct TextParser {
    format: LogFormat,
    resolver: Resolver,
    cap: usize,
    p: Pending,
}

impl TextParser {
    pub(crate) fn new(format: LogFormat, resolver: Resolver, cap: usize) -> Self {
        TextParser { format, resolver, cap, p: Pending { text: String::with_capacity(4096), ..Pending::default() } }
    }

    fn flush(&mut self, out: &mut Out<'_>) -> Result<bool, LogError> {
        let p = &mut self.p;
        if !p.active {
            return Ok(true);
        }
        p.active = false;
        let Some((time, f)) = p.time else { return Ok(true) };
        let text = p.text.as_str();
        let first_line = text.split('\n').next().unwrap_or_default();
        let h = &p.header;
        let mut rec = LogRecord {
            time,
            span: Span { line: p.line, offset: p.offset, len: p.end - p.offset, lines: p.lines },
            level: h.level,
            http: None,
            host: None,
            service: h.service.and_then(|(a, b)| first_line.get(a..b)).filter(|s| !s.is_empty()),
            message: first_line.get(h.message..).unwrap_or_default(),
            text,
            flags: f | if p.truncated { flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}

impl LineParser for TextParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        let header = if text.is_empty() { None } else { header(text, &self.format) };
        let time = header.as_ref().and_then(|h| self.resolver.resolve(&h.parts));
        if let (Some(h), Some(time)) = (header, time) {
            if !self.flush(out)? {
                return Ok(false);
            }
            let p = &mut self.p;
            p.active = true;
            p.time = Some(time);
            p.header = h;
            p.line = info.no;
            p.offset = info.offset;
            p.end = info.end;
            p.lines = 1;
            p.text.clear();
            p.truncated = info.cut | !push_capped(&mut p.text, text, self.cap);
            return Ok(true);
        }
        if !self.p.active {
            if text.trim().is_empty() {
                return Ok(true);
            }
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        }
        // A continuation line (traceback, stack frame, wrapped message).
        let p = &mut self.p;
        p.lines += 1;
        p.end = info.end;
        if !p.truncated {
            let ok = push_capped(&mut p.text, "\n", self.cap) && push_capped(&mut p.text, text, self.cap);
            p.truncated = !ok || info.cut;
        }
        Ok(true)
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<bool, LogError> {
        self.flush(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;
    use crate::LogOptions;
    use faultline_model::time::Zone;
    use faultline_model::{flags, Level};

    #[test]
    fn python_traceback_is_one_record_and_preamble_is_unparsed() {
        let data = "Starting up (no timestamp yet)\n\
2026-11-24 08:27:03,120 INFO [app.views] GET /cart\n\
2026-11-24 08:27:03,125 ERROR [app.views] Unhandled exception\n\
Traceback (most recent call last):\n  File \"/app/views.py\", line 42, in cart\n    return session['cart']\n\
KeyError: 'session_1234'\n\
2026-11-24 08:27:04.500 WARNING [app.db] pool nearly exhausted\n";
        let (sum, sink) = run(data, "app-log", &opts());
        assert_eq!((sum.records, sum.unparsed), (3, 1));
        assert_eq!(sink.unparsed[0], (1, "no timestamp", "Starting up (no timestamp yet)".to_string()));
        let r = &sink.records[1];
        assert_eq!(r.time, utc("2026-11-24T08:27:03.125Z"));
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.service.as_deref(), Some("app.views"));
        assert_eq!(r.message, "Unhandled exception");
        assert_eq!((r.span.line, r.span.lines), (3, 5));
        assert!(r.text.starts_with("2026-11-24 08:27:03,125 ERROR") && r.text.ends_with("KeyError: 'session_1234'"));
        let start = data.find("2026-11-24 08:27:03,125").unwrap();
        let end = data.find("'session_1234'").unwrap() + "'session_1234'".len();
        assert_eq!((r.span.offset, r.span.len), (start as u64, (end - start) as u64));
        assert_eq!(&data[start..end], r.text);
        assert_eq!((sink.records[2].level, sink.records[2].time), (Some(Level::Warn), utc("2026-11-24T08:27:04.5Z")));
    }

    #[test]
    fn java_stack_trace_with_crlf_attaches_to_its_record() {
        let data = "2026-11-24T08:27:03.001+01:00 [ERROR] com.shop.Checkout: payment failed\r\n\
java.lang.IllegalStateException: boom\r\n\tat com.shop.Checkout.pay(Checkout.java:42)\r\n\
Caused by: java.net.SocketTimeoutException: Read timed out\r\n\t... 42 more\r\n\
2026-11-24T08:27:04.000+01:00 [INFO] com.shop.Checkout: retry ok\r\n";
        let (sum, sink) = run(data, "app-log", &opts());
        assert_eq!(sum.records, 2);
        let r = &sink.records[0];
        assert_eq!(r.time, utc("2026-11-24T07:27:03.001Z"));
        assert_eq!(
            (r.level, r.service.as_deref(), r.message.as_str()),
            (Some(Level::Error), Some("com.shop.Checkout"), "payment failed")
        );
        assert_eq!(r.span.lines, 5);
        assert!(!r.text.contains('\r'));
        assert!(r.text.ends_with("\t... 42 more"));
    }

    #[test]
    fn oversized_records_are_truncated_and_counted() {
        let mut data = String::from("2026-11-24 08:27:03 ERROR boom\n");
        for i in 0..200 {
            data.push_str(&format!("\tat frame{i}(X.java:{i})\n"));
        }
        data.push_str("2026-11-24 08:27:04 INFO next\n");
        let o = LogOptions { max_record_bytes: 256, ..opts() };
        let (sum, sink) = run(&data, "app-log", &o);
        assert_eq!((sum.records, sum.truncated), (2, 1));
        let r = &sink.records[0];
        assert!(r.text.len() <= 256 && r.text.starts_with("2026-11-24 08:27:03 ERROR boom"));
        assert_eq!(r.flags & flags::TRUNCATED, flags::TRUNCATED);
        assert_eq!(r.span.lines, 201);
        assert_eq!(sink.records[1].span.line, 202);
    }

    #[test]
    fn zone_less_app_log_is_read_in_the_given_zone() {
        let data = "2026-11-24 08:27:03 INFO a\n2026-11-24 08:27:04 INFO b\n";
        let mut o = opts();
        o.zone = Zone::parse("America/New_York").unwrap();
        let (_, sink) = run(data, "app-log", &o);
        assert_eq!(sink.records[0].time, utc("2026-11-24T13:27:03Z"));
    }

    #[test]
    fn nginx_error_log() {
        let data = "2026/11/24 08:27:03 [error] 1234#0: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1\n\
2026/11/24 08:27:04 [warn] 1234#0: an upstream response is buffered to a temporary file\n\
2026/11/24 08:27:05 [notice] 1#1: signal process started\n";
        let mut o = opts();
        o.zone = Zone::parse("+03:00").unwrap();
        let (sum, sink) = run(data, "nginx-error", &o);
        assert_eq!(sum.records, 3);
        let r = &sink.records[0];
        assert_eq!((r.time, r.level), (utc("2026-11-24T05:27:03Z"), Some(Level::Error)));
        assert!(r.message.starts_with("connect() failed"), "{}", r.message);
        assert_eq!(sink.records[1].level, Some(Level::Warn));
        assert_eq!(sink.records[2].message, "signal process started");
    }

    #[test]
    fn apache_error_logs_24_and_22() {
        let data = "[Tue Nov 24 08:27:03.123456 2026] [proxy:error] [pid 123:tid 456] [client 1.2.3.4:5678] AH01114: HTTP: failed to make connection to backend: 127.0.0.1\n\
[Tue Nov 24 08:27:04.000001 2026] [core:notice] [pid 123] AH00094: Command line: '/usr/sbin/httpd'\n\
[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] File does not exist: /var/www/favicon.ico\n";
        let (sum, sink) = run(data, "apache-error", &opts());
        assert_eq!(sum.records, 3);
        let r = &sink.records[0];
        assert_eq!((r.time, r.level), (utc("2026-11-24T08:27:03.123456Z"), Some(Level::Error)));
        assert_eq!(r.service.as_deref(), Some("proxy"));
        assert!(r.message.starts_with("AH01114: HTTP"), "{}", r.message);
        assert_eq!(sink.records[1].level, Some(Level::Notice));
        assert_eq!(sink.records[2].time, utc("2005-12-04T04:47:44Z"));
        assert_eq!(sink.records[2].message, "File does not exist: /var/www/favicon.ico");
    }

    #[test]
    fn gunicorn_log_with_traceback() {
        let data = "[2026-11-24 08:27:03 +0000] [1234] [INFO] Booting worker with pid: 1234\n\
[2026-11-24 11:27:04 +0300] [1234] [ERROR] Exception in worker process\n\
Traceback (most recent call last):\n  File \"/app/wsgi.py\", line 3, in <module>\nImportError: no module named app\n";
        let (sum, sink) = run(data, "gunicorn", &opts());
        assert_eq!(sum.records, 2);
        assert_eq!(sink.records[0].message, "Booting worker with pid: 1234");
        assert_eq!(sink.records[0].level, Some(Level::Info));
        let r = &sink.records[1];
        assert_eq!((r.time, r.level, r.span.lines), (utc("2026-11-24T08:27:04Z"), Some(Level::Error), 4));
    }

    #[test]
    fn generic_layouts_from_loghub() {
        let cases: &[(&str, &str, Option<Level>)] = &[
            ("17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers\n", "2017-06-09T20:10:40Z", Some(Level::Info)),
            ("081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating\n", "2008-11-09T20:36:15Z", Some(Level::Info)),
            ("nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 WARNING nova.x [req-1 - - -] hi\n", "2017-05-16T00:00:00.008Z", Some(Level::Warn)),
            ("03-17 16:13:38.811  1702  2395 E WindowManager: printFreezingDisplayLogs\n", "2026-03-17T16:13:38.811Z", Some(Level::Error)),
            ("20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579\n", "2017-12-23T22:15:29.606Z", None),
            ("2015-07-29 17:41:44,747 - WARN  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200\n", "2015-07-29T17:41:44.747Z", Some(Level::Warn)),
        ];
        for (line, want, level) in cases {
            let data = line.repeat(3);
            let format = crate::detect(data.as_bytes()).unwrap_or_else(|| panic!("no format for {line}"));
            let (sum, sink) = crate::parse_str(&data, &format, &opts());
            assert_eq!(sum.records, 3, "{line}");
            assert_eq!(sink.records[0].time, utc(want), "{line}");
            assert_eq!(sink.records[0].level, *level, "{line}");
        }
    }
}
