//! W3C extended log files: IIS's default log format, and CloudFront's
//! (tab-separated). The `#Fields:` directive names the columns; it may change
//! mid-file (IIS writes a new header block when it restarts), so the parser
//! follows it line by line. The W3C draft says times are GMT: they are read
//! as UTC whatever `--tz` says (IIS writes UTC even when it names files in
//! local time).

use crate::access::status_level;
use crate::input::LineInfo;
use crate::ts::{Parts, Resolver};
use crate::{LineParser, LogError, Out, NO_TIMESTAMP};
use faultline_model::{flags, HttpRequest, LogRecord, Span};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Date,
    Time,
    Status,
    Method,
    Stem,
    Query,
    Client,
    User,
    Agent,
    Referer,
    Bytes,
    TimeTaken,
    Host,
    Site,
    Other,
}

fn column(name: &str) -> Column {
    match name.to_ascii_lowercase().as_str() {
        "date" => Column::Date,
        "time" => Column::Time,
        "sc-status" => Column::Status,
        "cs-method" => Column::Method,
        "cs-uri-stem" => Column::Stem,
        "cs-uri-query" => Column::Query,
        "c-ip" => Column::Client,
        "cs-username" => Column::User,
        "cs(user-agent)" => Column::Agent,
        "cs(referer)" | "cs(referrer)" => Column::Referer,
        "sc-bytes" => Column::Bytes,
        "time-taken" => Column::TimeTaken,
        "s-computername" | "x-edge-location" => Column::Host,
        "s-sitename" | "cs(host)" | "cs-host" => Column::Site,
        _ => Column::Other,
    }
}

/// The column names of a `#Fields:` line, when it has a date and a time.
pub(crate) fn fields_header(line: &str) -> Option<Vec<&str>> {
    let rest = line.strip_prefix("#Fields:")?;
    let names: Vec<&str> = rest.split_whitespace().collect();
    let has = |c: Column| names.iter().any(|n| column(n) == c);
    (has(Column::Date) && has(Column::Time)).then_some(names)
}

