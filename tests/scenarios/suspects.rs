//! Scenario families for the root-cause model: incidents whose cause is a
//! trigger or a latent change, undone by a revert, a rollback or a fix
//! forward, named by change numbers and deploy ids, hidden among hundreds
//! of commits a day or a deploy storm — and incidents no change caused,
//! some with a deploy landing seconds before the infrastructure failed.
//!
//! Each family writes what the real tools write (nginx, Python logging,
//! Kubernetes CRI container logs, `git log -p`, deploy exports with a
//! `rollback_of` column) and varies times, rates, names and ids with the seed.

use crate::formats::{self, at, Commit, Page};
use crate::generator::{commit, day, support, Failure, Kind, Logs, Rng, Scenario, Truth, World, AUTHORS, SERVICES};

/// A deploy-history row, with what it rolls back when the tool records it.
struct Deploy {
    id: String,
    t: i64,
    service: String,
    message: String,
    files: Vec<String>,
    rollback_of: Option<String>,
}

fn deploy(id: impl Into<String>, t: i64, service: &str, message: &str, files: &[&str]) -> Deploy {
    Deploy {
        id: id.into(),
        t,
        service: service.to_string(),
        message: message.to_string(),
        files: files.iter().map(|f| f.to_string()).collect(),
        rollback_of: None,
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A deploy tool's export: `deploy_id,deployed_at,service,deployer,description,changed_files,rollback_of`.
fn deploys_csv(rows: &[Deploy], rng: &mut Rng) -> String {
    let mut s = String::from("deploy_id,deployed_at,service,deployer,description,changed_files,rollback_of\n");
    let mut sorted: Vec<&Deploy> = rows.iter().collect();
    sorted.sort_by_key(|d| d.t);
    for d in sorted {
        s += &format!(
            "{},{},{},{},{},{},{}\n",
            csv_field(&d.id),
            at(d.t, 0).format("%Y-%m-%d %H:%M:%S"),
            csv_field(&d.service),
            csv_field(&rng.pick(AUTHORS).to_lowercase().replace(' ', ".")),
            csv_field(&d.message),
            csv_field(&d.files.join(";")),
            d.rollback_of.as_deref().map(csv_field).unwrap_or_default()
        );
    }
    s
}

/// A commit of `git log -p`: its hunks as (file, removed lines, added lines).
struct Patch {
    commit: Commit,
    hunks: Vec<(String, Vec<String>, Vec<String>)>,
}

/// `git log -p --date=iso` text, newest first.
fn git_log_patch(commits: &[Patch]) -> String {
    let mut sorted: Vec<&Patch> = commits.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.commit.t));
    let mut s = String::new();
    for p in sorted {
        let c = &p.commit;
        s += &format!("commit {}\n", c.hash);
        s += &format!("Author: {} <{}@config.example>\n", c.author, c.author.to_lowercase().replace(' ', "."));
        s += &format!("Date:   {}\n\n", at(c.t, 0).format("%Y-%m-%d %H:%M:%S %z"));
        for l in c.message.lines() {
            s += &format!("    {l}\n");
        }
        s += "\n";
        for (file, removed, added) in &p.hunks {
            s += &format!("diff --git a/{file} b/{file}\nindex 3f2a9c1..8b7d0e4 100644\n--- a/{file}\n+++ b/{file}\n");
            s += &format!("@@ -1,{} +1,{} @@\n", removed.len().max(1), added.len().max(1));
            for r in removed {
                s += &format!("-{r}\n");
            }
            for a in added {
                s += &format!("+{a}\n");
            }
        }
        s += "\n";
    }
    s
}

/// A Kubernetes CRI container log line.
fn cri(t: i64, nanos: u32, stream: &str, message: &str) -> String {
    format!("{}.{nanos:09}Z {stream} F {message}\n", at(t, 0).format("%Y-%m-%dT%H:%M:%S"))
}

/// The incident every family shares: a service's logs with errors from
/// `onset_target` until `stop`, and tickets and a page around them.
struct Base {
    service: String,
    start: i64,
    onset_target: i64,
    stop: i64,
    end: i64,
}

