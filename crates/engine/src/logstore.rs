//! A log store (a ClickHouse table) as inputs of the case: the cluster's
//! counts and notable records fill the same sources a file's would, one
//! source per service, so the correlator is unchanged.

use crate::{Engine, EngineError, Progress};
use faultline_clickhouse::{self as ch, BucketCounts, Credentials, Descriptor, StoreSink, Target, Timeouts};
use faultline_model::{Instant, LogRecord, SourceKind, SourceSummary};
use faultline_search::{Excerpt, ExcerptLine};
use faultline_store::{CaseFile, IngestBuffer};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A ClickHouse table to read: `--clickhouse URL --table TABLE [--columns SPEC]`.
#[derive(Debug, Clone)]
pub struct StoreInput {
    /// The table, the URL without credentials, and the credentials.
    pub target: Target,
    /// `--columns` as given (`None`: the `otel_logs` layout).
    pub columns: Option<String>,
    /// How long to wait for the server.
    pub timeouts: Timeouts,
}

impl StoreInput {
    /// Reads the arguments; credentials from the URL, else from
    /// `FAULTLINE_CLICKHOUSE_USER` / `FAULTLINE_CLICKHOUSE_PASSWORD`.
    pub fn clickhouse(url: &str, table: &str, columns: Option<&str>) -> Result<StoreInput, EngineError> {
        Self::clickhouse_as(url, table, columns, env_credentials())
    }

    /// As [`StoreInput::clickhouse`], with the credentials the analyst typed
    /// (the desktop's form) instead of the environment's; credentials in the
    /// URL still win.
    pub fn clickhouse_as(
        url: &str,
        table: &str,
        columns: Option<&str>,
        credentials: Credentials,
    ) -> Result<StoreInput, EngineError> {
        let target = Target::parse(url, table, columns, credentials).map_err(EngineError::Other)?;
        Ok(StoreInput { target, columns: columns.map(str::to_string), timeouts: Timeouts::default() })
    }

    /// The table's locator (`clickhouse://host:8123/db.table`): the prefix of its sources' paths.
    pub fn locator(&self) -> String {
        self.target.locator()
    }
}

fn env_credentials() -> Credentials {
    Credentials::from_env(|k| std::env::var(k).ok())
}

/// How to query a store.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// First instant (`--from`); without it, the look-back before the newest row.
    pub from: Option<Instant>,
    /// Last instant (`--to`); without it, the newest row.
    pub to: Option<Instant>,
    /// How far before the newest row to start without `from` (the analysis's look-back).
    pub lookback: Option<chrono::Duration>,
    /// Stops between rows once set.
    pub cancel: Option<Arc<AtomicBool>>,
}

/// What [`Engine::ingest_store`] did.
#[derive(Debug, Clone)]
pub struct StoreReport {
    /// The sources (one per service) now in the case.
    pub sources: Vec<SourceSummary>,
    /// What the case records of the queries.
    pub descriptor: Descriptor,
    /// Records the cluster counted.
    pub records: u64,
    /// Notable records they stand for, and the rows shipped for them.
    pub notable: (u64, u64),
}

/// Fills one buffer per service; spills notable records to the case as they come.
struct CaseSink<'a> {
    case: &'a CaseFile,
    target: &'a Target,
    /// What an earlier query of the table left is removed once this one
    /// answers (an unreachable server leaves the earlier result in place).
    cleared: bool,
    buffers: BTreeMap<String, (String, IngestBuffer)>,
    progress: &'a (dyn Fn(&Progress) + Sync),
}

