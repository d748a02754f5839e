//! Onset and recovery on real shapes: families whose incident is a slow ramp,
//! flapping, a fail-closed 4xx surge, a tail of stragglers with late blips,
//! two incidents in a day, and what would still fool a change-point scan (a
//! diurnal traffic swing under steady cron errors, a deploy's restart blip of
//! 502s before the incident, an incident already failing at the first line or
//! still failing at the last).
//!
//! Each variant writes an nginx access log, a Python app log and the deploys
//! around it from a seed; the truth is the first and last error each fault
//! actually wrote. These families judge the incident window and the list of
//! incidents, not the root cause. Tolerances are the suite's (onset ±60 s,
//! recovery ±120 s, see `check`) unless a family says otherwise.

use crate::check;
use crate::formats::{self, Commit};
use crate::generator::{Kind, Rng, Scenario, Truth};
use serde_json::Value;

/// What an onset family checks besides one incident's onset and recovery.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The root cause is not judged.
    pub cause_unjudged: bool,
    /// The analyzed incident is still failing at the end: `recovered` must be null.
    pub ongoing: bool,
    /// Seconds the onset may be later than the truth's.
    pub onset_late: i64,
    /// Every incident the data holds, in time order: (first error, last
    /// error or `None` while ongoing). Empty: the list is not checked.
    pub incidents: Vec<(i64, Option<i64>)>,
}

fn secs(v: &Value) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(v.as_str()?).ok().map(|t| t.timestamp())
}

/// How the `incidents` list differs from [`Expect::incidents`].
pub fn compare(s: &Scenario, a: &Value) -> Vec<String> {
    let want = &s.truth.shape.incidents;
    if want.is_empty() {
        return Vec::new();
    }
    let got: Vec<(Option<i64>, Option<i64>)> = a["incidents"]
        .as_array()
        .map(|l| l.iter().map(|i| (secs(&i["onset"]), secs(&i["recovered"]))).collect())
        .unwrap_or_default();
    if got.len() != want.len() {
        return vec![format!("{} incidents listed, truth {}: got {got:?}, truth {want:?}", got.len(), want.len())];
    }
    let mut bad = Vec::new();
    for (k, ((on, rec), (t_on, t_rec))) in got.iter().zip(want).enumerate() {
        let late = s.truth.shape.onset_late;
        if on.is_none_or(|o| o - t_on < -check::ONSET_TOL || o - t_on > check::ONSET_TOL + late) {
            bad.push(format!("incident {}: onset {on:?} vs truth {t_on}", k + 1));
        }
        let rec_ok = match (rec, t_rec) {
            (None, None) => true,
            (Some(r), Some(t)) => (r - t).abs() <= check::RECOVERY_TOL,
            _ => false,
        };
        if !rec_ok {
            bad.push(format!("incident {}: recovered {rec:?} vs truth {t_rec:?}", k + 1));
        }
    }
    bad
}

/// A way requests fail over time.
struct Fault {
    /// Request path prefixes it fails; empty: every page.
    endpoints: Vec<&'static str>,
    /// The response status.
    status: u16,
    /// The chance a request to its endpoints fails at second `t`.
    prob: Box<dyn Fn(i64) -> f64>,
    /// The traceback (continuation lines) the app logs for a 5xx; `{n}` varies.
    trace: String,
    /// Errors at exactly these seconds, whatever `prob` says (stragglers, blips).
    forced: Vec<i64>,
    /// When it wrote an error (not the truth when `noise`).
    written: Vec<i64>,
}

