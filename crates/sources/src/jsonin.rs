//! JSON inputs in the three shapes exports come in: one object per line, a
//! top-level array, or pretty-printed objects one after another. Each item
//! keeps its line and byte range so events can cite it, and one bad item does
//! not cost the others.

use crate::input::{content_start, normalize_key, LineIndex};
use crate::{SourceError, Tally};
use faultline_model::time::{from_epoch, from_epoch_int, parse_instant, Zone};
use faultline_model::{Instant, Span};
use serde_json::{Map, Value};

/// One top-level JSON value (or the text that failed to be one).
pub(crate) struct Item<'a> {
    pub(crate) span: Span,
    pub(crate) raw: &'a [u8],
    pub(crate) value: Result<Value, String>,
    /// A syntax error that ended reading: nothing after it was read.
    pub(crate) fatal: bool,
}

fn span(index: &LineIndex, data: &[u8], start: usize, end: usize) -> Span {
    let raw = data.get(start..end).unwrap_or(b"");
    let lines = raw.iter().filter(|b| **b == b'\n').count() as u32 + 1;
    Span { line: index.line_of(start), offset: start as u64, len: raw.len() as u64, lines }
}

/// Splits `data` into top-level values.
pub(crate) fn items(data: &[u8]) -> Vec<Item<'_>> {
    let start = content_start(data);
    let index = LineIndex::new(data);
    match data.get(start) {
        Some(b'[') => array_items(data, start, &index),
        Some(_) => {
            let first_line_end =
                data.get(start..).and_then(|r| r.iter().position(|b| *b == b'\n')).map_or(data.len(), |p| start + p);
            let first = data.get(start..first_line_end).unwrap_or(b"");
            if serde_json::from_slice::<Value>(first).is_ok() {
                line_items(data, &index)
            } else {
                stream_items(data, start, &index)
            }
        }
        None => Vec::new(),
    }
}

fn line_items<'a>(data: &'a [u8], index: &LineIndex) -> Vec<Item<'a>> {
    crate::input::lines(data)
        .filter(|(_, _, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(_, off, l)| {
            let raw = crate::input::trim_line(l);
            Item {
                span: span(index, data, off, off + raw.len()),
                raw,
                value: serde_json::from_slice(raw).map_err(|e| e.to_string()),
                fatal: false,
            }
        })
        .collect()
}

/// Concatenated (typically pretty-printed) values. A syntax error ends the
/// stream: what follows cannot be re-synchronized reliably.
fn stream_items<'a>(data: &'a [u8], start: usize, index: &LineIndex) -> Vec<Item<'a>> {
    let body = data.get(start..).unwrap_or(b"");
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    let mut prev_end = 0usize;
    loop {
        let next = stream.next();
        let end = stream.byte_offset();
        let Some(result) = next else { break };
        let item_start =
            prev_end + body.get(prev_end..).map_or(0, |r| r.iter().take_while(|b| b.is_ascii_whitespace()).count());
        match result {
            Ok(v) => {
                out.push(Item {
                    span: span(index, data, start + item_start, start + end),
                    raw: body.get(item_start..end).unwrap_or(b""),
                    value: Ok(v),
                    fatal: false,
                });
                prev_end = end;
            }
            Err(e) => {
                let raw = body.get(item_start..).unwrap_or(b"");
                let first_line = raw.split(|b| *b == b'\n').next().unwrap_or(raw);
                out.push(Item {
                    span: span(index, data, start + item_start, start + item_start + first_line.len()),
                    raw: first_line,
                    value: Err(e.to_string()),
                    fatal: true,
                });
                break;
            }
        }
    }
    out
}

/// Where a byte of JSON text stands with respect to strings: what the
/// bracket scanners need to skip brackets and commas inside string values.
#[derive(Default)]
struct Strings {
    in_str: bool,
    escaped: bool,
}

enum Byte {
    /// Outside any string: structure.
    Code,
    /// The quote that opens a string.
    Open,
    /// Inside a string (escapes included).
    InString,
    /// The quote that closes a string.
    Close,
}

