//! Ranking changes as root-cause suspects: a posterior over the hypotheses
//! "change *c* caused the incident", one per change in the look-back, and
//! "no change in the inputs did".
//!
//! Each kind of evidence is a likelihood ratio — how many times more
//! probable it is if *c* caused the incident than if it did not — with the
//! form documented in its module:
//! - [`timing`]: the change's distance to the onset under a fast and a
//!   latent lag component, against the background rate of changes;
//! - [`undo`]: a revert, rollback, roll-forward, disable or kill switch *of
//!   this change* landing just before the errors stop (and `NotUndone`: the
//!   errors stopped, the change log covers it, and nothing undid it: ×0.6,
//!   ×0.25 when the errors stopped as another change's undo landed);
//! - [`failure`]: the changed service crashing, OOM-killed, restart-looping
//!   or failing health checks in its own words right after the change;
//! - [`names`]: the incident's errors naming its files, modules and message
//!   identifiers, and the identifiers its diff added or removed;
//! - [`scope`]: its service against the failing ones, with real names;
//! - [`infra`]: errors that look like DNS, database, disk, network or
//!   upstream failures, which a change that touches none of them does not
//!   explain.
//!
//! With `p = 0.5` the prior that some change (recorded or not) caused an
//! incident, `N` the changes before the onset and `N_eff = max(N, L / 2 h)`,
//! the weights are
//!
//! ```text
//! w_c = p · Π ratios(c)            (the timing ratio is f(Δ)/λ, λ = N_eff / L)
//! w_0 = 1 − p · N / N_eff          ("no change in the inputs": unrecorded changes included)
//! P(c) = w_c / (w_0 + Σ w)         the suspect's score; named when ≥ 0.5
//! ```
//!
//! A change source that could not be read (whole or in part) holds changes
//! no ratio can be computed for: each adds `p · R_max` to `w_0`, the weight
//! of a change as well timed as any can be and with nothing else known
//! about it — so a visible change that only timing speaks for is not named
//! while the history it is weighed against is incomplete, and one with
//! evidence of its own (its undo, its names in the errors) still is.
//!
//! A change made after the onset cannot be the cause: its timing ratio is
//! 0.001. Several matches of the same errors (a file, then its module, then
//! an identifier) are not independent: each after the first counts a quarter
//! of the one before. A name matched in a share `f` of the incident's errors
//! weighs `1 + 40 · s² · (0.5 + 0.5 f)` for a file, module or identifier of
//! strength `s`, and `1 + 40 · s² · f²` for an endpoint or host, which say
//! something only where the errors gather.

mod failure;
mod infra;
mod names;
mod scope;
mod timing;
mod undo;

pub use undo::undo_strength;

use crate::events::{cap, ErrorEvent};
use crate::incident::Detected;
use faultline_model::{
    CaseData, Change, Citation, Fact, FactKind, Factor, Incident, LeadSignature, Located, NameKind, NoChange,
    NoChangeFact, RankedBelow, Shortfall, Suspect, SuspectFactors, Verdict,
};

/// Score from which a suspect is named the likely root cause.
pub const NAMED: f64 = Verdict::NAMED;
/// The prior probability that some change, recorded or not, caused an incident.
const P_CHANGE: f64 = 0.5;
/// The ratio of a change with no recorded undo, when the errors stopped and
/// the change log covers that time.
const NOT_UNDONE_RATIO: f64 = 0.6;
/// The same when the errors stopped as another change was undone.
const NOT_UNDONE_EXPLAINED_RATIO: f64 = 0.25;
/// An undo ratio from which it explains the errors stopping.
const EXPLAINS_RECOVERY: f64 = 5.0;
/// The nearest candidate this far before the onset makes "every candidate is far".
const FAR_S: i64 = 2 * 3600;

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

/// The undo of a change that says most about it.
struct BestUndo<'a> {
    by: &'a Located<Change>,
    found: undo::Found,
    ratio: f64,
}

/// What the name matching reads.
pub(crate) struct Ctx<'a> {
    events: &'a [ErrorEvent],
    /// Indices of the events the fingerprint is made of.
    fingerprint: Vec<usize>,
    /// Failing services / hosts / sources, as written.
    services: Vec<String>,
    endpoints: Vec<String>,
}

