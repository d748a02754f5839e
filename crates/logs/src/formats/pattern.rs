//! The regular expressions of a format definition.
//!
//! lnav's definitions are written for PCRE2 and use what the `regex` crate
//! deliberately lacks: possessive quantifiers (`[^ ]++`, the commonest),
//! lookarounds (`(?!")`, `(?<![a-zA-Z])`), atomic groups. A pattern the
//! `regex` crate compiles as written, meaning the same thing, is compiled
//! there (linear time whatever the line, captures into reused slots). Any
//! other goes to `fancy-regex`: pure Rust, it reads those constructs and
//! hands the parts without them to the `regex` crate; its backtracking is
//! capped, so a line that would backtrack catastrophically is "no match"
//! instead of a stall. (PCRE2, lnav's own engine, was the other choice: its
//! static build collides symbol for symbol with the PCRE2 that libgit2
//! vendors, and linking it dynamically would bind its calls to that copy.)

use std::fmt;

/// Which engine compiled a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The `regex` crate (the pattern needs nothing beyond it).
    Regex,
    /// `fancy-regex` (possessive quantifiers, lookarounds, backreferences, atomic groups…).
    Fancy,
}

impl Engine {
    /// `regex` or `fancy-regex`.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Regex => "regex",
            Engine::Fancy => "fancy-regex",
        }
    }
}

/// Backtracking steps `fancy-regex` may take on one line before giving up.
const BACKTRACK_LIMIT: usize = 200_000;

enum Compiled {
    Regex(regex::Regex),
    Fancy(fancy_regex::Regex),
}

/// A compiled pattern with named groups.
pub(crate) struct Pattern {
    compiled: Compiled,
    /// Group names by index (`None` for unnamed groups and group 0).
    names: Vec<Option<String>>,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pattern").field("engine", &self.engine()).field("source", &self.source()).finish()
    }
}

/// Where each group of the last match is (byte ranges of the subject).
pub(crate) enum Slots {
    Regex(regex::CaptureLocations),
    Fancy(Vec<Option<(usize, usize)>>),
}

impl Slots {
    /// The range of group `i`, when it took part in the match.
    pub(crate) fn get(&self, i: usize) -> Option<(usize, usize)> {
        match self {
            Slots::Regex(l) => l.get(i),
            Slots::Fancy(v) => v.get(i).copied().flatten(),
        }
    }
}

