//! One analysis's queries: the table checked, the range settled, the counts
//! streamed per bucket and service, the notable records fetched in pages.

use crate::client::{Client, Error, ErrorKind};
use crate::mapping::{epoch_exponent, needs_epoch_probe, resolve, Layout};
use crate::record::{Bodies, GroupRow};
use crate::sql::{Notable, Range, Sql};
use chrono::{DateTime, Utc};
use faultline_model::{Instant, LogRecord};
use std::collections::BTreeMap;
use std::time::Duration;

/// Counts of one bucket of one service, as the cluster computed them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BucketCounts {
    /// The bucket's first second (Unix time).
    pub second: i64,
    /// Records.
    pub total: u64,
    /// Errors: 5xx or a level of error or worse.
    pub errors: u64,
    /// 5xx responses.
    pub http_5xx: u64,
    /// 4xx responses.
    pub http_4xx: u64,
    /// Warnings (not counted as 4xx/5xx).
    pub warnings: u64,
    /// The first record's microsecond.
    pub first_us: i64,
    /// The last record's microsecond.
    pub last_us: i64,
}

/// Where the results go (the engine fills a case with them).
pub trait StoreSink {
    /// A bucket's counts of one service (services come in any order, buckets in time order).
    fn counts(&mut self, service: &str, counts: &BucketCounts) -> Result<(), String>;
    /// A notable record of one service, standing for `repeat` alike records
    /// of its second (itself included). Errors come in time order, then the
    /// lifecycle lines in time order; the case orders them all by time.
    fn record(&mut self, service: &str, record: &LogRecord<'_>, repeat: u32) -> Result<(), String>;
    /// Bytes received so far; called after each answer.
    fn progress(&mut self, _bytes: u64, _records: u64) {}
}

/// What to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// First instant wanted; `None` = see `span`.
    pub from: Option<Instant>,
    /// Last instant wanted (inclusive); `None` = the newest row.
    pub to: Option<Instant>,
    /// Without `from`: how far before the end to start (the analysis's look-back).
    pub span: chrono::Duration,
    /// Notable groups per page.
    pub page: usize,
    /// Ranges longer than this are counted per minute instead of per second.
    pub per_second_up_to: chrono::Duration,
    /// Services beyond this many are counted together as one source.
    pub max_services: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            from: None,
            to: None,
            span: chrono::Duration::hours(24),
            page: 20_000,
            per_second_up_to: chrono::Duration::hours(24),
            max_services: 200,
        }
    }
}

/// The name of the source that holds services past [`FetchOptions::max_services`].
pub const OTHER_SERVICES: &str = "(other services)";

/// One query as the case records it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryLog {
    /// What it asked (`describe`, `extent`, `counts`, `notable`).
    pub what: &'static str,
    /// When it was sent.
    pub at: Instant,
    /// How long its answer took.
    pub seconds: f64,
    /// Rows answered.
    pub rows: u64,
    /// The SQL (the first page's, for paged queries).
    pub sql: String,
}

/// What [`fetch`] did.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// The server's version.
    pub server_version: String,
    /// The columns as resolved.
    pub layout: String,
    /// Optional roles left unmapped.
    pub unmapped: Vec<&'static str>,
    /// The range queried (microseconds, half-open); `None` when the table had no rows there.
    pub range: Option<Range>,
    /// The range was chosen as the look-back before the newest row.
    pub range_from_lookback: bool,
    /// Count buckets in seconds (1, or 60 for long ranges).
    pub bucket_seconds: i64,
    /// Records the cluster counted.
    pub records: u64,
    /// Notable records they stand for.
    pub notable: u64,
    /// Rows shipped for them.
    pub notable_rows: u64,
    /// Per service: the log format its message bodies were read as.
    pub formats: BTreeMap<String, String>,
    /// The queries.
    pub queries: Vec<QueryLog>,
    /// Bytes received.
    pub bytes: u64,
    /// Services folded into [`OTHER_SERVICES`].
    pub folded_services: u64,
}

fn int(client: &Client, s: &str, what: &str) -> Result<i64, Error> {
    s.trim().parse().map_err(|_| client.bad_answer(format!("{what}: {s:?} is not a number")))
}

fn uint(client: &Client, s: &str, what: &str) -> Result<u64, Error> {
    s.trim().parse().map_err(|_| client.bad_answer(format!("{what}: {s:?} is not a number")))
}

struct Log<'a> {
    client: &'a Client,
    queries: Vec<QueryLog>,
}

impl Log<'_> {
    fn run(
        &mut self,
        what: &'static str,
        sql: &str,
        width: usize,
        mut row: impl FnMut(&[String]) -> Result<bool, Error>,
    ) -> Result<u64, Error> {
        let at = Utc::now();
        let started = std::time::Instant::now();
        let mut rows = 0u64;
        self.client.query(sql, width, |r| {
            rows += 1;
            row(r)
        })?;
        let seconds = started.elapsed().as_secs_f64();
        // Pages of one query are one entry: their time and rows summed.
        let paged = matches!(what, "notable" | "lifecycle");
        match self.queries.iter_mut().find(|q| paged && q.what == what) {
            Some(q) => {
                q.seconds += seconds;
                q.rows += rows;
            }
            None => self.queries.push(QueryLog { what, at, seconds, rows, sql: sql.to_string() }),
        }
        Ok(rows)
    }
}