impl Ctx<'_> {
    fn cite(&self, event: usize) -> Option<Citation> {
        self.events.get(event).map(ErrorEvent::cite)
    }
}

/// The ranked suspects and the "no change did it" hypothesis.
pub struct Ranking {
    /// Best first.
    pub suspects: Vec<Suspect>,
    /// "No change in the inputs caused it", with its posterior and evidence.
    pub no_change: NoChange,
}

fn round_ratio(r: f64) -> f64 {
    if !r.is_finite() || r <= 0.0 {
        return 0.0;
    }
    let digits = 2 - r.log10().floor() as i32;
    let m = 10f64.powi(digits);
    (r * m).round() / m
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn factor(ratio: f64, fact: Fact, citations: Vec<Citation>) -> Factor {
    Factor { ratio: round_ratio(ratio), fact, citations }
}

/// Everything about the incident every candidate is weighed against.
struct World<'a> {
    ctx: Ctx<'a>,
    incident: &'a Incident,
    onset: timing::Onset,
    recovered: Option<i64>,
    background: timing::Background,
    /// Failing names: (canonical, as written).
    failing: Vec<(String, String)>,
    /// Share of candidates (with a known service) whose service fails.
    scope_share: f64,
    infra: Option<infra::InfraSignature>,
    failures: Vec<failure::FailureLine>,
    words: names::ErrorWords,
    /// The change log reaches past the onset, so a missing undo means something.
    covered: bool,
}

