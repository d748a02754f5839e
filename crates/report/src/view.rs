//! The view model every template renders.
//!
//! Everything a template could get wrong is decided here: times are already
//! in the display zone, durations are in words, the root cause is chosen,
//! suggestions are derived from the metrics. Templates only lay it out, so a
//! user's copy of a template cannot compute a different incident.

mod narrative;
mod words;

use crate::chart;
use faultline_model::time::Zone;
use faultline_model::{Analysis, Citation, Instant, SourceSummary, Suspect, TimelineEntry, TimelineKind};
use serde::Serialize;
use std::collections::HashSet;

use narrative::{
    detection_lines, durations, evidence, impact_lines, is_response, measures, prompts, resolution_paragraph,
    summary_paragraph, went_well, went_wrong, Facts,
};
pub(crate) use words::human_duration;
use words::{human_bytes, sentence_body, shorten, thousands};

/// Printed above every machine-suggested cause.
pub(crate) const DISCLAIMER: &str = "Suggested by Faultline — confirm before publishing";
/// A suspect at or above this posterior is named as the likely root cause.
const ROOT_CAUSE_SCORE: f64 = faultline_model::Verdict::NAMED;

#[derive(Debug, Serialize)]
pub(crate) struct View {
    pub title: String,
    pub generated_at: String,
    pub generated_at_utc: String,
    pub tool: String,
    /// The display zone's label, for headings (`UTC+3`).
    pub zone: String,
    pub redacted: bool,
    pub redaction_note: Option<String>,
    /// Paths in the report are relative to this folder.
    pub base_folder: Option<String>,
    pub disclaimer: &'static str,
    /// In place of a root cause when none is named: the best candidate and
    /// why, and, when a change source could not be read, that the cause may be there.
    pub no_change: String,
    /// What the analysis ran without, when it is partial.
    pub partial: Option<PartialView>,
    pub incident: Option<IncidentView>,
    /// The other incidents found in the inputs, in time order.
    pub other_incidents: Vec<OtherIncidentView>,
    /// The timeline spans more than one calendar day in the display zone.
    pub multi_day: bool,
    pub summary_paragraph: String,
    pub impact: Vec<String>,
    pub metrics: MetricsView,
    pub timeline: Vec<EntryView>,
    pub root_cause: Option<SuspectView>,
    pub lead: Option<String>,
    pub suspects: Vec<SuspectView>,
    pub other_suspects: Vec<SuspectView>,
    pub trigger: String,
    pub detection: Vec<String>,
    pub resolution: Vec<EntryView>,
    pub resolution_paragraph: String,
    pub durations: Vec<Labeled>,
    pub measures: Vec<Measure>,
    pub prompts: Vec<String>,
    pub went_well: Vec<String>,
    pub went_wrong: Vec<String>,
    pub responders: Vec<EntryView>,
    pub communications: Vec<EntryView>,
    pub evidence: Vec<EvidenceView>,
    pub sources: Vec<SourceView>,
    /// Inline SVG (HTML only; already escaped, emit with `|safe`).
    pub chart_svg: Option<String>,
    /// What rose in the incident against the baseline (none without an incident).
    pub what_is_new: Option<crate::insight::NoveltyView>,
    /// Offsets suggested for sources whose clocks seem off (never applied).
    pub clock_suggestions: Vec<crate::insight::ClockView>,
}

