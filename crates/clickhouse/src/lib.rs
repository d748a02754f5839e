//! A ClickHouse log store as a source of a Faultline case, with the counting
//! done by the cluster.
//!
//! A case needs per-second counts of all records and of errors, and the few
//! records worth keeping whole (errors, warnings, 5xx, restarts). From a log
//! store both come from queries:
//!
//! 1. [`fetch::layout`]: `DESCRIBE TABLE` checks the [`Mapping`] (the
//!    OpenTelemetry `otel_logs` layout unless `--columns` says otherwise);
//! 2. the range: `--from/--to`, or the look-back before the newest row;
//! 3. [`sql::Sql::counts`]: one `GROUP BY` per bucket and service, which a
//!    `Distributed` table runs on every shard;
//! 4. [`sql::Sql::notable_page`]: the notable records, alike records of one
//!    second grouped in the cluster (their count, first and last record
//!    shipped), in pages cut by the counts and continued by key.
//!
//! [`fetch::fetch`] runs them and hands the results to a [`StoreSink`]; the
//! engine's sink fills the same case a file would, so the correlator does
//! not know where the records came from.
//!
//! ```no_run
//! use faultline_clickhouse::{Client, Credentials, FetchOptions, Target, Timeouts};
//! let target = Target::parse("http://127.0.0.1:8123/?database=logs", "otel_logs", None, Credentials::default())?;
//! let client = Client::new(target, Timeouts::default());
//! # struct S; impl faultline_clickhouse::StoreSink for S {
//! #   fn counts(&mut self, _: &str, _: &faultline_clickhouse::BucketCounts) -> Result<(), String> { Ok(()) }
//! #   fn record(&mut self, _: &str, _: &faultline_model::LogRecord<'_>, _: u32) -> Result<(), String> { Ok(()) } }
//! let fetched = faultline_clickhouse::fetch(&client, &FetchOptions::default(), &mut S)?;
//! println!("{} records counted, {} notable rows shipped", fetched.records, fetched.notable_rows);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod client;
pub mod fetch;
pub mod mapping;
pub mod record;
pub mod sql;
pub mod target;

pub use client::{Client, Error, ErrorKind, Timeouts};
pub use fetch::{fetch, BucketCounts, FetchOptions, Fetched, QueryLog, StoreSink};
pub use mapping::{Mapping, Role};
pub use target::{is_locator, Credentials, Target};

use faultline_model::Level;
use serde::{Deserialize, Serialize};

/// The [`Level`] of a level class the SQL computes (see [`sql::LEVEL_WORDS`]).
pub fn level_of_class(class: u8) -> Option<Level> {
    Some(match class {
        1 => Level::Trace,
        2 => Level::Debug,
        3 => Level::Info,
        4 => Level::Notice,
        5 => Level::Warn,
        6 => Level::Error,
        7 => Level::Critical,
        _ => return None,
    })
}

/// What the case records of a query of the store: enough to query it again
/// (with credentials from the environment) and to say what was asked, never
/// the credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Descriptor {
    /// The table's locator (`clickhouse://host:8123/logs.app`).
    pub locator: String,
    /// The HTTP interface's URL without credentials, with its other parameters.
    pub url: String,
    /// The table as given.
    pub table: String,
    /// `--columns` as given (`None`: the `otel_logs` layout).
    pub columns: Option<String>,
    /// The columns as resolved against the table.
    pub layout: String,
    /// The server's version.
    pub server_version: String,
    /// The range queried, RFC 3339, half-open.
    pub from: Option<String>,
    /// See `from`.
    pub to: Option<String>,
    /// Count buckets, seconds.
    pub bucket_seconds: i64,
    /// When the queries were sent, RFC 3339.
    pub queried_at: String,
    /// The queries: what, when, how long, rows, SQL.
    pub queries: Vec<LoggedQuery>,
    /// Bytes received.
    pub bytes: u64,
}

/// One query of a [`Descriptor`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedQuery {
    /// `counts`, `notable`, …
    pub what: String,
    /// When it was sent, RFC 3339.
    pub at: String,
    /// Seconds its answers took (all pages).
    pub seconds: f64,
    /// Rows answered.
    pub rows: u64,
    /// The SQL (the first page's).
    pub sql: String,
}

