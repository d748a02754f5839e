//! Undo: a later change that reverts, rolls back, rolls forward from,
//! disables or fixes a change, and how well it lines up with the errors
//! stopping.
//!
//! An undo is matched to the change it undoes, best first: what the tool
//! recorded (`undoes`), an id/hash/change number/revision in its message, a
//! quote of the change's summary, the same files (less surely for a file
//! many changes touch), and — for a rollback that
//! names nothing — the service, credited only to that service's latest
//! change before it. An undo that names another change is never credited to
//! this one by files or service. A fix forward that names nothing but changes
//! what the same incident errors name (the change broke `auth_settings`, the
//! fix updates the scripts the tracebacks pass through) counts for it, less surely.
//!
//! Its ratio has two parts. That an undo of this change was recorded during
//! the incident at all: responders undo what they suspect, and the cause
//! is undone more often than a bystander (×3). And when it landed: if the
//! change caused the incident, the errors stop soon after its undo (85 %
//! exponential with scale 150 s, 15 % spread over an hour for caches and
//! slow rollouts); if not, the undo lands anywhere in the incident (uniform
//! over its duration plus ten minutes). `ratio = clamp(3 · g(d) · D, 0.3,
//! 100)`, weighted by how sure the match is: `1 + m · (ratio − 1)`. An undo
//! that landed before the onset speaks against the change (×0.3: it was gone
//! before the errors began); one after the errors stopped is a clean-up
//! (×1.5); one while the errors went on for another quarter hour speaks
//! against it (×0.4).

use super::scope::canonical;
use faultline_model::{Change, UndoKind, UndoMatch};

/// The recovery lag's scale after an undo of the cause lands.
const RECOVERY_SCALE_S: f64 = 150.0;
/// The share of undos of a cause whose effect is slow (caches, rollouts).
const SLOW_SHARE: f64 = 0.15;
/// How much likelier an undo of a change during the incident is if it was the cause.
const UNDONE_AT_ALL: f64 = 3.0;
/// An undo this long after the last error still counts as before it.
const RECOVERY_GRACE_S: i64 = 120;

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// What kind of undo a message announces, if any.
pub(crate) fn kind_of(message: &str) -> Option<UndoKind> {
    let m = message.to_lowercase();
    if has_any(&m, &["kill switch", "killswitch", "kill-switch"]) {
        return Some(UndoKind::KillSwitch);
    }
    if has_any(&m, &["revert", "back out", "backout", "backing out", "backs out", "undo "]) {
        return Some(UndoKind::Revert);
    }
    if has_any(&m, &["rollback", "roll back", "rolled back", "rolling back", "roll-back", "rolls back"]) {
        return Some(UndoKind::Rollback);
    }
    if has_any(
        &m,
        &[
            "roll forward",
            "roll-forward",
            "rollforward",
            "rolled forward",
            "last known good",
            "last good",
            "previous release",
        ],
    ) {
        return Some(UndoKind::RollForward);
    }
    if has_any(&m, &["disable", "turn off", "turned off", "switch off", "flag off", "toggle off", "feature flag off"]) {
        return Some(UndoKind::Disable);
    }
    if has_any(&m, &["fix", "hotfix", "patch", "repair", "restore", "follow-up", "followup", "correct "]) {
        return Some(UndoKind::Fix);
    }
    None
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The ways `text` may name change `id`: a hash prefix of seven or more,
/// the digits of a change number (`CL 48213071`, `#4521`, `CHG0031234`), or
/// the id itself as a word. Returns where it is named.
fn find_reference(text: &str, id: &str) -> Option<usize> {
    let id = id.trim();
    if id.len() < 3 {
        return None;
    }
    let lower = text.to_lowercase();
    let id_lower = id.to_lowercase();
    let words = || {
        lower
            .char_indices()
            .filter(|&(i, c)| {
                c.is_alphanumeric() && lower[..i].chars().next_back().is_none_or(|p| !p.is_alphanumeric())
            })
            .map(|(i, _)| {
                let end = lower[i..].find(|c: char| !c.is_alphanumeric()).map_or(lower.len(), |n| i + n);
                (i, &lower[i..end])
            })
    };
    if id.len() >= 7 && is_hex(&id_lower) {
        return words().find(|(_, w)| w.len() >= 7 && is_hex(w) && id_lower.starts_with(w)).map(|(i, _)| i);
    }
    // The longest digit run of five or more: a CL, ticket or deploy number.
    let digits = id_lower.split(|c: char| !c.is_ascii_digit()).filter(|d| d.len() >= 5).max_by_key(|d| d.len());
    if let Some(d) = digits {
        let found = words().find(|(_, w)| w.trim_start_matches(|c: char| c.is_alphabetic()) == d);
        if found.is_some() {
            return found.map(|(i, _)| i);
        }
    }
    // The id as written, bounded by non-word characters.
    let mut start = 0;
    while let Some(pos) = lower.get(start..).and_then(|h| h.find(&id_lower)) {
        let at = start + pos;
        let before = lower[..at].chars().next_back();
        let after = lower.get(at + id_lower.len()..).and_then(|s| s.chars().next());
        let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
        if !before.is_some_and(word) && !after.is_some_and(|c| word(c) && c != '.') {
            return Some(at);
        }
        start = at + id_lower.len();
    }
    None
}

/// Whether `text` names `c` (its id or revision) as what it undoes — not as
/// the version it goes back to (`roll back to v2.3.0`).
fn names_change(text: &str, c: &Change) -> Option<bool> {
    let ids = std::iter::once(c.id.as_str()).chain(c.revision.as_deref());
    let mut target = None;
    for id in ids {
        if let Some(at) = find_reference(text, id) {
            let before = text.to_lowercase();
            let head = before.get(..at).unwrap_or("").trim_end();
            let is_target = head.ends_with(" to") || head == "to";
            if !is_target {
                return Some(true);
            }
            target = Some(false);
        }
    }
    target
}

/// Whether `text` holds `phrase` not as part of a longer word or number.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    let mut start = 0;
    while let Some(pos) = text.get(start..).and_then(|t| t.find(phrase)) {
        let at = start + pos;
        let before = text[..at].chars().next_back();
        let after = text.get(at + phrase.len()..).and_then(|t| t.chars().next());
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        start = at + phrase.len().max(1);
    }
    false
}

