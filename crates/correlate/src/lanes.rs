//! The lanes of the incident (see [`faultline_model::lanes`]): every change,
//! the incident's top signatures, every message and alert and every restart
//! the case holds, on the series' time axis. The milestones pick the first of
//! each; the lanes show all of them, so the analyst sees the first user report
//! among the others and the page among the alerts that did not matter.

use crate::events::{cap, cite_record};
use crate::milestones::{
    body, cite_alert, cite_message, has_any, is_support, restart_bursts, restart_text, support_authors, SYMPTOM,
};
use crate::suspects::cite_change;
use faultline_model::lanes::MAX_LANE_ITEMS;
use faultline_model::{
    CaseData, ChangeStatus, Incident, Instant, Lane, LaneItem, LaneKind, LaneMark, TimelineEntry, TimelineKind,
};
use std::collections::HashSet;

/// Signatures that get a lane of their own: more would push the story off screen.
const TOP_SIGNATURES: usize = 5;

/// Builds the lanes. `timeline` says which change is the suspect and which
/// changes fixed the incident, so the lanes and the timeline never disagree.
pub fn build(case: &CaseData, incident: Option<&Incident>, timeline: &[TimelineEntry]) -> Vec<Lane> {
    let focus = incident.map(|i| i.onset);
    let suspect: HashSet<&str> = timeline.iter().filter(|e| e.suspect).filter_map(|e| e.change_id.as_deref()).collect();
    let fixes: HashSet<&str> =
        timeline.iter().filter(|e| e.kind == TimelineKind::Fix).filter_map(|e| e.change_id.as_deref()).collect();
    let mut lanes = Vec::new();

    let changes = case
        .changes
        .iter()
        .map(|lc| {
            let c = &lc.event;
            let mark = if suspect.contains(c.id.as_str()) {
                LaneMark::Suspect
            } else if fixes.contains(c.id.as_str()) {
                LaneMark::Fix
            } else if matches!(c.status, ChangeStatus::Failed | ChangeStatus::Cancelled) {
                LaneMark::Failed
            } else {
                LaneMark::Plain
            };
            let summary = c.message.lines().next().unwrap_or("").trim();
            let service = c.service.as_deref().map_or_else(String::new, |s| format!(" ({s})"));
            point(c.time, format!("{} {}{service}", c.id, cap(summary, 160)), mark, cite_change(lc))
        })
        .collect();
    lanes.push(Lane::new(LaneKind::Changes, "Changes", changes, focus));

    if let Some(inc) = incident {
        for sig in inc.signatures.iter().take(TOP_SIGNATURES) {
            let item = LaneItem {
                time: sig.first,
                end: Some(sig.last),
                text: format!("{} ({} in the incident)", cap(&sig.template, 200), sig.count),
                count: sig.count,
                mark: if sig.new { LaneMark::New } else { LaneMark::Plain },
                citation: Some(sig.example.clone()),
            };
            lanes.push(Lane::new(LaneKind::Signature, cap(&sig.template, 80), vec![item], focus));
        }
    }

    // A support export can hold a million messages: the ones a lane keeps
    // are chosen by time before any is formatted.
    let support = support_authors(&case.messages);
    let (mut users, mut team) = (Vec::new(), Vec::new());
    for (k, m) in case.messages.iter().enumerate() {
        if is_support(&m.event, &support) {
            team.push((m.event.time, k));
        } else {
            users.push((m.event.time, k));
        }
    }
    for (kind, title, picks) in [(LaneKind::Users, "Users", users), (LaneKind::Support, "Support", team)] {
        let (picks, dropped) = nearest(picks, focus);
        let items = picks
            .into_iter()
            .filter_map(|(_, k)| case.messages.get(k))
            .map(|m| {
                let ev = &m.event;
                let who = ev.author.as_deref().unwrap_or("unknown");
                let text = format!("{who}: {}", cap(ev.text.lines().next().unwrap_or(""), 200));
                let report = kind == LaneKind::Users && has_any(&body(ev), SYMPTOM);
                point(ev.time, text, if report { LaneMark::Report } else { LaneMark::Plain }, cite_message(m))
            })
            .collect();
        let mut lane = Lane::new(kind, title, items, focus);
        lane.omitted += dropped;
        lanes.push(lane);
    }

    let mut alerts = Vec::new();
    for a in &case.alerts {
        let ev = &a.event;
        alerts.push(LaneItem {
            time: ev.time,
            end: ev.resolved.filter(|&r| r > ev.time),
            text: format!("Alert: {}", cap(&ev.title, 200)),
            count: 1,
            mark: LaneMark::Plain,
            citation: Some(cite_alert(a)),
        });
        if let Some(ack) = ev.acknowledged {
            let by = ev.responder.as_deref().map_or_else(String::new, |r| format!(" by {r}"));
            alerts.push(point(ack, format!("Acknowledged{by}: {}", cap(&ev.title, 160)), LaneMark::Ack, cite_alert(a)));
        }
    }
    lanes.push(Lane::new(LaneKind::Alerts, "Alerts", alerts, focus));

    let restarts = restart_bursts(case, Instant::MIN_UTC, Instant::MAX_UTC)
        .into_iter()
        .filter_map(|b| {
            let nr = case.notable.get(b.first)?;
            Some(point(nr.record.time, restart_text(case, nr, b.lines), LaneMark::Plain, cite_record(nr)))
        })
        .collect();
    lanes.push(Lane::new(LaneKind::Restarts, "Restarts", restarts, focus));
    lanes
}

