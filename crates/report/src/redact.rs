//! Masking personal data and secrets before anything leaves the machine.
//!
//! Masks are consistent across the whole export (the same address is `ip-1`
//! in the timeline, the evidence and the CSV) so a reader can still follow
//! one client or one user through the incident without learning who it was.

use crate::rewrite;
use faultline_model::Analysis;
use regex::{Captures, Regex};
use std::collections::{BTreeMap, HashMap};
use std::net::Ipv6Addr;
use std::sync::OnceLock;

/// What a mask stands for; its name is the mask's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    Email,
    Ip,
    User,
    Token,
    Secret,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Ip => "ip",
            Kind::User => "user",
            Kind::Token => "token",
            Kind::Secret => "secret",
        }
    }

    fn noun(self, n: usize) -> &'static str {
        match (self, n == 1) {
            (Kind::Email, true) => "email address",
            (Kind::Email, false) => "email addresses",
            (Kind::Ip, true) => "IP address",
            (Kind::Ip, false) => "IP addresses",
            (Kind::User, true) => "user id",
            (Kind::User, false) => "user ids",
            (Kind::Token, true) => "token",
            (Kind::Token, false) => "tokens",
            (Kind::Secret, true) => "hex secret",
            (Kind::Secret, false) => "hex secrets",
        }
    }
}

struct Patterns {
    jwt: Regex,
    bearer: Regex,
    key_value_secret: Regex,
    vendor_token: Regex,
    email: Regex,
    user: Regex,
    ipv4: Regex,
    ipv6_candidate: Regex,
    long_hex: Regex,
    mask: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        // The patterns are literals checked by the tests; a failure here is a
        // programming error, not bad input.
        let re = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("redaction pattern {s}: {e}"));
        Patterns {
            jwt: re(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"),
            bearer: re(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)"),
            key_value_secret: re(
                r#"(?i)\b(api[_-]?key|access[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|id[_-]?token|session[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd)(["']?\s*[=:]\s*["']?)([^\s"',;&}\])]+)"#,
            ),
            vendor_token: re(
                r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|sk-[A-Za-z0-9_-]{20,}|glpat-[A-Za-z0-9_-]{20,})",
            ),
            email: re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
            user: re(
                r#"(?i)\b(user(?:[_-]?id|[_-]?name)?|uid|customer[_-]?id|account[_-]?id)(["']?\s*[=:]\s*["']?)([^\s"',;&}\])]+)"#,
            ),
            ipv4: re(r"\b(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\b"),
            ipv6_candidate: re(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9.]+)?"),
            long_hex: re(r"\b[0-9A-Fa-f]{32,}\b"),
            mask: re(r"^(?:email|ip|user|token|secret)-[0-9]+$"),
        }
    })
}

/// Replaces sensitive values by stable masks and remembers what it masked.
#[derive(Debug, Default)]
pub(crate) struct Redactor {
    masks: HashMap<(Kind, String), String>,
    counts: BTreeMap<Kind, usize>,
    /// Hashes that are identifiers, not secrets (commit ids, content hashes).
    keep_hex: Vec<String>,
}

impl Redactor {
    /// A redactor that leaves the analysis' own identifiers alone: change ids
    /// (commit hashes), input SHA-256s and signature ids are needed to verify
    /// the report and reveal nothing about users.
    pub(crate) fn for_analysis(a: &Analysis) -> Redactor {
        let mut keep_hex: Vec<String> = Vec::new();
        keep_hex.extend(a.suspects.iter().map(|s| s.change_id.to_ascii_lowercase()));
        keep_hex.extend(a.timeline.iter().filter_map(|t| t.change_id.as_ref()).map(|s| s.to_ascii_lowercase()));
        keep_hex.extend(a.sources.iter().map(|s| s.sha256.to_ascii_lowercase()));
        if let Some(inc) = &a.incident {
            keep_hex.extend(inc.signatures.iter().map(|s| s.id.to_ascii_lowercase()));
        }
        keep_hex.retain(|h| h.len() >= 7);
        Redactor { keep_hex, ..Redactor::default() }
    }