/// Ranks every change in the look-back window before the onset and during the incident.
pub fn rank(
    case: &CaseData,
    events: &[ErrorEvent],
    d: &Detected,
    incident: &Incident,
    lookback: chrono::Duration,
    unread_change_sources: u32,
) -> Ranking {
    let onset_t = incident.onset.timestamp();
    let recovered = incident.recovered.map(|r| r.timestamp());
    let members: Vec<usize> = (0..events.len()).filter(|&i| d.member.get(i).copied().unwrap_or(false)).collect();
    let new_members: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| events.get(i).is_some_and(|e| d.new_clusters.contains(&e.cluster)))
        .collect();
    let fingerprint = if new_members.is_empty() { members.clone() } else { new_members };
    let onset = timing::Onset::measure(events, &members, onset_t);
    let grace = onset.grace_s();
    let end_bound = recovered.map_or(d.data_end, |r| r + 600);
    let lookback_s = lookback.num_seconds().max(60);
    let from = onset_t - lookback_s;

    let window: Vec<usize> = (0..case.changes.len())
        .filter(|&i| case.changes.get(i).is_some_and(|c| (from..=end_bound).contains(&c.event.time.timestamp())))
        .collect();
    let before_onset =
        |c: &Change| timing::effect_time(c, onset_t) <= onset_t + grace && c.time.timestamp() <= onset_t + grace;
    let n_before = window.iter().filter(|&&i| case.changes.get(i).is_some_and(|c| before_onset(&c.event))).count();

    let mut failing: Vec<(String, String)> = Vec::new();
    let mut add_failing = |raw: &str| {
        let canon = scope::canonical(raw);
        if canon.len() >= 3 && !failing.iter().any(|(c, _)| *c == canon) {
            failing.push((canon, raw.to_string()));
        }
    };
    for s in &incident.services {
        add_failing(s);
    }
    for e in members.iter().filter_map(|&i| events.get(i)) {
        for n in [e.host.as_deref(), e.source_name.as_deref()].into_iter().flatten() {
            add_failing(n);
        }
    }
    let with_names: Vec<bool> = window
        .iter()
        .filter_map(|&i| case.changes.get(i))
        .filter(|c| before_onset(&c.event))
        .map(|c| scope::change_names(&c.event))
        .filter(|n| !n.is_empty())
        .map(|n| scope::matching(&n, &failing).is_some())
        .collect();
    let scope_share = with_names.iter().filter(|&&m| m).count() as f64 / with_names.len().max(1) as f64;

    let world = World {
        ctx: Ctx {
            events,
            fingerprint: fingerprint.clone(),
            services: incident.services.clone(),
            endpoints: incident.endpoints.clone(),
        },
        incident,
        onset,
        recovered,
        background: timing::Background { lookback_s: lookback_s as f64, changes: n_before },
        failing,
        scope_share,
        infra: infra::classify(events, &members, &incident.signatures),
        failures: failure::collect(case, events),
        words: names::ErrorWords::build(events, &fingerprint, onset_t),
        covered: case.changes.iter().any(|c| c.event.time.timestamp() > onset_t + grace),
    };
    let index = undo::Index::build(window.iter().filter_map(|&i| case.changes.get(i)).map(|c| &c.event).collect());

    let matches: Vec<Vec<names::Match>> =
        window.iter().map(|&i| case.changes.get(i).map(|c| world.ctx.names(&c.event)).unwrap_or_default()).collect();
    let named_strongly = |wi: usize| matches.get(wi).is_some_and(|m| m.iter().any(|m| m.strength >= 0.5));
    // Fixes of the incident: made during it, before the errors stopped, to
    // what its errors name.
    let fixes: Vec<usize> = (0..window.len())
        .filter(|&wi| {
            let Some(c) = window.get(wi).and_then(|&i| case.changes.get(i)) else { return false };
            let t = c.event.time.timestamp();
            t > onset_t + grace && recovered.is_none_or(|r| t <= r + 120) && named_strongly(wi)
        })
        .collect();

    // Each change's undo that says most: the surest match, then the best aligned.
    let undos: Vec<Option<BestUndo<'_>>> = (0..window.len())
        .map(|wi| {
            let c = window.get(wi).and_then(|&i| case.changes.get(i))?;
            if !before_onset(&c.event) {
                return None;
            }
            (wi + 1..window.len())
                .filter_map(|ui| {
                    let u = window.get(ui).and_then(|&i| case.changes.get(i))?;
                    let found = index.find(wi, ui).or_else(|| {
                        (fixes.contains(&ui) && named_strongly(wi)).then(|| undo::Found {
                            how: undo::kind_of(&u.event.message).unwrap_or(faultline_model::UndoKind::Fix),
                            matched_by: faultline_model::UndoMatch::Errors,
                            certainty: 0.4,
                        })
                    })?;
                    let align = undo::alignment(u.event.time.timestamp(), onset_t, grace, recovered, d.data_end);
                    Some(BestUndo { by: u, found, ratio: undo::weighted(found.certainty, align) })
                })
                .max_by(|a, b| a.found.certainty.total_cmp(&b.found.certainty).then(a.ratio.total_cmp(&b.ratio)))
        })
        .collect();
    // The change whose undo explains the errors stopping, if one does.
    let explained = (0..window.len())
        .filter_map(|wi| undos.get(wi)?.as_ref().map(|u| (wi, u.ratio)))
        .filter(|&(_, r)| r >= EXPLAINS_RECOVERY)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(wi, _)| wi);

    let mut weighted: Vec<(f64, Suspect)> = Vec::new();
    for (wi, &ci) in window.iter().enumerate() {
        let Some(lc) = case.changes.get(ci) else { continue };
        let m = matches.get(wi).map_or(&[][..], Vec::as_slice);
        let best = undos.get(wi).and_then(Option::as_ref);
        let other = explained
            .filter(|&e| e != wi)
            .and_then(|e| window.get(e))
            .and_then(|&i| case.changes.get(i))
            .map(|c| c.event.id.as_str());
        let (weight, suspect) = world.weigh(lc, before_onset(&lc.event), m, best, other);
        weighted.push((weight, suspect));
    }

    let n_eff = world.background.effective();
    let unseen = P_CHANGE * f64::from(unread_change_sources) * timing::peak_ratio(&world.onset, &world.background);
    let w0 = (1.0 - P_CHANGE * n_before as f64 / n_eff).max(0.0) + unseen;
    let total = w0 + weighted.iter().map(|(w, _)| w).sum::<f64>();
    let mut suspects: Vec<Suspect> = weighted
        .into_iter()
        .map(|(w, mut s)| {
            let p = if total > 0.0 { w / total } else { 0.0 };
            s.score = round3(p);
            s.verdict = Verdict::of(s.score);
            s
        })
        .collect();
    suspects.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((a.time.timestamp() - onset_t).abs().cmp(&(b.time.timestamp() - onset_t).abs()))
    });
    explain_ranks(&mut suspects);
    let no_change = world.no_change(&suspects, round3(if total > 0.0 { w0 / total } else { 1.0 }), onset_t);
    Ranking { suspects, no_change }
}