/// Of `picks` (time, index), the [`MAX_LANE_ITEMS`] nearest `focus` (the
/// latest without one), the way [`Lane::new`] keeps them, and how many went.
fn nearest(mut picks: Vec<(Instant, usize)>, focus: Option<Instant>) -> (Vec<(Instant, usize)>, u64) {
    if picks.len() <= MAX_LANE_ITEMS {
        return (picks, 0);
    }
    let focus = focus.or_else(|| picks.iter().map(|p| p.0).max()).unwrap_or_default();
    let dropped = (picks.len() - MAX_LANE_ITEMS) as u64;
    picks.select_nth_unstable_by_key(MAX_LANE_ITEMS - 1, |p| ((p.0 - focus).num_milliseconds().unsigned_abs(), p.1));
    picks.truncate(MAX_LANE_ITEMS);
    (picks, dropped)
}

fn point(time: Instant, text: String, mark: LaneMark, citation: faultline_model::Citation) -> LaneItem {
    LaneItem { time, end: None, text, count: 1, mark, citation: Some(citation) }
}

#[cfg(test)]
mod tests {
    use crate::tests::{at, Builder, IMPORT_TRACE, T0};
    use crate::{analyze, CorrelateOptions};
    use faultline_model::{Analysis, Lane, LaneItem, LaneKind, LaneMark, TimelineKind};

    fn lane(a: &Analysis, kind: LaneKind) -> &Lane {
        a.lanes.iter().find(|l| l.kind == kind).expect("lane")
    }

    /// The latent culprit scenario of the suite, with users, the support
    /// account, a page and a restart.
    fn story() -> Builder {
        let mut b = Builder::new();
        let start = T0 + 3 * 3600;
        b.traffic(11, start, T0 + 5 * 3600, 0.3, IMPORT_TRACE, 0.5);
        b.change(start - 20 * 60, "c-41", "archive-portal", "Use new session backend", &["config/auth_settings.py"]);
        b.change(start - 2 * 60, "c-42", "archive-portal", "Footer copy tweak", &["templates/footer.html"]);
        b.change(T0 + 5 * 3600 - 90, "c-43", "archive-portal", "Add RedisSessionStore", &["archive_auth/sessions.py"]);
        b.message(start - 3600, "alice", "How do I export my archive?");
        b.message(start + 300, "bob", "I can't log in, getting an error");
        b.message(start + 400, "carol", "Login is broken for me too");
        b.message(start + 900, "ArchiveSupport", "We are investigating login problems, sorry for the inconvenience");
        b.page(start + 600, start + 720, Some(T0 + 5 * 3600));
        b.app(T0 + 5 * 3600 - 30, faultline_model::Level::Info, "Starting gunicorn 21.2.0", "Starting gunicorn 21.2.0");
        b.case.notable.sort_by_key(|n| n.record.time);
        b
    }

