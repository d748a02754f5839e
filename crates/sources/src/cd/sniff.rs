//! What the start of a JSON export says about it, for detection.
//!
//! Detection sees the first 64 KiB of a file, and the first entry of a CD
//! export is often bigger than that (an Argo CD application with its
//! resource tree, a Spinnaker execution with every stage's context), so the
//! sample cannot be parsed as a value. This scanner reads it as tokens
//! instead: every member name with its nesting depth, and string values
//! with the name they belong to, up to wherever the sample is cut.

/// Member names and string values of a JSON sample.
#[derive(Debug, Default)]
pub(crate) struct Sniff {
    /// `(depth, name, string value)`; depth 1 = members of the top-level object.
    members: Vec<(u16, String, Option<String>)>,
    /// The sample starts with `[`.
    pub(crate) array_root: bool,
}

impl Sniff {
    /// Whether a member `name` appears at any depth.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.members.iter().any(|(_, k, _)| k == name)
    }

    /// Whether every one of `names` appears.
    pub(crate) fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.has(n))
    }

    /// Whether any of `names` appears.
    pub(crate) fn has_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.has(n))
    }

    /// Whether a member `name` appears at `depth`.
    pub(crate) fn has_at(&self, depth: u16, name: &str) -> bool {
        self.members.iter().any(|(d, k, _)| *d == depth && k == name)
    }

    /// The depth of an entry's own members: 1 for a top-level object, 2 for the elements of a top-level array.
    pub(crate) fn entry_depth(&self) -> u16 {
        if self.array_root {
            2
        } else {
            1
        }
    }

    /// The string values of member `name`, at any depth.
    pub(crate) fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.members.iter().filter(move |(_, k, _)| k == name).filter_map(|(_, _, v)| v.as_deref())
    }

    /// The string value of member `name` at `depth`, the first one.
    pub(crate) fn value_at(&self, depth: u16, name: &str) -> Option<&str> {
        self.members.iter().find(|(d, k, v)| *d == depth && k == name && v.is_some()).and_then(|(_, _, v)| v.as_deref())
    }

    /// Whether member `name` has a value starting with `prefix` anywhere.
    pub(crate) fn value_starts(&self, name: &str, prefix: &str) -> bool {
        self.values(name).any(|v| v.starts_with(prefix))
    }
}

/// Scans a sample; `None` when it does not start like JSON.
pub(crate) fn sniff(sample: &[u8]) -> Option<Sniff> {
    let start = crate::input::content_start(sample);
    let body = sample.get(start..)?;
    let first = *body.first()?;
    if first != b'{' && first != b'[' {
        return None;
    }
    let mut out = Sniff { array_root: first == b'[', ..Sniff::default() };
    // Containers open: true = object.
    let mut stack: Vec<bool> = Vec::new();
    let mut i = 0usize;
    let mut pending_key: Option<String> = None;
    while let Some(&b) = body.get(i) {
        match b {
            b'{' => {
                stack.push(true);
                pending_key = None;
            }
            b'[' => {
                stack.push(false);
                pending_key = None;
            }
            b'}' | b']' => {
                stack.pop();
                pending_key = None;
            }
            b'"' => {
                // The sample may end inside a string: what came before is what there is.
                let Some((text, next)) = string_at(body, i) else { break };
                i = next;
                // A name is a string followed by `:` inside an object.
                let mut j = i;
                while body.get(j).is_some_and(u8::is_ascii_whitespace) {
                    j += 1;
                }
                let in_object = stack.last() == Some(&true);
                if in_object && body.get(j) == Some(&b':') {
                    // Every container level counts, objects and arrays alike.
                    let depth = stack.len().min(u16::MAX as usize) as u16;
                    out.members.push((depth, text.clone(), None));
                    pending_key = Some(text);
                    i = j + 1;
                    continue;
                }
                if pending_key.take().is_some() {
                    if let Some(last) = out.members.last_mut() {
                        last.2 = Some(text);
                    }
                }
                continue;
            }
            b',' => pending_key = None,
            _ => {}
        }
        i += 1;
    }
    Some(out)
}

/// The string starting at `body[at] == '"'`, unescaped leniently (escapes
/// other than `\"` and `\\` kept as written: only names and short values
/// are compared), and the index after it. `None` when the sample ends inside it.
fn string_at(body: &[u8], at: usize) -> Option<(String, usize)> {
    let mut out = Vec::new();
    let mut i = at + 1;
    loop {
        let b = *body.get(i)?;
        match b {
            b'\\' => {
                let next = *body.get(i + 1)?;
                if next == b'"' || next == b'\\' || next == b'/' {
                    out.push(next);
                } else {
                    out.push(b'\\');
                    out.push(next);
                }
                i += 2;
            }
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), i + 1)),
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_depths_and_values_of_a_cut_sample() {
        let s = sniff(br#"{"kind": "List", "items": [{"kind": "ReplicaSet", "metadata": {"annotations": {"deployment.kubernetes.io/revision": "4", "note": "a \"q\"", "cut": "unterminat"#).unwrap();
        assert!(!s.array_root);
        assert_eq!(s.value_at(1, "kind"), Some("List"));
        assert_eq!(s.value_at(3, "kind"), Some("ReplicaSet"));
        assert!(s.has("deployment.kubernetes.io/revision"));
        assert_eq!(s.values("note").next(), Some("a \"q\""));
        assert!(s.has_at(1, "items"));
        assert!(!s.has_at(1, "metadata"));
    }

    #[test]
    fn arrays_put_entries_one_level_down() {
        let s = sniff(b"[{\"revision\":1,\"updated\":\"2026-03-12T14:02:11Z\",\"chart\":\"checkout-1.4.2\"}]").unwrap();
        assert!(s.array_root);
        assert_eq!(s.entry_depth(), 2);
        assert!(s.has_at(2, "chart"));
        assert!(sniff(b"deploy_id,time\n").is_none());
        assert!(sniff(b"[\"unterminated").is_some());
    }
}
