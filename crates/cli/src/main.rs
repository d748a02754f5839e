//! `faultline`: the incident correlator, headless.
//!
//! Flags in, the engine wired, results out. Exit codes: 0 success; 1 `search`
//! found nothing, or `formats` listed a definition it could not use; 2 usage
//! error; 3 an input does not exist or the case file could not be read (the
//! message names the file).

mod formats;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use faultline_engine::{
    sample, AnalyzeOptions, CorrelateOptions, Engine, ExportOptions, Format, IngestOptions, Input, Progress,
    SearchOptions, SearchRequest, SourceKind, TemplateChoice, Zone,
};
use faultline_model::time::parse_instant;
use faultline_model::Instant;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "faultline",
    version,
    about = "Incident timeline and log correlator: finds the onset, the change that caused it, and drafts the postmortem."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the analyze variant's size costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Say what each input is: kind, format, records, unparsed lines, time range.
    Inspect(InspectArgs),
    /// Ingest, correlate and report. With no inputs: the built-in sample incident.
    Analyze(AnalyzeArgs),
    /// Regex (or literal) search over the raw input files.
    Search(SearchArgs),
    /// Add a note at an instant to a case file (it appears in the timeline).
    Note(NoteArgs),
    /// Print the folder holding the built-in sample incident (written out on first use).
    Sample,
    /// List every log format (hand-written, lnav's, the analyst's) with where it comes from and a sample line.
    Formats(formats::FormatsArgs),
}