    #[test]
    fn every_kind_of_event_is_on_its_lane_with_the_suspect_marked() {
        let b = story();
        let a = analyze(&b.case, &CorrelateOptions::default());
        let inc = a.incident.as_ref().expect("incident");
        let changes = lane(&a, LaneKind::Changes);
        let marks: Vec<(&str, LaneMark)> =
            changes.items.iter().map(|i| (i.text.split(' ').next().unwrap_or(""), i.mark)).collect();
        assert_eq!(marks, [("c-41", LaneMark::Suspect), ("c-42", LaneMark::Plain), ("c-43", LaneMark::Fix)]);

        let sig = a.lanes.iter().find(|l| l.kind == LaneKind::Signature).expect("a signature lane");
        let top = &inc.signatures[0];
        assert_eq!((sig.items[0].time, sig.items[0].end, sig.items[0].count), (top.first, Some(top.last), top.count));

        let users = lane(&a, LaneKind::Users);
        assert_eq!(users.items.len(), 3, "users' messages, before the incident too");
        let reports: Vec<&LaneItem> = users.items.iter().filter(|i| i.mark == LaneMark::Report).collect();
        assert_eq!(reports.len(), 2);
        let first_report = a.timeline.iter().find(|e| e.kind == TimelineKind::UserReport).map(|e| e.time);
        assert_eq!(Some(reports[0].time), first_report);
        let support = lane(&a, LaneKind::Support);
        assert_eq!(support.items.len(), 1);
        assert!(support.items[0].text.starts_with("ArchiveSupport: "));

        let alerts = lane(&a, LaneKind::Alerts);
        assert_eq!(alerts.items.len(), 2);
        assert_eq!(alerts.items[0].end, Some(at(T0 + 5 * 3600)), "an alert spans until it resolved");
        assert_eq!(alerts.items[1].mark, LaneMark::Ack);
        assert!(alerts.items[1].text.contains("by oncall"));

        let restarts = lane(&a, LaneKind::Restarts);
        assert_eq!(restarts.items.len(), 1);
        assert!(restarts.items[0].text.starts_with("Restart on "), "{}", restarts.items[0].text);
        for l in &a.lanes {
            assert!(l.items.windows(2).all(|w| w[0].time <= w[1].time), "{} in time order", l.title);
            assert!(l.items.iter().all(|i| i.citation.is_some()), "{} cites its records", l.title);
        }
    }

    #[test]
    fn a_flood_of_messages_is_capped_and_the_rest_counted() {
        let mut b = story();
        let extra = faultline_model::lanes::MAX_LANE_ITEMS + 7;
        for k in 0..extra {
            b.message(T0 + k as i64, &format!("user{k}"), "hello");
        }
        let a = analyze(&b.case, &CorrelateOptions::default());
        let users = lane(&a, LaneKind::Users);
        assert_eq!(users.items.len(), faultline_model::lanes::MAX_LANE_ITEMS);
        assert_eq!(users.items.len() as u64 + users.omitted, 3 + extra as u64);
        // The flood is hours before the incident: the reports during it are kept, the oldest chatter goes.
        assert_eq!(users.items.iter().filter(|i| i.mark == LaneMark::Report).count(), 2);
        assert!(!users.items.iter().any(|i| i.text.starts_with("user0:")), "the earliest message is the one left out");
    }

    #[test]
    fn a_quiet_case_still_draws_its_changes_and_messages() {
        let mut b = Builder::new();
        b.traffic(3, 0, 0, 0.0, "", 1.2);
        b.change(T0 + 3 * 3600, "d-17", "search", "Tune search ranking", &["search/rank.py"]);
        b.message(T0 + 3600, "alice", "Search feels slow today");
        let a = analyze(&b.case, &CorrelateOptions::default());
        assert!(a.incident.is_none());
        assert_eq!(lane(&a, LaneKind::Changes).items.len(), 1);
        assert_eq!(lane(&a, LaneKind::Users).items.len(), 1);
        assert!(a.lanes.iter().all(|l| l.kind != LaneKind::Signature));
    }
}