impl Fault {
    fn new(endpoints: &[&'static str], status: u16, trace: String, prob: impl Fn(i64) -> f64 + 'static) -> Fault {
        Fault {
            endpoints: endpoints.to_vec(),
            status,
            prob: Box::new(prob),
            trace,
            forced: Vec::new(),
            written: Vec::new(),
        }
    }
    fn first(&self) -> i64 {
        self.written.iter().copied().min().unwrap_or(0)
    }
    fn last(&self) -> i64 {
        self.written.iter().copied().max().unwrap_or(0)
    }
    fn errors(&self) -> usize {
        self.written.len()
    }
}

/// A crawler or vulnerability scanner: one client asking for pages that do not exist.
struct Crawler {
    start: i64,
    requests: i64,
    seconds: i64,
}

/// The site: traffic from a population of clients over [start, end).
struct Site {
    service: String,
    start: i64,
    end: i64,
    /// Requests per second at the daily peak.
    rps: f64,
    /// Traffic at the daily low (04:00 UTC) as a share of the peak (1 = flat).
    trough: f64,
    /// 0.4 % of searches time out (500s that are no incident).
    noise: bool,
    /// Share of ordinary requests answered 404.
    not_found: f64,
    /// A cron job that fails every this many seconds whatever the traffic.
    cron: Option<i64>,
    /// nginx answers 502 from `.0` for `.1` seconds (a restart).
    restarts: Vec<(i64, i64)>,
    crawlers: Vec<Crawler>,
}

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/123.0",
];
const SERVICES: &[&str] = &["archive-portal", "library-web", "catalog-app", "records-ui"];
const PROBES: &[&str] =
    &["/wp-login.php", "/.env", "/admin/config.php", "/phpmyadmin/index.php", "/.git/config", "/xmlrpc.php"];

/// What writing a site produced.
struct Written {
    access: String,
    app: String,
    gunicorn: String,
}

impl Site {
    fn rate(&self, t: i64) -> f64 {
        let hour = (t.rem_euclid(86_400)) as f64 / 3600.0;
        let day = 0.5 - 0.5 * ((hour - 4.0) / 24.0 * std::f64::consts::TAU).cos();
        self.rps * (self.trough + (1.0 - self.trough) * day)
    }