#[derive(Args)]
struct CommonArgs {
    /// Zone for timestamps written without one: IANA name (Europe/Berlin), UTC, or offset (+03:00). Default: this machine's zone.
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct InspectArgs {
    /// Files or folders (folders are walked; a git repository or Slack export folder is one source).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

#[derive(Args)]
struct AnalyzeArgs {
    /// Files or folders, kinds detected from content.
    paths: Vec<PathBuf>,
    /// Read as server/application logs.
    #[arg(long = "logs", value_name = "PATH")]
    logs: Vec<PathBuf>,
    /// Read as deploy / config-change history.
    #[arg(long = "deploys", value_name = "PATH")]
    deploys: Vec<PathBuf>,
    /// Read as support messages.
    #[arg(long = "support", value_name = "PATH")]
    support: Vec<PathBuf>,
    /// Read as alerts / pages.
    #[arg(long = "alerts", value_name = "PATH")]
    alerts: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Zone the report is told in (default: --tz, else this machine's zone).
    #[arg(long, value_name = "ZONE")]
    display_tz: Option<String>,
    /// Case file to keep the ingest in (re-analysis skips unchanged inputs).
    #[arg(long, value_name = "FILE")]
    case: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "md", value_parser = ["md", "markdown", "json", "html", "csv", "svg"])]
    format: String,
    /// Postmortem template: seed, google-sre, atlassian, pagerduty, or a template file.
    #[arg(long, default_value = "seed")]
    template: String,
    /// Write here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// How far before the onset a change may be a suspect (e.g. 24h, 90m, 2d).
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    lookback: String,
    /// Analyze the N-th incident found (1 = earliest; default: the most severe).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    incident: Option<u32>,
    /// Only records at or after this instant (changes: from the look-back before it, as suspects).
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// Only records at or before this instant.
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
    /// Correct a source's clock: every instant it states moves by DURATION (+40s, -1m30s, +250ms). SOURCE is its path, file name or a trailing part of the path. Kept in the case; SOURCE=0 removes it. Repeatable.
    #[arg(long = "offset", value_name = "SOURCE=±DURATION")]
    offsets: Vec<String>,
    /// The window "what is new in the incident" compares with: FROM..TO (default: as long as the incident, just before its onset).
    #[arg(long, value_name = "FROM..TO")]
    baseline: Option<String>,
    /// Mask emails, IPs, user ids and tokens in the output.
    #[arg(long)]
    redact: bool,
    /// Title of the postmortem.
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    clickhouse: ClickHouseArgs,
}

/// A ClickHouse log store as one more input: the cluster counts, Faultline
/// fetches the notable rows.
#[derive(Args)]
struct ClickHouseArgs {
    /// Read logs from a ClickHouse table: its HTTP interface (http://host:8123/?database=logs). User and password from the URL, else FAULTLINE_CLICKHOUSE_USER / FAULTLINE_CLICKHOUSE_PASSWORD; never written to the case or a report.
    #[arg(long, value_name = "URL", requires = "table")]
    clickhouse: Option<String>,
    /// The ClickHouse table (table or database.table).
    #[arg(long, value_name = "TABLE", requires = "clickhouse")]
    table: Option<String>,
    /// Which columns hold what: time=COL,message=COL,level=COL,status=COL,service=COL,host=COL (also client, method, path, user_agent; a Map value as COL['key']). Default: the OpenTelemetry otel_logs layout.
    #[arg(long, value_name = "ROLE=COLUMN,...", requires = "clickhouse")]
    columns: Option<String>,
    /// Seconds one ClickHouse query may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    clickhouse_timeout: u64,
}

#[derive(Args)]
struct SearchArgs {
    /// Regular expression (or literal with -F).
    pattern: String,
    /// Files or folders to search (or --case).
    paths: Vec<PathBuf>,
    /// Search the inputs of this case file.
    #[arg(long, value_name = "FILE")]
    case: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Only hits at or after this instant.
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// Only hits at or before this instant.
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
    /// The pattern is a literal string.
    #[arg(long, short = 'F')]
    literal: bool,
    /// Ignore case.
    #[arg(long, short = 'i')]
    ignore_case: bool,
    /// Stop after this many hits (0 = all).
    #[arg(long, default_value_t = 0)]
    max: usize,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

#[derive(Args)]
struct NoteArgs {
    /// The case file.
    #[arg(long, value_name = "FILE")]
    case: PathBuf,
    /// The instant the note is about.
    #[arg(long, value_name = "TIME")]
    at: String,
    /// Zone for --at when it has none.
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// The note.
    text: String,
}

fn zone(arg: &Option<String>) -> Result<Zone> {
    match arg {
        Some(s) => Zone::parse(s).map_err(|e| anyhow!("--tz: {e}")),
        None => Ok(Zone::local()),
    }
}

fn instant(arg: &Option<String>, zone: &Zone, flag: &str) -> Result<Option<Instant>> {
    match arg {
        None => Ok(None),
        Some(s) => parse_instant(s, zone)
            .map(|(t, _)| Some(t))
            .ok_or_else(|| anyhow!("{flag}: cannot read {s:?} as a time (try 2026-11-17T11:20:00+03:00)")),
    }
}

/// `SOURCE=±DURATION` pairs, as the engine takes them.
fn offsets(args: &[String]) -> Result<Vec<(String, i64)>> {
    args.iter()
        .map(|a| {
            let (source, offset) = a
                .rsplit_once('=')
                .filter(|(s, _)| !s.trim().is_empty())
                .ok_or_else(|| anyhow!("--offset: {a:?} is not SOURCE=±DURATION (e.g. tickets.csv=+40s)"))?;
            let ms = faultline_model::clock::parse_offset(offset).map_err(|e| anyhow!("--offset {source}: {e}"))?;
            Ok((source.trim().to_string(), ms))
        })
        .collect()
}

/// `FROM..TO`, each end read in `zone` when it has none.
fn baseline(arg: &Option<String>, zone: &Zone) -> Result<Option<(Instant, Instant)>> {
    let Some(s) = arg else { return Ok(None) };
    let (from, to) =
        s.split_once("..").ok_or_else(|| anyhow!("--baseline: {s:?} is not FROM..TO (two times joined by ..)"))?;
    let from = instant(&Some(from.trim().to_string()), zone, "--baseline")?;
    let to = instant(&Some(to.trim().to_string()), zone, "--baseline")?;
    match (from, to) {
        (Some(a), Some(b)) if a < b => Ok(Some((a, b))),
        _ => bail!("--baseline: {s:?} ends before it begins"),
    }
}

fn duration(s: &str) -> Result<chrono::Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().map_err(|_| anyhow!("--lookback: {s:?} is not a duration like 24h, 90m, 2d"))?;
    Ok(match unit {
        "" | "s" => chrono::Duration::seconds(n),
        "m" | "min" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => bail!("--lookback: unknown unit {unit:?} (use s, m, h or d)"),
    })
}

/// Shows progress on a terminal; silent otherwise (CI logs stay clean).
fn progress_reporter(quiet: bool) -> impl Fn(&Progress) + Sync {
    let bar = if quiet || !std::io::stderr().is_terminal() { ProgressBar::hidden() } else { ProgressBar::new(0) };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    move |p: &Progress| match p {
        Progress::Planned { sources, problems } => {
            bar.set_length(sources.len() as u64);
            for problem in problems {
                bar.println(format!("warning: {problem}"));
            }
        }
        Progress::Started { path, format, bytes } => {
            bar.set_message(format!("reading {path} ({format}, {:.1} MB)", *bytes as f64 / 1e6));
            bar.tick();
        }
        Progress::Finished { summary, reused } => {
            bar.inc(1);
            if *reused {
                bar.set_message(format!("{} unchanged, reused", summary.path));
            }
            if bar.position() >= bar.length().unwrap_or(0) {
                bar.finish_and_clear();
            }
        }
        Progress::Bytes { path, bytes_read, records } => {
            bar.set_message(format!("reading {path}: {:.1} MB, {records} records", *bytes_read as f64 / 1e6));
        }
        // A terminal has no chart to fill in.
        Progress::Series { .. } => {}
    }
}

fn ingest(
    engine: &Engine,
    inputs: &[Input],
    opts: &IngestOptions,
    quiet: bool,
) -> Result<faultline_engine::IngestReport> {
    let report = engine.ingest(inputs, opts, &progress_reporter(quiet))?;
    if !quiet {
        for problem in &report.problems {
            eprintln!("warning: {problem}");
        }
        for s in &report.sources {
            if s.unparsed > 0 {
                eprintln!("note: {}: {} line(s) not read as records (kept searchable)", s.path, s.unparsed);
            }
        }
    }
    Ok(report)
}

/// A source as `inspect --format json` prints it: the summary the analysis
/// carries, with the changes read from it when it is a change source.
#[derive(serde::Serialize)]
struct InspectedSource<'a> {
    #[serde(flatten)]
    source: &'a faultline_engine::SourceSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a faultline_model::ChangeSourceSummary>,
}