impl World<'_> {
    /// The weight and the explained suspect of one change.
    fn weigh(
        &self,
        lc: &Located<Change>,
        before_onset: bool,
        matches: &[names::Match],
        best_undo: Option<&BestUndo<'_>>,
        explained_by: Option<&str>,
    ) -> (f64, Suspect) {
        let c = &lc.event;
        let t = c.time.timestamp();
        let onset_t = self.onset.t;
        let grace = self.onset.grace_s();
        let mut factors: Vec<Factor> = Vec::new();
        let before_s = onset_t - timing::effect_time(c, onset_t);

        if before_onset {
            let (r, lag) = timing::ratio(before_s.max(0), &self.onset, &self.background);
            factors.push(factor(
                r,
                Fact::Timing {
                    before_onset_s: before_s,
                    lag,
                    onset: self.onset.shape,
                    changes_per_day: (self.background.per_day() * 10.0).round() / 10.0,
                },
                vec![self.incident.onset_citation.clone()],
            ));
        } else {
            factors.push(factor(
                timing::AFTER_ONSET_RATIO,
                Fact::AfterOnset { after_onset_s: t - onset_t },
                vec![cite_change(lc)],
            ));
        }

        let mut recovery_legacy = 0.0;
        if before_onset {
            match best_undo {
                Some(BestUndo { by: u, found: f, ratio: r }) => {
                    let ut = u.event.time.timestamp();
                    recovery_legacy = f.certainty * legacy_alignment(ut, self.recovered);
                    factors.push(factor(
                        *r,
                        Fact::Undone {
                            by: u.event.id.clone(),
                            how: f.how,
                            matched_by: f.matched_by,
                            before_recovery_s: self.recovered.map(|rec| rec - ut),
                            before_onset_s: (ut < onset_t - grace).then_some(onset_t - ut),
                        },
                        vec![cite_change(u)],
                    ));
                }
                None if self.recovered.is_some() && self.covered => {
                    // Errors that stop when another change is undone were not this one's.
                    let ratio = if explained_by.is_some() { NOT_UNDONE_EXPLAINED_RATIO } else { NOT_UNDONE_RATIO };
                    factors.push(factor(
                        ratio,
                        Fact::NotUndone { while_undone: explained_by.map(str::to_string) },
                        self.incident.recovered_citation.iter().cloned().collect(),
                    ));
                }
                None => {}
            }
        }

        let names = scope::change_names(c);
        if let Some(f) = failure::own_failure(&self.failures, &names, t, onset_t, grace) {
            factors.push(factor(
                f.ratio,
                Fact::OwnFailure {
                    name: f.name,
                    signal: f.signal,
                    lines: f.lines,
                    after_change_s: f.after_change_s,
                    before: f.before,
                },
                vec![f.first.clone()],
            ));
        }

        let fingerprint_total: u64 = self.words.total.max(1);
        let mut diminish = 1.0;
        for m in matches.iter().take(4) {
            let frac = (m.count as f64 / fingerprint_total as f64).min(1.0);
            // A traceback naming a file is specific even in a few errors; an
            // endpoint or host says something only where the errors gather on it.
            let spread = match m.what {
                NameKind::Endpoint | NameKind::Host => frac * frac,
                _ => 0.5 + 0.5 * frac,
            };
            let full = 1.0 + 40.0 * m.strength * m.strength * spread;
            factors.push(factor(
                1.0 + (full - 1.0) * diminish,
                Fact::ErrorsName { name: m.name.clone(), what: m.what, errors: m.count, in_traces: m.traces },
                m.first.and_then(|i| self.ctx.cite(i)).into_iter().collect(),
            ));
            diminish /= 4.0;
        }
        if let Some((ids, errors, first)) = self.words.diff_matches(c, matches) {
            let frac = (errors as f64 / fingerprint_total as f64).min(1.0);
            // Big diffs match by chance more often.
            let specificity = 1.0 / (1.0 + c.identifiers.len() as f64 / 200.0);
            let s = (0.3 + frac).min(1.0) * specificity;
            factors.push(factor(
                1.0 + (30.0 * s) * diminish.clamp(0.25, 1.0),
                Fact::DiffInErrors { identifiers: ids.into_iter().take(5).collect(), errors },
                self.ctx.cite(first).into_iter().collect(),
            ));
        }

        let mut scope_legacy = if c.service.is_some() { 0.1 } else { 0.5 };
        if !names.is_empty() && !self.failing.is_empty() {
            let found = scope::matching(&names, &self.failing);
            let matched = found.map(|(raw, _)| raw);
            scope_legacy = match (matched.is_some(), c.service.is_some()) {
                (true, true) => 1.0,
                (true, false) => 0.8,
                (false, true) => 0.1,
                (false, false) => 0.5,
            };
            let ratio = scope::ratio(matched.is_some(), self.scope_share);
            factors.push(factor(
                if found.is_some_and(|(_, exact)| !exact) { ratio.sqrt() } else { ratio },
                Fact::Scope {
                    service: names.first().cloned().unwrap_or_default(),
                    matched: matched.map(str::to_string),
                    failing: self.failing.iter().map(|(_, raw)| raw.clone()).take(8).collect(),
                },
                Vec::new(),
            ));
        }

        if let Some(sig) = &self.infra {
            let touched = infra::touches(c, sig.class);
            factors.push(factor(
                infra::ratio(touched, sig.share),
                Fact::Infrastructure { class: sig.class, share: round3(sig.share), touched },
                vec![sig.example.clone()],
            ));
        }

        let weight = P_CHANGE * factors.iter().map(|f| f.ratio).product::<f64>();
        let mut citations = vec![cite_change(lc)];
        for cit in factors.iter().flat_map(|f| &f.citations) {
            if !citations.iter().any(|x| x.file == cit.file && x.line == cit.line && x.offset == cit.offset) {
                citations.push(cit.clone());
            }
        }
        let overlap = 1.0 - matches.iter().map(|m| 1.0 - m.strength).product::<f64>();
        let suspect = Suspect {
            change_id: c.id.clone(),
            score: 0.0,
            summary: String::new(),
            time: c.time,
            evidence: Vec::new(),
            factors: SuspectFactors {
                time: round3(if before_onset { 1.0 / (1.0 + (before_s.max(0) as f64) / 1800.0) } else { 0.0 }),
                overlap: round3(overlap),
                recovery: round3(recovery_legacy),
                scope: round3(scope_legacy),
            },
            citations,
            ranked_lower_because: None,
            service: c.service.clone(),
            author: c.author.clone(),
            files: c.files.clone(),
            message: c.message.clone(),
            verdict: Verdict::Unlikely,
            explanation: factors,
            ranked_below: None,
        };
        (weight, suspect)
    }

    /// The "no change did it" hypothesis and what speaks for it.
    fn no_change(&self, suspects: &[Suspect], posterior: f64, onset_t: i64) -> NoChange {
        let mut facts = Vec::new();
        let before: Vec<&Suspect> = suspects.iter().filter(|s| s.time.timestamp() <= onset_t + 30).collect();
        if before.is_empty() {
            facts.push(NoChangeFact::NoCandidates);
        }
        if let Some(sig) = &self.infra {
            let untouched = before
                .iter()
                .all(|s| !s.explanation.iter().any(|f| matches!(f.fact, Fact::Infrastructure { touched: true, .. })));
            if untouched {
                facts.push(NoChangeFact::Infrastructure {
                    class: sig.class,
                    share: round3(sig.share),
                    example: sig.example.clone(),
                });
            }
        }
        let undone = suspects
            .iter()
            .any(|s| s.explanation.iter().any(|f| matches!(f.fact, Fact::Undone { .. }) && f.ratio > 1.0));
        if self.recovered.is_some() && self.covered && !undone && !before.is_empty() {
            facts.push(NoChangeFact::NothingUndone);
        }
        if let Some(nearest) = before.iter().map(|s| onset_t - s.time.timestamp()).min() {
            if nearest >= FAR_S {
                facts.push(NoChangeFact::AllFar { nearest_before_onset_s: nearest });
            }
        }
        NoChange {
            posterior,
            best: suspects.first().map(|s| s.change_id.clone()),
            facts,
            signature: lead_signature(self.incident),
            onset: self.incident.onset_citation.clone(),
        }
    }
}