impl Base {
    fn new(rng: &mut Rng) -> Base {
        let service = rng.pick(SERVICES).to_string();
        let start = day(rng) + 6 * 3600 + rng.int(0, 3600);
        let onset_target = start + rng.int(5400, 7200);
        let stop = onset_target + rng.int(1200, 3600);
        let end = stop + rng.int(1800, 3000);
        Base { service, start, onset_target, stop, end }
    }

    /// Writes the access and app logs with `trace` on `endpoints` (all when empty).
    fn logs(&self, rng: &mut Rng, endpoints: &[&str], trace: String, noise: bool) -> Logs {
        let world = World {
            service: self.service.clone(),
            start: self.start,
            end: self.end,
            rps: 0.8 + rng.f(),
            noise,
            offset: 0,
        };
        let failure = Failure {
            endpoints: endpoints.iter().map(|e| e.to_string()).collect(),
            prob: 0.6 + rng.f() * 0.35,
            logger: "portal.views".into(),
            trace,
            from: self.onset_target,
            to: self.stop,
        };
        world.logs(rng, &failure, "/login")
    }

    /// The scenario: logs, changes, tickets and a page, and the truth.
    fn scenario(
        &self,
        rng: &mut Rng,
        family: &'static str,
        logs: Logs,
        mut files: Vec<(String, Kind, String)>,
        culprit: Option<String>,
        lead_mentions: Option<&str>,
    ) -> Scenario {
        let (onset, recovered) = (logs.first_error, logs.last_error);
        let sup = support(rng, "PortalHelp", onset, recovered, "the site keeps failing with error 500");
        let page = Page {
            t: onset + rng.int(300, 1200),
            ack: Some(onset + rng.int(1300, 1600)),
            resolved: None,
            title: format!("{} 5xx rate high", self.service),
            service: self.service.clone(),
        };
        files.push(("logs/access.log".into(), Kind::Logs, logs.access));
        files.push((format!("logs/{}.log", self.service), Kind::Logs, logs.app));
        files.push(("support/tickets.csv".into(), Kind::Support, formats::tickets_csv(&sup.tickets, 0)));
        files.push(("alerts/incidents.csv".into(), Kind::Alerts, formats::incidents_csv(&[page], 0)));
        Scenario {
            family,
            files,
            tz: "UTC".into(),
            as_folder: false,
            truth: Truth {
                culprit,
                lead_mentions: lead_mentions.map(str::to_string),
                onset,
                recovered,
                milestones: vec![("error_onset", onset), ("recovery", recovered)],
                ..Truth::default()
            },
        }
    }
}

fn py_trace(service: &str, file: &str, line: u32, func: &str, code: &str, last: &str) -> String {
    format!(
        "Traceback (most recent call last):\n  File \"/srv/{service}/portal/views.py\", line 88, in {func}\n    return handler(request)\n  File \"/srv/{service}/{file}\", line {line}, in {func}\n    {code}\n{last}"
    )
}

/// Changes made hours before, that did nothing.
fn background(rng: &mut Rng, b: &Base, n: usize) -> Vec<Deploy> {
    const OLD: &[(&str, &str)] = &[
        ("Update footer links", "templates/footer.html"),
        ("Bump requests to 2.32.3", "requirements.txt"),
        ("Add alt text to collection images", "templates/collection.html"),
        ("Tune gunicorn worker count", "deploy/gunicorn.conf.py"),
        ("Rotate the CDN logo asset", "static/img/logo.svg"),
    ];
    (0..n)
        .map(|i| {
            let (msg, file) = OLD[i % OLD.len()];
            let mut d = deploy(
                format!("d-{}", 4000 + rng.int(0, 900)),
                b.onset_target - rng.int(3 * 3600, 20 * 3600),
                &b.service,
                msg,
                &[file],
            );
            d.id = format!("{}{}", d.id, i);
            d
        })
        .collect()
}

