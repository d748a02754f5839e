//! Milestones (the timeline) and metrics.

use crate::events::{cap, cite_record, ErrorEvent, Events};
use crate::incident::Detected;
use crate::suspects::{cite_change, undo_strength, NAMED};
use faultline_model::{
    is_lifecycle_message, Alert, CaseData, Citation, Incident, Instant, Located, Metrics, SupportMessage, Suspect,
    TimelineEntry, TimelineKind,
};
use std::collections::{BTreeSet, HashMap, HashSet};

const OUTBOUND: &[&str] = &[
    "we are looking into",
    "we're looking into",
    "we are investigating",
    "we're investigating",
    "we are aware",
    "we're aware",
    "fix deployed",
    "fix has been deployed",
    "has been fixed",
    "has been resolved",
    "have been resolved",
    "should now be",
    "please try again",
    "please retry",
    "try logging in again",
    "we apologize",
    "we apologise",
    "sorry for the inconvenience",
    "thank you for your patience",
    "thanks for your patience",
    "we have identified",
    "we've identified",
    "our team is",
    "our engineers",
];
pub(crate) const SYMPTOM: &[&str] = &[
    "error",
    "500",
    "502",
    "503",
    "504",
    "can't",
    "cannot",
    "can not",
    "cant ",
    "unable",
    "down",
    "broken",
    "fail",
    "not working",
    "doesn't work",
    "does not work",
    "isn't working",
    "won't",
    "outage",
    "crash",
    "timeout",
    "timed out",
    "unavailable",
    "not loading",
    "won't load",
    "problem",
    "issue",
    // What error pages say, quoted back by users.
    "went wrong",
    "gone wrong",
    "not able to",
];
const CONFIRM: &[&str] = &[
    "works",
    "working",
    "fixed",
    "thanks",
    "thank you",
    "resolved",
    "back up",
    "all good",
    "able to log",
    "is up",
    "success",
];
const STILL_BROKEN: &[&str] = &["still", "not working", "doesn't work", "can't", "cannot", "broken", "again?"];

/// Lines a worker pool writes when it replaces one worker.
fn is_worker_churn(message: &str) -> bool {
    message.contains("Booting worker") || message.contains("Worker exiting")
}

pub(crate) fn has_any(text: &str, words: &[&str]) -> bool {
    let t = text.to_lowercase();
    words.iter().any(|w| t.contains(w))
}

pub(crate) fn body(m: &SupportMessage) -> String {
    match &m.subject {
        Some(s) => format!("{s} {}", m.text),
        None => m.text.clone(),
    }
}

/// The authors who speak for the support/ops side: those who write outbound
/// phrases, handles users address (`@ArchiveSupport`) and names that say so.
pub fn support_authors(messages: &[Located<SupportMessage>]) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut mentioned: HashMap<String, BTreeSet<String>> = HashMap::new();
    for m in messages {
        let Some(a) = m.event.author.as_deref() else { continue };
        let text = body(&m.event);
        if has_any(&text, OUTBOUND) {
            out.insert(a.to_string());
        }
        let lower = a.to_lowercase();
        if ["support", "helpdesk", "ops", "status", "team"].iter().any(|w| lower.contains(w)) {
            out.insert(a.to_string());
        }
        for w in text.split_whitespace() {
            if let Some(h) = w.strip_prefix('@') {
                let h = h.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
                if !h.is_empty() && !h.eq_ignore_ascii_case(a) {
                    mentioned.entry(h.to_string()).or_default().insert(a.to_string());
                }
            }
        }
    }
    let authors: HashSet<&str> = messages.iter().filter_map(|m| m.event.author.as_deref()).collect();
    for (h, by) in mentioned {
        if by.len() >= 2 {
            if let Some(a) = authors.iter().find(|a| a.trim_start_matches('@').eq_ignore_ascii_case(&h)) {
                out.insert(a.to_string());
            }
        }
    }
    out
}

