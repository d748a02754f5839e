//! Kubernetes CRI container logs: `2026-11-24T08:27:03.123456789Z stdout F message`.
//! `P` (partial) lines are joined with the lines up to the next `F` into one record.

use crate::input::LineInfo;
use crate::level::find_level;
use crate::ts::{scan, Layout, Parts, Resolver};
use crate::{LineParser, LogError, Out, NO_TIMESTAMP};
use faultline_model::{flags, Level, LogRecord, Span};

/// The header of a CRI line: time fields, whether it is partial, and where the content starts.
pub(crate) fn header(s: &str) -> Option<(Parts, bool, usize)> {
    let b = s.as_bytes();
    let (p, end) = scan(Layout::Iso, b)?;
    p.offset?;
    let rest = s.get(end..)?.strip_prefix(' ')?;
    let after_stream = rest.strip_prefix("stdout ").or_else(|| rest.strip_prefix("stderr "))?;
    let tag_end = after_stream.find(' ').unwrap_or(after_stream.len());
    let tag = &after_stream[..tag_end];
    let partial = match tag.split(':').next() {
        Some("P") => true,
        Some("F") => false,
        _ => return None,
    };
    let content = s.len() - after_stream.len() + (tag_end + 1).min(after_stream.len());
    Some((p, partial, content))
}

/// The level an application wrote inside a container line: a JSON `level`,
/// a logfmt `level=`, or a level word near the start.
pub(crate) fn inner_level(msg: &str) -> Option<Level> {
    let t = msg.trim_start();
    if t.starts_with('{') {
        if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(t) {
            return ["level", "severity", "lvl", "log.level", "levelname"]
                .iter()
                .find_map(|k| crate::json::get(&o, k))
                .and_then(crate::json::level_value);
        }
    }
    for key in ["level=", "lvl=", "severity="] {
        if let Some(i) = t.find(key) {
            let v = &t[i + key.len()..];
            let v = v.trim_start_matches('"');
            let end = v.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(v.len());
            if let Some(l) = Level::parse(&v[..end]) {
                return Some(l);
            }
        }
    }
    // Skip the application's own timestamp, if it wrote one.
    let start = scan(Layout::Iso, t.as_bytes()).map_or(0, |(_, e)| e);
    find_level(t.get(start..)?, 4, None).map(|(l, _, _)| l)
}

#[derive(Default)]
struct Pending {
    active: bool,
    time: Option<(faultline_model::Instant, u8)>,
    line: u64,
    offset: u64,
    end: u64,
    lines: u32,
    message: String,
    text: String,
    truncated: bool,
}

pub(crate) struct CriParser {
    resolver: Resolver,
    cap: usize,
    p: Pending,
}

impl CriParser {
    pub(crate) fn new(resolver: Resolver, cap: usize) -> Self {
        CriParser { resolver, cap, p: Pending::default() }
    }

    fn flush(&mut self, out: &mut Out<'_>) -> Result<bool, LogError> {
        let p = &mut self.p;
        if !p.active {
            return Ok(true);
        }
        p.active = false;
        let Some((time, f)) = p.time else { return Ok(true) };
        let mut rec = LogRecord {
            time,
            span: Span { line: p.line, offset: p.offset, len: p.end - p.offset, lines: p.lines },
            level: inner_level(&p.message),
            http: None,
            host: None,
            service: None,
            message: &p.message,
            text: &p.text,
            flags: f | if p.truncated { flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}

/// Appends `s` to `buf` without exceeding `cap` bytes (cut at a char boundary); false if cut.
pub(crate) fn push_capped(buf: &mut String, s: &str, cap: usize) -> bool {
    let room = cap.saturating_sub(buf.len());
    if s.len() <= room {
        buf.push_str(s);
        return true;
    }
    let mut cut = room;
    while cut > 0 && !s.is_char_boundary(cut) {
        cut -= 1;
    }
    buf.push_str(&s[..cut]);
    false
}

impl LineParser for CriParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        if text.is_empty() {
            return Ok(true);
        }
        let Some((parts, partial, content)) = header(text) else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let Some(time) = self.resolver.resolve(&parts) else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let cap = self.cap;
        let p = &mut self.p;
        if !p.active {
            p.active = true;
            p.time = Some(time);
            p.line = info.no;
            p.offset = info.offset;
            p.lines = 0;
            p.message.clear();
            p.text.clear();
            p.truncated = false;
        } else if !push_capped(&mut p.text, "\n", cap) {
            p.truncated = true;
        }
        p.lines += 1;
        p.end = info.end;
        p.truncated |= info.cut;
        if !push_capped(&mut p.text, text, cap) || !push_capped(&mut p.message, text.get(content..).unwrap_or(""), cap)
        {
            p.truncated = true;
        }
        if partial {
            return Ok(true);
        }
        self.flush(out)
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<bool, LogError> {
        self.flush(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;
    use faultline_model::Level;

    #[test]
    fn partial_lines_join_the_following_full_line() {
        let data = concat!(
            "2026-11-24T08:27:03.123456789Z stdout F {\"level\":\"error\",\"msg\":\"db timeout\"}\n",
            "2026-11-24T08:27:04.000000000Z stderr P Traceback part one \n",
            "2026-11-24T08:27:04.000000001Z stderr P and two \n",
            "2026-11-24T08:27:04.000000002Z stderr F ERROR: the end\n",
            "2026-11-24T08:27:05Z stdout F level=warn msg=\"slow\"\n",
            "2026-11-24T08:27:06Z stdout F \n",
        );
        let (sum, sink) = run(data, "cri", &opts());
        assert_eq!(sum.records, 4);
        let r = &sink.records;
        assert_eq!((r[0].time, r[0].level), (utc("2026-11-24T08:27:03.123456789Z"), Some(Level::Error)));
        assert_eq!(r[1].message, "Traceback part one and two ERROR: the end");
        assert_eq!((r[1].span.line, r[1].span.lines), (2, 3));
        assert_eq!(r[1].text.lines().count(), 3);
        assert_eq!(r[1].time, utc("2026-11-24T08:27:04Z"));
        assert_eq!(r[1].level, None, "ERROR is not among the first tokens");
        assert_eq!(r[2].level, Some(Level::Warn));
        assert_eq!((r[3].message.as_str(), r[3].level), ("", None));
        assert_eq!(super::inner_level("2026-11-24 08:27:03 ERROR boom"), Some(Level::Error));
    }
}
