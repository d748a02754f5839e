//! Format detection from content.
//!
//! Order, fastest readers first:
//! 1. self-describing files: W3C (`#Fields:`);
//! 2. Faultline's hand-written parsers for the common layouts: JSON lines,
//!    CRI, nginx/Apache access logs (final: nothing overrides them), then
//!    syslog (also behind a prefix), logfmt, the error logs, `app-log`;
//! 3. `generic`: the timestamp layout and column most lines share, anywhere
//!    in a line's first ~64 bytes;
//! 4. the format definitions ([`crate::formats`]): each is tried on the
//!    sample; one replaces the hand-written pick only when it reads the file
//!    with more meaning (see [`better`]), so a haproxy log behind syslog gets
//!    its HTTP status and an ELB log is not just an `app-log` — while the
//!    speed of the common layouts stays that of the hand-written parsers.

use crate::formats::{Definition, Origin, Registry};
use crate::level::{find_level, letter_level_index};
use crate::text::{header, timestamp_at};
use crate::ts::{Layout, ALL_LAYOUTS};
use crate::{access, cri, logfmt, syslog, Decoded, Kind, LogFormat, LogOptions};
use faultline_model::{EventSink, LogRecord, SinkError, Unparsed};
use std::borrow::Cow;
use std::sync::Arc;

/// Lines of the sample looked at.
const MAX_LINES: usize = 400;
/// Token columns searched for a timestamp in the generic reader…
const MAX_COLUMN: u8 = 8;
/// …as long as the column starts within this many bytes of the line.
const SCAN_BYTES: usize = 64;
/// Tokens after the timestamp searched for a level word by default.
pub(crate) const LEVEL_TOKENS: u8 = 5;

fn sample_lines(sample: &[u8]) -> Vec<Cow<'_, str>> {
    let sample = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    let mut raw: Vec<&[u8]> = sample.split(|b| *b == b'\n').collect();
    // The sample is cut mid-line (or ends with `\n`, leaving an empty piece).
    if raw.len() > 1 {
        raw.pop();
    }
    raw.into_iter()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(MAX_LINES)
        .map(String::from_utf8_lossy)
        .collect()
}

fn json_time(line: &str) -> Option<bool> {
    let t = line.trim();
    if !t.starts_with('{') {
        return None;
    }
    match serde_json::from_str::<serde_json::Value>(t) {
        Ok(serde_json::Value::Object(o)) => {
            if o.contains_key("__REALTIME_TIMESTAMP") {
                return Some(true);
            }
            let has_time = crate::json::TIME_KEYS.iter().any(|k| crate::json::get(&o, k).is_some());
            has_time.then_some(false)
        }
        _ => None,
    }
}

fn logfmt_time(line: &str, pairs: &mut Vec<logfmt::Pair>) -> bool {
    if !logfmt::pairs(line, pairs) {
        return false;
    }
    let first_key = pairs.first().and_then(|p| line.get(p.key.0..p.key.1));
    // The first pair must start the line, else it is prose with an `a=b` in it.
    if pairs.first().map(|p| p.key.0) != Some(line.len() - line.trim_start().len()) || first_key.is_none() {
        return false;
    }
    pairs.iter().any(|p| {
        let key = line.get(p.key.0..p.key.1).unwrap_or_default();
        logfmt::TIME_KEYS.contains(&key) && {
            let v = line.get(p.value.0..p.value.1).unwrap_or_default();
            faultline_model::time::parse_instant(v, &faultline_model::time::Zone::Utc).is_some()
        }
    })
}

/// Detects the format of a log from its first bytes (decompressed), with
/// the format definitions of [`crate::formats::registry`]. `None` when the
/// content is not a log with timestamps.
pub fn detect(sample: &[u8]) -> Option<LogFormat> {
    // The registry is loaded only when a file gets as far as the definitions.
    detect_lazy(sample, &crate::formats::registry)
}