    fn write(&self, rng: &mut Rng, faults: &mut [Fault]) -> Written {
        let clients: Vec<String> = (0..1500)
            .map(|_| format!("{}.{}.{}.{}", rng.int(11, 220), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254)))
            .collect();
        let mut access: Vec<(i64, String)> = Vec::new();
        let mut app: Vec<(i64, u32, String)> = Vec::new();
        let mut n = 0u64;
        let mut t = self.start as f64;
        let mut forced: Vec<(i64, usize)> =
            faults.iter().enumerate().flat_map(|(k, f)| f.forced.iter().map(move |&s| (s, k))).collect();
        forced.sort_unstable();
        let mut next_forced = 0;
        loop {
            t += -((1.0 - rng.f()).ln()) / self.rate(t as i64).max(1e-3);
            let s = t as i64;
            if s >= self.end {
                break;
            }
            // Forced errors due before this request.
            while let Some(&(fs, k)) = forced.get(next_forced).filter(|(fs, _)| *fs <= s) {
                next_forced += 1;
                let client = rng.pick(&clients).clone();
                let path = faults[k].endpoints.first().copied().unwrap_or("/login").to_string();
                self.fail(rng, &mut faults[k], fs, &client, "POST", &path, &mut access, &mut app);
            }
            n += 1;
            let client = rng.pick(&clients).clone();
            let r = rng.f();
            let (method, path) = if r < 0.25 {
                ("POST", "/login".to_string())
            } else if r < 0.5 {
                ("GET", format!("/search?q=term{}", rng.int(1, 500)))
            } else if r < 0.7 {
                ("GET", format!("/api/items/{}", rng.int(1000, 99999)))
            } else if r < 0.8 {
                ("POST", "/checkout".to_string())
            } else {
                ("GET", format!("/collections/{}", rng.int(1, 80)))
            };
            let ua = *rng.pick(AGENTS);
            if self.restarts.iter().any(|&(at, d)| s >= at && s < at + d) {
                access.push((s, formats::nginx(s, 0, &client, method, &path, 502, 157, ua)));
                continue;
            }
            let mut failed = false;
            for f in faults.iter_mut() {
                let applies = f.endpoints.is_empty() || f.endpoints.iter().any(|e| path.starts_with(e));
                if applies && rng.chance((f.prob)(s)) {
                    self.fail(rng, f, s, &client, method, &path, &mut access, &mut app);
                    failed = true;
                    break;
                }
            }
            if failed {
                continue;
            }
            let ms = rng.int(0, 999) as u32;
            if self.noise && path.starts_with("/search") && rng.chance(0.004) {
                access.push((s, formats::nginx(s, 0, &client, method, &path, 500, 178, ua)));
                let msg = format!("Search backend timeout after {}ms", rng.int(3000, 3100));
                app.push((s, ms, formats::pylog(s, 0, ms, "ERROR", "portal.search", &msg)));
                continue;
            }
            let status = if rng.chance(self.not_found) { 404 } else { 200 };
            let bytes = rng.int(200, 40000) as u32;
            access.push((s, formats::nginx(s, 0, &client, method, &path, status, bytes, ua)));
            if n.is_multiple_of(4) {
                let msg =
                    format!("{method} {} handled in {}ms", path.split('?').next().unwrap_or("/"), rng.int(3, 180));
                app.push((s, ms, formats::pylog(s, 0, ms, "INFO", "portal.views", &msg)));
            }
        }
        for c in &self.crawlers {
            let ip = format!("{}.{}.{}.{}", rng.int(11, 220), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254));
            for k in 0..c.requests {
                let s = c.start + k * c.seconds / c.requests.max(1);
                let path =
                    format!("{}{}", rng.pick(PROBES), if k % 3 == 0 { format!("?v={k}") } else { String::new() });
                access.push((s, formats::nginx(s, 0, &ip, "GET", &path, 404, 162, "Mozilla/5.0 zgrab/0.x")));
            }
        }
        if let Some(every) = self.cron {
            let mut s = self.start + rng.int(0, every);
            while s < self.end {
                let ms = rng.int(0, 999) as u32;
                let msg = format!("Sitemap refresh failed: upstream returned 503 after {}ms", rng.int(900, 1200));
                app.push((s, ms, formats::pylog(s, 0, ms, "ERROR", "portal.jobs", &msg)));
                s += every + rng.int(-20, 20);
            }
        }
        let mut gunicorn = formats::gunicorn_boot(self.start - 30, 0, 800);
        for (k, &(at, _)) in self.restarts.iter().enumerate() {
            let pid = 900 + 100 * k as u32;
            gunicorn += &formats::gunicorn_restart(at, 0, pid, pid + 100);
        }
        access.sort_by_key(|a| a.0);
        app.sort_by_key(|a| (a.0, a.1));
        Written {
            access: access.into_iter().map(|a| a.1).collect(),
            app: app.into_iter().map(|a| a.2).collect(),
            gunicorn,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fail(
        &self,
        rng: &mut Rng,
        f: &mut Fault,
        s: i64,
        client: &str,
        method: &str,
        path: &str,
        access: &mut Vec<(i64, String)>,
        app: &mut Vec<(i64, u32, String)>,
    ) {
        f.written.push(s);
        let ua = *rng.pick(AGENTS);
        access.push((s, formats::nginx(s, 0, client, method, path, f.status, 178, ua)));
        if f.status >= 500 {
            let ms = rng.int(0, 999) as u32;
            let head = format!("Exception on {} [{method}]", path.split('?').next().unwrap_or("/"));
            let mut line = formats::pylog(s, 0, ms, "ERROR", "portal.views", &head);
            line += &f.trace.replace("{n}", &rng.int(100, 99999).to_string());
            line.push('\n');
            app.push((s, ms, line));
        }
    }
}

fn day(rng: &mut Rng) -> i64 {
    1_773_446_400 + rng.int(0, 200) * 86_400
}

fn pool_trace(service: &str) -> String {
    format!("Traceback (most recent call last):\n  File \"/srv/{service}/portal/views.py\", line 140, in checkout\n    with db.session() as s:\n  File \"/srv/{service}/portal/db.py\", line 52, in session\n    conn = engine.connect()\nsqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)")
}