    fn mask(&mut self, kind: Kind, value: &str) -> String {
        if patterns().mask.is_match(value) {
            // Already a mask (the analysis was redacted before): keep it stable.
            return value.to_string();
        }
        let key = (kind, value.to_ascii_lowercase());
        if let Some(m) = self.masks.get(&key) {
            return m.clone();
        }
        let n = self.counts.entry(kind).or_insert(0);
        *n += 1;
        let m = format!("{}-{}", kind.prefix(), n);
        self.masks.insert(key, m.clone());
        m
    }

    /// Masks every sensitive value in `s`.
    pub(crate) fn text(&mut self, s: &str) -> String {
        let p = patterns();
        let s = replace_all(&p.jwt, s, |_| true, |m| self.mask(Kind::Token, m));
        let s = p
            .bearer
            .replace_all(&s, |c: &Captures| format!("{}{}{}", &c[1], &c[2], self.mask(Kind::Token, &c[3])))
            .into_owned();
        let s = p
            .key_value_secret
            .replace_all(&s, |c: &Captures| format!("{}{}{}", &c[1], &c[2], self.mask(Kind::Token, &c[3])))
            .into_owned();
        let s = replace_all(&p.vendor_token, &s, |_| true, |m| self.mask(Kind::Token, m));
        let s = replace_all(&p.email, &s, |_| true, |m| self.mask(Kind::Email, m));
        let s = p
            .user
            .replace_all(&s, |c: &Captures| format!("{}{}{}", &c[1], &c[2], self.mask(Kind::User, &c[3])))
            .into_owned();
        let s = replace_all(&p.ipv4, &s, |ctx| !ctx.dotted_neighbour(), |m| self.mask(Kind::Ip, m));
        let s = replace_all(&p.ipv6_candidate, &s, |ctx| ctx.is_ipv6(), |m| self.mask(Kind::Ip, m));
        let keep = self.keep_hex.clone();
        replace_all(
            &p.long_hex,
            &s,
            |ctx| {
                let h = ctx.matched.to_ascii_lowercase();
                !keep.iter().any(|k| k.starts_with(&h) || h.starts_with(k.as_str()))
            },
            |m| self.mask(Kind::Secret, m),
        )
    }

    /// "2 IP addresses, 1 email address" — what was masked, for the report.
    pub(crate) fn summary(&self) -> String {
        let parts: Vec<String> =
            self.counts.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{n} {}", k.noun(*n))).collect();
        if parts.is_empty() {
            "nothing sensitive was found".into()
        } else {
            parts.join(", ")
        }
    }

    /// Masks every string of an analysis a report can show.
    pub(crate) fn analysis(&mut self, a: &Analysis) -> Analysis {
        rewrite::analysis(self, a)
    }
}

impl rewrite::TextRewrite for Redactor {
    fn text(&mut self, s: &str) -> String {
        Redactor::text(self, s)
    }
}

/// A match and the text around it, for checks the regex crate cannot express
/// (it has no look-around).
struct MatchContext<'a> {
    haystack: &'a str,
    start: usize,
    end: usize,
    matched: &'a str,
}

impl MatchContext<'_> {
    fn before(&self) -> Option<char> {
        self.haystack.get(..self.start).and_then(|s| s.chars().next_back())
    }
    fn after(&self) -> Option<char> {
        self.haystack.get(self.end..).and_then(|s| s.chars().next())
    }
    fn after2(&self) -> Option<char> {
        self.haystack.get(self.end..).and_then(|s| s.chars().nth(1))
    }

    /// `1.2.3.4.5` is a version or an OID, not an address.
    fn dotted_neighbour(&self) -> bool {
        let before_dot = self.before() == Some('.')
            && self
                .haystack
                .get(..self.start.saturating_sub(1))
                .and_then(|s| s.chars().next_back())
                .is_some_and(|c| c.is_ascii_digit());
        let after_dot = self.after() == Some('.') && self.after2().is_some_and(|c| c.is_ascii_digit());
        before_dot || after_dot
    }

    /// A real IPv6 address standing on its own: not `11:20:03`, not a MAC,
    /// not the `d::` of `std::io`.
    fn is_ipv6(&self) -> bool {
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '.');
        if word(self.before()) || word(self.after()) {
            return false;
        }
        let m = self.matched;
        m.chars().any(|c| c.is_ascii_hexdigit()) && m.matches(':').count() >= 2 && m.parse::<Ipv6Addr>().is_ok()
    }
}

