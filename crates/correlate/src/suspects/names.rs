//! What the incident's errors name of a change: its files in stack frames,
//! the modules they are imported as, identifiers from its message, hosts it
//! names, endpoints named after its files — and the identifiers its diff
//! added or removed.

use super::Ctx;
use crate::events::ErrorEvent;
use crate::signature::basename;
use faultline_model::{Change, NameKind};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const GENERIC_FILES: &[&str] = &[
    "__init__.py",
    "__main__.py",
    "index.js",
    "index.ts",
    "main.py",
    "main.go",
    "main.rs",
    "lib.rs",
    "mod.rs",
    "app.py",
    "utils.py",
    "util.py",
    "helpers.py",
    "base.py",
    "wsgi.py",
    "manage.py",
    "setup.py",
];
const GENERIC_STEMS: &[&str] = &[
    "index",
    "main",
    "app",
    "views",
    "view",
    "utils",
    "util",
    "__init__",
    "settings",
    "config",
    "base",
    "api",
    "lib",
    "src",
    "test",
    "tests",
    "readme",
    "changelog",
    "version",
    "package",
    "requirements",
    "static",
    "templates",
];

fn is_library(path: &str) -> bool {
    ["site-packages", "dist-packages", "/lib/python", "/usr/lib/", "node_modules", "/jdk", "java.base"]
        .iter()
        .any(|m| path.contains(m))
}

pub(crate) fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect()
}

/// Trailing path components two paths share.
pub(crate) fn common_suffix(a: &str, b: &str) -> usize {
    components(a).iter().rev().zip(components(b).iter().rev()).take_while(|(x, y)| x == y).count()
}

/// Dotted module names a source file may be imported or named as.
pub(crate) fn dotted_names(file: &str) -> Vec<String> {
    let comps = components(file);
    let Some((last, dirs)) = comps.split_last() else { return Vec::new() };
    let stem = last.rsplit_once('.').map_or(*last, |(s, _)| s);
    let mut parts: Vec<&str> = dirs.to_vec();
    // Java/Kotlin: the package starts after the language folder.
    if let Some(p) = parts.iter().rposition(|c| matches!(*c, "java" | "kotlin" | "scala")) {
        parts.drain(..=p);
    }
    while parts.first().is_some_and(|c| matches!(*c, "src" | "lib" | "app" | "python")) && parts.len() > 1 {
        parts.remove(0);
    }
    parts.push(stem);
    let mut out = Vec::new();
    if parts.len() >= 2 {
        out.push(parts.join("."));
        let n = parts.len();
        if n > 2 {
            out.push(parts[n - 2..].join("."));
        }
    }
    out
}

pub(crate) fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = 0;
    while let Some(pos) = hay.get(start..).and_then(|h| h.find(needle)) {
        let at = start + pos;
        let before = hay[..at].chars().next_back();
        let after = hay.get(at + needle.len()..).and_then(|s| s.chars().next());
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return true;
        }
        start = at + needle.len().max(1);
    }
    false
}

/// How strongly one error names a changed file (0 = not at all), and whether as a module.
fn file_strength(file: &str, e: &ErrorEvent, text: &str) -> (f64, NameKind) {
    let base = basename(file);
    let generic = GENERIC_FILES.contains(&base);
    let n_comps = components(file).len();
    let mut best: (f64, NameKind) = (0.0, NameKind::File);
    let app_frames = e.trace().frames.iter().filter(|f| !is_library(f));
    for (depth, frame) in app_frames.enumerate() {
        let k = common_suffix(file, frame);
        let full = k >= 2 || (k == 1 && (n_comps == 1 || components(frame).len() == 1) && !generic);
        let partial = k == 1 && !generic;
        if full || partial {
            let by_depth = match depth {
                0 => 0.9,
                1 => 0.75,
                _ => 0.45,
            };
            let s = if full { by_depth } else { by_depth * 0.7 };
            if s > best.0 {
                best = (s, NameKind::File);
            }
        }
    }
    let final_line = e.trace().final_line.as_deref().unwrap_or("");
    for d in dotted_names(file) {
        if contains_word(final_line, &d) {
            if 0.85 > best.0 {
                best = (0.85, NameKind::Module);
            }
        } else if e.trace().modules.iter().any(|m| m == &d || m.ends_with(&format!(".{d}"))) && 0.6 > best.0 {
            best = (0.6, NameKind::Module);
        }
    }
    if !generic && base.contains('.') && best.0 == 0.0 {
        let first = text.lines().next().unwrap_or("");
        if contains_word(first, base) || contains_word(final_line, base) {
            best = (0.7, NameKind::File);
        }
    }
    best
}

fn identifier_pattern() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"\b(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
            .unwrap_or_else(|e| panic!("identifier pattern: {e}"))
    })
}

