//! Writes complete incidents as real files, with the truth they were made from.
//!
//! A scenario is traffic over a few hours (nginx access log, a Python app log
//! with tracebacks, gunicorn lines), an incident on some endpoints between a
//! known first and last error, the changes around it, and the support,
//! alert and recovery milestones. Times, rates, names and sizes vary with
//! the seed; the truth is recorded from what was actually written.

use crate::formats::{self, Commit, Page, Ticket};

/// Deterministic randomness (no dependency, reproducible from the seed).
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E3779B97F4A7C15) ^ 0xD1B54A32D192ED03)
    }
    /// Uniform in [0, 1).
    pub fn f(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform integer in [lo, hi].
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.f() * ((hi - lo + 1) as f64)) as i64
    }
    /// One of.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.f() * xs.len() as f64) as usize % xs.len()]
    }
    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    /// A hex hash.
    pub fn hash(&mut self) -> String {
        (0..40).map(|_| char::from_digit(self.int(0, 15) as u32, 16).unwrap_or('0')).collect()
    }
}

/// What a run must find.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// The change that must rank first with score >= 0.5; `None` = no suspect may reach 0.5 and a lead is set.
    pub culprit: Option<String>,
    /// A word the lead must contain when there is no culprit.
    pub lead_mentions: Option<String>,
    /// First incident error.
    pub onset: i64,
    /// Last incident error.
    pub recovered: i64,
    /// Milestones: timeline kind and instant.
    pub milestones: Vec<(&'static str, i64)>,
    /// What the onset families check besides (see `onset_shapes`).
    pub shape: crate::onset_shapes::Expect,
}

/// Which command-line flag a file is passed with (`None` = a positional path, kind detected).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// `--logs`
    Logs,
    /// `--deploys`
    Deploys,
    /// `--support`
    Support,
    /// `--alerts`
    Alerts,
}

/// A scenario ready to write.
pub struct Scenario {
    /// Family name.
    pub family: &'static str,
    /// Files: relative path, kind, content.
    pub files: Vec<(String, Kind, String)>,
    /// `--tz`.
    pub tz: String,
    /// Pass one folder instead of files with kind flags.
    pub as_folder: bool,
    /// The truth.
    pub truth: Truth,
}

/// How the incident fails requests.
pub struct Failure {
    /// Endpoints that fail (path prefixes); empty = every endpoint.
    pub endpoints: Vec<String>,
    /// Probability that an affected request fails.
    pub prob: f64,
    /// Logger and the traceback's text after the header line (`{n}` = a varying number).
    pub logger: String,
    /// Traceback (continuation lines) for each failure.
    pub trace: String,
    /// First second errors may happen.
    pub from: i64,
    /// Errors stop before this second.
    pub to: i64,
}

/// The shared world: traffic and app logs with an incident and optional noise.
pub struct World {
    /// Service name.
    pub service: String,
    /// Log start (unix s).
    pub start: i64,
    /// Log end.
    pub end: i64,
    /// Requests per second (mean).
    pub rps: f64,
    /// Background noise: 0.5 % of searches fail, rare KeyError tracebacks on items.
    pub noise: bool,
    /// Offset of the nginx timestamps, of the app's naive local times, of gunicorn.
    pub offset: i32,
}

/// What writing the logs produced.
pub struct Logs {
    /// nginx access log.
    pub access: String,
    /// Python app log.
    pub app: String,
    /// First incident error written.
    pub first_error: i64,
    /// Last incident error written.
    pub last_error: i64,
}

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/123.0",
];