fn replace_all(
    re: &Regex,
    haystack: &str,
    accept: impl Fn(&MatchContext) -> bool,
    mut replace: impl FnMut(&str) -> String,
) -> String {
    let mut out = String::with_capacity(haystack.len());
    let mut last = 0;
    for m in re.find_iter(haystack) {
        let ctx = MatchContext { haystack, start: m.start(), end: m.end(), matched: m.as_str() };
        if !accept(&ctx) {
            continue;
        }
        out.push_str(haystack.get(last..m.start()).unwrap_or_default());
        out.push_str(&replace(m.as_str()));
        last = m.end();
    }
    out.push_str(haystack.get(last..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_model::Suspect;

    #[test]
    fn masks_each_kind_and_keeps_masks_stable() {
        let mut r = Redactor::default();
        let a = r.text(
            "login failed for alice@example.com from 203.0.113.7 user_id=4711 Authorization: Bearer abcdef123456789",
        );
        assert!(a.contains("email-1"), "{a}");
        assert!(a.contains("ip-1"), "{a}");
        assert!(a.contains("user_id=user-1"), "{a}");
        assert!(a.contains("Bearer token-1"), "{a}");
        assert!(!a.contains("alice") && !a.contains("203.0.113.7") && !a.contains("4711") && !a.contains("abcdef1234"));
        // The same values later map to the same masks; a new one gets the next number.
        let b = r.text("retry from 203.0.113.7 and 198.51.100.2 by ALICE@example.com");
        assert_eq!(b, "retry from ip-1 and ip-2 by email-1");
        assert_eq!(r.summary(), "1 email address, 2 IP addresses, 1 user id, 1 token");
    }

    #[test]
    fn ipv6_and_secrets_without_eating_times_versions_or_paths() {
        let mut r = Redactor::default();
        let s = r.text("11:20:03 std::io error v1.2.3.4.5 from 2001:db8::1 [fe80::1]:443 mac 00:1a:2b:3c:4d:5e");
        assert_eq!(s, "11:20:03 std::io error v1.2.3.4.5 from ip-1 [ip-2]:443 mac 00:1a:2b:3c:4d:5e");
        let t = r.text("api_key=sk-live-xyz password: hunter2 key 0123456789abcdef0123456789abcdef");
        assert_eq!(t, "api_key=token-1 password: token-2 key secret-1");
        // Already-masked text is left as is (redacting twice is harmless).
        assert_eq!(r.text("user=user-9 ip-3"), "user=user-9 ip-3");
    }

    #[test]
    fn identifiers_of_the_analysis_survive() {
        let commit = "3f9c2a1b7d4e5f60718293a4b5c6d7e8f9a0b1c2";
        let a = Analysis {
            suspects: vec![Suspect {
                change_id: commit.into(),
                score: 0.9,
                summary: format!("commit {commit} by bob@example.com"),
                time: chrono::DateTime::UNIX_EPOCH,
                evidence: vec![],
                factors: Default::default(),
                citations: vec![],
                ranked_lower_because: None,
                service: None,
                author: Some("bob@example.com".into()),
                files: vec![],
                message: String::new(),
                verdict: Default::default(),
                explanation: vec![],
                ranked_below: None,
            }],
            ..Analysis::default()
        };
        let red = Redactor::for_analysis(&a).analysis(&a);
        let s = red.suspects.first().map(|s| s.summary.clone()).unwrap_or_default();
        assert_eq!(s, format!("commit {commit} by email-1"));
        assert_eq!(red.suspects.first().and_then(|s| s.author.clone()).as_deref(), Some("email-1"));
    }
}