/// Identifiers (dotted names, CamelCase, camelCase, snake_case, UPPER_CASE) of
/// at least five characters in `text`, in order, once each.
pub(crate) fn identifiers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in identifier_pattern().find_iter(text) {
        let s = m.as_str();
        if s.len() >= 5 && !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    out
}

fn stem(base: &str) -> &str {
    base.split('.').next().unwrap_or(base)
}

/// Words of a message long and specific enough to be a module's name.
fn keywords(message: &str) -> Vec<String> {
    const COMMON: &[&str] = &[
        "update", "updated", "change", "changes", "enable", "enabled", "disable", "revert", "bump", "merge", "branch",
        "release", "fixes", "tweak", "footer", "header", "service", "server", "client", "error", "errors", "default",
        "support", "remove", "rename", "handle", "models", "using", "after", "before", "their", "which", "should",
        "would", "there", "about", "other", "these", "those", "where", "while", "first", "second", "third", "rollback",
        "deploy", "hotfix", "patch", "restore", "refactor", "cleanup", "logging", "version", "settings",
    ];
    let mut out: Vec<String> = Vec::new();
    for w in message.lines().next().unwrap_or("").split(|c: char| !c.is_alphanumeric() && c != '_') {
        let w = w.to_lowercase();
        if w.len() >= 5
            && w.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
            && !COMMON.contains(&w.as_str())
            && !GENERIC_STEMS.contains(&w.as_str())
            && !out.contains(&w)
        {
            out.push(w);
        }
    }
    out
}

/// One thing of a change the incident's errors name.
pub(crate) struct Match {
    pub name: String,
    pub what: NameKind,
    pub strength: f64,
    pub count: u64,
    pub traces: bool,
    pub first: Option<usize>,
}

impl Ctx<'_> {
    /// What of `c` the fingerprint errors name, strongest first.
    pub(crate) fn names(&self, c: &Change) -> Vec<Match> {
        let mut out = Vec::new();
        let mut scan = |name: String, what: NameKind, f: &dyn Fn(&ErrorEvent, &str) -> (f64, NameKind)| {
            let mut m = Match { name, what, strength: 0.0, count: 0, traces: true, first: None };
            for &i in &self.fingerprint {
                let Some(e) = self.events.get(i) else { continue };
                let (s, kind) = f(e, &e.text);
                if s > 0.0 {
                    if s > m.strength {
                        m.what = kind;
                    }
                    m.strength = m.strength.max(s);
                    m.count += u64::from(e.count);
                    m.traces &= e.trace().is_trace();
                    m.first.get_or_insert(i);
                }
            }
            if m.count > 0 {
                out.push(m);
            }
        };
        for file in &c.files {
            scan(file.clone(), NameKind::File, &|e, t| file_strength(file, e, t));
        }
        let file_words: Vec<String> = c.files.iter().flat_map(|f| dotted_names(f)).collect();
        for id in identifiers(&c.message) {
            if file_words.iter().any(|w| w == &id) || c.files.iter().any(|f| basename(f) == id) {
                continue;
            }
            scan(id.clone(), NameKind::Identifier, &|e, t| {
                if contains_word(t, &id) || e.trace().modules.iter().any(|m| m == &id) {
                    (0.5, NameKind::Identifier)
                } else {
                    (0.0, NameKind::Identifier)
                }
            });
        }
        // A word of its message that is the name of a file the tracebacks
        // pass through ("search ranking" and `search/ranking.py`).
        for word in keywords(&c.message) {
            if file_words.iter().any(|w| w.eq_ignore_ascii_case(&word))
                || c.files.iter().any(|f| stem(basename(f)).eq_ignore_ascii_case(&word))
            {
                continue;
            }
            scan(word.clone(), NameKind::Identifier, &|e, _| {
                let app = e.trace().frames.iter().filter(|f| !is_library(f));
                if app.map(|f| stem(basename(f))).any(|s| s.eq_ignore_ascii_case(&word)) {
                    (0.45, NameKind::Identifier)
                } else {
                    (0.0, NameKind::Identifier)
                }
            });
        }
        for word in c.message.split(|ch: char| !(ch.is_alphanumeric() || ch == '-' || ch == '.' || ch == '_')) {
            if word.len() >= 4
                && self.services.iter().any(|s| s.eq_ignore_ascii_case(word))
                && c.service.as_deref().is_none_or(|s| !s.eq_ignore_ascii_case(word))
            {
                let w = word.to_string();
                scan(w.clone(), NameKind::Host, &|e, _| {
                    if e.host.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(&w)) {
                        (0.4, NameKind::Host)
                    } else {
                        (0.0, NameKind::Host)
                    }
                });
            }
        }
        for file in &c.files {
            let base = basename(file);
            let stem = base.split('.').next().unwrap_or(base).to_ascii_lowercase();
            if stem.len() < 3 || GENERIC_STEMS.contains(&stem.as_str()) {
                continue;
            }
            if self.endpoints.iter().any(|ep| ep.split('/').any(|seg| seg.eq_ignore_ascii_case(&stem))) {
                scan(file.clone(), NameKind::Endpoint, &|e, _| {
                    if e.endpoint.as_deref().is_some_and(|ep| ep.split('/').any(|seg| seg.eq_ignore_ascii_case(&stem)))
                    {
                        (0.3, NameKind::Endpoint)
                    } else {
                        (0.0, NameKind::Endpoint)
                    }
                });
            }
        }
        out.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(b.count.cmp(&a.count)));
        out
    }
}