fn summary(c: &Change) -> String {
    c.message.lines().next().unwrap_or("").trim().to_lowercase()
}

fn shares_files(a: &Change, b: &Change) -> bool {
    a.files.iter().any(|f| b.files.iter().any(|g| f == g || super::names::common_suffix(f, g) >= 2))
}

fn same_service(a: &Change, b: &Change) -> bool {
    match (&a.service, &b.service) {
        (Some(x), Some(y)) => {
            let (x, y) = (canonical(x), canonical(y));
            !x.is_empty() && x == y
        }
        _ => false,
    }
}

/// An undo found for a change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Found {
    pub how: UndoKind,
    pub matched_by: UndoMatch,
    /// How sure the match is, in (0, 1].
    pub certainty: f64,
}

/// Which earlier changes each change's message names, found through an
/// index of ids, hash prefixes, change numbers and summaries (a noisy
/// repository holds hundreds of changes: no pairwise text scans).
pub(crate) struct Index<'a> {
    changes: Vec<&'a Change>,
    /// Per change: the earlier changes its message names as what it undoes.
    named: Vec<Vec<usize>>,
    /// Per change: the earlier changes it names as the version it goes back to.
    targets: Vec<Vec<usize>>,
}

fn keys_of(id: &str) -> Vec<String> {
    let lower = id.trim().to_lowercase();
    if lower.len() < 3 {
        return Vec::new();
    }
    let mut keys = vec![format!("id:{lower}")];
    if lower.len() >= 7 && is_hex(&lower) {
        keys.push(format!("hex:{}", lower.get(..7).unwrap_or(&lower)));
    }
    if let Some(d) = lower.split(|c: char| !c.is_ascii_digit()).filter(|d| d.len() >= 5).max_by_key(|d| d.len()) {
        keys.push(format!("num:{d}"));
    }
    keys
}

