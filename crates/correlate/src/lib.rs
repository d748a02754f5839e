//! Incident onset and recovery, error signatures, ranked root-cause suspects,
//! milestones and metrics.
//!
//! [`analyze`] reads a [`CaseData`] (per-second counts plus the notable
//! records, changes, support messages and alerts) and produces the
//! [`Analysis`] the CLI prints and the exporters render:
//!
//! 1. [`events`] turns notable records into error events (5xx responses,
//!    error-or-worse records, exceptions) and clusters them into
//!    [`signature`]s (masking + Drain-like merging; a traceback is keyed by
//!    its final exception line and deepest frames).
//! 2. [`client_errors`] admits surges of 4xx responses far above their own
//!    baseline and spread over many clients as errors.
//! 3. [`incident`] runs a Poisson likelihood-ratio scan ([`changepoint`]) per
//!    signature and over all errors ([`streams`]), with traffic as exposure,
//!    finds every significant window, widens each over a ramp or a tail,
//!    merges the signatures that change together and the stretches that
//!    come and go into incidents, and places each one's onset and recovery on
//!    individual errors. The most severe is analyzed unless another is asked for.
//! 4. [`suspects`] gives every change in the look-back window a posterior
//!    probability of having caused the incident, from likelihood ratios of
//!    timing, undo, own failure, names in the errors, scope and
//!    infrastructure evidence, against "no change did it".
//! 5. [`milestones`] builds the timeline and the metrics; [`series`] the chart.
//! 6. [`novelty`] ranks what rose in the incident against a baseline;
//!    [`clock`] suggests offsets for sources whose clocks disagree.
#![deny(missing_docs)]

pub mod changepoint;
pub mod client_errors;
pub mod clock;
#[cfg(test)]
mod detect_tests;
pub mod events;
pub mod incident;
pub mod lanes;
pub mod milestones;
pub mod novelty;
pub mod series;
pub mod signature;
mod streams;
pub mod suspects;

use faultline_model::{Analysis, CaseData, TimelineKind};

/// How to analyze.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelateOptions {
    /// How far before the onset a change is still a candidate. Default 24 h.
    pub lookback: chrono::Duration,
    /// Chart bucket width in seconds; `None` picks one giving ~200–400 buckets.
    pub bucket_seconds: Option<u32>,
    /// Which incident to analyze: its [`faultline_model::IncidentListing::number`]
    /// (1-based, in time order). `None`, or a number not found: the most severe.
    pub incident: Option<u32>,
    /// The window the incident is compared with for "what is new" (first
    /// and last instant). Default `None`: as long as the incident, just before its onset.
    pub baseline: Option<(faultline_model::Instant, faultline_model::Instant)>,
    /// Change sources that could not be read, in whole or in part: the
    /// cause may be among the changes they hold (see [`suspects::rank`]).
    pub unread_change_sources: u32,
}

impl Default for CorrelateOptions {
    fn default() -> Self {
        CorrelateOptions {
            lookback: chrono::Duration::hours(24),
            bucket_seconds: None,
            incident: None,
            baseline: None,
            unread_change_sources: 0,
        }
    }
}

/// Correlates a case: incident, suspects, timeline, metrics, lead and series.
pub fn analyze(case: &CaseData, opts: &CorrelateOptions) -> Analysis {
    analyze_events(case, events::extract(case), opts)
}

