//! JSON documents with the byte range of every value, for change exports.
//!
//! CD tools export one document whose entries sit deep inside it (an Argo CD
//! application's `status.history`, a Kubernetes `List`'s `items`, Jenkins'
//! `builds`), often on one line (`helm history -o json`). A change must cite
//! the place it was written, so this parser keeps each value's range next to
//! the value serde_json makes of it. It is tolerant where exports break: a
//! truncated or corrupt document keeps every value completed before the
//! break (the elements of a cut-off array are still read) and says where it
//! broke, so the rest can be counted unparsed instead of the file being lost.

use serde_json::{Map, Value};

/// Nesting deeper than this is refused: hostile input must not exhaust the stack.
const MAX_DEPTH: usize = 200;

/// Where a value sits in the document and where its children do.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// False for a container cut off by the break: it holds what was read of it.
    pub(crate) complete: bool,
    children: Children,
}

#[derive(Debug, Clone, Default)]
enum Children {
    #[default]
    None,
    Array(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

/// Where a document stops being JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Break {
    /// Byte offset of the first byte that could not be read.
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// A value and its ranges, borrowed together.
#[derive(Clone, Copy)]
pub(crate) struct J<'a> {
    pub(crate) value: &'a Value,
    pub(crate) tree: &'a Tree,
}

impl<'a> J<'a> {
    /// Whether the value was read to its end (not cut off by a break).
    pub(crate) fn complete(&self) -> bool {
        self.tree.complete
    }

    /// The member `key` of an object (exact spelling).
    pub(crate) fn get(&self, key: &str) -> Option<J<'a>> {
        let value = self.value.as_object()?.get(key)?;
        if value.is_null() {
            return None;
        }
        let tree = match &self.tree.children {
            Children::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, t)| t),
            _ => None,
        };
        Some(J { value, tree: tree.unwrap_or(self.tree) })
    }

    /// Follows object keys: `at(&["status", "history"])`.
    pub(crate) fn at(&self, path: &[&str]) -> Option<J<'a>> {
        path.iter().try_fold(*self, |j, k| j.get(k))
    }

    /// The elements of an array (empty for anything else).
    pub(crate) fn items(&self) -> Vec<J<'a>> {
        let Some(values) = self.value.as_array() else { return Vec::new() };
        let trees: &[Tree] = match &self.tree.children {
            Children::Array(t) => t,
            _ => &[],
        };
        values.iter().enumerate().map(|(i, value)| J { value, tree: trees.get(i).unwrap_or(self.tree) }).collect()
    }

    /// The object's members, when it is one.
    pub(crate) fn object(&self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }

    /// A member as text: strings as they are, numbers and booleans written out; empty text is none.
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        self.get(key).and_then(|j| scalar_text(j.value))
    }

    /// A text member at a path.
    pub(crate) fn text_at(&self, path: &[&str]) -> Option<String> {
        self.at(path).and_then(|j| scalar_text(j.value))
    }

    /// A member as an integer (a number, or a string of digits).
    pub(crate) fn int(&self, key: &str) -> Option<i64> {
        let v = self.get(key)?.value;
        v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    }
}

/// A scalar as text; `None` for empty strings, null, arrays and objects.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => crate::input::non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The top-level values of a document (one, several concatenated — `gh api
/// --paginate` writes one array per page —, or one per line) and where it
/// broke, if it did.
pub(crate) struct Doc {
    roots: Vec<(Value, Tree)>,
    pub(crate) broke: Option<Break>,
}

impl Doc {
    pub(crate) fn roots(&self) -> impl Iterator<Item = J<'_>> {
        self.roots.iter().map(|(value, tree)| J { value, tree })
    }
}