impl World {
    /// Writes the access and app logs.
    pub fn logs(&self, rng: &mut Rng, failure: &Failure, login_path: &str) -> Logs {
        let mut access = String::new();
        let mut app = String::new();
        let (mut first_error, mut last_error) = (i64::MAX, i64::MIN);
        let mut n = 0u64;
        let mut t = self.start as f64;
        while t < self.end as f64 {
            // Diurnal-ish modulation so exposure varies.
            let phase = ((t - self.start as f64) / 5400.0).sin().abs();
            t += -((1.0 - rng.f()).ln()) / (self.rps * (0.6 + 0.8 * phase));
            let s = t as i64;
            if s >= self.end {
                break;
            }
            n += 1;
            let client = format!("{}.{}.{}.{}", rng.int(11, 220), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254));
            let ua = rng.pick(AGENTS);
            let r = rng.f();
            let (method, path) = if r < 0.25 {
                ("POST", login_path.to_string())
            } else if r < 0.5 {
                ("GET", format!("/search?q=term{}", rng.int(1, 500)))
            } else if r < 0.7 {
                ("GET", format!("/api/items/{}", rng.int(1000, 99999)))
            } else if r < 0.8 {
                ("POST", "/checkout".to_string())
            } else {
                ("GET", format!("/collections/{}", rng.int(1, 80)))
            };
            let affected =
                failure.endpoints.is_empty() || failure.endpoints.iter().any(|e| path.starts_with(e.as_str()));
            let ms = rng.int(0, 999) as u32;
            if affected && s >= failure.from && s < failure.to && rng.chance(failure.prob) {
                first_error = first_error.min(s);
                last_error = last_error.max(s);
                access += &formats::nginx(s, self.offset, &client, method, &path, 500, 178, ua);
                let trace = failure.trace.replace("{n}", &rng.int(100, 99999).to_string());
                app += &formats::pylog(
                    s,
                    self.offset,
                    ms,
                    "ERROR",
                    &failure.logger,
                    &format!("Exception on {} [{method}]", path.split('?').next().unwrap_or("/")),
                );
                app += &trace;
                app.push('\n');
                continue;
            }
            if self.noise && path.starts_with("/search") && rng.chance(0.005) {
                access += &formats::nginx(s, self.offset, &client, method, &path, 500, 178, ua);
                app += &formats::pylog(
                    s,
                    self.offset,
                    ms,
                    "ERROR",
                    "portal.search",
                    &format!("Search backend timeout after {}ms", rng.int(3000, 3100)),
                );
                continue;
            }
            if self.noise && path.starts_with("/api/items") && rng.chance(0.004) {
                access += &formats::nginx(s, self.offset, &client, method, &path, 500, 178, ua);
                app += &formats::pylog(
                    s,
                    self.offset,
                    ms,
                    "ERROR",
                    "portal.items",
                    &format!("Exception on {} [GET]", path),
                );
                app += &format!("Traceback (most recent call last):\n  File \"/srv/{0}/portal/search/indexer.py\", line 77, in lookup\n    return cache[key]\nKeyError: 'item_{1}'\n", self.service, rng.int(1000, 99999));
                continue;
            }
            let status = if rng.chance(0.03) { 404 } else { 200 };
            access += &formats::nginx(s, self.offset, &client, method, &path, status, rng.int(200, 40000) as u32, ua);
            if n.is_multiple_of(4) {
                app += &formats::pylog(
                    s,
                    self.offset,
                    ms,
                    "INFO",
                    "portal.views",
                    &format!("{method} {} handled in {}ms", path.split('?').next().unwrap_or("/"), rng.int(3, 180)),
                );
            }
            if n.is_multiple_of(97) {
                app += &formats::pylog(
                    s,
                    self.offset,
                    ms,
                    "WARNING",
                    "portal.cache",
                    &format!("cache miss ratio {}% above 20%", rng.int(21, 40)),
                );
            }
        }
        Logs { access, app, first_error, last_error }
    }
}

pub const SERVICES: &[&str] = &["archive-portal", "library-web", "catalog-app", "records-ui"];
pub const AUTHORS: &[&str] = &["Dana Lee", "Sam Okafor", "Priya Nair", "Tom Berg", "Ana Silva"];
const USERS: &[&str] = &["readerjane", "bookworm_88", "histnerd", "m_curie", "lib_fan", "oldmaps", "ravenclaw42"];

pub fn commit(t: i64, rng: &mut Rng, message: &str, files: &[&str]) -> Commit {
    Commit {
        hash: rng.hash(),
        author: rng.pick(AUTHORS).to_string(),
        t,
        message: message.to_string(),
        files: files.iter().map(|f| f.to_string()).collect(),
    }
}

/// Day start of the scenarios (2026-03-14 00:00 UTC) plus a seeded shift of days.
pub fn day(rng: &mut Rng) -> i64 {
    1_773_446_400 + rng.int(0, 200) * 86_400
}

pub struct Support {
    pub tickets: Vec<Ticket>,
    pub first_report: i64,
    pub comms: Vec<i64>,
    pub confirm: i64,
}