fn inspect(args: InspectArgs) -> Result<()> {
    let zone = zone(&args.common.tz)?;
    let engine = open_engine(None)?;
    let inputs: Vec<Input> = args.paths.iter().map(Input::auto).collect();
    let report = ingest(&engine, &inputs, &IngestOptions { zone, ..Default::default() }, args.common.quiet)?;
    let unread = faultline_engine::partial::unread_inputs(&report.sources, &|_| false);
    let changes_of = |s: &faultline_engine::SourceSummary| report.change_sources.iter().find(|c| c.path == s.path);
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        let sources: Vec<_> =
            report.sources.iter().map(|s| InspectedSource { source: s, changes: changes_of(s) }).collect();
        let doc = serde_json::json!({
            "sources": sources, "problems": report.problems, "partial": !unread.is_empty(), "unread": unread,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "{:<8} {:<23} {:>9} {:>9}  {:<25} {:<25} {:<14} PATH",
            "KIND", "FORMAT", "RECORDS", "UNPARSED", "FIRST (UTC)", "LAST (UTC)", "ZONE"
        )?;
        for s in &report.sources {
            let t = |t: Option<Instant>| {
                t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_else(|| "-".into())
            };
            writeln!(
                out,
                "{:<8} {:<23} {:>9} {:>9}  {:<25} {:<25} {:<14} {}",
                s.kind.as_str(),
                s.format,
                s.records,
                s.unparsed,
                t(s.first),
                t(s.last),
                s.tz,
                s.path
            )?;
            if let Some(c) = changes_of(s).filter(|c| c.changes > 0) {
                writeln!(
                    out,
                    "         changes: {} from {}, {} – {}; placed at: {}",
                    c.changes,
                    if c.tools.is_empty() { "an export".to_string() } else { c.tools.join(", ") },
                    t(c.first),
                    t(c.last),
                    if c.moments.is_empty() { "-".to_string() } else { c.moments_text() }
                )?;
            }
            for note in s.shown_notes() {
                writeln!(out, "         note: {note}")?;
            }
        }
        for p in &report.problems {
            writeln!(out, "problem: {p}")?;
        }
        for u in &unread {
            writeln!(out, "partial: {}", faultline_engine::unread_line(u))?;
        }
    }
    Ok(())
}