/// [`detect`] with the definitions of `registry`.
pub fn detect_with(registry: &Registry, sample: &[u8]) -> Option<LogFormat> {
    detect_lazy(sample, &|| registry)
}

fn detect_lazy<'r>(sample: &[u8], registry: &dyn Fn() -> &'r Registry) -> Option<LogFormat> {
    let decoded = faultline_input::decode_sample(sample);
    let lines = sample_lines(&decoded);
    if lines.is_empty() {
        return None;
    }
    if crate::w3c::looks_like(&lines) {
        return Some(LogFormat::of(Kind::W3c));
    }
    let most = |count: usize| count > 0 && count * 2 >= lines.len();
    let json_objects = lines.iter().filter(|l| l.trim_start().starts_with('{')).count();
    if most(json_objects) {
        let native = native_json(&lines);
        let defs = registry().definitions().iter().filter(|d| d.is_json());
        return choose(native, defs, &decoded, &lines);
    }
    let count = |f: &dyn Fn(&str) -> bool| lines.iter().filter(|l| f(l)).count();
    if most(count(&|l| cri::header(l).is_some())) {
        return Some(LogFormat::of(Kind::Cri));
    }
    let access_lines = count(&|l| access::parse_line(l).is_some());
    if most(access_lines) {
        let combined = count(&|l| access::parse_line(l).is_some_and(|a| a.combined));
        let kind = if combined * 2 >= access_lines { Kind::NginxCombined } else { Kind::AccessCommon };
        return Some(LogFormat::of(kind));
    }
    let native = native_text(&lines);
    if native.as_ref().is_some_and(|f| matches!(f.kind, Kind::NginxError | Kind::ApacheError | Kind::Gunicorn)) {
        return native;
    }
    let defs = registry().definitions().iter().filter(|d| !d.is_json());
    choose(native, defs, &decoded, &lines)
}

