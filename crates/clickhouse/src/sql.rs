//! The SQL Faultline sends, generated from a [`Layout`].
//!
//! Every query reads the table named on the command line and aggregates in
//! its outermost `SELECT`: over a `Distributed` table ClickHouse then runs the
//! aggregation on every shard and merges the partial states, so only the
//! results cross the network. (A subquery would ship the shards' rows to the
//! initiator instead.) Only functions ClickHouse 18.16 already had are used —
//! `intDiv`, `countIf`, `argMin` over a tuple, `cityHash64`, `extract`,
//! `extractAll`, `replaceRegexpAll`, `toUInt16OrZero`, `multiIf` — except where
//! the column's type itself says the server is newer (`DateTime64`, `Map`).

use crate::mapping::{ColumnRef, ColumnType, Layout, Resolved, Role, TimeKind};
use faultline_model::LIFECYCLE_MARKERS;

/// The longest message text fetched per record; longer ones are cut and flagged.
pub const MESSAGE_CAP: usize = 64 * 1024;

/// Level classes the SQL computes (0 = no level), the order of [`faultline_model::Level`].
pub const LEVEL_WORDS: [(u8, &[&str]); 7] = [
    (7, &["critical", "crit", "fatal", "f", "alert", "emerg", "emergency", "panic", "c", "a"]),
    (6, &["error", "err", "e", "severe", "eror"]),
    (5, &["warn", "warning", "w", "wrn"]),
    (4, &["notice", "n"]),
    (3, &["info", "information", "informational", "i", "config"]),
    (2, &["debug", "fine", "d", "dbg"]),
    (1, &["trace", "finest", "finer", "t", "v", "verbose"]),
];

/// `` `name` ``, or `` `db`.`table` `` for a qualified table.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', ""))
}