impl Strings {
    fn feed(&mut self, b: u8) -> Byte {
        if !self.in_str {
            self.in_str = b == b'"';
            return if self.in_str { Byte::Open } else { Byte::Code };
        }
        if self.escaped {
            self.escaped = false;
        } else if b == b'\\' {
            self.escaped = true;
        } else if b == b'"' {
            self.in_str = false;
            return Byte::Close;
        }
        Byte::InString
    }
}

/// Elements of a top-level array, found by scanning brackets and strings so
/// each element parses (and fails) on its own.
fn array_items<'a>(data: &'a [u8], open: usize, index: &LineIndex) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut strings = Strings::default();
    let mut elem: Option<usize> = None;
    let finish = |from: Option<usize>, to: usize, out: &mut Vec<Item<'a>>| {
        if let Some(s) = from {
            let raw = data.get(s..to).unwrap_or(b"");
            let trimmed_len = raw.len() - raw.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
            let raw = raw.get(..trimmed_len).unwrap_or(raw);
            out.push(Item {
                span: span(index, data, s, s + raw.len()),
                raw,
                value: serde_json::from_slice(raw).map_err(|e| e.to_string()),
                fatal: false,
            });
        }
    };
    let mut closed = false;
    for (i, &b) in data.iter().enumerate().skip(open + 1) {
        match strings.feed(b) {
            Byte::Code => {}
            Byte::Open => {
                elem.get_or_insert(i);
                continue;
            }
            Byte::InString | Byte::Close => continue,
        }
        match b {
            b'{' | b'[' => {
                elem.get_or_insert(i);
                depth += 1;
            }
            b'}' | b']' if depth == 0 => {
                finish(elem.take(), i, &mut out);
                closed = true;
                break;
            }
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => finish(elem.take(), i, &mut out),
            b if b.is_ascii_whitespace() => {}
            _ => {
                elem.get_or_insert(i);
            }
        }
    }
    if !closed {
        // Truncated array: whatever is left is one broken element.
        finish(elem.take(), data.len(), &mut out);
    }
    out
}

/// Members that API responses wrap their list in: Slack's and Zulip's
/// `messages`, ServiceNow's `result`, Zendesk's `tickets`, and the usual
/// `data`/`items`/`results`/`records`/`entries`/`events`/`incidents`.
const ENVELOPE_KEYS: &[&str] =
    &["messages", "tickets", "data", "items", "results", "result", "records", "entries", "events", "incidents"];

/// Where the list starts (its `[`) when `data` is one object wrapping a list
/// of objects under an [`ENVELOPE_KEYS`] member, as an API response is:
/// `{"ok": true, "messages": [{…}, …], "has_more": false}`. A sample cut
/// before the object closes counts; JSON lines (an object followed by more) do not.
pub(crate) fn envelope(data: &[u8]) -> Option<usize> {
    let start = content_start(data);
    if data.get(start) != Some(&b'{') {
        return None;
    }
    let (mut depth, mut strings) = (0usize, Strings::default());
    let (mut key_start, mut last_key): (usize, Option<&[u8]>) = (0, None);
    let mut found = None;
    for (i, &b) in data.iter().enumerate().skip(start) {
        match strings.feed(b) {
            Byte::Code => {}
            Byte::Open => {
                key_start = i + 1;
                continue;
            }
            Byte::Close if depth == 1 => {
                last_key = data.get(key_start..i);
                continue;
            }
            Byte::InString | Byte::Close => continue,
        }
        match b {
            b'[' if depth == 1 && found.is_none() => {
                let named =
                    last_key.and_then(|k| std::str::from_utf8(k).ok()).is_some_and(|k| ENVELOPE_KEYS.contains(&k));
                let first = data.get(i + 1..).and_then(|r| r.iter().find(|b| !b.is_ascii_whitespace()));
                if named && first.is_none_or(|b| *b == b'{') {
                    found = Some(i);
                }
                depth += 1;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let rest = data.get(i + 1..).unwrap_or(b"");
                    return found.filter(|_| rest.iter().all(u8::is_ascii_whitespace));
                }
            }
            b',' if depth == 1 => last_key = None,
            _ => {}
        }
    }
    found
}