/// A trigger seconds to minutes before a sharp onset, or a latent change
/// an hour before it with a harmless deploy minutes before; its revert ends it.
pub fn trigger_or_latent(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let latent = seed % 2 == 1;
    let svc = b.service.clone();
    let (culprit, trace) = if latent {
        let c = deploy(
            format!("d-{}", rng.int(5000, 5999)),
            b.onset_target - rng.int(40 * 60, 90 * 60),
            &svc,
            "Cache session tokens per tier (session_token_ttl from settings)",
            &["config/cache.yaml"],
        );
        let t = py_trace(
            &svc,
            "portal/sessions.py",
            41,
            "login",
            "ttl = settings.session_token_ttl[user.tier]",
            "KeyError: 'session_token_ttl'",
        );
        (c, t)
    } else {
        let c = deploy(
            format!("d-{}", rng.int(5000, 5999)),
            b.onset_target - rng.int(5, 60),
            &svc,
            "Set tax mode to strict for EU carts",
            &["config/checkout.yaml"],
        );
        let t = py_trace(
            &svc,
            "portal/tax.py",
            17,
            "checkout",
            "rate = RATES[mode]",
            "ValueError: unsupported tax mode 'strict'",
        );
        (c, t)
    };
    let logs = b.logs(&mut rng, &["/login", "/checkout"], trace, false);
    let mut rows = background(&mut rng, &b, 3);
    if latent {
        rows.push(deploy(
            format!("d-{}", rng.int(6000, 6999)),
            b.onset_target - rng.int(60, 240),
            &svc,
            "Update footer copy",
            &["templates/footer.html"],
        ));
    }
    let mut revert = deploy(
        format!("d-{}", rng.int(7000, 7999)),
        b.stop - rng.int(20, 150),
        &svc,
        &format!("Revert \"{}\"", culprit.message),
        &culprit.files.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    if seed.is_multiple_of(3) {
        revert.message = format!("rollback {}", culprit.id);
        revert.files.clear();
    }
    let id = culprit.id.clone();
    rows.push(culprit);
    rows.push(revert);
    let files = vec![("deploys/deploys.csv".into(), Kind::Deploys, deploys_csv(&rows, &mut rng))];
    b.scenario(&mut rng, "S1 trigger vs latent cause", logs, files, Some(id), None)
}

/// Several changes of one service; the rollback names the one that was the
/// cause (by id, or through the tool's `rollback_of`), not the nearest.
pub fn revert_of_a_different_change(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let a = deploy(
        format!("deploy-{}", rng.int(8000, 8999)),
        b.onset_target - rng.int(20 * 60, 50 * 60),
        &svc,
        "Enable new search ranking (ranking_v3)",
        &[],
    );
    let near = deploy(
        format!("deploy-{}", rng.int(9000, 9499)),
        b.onset_target - rng.int(30, 300),
        &svc,
        "Update footer copy",
        &[],
    );
    let mid = deploy(
        format!("deploy-{}", rng.int(9500, 9999)),
        b.onset_target - rng.int(600, 1000),
        &svc,
        "Raise worker timeout to 60s",
        &[],
    );
    let trace = py_trace(
        &svc,
        "portal/search/ranking.py",
        73,
        "search",
        "return model.score(query)",
        "AttributeError: 'NoneType' object has no attribute 'score'",
    );
    let logs = b.logs(&mut rng, &["/search"], trace, false);
    let mut rows = background(&mut rng, &b, 2);
    if seed.is_multiple_of(2) {
        // Responders first undo the nearest change: the errors go on.
        rows.push(deploy(
            format!("deploy-{}", rng.int(10000, 10499)),
            b.onset_target + rng.int(300, 900),
            &svc,
            &format!("rollback {}", near.id),
            &[],
        ));
    }
    let mut fix = deploy(
        format!("deploy-{}", rng.int(10500, 10999)),
        b.stop - rng.int(20, 150),
        &svc,
        &format!("rollback {svc}"),
        &[],
    );
    match seed % 3 {
        0 => fix.rollback_of = Some(a.id.clone()),
        1 => fix.message = format!("Roll back {} (search ranking v3)", a.id),
        _ => fix.message = format!("Revert \"{}\"", a.message),
    }
    let id = a.id.clone();
    rows.extend([a, near, mid, fix]);
    let files = vec![("deploys/deploys.csv".into(), Kind::Deploys, deploys_csv(&rows, &mut rng))];
    b.scenario(&mut rng, "S2 revert of a different change", logs, files, Some(id), None)
}

/// A code change breaks checkout; a fix forward (naming it, or touching its
/// files) ends the errors; a harmless deploy is nearer the onset.
pub fn roll_forward(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let bad = commit(
        b.onset_target - rng.int(180, 900),
        &mut rng,
        "Multi-currency checkout totals",
        &["portal/payments/checkout.py", "portal/payments/currency.py"],
    );
    let near = commit(b.onset_target - rng.int(30, 150), &mut rng, "Update footer copy", &["templates/footer.html"]);
    let fix_msg = match seed % 3 {
        0 => format!("Fix currency scale for legacy carts\n\nFollow-up to {}.", bad.hash.get(..10).unwrap_or("")),
        1 => "Roll forward: default the currency scale for legacy carts".to_string(),
        _ => "hotfix: currency may be None for carts created before the migration".to_string(),
    };
    let fix = commit(b.stop - rng.int(20, 150), &mut rng, &fix_msg, &["portal/payments/checkout.py"]);
    let trace = py_trace(
        &svc,
        "portal/payments/checkout.py",
        33,
        "checkout",
        "return sum(i.price_cents for i in self.items) / self.currency.scale",
        "AttributeError: 'NoneType' object has no attribute 'scale'",
    );
    let logs = b.logs(&mut rng, &["/checkout"], trace, seed.is_multiple_of(2));
    let old = commit(
        b.onset_target - rng.int(4 * 3600, 9 * 3600),
        &mut rng,
        "Bump requests to 2.32.3",
        &["requirements.txt"],
    );
    let id = bad.hash.clone();
    let files = vec![("deploys/git-log.txt".into(), Kind::Deploys, formats::git_log(&[old, bad, near, fix], 0))];
    b.scenario(&mut rng, "S3 roll-forward fix", logs, files, Some(id), None)
}

/// Infrastructure failed (DNS or the database); the changes before it are
/// hours old or harmless; nothing undoes a change.
pub fn infrastructure(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let dns = seed.is_multiple_of(2);
    let (trace, word) = if dns {
        (
            format!("Traceback (most recent call last):\n  File \"/srv/{svc}/portal/clients.py\", line 22, in call\n    return session.get(url, timeout=2)\n  File \"/usr/lib/python3/site-packages/urllib3/connection.py\", line 174, in _new_conn\n    conn = connection.create_connection(\nsocket.gaierror: [Errno -3] Temporary failure in name resolution"),
            "gaierror",
        )
    } else {
        (
            format!("Traceback (most recent call last):\n  File \"/srv/{svc}/portal/db.py\", line 31, in query\n    conn = pool.getconn()\n  File \"/usr/lib/python3/site-packages/psycopg2/pool.py\", line 169, in getconn\npsycopg2.OperationalError: connection to server at \"10.2.0.5\", port 5432 failed: Connection refused"),
            "OperationalError",
        )
    };
    let logs = b.logs(&mut rng, &[], trace, seed.is_multiple_of(3));
    let mut rows = background(&mut rng, &b, 3);
    rows.push(deploy(
        format!("d-{}", rng.int(6000, 6999)),
        b.onset_target - rng.int(25 * 60, 70 * 60),
        &svc,
        "Tweak collection page CSS",
        &["static/css/collections.css"],
    ));
    let files = vec![("deploys/deploys.csv".into(), Kind::Deploys, deploys_csv(&rows, &mut rng))];
    b.scenario(&mut rng, "S4 DNS/infrastructure cause, no culprit", logs, files, None, Some(word))
}

/// The database goes down seconds after an unrelated deploy (to this
/// service or another): the deploy is near, but nothing ties it to the failure.
pub fn coincidental_deploy(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let trace = format!("Traceback (most recent call last):\n  File \"/srv/{svc}/portal/db.py\", line 31, in query\n    conn = pool.getconn()\n  File \"/usr/lib/python3/site-packages/psycopg2/pool.py\", line 169, in getconn\npsycopg2.OperationalError: could not connect to server: Connection refused\n\tIs the server running on host \"db-primary\" and accepting TCP/IP connections on port 5432?");
    let logs = b.logs(&mut rng, &[], trace, false);
    let other = if seed.is_multiple_of(2) { svc.clone() } else { "search-indexer".to_string() };
    let mut rows = background(&mut rng, &b, 2);
    rows.push(deploy(
        format!("d-{}", rng.int(6000, 6999)),
        b.onset_target - rng.int(5, 40),
        &other,
        "Update collection page templates",
        &["templates/collection.html"],
    ));
    let files = vec![("deploys/deploys.csv".into(), Kind::Deploys, deploys_csv(&rows, &mut rng))];
    b.scenario(&mut rng, "S5 coincidental deploy seconds before an outage", logs, files, None, Some("OperationalError"))
}

/// A CoreDNS change breaks name resolution in the cluster; its rollback ends it.
pub fn dns_config_change(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let id = format!("CHG00{}", rng.int(31000, 39999));
    let culprit = deploy(
        &id,
        b.onset_target - rng.int(30, 400),
        "coredns",
        "Forward cluster.local lookups to the new resolver pool",
        &["kube-system/coredns-configmap.yaml"],
    );
    let trace = format!("Traceback (most recent call last):\n  File \"/srv/{svc}/portal/clients.py\", line 22, in call\n    return session.get(url, timeout=2)\nrequests.exceptions.ConnectionError: HTTPConnectionPool(host='catalog.shop.svc.cluster.local', port=80): Max retries exceeded (Caused by NameResolutionError: Failed to resolve 'catalog.shop.svc.cluster.local' ([Errno -2] Name or service not known))");
    let logs = b.logs(&mut rng, &[], trace, false);
    let mut rows = background(&mut rng, &b, 3);
    let mut back = deploy(
        format!("CHG00{}", rng.int(40000, 49999)),
        b.stop - rng.int(20, 120),
        "coredns",
        &format!("Back out {id}: restore the previous CoreDNS forwarders"),
        &["kube-system/coredns-configmap.yaml"],
    );
    if seed.is_multiple_of(2) {
        back.message = "Emergency change: restore CoreDNS forwarders".into();
        back.rollback_of = Some(id.clone());
    }
    rows.push(culprit);
    rows.push(back);
    let files = vec![("deploys/changes.csv".into(), Kind::Deploys, deploys_csv(&rows, &mut rng))];
    b.scenario(&mut rng, "S6 DNS config change is the cause", logs, files, Some(id), None)
}

/// Change numbers as ids (a CL number, a deploy id): the rollback names it.
pub fn change_numbers(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let cl = rng.int(48_000_000, 48_999_999).to_string();
    let culprit = deploy(
        &cl,
        b.onset_target - rng.int(60, 600),
        &svc,
        "Tighten the login rate limit to 5/min per IP",
        &["config/ratelimit.yaml"],
    );
    let trace = py_trace(
        &svc,
        "portal/limits.py",
        58,
        "login",
        "raise RateLimitExceeded(key)",
        "portal.limits.RateLimitExceeded: login rate limit exceeded for client",
    );
    let logs = b.logs(&mut rng, &["/login"], trace, seed % 2 == 1);
    let mut rows = background(&mut rng, &b, 3);
    for r in &mut rows {
        r.id = rng.int(47_000_000, 47_999_999).to_string();
    }
    rows.push(deploy(
        rng.int(49_000_000, 49_100_000).to_string(),
        b.onset_target - rng.int(60, 200),
        "search-indexer",
        "Reindex nightly at 02:00",
        &["config/indexer.yaml"],
    ));
    let msg = match seed % 3 {
        0 => format!("Rollback of CL {cl}"),
        1 => format!("Revert cl/{cl}: login rate limit too tight"),
        _ => format!("Automated rollback: CL {cl} (rate limit) failed canary analysis"),
    };
    rows.push(deploy(rng.int(49_200_000, 49_900_000).to_string(), b.stop - rng.int(20, 150), &svc, &msg, &[]));
    rows.push(culprit);
    let files = vec![("deploys/deploys.csv".into(), Kind::Deploys, deploys_csv(&rows, &mut rng))];
    b.scenario(&mut rng, "S7 change ids are CL numbers", logs, files, Some(cl), None)
}

/// A config repository with hundreds of commits a day (`git log -p`); the
/// culprit's diff introduced an identifier the errors name (in another
/// case); its revert is recorded in half the variants.
pub fn noisy_repository(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let services = ["checkout", "search", "catalog", "auth", "payments", "cart", "inventory", "shipping"];
    let mut patches: Vec<Patch> = Vec::new();
    let per_day = rng.int(200, 400);
    let span = 36 * 3600;
    let n = per_day * span / 86_400;
    for i in 0..n {
        let t = b.end - span + (i * span) / n + rng.int(0, 200);
        let s = rng.pick(&services).to_string();
        let key =
            rng.pick(&["replicas", "max_connections", "request_timeout_ms", "cache_size_mb", "log_level"]).to_string();
        let old = rng.int(1, 400);
        let c = commit(t, &mut rng, &format!("{s}: set {key} to {}", old + 1), &[&format!("services/{s}/values.yaml")]);
        patches.push(Patch {
            commit: c,
            hunks: vec![(
                format!("services/{s}/values.yaml"),
                vec![format!("  {key}: {old}")],
                vec![format!("  {key}: {}", old + 1)],
            )],
        });
    }
    let (ident, error_text) = match seed % 3 {
        0 => (
            "PaymentGateWay",
            "ModuleNotFoundError: No module named 'paymentgateway' (provider PaymentGateWay)".to_string(),
        ),
        1 => ("paymnet_gateway_url", "KeyError: 'paymnet_gateway_url'".to_string()),
        _ => (
            "PAYMENTS_GATEWAY_TIMOUT_MS",
            "ValueError: invalid literal for int() with base 10: '' (payments_gateway_timout_ms)".to_string(),
        ),
    };
    let culprit_t = b.onset_target - rng.int(20, 1200);
    let culprit = commit(
        culprit_t,
        &mut rng,
        "payments: switch to the new gateway client",
        &[&format!("services/{svc}/payments.yaml")],
    );
    let culprit_summary = culprit.message.clone();
    let id = culprit.hash.clone();
    patches.push(Patch {
        commit: culprit,
        hunks: vec![(
            format!("services/{svc}/payments.yaml"),
            vec!["  provider: LegacyGateway".into()],
            vec![format!("  provider: {ident}"), "  retries: 3".into()],
        )],
    });
    if seed.is_multiple_of(2) {
        let revert = commit(
            b.stop - rng.int(20, 150),
            &mut rng,
            &format!("Revert \"{culprit_summary}\"\n\nThis reverts commit {id}."),
            &[&format!("services/{svc}/payments.yaml")],
        );
        patches.push(Patch {
            commit: revert,
            hunks: vec![(
                format!("services/{svc}/payments.yaml"),
                vec![format!("  provider: {ident}"), "  retries: 3".into()],
                vec!["  provider: LegacyGateway".into()],
            )],
        });
    }
    let trace = py_trace(
        &svc,
        "portal/payments/gateway.py",
        12,
        "checkout",
        "client = load_provider(settings.PAYMENTS)",
        &error_text,
    );
    let logs = b.logs(&mut rng, &["/checkout"], trace, false);
    let files = vec![("deploys/config-repo.log".into(), Kind::Deploys, git_log_patch(&patches))];
    b.scenario(&mut rng, "S8 noisy repository, hundreds of commits a day", logs, files, Some(id), None)
}

/// Twenty-odd deploys of many services in the 40 minutes before the onset;
/// the culprit's pods panic and restart right after it; a rollback of its
/// service (naming nothing else) ends it.
pub fn deploy_storm(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let others = ["search", "catalog", "auth", "cart", "inventory", "shipping", "recommendations", "notifications"];
    let mut rows = background(&mut rng, &b, 2);
    for i in 0..rng.int(18, 26) {
        let s = rng.pick(&others).to_string();
        rows.push(deploy(
            format!("rel-{}", 300 + i),
            b.onset_target - rng.int(30, 2400),
            &s,
            &format!("{s} 1.{}.{}", rng.int(2, 9), rng.int(0, 20)),
            &[],
        ));
    }
    let culprit_t = b.onset_target - rng.int(20, 240);
    let id = format!("rel-{}", rng.int(400, 499));
    rows.push(deploy(&id, culprit_t, "checkout", &format!("checkout 2.{}.0", rng.int(10, 30)), &[]));
    rows.push(deploy(
        format!("rel-{}", rng.int(500, 599)),
        b.stop - rng.int(20, 150),
        "checkout",
        "rollback checkout to the previous release",
        &[],
    ));
    // The culprit's pods: a panic and a restart every minute or so from the deploy until the rollback.
    let pod = format!(
        "checkout-{}-{}",
        ["7d9f8c6b5", "5c4b8f9d7", "66b9c7d8f"][seed as usize % 3],
        ["x2x9q", "p7k4z", "m9w2r"][seed as usize % 3]
    );
    let mut pod_log = String::new();
    let mut t = b.start;
    while t < b.end {
        // The new pods go live as the errors begin (the rollout's last step).
        if t >= b.onset_target && t < b.stop {
            pod_log +=
                &cri(t, 1000, "stderr", "panic: runtime error: invalid memory address or nil pointer dereference");
            pod_log +=
                &cri(t, 2000, "stderr", "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x8b2f1c]");
            t += rng.int(40, 90);
        } else {
            pod_log += &cri(
                t,
                0,
                "stdout",
                &format!("{{\"level\":\"info\",\"msg\":\"order priced\",\"ms\":{}}}", rng.int(2, 40)),
            );
            t += rng.int(20, 60);
        }
    }
    let trace = py_trace(
        &svc,
        "portal/clients/checkout.py",
        48,
        "checkout",
        "resp = checkout_api.price(cart)",
        "portal.clients.CheckoutUnavailable: checkout returned 503 (no ready endpoints)",
    );
    let logs = b.logs(&mut rng, &["/checkout"], trace, false);
    let files = vec![
        ("deploys/deploys.csv".into(), Kind::Deploys, deploys_csv(&rows, &mut rng)),
        (
            format!("k8s/var/log/pods/shop_{pod}_4f9c2e1a-77d0-4a4e-9b1e-2c8f0d6a3b11/checkout/0.log"),
            Kind::Logs,
            pod_log,
        ),
    ];
    b.scenario(&mut rng, "S9 deploy storm, the culprit crash-loops", logs, files, Some(id), None)
}

/// The culprit's file is in every traceback, but its revert was never
/// recorded: the errors stop after a restart, and later changes exist.
pub fn unrecorded_revert(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let b = Base::new(&mut rng);
    let svc = b.service.clone();
    let bad = commit(
        b.onset_target - rng.int(60, 600),
        &mut rng,
        "Use the new session backend",
        &["config/auth_settings.py"],
    );
    let trace = format!("Traceback (most recent call last):\n  File \"/srv/{svc}/portal/views.py\", line 88, in login\n    from config.auth_settings import SESSION_BACKEND\n  File \"/srv/{svc}/config/auth_settings.py\", line 12, in <module>\n    from archive_auth.sessions import RedisSessionStore\nImportError: cannot import name 'RedisSessionStore' from 'archive_auth.sessions'");
    let logs = b.logs(&mut rng, &["/login"], trace, seed.is_multiple_of(2));
    let near = commit(b.onset_target - rng.int(30, 200), &mut rng, "Update footer copy", &["templates/footer.html"]);
    let later = commit(
        b.onset_target + rng.int(600, 1200),
        &mut rng,
        "Add a banner about login problems",
        &["templates/banner.html"],
    );
    let old = commit(
        b.onset_target - rng.int(5 * 3600, 9 * 3600),
        &mut rng,
        "Bump requests to 2.32.3",
        &["requirements.txt"],
    );
    let id = bad.hash.clone();
    let files = vec![("deploys/git-log.txt".into(), Kind::Deploys, formats::git_log(&[old, bad, near, later], 0))];
    b.scenario(&mut rng, "S10 culprit whose revert is not recorded", logs, files, Some(id), None)
}