/// User reports after the onset, support replies, a confirmation after recovery.
pub fn support(rng: &mut Rng, handle: &str, onset: i64, recovered: i64, symptom: &str) -> Support {
    let mut tickets = vec![Ticket {
        t: onset - rng.int(1800, 5000),
        author: rng.pick(USERS).to_string(),
        body: "How do I change the email on my account?".into(),
    }];
    let first_report = onset + rng.int(150, 600);
    tickets.push(Ticket { t: first_report, author: USERS[0].to_string(), body: format!("@{handle} {symptom}") });
    for i in 0..rng.int(2, 5) {
        tickets.push(Ticket {
            t: first_report + 120 + i * rng.int(60, 400),
            author: USERS[1 + (i as usize % 5)].to_string(),
            body: format!("@{handle} same here, getting a 500 error. Is the site down?"),
        });
    }
    let ack = first_report + rng.int(300, 900);
    tickets.push(Ticket {
        t: ack,
        author: handle.into(),
        body: "We are looking into reports of errors, sorry for the inconvenience.".into(),
    });
    let fixed_note = recovered + rng.int(240, 600);
    tickets.push(Ticket {
        t: fixed_note,
        author: handle.into(),
        body: "A fix has been deployed. Please try again and let us know.".into(),
    });
    let confirm = fixed_note + rng.int(120, 400);
    tickets.push(Ticket { t: confirm, author: USERS[0].to_string(), body: format!("@{handle} works now, thanks!") });
    tickets.sort_by_key(|t| t.t);
    Support { tickets, first_report, comms: vec![ack, fixed_note], confirm }
}

fn import_trace(service: &str) -> String {
    format!(
        "Traceback (most recent call last):\n  File \"/srv/{service}/portal/views.py\", line 88, in login\n    from config.auth_settings import SESSION_BACKEND\n  File \"/srv/{service}/config/auth_settings.py\", line 12, in <module>\n    from archive_auth.sessions import RedisSessionStore\nImportError: cannot import name 'RedisSessionStore' from 'archive_auth.sessions' (/srv/{service}/archive_auth/sessions.py)"
    )
}

