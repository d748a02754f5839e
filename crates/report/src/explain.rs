//! The words for the correlator's typed facts: each factor of a suspect as a
//! sentence ending in its weight (`its revert `f00d` landed 4 s before the
//! last error (deploys.csv:7): ×40`), a suspect's one-line summary, why it
//! ranks lower, and the lead when no change is named.
//!
//! This is the one place evidence becomes text: [`fill_text`] writes the
//! JSON contract's string fields from the facts, and the view model renders
//! the same sentences for every template.

use crate::view::human_duration;
use faultline_model::{
    Analysis, Fact, FactKind, Factor, FailureSignal, InfraClass, Instant, Lag, NameKind, NoChange, NoChangeFact,
    OnsetShape, Shortfall, Suspect, UndoKind, UndoMatch, Verdict,
};

/// `×40`, `×5.4`, `×0.6`, `×0.001`.
pub(crate) fn ratio(r: f64) -> String {
    if !r.is_finite() {
        return "×?".into();
    }
    if r >= 9.95 {
        format!("×{r:.0}")
    } else if r >= 0.995 {
        format!("×{}", trim(format!("{r:.1}")))
    } else if r >= 0.0995 {
        format!("×{}", trim(format!("{r:.2}")))
    } else {
        format!("×{}", trim(format!("{r:.3}")))
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// What a verdict is called everywhere.
pub(crate) fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Likely => "likely root cause",
        Verdict::Possible => "possible",
        Verdict::Unlikely => "unlikely",
    }
}

fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

fn first_cite(f: &Factor) -> String {
    f.citations.first().map_or_else(String::new, |c| format!(" ({})", c.location()))
}

fn undo_word(how: UndoKind) -> &'static str {
    match how {
        UndoKind::Revert => "revert",
        UndoKind::Rollback => "rollback",
        UndoKind::RollForward => "roll-forward",
        UndoKind::Disable => "disabling",
        UndoKind::KillSwitch => "kill switch",
        UndoKind::Fix => "fix",
        UndoKind::Follows => "follow-up change",
    }
}

fn matched_words(m: UndoMatch) -> &'static str {
    match m {
        UndoMatch::Recorded => "recorded as undoing it",
        UndoMatch::Id => "it names its id",
        UndoMatch::Message => "it quotes its summary",
        UndoMatch::Files => "same files",
        UndoMatch::Service => "a rollback of its service, whose latest change it was",
        UndoMatch::Errors => "it changes what the same errors name",
    }
}

fn signal_words(s: FailureSignal, n: u64) -> String {
    let what = match s {
        FailureSignal::Crash => "crash",
        FailureSignal::Panic => "panic",
        FailureSignal::OomKill => "OOM-kill",
        FailureSignal::RestartLoop => "restart-loop",
        FailureSignal::HealthCheck => "failed health-check",
    };
    format!("{n} {what} line{}", if n == 1 { "" } else { "s" })
}

pub(crate) fn infra_words(c: InfraClass) -> &'static str {
    match c {
        InfraClass::Dns => "a DNS failure",
        InfraClass::Database => "a database failure",
        InfraClass::Disk => "a disk failure",
        InfraClass::Network => "a network failure",
        InfraClass::Upstream => "an upstream failure",
    }
}