/// Parses `data`. Never fails: what could not be read is in [`Doc::broke`].
pub(crate) fn parse(data: &[u8]) -> Doc {
    let mut p = Parser { data, pos: 0, depth: 0, broke: None };
    let mut roots = Vec::new();
    p.pos = crate::input::content_start(data);
    loop {
        p.skip_ws();
        if p.pos >= data.len() || p.broke.is_some() {
            break;
        }
        let before = p.pos;
        let value = p.value();
        if p.pos > before && (p.broke.is_none() || !matches!(value.0, Value::Null)) {
            roots.push(value);
        }
        if p.pos == before && p.broke.is_none() {
            // Cannot happen (every value consumes a byte), but never loop forever.
            p.fail("unexpected byte");
        }
    }
    Doc { roots, broke: p.broke }
}

struct Parser<'d> {
    data: &'d [u8],
    pos: usize,
    depth: usize,
    broke: Option<Break>,
}

impl Parser<'_> {
    fn fail(&mut self, message: &str) {
        if self.broke.is_none() {
            self.broke = Some(Break { offset: self.pos.min(self.data.len()), message: message.to_string() });
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// One value; on a break, what was completed inside it is kept.
    fn value(&mut self) -> (Value, Tree) {
        self.skip_ws();
        let start = self.pos;
        let leaf = |v: Value, end: usize| (v, Tree { start, end, complete: true, children: Children::None });
        match self.peek() {
            None => {
                self.fail("unexpected end of input");
                leaf(Value::Null, start)
            }
            Some(b'{') => self.object(start),
            Some(b'[') => self.array(start),
            Some(b'"') => match self.string() {
                Some(s) => leaf(Value::String(s), self.pos),
                None => leaf(Value::Null, start),
            },
            Some(b't') => self.literal(b"true", Value::Bool(true), start),
            Some(b'f') => self.literal(b"false", Value::Bool(false), start),
            Some(b'n') => self.literal(b"null", Value::Null, start),
            Some(b) if b == b'-' || b.is_ascii_digit() => {
                while self.peek().is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')) {
                    self.pos += 1;
                }
                match self.data.get(start..self.pos).and_then(|raw| serde_json::from_slice::<Value>(raw).ok()) {
                    Some(v) => leaf(v, self.pos),
                    None => {
                        self.pos = start;
                        self.fail("invalid number");
                        leaf(Value::Null, start)
                    }
                }
            }
            Some(_) => {
                self.fail("expected a JSON value");
                leaf(Value::Null, start)
            }
        }
    }

    fn literal(&mut self, word: &[u8], v: Value, start: usize) -> (Value, Tree) {
        if self.data.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            (v, Tree { start, end: self.pos, complete: true, children: Children::None })
        } else {
            self.fail("expected a JSON value");
            (Value::Null, Tree { start, end: start, complete: false, children: Children::None })
        }
    }

    /// A string token, decoded by serde_json (escapes, surrogates).
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            let Some(&b) = self.data.get(i) else {
                self.fail("unterminated string");
                return None;
            };
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                break;
            }
            i += 1;
        }
        let raw = self.data.get(start..=i)?;
        match serde_json::from_slice::<String>(raw) {
            Ok(s) => {
                self.pos = i + 1;
                Some(s)
            }
            Err(e) => {
                self.fail(&format!("invalid string: {e}"));
                None
            }
        }
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.fail("nested too deeply");
            return false;
        }
        true
    }

    fn array(&mut self, start: usize) -> (Value, Tree) {
        self.pos += 1;
        let mut values = Vec::new();
        let mut trees = Vec::new();
        if self.enter() {
            self.skip_ws();
            if self.peek() == Some(b']') {
                self.pos += 1;
            } else {
                loop {
                    let (v, t) = self.value();
                    if self.broke.is_some() {
                        // A cut-off container keeps what was read of it; a cut scalar is nothing.
                        if matches!(v, Value::Array(_) | Value::Object(_)) {
                            values.push(v);
                            trees.push(t);
                        }
                        break;
                    }
                    values.push(v);
                    trees.push(t);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {
                            self.fail("expected `,` or `]` in an array");
                            break;
                        }
                    }
                }
            }
        }
        self.depth -= 1;
        let complete = self.broke.is_none();
        (Value::Array(values), Tree { start, end: self.pos, complete, children: Children::Array(trees) })
    }

    fn object(&mut self, start: usize) -> (Value, Tree) {
        self.pos += 1;
        let mut map = Map::new();
        let mut members = Vec::new();
        if self.enter() {
            self.skip_ws();
            if self.peek() == Some(b'}') {
                self.pos += 1;
            } else {
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        self.fail("expected a member name in an object");
                        break;
                    }
                    let Some(key) = self.string() else { break };
                    self.skip_ws();
                    if self.peek() != Some(b':') {
                        self.fail("expected `:` after a member name");
                        break;
                    }
                    self.pos += 1;
                    let (v, t) = self.value();
                    let complete = self.broke.is_none();
                    if complete || matches!(v, Value::Array(_) | Value::Object(_)) {
                        map.insert(key.clone(), v);
                        members.push((key, t));
                    }
                    if !complete {
                        break;
                    }
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {
                            self.fail("expected `,` or `}` in an object");
                            break;
                        }
                    }
                }
            }
        }
        self.depth -= 1;
        let complete = self.broke.is_none();
        (Value::Object(map), Tree { start, end: self.pos, complete, children: Children::Object(members) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice<'a>(data: &'a str, j: &J<'_>) -> &'a str {
        data.get(j.tree.start..j.tree.end).unwrap_or("?")
    }

    #[test]
    fn nested_values_keep_their_ranges() {
        let data = r#"{"status": {"history": [{"id": 1, "revision": "abc"}, {"id": 2}]}, "x": [1, "two", null]}"#;
        let doc = parse(data.as_bytes());
        assert!(doc.broke.is_none());
        let root = doc.roots().next().unwrap();
        let history = root.at(&["status", "history"]).unwrap().items();
        assert_eq!(history.len(), 2);
        assert_eq!(slice(data, &history[0]), r#"{"id": 1, "revision": "abc"}"#);
        assert_eq!(slice(data, &history[1]), r#"{"id": 2}"#);
        assert_eq!(history[0].text("revision").as_deref(), Some("abc"));
        assert_eq!(history[1].int("id"), Some(2));
        assert_eq!(root.get("x").unwrap().items().len(), 3);
        assert_eq!(root.value, &serde_json::from_str::<Value>(data).unwrap());
    }

    #[test]
    fn a_cut_off_document_keeps_its_completed_elements_and_says_where_it_broke() {
        let data = "{\"builds\": [\n  {\"number\": 3},\n  {\"number\": 2},\n  {\"number\": ";
        let doc = parse(data.as_bytes());
        let broke = doc.broke.clone().unwrap();
        assert_eq!(broke.offset, data.len());
        let root = doc.roots().next().unwrap();
        assert!(!root.complete());
        let builds = root.get("builds").unwrap().items();
        // The third build is kept as what was read of it, marked cut off.
        assert_eq!(builds.iter().filter_map(|b| b.int("number")).collect::<Vec<_>>(), vec![3, 2]);
        assert_eq!(builds.iter().map(J::complete).collect::<Vec<_>>(), vec![true, true, false]);
    }

    #[test]
    fn concatenated_pages_and_lines_are_several_roots() {
        let doc = parse(b"[{\"id\": 1}]\n[{\"id\": 2}, {\"id\": 3}]\n");
        assert_eq!(doc.roots().map(|r| r.items().len()).collect::<Vec<_>>(), vec![1, 2]);
        let doc = parse(b"{\"a\": 1}\n{\"a\": 2}\n");
        assert_eq!(doc.roots().count(), 2);
    }

    #[test]
    fn hostile_input_breaks_without_panicking() {
        let deep = "[".repeat(10_000);
        assert!(parse(deep.as_bytes()).broke.is_some());
        for bad in ["{\"a\" 1}", "[1 2]", "\"open", "{\"a\": tru}", "-", "{\"\\ud800\": 1}", "\u{feff}"] {
            let _ = parse(bad.as_bytes());
        }
        assert!(parse(b"{\"a\": [1, 2,, 3]}").broke.is_some());
        assert!(parse(b"").roots().next().is_none());
    }
}
