//! Ranking changes as root-cause suspects.
//!
//! Four visible factors, each in [0, 1]:
//! - **time**: `1 / (1 + minutes_before_onset / 30)`;
//! - **overlap**: noisy-or of the strongest matches between what the change
//!   touched (files, modules, classes, config keys, hosts named in its
//!   message) and the incident's fingerprint (stack-trace frames — the
//!   deepest weigh most —, final exception lines, modules, endpoints);
//! - **recovery**: a later revert/fix of the same change, files or service,
//!   weighted by how closely it precedes the recovery;
//! - **scope**: the change's service against the failing services.
//!
//! `score = 0.10·time + 0.45·overlap + 0.30·recovery + 0.15·scope`. Overlap
//! dominates so a latent change whose file is in every traceback beats a
//! harmless deploy minutes before the onset; time and scope alone (0.25)
//! can never name a change, and a revert that ends the errors (an intervention)
//! outweighs mere proximity. A change made after the onset cannot be the
//! cause: its score is capped at 0.25.

use crate::events::{cap, ErrorEvent};
use crate::incident::Detected;
use crate::signature::basename;
use faultline_model::{CaseData, Change, Citation, Incident, Located, Suspect, SuspectFactors};
use regex::Regex;
use std::sync::OnceLock;

/// Weights of the factors.
pub const W_TIME: f64 = 0.10;
/// Weight of overlap.
pub const W_OVERLAP: f64 = 0.45;
/// Weight of recovery.
pub const W_RECOVERY: f64 = 0.30;
/// Weight of scope.
pub const W_SCOPE: f64 = 0.15;
/// Score from which a suspect is named the likely root cause.
pub const NAMED: f64 = 0.5;
/// Clock skew tolerated between a change record and the logs.
const GRACE_S: i64 = 30;
/// Cap on the score of a change made after the onset.
const AFTER_ONSET_CAP: f64 = 0.25;

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

/// The change's citation.
pub fn cite_change(c: &Located<Change>) -> Citation {
    let summary = c.event.message.lines().next().unwrap_or("");
    Citation {
        file: c.file.clone(),
        line: c.event.span.line,
        offset: c.event.span.offset,
        text: cap(&format!("{} {}", c.event.id, summary), 300),
    }
}

fn is_library(path: &str) -> bool {
    ["site-packages", "dist-packages", "/lib/python", "/usr/lib/", "node_modules", "/jdk", "java.base"]
        .iter()
        .any(|m| path.contains(m))
}

fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect()
}

/// Trailing path components two paths share.
fn common_suffix(a: &str, b: &str) -> usize {
    components(a).iter().rev().zip(components(b).iter().rev()).take_while(|(x, y)| x == y).count()
}

/// Dotted module names a source file may be imported or named as.
fn dotted_names(file: &str) -> Vec<String> {
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

fn contains_word(hay: &str, needle: &str) -> bool {
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

/// How strongly one error names a changed file (0 = not at all).
fn file_strength(file: &str, e: &ErrorEvent, text: &str) -> f64 {
    let base = basename(file);
    let generic = GENERIC_FILES.contains(&base);
    let n_comps = components(file).len();
    let mut best: f64 = 0.0;
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
            best = best.max(if full { by_depth } else { by_depth * 0.7 });
        }
    }
    let final_line = e.trace().final_line.as_deref().unwrap_or("");
    for d in dotted_names(file) {
        if contains_word(final_line, &d) {
            best = best.max(0.85);
        } else if e.trace().modules.iter().any(|m| m == &d || m.ends_with(&format!(".{d}"))) {
            best = best.max(0.6);
        }
    }
    if !generic && base.contains('.') && best == 0.0 {
        let first = text.lines().next().unwrap_or("");
        if contains_word(first, base) || contains_word(final_line, base) {
            best = 0.7;
        }
    }
    best
}