fn text_keys(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = text.to_lowercase();
    for tok in lower.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.')) {
        let tok = tok.trim_matches('.');
        if tok.len() < 3 {
            continue;
        }
        out.push(format!("id:{tok}"));
        for word in tok.split(|c: char| !c.is_alphanumeric()) {
            if word.len() >= 7 && is_hex(word) {
                out.push(format!("hex:{}", word.get(..7).unwrap_or(word)));
            }
            let digits = word.trim_start_matches(|c: char| c.is_alphabetic());
            if digits.len() >= 5 && digits.bytes().all(|b| b.is_ascii_digit()) {
                out.push(format!("num:{digits}"));
            }
        }
    }
    out
}

impl<'a> Index<'a> {
    /// Indexes `changes` (in time order).
    pub(crate) fn build(changes: Vec<&'a Change>) -> Index<'a> {
        let mut by_key: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        for (i, c) in changes.iter().enumerate() {
            for id in std::iter::once(c.id.as_str()).chain(c.revision.as_deref()) {
                for k in keys_of(id) {
                    by_key.entry(k).or_default().push(i);
                }
            }
        }
        let mut named = vec![Vec::new(); changes.len()];
        let mut targets = vec![Vec::new(); changes.len()];
        for (j, u) in changes.iter().enumerate() {
            let mut candidates: Vec<usize> = text_keys(&u.message)
                .iter()
                .filter_map(|k| by_key.get(k))
                .flatten()
                .copied()
                .filter(|&i| i != j && changes.get(i).is_some_and(|c| c.time < u.time))
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            for i in candidates {
                match changes.get(i).and_then(|c| names_change(&u.message, c)) {
                    Some(true) => named[j].push(i),
                    Some(false) => targets[j].push(i),
                    None => {}
                }
            }
            // `Revert "summary"`: only messages that announce an undo are read for quotes.
            if kind_of(&u.message).is_some() {
                let text = u.message.to_lowercase();
                for (i, c) in changes.iter().enumerate() {
                    let s = summary(c);
                    if i != j
                        && c.time < u.time
                        && s.len() >= 12
                        && contains_phrase(&text, &s)
                        && !named[j].contains(&i)
                    {
                        named[j].push(i);
                    }
                }
            }
        }
        Index { changes, named, targets }
    }

    /// Whether change `u` undoes change `c` (indices into the indexed changes).
    pub(crate) fn find(&self, c: usize, u: usize) -> Option<Found> {
        let (Some(cc), Some(uc)) = (self.changes.get(c), self.changes.get(u)) else { return None };
        if uc.time <= cc.time || c == u {
            return None;
        }
        let how = kind_of(&uc.message);
        let of = |matched_by, certainty, how: Option<UndoKind>| {
            Some(Found { how: how.unwrap_or(UndoKind::Follows), matched_by, certainty })
        };
        if let Some(recorded) = uc.undoes.as_deref() {
            let names_it = [Some(cc.id.as_str()), cc.revision.as_deref()].into_iter().flatten().any(|id| {
                id.eq_ignore_ascii_case(recorded)
                    || (recorded.len() >= 7
                        && is_hex(recorded)
                        && id.to_lowercase().starts_with(&recorded.to_lowercase()))
            });
            // The tool said what it undoes: nothing else is.
            return if names_it { of(UndoMatch::Recorded, 1.0, how.or(Some(UndoKind::Rollback))) } else { None };
        }
        let named = self.named.get(u).map_or(&[][..], Vec::as_slice);
        if named.contains(&c) {
            let by_id = names_change(&uc.message, cc) == Some(true);
            return if by_id { of(UndoMatch::Id, 0.95, how) } else { of(UndoMatch::Message, 0.9, how) };
        }
        let targets = self.targets.get(u).map_or(&[][..], Vec::as_slice);
        if targets.contains(&c) {
            // "Roll back to <c>": c is the good version, not what is undone.
            return None;
        }
        if !named.is_empty() {
            // An undo that names another change belongs to that one.
            return None;
        }
        if shares_files(cc, uc) {
            // A file changed every hour is changed again during any incident:
            // a follow-up says little there, and a revert most likely undoes
            // the change to it just before.
            let shared = |o: &Change| o.files.iter().any(|f| cc.files.contains(f) && uc.files.contains(f));
            let busy = self.changes.iter().filter(|o| shared(o)).count().saturating_sub(2) as f64;
            let between = self.changes.iter().filter(|o| o.time > cc.time && o.time < uc.time && shared(o)).count();
            return match how {
                Some(UndoKind::Fix) => of(UndoMatch::Files, 0.6 / (1.0 + busy / 2.0), how),
                Some(_) => of(UndoMatch::Files, 0.8 / (1.0 + between as f64), how),
                None => of(UndoMatch::Files, 0.45 / (1.0 + busy / 2.0), how),
            };
        }
        let rollback_like = matches!(
            how,
            Some(
                UndoKind::Revert
                    | UndoKind::Rollback
                    | UndoKind::RollForward
                    | UndoKind::Disable
                    | UndoKind::KillSwitch
            )
        );
        if rollback_like && uc.files.is_empty() && same_service(cc, uc) {
            // A service rollback undoes that service's latest change before
            // it; after "roll back to <x>", every change of it since x.
            let since = targets.iter().filter_map(|&t| self.changes.get(t)).map(|t| t.time).max();
            if let Some(since) = since {
                if cc.time > since {
                    return of(UndoMatch::Service, 0.7, how);
                }
                return None;
            }
            let latest =
                (0..u).rev().find(|&o| self.changes.get(o).is_some_and(|oc| oc.time < uc.time && same_service(oc, uc)));
            if latest == Some(c) {
                return of(UndoMatch::Service, 0.6, how);
            }
        }
        None
    }
}

/// Whether `later` undoes `c`, looking at the two alone (the timeline's fix
/// marker): how sure, 0 when it does not.
pub fn undo_strength(c: &Change, later: &Change) -> f64 {
    Index::build(vec![c, later]).find(0, 1).map_or(0.0, |f| f.certainty)
}

/// The ratio an undo landing at `t` earns, before weighting by certainty.
pub(crate) fn alignment(t: i64, onset: i64, grace: i64, recovered: Option<i64>, data_end: i64) -> f64 {
    if t < onset - grace {
        // Gone before the errors began.
        return 0.3;
    }
    match recovered {
        Some(r) if t <= r + RECOVERY_GRACE_S => {
            let d = (r - t).max(0) as f64;
            let g = (1.0 - SLOW_SHARE) * (-d / RECOVERY_SCALE_S).exp() / RECOVERY_SCALE_S + SLOW_SHARE / 3600.0;
            let span = ((r - onset).max(0) + 600) as f64;
            (UNDONE_AT_ALL * g * span).clamp(0.3, 100.0)
        }
        Some(_) => 1.5,
        None if data_end - t > 900 => 0.4,
        None => 1.5,
    }
}

/// The likelihood ratio of an undo found with `certainty` and `alignment`.
pub(crate) fn weighted(certainty: f64, alignment: f64) -> f64 {
    1.0 + certainty * (alignment - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: i64) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(t, 0).unwrap_or_default()
    }