/// A table name as given (`table` or `db.table`), quoted.
pub fn quote_table(table: &str) -> String {
    table.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

/// A string literal.
pub fn quote_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The raw value of one source of a role.
fn value(r: &ColumnRef, t: &ColumnType) -> String {
    let raw = match r {
        ColumnRef::Column(c) => quote_ident(c),
        ColumnRef::MapKey(c, k) => format!("{}[{}]", quote_ident(c), quote_str(k)),
    };
    if !t.nullable {
        return raw;
    }
    let zero = if t.is_string() { "''" } else { "0" };
    format!("ifNull({raw}, {zero})")
}

/// Picks the first non-empty of several expressions.
fn first_of(parts: Vec<String>, empty: &str) -> String {
    let mut it = parts.into_iter().rev();
    let Some(mut out) = it.next() else { return empty.to_string() };
    for p in it {
        out = format!("if({p} != {empty}, {p}, {out})");
    }
    out
}

/// The SQL of one query plan: expressions of the layout, reused by every query.
#[derive(Debug, Clone)]
pub struct Sql {
    table: String,
    /// The time column, raw (for index-friendly range conditions).
    time_col: String,
    time: TimeKind,
    /// Microseconds since the epoch, Int64.
    pub micros: String,
    /// The message text.
    pub message: String,
    /// The level class, UInt8 (0 = none).
    pub level: String,
    /// The HTTP status, UInt16 (0 = none).
    pub status: String,
    /// The service, String ('' when unmapped).
    pub service: String,
    /// The host.
    pub host: String,
    /// The client.
    pub client: String,
    /// The method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The user agent.
    pub user_agent: String,
    /// The row key: a hash of the message (rows are cited by time, service, host and it).
    pub key: String,
}

fn string_role(layout: &Layout, role: Role) -> String {
    let Some(r) = layout.get(role) else { return "''".into() };
    let parts = r
        .sources
        .iter()
        .map(|(c, t)| {
            let v = value(c, t);
            if t.is_string() {
                v
            } else {
                format!("toString({v})")
            }
        })
        .collect();
    first_of(parts, "''")
}

fn status_role(r: Option<&Resolved>) -> String {
    let Some(r) = r else { return "toUInt16(0)".into() };
    let parts = r
        .sources
        .iter()
        .map(|(c, t)| {
            let v = value(c, t);
            if t.is_string() {
                format!("toUInt16OrZero({v})")
            } else {
                format!("toUInt16({v})")
            }
        })
        .collect();
    first_of(parts, "0")
}

/// A level name's class: the first run of letters, lower-cased, looked up in [`LEVEL_WORDS`].
fn level_of_text(v: &str) -> String {
    let word = format!("extract(lower({v}), '[a-z]+')");
    let mut arms = Vec::new();
    for (class, words) in LEVEL_WORDS {
        let list: Vec<String> = words.iter().map(|w| quote_str(w)).collect();
        arms.push(format!("{word} IN ({}), {class}", list.join(", ")));
    }
    format!("toUInt8(multiIf({}, 0))", arms.join(", "))
}

/// An OpenTelemetry severity number's class (1–4 trace … 21–24 fatal).
fn level_of_number(v: &str) -> String {
    format!("toUInt8(multiIf({v} >= 21, 7, {v} >= 17, 6, {v} >= 13, 5, {v} >= 9, 3, {v} >= 5, 2, {v} >= 1, 1, 0))")
}

fn level_role(r: Option<&Resolved>) -> String {
    let Some(r) = r else { return "toUInt8(0)".into() };
    let parts = r
        .sources
        .iter()
        .map(|(c, t)| if t.is_string() { level_of_text(&value(c, t)) } else { level_of_number(&value(c, t)) })
        .collect();
    first_of(parts, "0")
}

fn micros_of(col: &str, time: TimeKind) -> String {
    match time {
        TimeKind::DateTime => format!("toInt64(toUInt32({col})) * 1000000"),
        TimeKind::DateTime64(_) => format!("toUnixTimestamp64Micro({col})"),
        TimeKind::Epoch(0) => format!("toInt64({col}) * 1000000"),
        TimeKind::Epoch(3) => format!("toInt64({col}) * 1000"),
        TimeKind::Epoch(6) => format!("toInt64({col})"),
        TimeKind::Epoch(e) => format!("intDiv(toInt64({col}), {})", 10i64.pow(e.saturating_sub(6).min(12))),
        TimeKind::EpochFloat => format!("toInt64({col} * 1000000)"),
    }
}

/// Ceiling of `a / b` for b > 0.
fn div_ceil(a: i128, b: i128) -> i128 {
    a.div_euclid(b) + i128::from(a.rem_euclid(b) != 0)
}

/// Digits that start a word (what a record's values are: ids, counts, times,
/// address parts) become `#`, and UUIDs do: records of one second that differ
/// only there are alike. The same rule as the correlator's, never coarser:
/// digits after a letter stay (`handlers_v2`), so alike here is alike there.
fn shape_of(v: &str) -> String {
    let uuid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    format!("replaceRegexpAll(replaceRegexpAll({v}, '{uuid}', '#'), '(^|[^0-9A-Za-z])[0-9]+', '\\\\1#')")
}

/// The IPv4 addresses in a text: kept apart when alike records are merged, so
/// the clients of a flood are still counted when the table has no client column.
fn addresses_of(v: &str) -> String {
    format!(
        "arrayStringConcat(extractAll({v}, '[0-9]{{1,3}}\\\\.[0-9]{{1,3}}\\\\.[0-9]{{1,3}}\\\\.[0-9]{{1,3}}'), ',')"
    )
}

/// `s` as a literal of a regular expression (re2).
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Which notable records a page asks for. Separate queries, so the message
/// column is read for lifecycle words only where a row has no status and a
/// low level: ClickHouse 18.16 evaluates every branch of an `OR`, and moves a
/// condition on small columns alone into `PREWHERE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notable {
    /// 5xx, and warnings or worse without a status.
    Errors,
    /// Start, stop and restart lines below warning without a status.
    Lifecycle,
}

/// A half-open range of microseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First microsecond in.
    pub from: i64,
    /// First microsecond out.
    pub to: i64,
}

