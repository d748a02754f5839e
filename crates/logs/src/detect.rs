//! Format detection from content: every candidate format scores the sample's
//! lines; a specific format wins when it reads most of them, otherwise the
//! generic reader learns the timestamp layout and column that most lines share.

use crate::level::letter_level_index;
use crate::text::{header, timestamp_at};
use crate::ts::ALL_LAYOUTS;
use crate::{access, cri, logfmt, syslog, Kind, LogFormat};
use std::borrow::Cow;

/// Lines of the sample looked at.
const MAX_LINES: usize = 400;
/// Token columns searched for a timestamp in the generic reader.
const MAX_COLUMN: u8 = 3;

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

/// Detects the format of a log from its first bytes (decompressed). `None`
/// when the content is not a log with timestamps.
pub fn detect(sample: &[u8]) -> Option<LogFormat> {
    let decoded = crate::decode::decode_sample(sample);
    let lines = sample_lines(&decoded);
    let n = lines.len();
    if n == 0 {
        return None;
    }
    let most = |count: usize| count > 0 && count * 2 >= n;

    let (mut json, mut journald) = (0, 0);
    for l in &lines {
        match json_time(l) {
            Some(true) => journald += 1,
            Some(false) => json += 1,
            None => {}
        }
    }
    if most(json + journald) {
        return Some(LogFormat::of(if journald > 0 { Kind::Journald } else { Kind::JsonLines }));
    }

    let mut pairs = Vec::new();
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
    if most(count(&|l| syslog::parse_5424(l).is_ok())) {
        return Some(LogFormat::of(Kind::Syslog5424));
    }
    if most(count(&|l| syslog::parse_3164(l).is_some())) {
        return Some(LogFormat::of(Kind::Syslog3164));
    }
    if most(lines.iter().filter(|l| logfmt_time(l, &mut pairs)).count()) {
        return Some(LogFormat::of(Kind::Logfmt));
    }

    // The generic reader: which (layout, column) do most lines start with?
    let mut tally: Vec<((crate::ts::Layout, u8), usize)> = Vec::new();
    for l in &lines {
        for column in 0..=MAX_COLUMN {
            for layout in ALL_LAYOUTS {
                if timestamp_at(l.as_bytes(), *layout, column).is_some() {
                    match tally.iter_mut().find(|(k, _)| *k == (*layout, column)) {
                        Some((_, c)) => *c += 1,
                        None => tally.push(((*layout, column), 1)),
                    }
                }
            }
        }
    }
    // Most lines; on a tie the leftmost column, then the more specific layout.
    let best =
        tally.iter().enumerate().max_by_key(|(i, (k, c))| (*c, std::cmp::Reverse(k.1), std::cmp::Reverse(*i)))?.1;
    let ((layout, column), hits) = *best;
    // Multi-line records leave many lines without a timestamp; a fifth is plenty.
    let first_line_is_a_record = timestamp_at(lines[0].as_bytes(), layout, column).is_some();
    if hits == 0 || (hits * 5 < n && !(first_line_is_a_record && hits >= 2)) {
        return None;
    }

    // Error logs and gunicorn are timestamp-first too, with their own headers.
    for kind in [Kind::Gunicorn, Kind::NginxError, Kind::ApacheError] {
        let f = LogFormat::of(kind);
        let c = count(&|l| header(l, &f).is_some());
        if c > 0 && c * 5 >= hits * 4 {
            return Some(f);
        }
    }

    // A one-letter level (logcat `D`, `E`) at the same token on most lines.
    let mut letters = [0usize; 8];
    for l in &lines {
        if let Some((_, end)) = timestamp_at(l.as_bytes(), layout, column) {
            if let Some(idx) = l.get(end..).and_then(letter_level_index) {
                letters[idx as usize] += 1;
            }
        }
    }
    let (idx, max) = letters.iter().enumerate().max_by_key(|(_, c)| **c).map(|(i, c)| (i, *c)).unwrap_or((0, 0));
    let letter_level = (max > 0 && max * 5 >= hits * 3).then_some(idx as u8);

    let kind = if layout == crate::ts::Layout::Iso && column == 0 { Kind::AppLog } else { Kind::Generic };
    Some(LogFormat { kind, layout, column, letter_level })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(data: &str) -> Option<String> {
        detect(data.as_bytes()).map(|f| f.name().to_string())
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