/// Whether a pattern has a possessive quantifier (`++`, `*+`, `?+`, `{n,m}+`)
/// outside a character class: the `regex` crate compiles `a++` too, as
/// `(?:a+)+`, which is not what PCRE means by it.
fn has_possessive(source: &str) -> bool {
    let b = source.as_bytes();
    let (mut i, mut class) = (0, false);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' if !class => class = true,
            b']' if class => class = false,
            // `(?+…` is no quantifier: a quantifier follows something.
            b'+' | b'*' | b'?' | b'}'
                if !class && b.get(i + 1) == Some(&b'+') && !(b[i] == b'?' && i > 0 && b[i - 1] == b'(') =>
            {
                return true;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// PCRE's syntax where the `regex` crate reads the same text differently:
/// `\d \w \s` are ASCII classes in PCRE (lnav compiles without Unicode
/// properties) but Unicode ones in Rust; inside `[…]`, a
/// `[` is a literal in PCRE (`[^[(]`) but opens a nested class in Rust, and
/// `&&`, `--`, `~~` are literals in PCRE but set operations in Rust. POSIX
/// classes (`[[:alpha:]]`) mean the same in both.
fn translate(source: &str) -> String {
    let b = source.as_bytes();
    let mut out = String::with_capacity(source.len() + 4);
    let mut class = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                // PCRE's `\d \w \s` are ASCII (lnav does not ask for Unicode
                // properties); the `regex` crate's are Unicode, and far bigger to compile.
                let ascii = match (b.get(i + 1), class) {
                    (Some(b'd'), false) => Some("[0-9]"),
                    (Some(b'D'), false) => Some("[^0-9]"),
                    (Some(b'w'), false) => Some("[0-9A-Za-z_]"),
                    (Some(b'W'), false) => Some("[^0-9A-Za-z_]"),
                    (Some(b's'), false) => Some("[\\t\\n\\x0B\\x0C\\r ]"),
                    (Some(b'S'), false) => Some("[^\\t\\n\\x0B\\x0C\\r ]"),
                    (Some(b'd'), true) => Some("0-9"),
                    (Some(b'w'), true) => Some("0-9A-Za-z_"),
                    (Some(b's'), true) => Some("\\t\\n\\x0B\\x0C\\r "),
                    _ => None,
                };
                let end = (i + 2).min(b.len());
                out.push_str(ascii.unwrap_or_else(|| source.get(i..end).unwrap_or_default()));
                i = end;
                continue;
            }
            b'[' if !class => {
                class = true;
                out.push('[');
                // `[^]…]` and `[]…]`: a `]` first is a literal.
                let mut j = i + 1;
                if b.get(j) == Some(&b'^') {
                    out.push('^');
                    j += 1;
                }
                if b.get(j) == Some(&b']') {
                    out.push_str("\\]");
                    j += 1;
                }
                i = j;
                continue;
            }
            b'[' if b.get(i + 1) == Some(&b':') => {
                // A POSIX class: copy it whole.
                let end = source.get(i..).and_then(|r| r.find(":]")).map_or(b.len(), |k| i + k + 2);
                out.push_str(source.get(i..end).unwrap_or_default());
                i = end;
                continue;
            }
            b'[' | b'&' | b'~' if class => out.push_str(if c == b'[' {
                "\\["
            } else if c == b'&' {
                "\\&"
            } else {
                "\\~"
            }),
            b'-' if class && b.get(i + 1) == Some(&b'-') => out.push_str("\\-"),
            b']' if class => {
                class = false;
                out.push(']');
            }
            _ => {
                // Copy one whole UTF-8 character.
                let len = source.get(i..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
                out.push_str(source.get(i..i + len).unwrap_or_default());
                i += len;
                continue;
            }
        }
        i += 1;
    }
    out
}

impl Pattern {
    /// Compiles `source`, trying the `regex` crate first.
    pub(crate) fn new(source: &str) -> Result<Pattern, String> {
        let translated = translate(source);
        let source = translated.as_str();
        if !has_possessive(source) {
            if let Ok(re) = regex::Regex::new(source) {
                let names = re.capture_names().map(|n| n.map(str::to_string)).collect();
                return Ok(Pattern { compiled: Compiled::Regex(re), names });
            }
        }
        let re = fancy_regex::RegexBuilder::new(source)
            .backtrack_limit(BACKTRACK_LIMIT)
            .build()
            .map_err(|e| e.to_string())?;
        let names = re.capture_names().map(|n| n.map(str::to_string)).collect();
        Ok(Pattern { compiled: Compiled::Fancy(re), names })
    }

    pub(crate) fn engine(&self) -> Engine {
        match self.compiled {
            Compiled::Regex(_) => Engine::Regex,
            Compiled::Fancy(_) => Engine::Fancy,
        }
    }

    pub(crate) fn source(&self) -> &str {
        match &self.compiled {
            Compiled::Regex(r) => r.as_str(),
            Compiled::Fancy(r) => r.as_str(),
        }
    }