/// Checks the table's columns against the mapping (`DESCRIBE TABLE`, and the
/// size of an integer time column's values).
pub fn layout(client: &Client) -> Result<(Layout, Sql), Error> {
    let table = client.target().qualified_table();
    let probe = Sql::new(&Layout { roles: vec![], time: crate::mapping::TimeKind::DateTime, unmapped: vec![] }, &table);
    let described = client.rows(&probe.describe(), 0)?;
    let columns: Vec<(String, String)> = described
        .into_iter()
        .filter_map(|r| Some((r.first()?.clone(), r.get(1)?.clone())))
        .filter(|(n, _)| !n.is_empty())
        .collect();
    let mapping = &client.target().mapping;
    let exp = match needs_epoch_probe(mapping, &columns) {
        Some(column) => {
            let rows = client.rows(&probe.epoch_probe(&column), 1)?;
            let max = rows.first().and_then(|r| r.first()).and_then(|v| v.parse::<i128>().ok()).unwrap_or(0);
            Some(epoch_exponent(max))
        }
        None => None,
    };
    let layout = resolve(mapping, &columns, exp).map_err(|e| client.fail(ErrorKind::Columns(e)))?;
    let sql = Sql::new(&layout, &table);
    Ok((layout, sql))
}

/// Runs the queries of one analysis and hands the results to `sink`.
pub fn fetch(client: &Client, opts: &FetchOptions, sink: &mut dyn StoreSink) -> Result<Fetched, Error> {
    let mut log = Log { client, queries: Vec::new() };
    let mut version = String::new();
    log.run("version", "SELECT version() FORMAT TabSeparated", 1, |r| {
        version = r.first().cloned().unwrap_or_default();
        Ok(true)
    })?;
    let at = Utc::now();
    let started = std::time::Instant::now();
    let (layout, sql) = layout(client)?;
    log.queries.push(QueryLog {
        what: "describe",
        at,
        seconds: started.elapsed().as_secs_f64(),
        rows: 0,
        sql: sql.describe(),
    });
    let mut fetched = Fetched {
        server_version: version,
        layout: layout.describe(),
        unmapped: layout.unmapped.iter().map(|r| r.name()).collect(),
        bucket_seconds: 1,
        ..Fetched::default()
    };

    let us = |t: Instant| t.timestamp_micros();
    let range = match (opts.from, opts.to) {
        (Some(from), Some(to)) => Some(Range { from: us(from), to: us(to).saturating_add(1) }),
        (from, to) => {
            let bound =
                Range { from: from.map_or(i64::MIN / 2, us), to: to.map_or(i64::MAX / 2, |t| us(t).saturating_add(1)) };
            let filter = (from.is_some() || to.is_some()).then_some(bound);
            let mut extent = None;
            log.run("extent", &sql.extent(filter), 3, |r| {
                extent =
                    Some((int(client, &r[0], "first")?, int(client, &r[1], "last")?, uint(client, &r[2], "rows")?));
                Ok(true)
            })?;
            match extent {
                Some((first, last, n)) if n > 0 => {
                    let start = match from {
                        Some(f) => us(f),
                        None => {
                            let lookback = last.saturating_sub(opts.span.num_microseconds().unwrap_or(i64::MAX));
                            fetched.range_from_lookback = lookback > first;
                            first.max(lookback)
                        }
                    };
                    Some(Range { from: start, to: last.saturating_add(1) })
                }
                _ => None,
            }
        }
    };
    let Some(range) = range else {
        fetched.queries = log.queries;
        fetched.bytes = client.bytes_received();
        return Ok(fetched);
    };
    fetched.range = Some(range);
    let long = opts.per_second_up_to.num_microseconds().unwrap_or(i64::MAX);
    fetched.bucket_seconds = if range.to.saturating_sub(range.from) > long { 60 } else { 1 };

    // The counts, and per bucket how many notable records to expect (the pages are cut by them).
    let mut services = Services::new(opts.max_services);
    let mut expected: BTreeMap<i64, u64> = BTreeMap::new();
    let bucket_s = fetched.bucket_seconds;
    let mut sink_error = None;
    log.run("counts", &sql.counts(range, bucket_s), 9, |r| {
        let c = BucketCounts {
            second: int(client, &r[0], "bucket")?.saturating_mul(bucket_s),
            total: uint(client, &r[2], "count")?,
            errors: uint(client, &r[3], "errors")?,
            http_5xx: uint(client, &r[4], "5xx")?,
            http_4xx: uint(client, &r[5], "4xx")?,
            warnings: uint(client, &r[6], "warnings")?,
            first_us: int(client, &r[7], "first")?,
            last_us: int(client, &r[8], "last")?,
        };
        fetched.records += c.total;
        *expected.entry(c.second).or_default() += c.errors + c.warnings;
        let service = services.name(&r[1]);
        if let Err(e) = sink.counts(&service, &c) {
            sink_error = Some(e);
            return Ok(false);
        }
        Ok(true)
    })?;
    if let Some(e) = sink_error {
        return Err(client.bad_answer(format!("storing the counts: {e}")));
    }
    sink.progress(client.bytes_received(), fetched.records);

    // Notable records, a slice of time at a time, each slice about a page;
    // then the lifecycle lines (few) over the whole range.
    let mut bodies = Bodies::default();
    let pages = slices(range, &expected, opts.page as u64)
        .into_iter()
        .map(|s| (s, Notable::Errors))
        .chain(std::iter::once((range, Notable::Lifecycle)));
    for (slice, kind) in pages {
        let what = if kind == Notable::Errors { "notable" } else { "lifecycle" };
        let mut after = None;
        loop {
            let mut last_key = None;
            let mut rows = 0usize;
            let mut failed = None;
            let page = sql.notable_page(slice, kind, after, opts.page);
            log.run(what, &page, crate::record::GROUP_FIELDS, |r| {
                let row = GroupRow::read(client, r)?;
                last_key = Some((row.first_us, row.first_key, row.group_key));
                rows += 1;
                fetched.notable += row.n;
                fetched.notable_rows += 1 + u64::from(row.n > 1);
                let service = services.name(&row.service);
                if let Err(e) = bodies.push(&service, row, sink) {
                    failed = Some(e);
                    return Ok(false);
                }
                Ok(true)
            })?;
            if let Some(e) = failed {
                return Err(client.bad_answer(format!("storing the records: {e}")));
            }
            sink.progress(client.bytes_received(), fetched.records);
            if rows < opts.page {
                break;
            }
            after = last_key;
        }
    }
    bodies.finish(sink).map_err(|e| client.bad_answer(format!("storing the records: {e}")))?;
    fetched.formats = bodies.formats();
    fetched.folded_services = services.folded;
    fetched.queries = log.queries;
    fetched.bytes = client.bytes_received();
    Ok(fetched)
}