pub(crate) fn is_support(m: &SupportMessage, support: &HashSet<String>) -> bool {
    m.author.as_deref().is_some_and(|a| support.contains(a)) || has_any(&body(m), OUTBOUND)
}

/// The citation of a support message.
pub fn cite_message(m: &Located<SupportMessage>) -> Citation {
    let first = m.event.text.lines().next().unwrap_or("");
    Citation {
        file: m.file.clone(),
        line: m.event.span.line,
        offset: m.event.span.offset,
        text: cap(&format!("{}: {}", m.event.author.as_deref().unwrap_or("?"), first), 300),
    }
}

/// The citation of an alert.
pub fn cite_alert(a: &Located<Alert>) -> Citation {
    Citation {
        file: a.file.clone(),
        line: a.event.span.line,
        offset: a.event.span.offset,
        text: cap(&a.event.title, 300),
    }
}

fn entry(time: Instant, kind: TimelineKind, source: &str, text: String, citation: Option<Citation>) -> TimelineEntry {
    TimelineEntry {
        time,
        kind,
        source: source.to_string(),
        text,
        citation,
        change_id: None,
        suspect: false,
        clock_offset_ms: None,
    }
}

pub(crate) fn source_path(case: &CaseData, idx: u32) -> String {
    case.sources.get(idx as usize).map_or_else(|| "?".to_string(), |s| s.path.clone())
}

/// A burst of lifecycle lines (gaps under two minutes) that restarts a server.
pub(crate) struct RestartBurst {
    /// Index of its first line in `case.notable`.
    pub first: usize,
    /// Lifecycle lines in it.
    pub lines: usize,
}

/// The restarts between `from` and `to`. A burst of only worker boots is a
/// pool recycling a worker, routine all day long; a restart of the server
/// itself says so (signal, shutdown, start).
pub(crate) fn restart_bursts(case: &CaseData, from: Instant, to: Instant) -> Vec<RestartBurst> {
    let mut out = Vec::new();
    // (first line, last time, lines, holds more than worker churn)
    let mut burst: Option<(usize, Instant, usize, bool)> = None;
    let mut flush = |b: Option<(usize, Instant, usize, bool)>| {
        if let Some((first, _, lines, true)) = b {
            out.push(RestartBurst { first, lines });
        }
    };
    for (i, nr) in case.notable.iter().enumerate() {
        let t = nr.record.time;
        if t < from || t > to || nr.record.status.is_some() || !is_lifecycle_message(&nr.record.message) {
            continue;
        }
        let server_level = !is_worker_churn(&nr.record.message);
        burst = match burst {
            Some((first, last, n, server)) if (t - last).num_seconds() <= 120 => {
                Some((first, t, n + 1, server || server_level))
            }
            other => {
                flush(other);
                Some((i, t, 1, server_level))
            }
        };
    }
    flush(burst);
    out
}

/// "Restart on web-2: …" for a burst of `lines` starting at `nr`.
pub(crate) fn restart_text(case: &CaseData, nr: &faultline_model::NotableRecord, lines: usize) -> String {
    let who = nr
        .record
        .host
        .clone()
        .or_else(|| crate::events::source_name(&nr.file))
        .or_else(|| nr.record.service.clone())
        .unwrap_or_else(|| source_path(case, nr.source));
    format!(
        "Restart on {who}: {}{}",
        cap(&nr.record.message, 120),
        if lines > 1 { format!(" (+{} lifecycle lines)", lines - 1) } else { String::new() }
    )
}

/// Everything milestones and metrics need.
pub struct Inputs<'a> {
    /// The case.
    pub case: &'a CaseData,
    /// Error events.
    pub events: &'a Events,
    /// Detection.
    pub detected: &'a Detected,
    /// The incident.
    pub incident: &'a Incident,
    /// Ranked suspects.
    pub suspects: &'a [Suspect],
    /// Lookback before the onset.
    pub lookback: chrono::Duration,
}

