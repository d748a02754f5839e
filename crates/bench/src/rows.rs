//! `faultline-rows`: turns log files into the rows a log shipper would write
//! to a ClickHouse table, as `TabSeparated` for `INSERT … FORMAT TabSeparated`,
//! so the tests and benchmarks can load the same records into a store that a
//! file analysis reads:
//!
//! ```text
//! faultline-rows [--tz ZONE] SERVICE=FILE...
//! ts (DateTime, UTC)  time_us (UInt64)  service  host  level  status  message
//! ```
//!
//! Each record is read by Faultline's own parser (the format detected from the
//! file as `faultline analyze` would), its time in UTC, its level and HTTP
//! status in their columns, and the whole raw record (continuation lines
//! included) in `message`, as a shipper that keeps the line does.
#![deny(missing_docs)]

use faultline_model::{CollectingSink, Level};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Trace => "trace",
        Level::Debug => "debug",
        Level::Info => "info",
        Level::Notice => "notice",
        Level::Warn => "warn",
        Level::Error => "error",
        Level::Critical => "critical",
    }
}

/// `TabSeparated` escaping.
fn field(out: &mut impl Write, s: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &[u8] = match b {
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\\' => b"\\\\",
            0 => b"\\0",
            _ => continue,
        };
        out.write_all(&s.as_bytes()[start..i])?;
        out.write_all(esc)?;
        start = i + 1;
    }
    out.write_all(&s.as_bytes()[start..])
}

fn rows(service: &str, path: &Path, zone: faultline_model::time::Zone, out: &mut impl Write) -> Result<u64, String> {
    let sample = faultline_logs::read_sample(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let format =
        faultline_logs::detect(&sample).ok_or_else(|| format!("{}: not a log Faultline reads", path.display()))?;
    let mtime = std::fs::metadata(path).ok().and_then(|m| m.modified().ok()).map(|m| zone.local_time(m.into()));
    let opts = faultline_logs::LogOptions { zone, year_reference: mtime, ..Default::default() };
    let reader = faultline_logs::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut sink = CollectingSink::default();
    faultline_logs::parse(reader, &format, &opts, &mut sink).map_err(|e| format!("{}: {e}", path.display()))?;
    for r in &sink.records {
        let io = |e: io::Error| e.to_string();
        write!(out, "{}\t{}\t", r.time.format("%Y-%m-%d %H:%M:%S"), r.time.timestamp_micros()).map_err(io)?;
        field(out, service).map_err(io)?;
        out.write_all(b"\t").map_err(io)?;
        field(out, r.host.as_deref().unwrap_or("")).map_err(io)?;
        write!(out, "\t{}\t{}\t", r.level.map_or("", level_name), r.status.unwrap_or(0)).map_err(io)?;
        field(out, r.text.trim_end_matches('\n')).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
    }
    Ok(sink.records.len() as u64)
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut zone = faultline_model::time::Zone::Utc;
    if let Some(i) = args.iter().position(|a| a == "--tz") {
        let Some(z) = args.get(i + 1).and_then(|z| faultline_model::time::Zone::parse(z).ok()) else {
            eprintln!("faultline-rows: --tz needs a zone (UTC, +03:00, Europe/Berlin)");
            return ExitCode::from(2);
        };
        zone = z;
        args.drain(i..i + 2);
    }
    if args.is_empty() {
        eprintln!("usage: faultline-rows [--tz ZONE] SERVICE=FILE...");
        return ExitCode::from(2);
    }
    let mut out = BufWriter::new(io::stdout().lock());
    for arg in &args {
        let Some((service, file)) = arg.split_once('=') else {
            eprintln!("faultline-rows: {arg:?}: write SERVICE=FILE");
            return ExitCode::from(2);
        };
        if let Err(e) = rows(service, Path::new(file), zone, &mut out) {
            eprintln!("faultline-rows: {e}");
            return ExitCode::from(3);
        }
    }
    match out.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("faultline-rows: {e}");
            ExitCode::from(3)
        }
    }
}
