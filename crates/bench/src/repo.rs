//! `faultline-gen repo COMMITS`: a config repository's history as a
//! `git fast-import` stream, for the bench row that checks a repository with
//! years of history costs the analysis little: only the look-back is walked.
//!
//! Commits land every 30 minutes (with a deterministic jitter) up to
//! 2026-11-24 02:29:30 UTC, where the last one lowers the checkout timeout 30 s
//! before the access log's incident; 50,000 of them reach back about
//! three years. Each changes one of 300 config files.

use std::io::{self, Write};

/// The culprit's instant: 30 s before the access log's incident (02:30).
const LAST_COMMIT: i64 = super::DAY_START + 2 * 3600 + 29 * 60 + 30;
const STEP: i64 = 30 * 60;
const SERVICES: &[&str] = &["checkout", "cart", "search", "orders", "login", "products"];
const AUTHORS: &[(&str, &str)] = &[
    ("Priya Raman", "priya@shop.example"),
    ("Sam Okafor", "sam@shop.example"),
    ("Dana Lee", "dana@shop.example"),
    ("Ana Costa", "ana@shop.example"),
];

fn data(out: &mut impl Write, bytes: &str) -> io::Result<()> {
    write!(out, "data {}\n{bytes}\n", bytes.len())
}

/// Writes `commits` commits on `refs/heads/main`, oldest first.
pub fn write_repo(commits: u64, out: &mut impl Write) -> io::Result<()> {
    let mut rng = super::Rng(0x5eed_c0f1_9000_0001);
    let commits = commits.max(1) as i64;
    for i in 0..commits {
        let last = i == commits - 1;
        let jitter = if last { 0 } else { rng.below(600) as i64 };
        let when = LAST_COMMIT - (commits - 1 - i) * STEP - jitter;
        let (service, file, message, content) = if last {
            let content = "timeout_ms: 50\nretries: 0\n".to_string();
            (
                "checkout",
                "services/checkout/timeouts.yaml".to_string(),
                "Lower checkout upstream timeout to 50 ms".to_string(),
                content,
            )
        } else {
            let service = SERVICES[rng.below(SERVICES.len() as u64) as usize];
            let n = rng.below(50);
            let value = rng.below(10_000);
            let file = format!("services/{service}/settings-{n:02}.yaml");
            let content = format!("# {service}\nlimit_{n}: {value}\nrevision: {i}\n");
            (service, file, format!("{service}: set limit_{n} to {value}"), content)
        };
        let (name, email) = AUTHORS[rng.below(AUTHORS.len() as u64) as usize];
        writeln!(out, "commit refs/heads/main")?;
        writeln!(out, "author {name} <{email}> {when} +0000")?;
        writeln!(out, "committer {name} <{email}> {when} +0000")?;
        data(out, &format!("{message}\n\nservice: {service}"))?;
        writeln!(out, "M 100644 inline {file}")?;
        data(out, &content)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_in_time_order_and_end_with_the_culprit() {
        let mut out = Vec::new();
        write_repo(100, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let times: Vec<i64> = text
            .lines()
            .filter_map(|l| l.strip_prefix("committer "))
            .map(|l| l.rsplit(' ').nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(times.len(), 100);
        assert!(times.windows(2).all(|w| w[0] < w[1]), "committer times increase");
        assert_eq!(*times.last().unwrap(), LAST_COMMIT);
        assert!(text.trim_end().ends_with("timeout_ms: 50\nretries: 0"));
    }
}