/// Builds the timeline and the metrics.
pub fn build(inp: &Inputs<'_>) -> (Vec<TimelineEntry>, Metrics) {
    let (case, inc) = (inp.case, inp.incident);
    let onset = inc.onset;
    let end =
        inc.recovered.unwrap_or_else(|| chrono::DateTime::from_timestamp(inp.detected.data_end, 0).unwrap_or(onset));
    let mut tl = Vec::new();

    let top = inp.suspects.first().filter(|s| s.score >= NAMED);
    let top_change = top.and_then(|t| case.changes.iter().find(|c| c.event.id == t.change_id));
    let member_files: Vec<&ErrorEvent> =
        inp.events.list.iter().zip(&inp.detected.member).filter(|(_, &m)| m).map(|(e, _)| e).collect();

    // Changes in the window; those after the onset that undo the suspect or
    // touch the incident are its fix.
    for lc in &case.changes {
        let c = &lc.event;
        if c.time < onset - inp.lookback || c.time > end + chrono::Duration::minutes(10) {
            continue;
        }
        let suspect = inp.suspects.iter().find(|s| s.change_id == c.id);
        let mut fix = false;
        if c.time > onset {
            fix = match top_change {
                Some(t) => undo_strength(&t.event, c) > 0.0,
                None => suspect.is_some_and(|s| s.factors.overlap > 0.0),
            };
            fix |= suspect.is_some_and(|s| s.factors.overlap >= 0.5);
        }
        let summary = c.message.lines().next().unwrap_or("").trim();
        let mut e = entry(
            c.time,
            if fix { TimelineKind::Fix } else { TimelineKind::Change },
            &source_path(case, lc.source),
            format!(
                "{}{} {}{}",
                if fix { "Fix: " } else { "" },
                c.id,
                summary,
                c.service.as_deref().map_or_else(String::new, |s| format!(" ({s})"))
            ),
            Some(cite_change(lc)),
        );
        e.change_id = Some(c.id.clone());
        e.suspect = top.is_some_and(|t| t.change_id == c.id);
        tl.push(e);
    }

    tl.push(entry(
        onset,
        TimelineKind::ErrorOnset,
        &inp.events.list.get(inp.detected.onset).map_or_else(|| "analysis".into(), |e| source_path(case, e.source)),
        format!("First incident error: {}", inc.onset_citation.text),
        Some(inc.onset_citation.clone()),
    ));

    // Support: first report of the symptom, communications, confirmation.
    let support = support_authors(&case.messages);
    let mut user_reports = 0u64;
    let mut first_report: Option<Instant> = None;
    let mut confirmed = false;
    for m in &case.messages {
        let ev = &m.event;
        let text = body(ev);
        let src = source_path(case, m.source);
        if is_support(ev, &support) {
            if ev.time >= onset && ev.time <= end + chrono::Duration::hours(2) {
                tl.push(entry(
                    ev.time,
                    TimelineKind::Communication,
                    &src,
                    format!("To users: {}", cap(&ev.text, 200)),
                    Some(cite_message(m)),
                ));
            }
            continue;
        }
        if ev.time >= onset && ev.time <= end && has_any(&text, SYMPTOM) {
            user_reports += 1;
            if first_report.is_none() {
                first_report = Some(ev.time);
                tl.push(entry(
                    ev.time,
                    TimelineKind::UserReport,
                    &src,
                    format!(
                        "First user report ({}): {}",
                        ev.author.as_deref().unwrap_or("unknown"),
                        cap(&ev.text, 200)
                    ),
                    Some(cite_message(m)),
                ));
            }
        }
        // Judged on the message's own words: a reply's subject ("Re: Login not
        // working") quotes the complaint it answers.
        if !confirmed
            && inc.recovered.is_some_and(|r| ev.time >= r)
            && has_any(&ev.text, CONFIRM)
            && !has_any(&ev.text, STILL_BROKEN)
        {
            confirmed = true;
            tl.push(entry(
                ev.time,
                TimelineKind::Note,
                &src,
                format!("User confirms recovery: {}", cap(&ev.text, 200)),
                Some(cite_message(m)),
            ));
        }
    }

    // First alert at or after the onset, and its acknowledgement.
    let first_alert =
        case.alerts.iter().find(|a| a.event.time >= onset - chrono::Duration::seconds(120) && a.event.time <= end);
    if let Some(a) = first_alert {
        let src = source_path(case, a.source);
        tl.push(entry(
            a.event.time,
            TimelineKind::Alert,
            &src,
            format!("Alert fired: {}", a.event.title),
            Some(cite_alert(a)),
        ));
        if let Some(ack) = a.event.acknowledged {
            tl.push(entry(
                ack,
                TimelineKind::Ack,
                &src,
                format!(
                    "Alert acknowledged{}",
                    a.event.responder.as_deref().map_or_else(String::new, |r| format!(" by {r}"))
                ),
                Some(cite_alert(a)),
            ));
        }
    }

    // Restarts: lifecycle lines, a burst (gaps under two minutes) as one entry.
    for b in restart_bursts(case, onset - chrono::Duration::hours(1), end + chrono::Duration::minutes(15)) {
        let Some(nr) = case.notable.get(b.first) else { continue };
        tl.push(entry(
            nr.record.time,
            TimelineKind::Restart,
            &source_path(case, nr.source),
            restart_text(case, nr, b.lines),
            Some(cite_record(nr)),
        ));
    }

    if let (Some(r), Some(c)) = (inc.recovered, &inc.recovered_citation) {
        tl.push(entry(
            r,
            TimelineKind::Recovery,
            &c.file,
            format!("Last incident error; errors back at baseline: {}", c.text),
            Some(c.clone()),
        ));
    }
    tl.sort_by_key(|e| e.time);

    // Metrics: user-visible failures (5xx) when access logs show them, else error records.
    let http: Vec<&&ErrorEvent> = member_files.iter().filter(|e| e.http).collect();
    let counted: Vec<&ErrorEvent> =
        if http.is_empty() { member_files.clone() } else { http.into_iter().copied().collect() };
    let clients: HashSet<u64> = member_files.iter().flat_map(|e| inp.events.clients_of(e)).copied().collect();
    let mut per_min: HashMap<i64, u64> = HashMap::new();
    for e in &counted {
        *per_min.entry(e.t.div_euclid(60)).or_default() += u64::from(e.count);
    }
    let metrics = Metrics {
        time_to_detect_s: first_alert.map(|a| (a.event.time - onset).num_seconds()),
        time_to_first_report_s: first_report.map(|t| (t - onset).num_seconds()),
        time_to_recover_s: inc.recovered.map(|r| (r - onset).num_seconds()),
        errors: counted.iter().map(|e| u64::from(e.count)).sum(),
        affected_clients: clients.len() as u64,
        peak_errors_per_minute: per_min.values().copied().max().unwrap_or(0),
        user_reports,
    };
    (tl, metrics)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(author: &str, text: &str) -> Located<SupportMessage> {
        Located {
            source: 0,
            file: "tickets.csv".into(),
            event: SupportMessage {
                time: chrono::DateTime::from_timestamp(0, 0).unwrap_or_default(),
                author: Some(author.into()),
                channel: None,
                subject: None,
                text: text.into(),
                file: None,
                span: Default::default(),
            },
        }
    }

    #[test]
    fn the_support_account_is_found_by_its_phrasing_and_mentions() {
        let msgs = vec![
            msg("jane", "@ArchiveDesk I get a 500 when logging in"),
            msg("bob", "@ArchiveDesk login broken"),
            msg("ArchiveDesk", "Sorry about that!"),
            msg("carol", "@jane same here"),
            msg("NightShift", "We are looking into the login errors"),
        ];
        let s = support_authors(&msgs);
        assert!(s.contains("ArchiveDesk"), "addressed by two users");
        assert!(s.contains("NightShift"), "writes as the team");
        assert!(!s.contains("jane"), "addressed by one user only");
        assert!(!s.contains("bob"));
    }
}
