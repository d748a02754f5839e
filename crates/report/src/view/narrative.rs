//! The postmortem's prose: the milestones every section agrees on, and the
//! summary, detection, resolution, measures and evidence worded from them.

use super::words::{continue_sentence, human_duration, plural, sentence_body, thousands};
use super::{EvidenceView, Fmt, Labeled, Measure};
use faultline_model::{Analysis, Citation, Instant, Suspect, TimelineEntry, TimelineKind};

/// Milestones picked from the timeline once, so every section agrees.
pub(super) struct Facts {
    first_alert: Option<TimelineEntry>,
    first_report: Option<TimelineEntry>,
    first_fix: Option<TimelineEntry>,
    first_restart: Option<TimelineEntry>,
    first_comm: Option<TimelineEntry>,
    recovered: Option<Instant>,
    onset: Option<Instant>,
    http_5xx: bool,
}

impl Facts {
    pub(super) fn gather(a: &Analysis) -> Facts {
        let onset = a.incident.as_ref().map(|i| i.onset);
        let after_onset = |e: &&TimelineEntry| onset.is_none_or(|o| e.time >= o);
        let first = |k: TimelineKind| {
            a.timeline.iter().filter(after_onset).filter(|e| e.kind == k).min_by_key(|e| e.time).cloned()
        };
        let window = a.incident.as_ref().map(|i| (i.onset, i.recovered));
        let http_5xx = a.series.buckets.iter().any(|b| {
            b.http_5xx > 0
                && window
                    .is_none_or(|(o, r)| b.start >= o - chrono::Duration::minutes(1) && r.is_none_or(|r| b.start <= r))
        });
        Facts {
            first_alert: first(TimelineKind::Alert),
            // A user report may precede the onset the logs show; it still counts.
            first_report: a
                .timeline
                .iter()
                .filter(|e| e.kind == TimelineKind::UserReport)
                .min_by_key(|e| e.time)
                .cloned(),
            first_fix: first(TimelineKind::Fix),
            first_restart: first(TimelineKind::Restart),
            first_comm: first(TimelineKind::Communication),
            recovered: a.incident.as_ref().and_then(|i| i.recovered),
            onset,
            http_5xx,
        }
    }

    fn first_error_word(&self) -> &'static str {
        if self.http_5xx {
            "the first 500"
        } else {
            "the first error"
        }
    }
}