/// Family 1 (and 6, 7): the seed's shape. A config push, 500s minutes later,
/// users report, a page an hour later, a fix of the dependent scripts, a restart.
pub fn seed_shape(seed: u64, family: &'static str, zones: bool, folder: bool) -> Scenario {
    let mut rng = Rng::new(seed);
    let service = rng.pick(SERVICES).to_string();
    let offset = if zones { 3 * 3600 } else { 0 };
    let start = day(&mut rng) + 6 * 3600 + rng.int(0, 3600);
    let onset_target = start + rng.int(7200, 9000);
    let restart = onset_target + rng.int(5400, 9000);
    let end = restart + rng.int(2400, 4000);
    let login = rng.pick(&["/login", "/auth/login", "/signin"]).to_string();
    let world = World { service: service.clone(), start, end, rps: 0.8 + rng.f() * 1.2, noise: false, offset };
    let failure = Failure {
        endpoints: vec![login.clone()],
        prob: 0.6 + rng.f() * 0.35,
        logger: "portal.views".into(),
        trace: import_trace(&service),
        from: onset_target,
        to: restart,
    };
    let logs = world.logs(&mut rng, &failure, &login);
    let (onset, recovered) = (logs.first_error, logs.last_error);

    let mut gun = formats::gunicorn_boot(start - 30, offset, 800);
    gun += &formats::gunicorn(start + 3000, offset, 801, "WARNING", "Worker graceful timeout (pid:801)");
    gun += &formats::gunicorn_restart(restart, offset, 800, 1400);

    let culprit = commit(
        onset_target - rng.int(240, 720),
        &mut rng,
        "Update auth settings to use the new session module",
        &["config/auth_settings.py"],
    );
    let old1 = commit(start - rng.int(3600, 20000), &mut rng, "Fix typo in README", &["README.md"]);
    let old2 = commit(
        onset_target - rng.int(5000, 7000),
        &mut rng,
        "Tweak collection page spacing",
        &["static/css/collections.css"],
    );
    let fix = commit(
        restart - rng.int(300, 660),
        &mut rng,
        "Update dependent scripts for the new session module",
        &["archive_auth/sessions.py", "scripts/sync_sessions.py"],
    );
    let handle = "ArchiveSupport";
    let sup = support(&mut rng, handle, onset, recovered, "I get a 500 error when I try to log in");
    let page = Page {
        t: onset + rng.int(2400, 4200),
        ack: None,
        resolved: Some(restart + 300),
        title: format!("{service} 5xx rate high"),
        service: service.clone(),
    };
    let ack = page.t + rng.int(120, 600);
    let page = Page { ack: Some(ack), ..page };
    let page_t = page.t;

    let mut files = Vec::new();
    files.push(("nginx/access.log".to_string(), Kind::Logs, logs.access));
    files.push((format!("app/{service}.log"), Kind::Logs, logs.app));
    files.push(("app/gunicorn.log".to_string(), Kind::Logs, gun));
    let commits = [old1, old2, culprit, fix];
    let culprit_id = commits[2].hash.clone();
    let fix_t = commits[3].t;
    if zones {
        let with_service: Vec<(Commit, String)> = commits.into_iter().map(|c| (c, service.clone())).collect();
        files.push(("deploys/deploys.json".to_string(), Kind::Deploys, formats::deploy_json(&with_service)));
        files.push(("support/tickets.csv".to_string(), Kind::Support, formats::tickets_csv(&sup.tickets, offset)));
        files.push(("alerts/alertmanager.json".to_string(), Kind::Alerts, formats::alertmanager(&[page])));
    } else {
        files.push(("deploys/git-log.txt".to_string(), Kind::Deploys, formats::git_log(&commits, offset)));
        files.push(("support/tickets.csv".to_string(), Kind::Support, formats::tickets_csv(&sup.tickets, offset)));
        files.push(("alerts/incidents.csv".to_string(), Kind::Alerts, formats::incidents_csv(&[page], offset)));
    }
    let mut milestones = vec![
        ("error_onset", onset),
        ("user_report", sup.first_report),
        ("alert", page_t),
        ("fix", fix_t),
        ("restart", restart),
        ("recovery", recovered),
        ("note", sup.confirm),
    ];
    // Alertmanager has no acknowledgement; the incident CSV has both.
    if !zones {
        milestones.push(("ack", ack));
    }
    milestones.extend(sup.comms.iter().map(|&t| ("communication", t)));
    Scenario {
        family,
        files,
        tz: if zones { "+03:00".into() } else { "UTC".into() },
        as_folder: folder,
        truth: Truth {
            culprit: Some(culprit_id),
            lead_mentions: None,
            onset,
            recovered,
            milestones,
            ..Truth::default()
        },
    }
}