/// The factor of the old score's recovery: full within five minutes before
/// the recovery, fading over ten more; after it, weak.
fn legacy_alignment(t: i64, recovered: Option<i64>) -> f64 {
    match recovered {
        None => 0.0,
        Some(r) if t <= r + 120 => (-(((r - t - 300).max(0)) as f64) / 600.0).exp(),
        Some(_) => 0.1,
    }
}

/// The signature an analyst should start from: a new exception or error
/// message says more than the 500 it produced.
fn lead_signature(incident: &Incident) -> Option<LeadSignature> {
    let sigs = &incident.signatures;
    let sig = sigs
        .iter()
        .find(|s| s.new && !s.template.starts_with("HTTP "))
        .or_else(|| sigs.iter().find(|s| s.new))
        .or_else(|| sigs.iter().find(|s| !s.template.starts_with("HTTP ")))
        .or_else(|| sigs.first())?;
    Some(LeadSignature {
        template: sig.template.clone(),
        new: sig.new,
        count: sig.count,
        first: sig.first,
        host: sig.hosts.first().cloned(),
        endpoint: sig.endpoints.first().or(incident.endpoints.first()).cloned(),
        example: sig.example.clone(),
    })
}

/// The product of a suspect's ratios of one kind (1 without any).
pub(crate) fn kind_ratio(s: &Suspect, kind: FactKind) -> f64 {
    s.explanation.iter().filter(|f| f.fact.kind() == kind).map(|f| f.ratio).product()
}

