//! End-to-end checks of [`analyze`] on cases built in memory the way the
//! store returns them: an nginx access log, an app log with tracebacks,
//! deploys, tickets and pages.
use super::*;
use faultline_model::{
    Alert, Change, Level, Located, NotableRecord, OwnedRecord, SecondCount, SourceKind, SourceSummary, Span,
    SupportMessage,
};

pub(crate) const T0: i64 = 1_764_000_000; // the start of the logs

/// The suspects and their factors, for a failing assertion's message.
fn explain(suspects: &[faultline_model::Suspect]) -> String {
    suspects
        .iter()
        .map(|s| {
            let factors: Vec<String> =
                s.explanation.iter().map(|f| format!("{:?}={}", f.fact.kind(), f.ratio)).collect();
            format!("{} {:.3} [{}]", s.change_id, s.score, factors.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
}

pub(crate) fn at(t: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t, 0).unwrap_or_default()
}

fn source(path: &str, kind: SourceKind) -> SourceSummary {
    SourceSummary {
        path: path.into(),
        kind,
        format: "test".into(),
        records: 0,
        unparsed: 0,
        first: None,
        last: None,
        tz: "UTC".into(),
        bytes: 0,
        sha256: String::new(),
        notes: Vec::new(),
        clock_offset_ms: 0,
        complete: true,
        window: None,
    }
}

/// A case under construction: 0 = nginx, 1 = app log, 2 = deploys, 3 = tickets, 4 = pages.
pub(crate) struct Builder {
    pub(crate) case: CaseData,
    line: [u64; 2],
}

impl Builder {
    pub(crate) fn new() -> Self {
        let case = CaseData {
            sources: vec![
                source("nginx/access.log", SourceKind::Log),
                source("app/archive-portal.log", SourceKind::Log),
                source("deploys.csv", SourceKind::Deploys),
                source("tickets.csv", SourceKind::Support),
                source("pages.json", SourceKind::Alerts),
            ],
            ..Default::default()
        };
        Builder { case, line: [0, 0] }
    }

    pub(crate) fn count(&mut self, second: i64, source: u32, total: u32, errors: u32, http_5xx: u32) {
        self.case.counts.push(SecondCount { second, source, total, errors, http_5xx, http_4xx: 0, warnings: 0 });
    }

    pub(crate) fn request(&mut self, t: i64, path: &str, status: u16, client: &str) {
        self.line[0] += 1;
        let text = format!("{client} - - [..] \"POST {path} HTTP/1.1\" {status} 12 \"-\" \"ua\"");
        self.case.notable.push(NotableRecord {
            source: 0,
            file: "nginx/access.log".into(),
            record: OwnedRecord {
                time: at(t),
                span: Span { line: self.line[0], offset: self.line[0] * 100, len: 100, lines: 1 },
                level: Some(Level::Error),
                status: Some(status),
                method: Some("POST".into()),
                path: Some(path.into()),
                client: Some(client.into()),
                user_agent: Some("ua".into()),
                host: None,
                service: None,
                message: text.clone(),
                text,
                flags: 0,
            },
        });
    }

    pub(crate) fn app(&mut self, t: i64, level: Level, message: &str, text: &str) {
        self.line[1] += 1;
        self.case.notable.push(NotableRecord {
            source: 1,
            file: "app/archive-portal.log".into(),
            record: OwnedRecord {
                time: at(t),
                span: Span { line: self.line[1], offset: self.line[1] * 80, len: 80, lines: 1 },
                level: Some(level),
                status: None,
                method: None,
                path: None,
                client: None,
                user_agent: None,
                host: None,
                service: Some("archive-portal".into()),
                message: message.into(),
                text: text.into(),
                flags: 0,
            },
        });
    }

    pub(crate) fn change(&mut self, t: i64, id: &str, service: &str, message: &str, files: &[&str]) {
        let line = self.case.changes.len() as u64 + 2;
        self.case.changes.push(Located {
            source: 2,
            file: "deploys.csv".into(),
            event: Change {
                author: Some("dev".into()),
                service: Some(service.into()),
                files: files.iter().map(|f| f.to_string()).collect(),
                span: Span { line, offset: line * 50, len: 50, lines: 1 },
                ..Change::new(id, at(t), message)
            },
        });
    }

    pub(crate) fn message(&mut self, t: i64, author: &str, text: &str) {
        let line = self.case.messages.len() as u64 + 2;
        self.case.messages.push(Located {
            source: 3,
            file: "tickets.csv".into(),
            event: SupportMessage {
                time: at(t),
                author: Some(author.into()),
                channel: None,
                subject: None,
                text: text.into(),
                file: None,
                span: Span { line, offset: line * 60, len: 60, lines: 1 },
            },
        });
    }

    /// A page "High 5xx rate" fired at `t`, acknowledged by oncall at `ack`, resolved at `resolved`.
    pub(crate) fn page(&mut self, t: i64, ack: i64, resolved: Option<i64>) {
        self.case.alerts.push(Located {
            source: 4,
            file: "pages.json".into(),
            event: Alert {
                time: at(t),
                acknowledged: Some(at(ack)),
                resolved: resolved.map(at),
                title: "High 5xx rate".into(),
                service: None,
                severity: None,
                status: None,
                description: None,
                responder: Some("oncall".into()),
                file: None,
                span: Span { line: 3, offset: 10, len: 10, lines: 1 },
            },
        });
    }

    /// Six hours of traffic at ~`rps` requests a second, with errors at
    /// `incident_rate` on `/login` inside `[start, end)` (with `trace` in
    /// the app log), and `noise` 500s a minute on `/search` all along.
    pub(crate) fn traffic(&mut self, seed: u64, start: i64, end: i64, incident_rate: f64, trace: &str, noise: f64) {
        let mut r = Rng(seed);
        let mut k = 0u32;
        for s in T0..T0 + 6 * 3600 {
            let total = 2 + (r.next() * 4.0) as u32;
            let mut errors = 0;
            if s >= start && s < end && r.next() < incident_rate {
                k += 1;
                let client = format!("10.0.{}.{}", k % 7, k % 251);
                self.request(s, "/login", 500, &client);
                let text = format!("2026-01-01 00:00:00,000 ERROR [app] Exception on /login [POST]\n{trace}");
                self.app(s, Level::Error, "Exception on /login [POST]", &text);
                errors += 1;
            }
            if r.next() < noise / 60.0 {
                self.request(s, &format!("/search/{}", 100 + (r.next() * 900.0) as u32), 500, "10.9.9.9");
                errors += 1;
            }
            self.count(s, 0, total, errors, errors);
            self.count(s, 1, 1 + errors, errors, 0);
        }
        self.case.notable.sort_by_key(|n| n.record.time);
    }
}

pub(crate) const IMPORT_TRACE: &str = "Traceback (most recent call last):\n  File \"/srv/archive/app/views.py\", line 88, in login\n    from config.auth_settings import SESSION_BACKEND\n  File \"/srv/archive/config/auth_settings.py\", line 12, in <module>\n    from archive_auth.sessions import RedisSessionStore\nImportError: cannot import name 'RedisSessionStore' from 'archive_auth.sessions' (/srv/archive/archive_auth/sessions.py)";
const DB_TRACE: &str = "Traceback (most recent call last):\n  File \"/usr/lib/python3/site-packages/psycopg2/__init__.py\", line 122, in connect\n    conn = _connect(dsn)\npsycopg2.OperationalError: could not connect to server: Connection refused (10.2.0.5:5432)";

#[test]
fn steady_background_noise_is_not_an_incident() {
    let mut b = Builder::new();
    b.traffic(3, 0, 0, 0.0, "", 1.2);
    b.change(T0 + 3 * 3600, "d-17", "search", "Tune search ranking", &["search/rank.py"]);
    let a = analyze(&b.case, &CorrelateOptions::default());
    assert!(a.incident.is_none(), "{:?}", a.incident.map(|i| i.summary));
    assert!(a.suspects.is_empty());
    assert_eq!(a.timeline.len(), 1, "the change is still on the timeline");
    assert!(!a.series.buckets.is_empty());
}

#[test]
fn onset_and_recovery_are_the_first_and_last_incident_errors() {
    let mut b = Builder::new();
    let (start, end) = (T0 + 2 * 3600 + 17, T0 + 4 * 3600 + 33);
    b.traffic(5, start, end, 0.4, IMPORT_TRACE, 1.0);
    let a = analyze(&b.case, &CorrelateOptions::default());
    let inc = a.incident.expect("incident");
    let first = b
        .case
        .notable
        .iter()
        .find(|n| n.record.time.timestamp() >= start && n.record.path.as_deref() == Some("/login"));
    assert_eq!(Some(inc.onset), first.map(|n| n.record.time), "onset is an error's instant, not a bucket edge");
    let last = b
        .case
        .notable
        .iter()
        .rev()
        .find(|n| n.record.time.timestamp() < end && n.record.path.as_deref() == Some("/login"));
    assert_eq!(inc.recovered, last.map(|n| n.record.time));
    assert_eq!(inc.endpoints.first().map(String::as_str), Some("/login"));
    assert!(inc.signatures.iter().any(|s| s.new && s.template.starts_with("ImportError")));
    assert!(!inc.signatures.iter().any(|s| s.template.contains("/search")), "noise is not the incident");
}

#[test]
fn a_flood_of_alike_errors_is_counted_record_by_record() {
    // Many alike 500s in each second (merged into one event per second)
    // from a few clients, one of them twice in a second.
    let mut b = Builder::new();
    let (start, end) = (T0 + 3600, T0 + 3600 + 20 * 60);
    let mut clients = std::collections::HashSet::new();
    let mut failed = 0u64;
    for s in T0..T0 + 2 * 3600 {
        let n = if (start..end).contains(&s) { 6 } else { u64::from(s % 97 == 0) };
        for k in 0..n {
            let client = format!("10.1.{}.{}", s % 5, k.min(4));
            if (start..end).contains(&s) {
                clients.insert(client.clone());
                failed += 1;
            }
            b.request(s, "/login", 500, &client);
        }
        b.count(s, 0, 40, n as u32, n as u32);
    }
    let events = events::extract(&b.case);
    assert_eq!(events.records(), b.case.notable.len() as u64, "every record is in an event");
    assert!(
        events.list.len() < b.case.notable.len() / 5,
        "{} events for {} records",
        events.list.len(),
        b.case.notable.len()
    );
    let a = analyze(&b.case, &CorrelateOptions::default());
    let inc = a.incident.expect("incident");
    let m = a.metrics;
    assert_eq!(m.errors, failed);
    assert_eq!(m.affected_clients, clients.len() as u64);
    assert_eq!(m.peak_errors_per_minute, 360);
    assert_eq!(inc.onset, at(start));
    let last = b.case.notable.iter().rev().find(|n| n.record.time.timestamp() == end - 1).expect("last record");
    assert_eq!(inc.recovered, Some(last.record.time));
    let recovered = inc.recovered_citation.expect("recovery cited");
    assert_eq!(recovered.line, last.record.span.line, "the last record of the last second, not its first");
    assert_eq!(inc.signatures.first().map(|s| s.count), Some(failed));
}

#[test]
fn recovery_is_the_last_line_of_the_last_second_whichever_event_holds_it() {
    // Two failing endpoints alternate; the last second ends on the one
    // whose event began first in that second.
    let mut b = Builder::new();
    let (start, end) = (T0 + 3600, T0 + 3600 + 20 * 60);
    for s in T0..T0 + 2 * 3600 {
        let n = if (start..end).contains(&s) { 5 } else { u64::from(s % 97 == 0) };
        for k in 0..n {
            b.request(s, if k % 2 == 0 { "/login" } else { "/logout" }, 500, "10.1.1.1");
        }
        b.count(s, 0, 40, n as u32, n as u32);
    }
    let last = b
        .case
        .notable
        .iter()
        .rev()
        .find(|n| n.record.time.timestamp() == end - 1)
        .map(|n| (n.record.span.line, n.record.path.clone()));
    let a = analyze(&b.case, &CorrelateOptions::default());
    let inc = a.incident.expect("incident");
    let cited = inc.recovered_citation.expect("recovery cited");
    assert_eq!(Some((cited.line, Some("/login".to_string()))), last);
    let login = inc.signatures.iter().find(|s| s.template.contains("/login")).expect("login signature");
    assert_eq!(login.last, at(end - 1));
}

#[test]
fn what_is_new_ranks_the_failing_endpoint_above_the_steady_noise() {
    let mut b = Builder::new();
    let (start, end) = (T0 + 3 * 3600, T0 + 3 * 3600 + 1200);
    b.traffic(5, start, end, 0.4, IMPORT_TRACE, 1.0);
    let a = analyze(&b.case, &CorrelateOptions::default());
    let n = a.novelty.expect("an incident has a comparison");
    assert!(n.comparable && !n.baseline_given);
    assert_eq!(n.baseline_seconds, n.incident_seconds, "the default baseline is as long as the incident");
    assert!(n.baseline_to < n.incident_from);
    let login = n.endpoints.first().expect("endpoints ranked");
    assert_eq!(login.value, "/login");
    assert!(login.new && login.rose && login.baseline == 0, "{login:?}");
    assert!(login.example.is_some());
    // The /search noise fails at the same rate before and during the incident.
    for e in n.endpoints.iter().filter(|e| e.value.starts_with("/search")) {
        assert!(!e.new && !e.rose, "{e:?}");
    }
    let noisy = n.clients.iter().find(|c| c.value == "10.9.9.9").expect("the noisy client is named");
    assert!(!noisy.rose, "{noisy:?}");
    assert!(n.clients.iter().all(|c| !c.value.is_empty()), "every ranked client has its address");
    let import = n.signatures.iter().position(|s| s.value.starts_with("ImportError")).expect("signature");
    assert!(n.signatures.get(import).is_some_and(|s| s.new));
    assert!(n.signatures.iter().take(import).all(|s| s.rose), "a risen signature is ranked above the noise");

    // A baseline the analyst picks inside the incident: nothing is new.
    let opts = CorrelateOptions { baseline: Some((at(start + 60), at(start + 600))), ..Default::default() };
    let n = analyze(&b.case, &opts).novelty.expect("comparison");
    assert!(n.baseline_given);
    assert_eq!(n.baseline_seconds, 541);
    assert!(n.endpoints.iter().all(|e| !e.new), "{:?}", n.endpoints);

    // A baseline before the data compares nothing and says so.
    let opts = CorrelateOptions { baseline: Some((at(T0 - 7200), at(T0 - 3600))), ..Default::default() };
    let n = analyze(&b.case, &opts).novelty.expect("comparison");
    assert!(!n.comparable && n.baseline_seconds == 0);
    assert!(n.endpoints.iter().all(|e| !e.new && !e.rose && e.ratio.is_none()));
}

#[test]
fn errors_all_through_the_data_are_no_incident_even_when_it_ends_on_a_whole_minute() {
    // A database down all day: nine requests in ten fail, from the first
    // second to the last, and the data is exactly one hour long (it once
    // got an empty bin past its end that made the whole hour "elevated").
    let mut b = Builder::new();
    for s in T0..T0 + 3600 {
        for k in 0..30 {
            b.request(s, "/api/orders", 503, &format!("10.0.0.{k}"));
        }
        b.count(s, 0, 33, 30, 30);
    }
    let a = analyze(&b.case, &CorrelateOptions::default());
    assert!(a.incident.is_none(), "{:?}", a.incident.map(|i| i.summary));
}

#[test]
fn an_incident_already_failing_when_its_log_begins_says_it_may_have_begun_earlier() {
    // The log starts in the middle of an outage that ends 20 minutes in.
    let mut b = Builder::new();
    for s in T0..T0 + 2 * 3600 {
        let n = if s < T0 + 20 * 60 { 5 } else { u64::from(s % 300 == 0) };
        for k in 0..n {
            b.request(s, "/api/orders", 503, &format!("10.0.0.{k}"));
        }
        b.count(s, 0, 10, n as u32, n as u32);
    }
    let inc = analyze(&b.case, &CorrelateOptions::default()).incident.expect("incident");
    assert_eq!(inc.onset, at(T0));
    assert!(inc.summary.contains("it may have begun earlier"), "{}", inc.summary);
    // One that begins later in the log says nothing of the kind.
    let mut b = Builder::new();
    b.traffic(5, T0 + 2 * 3600, T0 + 3 * 3600, 0.4, IMPORT_TRACE, 1.0);
    let inc = analyze(&b.case, &CorrelateOptions::default()).incident.expect("incident");
    assert!(!inc.summary.contains("begun earlier"), "{}", inc.summary);
}

#[test]
fn latent_culprit_beats_the_nearest_harmless_deploy() {
    let mut b = Builder::new();
    let start = T0 + 3 * 3600;
    b.traffic(11, start, T0 + 5 * 3600, 0.3, IMPORT_TRACE, 0.5);
    b.change(start - 20 * 60, "c-41", "archive-portal", "Use new session backend", &["config/auth_settings.py"]);
    b.change(start - 2 * 60, "c-42", "archive-portal", "Footer copy tweak", &["templates/footer.html"]);
    b.change(
        T0 + 5 * 3600 - 90,
        "c-43",
        "archive-portal",
        "Add RedisSessionStore to archive_auth.sessions",
        &["archive_auth/sessions.py"],
    );
    let a = analyze(&b.case, &CorrelateOptions::default());
    let top = a.suspects.first().expect("suspects");
    assert_eq!(
        top.change_id,
        "c-41",
        "{:#?}",
        a.suspects.iter().map(|s| (&s.change_id, s.score, &s.factors)).collect::<Vec<_>>()
    );
    assert!(top.score >= 0.5, "{}", explain(&a.suspects));
    let named = top.explanation.iter().find(
        |f| matches!(&f.fact, faultline_model::Fact::ErrorsName { name, .. } if name == "config/auth_settings.py"),
    );
    assert!(
        named.is_some_and(|f| f.ratio > 10.0 && f.citations.iter().any(|c| c.file == "app/archive-portal.log")),
        "{:#?}",
        top.explanation
    );
    let harmless = a.suspects.iter().find(|s| s.change_id == "c-42").expect("c-42 ranked");
    assert!(harmless.score < 0.5 && harmless.ranked_below.is_some());
    assert!(a.lead.is_none() && a.no_change.is_none());
    assert!(a.timeline.iter().any(|e| e.kind == TimelineKind::Fix && e.change_id.as_deref() == Some("c-43")));
    assert!(a.timeline.iter().any(|e| e.suspect && e.change_id.as_deref() == Some("c-41")));
}

#[test]
fn the_change_whose_revert_ends_the_errors_is_the_suspect() {
    let mut b = Builder::new();
    let (start, end) = (T0 + 3 * 3600, T0 + 4 * 3600);
    let trace = "Traceback (most recent call last):\n  File \"/srv/archive/app/views.py\", line 40, in login\nRuntimeError: upstream refused the request";
    b.traffic(13, start, end, 0.3, trace, 0.0);
    b.change(start - 5 * 60, "aaaa111", "archive-portal", "Bump pool size", &["deploy/pool.yaml"]);
    b.change(start - 5 * 60 + 90, "bbbb222", "archive-portal", "Enable request signing", &["deploy/signing.yaml"]);
    b.change(start + 20 * 60, "cccc333", "archive-portal", "Revert \"Bump pool size\"", &["deploy/pool.yaml"]);
    b.change(end - 60, "dddd444", "archive-portal", "Revert \"Enable request signing\"", &["deploy/signing.yaml"]);
    let a = analyze(&b.case, &CorrelateOptions::default());
    let top = a.suspects.first().expect("suspects");
    assert_eq!(
        top.change_id,
        "bbbb222",
        "{:#?}",
        a.suspects.iter().map(|s| (&s.change_id, s.score, &s.factors)).collect::<Vec<_>>()
    );
    assert!(top.score >= 0.5);
    let other = a.suspects.iter().find(|s| s.change_id == "aaaa111").expect("ranked");
    assert!(other.score < 0.5, "a revert that did not end the errors is weak evidence");
}

#[test]
fn when_no_change_explains_it_a_lead_points_at_the_new_signature() {
    let mut b = Builder::new();
    let start = T0 + 3 * 3600 + 5;
    b.traffic(17, start, T0 + 3 * 3600 + 1500, 0.5, DB_TRACE, 0.5);
    b.change(start - 25 * 60, "v2.3.1", "archive-portal", "Update footer links", &["templates/footer.html"]);
    b.change(start - 3 * 60, "v2.3.2", "archive-portal", "Tweak CSS", &["static/site.css"]);
    b.message(start + 300, "jane", "I get an error 500 when I try to log in");
    b.message(start + 400, "ArchiveSupport", "We are looking into it, sorry");
    b.message(T0 + 3 * 3600 + 1700, "jane", "works now, thanks!");
    b.page(start + 600, start + 720, None);
    let a = analyze(&b.case, &CorrelateOptions::default());
    assert!(
        a.suspects.iter().all(|s| s.score < 0.5),
        "{:#?}",
        a.suspects.iter().map(|s| (&s.change_id, s.score)).collect::<Vec<_>>()
    );
    let no_change = a.no_change.clone().expect("no change named: its hypothesis stated");
    let sig = no_change.signature.expect("a signature to start from");
    assert!(sig.template.contains("OperationalError") && sig.example.file == "app/archive-portal.log", "{sig:?}");
    assert!(
        no_change.facts.iter().any(|f| matches!(
            f,
            faultline_model::NoChangeFact::Infrastructure { class: faultline_model::InfraClass::Database, .. }
        )),
        "{:?}",
        no_change.facts
    );
    assert!(no_change.posterior > 0.5, "{}", no_change.posterior);
    let kinds: Vec<TimelineKind> = a.timeline.iter().map(|e| e.kind).collect();
    for k in [
        TimelineKind::ErrorOnset,
        TimelineKind::UserReport,
        TimelineKind::Communication,
        TimelineKind::Alert,
        TimelineKind::Ack,
        TimelineKind::Recovery,
        TimelineKind::Note,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    assert_eq!(
        a.metrics.time_to_first_report_s,
        Some(300 - (a.incident.as_ref().map_or(0, |i| i.onset.timestamp()) - start))
    );
    assert_eq!(a.metrics.user_reports, 1);
    assert!(a.metrics.affected_clients > 5);
    assert!(a.timeline.windows(2).all(|w| w[0].time <= w[1].time));
}

#[test]
fn what_is_new_names_the_same_clients_every_run() {
    // Hundreds of clients with one or two errors each: more ties than the
    // top 20 holds. Each analysis hashes clients with a fresh seed.
    let mut b = Builder::new();
    let start = T0 + 3 * 3600;
    for k in 0..600i64 {
        b.request(start + k * 2, "/login", 500, &format!("10.7.{}.{}", k / 250, k % 250));
    }
    // Bursts: forty clients failing in the same second are one event.
    for k in 0..400i64 {
        b.request(start + 1 + (k / 40) * 60, "/login", 500, &format!("10.8.{}.{}", k / 250, k % 250));
    }
    b.traffic(5, start, start + 1200, 0.0, IMPORT_TRACE, 0.0);
    let runs: Vec<Vec<String>> = (0..4)
        .map(|_| {
            let a = analyze(&b.case, &CorrelateOptions::default());
            a.novelty.expect("comparison").clients.into_iter().map(|c| c.value).collect()
        })
        .collect();
    assert_eq!(runs[0].len(), 20);
    assert!(runs.windows(2).all(|w| w[0] == w[1]), "{runs:?}");
    // Equal counts go by first sight: the first burst's clients, in file order.
    assert_eq!(runs[0][0], "10.7.0.0");
}
