//! Onset, recovery and the list of incidents on the shapes real incidents
//! take: a slow ramp, a tail of stragglers and late blips, flapping, two
//! incidents in a day, a restart blip before the incident, steady cron errors
//! under a night trough, a fail-closed 4xx surge among ordinary 404s and a
//! crawler. Cases are built the way the store returns them: an access log's
//! per-second counts and its failed requests as notable records.

use crate::{analyze, CorrelateOptions};
use faultline_model::{
    Analysis, CaseData, Level, NotableRecord, OwnedRecord, SecondCount, SourceKind, SourceSummary, Span,
};

const T0: i64 = 1_764_000_000;

/// Deterministic randomness, so the tests cannot flake.
struct Rng(u64);
impl Rng {
    fn f(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
}

fn at(t: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t, 0).unwrap_or_default()
}

/// A way requests fail: the chance a request to `path` fails with `status` at second t.
struct Fault {
    path: &'static str,
    status: u16,
    prob: Box<dyn Fn(i64) -> f64>,
}

fn fault(path: &'static str, status: u16, prob: impl Fn(i64) -> f64 + 'static) -> Fault {
    Fault { path, status, prob: Box::new(prob) }
}

/// An nginx access log (source 0) and an app log (source 1), `hours` long.
struct Site {
    case: CaseData,
    rng: Rng,
    line: u64,
    /// Seconds at which each fault failed a request.
    failed: Vec<Vec<i64>>,
}

impl Site {
    fn new(seed: u64) -> Site {
        let source = |path: &str| SourceSummary {
            path: path.into(),
            kind: SourceKind::Log,
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
        };
        let case =
            CaseData { sources: vec![source("nginx/access.log"), source("app/portal.log")], ..Default::default() };
        Site { case, rng: Rng(seed), line: 0, failed: Vec::new() }
    }

    fn push(&mut self, source: u32, t: i64, status: Option<u16>, path: &str, client: &str, message: &str) {
        self.line += 1;
        let text = match status {
            Some(s) => format!("{client} - - [..] \"GET {path} HTTP/1.1\" {s} 12 \"-\" \"ua\""),
            None => format!("2026-01-01 00:00:00,000 ERROR [portal.jobs] {message}"),
        };
        self.case.notable.push(NotableRecord {
            source,
            file: if source == 0 { "nginx/access.log".into() } else { "app/portal.log".into() },
            record: OwnedRecord {
                time: at(t),
                span: Span { line: self.line, offset: self.line * 100, len: 100, lines: 1 },
                level: if status.is_some() { None } else { Some(Level::Error) },
                status,
                method: status.map(|_| "GET".into()),
                path: status.map(|_| path.into()),
                client: status.map(|_| client.into()),
                user_agent: None,
                host: None,
                service: None,
                message: if status.is_some() { text.clone() } else { message.into() },
                text,
                flags: 0,
            },
        });
    }

    /// `hours` of traffic at `rps(t)` requests a second on five pages, each
    /// request failing by the first fault that takes it; 3 % are 404s when
    /// `not_found`.
    fn traffic(&mut self, hours: i64, rps: impl Fn(i64) -> f64, faults: &[Fault], not_found: bool) {
        const PAGES: &[&str] = &["/login", "/search", "/api/items/12", "/checkout", "/collections/3"];
        self.failed = vec![Vec::new(); faults.len()];
        for s in T0..T0 + hours * 3600 {
            let n = (rps(s) * 2.0 * self.rng.f()).round() as u32;
            let (mut errors, mut c5, mut c4) = (0, 0, 0);
            for _ in 0..n {
                let page = PAGES[(self.rng.f() * PAGES.len() as f64) as usize % PAGES.len()];
                let client = format!("10.{}.{}.{}", (self.rng.f() * 20.0) as u32, (self.rng.f() * 250.0) as u32, 7);
                let mut status = 200;
                for (k, f) in faults.iter().enumerate() {
                    if page.starts_with(f.path) && self.rng.f() < (f.prob)(s) {
                        status = f.status;
                        self.failed[k].push(s);
                        break;
                    }
                }
                if status == 200 && not_found && self.rng.f() < 0.03 {
                    status = 404;
                }
                if status >= 500 {
                    (errors, c5) = (errors + 1, c5 + 1);
                } else if status >= 400 {
                    c4 += 1;
                }
                if status >= 400 {
                    self.push(0, s, Some(status), page, &client, "");
                }
            }
            self.case.counts.push(SecondCount {
                second: s,
                source: 0,
                total: n,
                errors,
                http_5xx: c5,
                http_4xx: c4,
                warnings: 0,
            });
        }
    }