fn percent(share: f64) -> String {
    format!("{:.0} %", (share * 100.0).clamp(0.0, 100.0))
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One factor as a sentence with its weight.
pub(crate) fn factor(f: &Factor) -> String {
    let body = match &f.fact {
        Fact::Timing { before_onset_s, lag, onset, changes_per_day } => {
            let when = if *before_onset_s >= 0 {
                format!("made {} before", human_duration(*before_onset_s))
            } else {
                format!("made {} after the first error, within clock skew of", human_duration(-before_onset_s))
            };
            let shape = match onset {
                OnsetShape::Sharp => "a sharp onset",
                OnsetShape::Gradual => "a gradual onset",
            };
            let lag = match lag {
                Lag::Fast => "a trigger's lag",
                Lag::Latent => "a latent cause's lag",
            };
            format!("{when} {shape}{}: {lag}, against {changes_per_day} changes a day", first_cite(f))
        }
        Fact::AfterOnset { after_onset_s } => format!(
            "made {} after the onset{}, so it cannot have caused it",
            human_duration(*after_onset_s),
            first_cite(f)
        ),
        Fact::Undone { by, how, matched_by, before_recovery_s, before_onset_s } => {
            let at = f.citations.first().map_or_else(String::new, |c| format!("{}; ", c.location()));
            let what = format!("its {} {} ({at}{})", undo_word(*how), code(by), matched_words(*matched_by));
            match (before_onset_s, before_recovery_s) {
                (Some(s), _) => format!(
                    "{what} landed {} before the onset: it was gone before the errors began",
                    human_duration(*s)
                ),
                (None, Some(d)) if *d >= 0 => format!("{what} landed {} before the last error", human_duration(*d)),
                (None, Some(d)) => format!("{what} landed {} after the last error", human_duration(-d)),
                (None, None) => format!("{what} landed while the errors went on"),
            }
        }
        Fact::NotUndone { while_undone: None } => {
            format!("the errors stopped{} and nothing recorded undoes it", first_cite(f))
        }
        Fact::NotUndone { while_undone: Some(other) } => format!(
            "the errors stopped{} when {} was undone, and nothing recorded undoes this one",
            first_cite(f),
            code(other)
        ),
        Fact::OwnFailure { name, signal, lines, after_change_s, before } => {
            let baseline = if *before > 0 {
                format!(", {} in the 6 h before it", count(*before, "such line", "such lines"))
            } else {
                String::new()
            };
            format!(
                "{} failed in its own words {} after it: {}{}{baseline}",
                code(name),
                human_duration((*after_change_s).max(0)),
                signal_words(*signal, *lines),
                f.citations.first().map_or_else(String::new, |c| format!(" (first: {})", c.location())),
            )
        }
        Fact::ErrorsName { name, what, errors, in_traces } => {
            let role = match what {
                NameKind::File => "changed by it",
                NameKind::Module => "a module it changed",
                NameKind::Identifier => "named in its message",
                NameKind::Host => "a host named in its message",
                NameKind::Endpoint => "an endpoint named after a file it changed",
            };
            let kind = if *in_traces { ("traceback", "tracebacks") } else { ("incident error", "incident errors") };
            format!(
                "{}, {role}, appears in {}{}",
                code(name),
                count(*errors, kind.0, kind.1),
                f.citations.first().map_or_else(String::new, |c| format!(" (first: {})", c.location()))
            )
        }
        Fact::DiffInErrors { identifiers, errors } => format!(
            "what its diff added or removed appears in {}: {}{}",
            count(*errors, "incident error", "incident errors"),
            identifiers.iter().map(|i| code(i)).collect::<Vec<_>>().join(", "),
            f.citations.first().map_or_else(String::new, |c| format!(" (first: {})", c.location()))
        ),
        Fact::Scope { service, matched, failing } => match matched {
            Some(m) if m.eq_ignore_ascii_case(service) => {
                format!("its service {} is among the failing ones", code(service))
            }
            Some(m) => format!("its service {} is among the failing ones (as {})", code(service), code(m)),
            None => format!(
                "its service {} is not among the failing ones ({})",
                code(service),
                failing.iter().take(4).map(|s| code(s)).collect::<Vec<_>>().join(", ")
            ),
        },
        Fact::Infrastructure { class, share, touched } => {
            if *touched {
                format!("the errors look like {}{}, and it touches that", infra_words(*class), first_cite(f))
            } else {
                format!(
                    "{} of the incident's errors look like {}{}, which it does not touch",
                    percent(*share),
                    infra_words(*class),
                    first_cite(f)
                )
            }
        }
    };
    format!("{body}: {}", ratio(f.ratio))
}

/// A short reason for the summary line, for factors that weigh.
fn reason(f: &Factor) -> Option<&'static str> {
    Some(match f.fact.kind() {
        FactKind::AfterOnset => "made after the onset (a fix, not a cause)",
        _ if f.ratio < 3.0 => return None,
        FactKind::Timing => "close before the onset",
        FactKind::Undone => "its undo lines up with recovery",
        FactKind::OwnFailure => "it failed in its own words",
        FactKind::ErrorsName => "touches what the errors name",
        FactKind::DiffInErrors => "what its diff introduced is in the errors",
        FactKind::Scope => "its service is the failing one",
        FactKind::NotUndone | FactKind::Infrastructure => return None,
    })
}

/// One line: what the change was and why it ranks where it does.
pub(crate) fn summary(s: &Suspect) -> String {
    let first = s.message.lines().next().unwrap_or("").trim();
    let service = s.service.as_deref().map_or_else(String::new, |x| format!(" ({x})"));
    let when = s.explanation.iter().find_map(|f| match &f.fact {
        Fact::Timing { before_onset_s, .. } if *before_onset_s >= 0 => {
            Some(format!("{} before onset", human_duration(*before_onset_s)))
        }
        Fact::Timing { before_onset_s, .. } => {
            Some(format!("{} after onset, within clock skew", human_duration(-before_onset_s)))
        }
        Fact::AfterOnset { after_onset_s } => Some(format!("{} after onset", human_duration(*after_onset_s))),
        _ => None,
    });
    let mut reasons: Vec<&str> = Vec::new();
    for r in s.explanation.iter().filter_map(reason) {
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    }
    format!(
        "{first}{service}: {}{}",
        when.unwrap_or_default(),
        if reasons.is_empty() { String::new() } else { format!("; {}", reasons.join(", ")) }
    )
}