    /// The index of the group called `name`.
    pub(crate) fn group(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.as_deref() == Some(name))
    }

    /// The group names, in order.
    pub(crate) fn names(&self) -> impl Iterator<Item = (usize, &str)> {
        self.names.iter().enumerate().filter_map(|(i, n)| n.as_deref().map(|n| (i, n)))
    }

    /// Storage for [`Pattern::captures`].
    pub(crate) fn slots(&self) -> Slots {
        match &self.compiled {
            Compiled::Regex(r) => Slots::Regex(r.capture_locations()),
            Compiled::Fancy(_) => Slots::Fancy(vec![None; self.names.len()]),
        }
    }

    /// Matches `text` (anywhere, as lnav does: a pattern anchors itself with
    /// `^`), filling `slots`. A match that hits the backtracking limit is no match.
    pub(crate) fn captures(&self, text: &str, slots: &mut Slots) -> bool {
        match (&self.compiled, slots) {
            (Compiled::Regex(r), Slots::Regex(l)) => r.captures_read(l, text).is_some(),
            (Compiled::Fancy(r), Slots::Fancy(v)) => match r.captures(text) {
                Ok(Some(c)) => {
                    v.clear();
                    v.extend((0..c.len()).map(|i| c.get(i).map(|m| (m.start(), m.end()))));
                    true
                }
                _ => false,
            },
            // Slots of another pattern: a programming error, read as no match.
            _ => false,
        }
    }

    /// Whether `text` matches anywhere.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        match &self.compiled {
            Compiled::Regex(r) => r.is_match(text),
            Compiled::Fancy(r) => r.is_match(text).unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_the_regex_crate_reads_stay_there_and_the_rest_go_to_fancy_regex() {
        let plain = Pattern::new(r"^(?<timestamp>\d{4}-\d{2}-\d{2}) (?<level>\w+) (?<body>.*)").unwrap();
        assert_eq!(plain.engine(), Engine::Regex);
        let possessive = Pattern::new(r"^(?<c_ip>[^ ]++) (?<body>.*)").unwrap();
        assert_eq!(possessive.engine(), Engine::Fancy);
        let lookbehind = Pattern::new(r"(?<![a-zA-Z])(?i)error(?![a-zA-Z])").unwrap();
        assert_eq!(lookbehind.engine(), Engine::Fancy);
        assert!(lookbehind.is_match("disk ERROR here") && !lookbehind.is_match("terrors"));
        for p in [&plain, &possessive] {
            let mut slots = p.slots();
            let text = "2026-11-24 ERROR boom";
            assert!(p.captures(text, &mut slots), "{p:?}");
            let body = p.group("body").and_then(|i| slots.get(i)).unwrap();
            assert!(text[body.0..body.1].ends_with("boom"));
        }
        assert_eq!(possessive.names().map(|(_, n)| n).collect::<Vec<_>>(), ["c_ip", "body"]);
    }

    #[test]
    fn possessive_quantifiers_are_found_outside_classes_only() {
        assert!(has_possessive(r"[^ ]++ x") && has_possessive(r"\d*+") && has_possessive(r"a{2,3}+"));
        assert!(!has_possessive(r"[+]+ \++ a+? (?:x)+"));
    }

    #[test]
    fn pcre_classes_read_as_pcre_means_them() {
        assert_eq!(translate(r"[^[(]+"), r"[^\[(]+");
        assert_eq!(translate(r"[]a]"), r"[\]a]");
        assert_eq!(translate(r"[[:alpha:]&&x]\["), r"[[:alpha:]\&\&x]\[");
        assert_eq!(translate(r"a&&b [a--b] é"), r"a&&b [a\--b] é");
        assert_eq!(translate(r"\d+ [\w.-]+ \S"), r"[0-9]+ [0-9A-Za-z_.-]+ [^\t\n\x0B\x0C\r ]");
        assert!(!Pattern::new(r"^\d+$").unwrap().is_match("١٢٣"), "Arabic-Indic digits are no \\d in PCRE");
        let p = Pattern::new(r"^(?<opid>[^[(]+)\(").unwrap();
        assert!(p.is_match("suite one ("));
    }

    #[test]
    fn a_broken_pattern_says_why() {
        assert!(!Pattern::new(r"^(?<ts>\d+").unwrap_err().is_empty());
    }

    #[test]
    fn possessive_quantifiers_do_not_give_back() {
        // `a++a` cannot match: the possessive run eats what the rest needs.
        let p = Pattern::new(r"^a++a").unwrap();
        assert!(!p.is_match("aaaa"));
    }

    #[test]
    fn catastrophic_backtracking_is_no_match_not_a_stall() {
        let p = Pattern::new(r"^(?<x>(a|aa)+)(?!b)c$").unwrap();
        let line = format!("{}d", "a".repeat(64));
        assert!(!p.is_match(&line));
    }
}
