//! Masking personal data and secrets before anything leaves the machine.
//!
//! Masks are consistent across the whole export (the same address is `ip-1`
//! in the timeline, the evidence and the CSV) so a reader can still follow
//! one client or one user through the incident without learning who it was.

use crate::rewrite;
use faultline_model::Analysis;
use regex::Regex;
use std::collections::{BTreeMap, HashMap};
use std::net::Ipv6Addr;
use std::sync::OnceLock;

/// What a mask stands for; its name is the mask's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    /// `alice@example.com`.
    Email,
    /// IPv4 and IPv6 addresses.
    Ip,
    /// `user_id=4711`, `/users/48213/`.
    User,
    /// `password=`, `db_password:`, the password of `postgres://admin:hunter2@db`.
    Password,
    /// API keys and tokens: `api_key=`, `x_api_key=`, `Authorization:` values, vendor tokens.
    Token,
    /// `Cookie:` and `Set-Cookie:` header values.
    Cookie,
    /// JSON Web Tokens (`eyJ….….…`).
    Jwt,
    /// Cloud access key ids (`AKIA…`, temporary `ASIA…`) and private key blocks.
    Key,
    /// Long hex strings that are not the analysis's own identifiers.
    Secret,
}

impl SecretKind {
    /// Every kind, in report order.
    pub const ALL: [SecretKind; 9] = [
        SecretKind::Email,
        SecretKind::Ip,
        SecretKind::User,
        SecretKind::Password,
        SecretKind::Token,
        SecretKind::Cookie,
        SecretKind::Jwt,
        SecretKind::Key,
        SecretKind::Secret,
    ];

    /// The mask's prefix (`ip` in `ip-1`).
    pub fn prefix(self) -> &'static str {
        match self {
            SecretKind::Email => "email",
            SecretKind::Ip => "ip",
            SecretKind::User => "user",
            SecretKind::Password => "password",
            SecretKind::Token => "token",
            SecretKind::Cookie => "cookie",
            SecretKind::Jwt => "jwt",
            SecretKind::Key => "key",
            SecretKind::Secret => "secret",
        }
    }

    /// What it is called in the report: "2 passwords".
    pub fn noun(self, n: usize) -> &'static str {
        let (one, many) = match self {
            SecretKind::Email => ("email address", "email addresses"),
            SecretKind::Ip => ("IP address", "IP addresses"),
            SecretKind::User => ("user id", "user ids"),
            SecretKind::Password => ("password", "passwords"),
            SecretKind::Token => ("token", "tokens"),
            SecretKind::Cookie => ("cookie", "cookies"),
            SecretKind::Jwt => ("JWT", "JWTs"),
            SecretKind::Key => ("access key", "access keys"),
            SecretKind::Secret => ("hex secret", "hex secrets"),
        };
        if n == 1 {
            one
        } else {
            many
        }
    }
}

use SecretKind as Kind;

/// The value part of `key = value`: quoted (to the closing quote) or bare.
const VALUE: &str = r#"(?:"[^"\r\n]*"|'[^'\r\n]*'|[^\s"',;&}\])]+)"#;

