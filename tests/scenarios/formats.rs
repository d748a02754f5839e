//! Writers of the real formats the scenarios are made of. Each takes UTC
//! unix seconds and writes what the tool would find on a server.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};

/// An instant shown at a UTC offset (seconds east).
pub fn at(t: i64, offset_s: i32) -> DateTime<FixedOffset> {
    let off = FixedOffset::east_opt(offset_s).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC offset"));
    off.from_utc_datetime(&Utc.timestamp_opt(t, 0).single().expect("valid instant").naive_utc())
}

/// nginx `combined`: `1.2.3.4 - - [14/Mar/2026:11:27:04 +0300] "POST /login HTTP/1.1" 500 …`.
// One argument per field of the line reads better here than a struct.
#[allow(clippy::too_many_arguments)]
pub fn nginx(t: i64, off: i32, client: &str, method: &str, path: &str, status: u16, bytes: u32, ua: &str) -> String {
    format!(
        "{client} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"-\" \"{ua}\"\n",
        at(t, off).format("%d/%b/%Y:%H:%M:%S %z")
    )
}

/// Python `logging` default-ish: `2026-03-14 11:27:04,112 ERROR [logger] message`, naive local time.
pub fn pylog(t: i64, off: i32, millis: u32, level: &str, logger: &str, message: &str) -> String {
    format!("{},{millis:03} {level} [{logger}] {message}\n", at(t, off).format("%Y-%m-%d %H:%M:%S"))
}

/// gunicorn's own log line: `[2026-03-14 13:53:02 +0000] [812] [INFO] Booting worker with pid: 1411`.
pub fn gunicorn(t: i64, off: i32, pid: u32, level: &str, message: &str) -> String {
    format!("[{}] [{pid}] [{level}] {message}\n", at(t, off).format("%Y-%m-%d %H:%M:%S %z"))
}

/// A gunicorn restart burst starting at `t`.
pub fn gunicorn_restart(t: i64, off: i32, master: u32, new_master: u32) -> String {
    let mut s = String::new();
    s += &gunicorn(t, off, master, "INFO", "Handling signal: term");
    s += &gunicorn(t, off, master + 1, "INFO", &format!("Worker exiting (pid: {})", master + 1));
    s += &gunicorn(t + 1, off, master, "INFO", "Shutting down: Master");
    s += &gunicorn_boot(t + 2, off, new_master);
    s
}

/// gunicorn starting.
pub fn gunicorn_boot(t: i64, off: i32, master: u32) -> String {
    let mut s = String::new();
    s += &gunicorn(t, off, master, "INFO", "Starting gunicorn 21.2.0");
    s += &gunicorn(t, off, master, "INFO", "Listening at: http://0.0.0.0:8000 (master)");
    s += &gunicorn(t, off, master + 1, "INFO", &format!("Booting worker with pid: {}", master + 1));
    s += &gunicorn(t, off, master + 2, "INFO", &format!("Booting worker with pid: {}", master + 2));
    s
}

/// A commit as `git log --stat` prints it.
pub struct Commit {
    /// Full hash.
    pub hash: String,
    /// Author name.
    pub author: String,
    /// Commit time.
    pub t: i64,
    /// Message (first line = summary).
    pub message: String,
    /// Changed files.
    pub files: Vec<String>,
}

/// `git log --stat` text, newest first, dates at `off`.
pub fn git_log(commits: &[Commit], off: i32) -> String {
    let mut sorted: Vec<&Commit> = commits.iter().collect();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.t));
    let mut s = String::new();
    for c in sorted {
        s += &format!("commit {}\n", c.hash);
        s += &format!("Author: {} <{}@archive.example>\n", c.author, c.author.to_lowercase().replace(' ', "."));
        s += &format!("Date:   {}\n\n", at(c.t, off).format("%a %b %-d %H:%M:%S %Y %z"));
        for l in c.message.lines() {
            s += &format!("    {l}\n");
        }
        s += "\n";
        for f in &c.files {
            s += &format!(" {f} | 4 ++--\n");
        }
        s += &format!(
            " {} file{} changed, 2 insertions(+), 2 deletions(-)\n\n",
            c.files.len(),
            if c.files.len() == 1 { "" } else { "s" }
        );
    }
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A deploy history CSV: `id,deployed_at,service,author,description,files`.
pub fn deploy_csv(commits: &[(Commit, String)], off: i32) -> String {
    let mut s = String::from("id,deployed_at,service,author,description,files\n");
    for (c, service) in commits {
        s += &format!(
            "{},{},{},{},{},{}\n",
            csv_field(&c.hash),
            at(c.t, off).to_rfc3339(),
            csv_field(service),
            csv_field(&c.author),
            csv_field(&c.message),
            csv_field(&c.files.join(";"))
        );
    }
    s
}

/// A deploy history JSON with epoch-second times.
pub fn deploy_json(commits: &[(Commit, String)]) -> String {
    let arr: Vec<serde_json::Value> = commits
        .iter()
        .map(|(c, service)| {
            serde_json::json!({
                "id": c.hash, "timestamp": c.t, "service": service, "author": c.author,
                "description": c.message, "files": c.files,
            })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::Value::Array(arr)).expect("json")
}

/// A support message.
pub struct Ticket {
    /// When.
    pub t: i64,
    /// Who.
    pub author: String,
    /// What.
    pub body: String,
}

/// A helpdesk export: `id,created_at,requester,channel,subject,description`.
pub fn tickets_csv(tickets: &[Ticket], off: i32) -> String {
    let mut s = String::from("id,created_at,requester,channel,subject,description\n");
    for (i, t) in tickets.iter().enumerate() {
        let subject: String = t.body.chars().take(40).collect();
        s += &format!(
            "{},{},{},twitter,{},{}\n",
            1000 + i,
            at(t.t, off).format("%Y-%m-%d %H:%M:%S%:z"),
            csv_field(&t.author),
            csv_field(&subject),
            csv_field(&t.body)
        );
    }
    s
}

/// A page.
pub struct Page {
    /// Fired.
    pub t: i64,
    /// Acknowledged.
    pub ack: Option<i64>,
    /// Resolved.
    pub resolved: Option<i64>,
    /// Title.
    pub title: String,
    /// Service.
    pub service: String,
}

/// A PagerDuty-style incident CSV export.
pub fn incidents_csv(pages: &[Page], off: i32) -> String {
    let mut s = String::from("id,title,service,urgency,status,created_on,acknowledged_on,resolved_on,assigned_to\n");
    let fmt = |t: Option<i64>| t.map_or_else(String::new, |t| at(t, off).to_rfc3339());
    for (i, p) in pages.iter().enumerate() {
        s += &format!(
            "PD{},{},{},high,resolved,{},{},{},oncall-sre\n",
            4200 + i,
            csv_field(&p.title),
            csv_field(&p.service),
            fmt(Some(p.t)),
            fmt(p.ack),
            fmt(p.resolved)
        );
    }
    s
}

/// An Alertmanager webhook payload (UTC `Z` times; no acknowledgement concept).
pub fn alertmanager(pages: &[Page]) -> String {
    let alerts: Vec<serde_json::Value> = pages
        .iter()
        .map(|p| {
            serde_json::json!({
                "status": "firing",
                "labels": { "alertname": p.title.replace(' ', ""), "service": p.service, "severity": "page" },
                "annotations": { "summary": p.title },
                "startsAt": at(p.t, 0).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "endsAt": "0001-01-01T00:00:00Z",
            })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "version": "4", "status": "firing", "receiver": "pager", "groupLabels": {}, "alerts": alerts,
    }))
    .expect("json")
}
