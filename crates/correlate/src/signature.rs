//! Error signatures: Drain-like template mining over error messages, and the
//! files/modules/classes a stack trace names.
//!
//! A signature must be stable across occurrences of the same failure and
//! distinct across failures. Masking (numbers, ids, hashes, IPs, quoted
//! values) removes what varies per occurrence; a traceback is keyed by its
//! final exception line plus its deepest frames' files, because the header
//! line (`Exception on /login [POST]`) is the same for every failure of a
//! view while the final line and the frames say *which* failure it is.

use regex::Regex;
use std::sync::OnceLock;

/// What a stack trace in a record's text says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// The exception that ended it (Python final line, Java root `Caused by:`).
    pub final_line: Option<String>,
    /// Frame files, deepest first (the frame that raised comes first).
    pub frames: Vec<String>,
    /// Files, dotted modules and classes named anywhere in the trace.
    pub modules: Vec<String>,
}

impl Trace {
    /// Whether the text held a stack trace at all.
    pub fn is_trace(&self) -> bool {
        self.final_line.is_some() || !self.frames.is_empty()
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    // Patterns are literals of this file; a failure is a programming error
    // caught by the unit tests, never input-dependent.
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| panic!("bad pattern {pattern}: {e}")))
}

fn py_frame() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r#"^\s*File "([^"]+)", line \d+(?:, in (\S+))?"#)
}
fn py_import() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"\bfrom\s+([A-Za-z_][\w.]*)\s+import\s+([A-Za-z_][\w]*)|\bimport\s+([A-Za-z_][\w.]*)")
}
fn quoted_module() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r#"(?:from|module named|module)\s+['"]([A-Za-z_][\w.]*)['"]|name\s+['"]([A-Za-z_]\w*)['"]"#)
}
fn java_frame() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^\s*at\s+([\w$.]+)\.([\w$<>]+)\(([^:)]+)(?::\d+)?\)")
}
fn java_exception() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^(?:Caused by:\s*)?((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*(?:Exception|Error|Throwable|Fault))\b")
}
fn py_final() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    // Lower-case too: `socket.gaierror`, `socket.herror`, `ssl.SSLZeroReturnError`.
    re(&R, r"^([A-Za-z_][\w.]*(?:Error|error|Exception|Exit|Interrupt|Warning|Failure|Fault|Timeout|Refused))(?::|$)")
}

/// Reads the stack trace (Python or Java/JVM) out of a record's full text.
pub fn parse_trace(text: &str) -> Trace {
    let mut t = Trace::default();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() < 2 {
        return t;
    }
    let mut py_frames = Vec::new();
    let mut java_frames_after_root = Vec::new();
    let mut java_root: Option<String> = None;
    let mut java_first: Option<String> = None;
    let mut py_final_line: Option<String> = None;
    let push_module = |m: &str, t: &mut Trace| {
        let m = m.trim();
        if !m.is_empty() && !t.modules.iter().any(|x| x == m) {
            t.modules.push(m.to_string());
        }
    };
    for line in lines.iter().skip(1) {
        if let Some(c) = py_frame().captures(line) {
            let file = c.get(1).map_or("", |m| m.as_str());
            py_frames.push(file.to_string());
            push_module(file, &mut t);
            continue;
        }
        if let Some(c) = java_frame().captures(line) {
            let class = c.get(1).map_or("", |m| m.as_str());
            let file = c.get(3).map_or("", |m| m.as_str());
            push_module(class, &mut t);
            push_module(file, &mut t);
            java_frames_after_root.push(file.to_string());
            continue;
        }
        let trimmed = line.trim_start();
        if let Some(c) = java_exception().captures(trimmed) {
            let class = c.get(1).map_or("", |m| m.as_str()).to_string();
            push_module(&class, &mut t);
            if trimmed.starts_with("Caused by:") || java_first.is_none() {
                if trimmed.starts_with("Caused by:") {
                    java_root = Some(trimmed.trim_start_matches("Caused by:").trim().to_string());
                    java_frames_after_root.clear();
                } else {
                    java_first = Some(trimmed.to_string());
                }
            }
        }
        for c in py_import().captures_iter(line) {
            if let Some(m) = c.get(1).or_else(|| c.get(3)) {
                push_module(m.as_str(), &mut t);
            }
        }
        if !line.starts_with(char::is_whitespace) && py_final().is_match(line) {
            py_final_line = Some(line.trim().to_string());
        }
    }
    if let Some(fl) = &py_final_line {
        for c in quoted_module().captures_iter(fl) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                push_module(m.as_str(), &mut t);
            }
        }
    }
    if !py_frames.is_empty() || (py_final_line.is_some() && java_first.is_none() && java_root.is_none()) {
        py_frames.reverse();
        t.frames = py_frames;
        t.final_line = py_final_line;
    } else if java_first.is_some() || java_root.is_some() || !java_frames_after_root.is_empty() {
        t.final_line = java_root.or(java_first);
        t.frames = java_frames_after_root;
    }
    t
}