impl Sql {
    /// The SQL of `layout` over `table` (`table` or `db.table`).
    pub fn new(layout: &Layout, table: &str) -> Sql {
        let (time_col, time) = match layout.get(Role::Time).and_then(|r| r.sources.first()) {
            Some((c, _)) => (quote_ident(c.column()), layout.time),
            None => ("0".to_string(), TimeKind::Epoch(6)),
        };
        let message = layout
            .get(Role::Message)
            .and_then(|r| r.sources.first())
            .map(|(c, t)| value(c, t))
            .unwrap_or_else(|| "''".into());
        let key = format!("cityHash64({message})");
        Sql {
            table: quote_table(table),
            micros: micros_of(&time_col, time),
            time_col,
            time,
            level: level_role(layout.get(Role::Level)),
            status: status_role(layout.get(Role::Status)),
            service: string_role(layout, Role::Service),
            host: string_role(layout, Role::Host),
            client: string_role(layout, Role::Client),
            method: string_role(layout, Role::Method),
            path: string_role(layout, Role::Path),
            user_agent: string_role(layout, Role::UserAgent),
            message,
            key,
        }
    }

    /// The table, quoted.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// `WHERE` conditions selecting `range`: one on the raw column the table's
    /// index can use, and the exact one on microseconds where the column is finer than seconds.
    pub fn range_condition(&self, r: Range) -> String {
        let (from, to) = (i128::from(r.from), i128::from(r.to));
        let c = &self.time_col;
        match self.time {
            TimeKind::DateTime => format!(
                "{c} >= toDateTime({}) AND {c} < toDateTime({})",
                div_ceil(from, 1_000_000).max(0),
                div_ceil(to, 1_000_000).max(0)
            ),
            TimeKind::DateTime64(_) | TimeKind::EpochFloat => {
                let coarse = if matches!(self.time, TimeKind::EpochFloat) {
                    format!("{c} >= {} AND {c} < {}", from.div_euclid(1_000_000), div_ceil(to, 1_000_000) + 1)
                } else {
                    format!(
                        "{c} >= toDateTime({}) AND {c} < toDateTime({})",
                        from.div_euclid(1_000_000).max(0),
                        (div_ceil(to, 1_000_000) + 1).max(0)
                    )
                };
                format!("{coarse} AND {m} >= {} AND {m} < {}", r.from, r.to, m = self.micros)
            }
            TimeKind::Epoch(e) => {
                let unit = 10i128.pow(e.min(18));
                format!("{c} >= {} AND {c} < {}", div_ceil(from * unit, 1_000_000), div_ceil(to * unit, 1_000_000))
            }
        }
    }

    /// `DESCRIBE TABLE`.
    pub fn describe(&self) -> String {
        format!("DESCRIBE TABLE {} FORMAT TabSeparated", self.table)
    }

    /// The largest value of an integer time column (its unit is read from its size).
    pub fn epoch_probe(&self, column: &str) -> String {
        format!("SELECT toString(max({})) FROM {} FORMAT TabSeparated", quote_ident(column), self.table)
    }

    /// The first and last microsecond and the row count, of `range` or the whole table.
    pub fn extent(&self, range: Option<Range>) -> String {
        let filter = range.map(|r| format!(" WHERE {}", self.range_condition(r))).unwrap_or_default();
        format!("SELECT min({m}), max({m}), count() FROM {}{filter} FORMAT TabSeparated", self.table, m = self.micros)
    }

    /// Per bucket of `bucket_s` seconds and service: all records, errors, 5xx,
    /// 4xx, warnings (as the case counts them: 5xx, else 4xx, else a warning),
    /// and the first and last microsecond. Errors follow
    /// `faultline_model::ErrorClass`: a response by its status alone, else
    /// its level (a trace inside a warning is not looked for in SQL).
    pub fn counts(&self, range: Range, bucket_s: i64) -> String {
        let (m, s, l) = (&self.micros, &self.status, &self.level);
        format!(
            "SELECT intDiv({m}, {bucket}) AS bucket, {svc} AS service, count(), \
             countIf({s} >= 500 OR ({s} = 0 AND {l} >= 6)), countIf({s} >= 500), countIf({s} >= 400 AND {s} < 500), \
             countIf({s} < 400 AND {l} = 5), min({m}), max({m}) \
             FROM {t} WHERE {cond} GROUP BY bucket, service ORDER BY bucket, service FORMAT TabSeparated",
            bucket = bucket_s.max(1) * 1_000_000,
            svc = self.service,
            t = self.table,
            cond = self.range_condition(range),
        )
    }