struct Patterns {
    private_key: Regex,
    jwt: Regex,
    auth_header: Regex,
    cookie_header: Regex,
    bearer: Regex,
    url_password: Regex,
    password_value: Regex,
    token_value: Regex,
    cloud_key: Regex,
    vendor_token: Regex,
    email: Regex,
    user: Regex,
    user_path: Regex,
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
        // Key names are matched inside longer names (`db_password`,
        // `aws_secret_access_key`, `x_api_key`): `\b` does not fire after `_`.
        let key = |names: &str| {
            format!(r#"(?i)([A-Za-z0-9_.-]*(?:{names})[A-Za-z0-9_.-]*)(["']?\s*[=:]\s*)({VALUE})"#)
        };
        Patterns {
            private_key: re(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"),
            jwt: re(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
            auth_header: re(
                r#"(?i)((?:proxy-)?authorization|x-(?:api|auth)-(?:key|token)|api-key)(["']?\s*[:=]\s*["']?)((?:(?:bearer|basic|token|digest|negotiate|aws4-hmac-sha256)\s+)?)([^\r\n"']+)"#,
            ),
            cookie_header: re(r#"(?i)\b((?:set-)?cookie)(["']?\s*[:=]\s*["']?)([^\r\n"']+)"#),
            bearer: re(r#"(?i)\b(bearer|basic)(\s+)([^\s"',;]{8,})"#),
            url_password: re(r"(?i)\b([a-z][a-z0-9+.-]*://)([^:/?#@\s]*):([^@/?#\s]+)@"),
            password_value: re(&key("password|passwd|passphrase|pwd")),
            token_value: re(&key(
                "api[_-]?key|access[_-]?key|secret|token|credential|private[_-]?key|signature|session[_-]?id|sessionid",
            )),
            cloud_key: re(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\b"),
            vendor_token: re(
                r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprse]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|glpat-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36})",
            ),
            email: re(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
            user: re(&format!(
                r#"(?i)([A-Za-z0-9_.-]*(?:user(?:[_-]?id|[_-]?name)?|uid|customer[_-]?id|account[_-]?id))(["']?\s*[=:]\s*)({VALUE})"#
            )),
            user_path: re(r"(?i)(/(?:users?|accounts?|customers?|members?|profiles?)/)([^/\s?#\x22'<>]+)"),
            ipv4: re(r"\b(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\b"),
            ipv6_candidate: re(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?:%[0-9A-Za-z_.-]+)?"),
            long_hex: re(r"\b[0-9A-Fa-f]{32,}\b"),
            mask: re(r"^(?:email|ip|user|password|token|cookie|jwt|key|secret)-[0-9]+$"),
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

    /// Masks every sensitive value in `s`. A mask can touch the text around
    /// it (`Bearer abc@example.com10x`) and form a new match with it, so the
    /// passes run again until nothing changes: what comes out has nothing
    /// left that a pattern would mask. Each round masks at least one more
    /// unmasked character, so this ends; four rounds cover what was seen.
    pub(crate) fn text(&mut self, s: &str) -> String {
        let mut out = self.text_once(s);
        for _ in 0..3 {
            let again = self.text_once(&out);
            if again == out {
                break;
            }
            out = again;
        }
        out
    }

    fn text_once(&mut self, s: &str) -> String {
        let p = patterns();
        let s = replace_all(&p.private_key, s, |_| true, |m| self.mask(Kind::Key, m));
        let s = replace_all(&p.jwt, &s, |_| true, |m| self.mask(Kind::Jwt, m));
        // Header values run to the end of the line (or the quote that ends a quoted header).
        let s = self.replace_captured(&p.auth_header, &s, 4, Kind::Token);
        let s = self.replace_captured(&p.cookie_header, &s, 3, Kind::Cookie);
        let s = self.replace_captured(&p.bearer, &s, 3, Kind::Token);
        let s = self.replace_captured(&p.url_password, &s, 3, Kind::Password);
        let s = self.replace_captured(&p.password_value, &s, 3, Kind::Password);
        let s = self.replace_captured(&p.token_value, &s, 3, Kind::Token);
        let s = replace_all(&p.cloud_key, &s, |_| true, |m| self.mask(Kind::Key, m));
        let s = replace_all(&p.vendor_token, &s, |_| true, |m| self.mask(Kind::Token, m));
        let s = replace_all(&p.email, &s, |_| true, |m| self.mask(Kind::Email, m));
        let s = self.replace_captured(&p.user, &s, 3, Kind::User);
        let s = self.replace_captured(&p.user_path, &s, 2, Kind::User);
        // IPv6 before IPv4: `::ffff:192.0.2.1` is one address.
        let s = self.replace_ipv6(&s);
        let s = replace_all(&p.ipv4, &s, |ctx| !ctx.dotted_neighbour(), |m| self.mask(Kind::Ip, m));
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

    /// Masks capture group `group` of every match of `re` whose start is not
    /// inside a word (`xuser=` is not `user=`). A quoted value keeps its
    /// quotes; an empty one is left alone.
    fn replace_captured(&mut self, re: &Regex, s: &str, group: usize, kind: Kind) -> String {
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for c in re.captures_iter(s) {
            let (Some(whole), Some(value)) = (c.get(0), c.get(group)) else { continue };
            let before = s.get(..whole.start()).and_then(|b| b.chars().next_back());
            let starts_a_word = whole.as_str().starts_with(|c: char| c.is_alphanumeric() || c == '_');
            if starts_a_word && word_char(before) {
                continue;
            }
            let raw = value.as_str();
            let (open, inner, close) = match raw.as_bytes().first() {
                Some(q @ (b'"' | b'\'')) if raw.len() >= 2 && raw.as_bytes().last() == Some(q) => (
                    raw.get(..1).unwrap_or(""),
                    raw.get(1..raw.len() - 1).unwrap_or(""),
                    raw.get(raw.len() - 1..).unwrap_or(""),
                ),
                _ => ("", raw, ""),
            };
            let inner_trimmed = inner.trim_end();
            if inner_trimmed.is_empty() {
                continue;
            }
            let trailing = inner.get(inner_trimmed.len()..).unwrap_or("");
            out.push_str(s.get(last..value.start()).unwrap_or_default());
            out.push_str(open);
            out.push_str(&self.mask(kind, inner_trimmed));
            out.push_str(trailing);
            out.push_str(close);
            last = value.end();
        }
        out.push_str(s.get(last..).unwrap_or_default());
        out
    }

    /// IPv6 literals standing on their own (`2001:db8::1`, `[fe80::1%eth0]:443`,
    /// `ip:2001:db8::1.`), not times (`11:20:03`), MACs or `std::io`.
    fn replace_ipv6(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for m in patterns().ipv6_candidate.find_iter(s) {
            let (mut a, mut b) = (m.start(), m.end());
            let at = |i: usize| s.as_bytes().get(i).copied();
            while b > a && at(b - 1) == Some(b'.') {
                b -= 1;
            }
            // A single leading or trailing colon is punctuation (`ip:…`, `…: refused`).
            if b > a + 1 && at(a) == Some(b':') && at(a + 1) != Some(b':') {
                a += 1;
            }
            if b > a + 1 && at(b - 1) == Some(b':') && at(b - 2) != Some(b':') {
                b -= 1;
            }
            let Some(candidate) = s.get(a..b) else { continue };
            let addr = candidate.split('%').next().unwrap_or(candidate);
            let before = s.get(..a).and_then(|x| x.chars().next_back());
            let after = s.get(b..).and_then(|x| x.chars().next());
            let is_addr = addr.chars().any(|c| c.is_ascii_hexdigit())
                && addr.matches(':').count() >= 2
                && addr.parse::<Ipv6Addr>().is_ok();
            if !is_addr || word_char(before) || word_char(after) {
                continue;
            }
            out.push_str(s.get(last..a).unwrap_or_default());
            out.push_str(&self.mask(Kind::Ip, candidate));
            last = b;
        }
        out.push_str(s.get(last..).unwrap_or_default());
        out
    }

    /// How many distinct values of each kind were masked, in report order.
    pub(crate) fn counts(&self) -> Vec<(Kind, usize)> {
        Kind::ALL.iter().filter_map(|k| self.counts.get(k).filter(|n| **n > 0).map(|n| (*k, *n))).collect()
    }

    /// "2 IP addresses, 1 email address" — what was masked, for the report.
    pub(crate) fn summary(&self) -> String {
        let parts: Vec<String> = self.counts().iter().map(|(k, n)| format!("{n} {}", k.noun(*n))).collect();
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
}

fn word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
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
        assert_eq!(t, "api_key=token-1 password: password-1 key secret-1");
        // Already-masked text is left as is (redacting twice is harmless).
        assert_eq!(r.text("user=user-9 ip-3"), "user=user-9 ip-3");
    }

    /// One secret form per case: the input, and what must not survive.
    fn masks(input: &str, secret: &str, kind: &str) {
        let mut r = Redactor::default();
        let out = r.text(input);
        assert!(!out.contains(secret), "{secret:?} survived in {out:?}");
        assert!(out.contains(&format!("{kind}-1")), "{kind} mask expected in {out:?}");
    }

    #[test]
    fn key_names_inside_longer_names() {
        masks("connect failed db_password=hunter2 retrying", "hunter2", "password");
        masks("DB_PASSWORD: 's3cr3t pass'", "s3cr3t pass", "password");
        masks("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "token");
        masks("GET /v1/items?x_api_key=abc123def456&page=2", "abc123def456", "token");
        masks(r#"{"client_secret": "c2VjcmV0IHZhbHVl"}"#, "c2VjcmV0IHZhbHVl", "token");
    }

    #[test]
    fn headers() {
        masks("Cookie: session=8f14e45fceea167a; theme=dark", "8f14e45fceea167a", "cookie");
        masks("< Set-Cookie: sid=Zm9vYmFy; Path=/; HttpOnly", "Zm9vYmFy", "cookie");
        masks("Authorization: Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl", "token");
        masks(r#""authorization":"Token 9f86d081884c7d65""#, "9f86d081884c7d65", "token");
        masks("X-Api-Key: live_4242", "live_4242", "token");
    }

    #[test]
    fn jwts_cloud_keys_and_vendor_tokens() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MjQyIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        masks(&format!("jwt={jwt}"), jwt, "jwt");
        masks(&format!("upstream sent {jwt} back"), jwt, "jwt");
        masks(&format!("session_{jwt}"), "dBjftJeZ4CVP", "jwt");
        masks("using key ASIAY34FZKBOKMUTVV7A for the session", "ASIAY34FZKBOKMUTVV7A", "key");
        masks("using key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "key");
        masks(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "MIIEpAIBAAKCAQEA",
            "key",
        );
        masks("token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "ghp_aBcDeFgHiJ", "token");
        masks("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39", "token");
    }

    #[test]
    fn passwords_in_connection_strings() {
        masks("dial postgres://admin:hunter2@db:5432/app failed", "hunter2", "password");
        masks("redis://:s3cret@cache:6379/0", "s3cret", "password");
        masks("amqp://guest:guest%21pw@mq/", "guest%21pw", "password");
    }

    #[test]
    fn user_ids_in_url_paths() {
        masks("GET /api/users/48213/orders HTTP/1.1", "48213", "user");
        masks("PUT /accounts/acme-corp HTTP/1.1", "acme-corp", "user");
    }

    #[test]
    fn ipv6_where_it_hides() {
        masks("client ip:2001:db8::1 refused", "2001:db8::1", "ip");
        masks("connection from 2001:db8:85a3::8a2e:370:7334.", "2001:db8:85a3::8a2e:370:7334", "ip");
        masks("peer [fe80::1%eth0]:443 reset", "fe80::1", "ip");
        masks("mapped ::ffff:192.0.2.1 seen", "192.0.2.1", "ip");
        masks("peer=2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:0db8", "ip");
    }

    #[test]
    fn keeps_what_is_not_a_secret() {
        let mut r = Redactor::default();
        let line = "2026-11-24T11:20:03.120Z user_agent=curl/8.0 path=/v1/health tokens_per_s latency 12:30:45 v2.4.1";
        let out = r.text(line);
        assert!(out.contains("11:20:03.120Z") && out.contains("12:30:45") && out.contains("v2.4.1"), "{out}");
        assert!(out.contains("user_agent=curl/8.0"), "{out}");
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

    /// Found by the `redact` fuzz target: redacting twice must mask nothing new.
    #[test]
    fn a_second_pass_finds_nothing_new() {
        let line = "usbr alice@exord=hunter2 Authkrization: Bearer abc.derd=hunter2 Authkrization: f";
        let other = String::from_utf8_lossy(b"user aliGET /users/4\x85213/orders?x_api_key\xd7k3y Cook duser :1 com\x1fr10Authorization: Bearer abc.dalice@example.com10Authorization: Bearemr ab").into_owned();
        for text in [line.to_string(), line.to_uppercase(), other.clone(), other.to_uppercase()] {
            let once = Redactor::default().text(&text);
            let mut again = Redactor::default();
            let twice = again.text(&once);
            assert_eq!(once, twice, "{text:?}");
            assert!(again.counts().is_empty(), "{once:?} -> {twice:?}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Text around a secret that holds none itself: no hex runs, no `@`, `:` or `=`.
        fn noise() -> impl Strategy<Value = String> {
            "[g-z ,;()!]{0,24}"
        }

        /// One secret of each form the redactor promises to mask, with the part that must go.
        fn secret() -> impl Strategy<Value = (String, String)> {
            let word = "[A-Za-z0-9]{6,16}";
            prop_oneof![
                (word, "[a-z]{2,8}").prop_map(|(v, k)| (format!("{k}_password={v}"), v)),
                (word, "[a-z]{2,8}").prop_map(|(v, k)| (format!("{k}_secret_access_key: {v}"), v)),
                word.prop_map(|v| (format!("x_api_key={v}"), v)),
                word.prop_map(|v| (format!("Authorization: Bearer {v}"), v)),
                word.prop_map(|v| (format!("Cookie: sid={v}"), v)),
                ("[A-Za-z0-9]{8,20}", "[A-Za-z0-9]{8,20}", "[A-Za-z0-9_-]{8,30}").prop_map(|(a, b, c)| {
                    let j = format!("eyJ{a}.{b}.{c}");
                    (j.clone(), j)
                }),
                "[A-Z0-9]{16}".prop_map(|v| {
                    let k = format!("ASIA{v}");
                    (k.clone(), k)
                }),
                ("[a-z]{3,8}", word).prop_map(|(u, v)| (format!("postgres://{u}:{v}@db:5432/app"), v)),
                "[1-9][0-9]{3,7}".prop_map(|v| (format!("/users/{v}/orders"), v)),
                "[a-z]{3,8}".prop_map(|v| {
                    let e = format!("{v}@example.com");
                    (e.clone(), e)
                }),
                (0u8..=255, 0u8..=255, 1u8..=254).prop_map(|(a, b, c)| {
                    let ip = format!("10.{a}.{b}.{c}");
                    (ip.clone(), ip)
                }),
                (1u16..0xffff, 1u16..0xffff).prop_map(|(a, b)| {
                    let ip = format!("2001:db8:{a:x}::{b:x}");
                    (ip.clone(), ip)
                }),
            ]
        }

        proptest! {
            #[test]
            fn no_secret_survives(before in noise(), (text, value) in secret(), after in noise()) {
                let line = format!("{before} {text} {after}");
                let out = Redactor::default().text(&line);
                prop_assert!(!out.contains(&value), "{value:?} survived: {out:?}");
            }

            /// Nothing in a redacted text matches a secret pattern any more:
            /// redacting it again masks nothing new.
            #[test]
            fn redacted_text_has_nothing_left_to_mask(s in "[a-zA-Z0-9:._@/=\" ';-]{0,80}") {
                let once = Redactor::default().text(&s);
                let mut again = Redactor::default();
                let twice = again.text(&once);
                prop_assert!(again.counts().is_empty(), "{s:?} -> {once:?} -> {twice:?}");
            }
        }
    }
}