fn import_trace(service: &str) -> String {
    format!("Traceback (most recent call last):\n  File \"/srv/{service}/portal/views.py\", line 88, in login\n    from config.auth_settings import SESSION_BACKEND\n  File \"/srv/{service}/config/auth_settings.py\", line 12, in <module>\n    from archive_auth.sessions import RedisSessionStore\nImportError: cannot import name 'RedisSessionStore' from 'archive_auth.sessions' (/srv/{service}/archive_auth/sessions.py)")
}

fn db_trace(service: &str) -> String {
    format!("Traceback (most recent call last):\n  File \"/srv/{service}/portal/db.py\", line 31, in query\n    conn = pool.getconn()\n  File \"/srv/{service}/venv/lib/python3.11/site-packages/psycopg2/pool.py\", line 169, in getconn\n    return self._connect(key)\npsycopg2.OperationalError: could not connect to server: Connection refused (10.{{n}})")
}

/// A change at `base` plus a random offset in `offset` (seconds).
fn change(rng: &mut Rng, base: i64, offset: (i64, i64), message: &str, files: &[&str]) -> Commit {
    let t = base + rng.int(offset.0, offset.1);
    Commit {
        hash: rng.hash(),
        author: rng.pick(&["Dana Lee", "Sam Okafor", "Priya Nair"]).to_string(),
        t,
        message: message.to_string(),
        files: files.iter().map(|f| f.to_string()).collect(),
    }
}

/// The scenario's files and truth: the analyzed incident is `main`'s
/// (`None` recovered: still failing at the end).
fn scenario(
    family: &'static str,
    site: &Site,
    w: Written,
    changes: Vec<Commit>,
    main: (i64, Option<i64>),
    expect: Expect,
) -> Scenario {
    let service = site.service.clone();
    let with_service: Vec<(Commit, String)> = changes.into_iter().map(|c| (c, service.clone())).collect();
    Scenario {
        family,
        files: vec![
            ("logs/access.log".to_string(), Kind::Logs, w.access),
            (format!("logs/{service}.log"), Kind::Logs, w.app),
            ("logs/gunicorn.log".to_string(), Kind::Logs, w.gunicorn),
            ("deploys.csv".to_string(), Kind::Deploys, formats::deploy_csv(&with_service, 0)),
        ],
        tz: "UTC".into(),
        as_folder: false,
        truth: Truth {
            culprit: None,
            lead_mentions: None,
            onset: main.0,
            recovered: main.1.unwrap_or(0),
            // The onset and recovery checks judge these instants.
            milestones: Vec::new(),
            shape: Expect { cause_unjudged: true, ongoing: main.1.is_none(), ..expect },
        },
    }
}

fn site(rng: &mut Rng, start: i64, hours: (i64, i64)) -> Site {
    Site {
        service: rng.pick(SERVICES).to_string(),
        start,
        end: start + rng.int(hours.0 * 3600, hours.1 * 3600),
        rps: 1.0 + rng.f() * 1.5,
        trough: 1.0,
        noise: true,
        not_found: 0.02 + rng.f() * 0.02,
        cron: None,
        restarts: Vec::new(),
        crawlers: Vec::new(),
    }
}