const KINDS: [FactKind; 9] = [
    FactKind::AfterOnset,
    FactKind::Timing,
    FactKind::Undone,
    FactKind::NotUndone,
    FactKind::OwnFailure,
    FactKind::ErrorsName,
    FactKind::DiffInErrors,
    FactKind::Scope,
    FactKind::Infrastructure,
];

fn explain_ranks(out: &mut [Suspect]) {
    let Some(top) = out.first().cloned() else { return };
    for s in out.iter_mut().skip(1) {
        if kind_ratio(s, FactKind::AfterOnset) < 1.0 {
            // Nothing else matters about a change made after the onset.
            let shortfall = Shortfall { kind: FactKind::AfterOnset, ratio: timing::AFTER_ONSET_RATIO, top_ratio: 1.0 };
            s.ranked_below = Some(RankedBelow { top: top.change_id.clone(), shortfalls: vec![shortfall] });
            continue;
        }
        let mut shortfalls: Vec<Shortfall> = KINDS
            .iter()
            .map(|&kind| Shortfall {
                kind,
                ratio: round_ratio(kind_ratio(s, kind)),
                top_ratio: round_ratio(kind_ratio(&top, kind)),
            })
            .filter(|f| f.top_ratio >= 2.0 * f.ratio && f.ratio > 0.0)
            .collect();
        shortfalls.sort_by(|a, b| (b.top_ratio / b.ratio).total_cmp(&(a.top_ratio / a.ratio)));
        s.ranked_below = Some(RankedBelow { top: top.change_id.clone(), shortfalls });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_keep_three_significant_digits() {
        assert_eq!(round_ratio(38.6421), 38.6);
        assert_eq!(round_ratio(0.0012345), 0.00123);
        assert_eq!(round_ratio(1234.5), 1230.0);
        assert_eq!(round_ratio(f64::NAN), 0.0);
    }
}
