//! The changed thing failing in its own words: crash, panic, OOM-kill,
//! restart-loop and health-check lines that name the changed service,
//! process, pod or deployment right after the change.
//!
//! Its ratio: such lines naming the service within 30 minutes after the
//! change (and before the errors are an hour old) are `1 + 12 · s`, where
//! `s` is 1 for three lines or more and 0.6 for one or two, halved when the
//! first came more than ten minutes after the change, and cut to a half or a
//! tenth when the same lines were already there in the six hours before it.

use super::scope::{canonical, same};
use crate::events::ErrorEvent;
use faultline_model::{CaseData, Citation, FailureSignal};

/// One line that says something failed, and what it names.
pub(crate) struct FailureLine {
    pub t: i64,
    pub signal: FailureSignal,
    /// Canonical names it mentions: its host/service/source, and names in its text.
    pub names: Vec<String>,
    pub count: u64,
    pub citation: Citation,
}

/// What kind of failure a line reports, if any.
pub(crate) fn signal_of(text: &str) -> Option<FailureSignal> {
    let has = |ws: &[&str]| ws.iter().any(|w| text.contains(w));
    if has(&["OOMKilled", "Out of memory: Killed process", "oom-kill", "invoked oom-killer", "OutOfMemoryError"]) {
        return Some(FailureSignal::OomKill);
    }
    if has(&["CrashLoopBackOff", "Back-off restarting failed container", "start request repeated too quickly"]) {
        return Some(FailureSignal::RestartLoop);
    }
    if has(&[
        "Liveness probe failed",
        "Readiness probe failed",
        "Startup probe failed",
        "ealth check failed",
        "healthcheck failed",
    ]) {
        return Some(FailureSignal::HealthCheck);
    }
    if has(&["panic:", "panicked at"]) {
        return Some(FailureSignal::Panic);
    }
    if has(&[
        "fatal error:",
        "Segmentation fault",
        "segfault at",
        "core dumped",
        "Failed with result",
        "Main process exited, code=",
        "exited with code",
        "terminated with exit code",
    ]) {
        return Some(FailureSignal::Crash);
    }
    None
}

/// Names a failure line's text mentions: `pod="ns/name"`, `container name`,
/// `(process)`, `name.service`, and every word shaped like a service name.
fn text_names(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or("");
    let mut out: Vec<String> = Vec::new();
    for raw in first.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.' || c == '/')) {
        let w = raw.trim_matches(|c: char| c == '.' || c == '/' || c == '-');
        if w.len() >= 3 && w.chars().next().is_some_and(char::is_alphabetic) {
            let n = canonical(w);
            if n.len() >= 3 && !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Every failure line of the case: error events and the non-error records
/// the analysis kept whole.
pub(crate) fn collect(case: &CaseData, events: &[ErrorEvent]) -> Vec<FailureLine> {
    let mut out = Vec::new();
    for e in events.iter().filter(|e| !e.http) {
        let Some(signal) = signal_of(&e.text) else { continue };
        let mut names = text_names(&e.text);
        for n in [e.host.as_deref(), e.source_name.as_deref()].into_iter().flatten() {
            let n = canonical(n);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        out.push(FailureLine { t: e.t, signal, names, count: u64::from(e.count), citation: e.cite() });
    }
    for nr in &case.notable {
        let r = &nr.record;
        let Some(signal) = signal_of(&r.message) else { continue };
        let mut names = text_names(&r.message);
        for n in [r.host.as_deref(), r.service.as_deref()].into_iter().flatten() {
            let n = canonical(n);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let first = r.text.lines().next().unwrap_or("");
        out.push(FailureLine {
            t: r.time.timestamp(),
            signal,
            names,
            count: 1,
            citation: Citation {
                file: nr.file.to_string(),
                line: r.span.line,
                offset: r.span.offset,
                text: crate::events::cap(first, 300),
            },
        });
    }
    out.sort_by_key(|l| l.t);
    out
}

/// What the failure lines say about a change at `t` to `names`.
pub(crate) struct OwnFailure<'a> {
    pub name: String,
    pub signal: FailureSignal,
    pub lines: u64,
    pub after_change_s: i64,
    pub before: u64,
    pub first: &'a Citation,
    pub ratio: f64,
}

/// Failure lines naming `names` after a change at `t`, against the six hours before.
pub(crate) fn own_failure<'a>(
    lines: &'a [FailureLine],
    names: &[String],
    t: i64,
    onset: i64,
    grace: i64,
) -> Option<OwnFailure<'a>> {
    if names.is_empty() {
        return None;
    }
    let hits = |l: &&FailureLine| names.iter().any(|n| l.names.iter().any(|m| same(n, m)));
    let until = (t + 1800).min(onset.max(t) + 3600);
    let after: Vec<&FailureLine> = lines.iter().filter(|l| l.t >= t - grace && l.t <= until).filter(hits).collect();
    let first = *after.first()?;
    let n: u64 = after.iter().map(|l| l.count).sum();
    let before: u64 =
        lines.iter().filter(|l| l.t >= t - 6 * 3600 && l.t < t - grace).filter(hits).map(|l| l.count).sum();
    let mut s = if n >= 3 { 1.0 } else { 0.6 };
    if first.t - t > 600 {
        s *= 0.5;
    }
    if before > 0 {
        s *= if before * 3 < n { 0.5 } else { 0.1 };
    }
    let name = names.iter().find(|n| first.names.iter().any(|m| same(n, m))).cloned().unwrap_or_default();
    Some(OwnFailure {
        name,
        signal: first.signal,
        lines: n,
        after_change_s: first.t - t,
        before,
        first: &first.citation,
        ratio: 1.0 + 12.0 * s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_lines_are_recognized_and_name_what_failed() {
        let kubelet = r#"Back-off restarting failed container checkout in pod checkout-7d9f8c6b5-x2x9q_payments"#;
        assert_eq!(signal_of(kubelet), Some(FailureSignal::RestartLoop));
        assert!(text_names(kubelet).contains(&"checkout".to_string()));
        let oom = "Out of memory: Killed process 4242 (search-indexer) total-vm:812340kB";
        assert_eq!(signal_of(oom), Some(FailureSignal::OomKill));
        assert!(text_names(oom).contains(&"search-indexer".to_string()));
        assert_eq!(signal_of("ERROR Exception on /login [POST]"), None);
    }
}