/// Like [`for_each_object`], but the objects of a wrapped list ([`envelope`])
/// are the records: for exports of unknown shape read by common field names.
/// An object that `is_record` says is one (it has a time and a text of its
/// own) is a record itself, whatever lists it holds.
pub(crate) fn for_each_record<'s>(
    data: &[u8],
    label: &str,
    is_record: impl Fn(&Obj<'_>) -> bool,
    tally: &mut Tally<'s>,
    each: impl FnMut(&Map<String, Value>, &Item<'_>, &mut Tally<'s>) -> Result<bool, SourceError>,
) -> Result<(), SourceError> {
    let a_record = |d: &[u8]| first_object(d).is_some_and(|m| is_record(&Obj::new(&m)));
    match envelope(data).filter(|_| !a_record(data)) {
        Some(open) => visit(array_items(data, open, &LineIndex::new(data)), label, tally, each),
        None => for_each_object(data, label, tally, each),
    }
}

/// Calls `each` with every top-level object until it returns `Ok(false)`;
/// other values and broken JSON are reported unparsed.
pub(crate) fn for_each_object<'s>(
    data: &[u8],
    label: &str,
    tally: &mut Tally<'s>,
    each: impl FnMut(&Map<String, Value>, &Item<'_>, &mut Tally<'s>) -> Result<bool, SourceError>,
) -> Result<(), SourceError> {
    visit(items(data), label, tally, each)
}

fn visit<'s>(
    items: Vec<Item<'_>>,
    label: &str,
    tally: &mut Tally<'s>,
    mut each: impl FnMut(&Map<String, Value>, &Item<'_>, &mut Tally<'s>) -> Result<bool, SourceError>,
) -> Result<(), SourceError> {
    for item in items {
        if tally.stopped() {
            break;
        }
        match &item.value {
            Ok(Value::Object(m)) => {
                if !each(m, &item, tally)? {
                    break;
                }
            }
            Ok(_) => {
                tally.unparsed(item.span.line, item.span.offset, item.raw, "not a JSON object")?;
            }
            Err(e) => {
                tally.unparsed(item.span.line, item.span.offset, item.raw, "invalid JSON")?;
                if item.fatal {
                    tally.note(format!("{label}:{}: {e}: the rest of the file could not be read", item.span.line));
                }
            }
        }
    }
    Ok(())
}

/// The first object of a wrapped list ([`envelope`]) in a (possibly truncated) sample.
pub(crate) fn first_enveloped(sample: &[u8]) -> Option<Map<String, Value>> {
    first_object(sample.get(envelope(sample)?..)?)
}

/// The first top-level object of a (possibly truncated) sample, for detection.
pub(crate) fn first_object(sample: &[u8]) -> Option<Map<String, Value>> {
    let start = content_start(sample);
    let body = sample.get(start..)?;
    let from = match body.first()? {
        b'[' => body.iter().position(|b| *b == b'{')?,
        b'{' => 0,
        _ => return None,
    };
    // Between `[` and the first `{` only whitespace may stand: `[1, {…}]` is no export.
    if body.get(1..from).is_some_and(|gap| !gap.iter().all(u8::is_ascii_whitespace)) {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_slice(body.get(from..)?).into_iter::<Value>();
    match stream.next()? {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// An object's keys normalized (`createdAt` → `created_at`), for lookup by any spelling.
pub(crate) struct Obj<'a> {
    keys: Vec<(String, &'a Value)>,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>) -> Self {
        Obj { keys: map.iter().map(|(k, v)| (normalize_key(k), v)).collect() }
    }

    /// The first of `names` (priority order) that is present and not null.
    pub(crate) fn get(&self, names: &[&str]) -> Option<&'a Value> {
        names.iter().find_map(|n| self.keys.iter().find(|(k, v)| k == n && !v.is_null()).map(|(_, v)| *v))
    }

    pub(crate) fn has(&self, names: &[&str]) -> bool {
        self.get(names).is_some()
    }

    /// A value as text: strings, numbers, booleans; for an object (a GitHub
    /// `creator`, a Slack `user_profile`) its name-like field.
    pub(crate) fn text(&self, names: &[&str]) -> Option<String> {
        self.get(names).and_then(value_text)
    }
}

pub(crate) fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => crate::input::non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(m) => {
            let o = Obj::new(m);
            o.text(&["real_name", "display_name", "name", "login", "username", "email", "id"])
        }
        _ => None,
    }
}

