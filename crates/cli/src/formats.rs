//! `faultline formats`: every log format Faultline reads, where it comes
//! from, and a line it reads; definitions that could not be used, with why.

use anyhow::Result;
use clap::Args;
use faultline_engine::log_formats::{registry, Registry};
use faultline_engine::NATIVE_FORMATS;
use std::io::Write;

#[derive(Args)]
pub struct FormatsArgs {
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

/// One row of the listing.
struct Row {
    name: String,
    origin: &'static str,
    kind: &'static str,
    title: Option<String>,
    file: Option<String>,
    sample: Option<String>,
    engines: Vec<String>,
}

fn rows(reg: &Registry) -> Vec<Row> {
    let mut rows: Vec<Row> = NATIVE_FORMATS
        .iter()
        .map(|(name, sample)| Row {
            name: name.to_string(),
            origin: "faultline",
            kind: "hand-written",
            title: None,
            file: None,
            sample: Some(sample.to_string()),
            engines: Vec::new(),
        })
        .collect();
    for d in reg.definitions() {
        rows.push(Row {
            name: d.name().to_string(),
            origin: d.origin().as_str(),
            kind: if d.is_json() { "json" } else { "regex" },
            title: d.title().map(str::to_string),
            file: Some(d.file().display().to_string()),
            sample: d.samples().first().map(|s| s.line.lines().next().unwrap_or_default().to_string()),
            engines: d.engines().iter().map(|(r, e)| format!("{r}:{}", e.name())).collect(),
        });
    }
    rows
}

/// Lists the formats; `Ok(false)` (exit 1) when a definition could not be used.
pub fn run(args: FormatsArgs) -> Result<bool> {
    let reg = registry();
    let rows = rows(reg);
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        let formats: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name, "origin": r.origin, "kind": r.kind, "title": r.title,
                    "file": r.file, "sample": r.sample, "engines": r.engines,
                })
            })
            .collect();
        let problems: Vec<_> = reg
            .problems()
            .iter()
            .map(|p| serde_json::json!({ "file": p.file, "format": p.format, "reason": p.reason }))
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "formats": formats, "problems": problems }))?
        )?;
    } else {
        writeln!(out, "{:<24} {:<10} {:<13} SAMPLE", "NAME", "ORIGIN", "KIND")?;
        for r in &rows {
            let sample: String = r.sample.as_deref().unwrap_or("(no sample)").chars().take(100).collect();
            writeln!(out, "{:<24} {:<10} {:<13} {sample}", r.name, r.origin, r.kind)?;
            if r.origin != "built-in" && r.origin != "faultline" {
                if let Some(file) = &r.file {
                    writeln!(out, "{:<24} from {file}", "")?;
                }
            }
        }
        for p in reg.problems() {
            writeln!(out, "problem: {p}")?;
        }
    }
    Ok(reg.problems().is_empty())
}