/// The words of error texts, lower-cased, for matching what diffs introduced:
/// each token of letters, digits, `_`, `.` and `-`, and its `.`/`-` parts.
fn tokens(text: &str, mut f: impl FnMut(&str)) {
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-')) {
        let t = raw.trim_matches(|c: char| c == '.' || c == '-');
        if t.len() < 5 {
            continue;
        }
        let lower = t.to_lowercase();
        f(&lower);
        if lower.contains(['.', '-']) {
            for part in lower.split(['.', '-']) {
                if part.len() >= 5 {
                    f(part);
                }
            }
        }
    }
}

/// Where the incident's errors, and the errors before it, use each word: the
/// index diff identifiers are looked up in.
pub(crate) struct ErrorWords {
    /// Word → (incident errors containing it, the first of them).
    incident: HashMap<String, (u64, usize)>,
    /// Words of errors before the onset: they say nothing new.
    baseline: HashSet<String>,
    /// All incident errors (records).
    pub total: u64,
}

impl ErrorWords {
    pub(crate) fn build(events: &[ErrorEvent], fingerprint: &[usize], onset: i64) -> ErrorWords {
        let mut incident: HashMap<String, (u64, usize)> = HashMap::new();
        let mut total = 0;
        for &i in fingerprint {
            let Some(e) = events.get(i) else { continue };
            total += u64::from(e.count);
            let mut seen = HashSet::new();
            tokens(&e.text, |w| {
                if seen.insert(w.to_string()) {
                    let entry = incident.entry(w.to_string()).or_insert((0, i));
                    entry.0 += u64::from(e.count);
                }
            });
        }
        let mut baseline = HashSet::new();
        // A few thousand distinct texts are plenty to know what was already there.
        for e in events.iter().filter(|e| e.t < onset && !e.http).rev().take(5000) {
            tokens(&e.text, |w| {
                if incident.contains_key(w) {
                    baseline.insert(w.to_string());
                }
            });
        }
        ErrorWords { incident, baseline, total }
    }

    /// The diff identifiers of `c` found in incident errors and not before
    /// them (identifiers the name matching already credited left out): the
    /// identifiers, the errors that contain the most-used one, and the first.
    pub(crate) fn diff_matches(&self, c: &Change, already: &[Match]) -> Option<(Vec<String>, u64, usize)> {
        let credited: HashSet<String> = already.iter().map(|m| m.name.to_lowercase()).collect();
        let mut found: Vec<String> = Vec::new();
        let mut best: Option<(u64, usize)> = None;
        for id in &c.identifiers {
            let lower = id.to_lowercase();
            if lower.len() < 5 || credited.contains(&lower) || self.baseline.contains(&lower) {
                continue;
            }
            if let Some(&(n, first)) = self.incident.get(&lower) {
                if !found.iter().any(|f| f.eq_ignore_ascii_case(id)) {
                    found.push(id.clone());
                }
                if best.is_none_or(|(b, _)| n > b) {
                    best = Some((n, first));
                }
            }
        }
        let (errors, first) = best?;
        Some((found, errors, first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_names_follow_python_and_java_layouts() {
        assert_eq!(dotted_names("src/archive_auth/sessions.py"), vec!["archive_auth.sessions".to_string()]);
        assert!(dotted_names("service/src/main/java/com/foo/auth/TokenCache.java")
            .contains(&"com.foo.auth.TokenCache".to_string()));
    }

    #[test]
    fn word_matching_respects_boundaries() {
        assert!(contains_word("from 'archive_auth.sessions' (x)", "archive_auth.sessions"));
        assert!(!contains_word("my_archive_auth.sessions2", "archive_auth.sessions"));
    }

    #[test]
    fn identifiers_of_every_common_shape() {
        let ids = identifiers("use PaymentGateWay and paymentClient, max_pool_size, MAX_RETRIES, payments.gateway.url");
        for want in ["PaymentGateWay", "paymentClient", "max_pool_size", "MAX_RETRIES", "payments.gateway.url"] {
            assert!(ids.iter().any(|i| i == want), "{want} missing from {ids:?}");
        }
        assert!(identifiers("plain words only here").is_empty());
    }
}