/// A slow ramp: from 1–3 % of checkout and item requests to 40–90 % over
/// 30–90 minutes, a plateau, then the fix. In odd variants the same error
/// also happens a few times an hour all day, so the ramp's first errors look
/// like baseline: the onset may then be as late as the ramp's third error.
pub fn ramp(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let start = day(&mut rng) + 5 * 3600 + rng.int(0, 3600);
    let mut site = site(&mut rng, start, (6, 8));
    let s = start + rng.int(2 * 3600, 3 * 3600);
    let ramp = rng.int(30 * 60, 90 * 60);
    let stop = s + ramp + rng.int(5 * 60, 20 * 60);
    site.end = site.end.max(stop + 3600);
    let (p0, p1) = (0.01 + rng.f() * 0.02, 0.4 + rng.f() * 0.5);
    let trace = pool_trace(&site.service);
    let noisy = seed % 2 == 1;
    let mut faults = vec![Fault::new(&["/checkout", "/api/items"], 500, trace.clone(), move |t| {
        if t < s || t >= stop {
            0.0
        } else {
            p0 + (p1 - p0) * (((t - s) as f64) / ramp as f64).min(1.0)
        }
    })];
    if noisy {
        faults.push(Fault::new(&["/checkout", "/api/items"], 500, trace, |_| 0.0015));
    }
    let w = site.write(&mut rng, &mut faults);
    let f = &faults[0];
    let (on, off) = (f.first(), f.last());
    let third = f.written.iter().copied().filter(|&t| t >= on).nth(2).unwrap_or(on);
    let changes = vec![
        change(&mut rng, s, (-1800, -300), "Lower DB pool size for the new replica", &["config/db_pool.py"]),
        change(&mut rng, stop, (-90, -20), "Revert \"Lower DB pool size for the new replica\"", &["config/db_pool.py"]),
    ];
    let expect = Expect {
        onset_late: if noisy { third - on } else { 0 },
        incidents: vec![(on, Some(off))],
        ..Expect::default()
    };
    scenario("O1", &site, w, changes, (on, Some(off)), expect)
}

/// Flapping: 4–6 minutes bad, 4–6 minutes fine, 4–8 times; one incident.
pub fn flapping(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let start = day(&mut rng) + 6 * 3600 + rng.int(0, 3600);
    let mut site = site(&mut rng, start, (5, 7));
    let s = start + rng.int(2 * 3600, 3 * 3600);
    let (bad, good, cycles) = (rng.int(240, 360), rng.int(240, 360), rng.int(4, 8));
    let stop = s + cycles * (bad + good) - good;
    site.end = site.end.max(stop + 3600);
    let p = 0.5 + rng.f() * 0.4;
    let mut faults = vec![Fault::new(&["/login"], 500, import_trace(&site.service), move |t| {
        if t >= s && t < stop && (t - s) % (bad + good) < bad {
            p
        } else {
            0.0
        }
    })];
    let w = site.write(&mut rng, &mut faults);
    let (on, off) = (faults[0].first(), faults[0].last());
    let changes =
        vec![change(&mut rng, s, (-900, -120), "Move sessions to the new Redis cluster", &["config/auth_settings.py"])];
    let expect = Expect { incidents: vec![(on, Some(off))], ..Expect::default() };
    scenario("O2", &site, w, changes, (on, Some(off)), expect)
}

/// An auth proxy that fails closed: 404 (or 403) on most pages for 15–60
/// minutes, among ordinary 404s (2–4 % all day) and a vulnerability
/// scanner's bursts of 404s (one client each); one incident.
pub fn fail_closed(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let start = day(&mut rng) + 7 * 3600 + rng.int(0, 3600);
    let mut site = site(&mut rng, start, (5, 7));
    let s = start + rng.int(2 * 3600, 3 * 3600);
    let stop = s + rng.int(15 * 60, 60 * 60);
    site.end = site.end.max(stop + 3600);
    let status = *rng.pick(&[404, 404, 404, 403]);
    let p = 0.6 + rng.f() * 0.35;
    let mut faults =
        vec![Fault::new(&["/login", "/api/items", "/checkout", "/collections"], status, String::new(), move |t| {
            if t >= s && t < stop {
                p
            } else {
                0.0
            }
        })];
    site.crawlers = vec![
        Crawler { start: s - rng.int(1800, 5400), requests: rng.int(100, 400), seconds: rng.int(60, 240) },
        Crawler { start: stop + rng.int(1200, 2400), requests: rng.int(100, 400), seconds: rng.int(60, 240) },
    ];
    let w = site.write(&mut rng, &mut faults);
    let (on, off) = (faults[0].first(), faults[0].last());
    let changes =
        vec![change(&mut rng, s, (-600, -60), "Require SSO session on all pages", &["deploy/auth-proxy.yaml"])];
    let expect = Expect { incidents: vec![(on, Some(off))], ..Expect::default() };
    scenario("O3", &site, w, changes, (on, Some(off)), expect)
}