impl CaseSink<'_> {
    fn buffer(&mut self, service: &str) -> Result<&mut (String, IngestBuffer), String> {
        if !self.cleared {
            for path in sources_of(self.case, &self.target.locator()).map_err(|e| e.to_string())? {
                self.case.remove_source(&path).map_err(|e| e.to_string())?;
            }
            self.cleared = true;
        }
        if !self.buffers.contains_key(service) {
            let path = self.target.service_locator(service);
            self.case.begin_source(&summary(&path, Vec::new())).map_err(|e| e.to_string())?;
            self.buffers.insert(service.to_string(), (path.clone(), IngestBuffer::new(path)));
        }
        self.buffers.get_mut(service).ok_or_else(|| "no buffer".to_string())
    }
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn instant(us: i64) -> Instant {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

impl StoreSink for CaseSink<'_> {
    fn counts(&mut self, service: &str, c: &BucketCounts) -> Result<(), String> {
        let (_, buffer) = self.buffer(service)?;
        buffer.add_counts(
            c.second,
            clamp(c.total),
            clamp(c.errors),
            clamp(c.http_5xx),
            clamp(c.http_4xx),
            clamp(c.warnings),
            instant(c.first_us),
            instant(c.last_us),
        );
        Ok(())
    }

    fn record(&mut self, service: &str, record: &LogRecord<'_>, repeat: u32) -> Result<(), String> {
        let case = self.case;
        let (path, buffer) = self.buffer(service)?;
        buffer.add_notable(record, repeat);
        if buffer.notable_len() >= faultline_store::SPILL_AT {
            case.spill_records(path, &buffer.take_notable()).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn progress(&mut self, bytes: u64, records: u64) {
        (self.progress)(&Progress::Bytes { path: self.target.locator(), bytes_read: bytes, records });
    }
}

fn summary(path: &str, notes: Vec<String>) -> SourceSummary {
    SourceSummary {
        path: path.to_string(),
        kind: SourceKind::Log,
        format: "clickhouse".into(),
        records: 0,
        unparsed: 0,
        first: None,
        last: None,
        tz: "UTC".into(),
        bytes: 0,
        sha256: String::new(),
        notes,
        clock_offset_ms: 0,
        complete: true,
        window: None,
    }
}

/// The case's sources read from the table at `locator`.
fn sources_of(case: &CaseFile, locator: &str) -> Result<Vec<String>, EngineError> {
    let prefix = format!("{locator}/");
    Ok(case.sources()?.into_iter().map(|m| m.summary.path).filter(|p| p == locator || p.starts_with(&prefix)).collect())
}

impl Engine {
    /// Queries a log store's table and puts its counts and notable records in
    /// the case, one source per service, replacing what an earlier query of
    /// the same table put there. On an error (server unreachable, credentials
    /// refused, no such table, columns missing, a timeout) the table has no
    /// sources in the case and the error names it; other inputs are untouched.
    pub fn ingest_store(
        &self,
        input: &StoreInput,
        opts: &StoreOptions,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<StoreReport, EngineError> {
        let locator = input.locator();
        let _reading = self.reading.mark(vec![locator.clone()]);
        progress(&Progress::Started { path: locator.clone(), format: "clickhouse".into(), bytes: 0 });
        let mut client = ch::Client::new(input.target.clone(), input.timeouts);
        if let Some(c) = &opts.cancel {
            client = client.with_cancel(c.clone());
        }
        let fetch_opts = ch::FetchOptions {
            from: opts.from,
            to: opts.to,
            span: opts.lookback.unwrap_or_else(|| chrono::Duration::hours(24)),
            ..Default::default()
        };
        let mut sink =
            CaseSink { case: &self.case, target: &input.target, cleared: false, buffers: BTreeMap::new(), progress };
        let fetched = match ch::fetch(&client, &fetch_opts, &mut sink) {
            Ok(f) => f,
            Err(e) if !sink.cleared => {
                // Nothing was replaced: an earlier result of the table stays, and says when it was queried.
                let kept = self.store_queries()?.into_iter().find(|d| d.locator == locator);
                let kept = kept.map_or_else(String::new, |d| {
                    format!(" (the case keeps the result of the query at {})", d.queried_at)
                });
                return Err(EngineError::Other(format!("{e}{kept}")));
            }
            Err(e) => {
                for path in sources_of(&self.case, &locator)? {
                    self.case.remove_source(&path)?;
                }
                self.case.remove_store_query(&locator)?;
                return Err(EngineError::Other(e.to_string()));
            }
        };
        // The raw rows of its citations are fetched later from the same server, as the same user.
        self.store_targets.lock().unwrap_or_else(|p| p.into_inner()).insert(locator.clone(), input.target.clone());
        if !sink.cleared {
            // No rows in the range: nothing of an earlier query may stay either.
            for path in sources_of(&self.case, &locator)? {
                self.case.remove_source(&path)?;
            }
        }
        let descriptor = Descriptor::new(&input.target, input.columns.as_deref(), &fetched);
        let json = serde_json::to_string(&descriptor).map_err(|e| EngineError::Other(e.to_string()))?;
        self.case.set_store_query(&locator, &json)?;
        let table_notes = table_notes(&descriptor, &fetched);
        let mut report = StoreReport {
            sources: Vec::new(),
            descriptor,
            records: fetched.records,
            notable: (fetched.notable, fetched.notable_rows),
        };
        for (service, (path, buffer)) in std::mem::take(&mut sink.buffers) {
            let mut notes = table_notes.clone();
            if let Some(f) = fetched.formats.get(&service) {
                if f != "message" {
                    notes.push(format!("messages read as {f} lines (their request, client and logger from the line)"));
                }
            }
            let (first, last) = buffer.range();
            let s = SourceSummary { records: buffer.record_count(), first, last, ..summary(&path, notes) };
            self.case.write_source(&s, &[], &buffer)?;
            progress(&Progress::Finished { summary: s.clone(), reused: false });
            report.sources.push(s);
        }
        crate::job::release_freed_memory();
        Ok(report)
    }

    /// Takes over the tables `other` queried in this process (the same
    /// analyst's case, saved under another name and reopened).
    pub fn adopt_store_targets(&self, other: &Engine) {
        let theirs = other.store_targets.lock().unwrap_or_else(|p| p.into_inner()).clone();
        self.store_targets.lock().unwrap_or_else(|p| p.into_inner()).extend(theirs);
    }

    /// The log-store tables this case was filled from, with what was asked of each.
    pub fn store_queries(&self) -> Result<Vec<Descriptor>, EngineError> {
        let mut out = Vec::new();
        for (locator, json) in self.case.store_queries()? {
            let d: Descriptor = serde_json::from_str(&json)
                .map_err(|e| EngineError::Other(format!("case: the record of {locator} does not read: {e}")))?;
            out.push(d);
        }
        Ok(out)
    }

    /// The raw rows around a cited store row (a citation's `file`, as
    /// [`Engine::analyze`] writes it: `…/db.table/service?time=…&key=…`),
    /// fetched from the store now, from the server and as the user this
    /// engine queried the table as. A case's own record of a table names a
    /// server that whoever made the case chose: only the CLI, whose user gave
    /// the case, follows it (with credentials from the environment); the
    /// desktop refuses, so a stranger's case cannot send the analyst's
    /// credentials to its own server.
    pub fn store_excerpt(&self, citation_file: &str, context: usize) -> Result<Excerpt, EngineError> {
        let bad = || EngineError::Other(format!("{citation_file} is not a cited row of a log store"));
        let (path, query) = citation_file.split_once('?').ok_or_else(bad)?;
        let mut key = None;
        let mut time = None;
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("key", k)) => key = k.parse::<u64>().ok(),
                Some(("time", t)) => time = chrono::DateTime::parse_from_rfc3339(t).ok(),
                _ => {}
            }
        }
        let (key, time) = (key.ok_or_else(bad)?, time.ok_or_else(bad)?);
        let names = |locator: &str| path == locator || path.starts_with(&format!("{locator}/"));
        let queried = {
            let targets = self.store_targets.lock().unwrap_or_else(|p| p.into_inner());
            targets.iter().filter(|(l, _)| names(l)).max_by_key(|(l, _)| l.len()).map(|(l, t)| (l.clone(), t.clone()))
        };
        let (locator, target) = match queried {
            Some(known) => known,
            None if self.read_policy.is_some() => {
                return Err(EngineError::Other(format!(
                    "{path}: a log store's row; add its ClickHouse source in this session to read its rows"
                )))
            }
            None => {
                let descriptor = self
                    .store_queries()?
                    .into_iter()
                    .filter(|d| names(&d.locator))
                    .max_by_key(|d| d.locator.len())
                    .ok_or_else(|| EngineError::Other(format!("{path}: no log-store query of this case names it")))?;
                let target = descriptor.target(env_credentials()).map_err(EngineError::Other)?;
                (descriptor.locator, target)
            }
        };
        let service = path.strip_prefix(&locator).unwrap_or("").trim_start_matches('/');
        let client = ch::Client::new(target, Timeouts::default());
        let rows = ch::row_with_context(&client, service, time.timestamp_micros(), key, context)
            .map_err(|e| EngineError::Other(e.to_string()))?;
        let mut lines = Vec::new();
        for r in rows {
            for (i, text) in r.text.lines().enumerate() {
                lines.push(ExcerptLine {
                    line: None,
                    offset: if i == 0 { r.key } else { 0 },
                    text: text.to_string(),
                    in_record: r.cited,
                });
            }
        }
        Ok(Excerpt { file: PathBuf::from(citation_file), lines })
    }
}