/// Service names as sources: the first `max` seen keep their name.
struct Services {
    known: std::collections::HashSet<String>,
    max: usize,
    folded: u64,
    folded_names: std::collections::HashSet<String>,
}

impl Services {
    fn new(max: usize) -> Services {
        Services { known: Default::default(), max, folded: 0, folded_names: Default::default() }
    }

    fn name(&mut self, s: &str) -> String {
        if self.known.contains(s) {
            return s.to_string();
        }
        if self.known.len() < self.max {
            self.known.insert(s.to_string());
            return s.to_string();
        }
        if self.folded_names.insert(s.to_string()) {
            self.folded += 1;
        }
        OTHER_SERVICES.to_string()
    }
}

/// Cuts `range` into consecutive slices of about `page` expected notable
/// records each (a bucket is never cut: a slice with more pages on).
fn slices(range: Range, expected: &BTreeMap<i64, u64>, page: u64) -> Vec<Range> {
    let mut out = Vec::new();
    let mut start = range.from;
    let mut sum = 0u64;
    for (&second, &n) in expected {
        let bucket_start = second.saturating_mul(1_000_000);
        if sum > 0 && sum + n > page && bucket_start > start {
            out.push(Range { from: start, to: bucket_start });
            start = bucket_start;
            sum = 0;
        }
        sum += n;
    }
    out.push(Range { from: start, to: range.to });
    out
}

/// `2026-11-17T08:27:04.123456Z`.
pub fn micros_text(us: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_else(|| us.to_string())
}

/// A duration as the notes say it.
pub fn seconds_text(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_cut_at_buckets_by_the_expected_records() {
        let range = Range { from: 10_000_000, to: 20_000_000 };
        let expected: BTreeMap<i64, u64> = [(10, 3), (11, 3), (12, 5), (15, 1), (19, 40)].into_iter().collect();
        let s = slices(range, &expected, 6);
        assert_eq!(
            s,
            vec![
                Range { from: 10_000_000, to: 12_000_000 },
                Range { from: 12_000_000, to: 19_000_000 },
                Range { from: 19_000_000, to: 20_000_000 },
            ]
        );
        assert_eq!(slices(range, &BTreeMap::new(), 6), vec![range]);
    }

    #[test]
    fn services_past_the_cap_are_one_source() {
        let mut s = Services::new(2);
        assert_eq!(s.name("a"), "a");
        assert_eq!(s.name("b"), "b");
        assert_eq!(s.name("c"), OTHER_SERVICES);
        assert_eq!(s.name("a"), "a");
        assert_eq!(s.name("d"), OTHER_SERVICES);
        assert_eq!(s.name("c"), OTHER_SERVICES);
        assert_eq!(s.folded, 2);
    }
}