/// Masks what varies between occurrences of one failure: quoted values,
/// UUIDs, IPs, hex hashes and numbers become `<*>`.
pub fn mask(text: &str) -> String {
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    static UUID: OnceLock<Regex> = OnceLock::new();
    static IP: OnceLock<Regex> = OnceLock::new();
    static HEX: OnceLock<Regex> = OnceLock::new();
    static NUM: OnceLock<Regex> = OnceLock::new();
    static RUNS: OnceLock<Regex> = OnceLock::new();
    let s = re(&QUOTED, r#"'[^']*'|"[^"]*""#).replace_all(text, |c: &regex::Captures| {
        let q = c.get(0).map_or("", |m| m.as_str());
        if q.starts_with('\'') {
            "'<*>'".to_string()
        } else {
            "\"<*>\"".to_string()
        }
    });
    let s = re(&UUID, r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b").replace_all(&s, "<*>");
    let s = re(&IP, r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b").replace_all(&s, "<*>");
    let s = re(&HEX, r"\b(?:0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b(?:0x)?[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\b")
        .replace_all(&s, |c: &regex::Captures| {
            let m = c.get(0).map_or("", |m| m.as_str());
            if m.len() >= 6 { "<*>".to_string() } else { m.to_string() }
        });
    // Digits glued to letters name things (`psycopg2`, `utf8`); digits after
    // punctuation or `_` are values (`session_8812`, `12.5ms`).
    let s = re(&NUM, r"(^|[^A-Za-z0-9])\d+").replace_all(&s, "${1}<*>");
    let s = re(&RUNS, r"<\*>(?:[.:,/-]?<\*>)+").replace_all(&s, "<*>");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A request path as an endpoint: no query string, ids masked.
pub fn endpoint_of(path: &str) -> String {
    let p = path.split(['?', '#']).next().unwrap_or(path);
    let segs: Vec<String> = p
        .split('/')
        .map(|seg| {
            if seg.is_empty() {
                String::new()
            } else if seg.bytes().any(|b| b.is_ascii_digit())
                && (seg.len() >= 6 || seg.bytes().all(|b| b.is_ascii_digit()))
            {
                "<*>".to_string()
            } else {
                seg.to_string()
            }
        })
        .collect();
    let joined = segs.join("/");
    if joined.is_empty() {
        "/".to_string()
    } else {
        joined
    }
}

/// The last component of a path, `/` or `\` separated.
pub fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The key a record is clustered by.
pub fn key_for(message: &str, trace: &Trace) -> String {
    match &trace.final_line {
        Some(fl) => {
            let files: Vec<&str> = trace.frames.iter().take(2).map(|f| basename(f)).collect();
            if files.is_empty() {
                mask(fl)
            } else {
                format!("{} @ {}", mask(fl), files.join(" < "))
            }
        }
        None => mask(message),
    }
}

/// Drain-like online clustering of masked keys: keys of the same length and
/// first token whose tokens agree at least `SIMILARITY` of the time are one
/// template, the differing positions becoming `<*>`.
#[derive(Debug, Default)]
pub struct Miner {
    clusters: Vec<Vec<String>>,
}

const SIMILARITY: f64 = 0.6;

impl Miner {
    /// Adds a key; returns its cluster index. Keys starting with `HTTP ` are
    /// kept exact: a status or endpoint is the signature, not a variable.
    pub fn add(&mut self, key: &str) -> usize {
        let tokens: Vec<String> = key.split_whitespace().map(str::to_string).collect();
        let exact = key.starts_with("HTTP ");
        let mut best: Option<(usize, f64)> = None;
        for (i, c) in self.clusters.iter().enumerate() {
            if c.len() != tokens.len() || c.first() != tokens.first() {
                continue;
            }
            if exact {
                if *c == tokens {
                    return i;
                }
                continue;
            }
            let same = c.iter().zip(&tokens).filter(|(a, b)| a == b || a.as_str() == "<*>").count();
            let sim = same as f64 / tokens.len().max(1) as f64;
            if sim >= SIMILARITY && best.is_none_or(|(_, s)| sim > s) {
                best = Some((i, sim));
            }
        }
        match best {
            Some((i, _)) => {
                if let Some(c) = self.clusters.get_mut(i) {
                    for (a, b) in c.iter_mut().zip(&tokens) {
                        if a != b {
                            *a = "<*>".to_string();
                        }
                    }
                }
                i
            }
            None => {
                self.clusters.push(tokens);
                self.clusters.len() - 1
            }
        }
    }

    /// The template of a cluster.
    pub fn template(&self, i: usize) -> String {
        self.clusters.get(i).map(|c| c.join(" ")).unwrap_or_default()
    }
}

/// A stable short id for a template (FNV-1a, hex).
pub fn template_id(template: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in template.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:012x}", h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_mask_numbers_ids_ips_and_quotes() {
        assert_eq!(
            mask("KeyError: 'session_8812' for user 4711 from 10.0.3.7:5512 req 3f2a9c0d1e"),
            "KeyError: '<*>' for user <*> from <*> req <*>"
        );
        assert_eq!(mask("timeout after 12.5ms"), "timeout after <*>ms");
        assert_eq!(mask("psycopg2.OperationalError: port 5432"), "psycopg2.OperationalError: port <*>");
        assert_eq!(endpoint_of("/api/items/123456/edit?x=1"), "/api/items/<*>/edit");
        assert_eq!(endpoint_of("/login"), "/login");
    }

    #[test]
    fn messages_differing_in_a_bare_word_share_a_template() {
        let mut m = Miner::default();
        let a = m.add(&mask("login failed for alice on node a"));
        let b = m.add(&mask("login failed for bob on node a"));
        let c = m.add(&mask("disk full on /var"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(m.template(a), "login failed for <*> on node a");
        let h1 = m.add("HTTP 500 POST /login");
        let h2 = m.add("HTTP 502 POST /login");
        assert_ne!(h1, h2, "HTTP keys stay exact");
    }

    #[test]
    fn python_traceback_gives_final_line_deepest_files_and_modules() {
        let text = "2026-11-24 11:27:04,112 ERROR [app] Exception on /login [POST]\n\
Traceback (most recent call last):\n\
  File \"/srv/archive/app/views.py\", line 88, in login\n\
    from archive_auth.sessions import SessionStore\n\
  File \"/srv/archive/config/auth_settings.py\", line 12, in <module>\n\
    from archive_auth.tokens import TokenSigner\n\
ImportError: cannot import name 'TokenSigner' from 'archive_auth.tokens' (/srv/archive/archive_auth/tokens.py)";
        let t = parse_trace(text);
        assert!(t.is_trace());
        assert_eq!(t.frames.first().map(String::as_str), Some("/srv/archive/config/auth_settings.py"));
        assert!(t.final_line.as_deref().is_some_and(|l| l.starts_with("ImportError: cannot import")));
        assert!(t.modules.iter().any(|m| m == "archive_auth.sessions"));
        assert!(t.modules.iter().any(|m| m == "archive_auth.tokens"));
        assert_eq!(
            key_for("Exception on /login [POST]", &t),
            "ImportError: cannot import name '<*>' from '<*>' (/srv/archive/archive_auth/tokens.py) @ auth_settings.py < views.py"
        );
    }

    #[test]
    fn java_trace_uses_root_cause_and_its_frames() {
        let text = "2026-01-01 10:00:00 ERROR Request failed\n\
java.lang.IllegalStateException: wrapper\n\
\tat com.foo.web.Controller.handle(Controller.java:10)\n\
Caused by: java.lang.NullPointerException: token was null\n\
\tat com.foo.auth.TokenCache.get(TokenCache.java:42)\n\
\tat com.foo.auth.Login.run(Login.java:7)";
        let t = parse_trace(text);
        assert_eq!(t.final_line.as_deref(), Some("java.lang.NullPointerException: token was null"));
        assert_eq!(t.frames.first().map(String::as_str), Some("TokenCache.java"));
        assert!(t.modules.iter().any(|m| m == "com.foo.auth.TokenCache"));
    }

    #[test]
    fn a_lower_case_python_exception_ends_the_trace() {
        let t = parse_trace("Exception on /search [GET]\nTraceback (most recent call last):\n  File \"/srv/app/clients.py\", line 22, in call\n    return session.get(url)\nsocket.gaierror: [Errno -3] Temporary failure in name resolution");
        assert_eq!(t.final_line.as_deref(), Some("socket.gaierror: [Errno -3] Temporary failure in name resolution"));
    }

    #[test]
    fn a_single_line_message_is_no_trace() {
        assert!(!parse_trace("ERROR db timeout").is_trace());
    }
}
