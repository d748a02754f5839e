//! The regular expressions of a format definition.
//!
//! lnav's definitions are written for PCRE2 and use what the `regex` crate
//! deliberately lacks: possessive quantifiers (`[^ ]++`, the commonest),
//! lookarounds (`(?!")`, `(?<![a-zA-Z])`), atomic groups. A pattern the
//! `regex` crate accepts as written is compiled there (linear time whatever
//! the line, and it is already how Faultline searches); any other is compiled
//! with PCRE2 — the engine lnav itself uses, so a definition means in
//! Faultline exactly what it means in lnav — with its JIT and its match limit,
//! which turns a catastrophically backtracking line into "no match" instead of
//! a stall.

use std::fmt;

/// Which engine compiled a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The `regex` crate (the pattern needs nothing beyond it).
    Regex,
    /// PCRE2 (possessive quantifiers, lookarounds, backreferences, atomic groups…).
    Pcre2,
}

impl Engine {
    /// `regex` or `pcre2`.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Regex => "regex",
            Engine::Pcre2 => "pcre2",
        }
    }
}

enum Compiled {
    Regex(regex::Regex),
    Pcre2(pcre2::bytes::Regex),
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
    Pcre2(pcre2::bytes::CaptureLocations),
}

impl Slots {
    /// The range of group `i`, when it took part in the match.
    pub(crate) fn get(&self, i: usize) -> Option<(usize, usize)> {
        match self {
            Slots::Regex(l) => l.get(i),
            Slots::Pcre2(l) => l.get(i),
        }
    }
}

/// Whether a pattern has a possessive quantifier (`++`, `*+`, `?+`, `{n,m}+`)
/// outside a character class.
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

impl Pattern {
    /// Compiles `source`, trying the `regex` crate first.
    pub(crate) fn new(source: &str) -> Result<Pattern, String> {
        // `a++` compiles in the `regex` crate too, as `(?:a+)+`: not what PCRE means by it.
        if !has_possessive(source) {
            if let Ok(re) = regex::Regex::new(source) {
                let names = re.capture_names().map(|n| n.map(str::to_string)).collect();
                return Ok(Pattern { compiled: Compiled::Regex(re), names });
            }
        }
        let re = pcre2::bytes::RegexBuilder::new()
            .utf(true)
            .jit_if_available(true)
            .build(source)
            .map_err(|e| e.to_string())?;
        let names = re.capture_names().to_vec();
        Ok(Pattern { compiled: Compiled::Pcre2(re), names })
    }

    pub(crate) fn engine(&self) -> Engine {
        match self.compiled {
            Compiled::Regex(_) => Engine::Regex,
            Compiled::Pcre2(_) => Engine::Pcre2,
        }
    }

    pub(crate) fn source(&self) -> &str {
        match &self.compiled {
            Compiled::Regex(r) => r.as_str(),
            Compiled::Pcre2(r) => r.as_str(),
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
            Compiled::Pcre2(r) => Slots::Pcre2(r.capture_locations()),
        }
    }

    /// Matches `text` (anywhere, as lnav does: a pattern anchors itself with
    /// `^`), filling `slots`. A PCRE2 error (the match limit) is no match.
    pub(crate) fn captures(&self, text: &str, slots: &mut Slots) -> bool {
        match (&self.compiled, slots) {
            (Compiled::Regex(r), Slots::Regex(l)) => r.captures_read(l, text).is_some(),
            (Compiled::Pcre2(r), Slots::Pcre2(l)) => matches!(r.captures_read(l, text.as_bytes()), Ok(Some(_))),
            // Slots of another pattern: a programming error, read as no match.
            _ => false,
        }
    }

    /// Whether `text` matches anywhere.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        match &self.compiled {
            Compiled::Regex(r) => r.is_match(text),
            Compiled::Pcre2(r) => r.is_match(text.as_bytes()).unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_the_regex_crate_reads_stay_there_and_the_rest_go_to_pcre2() {
        let plain = Pattern::new(r"^(?<timestamp>\d{4}-\d{2}-\d{2}) (?<level>\w+) (?<body>.*)").unwrap();
        assert_eq!(plain.engine(), Engine::Regex);
        let possessive = Pattern::new(r"^(?<c_ip>[^ ]++) (?<body>.*)").unwrap();
        assert_eq!(possessive.engine(), Engine::Pcre2);
        let lookbehind = Pattern::new(r"(?<![a-zA-Z])(?i)error(?![a-zA-Z])").unwrap();
        assert_eq!(lookbehind.engine(), Engine::Pcre2);
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
    fn a_broken_pattern_says_why() {
        let err = Pattern::new(r"^(?<ts>\d+").unwrap_err();
        assert!(err.contains("parenthes") || err.contains("missing"), "{err}");
    }

    #[test]
    fn possessive_quantifiers_do_not_give_back() {
        // `[^ ]++ ` cannot match when the possessive run eats what the rest needs.
        let p = Pattern::new(r"^a++a").unwrap();
        assert!(!p.is_match("aaaa"));
    }
}