    /// Rows the case keeps whole: 5xx responses, and without a status,
    /// warnings and worse ([`Notable::Errors`]) or lifecycle lines
    /// ([`Notable::Lifecycle`]). A superset of the records' own test, which
    /// is applied again to each record read.
    pub fn notable_condition(&self, kind: Notable) -> String {
        let (s, l, msg) = (&self.status, &self.level, &self.message);
        match kind {
            Notable::Errors => format!("({s} >= 500 OR ({s} = 0 AND {l} >= 5))"),
            Notable::Lifecycle => {
                // One regular expression for all the words: one pass over
                // each message, where a test per word reads it once per word.
                let words: Vec<String> = LIFECYCLE_MARKERS.iter().map(|w| regex_escape(w)).collect();
                format!(
                    "({s} = 0 AND {l} < 5 AND length({msg}) < 4000 AND match({msg}, {any}))",
                    any = quote_str(&words.join("|"))
                )
            }
        }
    }

    /// One page of notable records of `range`: records of one second that are
    /// alike (service, host, level, status, client, method, the shape of the
    /// path and message, the addresses in it) are one row with their count and
    /// their first and last record, so a flood is counted in the cluster and
    /// two of its records shipped. Pages follow each other by the key
    /// `(first microsecond, first row key, group hash)`, `after` the last one read.
    pub fn notable_page(&self, range: Range, kind: Notable, after: Option<(i64, u64, u64)>, limit: usize) -> String {
        let (m, k, msg) = (&self.micros, &self.key, &self.message);
        let order = format!("({m}, {k})");
        let group = format!(
            "cityHash64({}, {}, {}, {}, {}, {}, {}, toString({}), toString({}))",
            self.service,
            self.host,
            self.client,
            self.method,
            shape_of(&self.path),
            shape_of(msg),
            addresses_of(msg),
            self.level,
            self.status
        );
        let having = after
            .map(|(us, key, g)| format!(" HAVING (first_us, first_key, group_key) > ({us}, {key}, {g})"))
            .unwrap_or_default();
        format!(
            "SELECT intDiv({m}, 1000000) AS sec, {group} AS group_key, count() AS n, \
             min({m}) AS first_us, argMin({k}, {order}) AS first_key, max({m}) AS last_us, argMax({k}, {order}) AS last_key, \
             any({svc}), any({host}), any({l}), any({s}), any({client}), any({method}), \
             argMin({path}, {order}), argMin({ua}, {order}), argMin(length({msg}), {order}), \
             argMin(substring({msg}, 1, {cap}), {order}), if(n > 1, argMax(substring({msg}, 1, {cap}), {order}), '') \
             FROM {t} WHERE {cond} AND {notable} GROUP BY sec, group_key{having} \
             ORDER BY first_us, first_key, group_key LIMIT {limit} FORMAT TabSeparated",
            svc = self.service,
            host = self.host,
            l = self.level,
            s = self.status,
            client = self.client,
            method = self.method,
            path = self.path,
            ua = self.user_agent,
            cap = MESSAGE_CAP,
            t = self.table,
            cond = self.range_condition(range),
            notable = self.notable_condition(kind),
        )
    }