/// A burst of 20–50 minutes, then 3–8 stragglers up to 100 s apart, then
/// one to three blips of 1–3 errors 8–25 minutes later: recovery is the last
/// straggler.
pub fn tails(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let start = day(&mut rng) + 6 * 3600 + rng.int(0, 3600);
    let mut site = site(&mut rng, start, (5, 7));
    let s = start + rng.int(2 * 3600, 3 * 3600);
    let stop = s + rng.int(20 * 60, 50 * 60);
    let p = 0.5 + rng.f() * 0.4;
    let mut fault =
        Fault::new(&["/login"], 500, import_trace(&site.service), move |t| if t >= s && t < stop { p } else { 0.0 });
    let mut at = stop;
    for _ in 0..rng.int(3, 8) {
        at += rng.int(15, 100);
        fault.forced.push(at);
    }
    let last_straggler = at;
    for _ in 0..rng.int(1, 3) {
        at += rng.int(8 * 60, 25 * 60);
        for k in 0..rng.int(1, 3) {
            fault.forced.push(at + k * rng.int(0, 2));
        }
    }
    site.end = site.end.max(at + 1800);
    let mut faults = vec![fault];
    let w = site.write(&mut rng, &mut faults);
    let on = faults[0].first();
    let changes = vec![
        change(&mut rng, s, (-900, -120), "Switch session store", &["config/auth_settings.py"]),
        change(&mut rng, stop, (-90, -20), "Revert \"Switch session store\"", &["config/auth_settings.py"]),
    ];
    let expect = Expect { incidents: vec![(on, Some(last_straggler))], ..Expect::default() };
    scenario("O4", &site, w, changes, (on, Some(last_straggler)), expect)
}

/// Two incidents hours apart in one day: a database failover on every page
/// and a bad deploy on the login; the bigger is analyzed, both are listed.
pub fn two_incidents(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let start = day(&mut rng) + 4 * 3600 + rng.int(0, 3600);
    let mut site = site(&mut rng, start, (12, 14));
    site.trough = 0.5;
    let a = start + rng.int(2 * 3600, 4 * 3600);
    let a_stop = a + rng.int(8 * 60, 20 * 60);
    let b = a_stop + rng.int(3 * 3600, 5 * 3600);
    // Which one is bigger varies; the other is clearly smaller.
    let b_bigger = seed.is_multiple_of(2);
    let b_stop = b + if b_bigger { rng.int(90 * 60, 120 * 60) } else { rng.int(10 * 60, 20 * 60) };
    site.end = site.end.max(b_stop + 3600);
    let (pa, pb) = (0.7 + rng.f() * 0.25, 0.6 + rng.f() * 0.3);
    let mut faults = vec![
        Fault::new(&[], 500, db_trace(&site.service), move |t| if t >= a && t < a_stop { pa } else { 0.0 }),
        Fault::new(&["/login"], 500, import_trace(&site.service), move |t| if t >= b && t < b_stop { pb } else { 0.0 }),
    ];
    let w = site.write(&mut rng, &mut faults);
    let first = (faults[0].first(), Some(faults[0].last()));
    let second = (faults[1].first(), Some(faults[1].last()));
    let main = if faults[1].errors() > faults[0].errors() { second } else { first };
    let changes = vec![
        change(&mut rng, b, (-600, -120), "Switch session store", &["config/auth_settings.py"]),
        change(&mut rng, b_stop, (-90, -20), "Revert \"Switch session store\"", &["config/auth_settings.py"]),
    ];
    let expect = Expect { incidents: vec![first, second], ..Expect::default() };
    scenario("O5", &site, w, changes, main, expect)
}