/// A time as JSON writes it: text in any [`parse_instant`] layout, or epoch seconds/millis.
pub(crate) fn value_time(v: &Value, zone: &Zone) -> Option<(Instant, u8)> {
    match v {
        Value::String(s) => parse_instant(s, zone),
        Value::Number(n) => {
            n.as_i64().and_then(from_epoch_int).or_else(|| n.as_f64().and_then(from_epoch)).map(|t| (t, 0))
        }
        _ => None,
    }
}

/// A list of strings: an array (of strings or of `{filename|path|file}` objects) or a separated string.
pub(crate) fn value_list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|e| match e {
                Value::Object(m) => Obj::new(m).text(&["filename", "path", "file", "name"]),
                other => value_text(other),
            })
            .collect(),
        Value::String(s) => crate::input::split_files(s),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(items: &[Item<'_>]) -> Vec<(u64, bool)> {
        items.iter().map(|i| (i.span.line, i.value.is_ok())).collect()
    }

    #[test]
    fn arrays_split_per_element_with_lines() {
        let data = b"[\n  {\"a\": \"x,]}\"},\n  {\"b\": [1, 2]},\n  {broken},\n  {\"c\": 3}\n]\n";
        let items = items(data);
        assert_eq!(lines_of(&items), vec![(2, true), (3, true), (4, false), (5, true)]);
        assert_eq!(items[0].raw, br#"{"a": "x,]}"}"#);
    }

    #[test]
    fn json_lines_keep_going_past_a_bad_line() {
        let data = b"{\"a\":1}\n\nnot json\n{\"a\":2}\n";
        assert_eq!(lines_of(&items(data)), vec![(1, true), (3, false), (4, true)]);
    }

    #[test]
    fn pretty_printed_objects_stream() {
        let data = b"{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n";
        let items = items(data);
        assert_eq!(lines_of(&items), vec![(1, true), (4, true)]);
        assert_eq!(items[1].span.lines, 3);
        let broken = items_of_broken();
        assert_eq!(lines_of(&broken), vec![(1, true), (4, false)]);
        assert!(broken[1].fatal);
    }

    fn items_of_broken() -> Vec<Item<'static>> {
        items(b"{\n  \"a\": 1\n}\n{\n  \"a\": oops\n}\n{\"a\": 3}\n")
    }

    #[test]
    fn truncated_samples_still_yield_the_first_object() {
        let sample = b"[{\"id\": 1, \"sha\": \"abc\"}, {\"id\": 2, \"sh";
        assert!(first_object(sample).is_some_and(|m| m.contains_key("sha")));
        assert!(first_object(b"[1, {\"a\": 2}]").is_none());
    }

    #[test]
    fn an_envelope_is_one_object_wrapping_a_list_of_objects() {
        let wrapped = b"{\"ok\": true, \"note\": \"[x]\", \"messages\": [\n {\"a\": 1},\n {\"a\": 2}\n], \"more\": {\"b\": []}}\n";
        let open = envelope(wrapped).expect("an envelope");
        assert_eq!(wrapped[open], b'[');
        let items = array_items(wrapped, open, &LineIndex::new(wrapped));
        assert_eq!(lines_of(&items), vec![(2, true), (3, true)]);
        // A list of numbers, an unknown member, JSON lines that merely hold a list: no envelope.
        assert_eq!(envelope(b"{\"data\": [1, 2]}"), None);
        assert_eq!(envelope(b"{\"tags\": [{\"a\": 1}]}"), None);
        assert_eq!(envelope(b"{\"items\": [{\"a\": 1}]}\n{\"items\": [{\"a\": 2}]}\n"), None);
        assert_eq!(envelope(b"[{\"items\": [{\"a\": 1}]}]"), None);
    }

    #[test]
    fn times_from_text_and_epochs() {
        let z = Zone::Utc;
        let want = crate::testutil::utc("2026-11-24T08:27:03Z");
        assert_eq!(value_time(&serde_json::json!(1795508823), &z).map(|t| t.0), Some(want));
        assert_eq!(value_time(&serde_json::json!(1795508823000i64), &z).map(|t| t.0), Some(want));
        assert_eq!(value_time(&serde_json::json!("2026-11-24T08:27:03Z"), &z).map(|t| t.0), Some(want));
        assert_eq!(value_time(&serde_json::json!(null), &z), None);
    }
}