fn analyze(args: AnalyzeArgs) -> Result<()> {
    let mut inputs: Vec<Input> = args.paths.iter().map(Input::auto).collect();
    for (paths, kind) in [
        (&args.logs, SourceKind::Log),
        (&args.deploys, SourceKind::Deploys),
        (&args.support, SourceKind::Support),
        (&args.alerts, SourceKind::Alerts),
    ] {
        inputs.extend(paths.iter().map(|p| Input { path: p.clone(), kind: Some(kind) }));
    }
    let mut title = args.title.clone();
    let engine = open_engine(args.case.as_deref())?;
    let store = match (&args.clickhouse.clickhouse, &args.clickhouse.table) {
        (Some(url), Some(table)) => {
            let mut input = faultline_engine::StoreInput::clickhouse(url, table, args.clickhouse.columns.as_deref())?;
            input.timeouts.query = std::time::Duration::from_secs(args.clickhouse.clickhouse_timeout.max(1));
            Some(input)
        }
        _ => None,
    };
    let (zone, mut display_zone) = if inputs.is_empty() && store.is_none() && engine.sources()?.is_empty() {
        let sample = sample::archive_crash()?;
        if !args.common.quiet {
            eprintln!(
                "No inputs given: analyzing the built-in sample incident ({}) in {}",
                sample.title,
                sample.dir.display()
            );
        }
        inputs = sample.inputs.clone();
        title = title.or(Some(sample.title.clone()));
        let zone = if args.common.tz.is_some() { zone(&args.common.tz)? } else { sample.zone };
        (zone, sample.display_zone)
    } else {
        let z = zone(&args.common.tz)?;
        (z, z)
    };
    if let Some(d) = &args.display_tz {
        display_zone = Zone::parse(d).map_err(|e| anyhow!("--display-tz: {e}"))?;
    }
    let (from, to) = (instant(&args.from, &zone, "--from")?, instant(&args.to, &zone, "--to")?);
    let baseline = baseline(&args.baseline, &zone)?;
    let offsets = offsets(&args.offsets)?;
    if !inputs.is_empty() {
        // The window also bounds what is read: a plain, time-ordered log is read only around it.
        let window = (from.is_some() || to.is_some()).then_some((from, to));
        let lookback = Some(duration(&args.lookback)?);
        let opts = IngestOptions { zone, cancel: None, window, lookback, offsets };
        ingest(&engine, &inputs, &opts, args.common.quiet)?;
    } else if !offsets.is_empty() {
        // A case analyzed again with a new offset: the sources named are read again with it.
        let stored = engine.sources()?;
        for (name, ms) in offsets {
            let path = faultline_engine::source_named(&name, stored.iter().map(|m| m.summary.path.as_str()))?;
            let meta = stored.iter().find(|m| m.summary.path == path);
            let kind = meta.map(|m| m.summary.kind);
            let zone = meta.and_then(|m| Zone::parse(&m.summary.tz).ok()).unwrap_or(zone);
            let opts = IngestOptions { zone, offsets: vec![(path.to_string(), ms)], ..Default::default() };
            engine.reingest_source(path, kind, &opts, &progress_reporter(args.common.quiet))?;
        }
    }
    let lookback = duration(&args.lookback)?;
    match &store {
        Some(input) => query_store(&engine, input, from, to, lookback, args.common.quiet)?,
        None if !args.common.quiet => {
            for d in engine.store_queries()? {
                eprintln!(
                    "note: {}: the result of the queries at {} is used (give --clickhouse again to query anew)",
                    d.locator, d.queried_at
                );
            }
        }
        None => {}
    }
    let opts = AnalyzeOptions {
        correlate: CorrelateOptions { lookback, incident: args.incident, baseline, ..CorrelateOptions::default() },
        from,
        to,
    };
    let analysis = engine.analyze(&opts)?;
    if let Some(n) = args.incident {
        if !analysis.incidents.iter().any(|i| i.number == n) {
            let found: Vec<String> = analysis
                .incidents
                .iter()
                .map(|i| {
                    format!("{} (from {}, {} errors)", i.number, i.onset.format("%Y-%m-%d %H:%M:%S UTC"), i.errors)
                })
                .collect();
            bail!(
                "--incident {n}: {} found{}",
                match found.len() {
                    0 => "no incident was".to_string(),
                    1 => "only 1 incident was".to_string(),
                    k => format!("only {k} incidents were"),
                },
                if found.is_empty() { String::new() } else { format!(": {}", found.join("; ")) }
            );
        }
    }
    // A case whose ingest was killed opens; what it lacks is said, not hidden.
    let incomplete: Vec<String> =
        engine.sources()?.into_iter().filter(|m| !m.summary.complete).map(|m| m.summary.path).collect();
    if !args.common.quiet {
        for path in &incomplete {
            eprintln!("warning: source {path} is incomplete (ingest was interrupted); re-run to read it again");
        }
    }
    let format = Format::parse(&args.format)?;
    let template = TemplateChoice::parse(&args.template);
    let bytes = faultline_engine::export(
        &analysis,
        &ExportOptions {
            format,
            template,
            display_zone,
            redact: args.redact,
            title,
            generated_at: Some(chrono::Utc::now()),
        },
    )?;
    match &args.out {
        Some(path) => std::fs::write(path, &bytes).with_context(|| format!("{}: cannot write", path.display()))?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(())
}

/// Queries the log store into the case. A store that fails is named and left
/// out; the other inputs are still analyzed (with none, the run fails).
fn query_store(
    engine: &Engine,
    input: &faultline_engine::StoreInput,
    from: Option<Instant>,
    to: Option<Instant>,
    lookback: chrono::Duration,
    quiet: bool,
) -> Result<()> {
    let opts = faultline_engine::StoreOptions { from, to, lookback: Some(lookback), cancel: None };
    match engine.ingest_store(input, &opts, &progress_reporter(quiet)) {
        Ok(report) => {
            if !quiet {
                eprintln!(
                    "note: {}: {} records counted by the cluster; {} notable records fetched as {} rows, {} bytes",
                    input.locator(),
                    report.records,
                    report.notable.0,
                    report.notable.1,
                    report.descriptor.bytes
                );
            }
            Ok(())
        }
        Err(e) if engine.sources()?.is_empty() => Err(e.into()),
        Err(e) => {
            eprintln!("warning: {e}; the other inputs are analyzed without it");
            Ok(())
        }
    }
}

fn search(args: SearchArgs) -> Result<bool> {
    let zone = zone(&args.common.tz)?;
    if args.paths.is_empty() && args.case.is_none() {
        bail!("search: give files or folders to search, or --case FILE");
    }
    let request = SearchRequest {
        pattern: args.pattern.clone(),
        options: SearchOptions { literal: args.literal, case_insensitive: args.ignore_case },
        from: instant(&args.from, &zone, "--from")?,
        to: instant(&args.to, &zone, "--to")?,
        max_hits: args.max,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let json = args.format == "json";
    let mut write_err = None;
    let print = |hit: faultline_engine::SearchHit| {
        let time = hit.time.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        let written = if json {
            let doc = serde_json::json!({"file": hit.file, "line": hit.line, "offset": hit.offset, "time": time, "text": hit.text});
            writeln!(out, "{doc}")
        } else {
            writeln!(out, "{}:{}:{}: {}", hit.file.display(), hit.line, time.as_deref().unwrap_or("-"), hit.text)
        };
        match written {
            Ok(()) => true,
            Err(e) => {
                write_err = Some(e);
                false
            }
        }
    };
    // Paths alone are searched raw, without ingesting them (a raw scan); with
    // --case the paths are added to the case first and all its inputs searched.
    let hits = match &args.case {
        None => {
            let inputs: Vec<Input> = args.paths.iter().map(Input::auto).collect();
            faultline_engine::search_paths(&inputs, zone, &request, print)?
        }
        Some(case) => {
            let engine = Engine::open(Some(case))?;
            if !args.paths.is_empty() {
                let inputs: Vec<Input> = args.paths.iter().map(Input::auto).collect();
                ingest(&engine, &inputs, &IngestOptions { zone, ..Default::default() }, true)?;
            }
            engine.search(&request, print)?
        }
    };
    out.flush()?;
    if let Some(e) = write_err {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    Ok(hits > 0)
}

fn note(args: NoteArgs) -> Result<()> {
    let zone = zone(&args.tz)?;
    let at = instant(&Some(args.at.clone()), &zone, "--at")?.ok_or_else(|| anyhow!("--at is required"))?;
    let engine = Engine::open(Some(&args.case))?;
    let note = engine.add_note(at, &args.text)?;
    println!("note {} added at {}", note.id, note.time.to_rfc3339());
    Ok(())
}

/// This run's temporary case files: a signal that ends the run deletes them
/// (they hold what was read from the logs; a normal exit drops them).
static TEMPORARY_CASES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// [`Engine::open`], noting a temporary case for [`delete_temporary_cases_on_signals`].
fn open_engine(case: Option<&std::path::Path>) -> Result<Engine> {
    let engine = Engine::open(case)?;
    if let (Some(file), Ok(mut files)) = (engine.temporary_case_file(), TEMPORARY_CASES.lock()) {
        files.push(file.to_path_buf());
    }
    Ok(engine)
}

/// Ctrl-C, SIGTERM or SIGHUP mid-ingest would end the process before the
/// temporary case is dropped: delete it, then exit with the shell's code for the signal.
#[cfg(unix)]
fn delete_temporary_cases_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let files = TEMPORARY_CASES.lock().map(|f| f.clone()).unwrap_or_default();
            for file in files {
                let _ = std::fs::remove_file(file);
            }
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
fn delete_temporary_cases_on_signals() {}

fn main() -> ExitCode {
    delete_temporary_cases_on_signals();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(a) => inspect(a).map(|_| true),
        Command::Analyze(a) => analyze(a).map(|_| true),
        Command::Search(a) => search(a),
        Command::Note(a) => note(a).map(|_| true),
        Command::Formats(a) => formats::run(a),
        Command::Sample => sample::archive_crash()
            .map(|s| {
                println!("{}", s.dir.display());
                true
            })
            .map_err(Into::into),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("faultline: {e:#}");
            ExitCode::from(3)
        }
    }
}