    fn mk(id: &str, t: i64, service: &str, msg: &str, files: &[&str]) -> Change {
        Change {
            service: (!service.is_empty()).then(|| service.to_string()),
            files: files.iter().map(|s| s.to_string()).collect(),
            ..Change::new(id, at(t), msg)
        }
    }

    #[test]
    fn a_revert_naming_the_commit_undoes_it_and_nothing_else() {
        let c = mk("a1b2c3d4e5f6a7b8", 0, "portal", "Switch session backend", &["config/auth_settings.py"]);
        let other = mk("99887766aabbccdd", 10, "portal", "Footer copy", &["templates/footer.html"]);
        let revert =
            mk("ffff0000", 100, "portal", "Revert \"Switch session backend\"\n\nThis reverts commit a1b2c3d4e5.", &[]);
        let ix = Index::build(vec![&c, &other, &revert]);
        let f = ix.find(0, 2).expect("undo");
        assert_eq!((f.how, f.matched_by), (UndoKind::Revert, UndoMatch::Id));
        assert_eq!(ix.find(1, 2), None, "same service, but the revert names another change");
    }

    #[test]
    fn a_service_rollback_is_credited_to_that_services_latest_change_only() {
        let a = mk("d-100", 0, "checkout", "Enable new tax engine", &[]);
        let b = mk("d-101", 60, "checkout", "Bump log level", &[]);
        let c = mk("d-102", 90, "search", "Reindex", &[]);
        let rb = mk("d-103", 600, "checkout", "rollback checkout", &[]);
        let ix = Index::build(vec![&a, &b, &c, &rb]);
        assert!(ix.find(1, 3).is_some_and(|f| f.matched_by == UndoMatch::Service));
        assert_eq!(ix.find(0, 3), None);
        assert_eq!(ix.find(2, 3), None);
    }