/// A W3C file: a `#Fields:` directive with a date and a time among the first
/// lines, and most data lines with that many columns.
pub(crate) fn looks_like(lines: &[std::borrow::Cow<'_, str>]) -> bool {
    let Some(fields) = lines.iter().take(20).find_map(|l| fields_header(l)) else { return false };
    let data: Vec<&str> = lines.iter().filter(|l| !l.starts_with('#')).map(|l| l.as_ref()).collect();
    let mut cells = Vec::new();
    let fit = data
        .iter()
        .filter(|l| {
            split(l, &mut cells);
            cells.len() == fields.len()
        })
        .count();
    data.is_empty() || fit * 2 >= data.len()
}

/// Splits a data line: tabs when it has any (CloudFront), else single spaces;
/// a `"…"` value keeps its spaces.
fn split(line: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let b = line.as_bytes();
    let sep = if b.contains(&b'\t') { b'\t' } else { b' ' };
    let mut i = 0;
    while i <= b.len() {
        if b.get(i) == Some(&b'"') {
            if let Some(close) = b.get(i + 1..).and_then(|r| memchr::memchr(b'"', r)) {
                out.push((i + 1, i + 1 + close));
                i += close + 2;
                if b.get(i) == Some(&sep) {
                    i += 1;
                }
                continue;
            }
        }
        let end = b.get(i..).and_then(|r| memchr::memchr(sep, r)).map_or(b.len(), |k| i + k);
        out.push((i, end));
        i = end + 1;
    }
}

/// `2026-11-24` and `08:27:03` / `08:27:03.123` as UTC parts.
fn parts(date: &str, time: &str) -> Option<Parts> {
    let (p, used) = crate::ts::scan(crate::ts::Layout::Iso, format!("{date} {time}").as_bytes())?;
    (used == date.len() + 1 + time.len()).then_some(Parts { offset: Some(0), ..p })
}

pub(crate) struct W3cParser {
    resolver: Resolver,
    columns: Vec<Column>,
    cells: Vec<(usize, usize)>,
    path: String,
    message: String,
}

impl W3cParser {
    pub(crate) fn new(resolver: Resolver) -> Self {
        W3cParser { resolver, columns: Vec::new(), cells: Vec::new(), path: String::new(), message: String::new() }
    }
}

impl LineParser for W3cParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        if text.trim().is_empty() {
            return Ok(true);
        }
        if text.starts_with('#') {
            // Directives (`#Software`, `#Version`, `#Date`, `#Fields`) are the file's header, not records.
            if let Some(rest) = text.strip_prefix("#Fields:") {
                self.columns = rest.split_whitespace().map(column).collect();
            }
            return Ok(true);
        }
        if self.columns.is_empty() {
            return out.unparsed(info, bytes, "no #Fields header before this line");
        }
        split(text, &mut self.cells);
        let cell = |c: Column| -> Option<&str> {
            let i = self.columns.iter().position(|x| *x == c)?;
            let (a, b) = *self.cells.get(i)?;
            text.get(a..b).filter(|v| !v.is_empty() && *v != "-")
        };
        let Some(p) = cell(Column::Date).zip(cell(Column::Time)).and_then(|(d, t)| parts(d, t)) else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let Some((time, tflags)) = self.resolver.resolve(&p) else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let status = cell(Column::Status).and_then(|s| s.parse::<u16>().ok()).filter(|s| (100..=599).contains(s));
        self.path.clear();
        if let Some(stem) = cell(Column::Stem) {
            self.path.push_str(stem);
            if let Some(q) = cell(Column::Query) {
                self.path.push('?');
                self.path.push_str(q);
            }
        }
        let method = cell(Column::Method);
        self.message.clear();
        for part in [method, (!self.path.is_empty()).then_some(self.path.as_str())].into_iter().flatten() {
            if !self.message.is_empty() {
                self.message.push(' ');
            }
            self.message.push_str(part);
        }
        // IIS writes time-taken in milliseconds; CloudFront in seconds with a fraction.
        let duration_ms = cell(Column::TimeTaken).and_then(|t| {
            let v: f64 = t.parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
            Some(if t.contains('.') { v * 1000.0 } else { v })
        });
        let http = status.map(|status| HttpRequest {
            client: cell(Column::Client),
            user: cell(Column::User),
            method,
            path: (!self.path.is_empty()).then_some(self.path.as_str()),
            status,
            bytes: cell(Column::Bytes).and_then(|b| b.parse().ok()),
            referer: cell(Column::Referer),
            user_agent: cell(Column::Agent),
            duration_ms,
        });
        let mut rec = LogRecord {
            time,
            span: Span { line: info.no, offset: info.offset, len: info.end - info.offset, lines: 1 },
            level: status.map(status_level),
            http,
            host: cell(Column::Host),
            service: cell(Column::Site),
            message: if self.message.is_empty() { text } else { self.message.as_str() },
            text,
            flags: tflags | if info.cut { flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;
    use faultline_model::time::Zone;
    use faultline_model::Level;

    /// IIS 10 with its default fields, a restart that writes a second header
    /// block with one more column, and a line from before any header.
    const IIS: &str = "\
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2026-11-24 08:27:00
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
2026-11-24 08:27:03 10.0.0.5 GET /api/cart id=42 443 - 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://shop.example/ 200 0 0 31
2026-11-24 08:27:04 10.0.0.5 POST /api/checkout - 443 alice 203.0.113.8 Mozilla/5.0+(Macintosh) - 500 0 64 1204
2026-11-24 08:27:05 10.0.0.5 GET /favicon.ico - 443 - 203.0.113.9 curl/8.5.0 - 404 0 2 0
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2026-11-24 08:30:00
#Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken
2026-11-24 08:30:01 W3SVC1 10.0.0.5 GET /health - 80 - 10.0.0.1 kube-probe/1.29 - 503 0 0 0 2
";

    #[test]
    fn iis_logs_follow_their_fields_header_and_read_as_utc() {
        // `--tz` does not apply: W3C times are GMT.
        let o = crate::LogOptions { zone: Zone::parse("+03:00").unwrap(), ..opts() };
        let (sum, sink) = run(IIS, "w3c", &o);
        assert_eq!((sum.records, sum.unparsed), (4, 0));
        let r = &sink.records;
        assert_eq!(r[0].time, utc("2026-11-24T08:27:03Z"));
        assert_eq!((r[0].status, r[0].level), (Some(200), Some(Level::Info)));
        assert_eq!(r[0].path.as_deref(), Some("/api/cart?id=42"));
        assert_eq!(r[0].client.as_deref(), Some("203.0.113.7"));
        assert_eq!(r[0].message, "GET /api/cart?id=42");
        assert_eq!((r[1].status, r[1].level, r[1].method.as_deref()), (Some(500), Some(Level::Error), Some("POST")));
        assert_eq!((r[2].status, r[2].level), (Some(404), Some(Level::Warn)));
        assert_eq!((r[3].time, r[3].status), (utc("2026-11-24T08:30:01Z"), Some(503)));
        assert_eq!(r[3].service.as_deref(), Some("W3SVC1"));
        assert_eq!(r[3].span.line, 12);
    }

    /// CloudFront standard logs: tab-separated W3C with `#Version` and `#Fields`.
    #[test]
    fn cloudfront_logs_are_tab_separated_w3c() {
        let data = "#Version: 1.0\n\
#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken\n\
2026-11-24\t08:27:03\tFRA56-P1\t2390\t198.51.100.4\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(X11)\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\twww.example.com\thttps\t180\t0.002\n\
2026-11-24\t08:27:04\tFRA56-P1\t512\t198.51.100.5\tGET\td111111abcdef8.cloudfront.net\t/api/orders\t502\t-\tcurl/8.5.0\tpage=2\t-\tError\tk6WGMNkEzR5BEM_SaF47gjtX9zBDO2m349OY2an0QPEaUum1ZOLrow==\twww.example.com\thttps\t230\t30.001\n";
        let (sum, sink) = run(data, "w3c", &opts());
        assert_eq!((sum.records, sum.unparsed), (2, 0));
        let r = &sink.records[1];
        assert_eq!((r.time, r.status, r.level), (utc("2026-11-24T08:27:04Z"), Some(502), Some(Level::Error)));
        assert_eq!(r.path.as_deref(), Some("/api/orders?page=2"));
        assert_eq!(r.host.as_deref(), Some("FRA56-P1"));
    }
}
