//! Scope with real names: a change's service against what fails, where
//! `checkout`, the deployment `checkout`, the pod
//! `checkout-7d9f8c6b5-x2x9q`, the host `checkout-2.prod.example.com`, the
//! unit `checkout.service` and the log `checkout.log` are one thing.
//!
//! Its ratio weighs how often changes touch a failing service anyway: with
//! `q` the share of the look-back's changes (with a known service) that
//! match a failing name, a match is `0.85 / q` and a miss `0.15 / (1 − q)`,
//! both kept within [0.15, 6]; a match that is only one name qualifying the
//! other (`checkout` for `checkout-api`) counts its square root. Where every
//! change goes to the one failing service, scope says nothing.

use super::names::components;
use faultline_model::Change;

/// Suffixes that name an environment, a role or a packaging, not a service.
const NOISE: &[&str] = &[
    "prod",
    "production",
    "staging",
    "stage",
    "canary",
    "blue",
    "green",
    "primary",
    "svc",
    "service",
    "deployment",
    "deploy",
    "daemon",
    "worker",
    "pod",
];

/// The k8s pod-name suffix alphabet (no vowels, no 0/1/3: nothing spells a word).
fn k8s_suffix(s: &str) -> bool {
    (5..=10).contains(&s.len()) && s.bytes().all(|b| b"bcdfghjklmnpqrstvwxz0123456789".contains(&b))
}

/// The service a name stands for: lower case, without namespace, domain,
/// pod/replica-set suffixes, replica numbers, environment words or unit type.
pub(crate) fn canonical(name: &str) -> String {
    let mut s = name.trim().to_lowercase();
    if let Some((_, last)) = s.rsplit_once('/') {
        s = last.to_string();
    }
    for unit in [".service", ".socket", ".timer", ".log"] {
        if let Some(stem) = s.strip_suffix(unit) {
            s = stem.to_string();
        }
    }
    // A host name: its first label, when the rest is a domain.
    if let Some((first, rest)) = s.split_once('.') {
        if rest.chars().any(|c| c.is_ascii_alphabetic()) && !first.is_empty() {
            s = first.to_string();
        }
    }
    let mut parts: Vec<&str> = s.split(['-', '_']).filter(|p| !p.is_empty()).collect();
    // Pod suffixes (`-7d9f8c6b5-x2x9q`, `-x2x9q`), replica numbers (`-0`, `-3`).
    while parts.len() > 1 {
        let Some(last) = parts.last() else { break };
        let numeric = last.bytes().all(|b| b.is_ascii_digit());
        if numeric || (k8s_suffix(last) && last.bytes().any(|b| b.is_ascii_digit())) || NOISE.contains(last) {
            parts.pop();
        } else {
            break;
        }
    }
    while parts.len() > 1 && parts.first().is_some_and(|p| NOISE.contains(p)) {
        parts.remove(0);
    }
    parts.join("-")
}

/// Whether two canonical names are the same service: equal, or one is the
/// other plus a qualifier (`checkout` and `checkout-api`).
pub(crate) fn same(a: &str, b: &str) -> bool {
    if a.len() < 3 || b.len() < 3 {
        return false;
    }
    if a == b {
        return true;
    }
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    long.split('-').collect::<Vec<_>>().windows(short.split('-').count()).any(|w| w.join("-") == short)
}

/// Folders that hold one folder per service in a config or deploy repository.
const SERVICE_DIRS: &[&str] =
    &["k8s", "kubernetes", "deploy", "deployments", "charts", "helm", "services", "apps", "manifests", "overlays"];

/// The services a change applies to: its own, or those its files name
/// (`k8s/checkout/deployment.yaml`, `charts/checkout/values.yaml`).
pub(crate) fn change_names(c: &Change) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |n: &str| {
        let n = canonical(n);
        if n.len() >= 3 && !out.contains(&n) {
            out.push(n);
        }
    };
    if let Some(s) = &c.service {
        push(s);
        return out;
    }
    for f in &c.files {
        let comps = components(f);
        for w in comps.windows(2) {
            if let [dir, name] = w {
                if SERVICE_DIRS.contains(&dir.to_ascii_lowercase().as_str()) && !name.contains('.') {
                    push(name);
                }
            }
        }
    }
    out
}

/// The scope ratio of a change whose names do (`Some(name)`) or do not match,
/// given the share `q` of changes that match.
pub(crate) fn ratio(matched: bool, q: f64) -> f64 {
    let r = if matched { 0.85 / q.max(0.05) } else { 0.15 / (1.0 - q).max(0.05) };
    r.clamp(0.15, 6.0)
}

/// The failing name (as written) a change's names match, if any, and
/// whether exactly (not `checkout` for `checkout-api`).
pub(crate) fn matching<'a>(names: &[String], failing: &'a [(String, String)]) -> Option<(&'a str, bool)> {
    let exact = failing.iter().find(|(canon, _)| names.iter().any(|n| n == canon));
    let found = exact.or_else(|| failing.iter().find(|(canon, _)| names.iter().any(|n| same(n, canon))));
    found.map(|(canon, raw)| (raw.as_str(), names.contains(canon)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_names_of_one_service_agree() {
        for n in [
            "checkout",
            "checkout-7d9f8c6b5-x2x9q",
            "payments/checkout-7d9f8c6b5-x2x9q",
            "checkout-2.prod.example.com",
            "checkout.service",
            "checkout-prod",
            "checkout-0",
        ] {
            assert_eq!(canonical(n), "checkout", "{n}");
        }
        assert!(same("checkout", "checkout-api"));
        assert!(!same("checkout", "search"));
        assert_eq!(canonical("archive-portal"), "archive-portal");
    }

    #[test]
    fn files_in_service_folders_name_the_service() {
        let c = Change {
            files: vec!["k8s/checkout/deployment.yaml".into(), "README.md".into()],
            ..Change::new("x", chrono::DateTime::from_timestamp(0, 0).unwrap_or_default(), "bump")
        };
        assert_eq!(change_names(&c), vec!["checkout".to_string()]);
    }

    #[test]
    fn scope_says_nothing_when_every_change_is_to_the_failing_service() {
        assert!((ratio(true, 1.0) - 0.85).abs() < 1e-9);
        assert!(ratio(true, 0.1) > 5.0);
        assert!(ratio(false, 0.5) < 0.5);
    }
}
