//! Syslog: RFC 3164 (BSD, no year; also with a leading `<PRI>` or an RFC 3339
//! timestamp as rsyslog writes it) and RFC 5424.

use crate::input::LineInfo;
use crate::ts::{scan, Layout, Resolver};
use crate::{LineParser, LogError, Out, NO_TIMESTAMP};
use faultline_model::{flags, Level, LogRecord, Span};

/// `<PRI>` at the start: the severity and the index after `>`.
pub(crate) fn pri(b: &[u8]) -> Option<(u8, usize)> {
    if b.first() != Some(&b'<') {
        return None;
    }
    let close = memchr::memchr(b'>', b.get(..5)?)?;
    let digits = b.get(1..close)?;
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v: u32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    if v > 191 {
        return None;
    }
    Some(((v % 8) as u8, close + 1))
}

/// The parsed fields of a syslog line (ranges into the line).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SyslogLine {
    pub severity: Option<u8>,
    pub ts: crate::ts::Parts,
    pub host: Option<(usize, usize)>,
    pub service: Option<(usize, usize)>,
    pub message: usize,
}

fn token(b: &[u8], i: usize) -> (usize, usize) {
    let end = i + memchr::memchr(b' ', b.get(i..).unwrap_or_default()).unwrap_or(b.len().saturating_sub(i));
    (i, end)
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// `prog[pid]:` / `prog:` → the program's range.
fn tag(b: &[u8], (a, e): (usize, usize)) -> Option<(usize, usize)> {
    if e <= a + 1 || b.get(e - 1) != Some(&b':') {
        return None;
    }
    let t = &b[a..e - 1];
    if t.contains(&b'=') || t.contains(&b'"') {
        return None;
    }
    if t.last() == Some(&b']') {
        if let Some(open) = memchr::memrchr(b'[', t) {
            if open > 0 && t[open + 1..t.len() - 1].iter().all(u8::is_ascii_digit) {
                return Some((a, a + open));
            }
        }
    }
    Some((a, e - 1))
}

/// RFC 3164: `[<PRI>]Nov 24 08:27:03 host prog[123]: msg` (or an RFC 3339 timestamp).
pub(crate) fn parse_3164(s: &str) -> Option<SyslogLine> {
    let b = s.as_bytes();
    let (severity, start) = match pri(b) {
        Some((sev, i)) => (Some(sev), i),
        None => (None, 0),
    };
    let rest = b.get(start..)?;
    let (ts, used, iso) = match scan(Layout::Syslog, rest) {
        Some((ts, used)) => (ts, used, false),
        None => {
            let (ts, used) = scan(Layout::Iso, rest).filter(|(p, _)| p.offset.is_some())?;
            (ts, used, true)
        }
    };
    let mut i = skip_spaces(b, start + used);
    let mut line = SyslogLine { severity, ts, ..SyslogLine::default() };
    let first = token(b, i);
    if iso {
        // An RFC 3339 stamp starts app logs too: insist on `host prog[pid]:` / `host prog:`.
        let host = s.get(first.0..first.1)?;
        let second = token(b, skip_spaces(b, first.1));
        if host.is_empty() || host.starts_with('[') || Level::parse(host).is_some() || tag(b, second).is_none() {
            return None;
        }
    }
    if let Some(t) = tag(b, first).filter(|_| !iso) {
        // No host: `Nov 24 08:27:03 prog[1]: msg`.
        line.service = Some(t);
        line.message = skip_spaces(b, first.1);
        return Some(line);
    }
    if first.1 > first.0 {
        line.host = Some(first);
    }
    i = skip_spaces(b, first.1);
    let second = token(b, i);
    match tag(b, second) {
        Some(t) => {
            line.service = Some(t);
            line.message = skip_spaces(b, second.1);
        }
        None => line.message = i,
    }
    Some(line)
}

/// RFC 5424: `<165>1 2026-11-24T08:27:03.003Z host app 123 ID47 [sd] msg`.
/// `Err(true)` means a 5424 header without a time (`-`).
pub(crate) fn parse_5424(s: &str) -> Result<SyslogLine, bool> {
    let b = s.as_bytes();
    let (sev, mut i) = pri(b).ok_or(false)?;
    if b.get(i) != Some(&b'1') || b.get(i + 1) != Some(&b' ') {
        return Err(false);
    }
    i += 2;
    if b.get(i) == Some(&b'-') {
        return Err(true);
    }
    let (ts, used) = scan(Layout::Iso, b.get(i..).ok_or(false)?).ok_or(true)?;
    let mut line = SyslogLine { severity: Some(sev), ts, ..SyslogLine::default() };
    i += used;
    let mut fields = [(0, 0); 4];
    for f in &mut fields {
        if b.get(i) != Some(&b' ') {
            return Err(false);
        }
        *f = token(b, i + 1);
        i = f.1;
    }
    let nil = |r: (usize, usize)| if &b[r.0..r.1] == b"-" || r.0 == r.1 { None } else { Some(r) };
    line.host = nil(fields[0]);
    line.service = nil(fields[1]);
    // Structured data: `-` or `[id k="v\]"]…`.
    i = skip_spaces(b, i);
    if b.get(i) == Some(&b'-') {
        i += 1;
    } else {
        while b.get(i) == Some(&b'[') {
            let mut in_quote = false;
            i += 1;
            while let Some(&c) = b.get(i) {
                i += 1;
                match c {
                    b'\\' => i += 1,
                    b'"' => in_quote = !in_quote,
                    b']' if !in_quote => break,
                    _ => {}
                }
            }
        }
    }
    i = skip_spaces(b, i).min(b.len());
    if s.get(i..).is_some_and(|m| m.starts_with('\u{feff}')) {
        i += 3;
    }
    line.message = i;
    Ok(line)
}

pub(crate) struct SyslogParser {
    resolver: Resolver,
    /// Tokens of a prefix before the syslog line (a collector's own stamp, a file name).
    prefix: u8,
}

impl SyslogParser {
    pub(crate) fn new(resolver: Resolver, prefix: u8) -> Self {
        SyslogParser { resolver, prefix }
    }
}

impl LineParser for SyslogParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        if text.trim().is_empty() {
            return Ok(true);
        }
        let start = match self.prefix {
            0 => 0,
            n => match crate::text::column_start(text.as_bytes(), n) {
                Some(s) => s,
                None => return out.unparsed(info, bytes, NO_TIMESTAMP),
            },
        };
        let line = text.get(start..).unwrap_or_default();
        // Files mix both forms (a relay writes 5424, a local daemon 3164), so try both.
        let parsed = match parse_5424(line) {
            Ok(l) => Some(l),
            Err(true) => None,
            Err(false) => parse_3164(line),
        };
        let Some(mut l) = parsed else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let shift = |r: Option<(usize, usize)>| r.map(|(a, b)| (a + start, b + start));
        (l.host, l.service, l.message) = (shift(l.host), shift(l.service), l.message + start);
        let Some((time, f)) = self.resolver.resolve(&l.ts) else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let range = |r: Option<(usize, usize)>| r.and_then(|(a, b)| text.get(a..b));
        let mut rec = LogRecord {
            time,
            span: Span { line: info.no, offset: info.offset, len: info.end - info.offset, lines: 1 },
            level: l.severity.map(Level::from_syslog_priority),
            http: None,
            host: range(l.host),
            service: range(l.service),
            message: text.get(l.message..).unwrap_or_default(),
            text,
            flags: f | if info.cut { flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;
    use crate::LogOptions;
    use chrono::NaiveDate;
    use faultline_model::time::Zone;
    use faultline_model::{flags, Level};

    #[test]
    fn rfc3164_lines_give_host_program_and_inferred_year() {
        let data = "Nov 24 08:27:03 web-1 nginx[123]: upstream timed out\n\
                    Nov  4 09:00:00 web-1 kernel: Out of memory: Killed process 4242\n\
                    Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure\n";
        let (sum, sink) = run(data, "syslog-rfc3164", &opts());
        assert_eq!(sum.records, 3);
        let r = &sink.records[0];
        assert_eq!(r.time, utc("2026-11-24T08:27:03Z"));
        assert_eq!((r.host.as_deref(), r.service.as_deref()), (Some("web-1"), Some("nginx")));
        assert_eq!(r.message, "upstream timed out");
        assert_eq!(r.level, None);
        assert_eq!(sink.records[1].time, utc("2026-11-04T09:00:00Z"));
        assert_eq!(sink.records[1].service.as_deref(), Some("kernel"));
        assert_eq!(sink.records[2].service.as_deref(), Some("sshd(pam_unix)"));
    }

    #[test]
    fn december_to_january_rollover_gets_both_years() {
        let data = "Dec 31 23:59:58 h app[1]: old year\nJan  1 00:00:02 h app[1]: new year\n";
        let o = LogOptions {
            year_reference: Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap().and_hms_opt(0, 10, 0).unwrap()),
            ..opts()
        };
        let (sum, sink) = run(data, "syslog-rfc3164", &o);
        assert_eq!(sink.records[0].time, utc("2026-12-31T23:59:58Z"));
        assert_eq!(sink.records[1].time, utc("2027-01-01T00:00:02Z"));
        assert_eq!(sum.out_of_order, 0);
    }

    #[test]
    fn pri_on_3164_gives_the_level_and_tz_applies() {
        let data = "<11>Nov 24 08:27:03 db-2 postgres[77]: FATAL: too many connections\n\
                    <14>Nov 24 08:27:04 db-2 postgres[77]: checkpoint starting\n";
        let mut o = opts();
        o.zone = Zone::parse("+03:00").unwrap();
        let (_, sink) = run(data, "syslog-rfc3164", &o);
        assert_eq!(sink.records[0].level, Some(Level::Error));
        assert_eq!(sink.records[1].level, Some(Level::Info));
        assert_eq!(sink.records[0].time, utc("2026-11-24T05:27:03Z"));
    }

    #[test]
    fn rfc5424_lines_with_structured_data() {
        let data = "<165>1 2026-11-24T08:27:03.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\\]lication\"] An application event\n\
                    <11>1 2026-11-24T11:27:04+03:00 host2 api 4242 - - \u{feff}db timeout\n\
                    <13>1 - host3 app - - - no time\n";
        let (sum, sink) = run(data, "syslog-rfc5424", &opts());
        assert_eq!((sum.records, sum.unparsed), (2, 1));
        let r = &sink.records[0];
        assert_eq!(r.time, utc("2026-11-24T08:27:03.003Z"));
        assert_eq!(r.level, Some(Level::Notice));
        assert_eq!((r.host.as_deref(), r.service.as_deref()), (Some("mymachine.example.com"), Some("evntslog")));
        assert_eq!(r.message, "An application event");
        assert_eq!(sink.records[1].time, utc("2026-11-24T08:27:04Z"));
        assert_eq!(sink.records[1].message, "db timeout");
        assert_eq!(sink.records[1].level, Some(Level::Error));
        assert_eq!(sink.unparsed[0].1, "no timestamp");
    }

    #[test]
    fn dst_flags_for_zone_less_syslog_in_a_named_zone() {
        let data =
            "Mar 29 02:30:00 h app[1]: in the gap\nOct 25 02:30:00 h app[1]: twice\nOct 25 04:00:00 h app[1]: fine\n";
        let mut o = opts();
        o.zone = Zone::parse("Europe/Berlin").unwrap();
        let (sum, sink) = run(data, "syslog-rfc3164", &o);
        assert_eq!((sum.dst_gap, sum.dst_ambiguous), (1, 1));
        assert_eq!(sink.records[0].time, utc("2026-03-29T01:30:00Z"));
        assert_eq!(sink.records[0].flags & flags::DST_GAP, flags::DST_GAP);
        assert_eq!(sink.records[1].time, utc("2026-10-25T00:30:00Z"));
        assert_eq!(sink.records[1].flags & flags::DST_AMBIGUOUS, flags::DST_AMBIGUOUS);
        assert_eq!(sink.records[2].flags, 0);
    }
}