/// What would fool a change-point scan: a day of traffic that drops to
/// 10–20 % at night under a cron job failing every 4–10 minutes whatever the
/// traffic, and a deploy whose restart answers 502 for 5–20 s, 2–8 minutes
/// before its bug fails the checkout. One incident, from its first 500.
pub fn fooling(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let midnight = day(&mut rng);
    let start = midnight - 3600 * rng.int(0, 2);
    let mut site = site(&mut rng, start, (22, 24));
    site.trough = 0.1 + rng.f() * 0.1;
    site.rps = 0.8 + rng.f() * 0.8;
    site.cron = Some(rng.int(240, 600));
    let deploy = midnight + rng.int(10, 15) * 3600 + rng.int(0, 3600);
    let s = deploy + rng.int(120, 480);
    let stop = s + rng.int(20 * 60, 60 * 60);
    site.restarts = vec![(deploy, rng.int(5, 20))];
    let p = 0.5 + rng.f() * 0.4;
    let mut faults =
        vec![Fault::new(
            &["/checkout"],
            500,
            pool_trace(&site.service),
            move |t| if t >= s && t < stop { p } else { 0.0 },
        )];
    let w = site.write(&mut rng, &mut faults);
    let (on, off) = (faults[0].first(), faults[0].last());
    let changes =
        vec![change(&mut rng, deploy, (-5, -5), "Release 4.12: async checkout", &["portal/views.py", "portal/db.py"])];
    let expect = Expect { incidents: vec![(on, Some(off))], ..Expect::default() };
    scenario("O6", &site, w, changes, (on, Some(off)), expect)
}

/// An incident already failing at the first line (even variants, recovering
/// after 20–40 minutes) or still failing at the last (odd variants).
pub fn edges(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let start = day(&mut rng) + 8 * 3600 + rng.int(0, 3600);
    let mut site = site(&mut rng, start, (3, 4));
    let p = 0.5 + rng.f() * 0.4;
    let from_start = seed.is_multiple_of(2);
    let (s, stop) = if from_start {
        (start, start + rng.int(20 * 60, 40 * 60))
    } else {
        let s = site.end - rng.int(20 * 60, 60 * 60);
        (s, site.end + 1)
    };
    site.end = site.end.max(stop);
    let mut faults =
        vec![Fault::new(
            &["/login"],
            500,
            import_trace(&site.service),
            move |t| if t >= s && t < stop { p } else { 0.0 },
        )];
    let w = site.write(&mut rng, &mut faults);
    let on = faults[0].first();
    let off = (from_start).then(|| faults[0].last());
    let changes = vec![change(&mut rng, s, (-900, -120), "Switch session store", &["config/auth_settings.py"])];
    let expect = Expect { incidents: vec![(on, off)], ..Expect::default() };
    scenario("O7", &site, w, changes, (on, off), expect)
}

#[test]
fn incident_flag_picks_each_incident_and_refuses_one_not_found() {
    for seed in [12_000, 12_001] {
        let s = two_incidents(seed);
        let dir = tempfile::tempdir().expect("tempdir");
        for (k, (onset, _)) in s.truth.shape.incidents.iter().enumerate() {
            let n = (k + 1).to_string();
            let a = check::run_with(&s, dir.path(), &["--incident", &n]).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            let got = secs(&a["incident"]["onset"]);
            assert!(
                got.is_some_and(|g| (g - onset).abs() <= check::ONSET_TOL),
                "seed {seed}, --incident {n}: onset {got:?} vs {onset}"
            );
            let analyzed: Vec<bool> = a["incidents"]
                .as_array()
                .map(|l| l.iter().map(|i| i["analyzed"] == true).collect())
                .unwrap_or_default();
            assert_eq!(analyzed.iter().position(|&x| x), Some(k), "seed {seed}: {analyzed:?}");
        }
        let err = check::run_with(&s, dir.path(), &["--incident", "3"]).expect_err("no third incident");
        assert!(err.contains("--incident 3: only 2 incidents were found"), "{err}");
    }
}
