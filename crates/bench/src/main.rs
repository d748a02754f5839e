//! `faultline-gen`: writes a deterministic nginx combined access log, an
//! application log that is nine tenths errors, or a config repository's
//! history as a `git fast-import` stream, for the benchmarks, so every run of
//! `make bench` measures the same bytes.
//!
//! The clock advances by a fixed step per line (5,000,000 lines = one day,
//! 2026-11-24 UTC), so a shorter file is an exact prefix of a longer one and
//! the incident (02:30–03:00, a burst of 500s on `/api/checkout`) is in every
//! file of at least ~1,000,000 lines.
#![deny(missing_docs)]

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

mod repo;

/// Seconds of 2026-11-24T00:00:00Z since the epoch.
const DAY_START: i64 = 1_795_478_400;
/// Lines per day: the clock step is one day / this.
const LINES_PER_DAY: u64 = 5_000_000;
const INCIDENT: (i64, i64) = (2 * 3600 + 30 * 60, 3 * 3600);

/// xorshift64*: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/api/cart",
    "/api/checkout",
    "/api/login",
    "/api/search?q=shoes",
    "/static/app.js",
    "/static/style.css",
    "/images/logo.png",
    "/api/products/",
    "/api/orders/",
    "/health",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Firefox/121.0",
    "curl/8.5.0",
    "Go-http-client/1.1",
];
const REFERERS: &[&str] = &["-", "https://shop.example/", "https://shop.example/cart", "https://www.google.com/"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm): the
/// generator has no dependencies, and this is the only calendar math it needs.
fn civil(days: i64) -> (i64, usize, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as usize, d)
}

fn write_access(lines: u64, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut stamp = String::new();
    let mut stamp_sec = i64::MIN;
    for i in 0..lines {
        let sec_of_day = (i as u128 * 86_400 / LINES_PER_DAY as u128) as i64;
        let sec = DAY_START + sec_of_day;
        if sec != stamp_sec {
            let (y, m, d) = civil(sec.div_euclid(86_400));
            let s = sec.rem_euclid(86_400);
            stamp = format!("{d:02}/{}/{y}:{:02}:{:02}:{:02} +0000", MONTHS[m - 1], s / 3600, s / 60 % 60, s % 60);
            stamp_sec = sec;
        }
        let in_incident = (INCIDENT.0..INCIDENT.1).contains(&sec_of_day);
        let mut path = PATHS[rng.below(PATHS.len() as u64) as usize];
        let roll = rng.below(1000);
        let status = if in_incident && roll < 300 {
            path = "/api/checkout";
            500
        } else if roll < 3 {
            500
        } else if roll < 5 {
            502
        } else if roll < 30 {
            404
        } else if roll < 40 {
            304
        } else {
            200
        };
        let method = if path.starts_with("/api/checkout") || path.starts_with("/api/login") { "POST" } else { "GET" };
        let id = rng.below(100_000);
        let bytes = if status == 304 { 0 } else { 200 + rng.below(40_000) };
        let agent = AGENTS[rng.below(AGENTS.len() as u64) as usize];
        let referer = REFERERS[rng.below(REFERERS.len() as u64) as usize];
        let rt = if status >= 500 { 1000 + rng.below(29_000) } else { rng.below(400) };
        let suffix = if path.ends_with('/') { format!("{id}") } else { String::new() };
        writeln!(
            out,
            "10.{}.{}.{} - - [{stamp}] \"{method} {path}{suffix} HTTP/1.1\" {status} {bytes} \"{referer}\" \"{agent}\" {}.{:03}",
            rng.below(256),
            rng.below(256),
            1 + rng.below(254),
            rt / 1000,
            rt % 1000
        )?;
    }
    Ok(())
}

/// An application log (Python `logging` layout) whose database is down all
/// day: nine lines in ten are the same error with another request id, the
/// kind of file that holds a million errors and no change point.
fn write_app_flood(lines: u64, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for i in 0..lines {
        let ms_of_day = (i as u128 * 86_400_000 / LINES_PER_DAY as u128) as i64;
        let s = ms_of_day / 1000;
        let level = if i % 10 == 0 { "INFO" } else { "ERROR" };
        writeln!(
            out,
            "2026-11-24 {:02}:{:02}:{:02},{:03} {level} [worker-{}] db: connection refused to 10.2.0.{}:5432 (attempt {}) request_id={:012x}",
            s / 3600,
            s / 60 % 60,
            s % 60,
            ms_of_day % 1000,
            rng.below(8),
            rng.below(9),
            rng.below(5),
            rng.next() >> 16
        )?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: faultline-gen access|app-flood LINES > FILE   (5,000,000 lines = one day; access: nginx combined, app-flood: an app log of 90 % errors)\n       faultline-gen repo COMMITS | git fast-import   (a config repository, one commit every 30 minutes up to the incident)";
    let (kind, lines) = match args.as_slice() {
        [kind, n] if ["access", "app-flood", "repo"].contains(&kind.as_str()) => {
            match n.replace('_', "").parse::<u64>() {
                Ok(n) => (kind.as_str(), n),
                Err(_) => {
                    eprintln!("{usage}");
                    return ExitCode::from(2);
                }
            }
        }
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = match kind {
        "access" => write_access(lines, &mut out),
        "repo" => repo::write_repo(lines, &mut out),
        _ => write_app_flood(lines, &mut out),
    };
    match written.and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("faultline-gen: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_is_deterministic_and_a_prefix_of_a_longer_run() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_access(1000, &mut a).unwrap();
        write_access(2000, &mut b).unwrap();
        assert!(b.starts_with(&a));
        let first = String::from_utf8(a).unwrap().lines().next().unwrap().to_string();
        assert!(first.contains("[24/Nov/2026:00:00:00 +0000]"), "{first}");
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(DAY_START / 86_400), (2026, 11, 24));
    }
}