pub(super) fn summary_paragraph(a: &Analysis, fmt: &Fmt) -> String {
    let Some(i) = &a.incident else {
        return "No incident was found in the inputs: the error rate stayed at its baseline.".into();
    };
    let mut s = format!(
        "Starting at {} on {} ({}): {}.",
        fmt.time(i.onset),
        fmt.date(i.onset),
        fmt.zone.label(),
        sentence_body(&i.summary)
    );
    match i.recovered {
        Some(r) => s.push_str(&format!(
            " The incident lasted {}, until {}.",
            human_duration((r - i.onset).num_seconds()),
            fmt.when(r)
        )),
        None => s.push_str(" It was still ongoing at the end of the inputs."),
    }
    let m = &a.metrics;
    s.push_str(&format!(
        " It caused {} seen by {} (peak {} per minute) and {}.",
        plural(m.errors, "error", "errors"),
        plural(m.affected_clients, "client", "clients"),
        thousands(m.peak_errors_per_minute),
        plural(m.user_reports, "user report", "user reports"),
    ));
    if !i.endpoints.is_empty() {
        s.push_str(&format!(
            " Failing endpoints: {}.",
            i.endpoints.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if !i.services.is_empty() {
        s.push_str(&format!(
            " Affected services: {}.",
            i.services.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    s.push_str(&other_incidents_sentence(a, fmt));
    s
}

/// " The inputs hold 1 other incident: …", or nothing.
fn other_incidents_sentence(a: &Analysis, fmt: &Fmt) -> String {
    let others: Vec<String> = a
        .incidents
        .iter()
        .filter(|i| !i.analyzed)
        .map(|i| {
            format!(
                "#{} from {} {} ({})",
                i.number,
                fmt.date_time(i.onset),
                match i.recovered {
                    Some(r) => format!("to {}", fmt.date_time(r)),
                    None => "still ongoing at the end of the inputs".to_string(),
                },
                plural(i.errors, "error", "errors"),
            )
        })
        .collect();
    if others.is_empty() {
        return String::new();
    }
    let this = a.incidents.iter().find(|i| i.analyzed).map_or(0, |i| i.number);
    format!(
        " This report is about incident #{this} of {}; the inputs also hold {}: {} (faultline analyze --incident N reports on another).",
        a.incidents.len(),
        if others.len() == 1 { "another".to_string() } else { format!("{} others", others.len()) },
        others.join("; ")
    )
}

pub(super) fn impact_lines(a: &Analysis) -> Vec<String> {
    let m = &a.metrics;
    let mut v = vec![
        format!(
            "{} belonging to the incident (peak {} per minute)",
            plural(m.errors, "error", "errors"),
            thousands(m.peak_errors_per_minute)
        ),
        format!("{} saw an error", plural(m.affected_clients, "distinct client", "distinct clients")),
        format!("{} about the symptom", plural(m.user_reports, "user report", "user reports")),
    ];
    if let Some(i) = &a.incident {
        match i.recovered {
            Some(r) => v.push(format!("Duration: {}", human_duration((r - i.onset).num_seconds()))),
            None => v.push("Duration: still ongoing at the end of the inputs".into()),
        }
    }
    v
}

pub(super) fn detection_lines(a: &Analysis, f: &Facts, fmt: &Fmt) -> Vec<String> {
    let mut v = Vec::new();
    if a.incident.is_none() {
        return v;
    }
    match (&f.first_alert, a.metrics.time_to_detect_s) {
        (Some(e), Some(ttd)) => v.push(format!(
            "The first alert fired at {}, {} after the onset: {}.",
            fmt.when(e.time),
            human_duration(ttd),
            sentence_body(&e.text)
        )),
        (Some(e), None) => {
            v.push(format!("The first alert fired at {}: {}.", fmt.when(e.time), sentence_body(&e.text)))
        }
        (None, _) => v.push("No alert or page fired in the inputs.".into()),
    }
    if let Some(r) = &f.first_report {
        let after = a
            .metrics
            .time_to_first_report_s
            .map(|s| format!(", {} after the onset", human_duration(s)))
            .unwrap_or_default();
        v.push(format!("The first user report came at {}{}: {}.", fmt.when(r.time), after, sentence_body(&r.text)));
        if users_first(a, f) {
            v.push("Users noticed before monitoring did.".into());
        }
    }
    v
}

fn users_first(a: &Analysis, f: &Facts) -> bool {
    match (&f.first_report, &f.first_alert) {
        (Some(r), Some(al)) => r.time < al.time,
        (Some(_), None) => a.incident.is_some(),
        _ => false,
    }
}

pub(super) fn is_response(e: &TimelineEntry, a: &Analysis) -> bool {
    let after_onset = a.incident.as_ref().is_none_or(|i| e.time >= i.onset);
    after_onset
        && matches!(
            e.kind,
            TimelineKind::Ack
                | TimelineKind::Fix
                | TimelineKind::Restart
                | TimelineKind::Recovery
                | TimelineKind::Communication
                | TimelineKind::Note
        )
}

pub(super) fn resolution_paragraph(a: &Analysis, fmt: &Fmt) -> String {
    let steps: Vec<String> = a
        .timeline
        .iter()
        .filter(|e| is_response(e, a) && e.kind != TimelineKind::Ack)
        .map(|e| format!("At {}, {}.", fmt.when(e.time), continue_sentence(&e.text)))
        .collect();
    let mut s = if steps.is_empty() {
        "The inputs hold no fix, restart or recovery record: describe what was done.".to_string()
    } else {
        steps.join(" ")
    };
    let recovery_told = a.timeline.iter().any(|e| e.kind == TimelineKind::Recovery && is_response(e, a));
    if let Some(i) = &a.incident {
        match i.recovered {
            Some(_) if recovery_told => {}
            Some(r) => s.push_str(&format!(" Errors were back at baseline at {}.", fmt.when(r))),
            None => s.push_str(" Errors had not returned to baseline by the end of the inputs."),
        }
    }
    s
}

pub(super) fn durations(a: &Analysis, f: &Facts) -> Vec<Labeled> {
    let m = &a.metrics;
    let mut v = Vec::new();
    let mut push = |label: &str, secs: Option<i64>| {
        if let Some(s) = secs {
            v.push(Labeled { label: label.to_string(), value: human_duration(s) });
        }
    };
    push("Time to detect (onset → first alert)", m.time_to_detect_s);
    push("Time to first user report", m.time_to_first_report_s);
    push(
        "Page → fix",
        f.first_alert
            .as_ref()
            .zip(f.first_fix.as_ref())
            .map(|(al, fx)| (fx.time - al.time).num_seconds())
            .filter(|s| *s >= 0),
    );
    push(
        "Fix → recovery",
        f.first_fix.as_ref().zip(f.recovered).map(|(fx, r)| (r - fx.time).num_seconds()).filter(|s| *s >= 0),
    );
    push("Time to recover (onset → baseline)", m.time_to_recover_s);
    v
}

fn is_config_change(s: &Suspect) -> bool {
    const EXT: [&str; 10] = [".yml", ".yaml", ".json", ".toml", ".ini", ".conf", ".cfg", ".env", ".properties", ".xml"];
    let words = format!("{} {}", s.summary, s.message).to_lowercase();
    s.files.iter().any(|f| {
        let f = f.to_lowercase();
        EXT.iter().any(|e| f.ends_with(e)) || f.contains("config") || f.contains("settings")
    }) || words.contains("config")
}

/// Suggestions that follow from what the data shows, most urgent first.
pub(super) fn measures(a: &Analysis, f: &Facts, root: Option<&Suspect>, fmt: &Fmt) -> Vec<Measure> {
    let mut v = Vec::new();
    if a.incident.is_none() {
        return v;
    }
    let five_xx = f.http_5xx;
    let ratio = if five_xx { "the 5xx ratio" } else { "the error rate" };
    match (a.metrics.time_to_detect_s, &f.first_alert) {
        (Some(ttd), _) if ttd >= 10 * 60 => v.push(Measure {
            kind: "detection",
            text: format!(
                "Detection: the first page came {} after {}: alert on {} so a failure like this pages within minutes.",
                human_duration(ttd),
                f.first_error_word(),
                ratio
            ),
        }),
        (None, None) => v.push(Measure {
            kind: "detection",
            text: format!("Detection: no alert fired during the incident: add an alert on {ratio}."),
        }),
        _ => {}
    }
    if users_first(a, f) {
        let lead = match (&f.first_report, &f.first_alert) {
            (Some(r), Some(al)) => format!(
                " (the first report came {} before the first page)",
                human_duration((al.time - r.time).num_seconds())
            ),
            _ => String::new(),
        };
        v.push(Measure {
            kind: "detection",
            text: format!("Detection: users noticed before monitoring did{lead}: route support reports of errors to the on-call channel and alert on the symptom users see."),
        });
    }
    if let Some(s) = root {
        if is_config_change(s) {
            v.push(Measure {
                kind: "prevention",
                text: format!(
                    "Prevention: review and canary config pushes: the suggested root cause is a configuration change ({}, {}). Validate configs against their dependents before they ship and roll them out to a canary first.",
                    s.change_id,
                    fmt.when(s.time)
                ),
            });
        } else {
            v.push(Measure {
                kind: "prevention",
                text: format!(
                    "Prevention: canary deploys and watch {ratio} after each one: the suggested root cause is change {} at {}; an automatic rollback on an error spike would have limited the impact.",
                    s.change_id,
                    fmt.when(s.time)
                ),
            });
        }
        if let Some(i) = &a.incident {
            if let Some(ep) = i.endpoints.first() {
                v.push(Measure {
                    kind: "prevention",
                    text: format!(
                        "Prevention: add a post-change smoke test of {ep}, which failed throughout the incident."
                    ),
                });
            }
        }
    }
    if let (Some(al), Some(fx)) = (&f.first_alert, &f.first_fix) {
        let secs = (fx.time - al.time).num_seconds();
        if secs >= 30 * 60 {
            v.push(Measure {
                kind: "mitigation",
                text: format!(
                    "Mitigation: the fix came {} after the page: a documented rollback for recent changes would shorten this.",
                    human_duration(secs)
                ),
            });
        }
    }
    if let (Some(fx), Some(rs)) = (&f.first_fix, &f.first_restart) {
        if rs.time > fx.time {
            v.push(Measure {
                kind: "mitigation",
                text: format!(
                    "Mitigation: the fix at {} took effect only after the restart at {}: make the restart part of the fix procedure, or reload configuration without one.",
                    fmt.when(fx.time),
                    fmt.when(rs.time)
                ),
            });
        }
    }
    if a.metrics.user_reports > 0 {
        match (&f.first_comm, &f.first_alert) {
            (None, _) => v.push(Measure {
                kind: "communication",
                text: format!("Communication: {} came in and no message to users is in the inputs: post a status update as soon as an incident is confirmed.", plural(a.metrics.user_reports, "user report", "user reports")),
            }),
            (Some(c), Some(al)) if (c.time - al.time).num_seconds() >= 30 * 60 => v.push(Measure {
                kind: "communication",
                text: format!(
                    "Communication: users were first told at {}, {} after the page: post a status update as soon as an incident is confirmed.",
                    fmt.when(c.time),
                    human_duration((c.time - al.time).num_seconds())
                ),
            }),
            _ => {}
        }
    }
    v
}

pub(super) fn prompts(has_cause: bool) -> Vec<String> {
    let mut v = vec![
        "Who owns each action item, and by when will it be done?".to_string(),
        "What would have caught this before users did?".to_string(),
    ];
    if has_cause {
        v.insert(
            0,
            "Confirm the suggested cause: what made the change unsafe, and why did review not catch it?".into(),
        );
    } else {
        v.insert(0, "What changed that the inputs do not show (infrastructure, dependencies, traffic, data)?".into());
    }
    v
}

pub(super) fn went_well(a: &Analysis, f: &Facts) -> Vec<String> {
    let mut v = Vec::new();
    if let (Some(fx), Some(r)) = (&f.first_fix, f.recovered) {
        let secs = (r - fx.time).num_seconds();
        if secs >= 0 {
            v.push(format!("Errors were back at baseline {} after the fix.", human_duration(secs)));
        }
    }
    if let Some(ttd) = a.metrics.time_to_detect_s {
        if ttd < 10 * 60 {
            v.push(format!("Monitoring paged {} after the onset.", human_duration(ttd)));
        }
    }
    v
}

pub(super) fn went_wrong(a: &Analysis, f: &Facts) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(ttd) = a.metrics.time_to_detect_s {
        if ttd >= 10 * 60 {
            v.push(format!("The first page came {} after {}.", human_duration(ttd), f.first_error_word()));
        }
    } else if a.incident.is_some() && f.first_alert.is_none() {
        v.push("No alert fired.".into());
    }
    if users_first(a, f) {
        v.push("Users noticed before monitoring did.".into());
    }
    if f.onset.is_some() && f.recovered.is_none() {
        v.push("Errors had not returned to baseline by the end of the inputs.".into());
    }
    v
}

pub(super) fn evidence(a: &Analysis, root_idx: Option<usize>, fmt: &Fmt) -> Vec<EvidenceView> {
    let mut out: Vec<EvidenceView> = Vec::new();
    let mut add = |c: &Citation, why: String| {
        if let Some(e) =
            out.iter_mut().find(|e| e.file == c.file && e.line == c.line && (c.line != 0 || e.text == c.text))
        {
            if !e.cited_for.contains(&why) {
                e.cited_for.push(why);
            }
            return;
        }
        out.push(EvidenceView {
            location: c.location(),
            file: c.file.clone(),
            line: c.line,
            text: c.text.clone(),
            cited_for: vec![why],
        });
    };
    if let Some(s) = root_idx.and_then(|i| a.suspects.get(i)) {
        for c in &s.citations {
            add(c, "root cause".into());
        }
    }
    if let Some(i) = &a.incident {
        add(&i.onset_citation, "onset".into());
        if let Some(c) = &i.recovered_citation {
            add(c, "recovery".into());
        }
        for s in &i.signatures {
            add(&s.example, format!("signature ({} errors)", thousands(s.count)));
        }
    }
    for e in &a.timeline {
        if let Some(c) = &e.citation {
            add(c, format!("timeline {}", fmt.when(e.time)));
        }
    }
    for (i, s) in a.suspects.iter().enumerate() {
        if Some(i) == root_idx {
            continue;
        }
        for c in &s.citations {
            add(c, format!("suspect #{}", i + 1));
        }
    }
    out
}