impl Descriptor {
    /// The record of `fetched` from `target`, given `--columns` as `columns`.
    pub fn new(target: &Target, columns: Option<&str>, fetched: &Fetched) -> Descriptor {
        let mut url = target.base.clone();
        if !target.params.is_empty() {
            // Encoded, so a setting holding `&` or `=` reads back as it was given.
            let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&target.params).finish();
            url = format!("{url}/?{query}");
        }
        let text = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Descriptor {
            locator: target.locator(),
            url,
            table: target.table.clone(),
            columns: columns.map(str::to_string),
            layout: fetched.layout.clone(),
            server_version: fetched.server_version.clone(),
            from: fetched.range.map(|r| fetch::micros_text(r.from)),
            to: fetched.range.map(|r| fetch::micros_text(r.to)),
            bucket_seconds: fetched.bucket_seconds,
            queried_at: fetched.queries.first().map(|q| text(q.at)).unwrap_or_default(),
            queries: fetched
                .queries
                .iter()
                .map(|q| LoggedQuery {
                    what: q.what.to_string(),
                    at: text(q.at),
                    seconds: q.seconds,
                    rows: q.rows,
                    sql: q.sql.clone(),
                })
                .collect(),
            bytes: fetched.bytes,
        }
    }

    /// The target again, credentials from `credentials` (the environment).
    pub fn target(&self, credentials: Credentials) -> Result<Target, String> {
        Target::parse(&self.url, &self.table, self.columns.as_deref(), credentials)
    }
}

/// A row next to a cited one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowText {
    /// Its microsecond.
    pub us: i64,
    /// Its row key.
    pub key: u64,
    /// Its message (capped).
    pub text: String,
    /// It is the cited row.
    pub cited: bool,
}

/// The cited row of `service` at (`us`, `key`) with up to `context` rows of
/// the same service either side, fetched now: the raw lines of a citation, on demand.
pub fn row_with_context(
    client: &Client,
    service: &str,
    us: i64,
    key: u64,
    context: usize,
) -> Result<Vec<RowText>, Error> {
    let (_, sql) = fetch::layout(client)?;
    let read = |rows: Vec<Vec<String>>| -> Vec<RowText> {
        rows.into_iter()
            .filter_map(|r| {
                Some(RowText {
                    us: r.first()?.parse().ok()?,
                    key: r.get(1)?.parse().ok()?,
                    text: r.get(2)?.clone(),
                    cited: false,
                })
            })
            .collect()
    };
    let mut before = read(client.rows(&sql.neighbours(service, us, key, true, context), 3)?);
    before.reverse();
    let mut after = read(client.rows(&sql.neighbours(service, us, key, false, context + 1), 3)?);
    match after.first_mut() {
        Some(r) if r.us == us && r.key == key => r.cited = true,
        _ => {
            return Err(client.bad_answer(format!(
                "the cited row ({}, key {key}) is no longer in the table",
                fetch::micros_text(us)
            )))
        }
    }
    before.append(&mut after);
    Ok(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_records_a_url_that_reads_back_as_the_same_target() {
        let url = "http://ch.internal:8123/?database=logs&user=ann&password=s3cret&log_comment=a%26b%3Dc";
        let target = Target::parse(url, "app", None, Credentials::default()).unwrap();
        let fetched = Fetched {
            server_version: "24.8".into(),
            layout: "otel_logs".into(),
            bucket_seconds: 1,
            ..Fetched::default()
        };
        let d = Descriptor::new(&target, None, &fetched);
        assert!(!d.url.contains("s3cret") && !d.url.contains("ann"), "no credentials: {}", d.url);
        let again = d.target(Credentials::default()).unwrap();
        let want = [("database", "logs"), ("log_comment", "a&b=c")].map(|(k, v)| (k.to_string(), v.to_string()));
        assert_eq!(again.params, want);
        assert_eq!(again.locator(), target.locator());
    }
}