/// JSON lines or journald, when most lines carry a time under a usual key.
fn native_json(lines: &[Cow<'_, str>]) -> Option<LogFormat> {
    let (mut json, mut journald) = (0, 0);
    for l in lines {
        match json_time(l) {
            Some(true) => journald += 1,
            Some(false) => json += 1,
            None => {}
        }
    }
    let total = json + journald;
    (total > 0 && total * 2 >= lines.len())
        .then(|| LogFormat::of(if journald > 0 { Kind::Journald } else { Kind::JsonLines }))
}

/// The hand-written text reader for these lines, if any.
fn native_text(lines: &[Cow<'_, str>]) -> Option<LogFormat> {
    let n = lines.len();
    let most = |count: usize| count > 0 && count * 2 >= n;
    let count = |f: &dyn Fn(&str) -> bool| lines.iter().filter(|l| f(l)).count();
    if most(count(&|l| syslog::parse_5424(l).is_ok())) {
        return Some(LogFormat::of(Kind::Syslog5424));
    }
    if most(count(&|l| syslog::parse_3164(l).is_some())) {
        return Some(LogFormat::of(Kind::Syslog3164));
    }
    let mut pairs = Vec::new();
    if most(lines.iter().filter(|l| logfmt_time(l, &mut pairs)).count()) {
        return Some(LogFormat::of(Kind::Logfmt));
    }
    let found = generic(lines)?;
    // Syslog behind a prefix (a collector's stamp, `web_1  | Nov 24 08:27:03 host app[1]: …`):
    // read as syslog after the prefix, for its host and program.
    if found.layout == Layout::Syslog && found.column > 0 {
        let column = found.column;
        let c = count(&|l| {
            crate::text::column_start(l.as_bytes(), column)
                .and_then(|s| l.get(s..))
                .is_some_and(|rest| syslog::parse_3164(rest).is_some())
        });
        if most(c) {
            return Some(LogFormat { column, ..LogFormat::of(Kind::Syslog3164) });
        }
    }
    Some(found)
}

/// The generic reader: which (layout, column) do most lines have a timestamp at?
fn generic(lines: &[Cow<'_, str>]) -> Option<LogFormat> {
    let n = lines.len();
    let mut tally: Vec<((Layout, u8), usize)> = Vec::new();
    for l in lines {
        let b = l.as_bytes();
        for column in 0..=MAX_COLUMN {
            match crate::text::column_start(b, column) {
                Some(start) if start < SCAN_BYTES => {}
                _ => break,
            }
            for layout in ALL_LAYOUTS {
                if timestamp_at(b, *layout, column).is_some() {
                    match tally.iter_mut().find(|(k, _)| *k == (*layout, column)) {
                        Some((_, c)) => *c += 1,
                        None => tally.push(((*layout, column), 1)),
                    }
                }
            }
        }
    }
    // Most lines; on a tie the leftmost column, then the more specific layout.
    let order = |l: Layout| ALL_LAYOUTS.iter().position(|x| *x == l).unwrap_or(usize::MAX);
    let best = tally.iter().max_by_key(|((l, col), c)| (*c, std::cmp::Reverse(*col), std::cmp::Reverse(order(*l))))?;
    let ((layout, column), hits) = *best;
    // Multi-line records leave many lines without a timestamp; a fifth is plenty.
    let first_line_is_a_record = lines.first().is_some_and(|l| timestamp_at(l.as_bytes(), layout, column).is_some());
    if hits == 0 || (hits * 5 < n && !(first_line_is_a_record && hits >= 2)) {
        return None;
    }

    // Error logs and gunicorn are timestamp-first too, with their own headers.
    let count = |f: &dyn Fn(&str) -> bool| lines.iter().filter(|l| f(l)).count();
    for kind in [Kind::Gunicorn, Kind::NginxError, Kind::ApacheError] {
        let f = LogFormat::of(kind);
        let c = count(&|l| header(l, &f).is_some());
        if c > 0 && c * 5 >= hits * 4 {
            return Some(f);
        }
    }

    // A one-letter level (logcat `D`, `E`) at the same token on most lines.
    let mut letters = [0usize; 8];
    // A level word further in than usual (`- 1117838570 2005.06.03 R02-M1 … RAS KERNEL INFO …`).
    let mut deep = [0usize; 12];
    for l in lines {
        if let Some((_, end)) = timestamp_at(l.as_bytes(), layout, column) {
            let rest = l.get(end..).unwrap_or_default();
            if let Some(idx) = letter_level_index(rest) {
                letters[idx as usize] += 1;
            }
            if let Some((_, idx, _)) = find_level(rest, deep.len(), None) {
                deep[idx] += 1;
            }
        }
    }
    let (idx, max) = letters.iter().enumerate().max_by_key(|(_, c)| **c).map(|(i, c)| (i, *c)).unwrap_or((0, 0));
    let letter_level = (max > 0 && max * 5 >= hits * 3).then_some(idx as u8);
    let level_tokens = deep
        .iter()
        .enumerate()
        .filter(|(i, c)| *i >= LEVEL_TOKENS as usize && **c * 5 >= hits * 3)
        .map(|(i, _)| i as u8 + 1)
        .next()
        .unwrap_or(LEVEL_TOKENS);

    let kind = if layout == Layout::Iso && column == 0 { Kind::AppLog } else { Kind::Generic };
    Some(LogFormat { kind, layout, column, letter_level, level_tokens, def: None })
}

/// What reading the sample with a format gave.
#[derive(Debug, Default, Clone, Copy)]
struct Reading {
    records: usize,
    status: usize,
    levels: usize,
    /// JSON definitions: `line-format` fields the objects have (lnav's tie-break between JSON formats).
    fields: usize,
}

/// Counts what a format reads from the sample.
impl EventSink for Reading {
    fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
        self.records += 1;
        self.status += usize::from(r.http.is_some());
        self.levels += usize::from(r.level.is_some());
        Ok(true)
    }
    fn unparsed(&mut self, _: &Unparsed<'_>) -> Result<bool, SinkError> {
        Ok(true)
    }
}

fn read(format: &LogFormat, sample: &[u8]) -> Reading {
    let mut reading = Reading::default();
    let opts = LogOptions { zone: faultline_model::time::Zone::Utc, ..LogOptions::default() };
    // A sample that fails to read counts as reading nothing.
    let _ = crate::parse_from(Decoded::Plain(sample), format, &opts, &mut reading, 0, 0);
    reading
}

/// Whether a definition may be tried at all on these lines: one of its
/// patterns matches one of the first lines (cheap, and most definitions
/// fail here), or for JSON its timestamp field is in the first objects.
fn plausible(def: &Definition, lines: &[Cow<'_, str>]) -> bool {
    let head = lines.iter().take(40);
    if def.is_json() {
        return head
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l.trim()).ok())
            .any(|v| v.as_object().is_some_and(|o| def.json_fields(o).is_some()));
    }
    let mut slots = def.slots();
    head.take(40).any(|l| def.match_line(l, &mut slots, 0).is_some())
}

/// lnav definitions of layouts a hand-written parser reads: never preferred to it.
fn shadows(def: &Definition, native: &LogFormat) -> bool {
    let natives: &[Kind] = match def.name() {
        "syslog_log" => &[Kind::Syslog3164, Kind::Syslog5424],
        "journald_json_log" => &[Kind::Journald],
        "access_log" => &[Kind::NginxCombined, Kind::AccessCommon],
        _ => &[],
    };
    def.origin() == Origin::BuiltIn && natives.contains(&native.kind)
}

/// Whether the definition's reading `d` beats the hand-written `f`: it
/// reads nearly as many records and gives them more meaning — an HTTP
/// status the hand-written reader does not see, levels where it finds
/// none (`app-log`/`generic` only), or clearly more records. The analyst's
/// own definition wins any tie: they wrote it for this log.
fn better(def: &Definition, d: Reading, native: &LogFormat, f: Reading, lines: usize) -> bool {
    if shadows(def, native) || d.records * 10 < f.records * 9 {
        return false;
    }
    let slack = (lines / 20).max(1);
    let more_status = d.status > f.status + slack;
    let more_records = d.records > f.records + slack;
    let levels = matches!(native.kind, Kind::AppLog | Kind::Generic)
        && f.levels * 4 < f.records
        && d.levels * 2 >= d.records
        && d.levels > f.levels + slack;
    let mine = def.origin() == Origin::User && d.records >= f.records;
    // A JSON definition whose every `line-format` field is on nearly every
    // line (Caddy, Cloudflare, MongoDB) names the log better than `json-lines`.
    let shape = def.is_json()
        && def.line_format.len() >= 3
        && d.records >= f.records
        && d.fields * 10 >= d.records * def.line_format.len() * 9;
    more_status || more_records || levels || mine || shape
}

/// The hand-written pick or the definition that reads the sample better.
fn choose<'d>(
    native: Option<LogFormat>,
    defs: impl Iterator<Item = &'d Arc<Definition>>,
    sample: &[u8],
    lines: &[Cow<'_, str>],
) -> Option<LogFormat> {
    let n = lines.len();
    let f = native.as_ref().map(|f| read(f, sample));
    let mut best: Option<(LogFormat, Reading)> = None;
    for def in defs.filter(|d| plausible(d, lines)) {
        let format = LogFormat::definition(def.clone());
        let mut r = read(&format, sample);
        if def.is_json() {
            r.fields = lines
                .iter()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l.trim()).ok())
                .filter_map(|v| v.as_object().map(|o| def.line_format_hits(o)))
                .sum();
        }
        let rank = |r: &Reading, d: &Definition| (r.records, r.status, r.levels, r.fields, d.origin());
        let wins = match &best {
            None => r.records > 0,
            Some((b, br)) => b.def.as_ref().is_some_and(|bd| rank(&r, def) > rank(br, bd)),
        };
        if wins {
            best = Some((format, r));
        }
    }
    match (native, f, best) {
        (Some(native), Some(f), Some((format, d))) => {
            let def = format.def.as_deref()?;
            Some(if better(def, d, &native, f, n) { format } else { native })
        }
        (Some(native), _, _) => Some(native),
        (None, _, Some((format, d))) => {
            // As for the generic reader: most lines, or (multi-line records) a fifth with the first line a record.
            let multiline = format.def.as_ref().is_some_and(|d| d.multiline && !d.is_json());
            (d.records * 2 >= n || (multiline && d.records * 5 >= n)).then_some(format)
        }
        (None, _, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(data: &str) -> Option<String> {
        detect_with(&Registry::builtin(), data.as_bytes()).map(|f| f.name().to_string())
    }

    #[test]
    fn formats_are_told_apart_by_content() {
        let cases = [
            ("1.2.3.4 - - [24/Nov/2026:08:27:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"\n", "nginx-combined"),
            ("1.2.3.4 - - [24/Nov/2026:08:27:03 +0000] \"GET / HTTP/1.1\" 200 5\n", "access-common"),
            ("2026/11/24 08:27:03 [error] 1#0: boom\n", "nginx-error"),
            ("[Tue Nov 24 08:27:03.123456 2026] [proxy:error] [pid 1] boom\n", "apache-error"),
            ("Nov 24 08:27:03 host prog[1]: msg\n", "syslog-rfc3164"),
            ("2026-11-24T08:27:03.123+00:00 web-1 sshd[42]: Accepted publickey\n", "syslog-rfc3164"),
            ("<165>1 2026-11-24T08:27:03.003Z host app 1 ID47 - msg\n", "syslog-rfc5424"),
            ("{\"ts\":1795508823,\"msg\":\"x\"}\n", "json-lines"),
            ("{\"__REALTIME_TIMESTAMP\":\"1795508823000000\",\"MESSAGE\":\"x\"}\n", "journald-json"),
            ("time=2026-11-24T08:27:03Z level=error msg=\"db timeout\"\n", "logfmt"),
            ("2026-11-24T08:27:03.123456789Z stdout F hello\n", "cri"),
            ("[2026-11-24 08:27:03 +0000] [1234] [INFO] Booting worker with pid: 1234\n", "gunicorn"),
            ("2026-11-24 08:27:03,123 ERROR [app] boom\n", "app-log"),
            ("2026-11-24T08:27:03Z INFO boom\n", "app-log"),
            ("17/06/09 20:10:40 INFO spark: x\n", "generic"),
        ];
        for (line, want) in cases {
            assert_eq!(name(&line.repeat(5)).as_deref(), Some(want), "{line}");
        }
    }

    #[test]
    fn text_without_timestamps_is_not_a_log() {
        assert_eq!(name("hello world\nthis is prose\nwith no times\n"), None);
        assert_eq!(name(""), None);
        assert_eq!(name("id,name\n1,a\n2,b\n"), None);
        assert_eq!(name("4711 widgets 12\n4712 gadgets 7\n"), None, "small numbers are no epoch column");
    }

    #[test]
    fn a_sample_cut_mid_line_and_traceback_heavy_logs_still_detect() {
        let mut data = String::new();
        for _ in 0..5 {
            data.push_str("2026-11-24 08:27:03,125 ERROR [app.views] Unhandled exception\nTraceback (most recent call last):\n  File \"/app/views.py\", line 42, in cart\n    x\nKeyError: 'a'\n");
        }
        data.push_str("2026-11-24 08:2");
        assert_eq!(name(&data).as_deref(), Some("app-log"));
    }
}