    /// Rows of `service` next to the row at (`us`, `key`): `before` rows
    /// before it (newest first) or the row and the ones after it, within an
    /// hour, for a citation's context.
    pub fn neighbours(&self, service: &str, us: i64, key: u64, before: bool, limit: usize) -> String {
        let (m, k) = (&self.micros, &self.key);
        let hour = 3_600_000_000i64;
        let (range, cmp, dir) = if before {
            (Range { from: us.saturating_sub(hour), to: us.saturating_add(1) }, "<", "DESC")
        } else {
            (Range { from: us, to: us.saturating_add(hour) }, ">=", "ASC")
        };
        format!(
            "SELECT {m}, {k}, substring({msg}, 1, {cap}) FROM {t} WHERE {cond} AND {svc} = {name} \
             AND ({m}, {k}) {cmp} ({us}, {key}) ORDER BY {m} {dir}, {k} {dir} LIMIT {limit} FORMAT TabSeparated",
            msg = self.message,
            cap = MESSAGE_CAP,
            t = self.table,
            cond = self.range_condition(range),
            svc = self.service,
            name = quote_str(service),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::{resolve, Mapping};

    fn cols(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    /// The table an 18.16 server holds: plain columns, seconds in `DateTime`.
    fn old_server() -> Sql {
        let table = cols(&[
            ("ts", "DateTime"),
            ("service", "String"),
            ("host", "String"),
            ("level", "String"),
            ("status", "UInt16"),
            ("message", "String"),
        ]);
        let m = Mapping::with_columns("time=ts,message=message,level=level,status=status,service=service,host=host")
            .unwrap();
        Sql::new(&resolve(&m, &table, None).unwrap(), "logs.app")
    }

    /// `otel_logs` on a current server: `DateTime64(9)`, `Map` attributes.
    fn new_server() -> Sql {
        let layout = resolve(&Mapping::otel(), &crate::mapping::tests::otel_columns(), None).unwrap();
        Sql::new(&layout, "otel_logs")
    }

    const R: Range = Range { from: 1_763_366_400_000_000, to: 1_763_370_000_500_000 };

    #[test]
    fn an_old_server_gets_plain_columns_and_whole_seconds() {
        let sql = old_server();
        assert_eq!(sql.micros, "toInt64(toUInt32(`ts`)) * 1000000");
        assert_eq!(
            sql.range_condition(R),
            "`ts` >= toDateTime(1763366400) AND `ts` < toDateTime(1763370001)",
            "a DateTime holds whole seconds: the half-open range rounds up at both ends"
        );
        assert_eq!(sql.status, "toUInt16(`status`)");
        assert!(sql.level.starts_with("toUInt8(multiIf(extract(lower(`level`), '[a-z]+') IN ('critical', "));
        let counts = sql.counts(R, 1);
        assert!(
            counts.starts_with(
                "SELECT intDiv(toInt64(toUInt32(`ts`)) * 1000000, 1000000) AS bucket, `service` AS service, count(), "
            ),
            "{counts}"
        );
        assert!(counts.contains("FROM `logs`.`app` WHERE `ts` >= toDateTime(1763366400)"), "{counts}");
        assert!(counts.ends_with("GROUP BY bucket, service ORDER BY bucket, service FORMAT TabSeparated"));
        for newer in ["toUnixTimestamp64Micro", "Map", "DateTime64", "['"] {
            assert!(!sql.notable_page(R, Notable::Errors, None, 10).contains(newer), "{newer} is not known to 18.16");
        }
    }

    #[test]
    fn a_new_server_gets_datetime64_and_map_values_with_fallbacks() {
        let sql = new_server();
        assert_eq!(sql.micros, "toUnixTimestamp64Micro(`Timestamp`)");
        assert_eq!(
            sql.range_condition(R),
            "`Timestamp` >= toDateTime(1763366400) AND `Timestamp` < toDateTime(1763370002) AND \
             toUnixTimestamp64Micro(`Timestamp`) >= 1763366400000000 AND toUnixTimestamp64Micro(`Timestamp`) < 1763370000500000"
        );
        assert_eq!(
            sql.status,
            "if(toUInt16OrZero(`LogAttributes`['http.response.status_code']) != 0, \
             toUInt16OrZero(`LogAttributes`['http.response.status_code']), toUInt16OrZero(`LogAttributes`['http.status_code']))"
        );
        assert_eq!(sql.host, "`ResourceAttributes`['host.name']");
        assert_eq!(sql.service, "`ServiceName`");
        // SeverityText first, SeverityNumber when the text says nothing.
        assert!(sql.level.starts_with("if(toUInt8(multiIf(extract(lower(`SeverityText`)"), "{}", sql.level);
        assert!(sql.level.contains("toUInt8(multiIf(`SeverityNumber` >= 21, 7, `SeverityNumber` >= 17, 6"));
    }

    #[test]
    fn epoch_columns_compare_in_their_own_unit() {
        let table = cols(&[("t", "UInt64"), ("msg", "String")]);
        let m = Mapping::with_columns("time=t,message=msg").unwrap();
        let sql = |e| Sql::new(&resolve(&m, &table, Some(e)).unwrap(), "t1");
        assert_eq!(sql(6).range_condition(R), "`t` >= 1763366400000000 AND `t` < 1763370000500000");
        assert_eq!(sql(3).range_condition(R), "`t` >= 1763366400000 AND `t` < 1763370000500");
        assert_eq!(sql(0).range_condition(R), "`t` >= 1763366400 AND `t` < 1763370001");
        assert_eq!(sql(9).range_condition(R), "`t` >= 1763366400000000000 AND `t` < 1763370000500000000");
        assert_eq!(sql(9).micros, "intDiv(toInt64(`t`), 1000)");
        let table = cols(&[("t", "Float64"), ("msg", "String")]);
        let f = Sql::new(&resolve(&m, &table, None).unwrap(), "t1");
        assert_eq!(f.micros, "toInt64(`t` * 1000000)");
    }

    #[test]
    fn the_notable_page_aggregates_in_the_outer_select_and_pages_by_key() {
        let sql = old_server();
        let first = sql.notable_page(R, Notable::Errors, None, 5000);
        assert!(first.starts_with("SELECT intDiv("), "no subquery: the shards aggregate");
        assert_eq!(first.matches(" FROM ").count(), 1, "{first}");
        assert!(!first.contains("HAVING"));
        assert!(first.ends_with("ORDER BY first_us, first_key, group_key LIMIT 5000 FORMAT TabSeparated"));
        let next = sql.notable_page(R, Notable::Errors, Some((1_763_367_224_000_000, 42, 7)), 5000);
        assert!(next.contains(" HAVING (first_us, first_key, group_key) > (1763367224000000, 42, 7) ORDER BY"));
        // Lifecycle lines are kept whatever their level.
        let errors = sql.notable_condition(Notable::Errors);
        assert!(!errors.contains("`message`"), "5xx and errors are found without reading the messages: {errors}");
        let lifecycle = sql.notable_condition(Notable::Lifecycle);
        assert!(lifecycle.contains("match(`message`, 'Booting worker|Starting gunicorn|Listening at:|"), "{lifecycle}");
        assert_eq!(regex_escape("a.b (c)|d"), "a\\.b \\(c\\)\\|d");
    }

    #[test]
    fn literals_and_names_are_quoted() {
        assert_eq!(quote_str("it's a \\ test\n"), "'it\\'s a \\\\ test\\n'");
        assert_eq!(quote_table("logs.app"), "`logs`.`app`");
        let n = old_server().neighbours("web'1", 5, 6, true, 3);
        assert!(n.contains("`service` = 'web\\'1'"), "{n}");
        assert!(
            n.contains("ORDER BY toInt64(toUInt32(`ts`)) * 1000000 DESC, cityHash64(`message`) DESC LIMIT 3"),
            "{n}"
        );
    }

    #[test]
    fn level_words_are_the_ones_the_files_are_read_with() {
        use faultline_model::Level;
        for (class, words) in LEVEL_WORDS {
            for w in words {
                let level = Level::parse(w).unwrap_or_else(|| panic!("{w}"));
                assert_eq!(crate::level_of_class(class), Some(level), "{w}");
            }
        }
    }
}