    /// Requests at exactly these seconds that fail with `status` on `path`.
    fn failures(&mut self, times: &[i64], path: &str, status: u16) {
        for &t in times {
            self.push(0, t, Some(status), path, "10.9.0.1", "");
            if let Some(c) = self.case.counts.iter_mut().find(|c| c.second == t && c.source == 0) {
                c.total += 1;
                c.errors += u32::from(status >= 500);
                c.http_5xx += u32::from(status >= 500);
                c.http_4xx += u32::from((400..500).contains(&status));
            }
        }
    }

    fn analyze(&mut self, incident: Option<u32>) -> Analysis {
        self.case.notable.sort_by_key(|n| n.record.time);
        self.case.counts.sort_by_key(|c| (c.second, c.source));
        analyze(&self.case, &CorrelateOptions { incident, ..CorrelateOptions::default() })
    }
}

fn window(a: &Analysis) -> (i64, Option<i64>) {
    let inc = a.incident.as_ref().map(|i| (i.onset.timestamp(), i.recovered.map(|r| r.timestamp())));
    inc.unwrap_or((0, None))
}

fn listed(a: &Analysis) -> Vec<(i64, Option<i64>)> {
    a.incidents.iter().map(|i| (i.onset.timestamp(), i.recovered.map(|r| r.timestamp()))).collect()
}

#[test]
fn a_slow_ramp_begins_at_its_first_error_not_where_it_became_obvious() {
    // 2 % of checkouts fail at 02:00, growing to 60 % at 03:00, fixed at 03:10.
    let (s, e) = (T0 + 2 * 3600, T0 + 3 * 3600 + 600);
    let ramp = move |t: i64| if t < s || t >= e { 0.0 } else { (0.02 + 0.58 * (t - s) as f64 / 3600.0).min(0.6) };
    let mut site = Site::new(3);
    site.traffic(5, |_| 2.0, &[fault("/checkout", 500, ramp)], false);
    let (first, last) = (site.failed[0][0], *site.failed[0].last().unwrap_or(&0));
    let a = site.analyze(None);
    assert_eq!(window(&a), (first, Some(last)), "ramp from {first} to {last}");
    assert_eq!(listed(&a).len(), 1);
}

#[test]
fn stragglers_belong_to_the_recovery_and_later_blips_do_not() {
    let (s, e) = (T0 + 2 * 3600, T0 + 2 * 3600 + 1800);
    let mut site = Site::new(5);
    site.traffic(4, |_| 2.0, &[fault("/login", 500, move |t| if t >= s && t < e { 0.7 } else { 0.0 })], false);
    let stragglers = [e + 40, e + 95, e + 170, e + 260];
    site.failures(&stragglers, "/login", 500);
    // Recurrences 12 and 25 minutes after the last straggler.
    site.failures(&[e + 260 + 720, e + 260 + 720, e + 260 + 1500], "/login", 500);
    let a = site.analyze(None);
    assert_eq!(window(&a), (site.failed[0][0], Some(e + 260)));
    assert_eq!(listed(&a).len(), 1, "{:?}", listed(&a));
}

#[test]
fn flapping_is_one_incident_from_its_first_error_to_its_last() {
    // Five minutes failing, five fine, six times.
    let s = T0 + 2 * 3600;
    let flap = move |t: i64| if t >= s && t < s + 3300 && (t - s) % 600 < 300 { 0.8 } else { 0.0 };
    let mut site = Site::new(7);
    site.traffic(4, |_| 2.0, &[fault("/login", 500, flap)], false);
    let (first, last) = (site.failed[0][0], *site.failed[0].last().unwrap_or(&0));
    let a = site.analyze(None);
    assert_eq!(listed(&a), vec![(first, Some(last))]);
}

#[test]
fn two_incidents_are_both_listed_the_bigger_analyzed_and_either_can_be_picked() {
    // A short failover on every page at 02:00, a long login outage at 07:00.
    let (a0, a1) = (T0 + 2 * 3600, T0 + 2 * 3600 + 600);
    let (b0, b1) = (T0 + 7 * 3600, T0 + 8 * 3600 + 1800);
    let mut site = Site::new(11);
    site.traffic(
        10,
        |_| 2.0,
        &[
            fault("/", 503, move |t| if t >= a0 && t < a1 { 0.9 } else { 0.0 }),
            fault("/login", 500, move |t| if t >= b0 && t < b1 { 0.8 } else { 0.0 }),
        ],
        false,
    );
    let span = |v: &Vec<i64>| (v[0], Some(*v.last().unwrap_or(&0)));
    let (first, second) = (span(&site.failed[0]), span(&site.failed[1]));
    let a = site.analyze(None);
    assert_eq!(listed(&a), vec![first, second]);
    assert_eq!(window(&a), second, "the bigger one is analyzed");
    assert_eq!(a.incidents.iter().map(|i| i.analyzed).collect::<Vec<_>>(), vec![false, true]);
    assert!(a.incidents[0].errors < a.incidents[1].errors);
    let picked = site.analyze(Some(1));
    assert_eq!(window(&picked), first);
    assert!(picked.incidents[0].analyzed);
}