    #[test]
    fn change_numbers_deploy_ids_and_recorded_undos_match() {
        let cl = mk("48213071", 0, "", "Tune frontend cache TTLs", &[]);
        let rb = mk("48219912", 500, "", "Rollback of CL 48213071 (cache TTLs)", &[]);
        assert!(Index::build(vec![&cl, &rb]).find(0, 1).is_some_and(|f| f.matched_by == UndoMatch::Id));
        let dep = mk("deploy-8812", 0, "api", "api 2.14.0", &[]);
        let back = mk("deploy-8820", 900, "api", "Roll back deploy-8812", &[]);
        assert!(Index::build(vec![&dep, &back]).find(0, 1).is_some_and(|f| f.how == UndoKind::Rollback));
        let to = mk("deploy-8830", 950, "api", "Roll back to deploy-8812", &[]);
        assert_eq!(Index::build(vec![&dep, &to]).find(0, 1), None, "the version rolled back to is not what was undone");
        let helm = Change { undoes: Some("d-7".into()), ..mk("d-9", 800, "api", "helm rollback api 4", &[]) };
        let seven = mk("d-7", 0, "api", "api chart 1.3.0", &[]);
        let eight = mk("d-8", 100, "api", "api chart 1.3.1", &[]);
        let ix = Index::build(vec![&seven, &eight, &helm]);
        assert!(ix.find(0, 2).is_some_and(|f| f.matched_by == UndoMatch::Recorded));
        assert_eq!(ix.find(1, 2), None);
    }

    #[test]
    fn a_later_change_to_a_busy_file_is_no_undo() {
        let file = ["services/payments/values.yaml"];
        let mut changes: Vec<Change> =
            (0..30).map(|i| mk(&format!("{i:040x}"), i * 600, "", &format!("payments: replicas {i}"), &file)).collect();
        changes.push(mk("feedfeedfeedfeed", 30 * 600, "", "Revert the last payments change", &file));
        changes.push(mk("beefbeefbeefbeef", 31 * 600, "", "Revert \"payments: replicas 2\"", &file));
        let ix = Index::build(changes.iter().collect());
        let follow = ix.find(10, 11).expect("still matched by its files");
        assert!(follow.certainty < 0.05, "{follow:?}");
        let revert = ix.find(29, 30).expect("the revert of the change just before it");
        assert!(revert.certainty >= 0.8, "{revert:?}");
        assert!(ix.find(20, 30).is_some_and(|f| f.certainty < 0.1), "not of one nine changes before");
        // A quoted summary is matched whole: `replicas 2` is not `replicas 28`.
        assert!(ix.find(2, 31).is_some_and(|f| f.matched_by == UndoMatch::Message));
        assert_eq!(ix.find(28, 31), None);
    }

    #[test]
    fn alignment_rewards_an_undo_just_before_the_errors_stop() {
        let just = alignment(1000 - 4, 0, 30, Some(1000), 5000);
        let early = alignment(100, 0, 30, Some(3000), 8000);
        assert!(just > 5.0, "{just}");
        assert!(early < 1.0, "{early}");
        assert!(alignment(-600, 0, 30, Some(1000), 5000) < 1.0, "undone before the onset");
        assert_eq!(weighted(0.0, 40.0), 1.0);
    }
}