fn identifiers(message: &str) -> Vec<String> {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = R.get_or_init(|| {
        Regex::new(r"\b(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
            .unwrap_or_else(|e| panic!("identifier pattern: {e}"))
    });
    let mut out: Vec<String> = Vec::new();
    for m in r.find_iter(message) {
        let s = m.as_str();
        if s.len() >= 5 && !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    out
}

struct Match {
    label: String,
    strength: f64,
    count: usize,
    traces: bool,
    first: Option<usize>,
}

fn norm(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (norm(a), norm(b));
    a.len() >= 3 && b.len() >= 3 && (a == b || a.contains(&b) || b.contains(&a))
}

struct Ctx<'a> {
    events: &'a [ErrorEvent],
    /// Indices of the events the fingerprint is made of.
    fingerprint: Vec<usize>,
    services: Vec<String>,
    endpoints: Vec<String>,
    onset: i64,
    recovered: Option<i64>,
    end_bound: i64,
}

impl Ctx<'_> {
    fn cite(&self, event: usize) -> Option<Citation> {
        self.events.get(event).map(ErrorEvent::cite)
    }

    fn overlap(&self, c: &Change) -> Vec<Match> {
        let mut out = Vec::new();
        let mut scan = |label: String, f: &dyn Fn(&ErrorEvent, &str) -> f64| {
            let mut m = Match { label, strength: 0.0, count: 0, traces: true, first: None };
            for &i in &self.fingerprint {
                let Some(e) = self.events.get(i) else { continue };
                let s = f(e, &e.text);
                if s > 0.0 {
                    m.strength = m.strength.max(s);
                    m.count += e.count as usize;
                    m.traces &= e.trace().is_trace();
                    m.first.get_or_insert(i);
                }
            }
            if m.count > 0 {
                out.push(m);
            }
        };
        for file in &c.files {
            scan(format!("`{file}`"), &|e, t| file_strength(file, e, t));
        }
        let file_words: Vec<String> = c.files.iter().flat_map(|f| dotted_names(f)).collect();
        for id in identifiers(&c.message) {
            if file_words.iter().any(|w| w == &id) || c.files.iter().any(|f| basename(f) == id) {
                continue;
            }
            scan(format!("`{id}`"), &|e, t| {
                if contains_word(t, &id) || e.trace().modules.iter().any(|m| m == &id) {
                    0.5
                } else {
                    0.0
                }
            });
        }
        for word in c.message.split(|ch: char| !(ch.is_alphanumeric() || ch == '-' || ch == '.' || ch == '_')) {
            if word.len() >= 4
                && self.services.iter().any(|s| s.eq_ignore_ascii_case(word))
                && c.service.as_deref().is_none_or(|s| !s.eq_ignore_ascii_case(word))
            {
                let w = word.to_string();
                scan(format!("host `{w}`"), &|e, _| {
                    if e.host.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(&w)) {
                        0.4
                    } else {
                        0.0
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
                scan(format!("`{file}` (endpoint)"), &|e, _| {
                    if e.endpoint.as_deref().is_some_and(|ep| ep.split('/').any(|seg| seg.eq_ignore_ascii_case(&stem)))
                    {
                        0.3
                    } else {
                        0.0
                    }
                });
            }
        }
        out.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(b.count.cmp(&a.count)));
        out
    }

    fn scope(&self, c: &Change) -> f64 {
        match c.service.as_deref() {
            Some(s) => {
                if self.services.iter().any(|f| same_name(f, s)) {
                    1.0
                } else {
                    0.1
                }
            }
            None => {
                let named = c
                    .files
                    .iter()
                    .flat_map(|f| components(f))
                    .any(|comp| self.services.iter().any(|s| norm(s) == norm(comp) && norm(s).len() >= 3));
                if named {
                    0.8
                } else {
                    0.5
                }
            }
        }
    }
}

fn is_revert(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("revert") || m.contains("rollback") || m.contains("roll back") || m.contains("rolled back")
}

fn is_fix(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    ["fix", "hotfix", "patch", "restore", "repair"].iter().any(|w| m.contains(w))
}

/// How strongly `later` undoes or fixes `c` (0 = not at all), and why.
pub fn undo_strength(c: &Change, later: &Change) -> (f64, &'static str) {
    let summary = c.message.lines().next().unwrap_or("").trim();
    let names_it = (c.id.len() >= 7 && later.message.contains(c.id.get(..7).unwrap_or(&c.id)))
        || (summary.len() >= 8 && later.message.to_lowercase().contains(&summary.to_lowercase()));
    let same_files = c.files.iter().any(|f| later.files.iter().any(|g| common_suffix(f, g) >= 2 || (f == g)));
    let same_service = matches!((&c.service, &later.service), (Some(a), Some(b)) if same_name(a, b));
    if is_revert(&later.message) {
        if names_it {
            return (1.0, "reverts it");
        }
        if same_files {
            return (0.9, "reverts its files");
        }
        if same_service && later.files.is_empty() {
            return (0.5, "rolls back its service");
        }
    }
    if names_it {
        return (0.8, "names it");
    }
    if same_files {
        return (0.7, "changes the same files");
    }
    if same_service && is_fix(&later.message) {
        return (0.3, "fixes its service");
    }
    (0.0, "")
}

/// How well a fix at `t` lines up with the recovery: full within five
/// minutes before it, fading over ten more; a fix after recovery is weak.
fn alignment(t: i64, recovered: Option<i64>) -> f64 {
    match recovered {
        None => 0.0,
        Some(r) if t <= r + 120 => (-(((r - t - 300).max(0)) as f64) / 600.0).exp(),
        Some(_) => 0.1,
    }
}

fn fmt_dur(s: i64) -> String {
    let a = s.abs();
    if a < 120 {
        format!("{a} s")
    } else if a < 7200 {
        format!("{} min", a / 60)
    } else {
        format!("{} h {} min", a / 3600, (a % 3600) / 60)
    }
}

/// Ranks every change in the lookback window before the onset and during the incident.
pub fn rank(
    case: &CaseData,
    events: &[ErrorEvent],
    d: &Detected,
    incident: &Incident,
    lookback: chrono::Duration,
) -> Vec<Suspect> {
    let onset = incident.onset.timestamp();
    let recovered = incident.recovered.map(|r| r.timestamp());
    let members: Vec<usize> = (0..events.len()).filter(|&i| d.member.get(i).copied().unwrap_or(false)).collect();
    let new_members: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| events.get(i).is_some_and(|e| d.new_clusters.contains(&e.cluster)))
        .collect();
    let end_bound = recovered.map_or(d.data_end, |r| r + 600);
    let ctx = Ctx {
        events,
        fingerprint: if new_members.is_empty() { members } else { new_members },
        services: incident.services.clone(),
        endpoints: incident.endpoints.clone(),
        onset,
        recovered,
        end_bound,
    };
    let from = onset - lookback.num_seconds();
    let mut out: Vec<Suspect> = Vec::new();
    for (ci, lc) in case.changes.iter().enumerate() {
        let c = &lc.event;
        let t = c.time.timestamp();
        if t < from || t > ctx.end_bound {
            continue;
        }
        let after = t > ctx.onset + GRACE_S;
        let before_s = ctx.onset - t;
        let time = if after { 0.0 } else { 1.0 / (1.0 + (before_s.max(0) as f64) / 1800.0) };
        let matches = ctx.overlap(c);
        let overlap = 1.0 - matches.iter().map(|m| 1.0 - m.strength).product::<f64>();
        let mut recovery = 0.0;
        let mut undo: Option<(usize, f64, &'static str)> = None;
        if !after {
            for (li, ll) in case.changes.iter().enumerate().skip(ci + 1) {
                let lt = ll.event.time.timestamp();
                if lt <= t || lt < ctx.onset - GRACE_S || lt > ctx.end_bound {
                    continue;
                }
                let (s, why) = undo_strength(c, &ll.event);
                let v = s * alignment(lt, ctx.recovered);
                if v > recovery {
                    recovery = v;
                    undo = Some((li, v, why));
                }
            }
        }
        let scope = ctx.scope(c);
        let mut score = W_TIME * time + W_OVERLAP * overlap + W_RECOVERY * recovery + W_SCOPE * scope;
        if after {
            score = score.min(AFTER_ONSET_CAP);
        }
        let mut evidence = Vec::new();
        let mut citations = vec![cite_change(lc)];
        let verb = if c.files.is_empty() { "named by this change" } else { "changed by this change" };
        for m in matches.iter().take(5) {
            let first = m.first.and_then(|i| ctx.cite(i));
            let what = if m.traces { "tracebacks" } else { "incident errors" };
            evidence.push(format!(
                "{}, {}, appears in {} {} (first: {})",
                m.label,
                verb,
                m.count,
                what,
                first.as_ref().map_or_else(|| "?".to_string(), Citation::location)
            ));
            citations.extend(first);
        }
        if after {
            evidence.push(format!("made {} after the onset ({})", fmt_dur(t - ctx.onset), cite_change(lc).location()));
        } else {
            evidence.push(format!(
                "made {} before the onset (onset: {})",
                fmt_dur(before_s),
                incident.onset_citation.location()
            ));
        }
        if let Some((li, _, why)) = undo {
            if let Some(ll) = case.changes.get(li) {
                let cit = cite_change(ll);
                let to_rec = ctx.recovered.map_or_else(String::new, |r| {
                    format!(", {} before recovery", fmt_dur(r - ll.event.time.timestamp()))
                });
                evidence.push(format!("`{}` {} ({}{})", ll.event.id, why, cit.location(), to_rec));
                citations.push(cit);
            }
        }
        if let Some(s) = &c.service {
            evidence.push(format!(
                "service `{s}` {} the failing services ({})",
                if scope >= 1.0 { "is among" } else { "is not among" },
                ctx.services.join(", ")
            ));
        }
        let summary_line = c.message.lines().next().unwrap_or("").trim();
        let mut reasons: Vec<&str> = Vec::new();
        if overlap >= 0.5 {
            reasons.push("touches what the errors name");
        }
        if recovery >= 0.3 {
            reasons.push("its undo lines up with recovery");
        }
        if after {
            reasons.push("made after the onset (a fix, not a cause)");
        }
        let summary = format!(
            "{}{}: {}{}",
            summary_line,
            c.service.as_deref().map_or_else(String::new, |s| format!(" ({s})")),
            if after {
                format!("{} after onset", fmt_dur(t - ctx.onset))
            } else {
                format!("{} before onset", fmt_dur(before_s))
            },
            if reasons.is_empty() { String::new() } else { format!("; {}", reasons.join(", ")) }
        );
        out.push(Suspect {
            change_id: c.id.clone(),
            score: (score * 1000.0).round() / 1000.0,
            summary,
            time: c.time,
            evidence,
            factors: SuspectFactors {
                time: round3(time),
                overlap: round3(overlap),
                recovery: round3(recovery),
                scope: round3(scope),
            },
            citations,
            ranked_lower_because: None,
            service: c.service.clone(),
            author: c.author.clone(),
            files: c.files.clone(),
            message: c.message.clone(),
        });
    }
    out.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then((a.time.timestamp() - onset).abs().cmp(&(b.time.timestamp() - onset).abs()))
    });
    explain_ranks(&mut out, onset);
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn explain_ranks(out: &mut [Suspect], onset: i64) {
    let Some(top) = out.first().cloned() else { return };
    for s in out.iter_mut().skip(1) {
        let mut why: Vec<String> = Vec::new();
        if s.time.timestamp() > onset + GRACE_S {
            why.push("it was made after the onset, so it cannot be the cause".into());
        }
        if s.factors.overlap + 0.1 < top.factors.overlap {
            why.push(if s.factors.overlap == 0.0 {
                "none of its files, modules or keys appear in the incident's errors".into()
            } else {
                format!(
                    "weaker overlap with the incident's errors ({:.2} vs {:.2})",
                    s.factors.overlap, top.factors.overlap
                )
            });
        }
        if s.factors.recovery + 0.1 < top.factors.recovery {
            why.push("no revert or fix of it lines up with the recovery".into());
        }
        if s.factors.scope + 0.1 < top.factors.scope {
            why.push("its service is not among the failing ones".into());
        }
        if s.factors.time + 0.1 < top.factors.time && s.time.timestamp() <= onset {
            why.push(format!("it is further from the onset ({})", fmt_dur(onset - s.time.timestamp())));
        }
        if why.is_empty() {
            why.push(format!("slightly lower combined score ({:.2} vs {:.2})", s.score, top.score));
        }
        s.ranked_lower_because = Some(format!("Ranked below {}: {}.", top.change_id, why.join("; ")));
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
    fn a_revert_naming_the_commit_undoes_it() {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap_or_default();
        let mk = |id: &str, msg: &str, files: &[&str]| Change {
            service: Some("portal".into()),
            files: files.iter().map(|s| s.to_string()).collect(),
            ..Change::new(id, t, msg)
        };
        let c = mk("a1b2c3d4e5", "Switch session backend", &["config/auth_settings.py"]);
        assert_eq!(undo_strength(&c, &mk("ffff", "Revert \"Switch session backend\"", &[])).0, 1.0);
        assert_eq!(undo_strength(&c, &mk("eeee", "Tidy footer", &["templates/footer.html"])).0, 0.0);
        assert!(
            undo_strength(&c, &mk("dddd", "Make dependent scripts use new module", &["config/auth_settings.py"])).0
                > 0.5
        );
    }

    #[test]
    fn word_matching_respects_boundaries() {
        assert!(contains_word("from 'archive_auth.sessions' (x)", "archive_auth.sessions"));
        assert!(!contains_word("my_archive_auth.sessions2", "archive_auth.sessions"));
    }
}