/// [`analyze`] with the error events already extracted: the engine streams
/// the notable records of a case through an [`events::Extractor`] and keeps
/// in [`CaseData::notable`] only what it says the analysis still needs.
pub fn analyze_events(case: &CaseData, extracted: events::Events, opts: &CorrelateOptions) -> Analysis {
    let mut extracted = extracted;
    client_errors::admit(case, &mut extracted);
    let (events, miner) = (&extracted.list, &extracted.miner);
    let mut analysis = Analysis {
        sources: case.sources.clone(),
        series: series::build(case, opts.bucket_seconds),
        ..Default::default()
    };
    let found: Vec<(incident::Detected, faultline_model::Incident)> = incident::detect_all(case, events)
        .into_iter()
        .filter_map(|d| incident::build(events, &d, miner).map(|i| (d, i)))
        .collect();
    let most_severe = (0..found.len()).max_by_key(|&k| {
        found.get(k).map(|(d, _)| (incident::size(events, d), std::cmp::Reverse(k))).unwrap_or_default()
    });
    let wanted = opts.incident.and_then(|n| usize::try_from(n).ok()?.checked_sub(1)).filter(|&k| k < found.len());
    let Some(chosen) = wanted.or(most_severe) else {
        analysis.timeline = quiet_timeline(case);
        clock::mark_timeline(&case.sources, &mut analysis.timeline);
        analysis.clock_suggestions = clock::suggest(case, &extracted, None);
        analysis.lanes = lanes::build(case, None, &analysis.timeline);
        return analysis;
    };
    analysis.incidents = found
        .iter()
        .enumerate()
        .map(|(k, (d, i))| faultline_model::IncidentListing {
            number: u32::try_from(k + 1).unwrap_or(u32::MAX),
            onset: i.onset,
            recovered: i.recovered,
            errors: incident::size(events, d),
            summary: i.summary.clone(),
            onset_citation: i.onset_citation.clone(),
            analyzed: k == chosen,
        })
        .collect();
    let Some((detected, incident)) = found.into_iter().nth(chosen) else {
        analysis.timeline = quiet_timeline(case);
        clock::mark_timeline(&case.sources, &mut analysis.timeline);
        analysis.clock_suggestions = clock::suggest(case, &extracted, None);
        analysis.lanes = lanes::build(case, None, &analysis.timeline);
        return analysis;
    };
    let suspects::Ranking { suspects, no_change } =
        suspects::rank(case, events, &detected, &incident, opts.lookback, opts.unread_change_sources);
    let (timeline, metrics) = milestones::build(&milestones::Inputs {
        case,
        events: &extracted,
        detected: &detected,
        incident: &incident,
        suspects: &suspects,
        lookback: opts.lookback,
    });
    // The lead's sentence is `faultline_report`'s to write, from these facts.
    if suspects.first().is_none_or(|s| s.score < suspects::NAMED) {
        analysis.no_change = Some(no_change);
    }
    let end = incident.recovered.unwrap_or_else(|| {
        chrono::DateTime::from_timestamp(detected.data_end, 0).unwrap_or(incident.onset).max(incident.onset)
    });
    analysis.novelty = Some(novelty::compare(case, &extracted, (incident.onset, end), opts.baseline));
    analysis.clock_suggestions = clock::suggest(case, &extracted, Some((incident.onset, end)));
    analysis.lanes = lanes::build(case, Some(&incident), &timeline);
    analysis.incident = Some(incident);
    analysis.suspects = suspects;
    analysis.timeline = timeline;
    clock::mark_timeline(&case.sources, &mut analysis.timeline);
    analysis.metrics = metrics;
    analysis
}

/// With no incident, the timeline still shows changes and alerts.
fn quiet_timeline(case: &CaseData) -> Vec<faultline_model::TimelineEntry> {
    let mut tl: Vec<faultline_model::TimelineEntry> = case
        .changes
        .iter()
        .map(|c| faultline_model::TimelineEntry {
            time: c.event.time,
            kind: TimelineKind::Change,
            source: case.sources.get(c.source as usize).map_or_else(|| "?".into(), |s| s.path.clone()),
            text: format!("{} {}", c.event.id, c.event.message.lines().next().unwrap_or("")),
            citation: Some(suspects::cite_change(c)),
            change_id: Some(c.event.id.clone()),
            suspect: false,
            clock_offset_ms: None,
        })
        .chain(case.alerts.iter().map(|a| faultline_model::TimelineEntry {
            time: a.event.time,
            kind: TimelineKind::Alert,
            source: case.sources.get(a.source as usize).map_or_else(|| "?".into(), |s| s.path.clone()),
            text: format!("Alert fired: {}", a.event.title),
            citation: Some(milestones::cite_alert(a)),
            change_id: None,
            suspect: false,
            clock_offset_ms: None,
        }))
        .collect();
    tl.sort_by_key(|e| e.time);
    tl
}

#[cfg(test)]
mod tests;