fn shortfall(f: &Shortfall) -> String {
    let vs = format!("{} vs {}", ratio(f.ratio), ratio(f.top_ratio));
    match f.kind {
        FactKind::AfterOnset => "it was made after the onset, so it cannot be the cause".into(),
        FactKind::Timing => format!("its timing fits less well ({vs})"),
        FactKind::Undone => format!("no undo of it lines up with the recovery as well ({vs})"),
        FactKind::NotUndone => format!("nothing recorded undoes it ({vs})"),
        FactKind::OwnFailure => format!("nothing shows its service failing in its own words ({vs})"),
        FactKind::ErrorsName if f.ratio <= 1.0 => {
            "none of its files, modules or identifiers appear in the incident's errors".into()
        }
        FactKind::ErrorsName => format!("the errors name less of what it changed ({vs})"),
        FactKind::DiffInErrors => format!("what its diff introduced is not in the errors ({vs})"),
        FactKind::Scope => format!("its service fits the failing ones less well ({vs})"),
        FactKind::Infrastructure => format!("it does not touch the failing infrastructure ({vs})"),
    }
}

/// Why a suspect ranks below the top one.
pub(crate) fn ranked_lower(s: &Suspect, top_score: f64) -> Option<String> {
    let below = s.ranked_below.as_ref()?;
    let why: Vec<String> = below.shortfalls.iter().map(shortfall).collect();
    let why = if why.is_empty() {
        format!("a lower posterior from the same kinds of evidence ({:.2} vs {:.2})", s.score, top_score)
    } else {
        why.join("; ")
    };
    Some(format!("Ranked below {}: {why}.", below.top))
}

/// The sentence in place of a root cause when none is named: the best
/// candidate and why, never "no change explains it" while one carries evidence.
pub(crate) fn no_change_sentence(suspects: &[Suspect]) -> String {
    let Some(best) = suspects.first() else {
        return "No change was recorded in the look-back window.".into();
    };
    let strongest = best
        .explanation
        .iter()
        .filter(|f| f.ratio >= 2.0)
        .max_by(|a, b| a.ratio.total_cmp(&b.ratio))
        .map_or_else(|| "nothing speaks for it beyond chance".to_string(), factor);
    format!("No change is likely enough to name (best: {}, {:.2} — {strongest}).", best.change_id, best.score)
}

/// What speaks for "no change did it", and the signature to start from;
/// `when` shows an instant (UTC in the JSON, the display zone in reports).
pub(crate) fn lead(nc: &NoChange, when: &dyn Fn(Instant) -> String) -> String {
    let mut parts: Vec<String> = Vec::new();
    for f in &nc.facts {
        parts.push(match f {
            NoChangeFact::NoCandidates => continue,
            NoChangeFact::Infrastructure { class, share, example } => format!(
                "{} of the incident's errors look like {} ({}), which no candidate touches.",
                percent(*share),
                infra_words(*class),
                example.location()
            ),
            NoChangeFact::NothingUndone => "The errors stopped without a recorded undo of any change.".into(),
            NoChangeFact::AllFar { nearest_before_onset_s } => {
                format!("The nearest change was made {} before the onset.", human_duration(*nearest_before_onset_s))
            }
        });
    }
    parts.push(match &nc.signature {
        Some(s) => format!(
            "Strongest evidence: {} error signature {} ({} occurrences from {}, first at {}{}{}).",
            if s.new { "new" } else { "surging" },
            code(&s.template),
            s.count,
            when(s.first),
            s.example.location(),
            s.host.as_deref().map_or_else(String::new, |h| format!(" on {h}")),
            s.endpoint.as_deref().map_or_else(String::new, |e| format!(", endpoint {e}")),
        ),
        None => format!("Start from the first incident error at {}.", nc.onset.location()),
    });
    parts.join(" ")
}

/// Writes the contract's text fields from the typed facts: each suspect's
/// `evidence` (one line per factor, in order), `summary` and
/// `ranked_lower_because`, and the `lead` when no change is named.
pub fn fill_text(a: &mut Analysis) {
    let top_score = a.suspects.first().map_or(0.0, |s| s.score);
    for s in &mut a.suspects {
        if s.explanation.is_empty() {
            continue;
        }
        s.evidence = s.explanation.iter().map(factor).collect();
        s.summary = summary(s);
        s.ranked_lower_because = ranked_lower(s, top_score);
    }
    if let Some(nc) = &a.no_change {
        let utc = |t: Instant| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
        a.lead = Some(format!("{} {}", no_change_sentence(&a.suspects), lead(nc, &utc)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_model::Citation;

    fn cite(file: &str, line: u64) -> Citation {
        Citation { file: file.into(), line, offset: 0, text: String::new() }
    }

    #[test]
    fn weights_read_as_multipliers() {
        assert_eq!(ratio(40.2), "×40");
        assert_eq!(ratio(5.44), "×5.4");
        assert_eq!(ratio(1.0), "×1");
        assert_eq!(ratio(0.6), "×0.6");
        assert_eq!(ratio(0.001), "×0.001");
    }

    #[test]
    fn an_undo_reads_with_its_evidence_and_weight() {
        let f = Factor {
            ratio: 40.0,
            fact: Fact::Undone {
                by: "f00dfeed".into(),
                how: UndoKind::Revert,
                matched_by: UndoMatch::Id,
                before_recovery_s: Some(4),
                before_onset_s: None,
            },
            citations: vec![cite("deploys.csv", 7)],
        };
        assert_eq!(
            factor(&f),
            "its revert `f00dfeed` (deploys.csv:7; it names its id) landed 4 s before the last error: ×40"
        );
    }
}