/// Families 2, 3, 5: deploys with services, an incident that a revert ends.
/// `latent`: the culprit is 15–40 min before the onset and a harmless deploy
/// 1–3 min before. `pair`: two changes 90 s apart, only the revert of one ends
/// the errors, and the errors name neither. `noisy`: background errors on
/// other endpoints, and the nearest change touches the noisy code.
pub fn deploy_shape(seed: u64, family: &'static str, latent: bool, pair: bool, noisy: bool) -> Scenario {
    let mut rng = Rng::new(seed);
    let service = rng.pick(SERVICES).to_string();
    let start = day(&mut rng) + 5 * 3600 + rng.int(0, 3600);
    let onset_target = start + rng.int(7200, 9000);
    let fix_t = onset_target + rng.int(1800, 5400);
    let stop = fix_t + rng.int(20, 150);
    let end = stop + rng.int(2400, 4000);
    let (endpoint, trace, culprit_msg, culprit_files): (String, String, String, Vec<&str>) = if pair {
        (
            "/checkout".into(),
            format!("Traceback (most recent call last):\n  File \"/srv/{service}/portal/views.py\", line 140, in checkout\n    resp = gateway.charge(order)\n  File \"/srv/{service}/portal/gateway.py\", line 61, in charge\n    raise UpstreamRejected(resp.status_code)\nportal.gateway.UpstreamRejected: upstream rejected request with status {{n}}"),
            "Enable request signing for payment calls".into(),
            vec!["deploy/signing.yaml"],
        )
    } else if noisy {
        (
            "/checkout".into(),
            format!("Traceback (most recent call last):\n  File \"/srv/{service}/portal/views.py\", line 140, in checkout\n    total = cart.total()\n  File \"/srv/{service}/portal/payments/checkout.py\", line 33, in total\n    return sum(i.price_cents for i in self.items) / self.currency.scale\nAttributeError: 'NoneType' object has no attribute 'scale'"),
            "Multi-currency checkout totals".into(),
            vec!["portal/payments/checkout.py", "portal/payments/currency.py"],
        )
    } else {
        (
            "/login".into(),
            format!("Traceback (most recent call last):\n  File \"/srv/{service}/portal/views.py\", line 88, in login\n    ttl = settings.SESSION_TTLS[user.tier]\n  File \"/srv/{service}/config/cache_settings.py\", line 19, in __getitem__\n    return self._ttls[key]\nKeyError: 'session_ttl_{{n}}'"),
            "Cache session tokens with per-tier TTL".into(),
            vec!["config/cache_settings.py"],
        )
    };
    let world = World { service: service.clone(), start, end, rps: 0.8 + rng.f() * 1.2, noise: noisy, offset: 0 };
    let failure = Failure {
        endpoints: vec![endpoint.clone()],
        prob: 0.5 + rng.f() * 0.4,
        logger: "portal.views".into(),
        trace,
        from: onset_target,
        to: stop,
    };
    let logs = world.logs(&mut rng, &failure, "/login");
    let (onset, recovered) = (logs.first_error, logs.last_error);

    let mut changes: Vec<(Commit, String)> = Vec::new();
    let mut push = |c: Commit, svc: &str| changes.push((c, svc.to_string()));
    push(commit(start - rng.int(3600, 30000), &mut rng, "Upgrade base image", &["Dockerfile"]), &service);
    let culprit;
    let mut milestones = Vec::new();
    if pair {
        let a_t = onset_target - rng.int(180, 480);
        let other = commit(a_t, &mut rng, "Raise payment client pool size", &["deploy/pool.yaml"]);
        let mut bad = commit(a_t + 90, &mut rng, &culprit_msg, &culprit_files);
        let mut good = other;
        if rng.chance(0.5) {
            // The culprit is the earlier of the two.
            std::mem::swap(&mut bad.t, &mut good.t);
        }
        let innocent_revert = commit(
            onset_target + rng.int(600, 1200),
            &mut rng,
            &format!("Revert \"{}\"", good.message),
            &good.files.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let fix = commit(fix_t, &mut rng, &format!("Revert \"{}\"", bad.message), &culprit_files);
        culprit = bad.hash.clone();
        milestones.push(("fix", fix.t));
        push(good, &service);
        push(bad, &service);
        push(innocent_revert, &service);
        push(fix, &service);
    } else {
        let bad = commit(
            if latent { onset_target - rng.int(900, 2400) } else { onset_target - rng.int(300, 900) },
            &mut rng,
            &culprit_msg,
            &culprit_files,
        );
        let near = if noisy {
            commit(
                onset_target - rng.int(60, 180),
                &mut rng,
                "Speed up search indexer lookups",
                &["portal/search/indexer.py"],
            )
        } else {
            commit(onset_target - rng.int(60, 180), &mut rng, "Update footer copy", &["templates/footer.html"])
        };
        let fix = commit(
            fix_t,
            &mut rng,
            &format!("Revert \"{}\"\n\nThis reverts commit {}.", bad.message, bad.hash),
            &culprit_files,
        );
        culprit = bad.hash.clone();
        milestones.push(("fix", fix.t));
        push(bad, &service);
        push(near, &service);
        push(fix, &service);
    }
    changes.sort_by_key(|c| c.0.t);
    let handle = "PortalHelp";
    let sup = support(
        &mut rng,
        handle,
        onset,
        recovered,
        &format!("checkout and login keep failing with error 500 on {endpoint}"),
    );
    let page = Page {
        t: onset + rng.int(300, 1500),
        ack: None,
        resolved: None,
        title: "HighErrorRate".into(),
        service: service.clone(),
    };
    let page_t = page.t;
    let ack = page_t + rng.int(60, 400);
    let use_pd = pair;
    let page = Page { ack: Some(ack), ..page };
    milestones.extend([
        ("error_onset", onset),
        ("user_report", sup.first_report),
        ("alert", page_t),
        ("recovery", recovered),
        ("note", sup.confirm),
    ]);
    if use_pd {
        milestones.push(("ack", ack));
    }
    milestones.extend(sup.comms.iter().map(|&t| ("communication", t)));
    let files = vec![
        ("logs/access.log".to_string(), Kind::Logs, logs.access),
        (format!("logs/{service}.log"), Kind::Logs, logs.app),
        ("deploys.csv".to_string(), Kind::Deploys, formats::deploy_csv(&changes, 0)),
        ("tickets.csv".to_string(), Kind::Support, formats::tickets_csv(&sup.tickets, 0)),
        if use_pd {
            ("incidents.csv".to_string(), Kind::Alerts, formats::incidents_csv(&[page], 0))
        } else {
            ("alertmanager.json".to_string(), Kind::Alerts, formats::alertmanager(&[page]))
        },
    ];
    Scenario {
        family,
        files,
        tz: "UTC".into(),
        as_folder: false,
        truth: Truth { culprit: Some(culprit), lead_mentions: None, onset, recovered, milestones, ..Truth::default() },
    }
}

/// Family 4: a database failover. Every endpoint fails with a driver error for
/// a while; the deploys around it are harmless; nothing is reverted.
pub fn failover(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let service = rng.pick(SERVICES).to_string();
    let start = day(&mut rng) + 4 * 3600 + rng.int(0, 3600);
    let onset_target = start + rng.int(7200, 9000);
    let stop = onset_target + rng.int(600, 2400);
    let end = stop + rng.int(2400, 4000);
    let trace = format!("Traceback (most recent call last):\n  File \"/srv/{service}/portal/db.py\", line 31, in query\n    conn = pool.getconn()\n  File \"/srv/{service}/venv/lib/python3.11/site-packages/psycopg2/pool.py\", line 169, in getconn\n    return self._connect(key)\npsycopg2.OperationalError: could not connect to server: Connection refused (10.{{n}})");
    let world =
        World { service: service.clone(), start, end, rps: 0.8 + rng.f() * 1.2, noise: rng.chance(0.5), offset: 0 };
    let failure = Failure {
        endpoints: vec![],
        prob: 0.7 + rng.f() * 0.25,
        logger: "portal.db".into(),
        trace,
        from: onset_target,
        to: stop,
    };
    let logs = world.logs(&mut rng, &failure, "/login");
    let (onset, recovered) = (logs.first_error, logs.last_error);
    let changes = vec![
        (
            commit(onset_target - rng.int(1800, 5400), &mut rng, "Update footer links", &["templates/footer.html"]),
            service.clone(),
        ),
        (
            commit(
                onset_target - rng.int(120, 360),
                &mut rng,
                "Tweak collection page CSS",
                &["static/css/collections.css"],
            ),
            service.clone(),
        ),
    ];
    let sup = support(&mut rng, "ArchiveSupport", onset, recovered, "the whole site is down, error 500 everywhere");
    let page = Page {
        t: onset + rng.int(120, 600),
        ack: Some(0),
        resolved: None,
        title: "Postgres primary unreachable".into(),
        service: "postgres".into(),
    };
    let page = Page { ack: Some(page.t + rng.int(60, 300)), ..page };
    let mut milestones = vec![
        ("error_onset", onset),
        ("user_report", sup.first_report),
        ("alert", page.t),
        ("ack", page.ack.unwrap_or(page.t)),
        ("recovery", recovered),
        ("note", sup.confirm),
    ];
    milestones.extend(sup.comms.iter().map(|&t| ("communication", t)));
    let files = vec![
        ("access.log".to_string(), Kind::Logs, logs.access),
        (format!("{service}.log"), Kind::Logs, logs.app),
        ("deploys.csv".to_string(), Kind::Deploys, formats::deploy_csv(&changes, 0)),
        ("tickets.csv".to_string(), Kind::Support, formats::tickets_csv(&sup.tickets, 0)),
        ("incidents.csv".to_string(), Kind::Alerts, formats::incidents_csv(&[page], 0)),
    ];
    Scenario {
        family: "4 no responsible change (DB failover)",
        files,
        tz: "UTC".into(),
        as_folder: false,
        truth: Truth {
            culprit: None,
            lead_mentions: Some("OperationalError".into()),
            onset,
            recovered,
            milestones,
            ..Truth::default()
        },
    }
}