#[test]
fn a_restart_blip_of_502s_before_the_incident_is_not_its_onset() {
    let deploy = T0 + 3 * 3600;
    let (s, e) = (deploy + 300, deploy + 2400);
    let mut site = Site::new(13);
    site.traffic(5, |_| 2.0, &[fault("/login", 500, move |t| if t >= s && t < e { 0.7 } else { 0.0 })], false);
    // The deploy's restart: 12 requests answered 502 in 8 seconds.
    let blip: Vec<i64> = (0..12).map(|k| deploy + k * 8 / 12).collect();
    site.failures(&blip, "/search", 502);
    let a = site.analyze(None);
    assert_eq!(window(&a).0, site.failed[0][0]);
    assert_eq!(listed(&a).len(), 1, "{:?}", listed(&a));
}

#[test]
fn cron_errors_at_their_usual_pace_are_no_incident_when_traffic_drops_at_night() {
    // Traffic falls to a tenth from 00:00 to 06:00 while a job fails every 5 minutes.
    let mut site = Site::new(17);
    site.traffic(14, |t| if (t - T0) < 6 * 3600 { 0.3 } else { 3.0 }, &[], false);
    for t in (T0 + 60..T0 + 14 * 3600).step_by(300) {
        site.push(1, t, None, "", "", "Sitemap refresh failed: upstream returned 503");
        site.case.counts.push(SecondCount { second: t, source: 1, total: 1, errors: 1, ..Default::default() });
    }
    let a = site.analyze(None);
    assert!(a.incident.is_none(), "{:?}", a.incident.map(|i| i.summary));
}

#[test]
fn a_fail_closed_404_surge_is_an_incident_and_ordinary_404s_and_a_crawler_are_not() {
    let (s, e) = (T0 + 3 * 3600, T0 + 3 * 3600 + 1500);
    let mut site = Site::new(19);
    site.traffic(5, |_| 2.0, &[fault("/", 404, move |t| if t >= s && t < e { 0.8 } else { 0.0 })], true);
    let (first, last) = (site.failed[0][0], *site.failed[0].last().unwrap_or(&0));
    // A scanner an hour earlier: 300 404s from one address in two minutes.
    let scan: Vec<i64> = (0..300).map(|k| s - 3600 + k * 120 / 300).collect();
    site.failures(&scan, "/wp-login.php", 404);
    let a = site.analyze(None);
    assert_eq!(listed(&a), vec![(first, Some(last))]);
    assert!(a.incident.as_ref().is_some_and(|i| i.summary.contains("HTTP 404")), "{:?}", a.incident);

    // The same day without the surge: no incident at all.
    let mut quiet = Site::new(19);
    quiet.traffic(5, |_| 2.0, &[], true);
    quiet.failures(&scan, "/wp-login.php", 404);
    let a = quiet.analyze(None);
    assert!(a.incident.is_none(), "{:?}", a.incident.map(|i| i.summary));
}

#[test]
fn a_lone_first_error_minutes_before_the_rest_is_the_onset() {
    // 8 % of checkouts fail from 02:00 to 02:30 in a stream with no errors
    // all day; the first failure comes over three minutes earlier, alone:
    // before the window and further back than the onset's refinement
    // reaches, yet no farther from the rest than a tail's straggler.
    let (s, e) = (T0 + 2 * 3600, T0 + 2 * 3600 + 1800);
    let mut site = Site::new(3);
    site.traffic(5, |_| 2.0, &[fault("/checkout", 500, move |t| if t >= s && t < e { 0.08 } else { 0.0 })], false);
    let first = s - 200;
    site.failures(&[first], "/checkout", 500);
    let last = *site.failed[0].last().unwrap_or(&0);
    let a = site.analyze(None);
    assert_eq!(window(&a), (first, Some(last)), "from {first} to {last}");
}

#[test]
fn a_few_failures_logged_twice_after_recovery_do_not_extend_it() {
    // A login outage from 02:00 to 02:30; ten minutes later six searches time
    // out within three minutes, each in the access log and the app log, as a
    // dozen others do over the day.
    let (s, e) = (T0 + 2 * 3600, T0 + 2 * 3600 + 1800);
    let mut site = Site::new(23);
    site.traffic(5, |_| 2.0, &[fault("/login", 500, move |t| if t >= s && t < e { 0.7 } else { 0.0 })], false);
    let last = *site.failed[0].last().unwrap_or(&0);
    let mut timeouts: Vec<i64> = (0..12).map(|k| T0 + 600 + k * 1500).collect();
    timeouts.extend([0, 41, 47, 105, 137, 159].map(|d| last + 600 + d));
    site.failures(&timeouts, "/search", 500);
    for &t in &timeouts {
        site.push(1, t, None, "", "", "Search backend timeout after 3055ms");
    }
    let a = site.analyze(None);
    assert_eq!(window(&a), (site.failed[0][0], Some(last)));
}
