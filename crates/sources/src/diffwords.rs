//! The identifiers a diff added or removed: what the correlator looks for in
//! an incident's errors (a misspelled class name, a new config key).

use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Most identifiers kept per change: a vendoring commit must not fill the case.
pub(crate) const MAX_IDENTIFIERS: usize = 200;
/// Most bytes of diff lines read per change.
pub(crate) const MAX_DIFF_BYTES: usize = 512 * 1024;

static IDENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b",
    )
    .unwrap_or_else(|_| unreachable!())
});

/// Receivers and library names every diff is full of: they name nothing the change did.
const COMMON: &[&str] =
    &["self", "this", "cls", "os.path", "sys.exit", "__init__", "__name__", "__main__", "e.g", "i.e"];

/// Collects the identifiers of a change's added and removed lines.
#[derive(Default)]
pub(crate) struct DiffWords {
    added: Vec<String>,
    removed: Vec<String>,
    seen_added: HashSet<String>,
    seen_removed: HashSet<String>,
    bytes: usize,
}

impl DiffWords {
    /// Takes one diff line's content (without its `+`/`-`). Returns false
    /// once the change's byte budget is spent.
    pub(crate) fn line(&mut self, text: &str, added: bool) -> bool {
        if self.bytes >= MAX_DIFF_BYTES {
            return false;
        }
        self.bytes += text.len();
        for m in IDENT.find_iter(text) {
            let mut id = m.as_str();
            for receiver in ["self.", "this.", "cls."] {
                id = id.strip_prefix(receiver).unwrap_or(id);
            }
            if id.len() < 5 || COMMON.contains(&id) || id.split('.').any(|p| p.is_empty()) {
                continue;
            }
            let (list, seen) = if added {
                (&mut self.added, &mut self.seen_added)
            } else {
                (&mut self.removed, &mut self.seen_removed)
            };
            if seen.insert(id.to_string()) {
                list.push(id.to_string());
            }
        }
        true
    }

    /// The identifiers, those only added or only removed first (what the
    /// change introduced or took away), then those on both sides (a key
    /// whose value changed); at most [`MAX_IDENTIFIERS`].
    pub(crate) fn finish(self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let only_added = self.added.iter().filter(|a| !self.seen_removed.contains(*a));
        let only_removed = self.removed.iter().filter(|r| !self.seen_added.contains(*r));
        let both = self.added.iter().filter(|a| self.seen_removed.contains(*a));
        for id in only_added.chain(only_removed).chain(both) {
            if out.len() >= MAX_IDENTIFIERS {
                break;
            }
            out.push(id.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn introduced_names_come_first_and_receivers_are_dropped() {
        let mut d = DiffWords::default();
        d.line("    gateway = PaymentGateWay(settings.PAYMENT_URL)", true);
        d.line("    gateway = PaymentGateway(settings.PAYMENT_URL)", false);
        d.line("    self.retry_budget = 3", true);
        let ids = d.finish();
        assert_eq!(ids.first().map(String::as_str), Some("PaymentGateWay"));
        assert!(ids.contains(&"retry_budget".to_string()), "{ids:?}");
        assert!(ids.contains(&"PaymentGateway".to_string()), "removed names count too: {ids:?}");
        assert_eq!(ids.last().map(String::as_str), Some("settings.PAYMENT_URL"), "on both sides: last");
    }
}