fn table_notes(d: &Descriptor, f: &ch::Fetched) -> Vec<String> {
    let mut notes = vec![format!(
        "rows of {} (ClickHouse {}), queried {}: {} – {}, counted per {} by the cluster",
        d.locator,
        d.server_version,
        d.queried_at,
        d.from.as_deref().unwrap_or("-"),
        d.to.as_deref().unwrap_or("-"),
        if d.bucket_seconds == 1 { "second".to_string() } else { format!("{} s", d.bucket_seconds) }
    )];
    notes.push(format!("columns: {}", d.layout));
    if f.range_from_lookback {
        notes.push("only the look-back before the newest row was queried (--from/--to choose the range)".into());
    }
    if !f.unmapped.is_empty() {
        notes.push(format!(
            "no column for {}: those fields come from the message lines, if at all",
            f.unmapped.join(", ")
        ));
    }
    if f.notable > f.notable_rows {
        notes.push(format!(
            "{} notable records were counted in the cluster and {} rows of them shipped (alike records of one second: their first and last)",
            f.notable, f.notable_rows
        ));
    }
    if f.folded_services > 0 {
        notes.push(format!(
            "{} services past the first {} are one source, {}",
            f.folded_services,
            ch::FetchOptions::default().max_services,
            ch::fetch::OTHER_SERVICES
        ));
    }
    notes.push(format!(
        "{} bytes received in {} queries; not hashed (rows of a live store); re-analysis of this case uses this result until --clickhouse is given again",
        d.bytes,
        d.queries.len()
    ));
    notes
}

/// Rewrites the citations of store rows (a service locator, line 0, the row
/// key as offset) to name the row: `…/db.table/service?time=…&key=…&query=notable`,
/// with its text as the store gave it.
pub(crate) fn cite_store_rows(case: &CaseFile, c: &mut faultline_model::Citation) {
    if c.line != 0 || !ch::is_locator(&c.file) || c.file.contains('?') {
        return;
    }
    let Ok(Some((time, text))) = case.store_row(&c.file, c.offset) else { return };
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    c.text = first.chars().take(crate::analyze::MAX_CITED_TEXT).collect();
    c.file = format!(
        "{}?time={}&key={}&query=notable",
        c.file,
        time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        c.offset
    );
}