/// The inputs a partial analysis ran without.
#[derive(Debug, Serialize)]
pub(crate) struct PartialView {
    /// One sentence: how many inputs were not read, and what that means for the cause.
    pub summary: String,
    /// One line per input: path, what went wrong, lines kept searchable.
    pub inputs: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct IncidentView {
    pub summary: String,
    pub onset_time: String,
    pub onset_date: String,
    pub onset_when: String,
    pub onset_utc: String,
    pub recovered_when: Option<String>,
    pub recovered_utc: Option<String>,
    pub ongoing: bool,
    pub duration: Option<String>,
    pub endpoints: Vec<String>,
    pub services: Vec<String>,
    pub onset_citation: String,
    pub recovered_citation: Option<String>,
    pub signatures: Vec<SignatureView>,
}

/// An incident found besides the one the report is about.
#[derive(Debug, Serialize)]
pub(crate) struct OtherIncidentView {
    /// What `faultline analyze --incident N` takes.
    pub number: u32,
    /// `2026-11-24 09:12` in the display zone.
    pub onset: String,
    pub recovered: Option<String>,
    pub errors: u64,
    pub summary: String,
    pub onset_citation: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SignatureView {
    pub template: String,
    pub count: u64,
    pub new: bool,
    pub level: Option<String>,
    pub first_when: String,
    pub last_when: String,
    pub endpoints: Vec<String>,
    pub hosts: Vec<String>,
    pub modules: Vec<String>,
    pub example: String,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct MetricsView {
    pub errors: u64,
    pub affected_clients: u64,
    pub peak_errors_per_minute: u64,
    pub user_reports: u64,
    pub time_to_detect: Option<String>,
    pub time_to_first_report: Option<String>,
    pub time_to_recover: Option<String>,
    pub time_to_detect_s: Option<i64>,
    pub time_to_first_report_s: Option<i64>,
    pub time_to_recover_s: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct EntryView {
    pub time_utc: String,
    pub time_display: String,
    pub time: String,
    pub date: String,
    /// `11:20`, or `2026-11-24 11:20` when the incident spans days.
    pub when: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub source: String,
    pub text: String,
    pub citation: Option<String>,
    pub change_id: Option<String>,
    pub suspect: bool,
    /// The clock correction applied to the entry's source (`+40s`), if any.
    pub clock_offset: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SuspectView {
    pub rank: usize,
    pub change_id: String,
    pub score: f64,
    pub score_text: String,
    /// `likely root cause`, `possible` or `unlikely`: what the score says.
    pub verdict: &'static str,
    pub when: String,
    pub summary: String,
    pub service: Option<String>,
    pub author: Option<String>,
    pub files: Vec<String>,
    pub message: String,
    pub evidence: Vec<String>,
    pub citations: Vec<String>,
    pub ranked_lower_because: Option<String>,
    pub factors: Vec<Labeled>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Labeled {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Measure {
    /// `detection`, `prevention`, `mitigation` or `communication`.
    pub kind: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct EvidenceView {
    pub location: String,
    pub file: String,
    pub line: u64,
    pub text: String,
    /// Which claims of the report rest on this record.
    pub cited_for: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SourceView {
    pub path: String,
    pub kind: &'static str,
    pub format: String,
    pub records: u64,
    pub unparsed: u64,
    pub tz: String,
    pub bytes: u64,
    pub size: String,
    pub sha256: String,
    pub first: Option<String>,
    pub last: Option<String>,
    pub notes: Vec<String>,
}

/// Inputs to [`build`] beyond the analysis.
pub(crate) struct ViewOptions<'a> {
    pub zone: &'a Zone,
    pub title: Option<String>,
    pub generated_at: Instant,
    pub redaction_note: Option<String>,
    pub with_chart: bool,
    /// The folder all inputs share, left out of the paths shown.
    pub base_folder: Option<String>,
}

pub(crate) fn build(a: &Analysis, o: &ViewOptions) -> View {
    let zone = o.zone;
    let multi_day = spans_days(a, zone);
    let fmt = Fmt { zone, multi_day };

    let timeline: Vec<EntryView> = a.timeline.iter().map(|e| fmt.entry(e)).collect();
    let incident = a.incident.as_ref().map(|i| IncidentView {
        summary: i.summary.clone(),
        onset_time: fmt.time(i.onset),
        onset_date: fmt.date(i.onset),
        onset_when: fmt.when(i.onset),
        onset_utc: rfc3339_utc(i.onset),
        recovered_when: i.recovered.map(|r| fmt.when(r)),
        recovered_utc: i.recovered.map(rfc3339_utc),
        ongoing: i.recovered.is_none(),
        duration: i.recovered.map(|r| human_duration((r - i.onset).num_seconds())),
        endpoints: i.endpoints.clone(),
        services: i.services.clone(),
        onset_citation: i.onset_citation.location(),
        recovered_citation: i.recovered_citation.as_ref().map(Citation::location),
        signatures: i
            .signatures
            .iter()
            .map(|s| SignatureView {
                template: s.template.clone(),
                count: s.count,
                new: s.new,
                level: s.level.map(|l| format!("{l:?}").to_lowercase()),
                first_when: fmt.when(s.first),
                last_when: fmt.when(s.last),
                endpoints: s.endpoints.clone(),
                hosts: s.hosts.clone(),
                modules: s.modules.clone(),
                example: s.example.location(),
            })
            .collect(),
    });

    let root_idx = root_cause_index(&a.suspects);
    let top_score = a.suspects.first().map_or(0.0, |s| s.score);
    let suspects: Vec<SuspectView> =
        a.suspects.iter().enumerate().map(|(i, s)| fmt.suspect(i + 1, s, top_score)).collect();
    let root_cause = root_idx.and_then(|i| suspects.get(i).cloned());
    let other_suspects: Vec<SuspectView> =
        suspects.iter().enumerate().filter(|(i, _)| Some(*i) != root_idx).map(|(_, s)| s.clone()).collect();

    let m = &a.metrics;
    let metrics = MetricsView {
        errors: m.errors,
        affected_clients: m.affected_clients,
        peak_errors_per_minute: m.peak_errors_per_minute,
        user_reports: m.user_reports,
        time_to_detect: m.time_to_detect_s.map(human_duration),
        time_to_first_report: m.time_to_first_report_s.map(human_duration),
        time_to_recover: m.time_to_recover_s.map(human_duration),
        time_to_detect_s: m.time_to_detect_s,
        time_to_first_report_s: m.time_to_first_report_s,
        time_to_recover_s: m.time_to_recover_s,
    };

    let facts = Facts::gather(a);
    let no_change = no_change(a);
    let root_suspect = root_idx.and_then(|i| a.suspects.get(i));

    let title = o.title.clone().unwrap_or_else(|| match &a.incident {
        Some(i) => format!("Incident report — {}: {}", fmt.date(i.onset), shorten(&i.summary, 80)),
        None => "Incident report".to_string(),
    });

    View {
        title,
        generated_at: format!("{} {}", fmt.date_time(o.generated_at), zone.label()),
        generated_at_utc: rfc3339_utc(o.generated_at),
        tool: format!("Faultline {}", env!("CARGO_PKG_VERSION")),
        zone: zone.label(),
        redacted: o.redaction_note.is_some(),
        redaction_note: o.redaction_note.clone(),
        base_folder: o.base_folder.clone(),
        disclaimer: DISCLAIMER,
        no_change: no_change.clone(),
        partial: partial(a),
        multi_day,
        incident,
        other_incidents: a
            .incidents
            .iter()
            .filter(|i| !i.analyzed)
            .map(|i| OtherIncidentView {
                number: i.number,
                onset: fmt.date_time(i.onset),
                recovered: i.recovered.map(|r| fmt.date_time(r)),
                errors: i.errors,
                summary: i.summary.clone(),
                onset_citation: i.onset_citation.location(),
            })
            .collect(),
        summary_paragraph: summary_paragraph(a, &fmt),
        impact: impact_lines(a),
        metrics,
        root_cause,
        lead: match &a.no_change {
            Some(nc) => Some(crate::explain::lead(nc, &|t| fmt.when(t))),
            None => a.lead.clone(),
        },
        other_suspects,
        trigger: match root_suspect {
            // What the change was: the typed summary's reasons belong to the root cause section.
            Some(s) if !s.explanation.is_empty() => format!(
                "{} at {} ({}).",
                sentence_body(s.message.lines().next().unwrap_or("").trim()),
                fmt.when(s.time),
                s.change_id
            ),
            Some(s) => format!("{} at {} ({}).", sentence_body(&s.summary), fmt.when(s.time), s.change_id),
            None => format!("Unknown. {no_change}"),
        },
        detection: detection_lines(a, &facts, &fmt),
        resolution: a.timeline.iter().filter(|e| is_response(e, a)).map(|e| fmt.entry(e)).collect(),
        resolution_paragraph: resolution_paragraph(a, &fmt),
        durations: durations(a, &facts),
        measures: measures(a, &facts, root_suspect, &fmt),
        prompts: prompts(root_suspect.is_some()),
        went_well: went_well(a, &facts),
        went_wrong: went_wrong(a, &facts),
        responders: a
            .timeline
            .iter()
            .filter(|e| matches!(e.kind, TimelineKind::Ack | TimelineKind::Alert))
            .map(|e| fmt.entry(e))
            .collect(),
        communications: a
            .timeline
            .iter()
            .filter(|e| e.kind == TimelineKind::Communication)
            .map(|e| fmt.entry(e))
            .collect(),
        evidence: evidence(a, root_idx, &fmt),
        sources: a.sources.iter().map(|s| fmt.source(s)).collect(),
        suspects,
        timeline,
        chart_svg: o.with_chart.then(|| chart::render(a, zone, 880, 300, false)),
        what_is_new: a.novelty.as_ref().map(|n| crate::insight::novelty(n, &|t| fmt.date_time(t))),
        clock_suggestions: a.clock_suggestions.iter().map(crate::insight::clock).collect(),
    }
}

/// The top suspect if it reaches the bar. The contract lists suspects best
/// first; taking the maximum anyway keeps a mis-sorted input from naming the
/// wrong change.
fn root_cause_index(suspects: &[Suspect]) -> Option<usize> {
    suspects
        .iter()
        .enumerate()
        .filter(|(_, s)| s.score.is_finite() && s.score >= ROOT_CAUSE_SCORE)
        .max_by(|(ia, a), (ib, b)| a.score.total_cmp(&b.score).then(ib.cmp(ia)))
        .map(|(i, _)| i)
}

struct Fmt<'a> {
    zone: &'a Zone,
    multi_day: bool,
}

impl Fmt<'_> {
    fn local(&self, t: Instant) -> chrono::DateTime<chrono::FixedOffset> {
        t.with_timezone(&self.zone.offset_at(t))
    }
    fn time(&self, t: Instant) -> String {
        self.local(t).format("%H:%M").to_string()
    }
    fn date(&self, t: Instant) -> String {
        self.local(t).format("%Y-%m-%d").to_string()
    }
    fn date_time(&self, t: Instant) -> String {
        self.local(t).format("%Y-%m-%d %H:%M").to_string()
    }
    fn when(&self, t: Instant) -> String {
        if self.multi_day {
            self.date_time(t)
        } else {
            self.time(t)
        }
    }

    fn entry(&self, e: &TimelineEntry) -> EntryView {
        EntryView {
            time_utc: rfc3339_utc(e.time),
            time_display: self.zone.format_rfc3339(e.time),
            time: self.time(e.time),
            date: self.date(e.time),
            when: self.when(e.time),
            kind: kind_name(e.kind),
            kind_label: kind_label(e.kind),
            source: e.source.clone(),
            text: e.text.clone(),
            citation: e.citation.as_ref().map(Citation::location),
            change_id: e.change_id.clone(),
            suspect: e.suspect,
            clock_offset: e.clock_offset_ms.map(faultline_model::clock::format_offset),
        }
    }

    fn suspect(&self, rank: usize, s: &Suspect, top_score: f64) -> SuspectView {
        let score = if s.score.is_finite() { (s.score * 100.0).round() / 100.0 } else { 0.0 };
        let f = &s.factors;
        // Analyses with typed facts are worded here, the same words as the
        // JSON's; older ones keep the text they carry.
        let typed = !s.explanation.is_empty();
        SuspectView {
            rank,
            change_id: s.change_id.clone(),
            score,
            score_text: format!("{score:.2}"),
            verdict: crate::explain::verdict(faultline_model::Verdict::of(s.score)),
            when: self.when(s.time),
            summary: if typed { crate::explain::summary(s) } else { s.summary.clone() },
            service: s.service.clone(),
            author: s.author.clone(),
            files: s.files.clone(),
            message: s.message.lines().next().unwrap_or_default().to_string(),
            evidence: if typed {
                s.explanation.iter().map(crate::explain::factor).collect()
            } else {
                s.evidence.clone()
            },
            citations: s.citations.iter().map(Citation::location).collect(),
            ranked_lower_because: if typed {
                crate::explain::ranked_lower(s, top_score)
            } else {
                s.ranked_lower_because.clone()
            },
            factors: [("time", f.time), ("overlap", f.overlap), ("recovery", f.recovery), ("scope", f.scope)]
                .iter()
                .map(|(l, v)| Labeled { label: (*l).to_string(), value: format!("{v:.2}") })
                .collect(),
        }
    }

    fn source(&self, s: &SourceSummary) -> SourceView {
        SourceView {
            path: s.path.clone(),
            kind: s.kind.as_str(),
            format: s.format.clone(),
            records: s.records,
            unparsed: s.unparsed,
            tz: s.tz.clone(),
            bytes: s.bytes,
            size: human_bytes(s.bytes),
            sha256: s.sha256.clone(),
            first: s.first.map(|t| self.date_time(t)),
            last: s.last.map(|t| self.date_time(t)),
            notes: s.shown_notes(),
        }
    }
}

/// Change sources the analysis could not read (in whole or in part).
fn unread_change_sources(a: &Analysis) -> Vec<&str> {
    a.unread.iter().filter(|u| u.kind == faultline_model::SourceKind::Deploys).map(|u| u.path.as_str()).collect()
}

/// Never a silent "no change": when a change source could not be read, the cause may be in it.
fn no_change(a: &Analysis) -> String {
    let sentence = crate::explain::no_change_sentence(&a.suspects);
    let unread = unread_change_sources(a);
    if unread.is_empty() {
        return sentence;
    }
    format!(
        "{sentence} Only the inputs that could be read were weighed: {} could not be read ({}), and the cause may be there.",
        if unread.len() == 1 { "a change source".to_string() } else { format!("{} change sources", unread.len()) },
        unread.join(", ")
    )
}

pub(crate) fn partial(a: &Analysis) -> Option<PartialView> {
    if !a.partial && a.unread.is_empty() {
        return None;
    }
    let n = a.unread.len() as u64;
    let changes = !unread_change_sources(a).is_empty();
    Some(PartialView {
        summary: format!(
            "This analysis ran without {} it was given{}; each is named below, its lines kept searchable.",
            if n == 1 { "an input".to_string() } else { format!("{n} inputs") },
            if changes { ", among them change history: a suspect may be missing" } else { "" }
        ),
        inputs: a.unread.iter().map(unread_line).collect(),
    })
}

/// One line for the analyst: an input the analysis ran without, why, and its unparsed lines.
pub fn unread_line(u: &faultline_model::UnreadInput) -> String {
    use faultline_model::UnreadCause as C;
    let what = match u.cause {
        C::NotRecognized => format!("given as {}, but not recognized", u.kind.as_str()),
        C::ReadFailed => format!("could not be read as {}", u.format.as_deref().unwrap_or("its format")),
        C::ReadInPart => format!("read only in part as {}", u.format.as_deref().unwrap_or("its format")),
        C::NothingRead => format!("no {} entry could be read from it", u.kind.as_str()),
        C::Interrupted => "its reading was interrupted".to_string(),
        C::Reading => "still being read".to_string(),
    };
    let lines = if u.unparsed > 0 { format!("; {} unparsed lines", thousands(u.unparsed)) } else { String::new() };
    format!("{}: {what} ({}){lines}", u.path, u.reason)
}

fn spans_days(a: &Analysis, zone: &Zone) -> bool {
    let mut days = HashSet::new();
    let fmt = Fmt { zone, multi_day: false };
    for t in a
        .timeline
        .iter()
        .map(|e| e.time)
        .chain(a.incident.iter().flat_map(|i| std::iter::once(i.onset).chain(i.recovered)))
    {
        days.insert(fmt.date(t));
    }
    days.len() > 1
}

pub(crate) fn kind_name(k: TimelineKind) -> &'static str {
    match k {
        TimelineKind::Change => "change",
        TimelineKind::ErrorOnset => "error_onset",
        TimelineKind::UserReport => "user_report",
        TimelineKind::Alert => "alert",
        TimelineKind::Ack => "ack",
        TimelineKind::Restart => "restart",
        TimelineKind::Fix => "fix",
        TimelineKind::Recovery => "recovery",
        TimelineKind::Communication => "communication",
        TimelineKind::Note => "note",
    }
}

fn kind_label(k: TimelineKind) -> &'static str {
    match k {
        TimelineKind::Change => "Change",
        TimelineKind::ErrorOnset => "Errors start",
        TimelineKind::UserReport => "User report",
        TimelineKind::Alert => "Alert",
        TimelineKind::Ack => "Acknowledged",
        TimelineKind::Restart => "Restart",
        TimelineKind::Fix => "Fix",
        TimelineKind::Recovery => "Recovery",
        TimelineKind::Communication => "Communication",
        TimelineKind::Note => "Note",
    }
}

pub(crate) fn rfc3339_utc(t: Instant) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
