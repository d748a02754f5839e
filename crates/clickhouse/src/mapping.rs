//! Which columns of a table hold what a log record needs, checked against
//! the table's own `DESCRIBE TABLE`.
//!
//! A mapping names, per [`Role`], a column (`status=status`) or a value of a
//! `Map` column (`status=LogAttributes['http.status_code']`). Without
//! `--columns` the OpenTelemetry Collector's `otel_logs` layout is assumed;
//! roles given on the command line replace its defaults one by one.

use std::fmt;

/// What a column means to Faultline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// When the record happened (required).
    Time,
    /// The record's text: a whole log line or a message body (required).
    Message,
    /// Severity: a name (`ERROR`, `warning`) or an OpenTelemetry severity number.
    Level,
    /// HTTP response status.
    Status,
    /// The service: each service of the table is one source of the case.
    Service,
    /// The host.
    Host,
    /// The client address (affected clients are counted from it).
    Client,
    /// HTTP method.
    Method,
    /// Request path.
    Path,
    /// User agent.
    UserAgent,
}

impl Role {
    /// Every role, in the order the columns are listed.
    pub const ALL: [Role; 10] = [
        Role::Time,
        Role::Message,
        Role::Level,
        Role::Status,
        Role::Service,
        Role::Host,
        Role::Client,
        Role::Method,
        Role::Path,
        Role::UserAgent,
    ];

    /// The name used in `--columns`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Time => "time",
            Role::Message => "message",
            Role::Level => "level",
            Role::Status => "status",
            Role::Service => "service",
            Role::Host => "host",
            Role::Client => "client",
            Role::Method => "method",
            Role::Path => "path",
            Role::UserAgent => "user_agent",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s || (*r == Role::UserAgent && s == "ua"))
    }

    fn required(self) -> bool {
        matches!(self, Role::Time | Role::Message)
    }
}

/// Where a role's value is: a column, or a key of a `Map(String, String)` column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnRef {
    /// A column.
    Column(String),
    /// `column['key']`: a value of a `Map` column.
    MapKey(String, String),
}

impl ColumnRef {
    /// The column it reads.
    pub fn column(&self) -> &str {
        match self {
            ColumnRef::Column(c) | ColumnRef::MapKey(c, _) => c,
        }
    }

    fn parse(s: &str) -> Result<ColumnRef, String> {
        let s = s.trim();
        if let Some(open) = s.find('[') {
            let column = s[..open].trim();
            let rest = s[open + 1..].trim();
            let key = rest
                .strip_suffix(']')
                .map(str::trim)
                .and_then(|k| k.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
                .ok_or_else(|| format!("{s:?}: write a map value as column['key']"))?;
            if column.is_empty() || key.contains('\'') || key.contains('\\') {
                return Err(format!("{s:?}: write a map value as column['key']"));
            }
            check_name(column)?;
            return Ok(ColumnRef::MapKey(column.to_string(), key.to_string()));
        }
        check_name(s)?;
        Ok(ColumnRef::Column(s.to_string()))
    }
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Column(c) => f.write_str(c),
            ColumnRef::MapKey(c, k) => write!(f, "{c}['{k}']"),
        }
    }
}

/// Column names are quoted with backticks in the SQL; a name that would need
/// escaping there is refused rather than escaped.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 200 || name.chars().any(|c| c == '`' || c == '\\' || c.is_control()) {
        return Err(format!("{name:?} is not a column name"));
    }
    Ok(())
}

/// The roles the user named, each with its candidates in order of preference
/// (the `otel_logs` defaults have fallbacks: an older semantic-convention key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Per role: where to read it, best first; all but the first are fallbacks for an empty value.
    pub roles: Vec<(Role, Vec<ColumnRef>, Origin)>,
}

/// Whether a role's columns came from the user or from the `otel_logs` defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--columns`: a missing column is an error.
    Given,
    /// The `otel_logs` layout: a missing column leaves the role unmapped.
    Default,
}

fn map_key(column: &str, key: &str) -> ColumnRef {
    ColumnRef::MapKey(column.into(), key.into())
}

impl Mapping {
    /// The OpenTelemetry Collector's `otel_logs` table: `Timestamp`, `Body`,
    /// `SeverityText` (else `SeverityNumber`), `ServiceName`, the host from
    /// `ResourceAttributes['host.name']`, and the HTTP fields from
    /// `LogAttributes` under the current semantic-convention keys, else the older ones.
    pub fn otel() -> Mapping {
        let col = |c: &str| ColumnRef::Column(c.into());
        let attr = |k: &str| map_key("LogAttributes", k);
        let d = Origin::Default;
        Mapping {
            roles: vec![
                (Role::Time, vec![col("Timestamp")], d),
                (Role::Message, vec![col("Body")], d),
                (Role::Level, vec![col("SeverityText"), col("SeverityNumber")], d),
                (Role::Status, vec![attr("http.response.status_code"), attr("http.status_code")], d),
                (Role::Service, vec![col("ServiceName")], d),
                (Role::Host, vec![map_key("ResourceAttributes", "host.name")], d),
                (Role::Client, vec![attr("client.address"), attr("http.client_ip")], d),
                (Role::Method, vec![attr("http.request.method"), attr("http.method")], d),
                (Role::Path, vec![attr("url.path"), attr("http.target")], d),
                (Role::UserAgent, vec![attr("user_agent.original"), attr("http.user_agent")], d),
            ],
        }
    }

    /// The `otel_logs` defaults with the roles of `spec` (`time=ts,message=line,…`) replaced.
    pub fn with_columns(spec: &str) -> Result<Mapping, String> {
        let mut m = Mapping::otel();
        let mut seen = Vec::new();
        for part in split_spec(spec) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (role, column) =
                part.split_once('=').ok_or_else(|| format!("{part:?}: write ROLE=COLUMN (e.g. time=ts)"))?;
            let role = Role::parse(role.trim()).ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                format!("{:?} is not a role; the roles are {}", role.trim(), names.join(", "))
            })?;
            if seen.contains(&role) {
                return Err(format!("{} is given twice", role.name()));
            }
            seen.push(role);
            let column = ColumnRef::parse(column)?;
            if let Some(slot) = m.roles.iter_mut().find(|(r, _, _)| *r == role) {
                *slot = (role, vec![column], Origin::Given);
            }
        }
        Ok(m)
    }

    /// `role=column` pairs as the case records them.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .roles
            .iter()
            .map(|(r, cols, _)| {
                let c: Vec<String> = cols.iter().map(ToString::to_string).collect();
                format!("{}={}", r.name(), c.join("|"))
            })
            .collect();
        parts.join(",")
    }
}

/// Splits `a=x,b=m['k,1']` at the commas outside quotes.
fn split_spec(spec: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in spec.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&spec[start..]);
    out
}

/// A column's type as ClickHouse names it, with the wrappers that do not
/// change how it is read taken off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    /// The type without `Nullable(…)` / `LowCardinality(…)`.
    pub base: String,
    /// It was `Nullable`.
    pub nullable: bool,
}

impl ColumnType {
    /// Reads a type name from `DESCRIBE TABLE`.
    pub fn parse(t: &str) -> ColumnType {
        let mut s = t.trim();
        let mut nullable = false;
        loop {
            if let Some(inner) = s.strip_prefix("Nullable(").and_then(|r| r.strip_suffix(')')) {
                nullable = true;
                s = inner.trim();
            } else if let Some(inner) = s.strip_prefix("LowCardinality(").and_then(|r| r.strip_suffix(')')) {
                s = inner.trim();
            } else {
                break;
            }
        }
        ColumnType { base: s.to_string(), nullable }
    }

    /// `DateTime` or `DateTime('zone')`.
    pub fn is_datetime(&self) -> bool {
        self.base == "DateTime" || self.base.starts_with("DateTime(")
    }

    /// `DateTime64(p[, 'zone'])`: its precision.
    pub fn datetime64_precision(&self) -> Option<u32> {
        let inner = self.base.strip_prefix("DateTime64(")?.strip_suffix(')')?;
        inner.split(',').next()?.trim().parse().ok()
    }

    /// An integer type.
    pub fn is_integer(&self) -> bool {
        matches!(
            self.base.as_str(),
            "UInt8" | "UInt16" | "UInt32" | "UInt64" | "Int8" | "Int16" | "Int32" | "Int64" | "UInt128" | "Int128"
        )
    }

    /// A floating-point or decimal type.
    pub fn is_fractional(&self) -> bool {
        self.base.starts_with("Float") || self.base.starts_with("Decimal")
    }

    /// A string type.
    pub fn is_string(&self) -> bool {
        self.base == "String" || self.base.starts_with("FixedString(") || self.base.starts_with("Enum")
    }

    /// `Map(K, V)`.
    pub fn is_map(&self) -> bool {
        self.base.starts_with("Map(")
    }
}

/// How a time column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeKind {
    /// `DateTime`: whole seconds.
    DateTime,
    /// `DateTime64(p)`.
    DateTime64(u32),
    /// An integer count since the epoch, in units of 10^-exp seconds (0 s, 3 ms, 6 µs, 9 ns).
    Epoch(u32),
    /// Fractional seconds since the epoch.
    EpochFloat,
}

/// A role resolved against the table: the columns that exist and their types.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The role.
    pub role: Role,
    /// Its sources, best first, each with its value type.
    pub sources: Vec<(ColumnRef, ColumnType)>,
}

/// A mapping checked against a table: what the SQL reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The resolved roles (unmapped optional roles are absent).
    pub roles: Vec<Resolved>,
    /// How the time column counts.
    pub time: TimeKind,
    /// The optional roles left out because their default columns do not exist.
    pub unmapped: Vec<Role>,
}

impl Layout {
    /// The resolution of `role`, if mapped.
    pub fn get(&self, role: Role) -> Option<&Resolved> {
        self.roles.iter().find(|r| r.role == role)
    }

    /// `role=column (type)` pairs, for the case's notes.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for r in &self.roles {
            let cols: Vec<String> = r.sources.iter().map(|(c, t)| format!("{c} ({})", t.base)).collect();
            parts.push(format!("{}={}", r.role.name(), cols.join(" | ")));
        }
        parts.join(", ")
    }
}

/// Checks `mapping` against the columns of the table (`(name, type)` from
/// `DESCRIBE TABLE`). `time` says how an integer time column counts, once
/// [`needs_epoch_probe`] asked. The error names every column that is missing
/// or of the wrong kind, and the columns the table has.
pub fn resolve(mapping: &Mapping, columns: &[(String, String)], epoch_exp: Option<u32>) -> Result<Layout, String> {
    let find = |name: &str| columns.iter().find(|(n, _)| n == name).map(|(_, t)| ColumnType::parse(t));
    let mut problems = Vec::new();
    let mut roles = Vec::new();
    let mut unmapped = Vec::new();
    let mut time = TimeKind::DateTime;
    for (role, refs, origin) in &mapping.roles {
        let mut sources = Vec::new();
        for r in refs {
            let Some(t) = find(r.column()) else {
                if *origin == Origin::Given {
                    problems.push(format!("{}: no column {}", role.name(), r.column()));
                }
                continue;
            };
            let value = match r {
                ColumnRef::Column(_) => t,
                ColumnRef::MapKey(c, _) if t.is_map() => {
                    ColumnType { base: map_value_type(&t.base).unwrap_or_else(|| "String".into()), nullable: false }
                }
                ColumnRef::MapKey(c, _) => {
                    problems.push(format!("{}: {c} is {}, not a Map", role.name(), t.base));
                    continue;
                }
            };
            if let Err(why) = check_kind(*role, &value) {
                if *origin == Origin::Given || role.required() {
                    problems.push(format!("{}: {r} is {}, {why}", role.name(), value.base));
                }
                continue;
            }
            sources.push((r.clone(), value));
        }
        if sources.is_empty() {
            if role.required() && *origin == Origin::Default {
                let names: Vec<String> = refs.iter().map(ToString::to_string).collect();
                problems.push(format!(
                    "{}: no column {} (the otel_logs default; name yours with --columns {}=COLUMN)",
                    role.name(),
                    names.join(" or "),
                    role.name()
                ));
            } else if *origin == Origin::Default {
                unmapped.push(*role);
            }
            continue;
        }
        if *role == Role::Time {
            if let Some((_, t)) = sources.first() {
                time = if t.is_datetime() {
                    TimeKind::DateTime
                } else if let Some(p) = t.datetime64_precision() {
                    TimeKind::DateTime64(p)
                } else if t.is_fractional() {
                    TimeKind::EpochFloat
                } else {
                    TimeKind::Epoch(epoch_exp.unwrap_or(0))
                };
            }
            sources.truncate(1);
        }
        roles.push(Resolved { role: *role, sources });
    }
    if !problems.is_empty() {
        let have: Vec<String> = columns.iter().map(|(n, t)| format!("{n} {t}")).collect();
        return Err(format!("{}; the table has: {}", problems.join("; "), have.join(", ")));
    }
    Ok(Layout { roles, time, unmapped })
}

/// Whether the time column is an integer, whose unit (s, ms, µs, ns) is read
/// from the size of its values.
pub fn needs_epoch_probe(mapping: &Mapping, columns: &[(String, String)]) -> Option<String> {
    let (_, refs, _) = mapping.roles.iter().find(|(r, _, _)| *r == Role::Time)?;
    let ColumnRef::Column(c) = refs.first()? else { return None };
    let (_, t) = columns.iter().find(|(n, _)| n == c)?;
    ColumnType::parse(t).is_integer().then(|| c.clone())
}

/// The unit exponent of an integer epoch whose largest value is `max`: a
/// time after 1973 has 10+ digits in seconds, 13+ in ms, 16+ in µs, 19 in ns.
pub fn epoch_exponent(max: i128) -> u32 {
    match max.unsigned_abs() {
        0..100_000_000_000 => 0,
        100_000_000_000..100_000_000_000_000 => 3,
        100_000_000_000_000..100_000_000_000_000_000 => 6,
        _ => 9,
    }
}

fn map_value_type(map: &str) -> Option<String> {
    let inner = map.strip_prefix("Map(")?.strip_suffix(')')?;
    // The key type may itself hold a comma (LowCardinality(String) has none; Decimal(9, 2) does).
    let mut depth = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => return Some(ColumnType::parse(&inner[i + 1..]).base),
            _ => {}
        }
    }
    None
}

fn check_kind(role: Role, t: &ColumnType) -> Result<(), &'static str> {
    let ok = match role {
        Role::Time => {
            t.is_datetime() || t.datetime64_precision().is_some() || t.is_integer() || t.base.starts_with("Float")
        }
        Role::Message => t.is_string(),
        Role::Level | Role::Status => t.is_string() || t.is_integer(),
        _ => t.is_string() || t.is_integer() || t.base.starts_with("IPv") || t.base == "UUID",
    };
    if ok {
        Ok(())
    } else {
        Err(match role {
            Role::Time => "not a DateTime, DateTime64 or epoch number",
            Role::Message => "not a string",
            Role::Level | Role::Status => "neither a string nor a number",
            _ => "not a string, number or address",
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn cols(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    /// `otel_logs` as the OpenTelemetry Collector's ClickHouse exporter creates it.
    pub(crate) fn otel_columns() -> Vec<(String, String)> {
        cols(&[
            ("Timestamp", "DateTime64(9)"),
            ("TimestampTime", "DateTime"),
            ("TraceId", "String"),
            ("SpanId", "String"),
            ("TraceFlags", "UInt8"),
            ("SeverityText", "LowCardinality(String)"),
            ("SeverityNumber", "UInt8"),
            ("ServiceName", "LowCardinality(String)"),
            ("Body", "String"),
            ("ResourceSchemaUrl", "LowCardinality(String)"),
            ("ResourceAttributes", "Map(LowCardinality(String), String)"),
            ("ScopeSchemaUrl", "LowCardinality(String)"),
            ("ScopeName", "String"),
            ("ScopeVersion", "LowCardinality(String)"),
            ("ScopeAttributes", "Map(LowCardinality(String), String)"),
            ("LogAttributes", "Map(LowCardinality(String), String)"),
        ])
    }

    #[test]
    fn the_otel_logs_layout_resolves_without_columns() {
        let layout = resolve(&Mapping::otel(), &otel_columns(), None).unwrap();
        assert_eq!(layout.time, TimeKind::DateTime64(9));
        assert!(layout.unmapped.is_empty(), "{:?}", layout.unmapped);
        let level = layout.get(Role::Level).unwrap();
        assert_eq!(level.sources.len(), 2, "SeverityText, else SeverityNumber");
        let status = layout.get(Role::Status).unwrap();
        assert_eq!(status.sources[0].0, map_key("LogAttributes", "http.response.status_code"));
        assert_eq!(status.sources[0].1.base, "String");
    }

    #[test]
    fn a_plain_table_is_mapped_with_columns_and_the_missing_otel_defaults_are_left_out() {
        let table = cols(&[
            ("ts", "DateTime"),
            ("time_us", "UInt64"),
            ("service", "LowCardinality(String)"),
            ("level", "String"),
            ("status", "UInt16"),
            ("message", "String"),
        ]);
        let m =
            Mapping::with_columns("time=time_us,message=message,level=level,status=status,service=service").unwrap();
        assert_eq!(needs_epoch_probe(&m, &table).as_deref(), Some("time_us"));
        let layout = resolve(&m, &table, Some(6)).unwrap();
        assert_eq!(layout.time, TimeKind::Epoch(6));
        assert_eq!(layout.unmapped, vec![Role::Host, Role::Client, Role::Method, Role::Path, Role::UserAgent]);
    }

    #[test]
    fn a_missing_column_is_named_with_what_the_table_has() {
        let table = cols(&[("ts", "DateTime"), ("line", "String")]);
        let err = resolve(&Mapping::otel(), &table, None).unwrap_err();
        assert!(err.contains("time: no column Timestamp"), "{err}");
        assert!(err.contains("message: no column Body"), "{err}");
        assert!(err.contains("the table has: ts DateTime, line String"), "{err}");
        let m = Mapping::with_columns("time=ts,message=line,status=code").unwrap();
        let err = resolve(&m, &table, None).unwrap_err();
        assert_eq!(err, "status: no column code; the table has: ts DateTime, line String");
        let m = Mapping::with_columns("time=line,message=line").unwrap();
        let err = resolve(&m, &table, None).unwrap_err();
        assert!(err.starts_with("time: line is String, not a DateTime"), "{err}");
        // A map value asked of a plain column (an 18.16 table has no Map).
        let m = Mapping::with_columns("time=ts,message=line,host=line['host.name']").unwrap();
        let err = resolve(&m, &table, None).unwrap_err();
        assert!(err.starts_with("host: line is String, not a Map"), "{err}");
    }

    #[test]
    fn column_specs_are_read_strictly() {
        let m = Mapping::with_columns("time=ts, status=attrs['http.status_code'],message=msg").unwrap();
        let status = m.roles.iter().find(|(r, _, _)| *r == Role::Status).unwrap();
        assert_eq!(status.1, vec![map_key("attrs", "http.status_code")]);
        assert!(Mapping::with_columns("time").unwrap_err().contains("ROLE=COLUMN"));
        assert!(Mapping::with_columns("when=ts").unwrap_err().contains("the roles are time, message"));
        assert!(Mapping::with_columns("time=a,time=b").unwrap_err().contains("twice"));
        assert!(Mapping::with_columns("time=a`b").is_err(), "a backtick cannot be quoted safely");
        assert!(Mapping::with_columns("host=attrs['a'b']").is_err());
    }

    #[test]
    fn wrapped_types_are_read_through() {
        let t = ColumnType::parse("Nullable(LowCardinality(String))");
        assert!(t.nullable && t.is_string());
        assert_eq!(ColumnType::parse("DateTime64(3, 'UTC')").datetime64_precision(), Some(3));
        assert!(ColumnType::parse("DateTime('Europe/Berlin')").is_datetime());
        assert_eq!(map_value_type("Map(LowCardinality(String), String)").as_deref(), Some("String"));
        assert_eq!(epoch_exponent(1_763_367_224), 0);
        assert_eq!(epoch_exponent(1_763_367_224_123), 3);
        assert_eq!(epoch_exponent(1_763_367_224_123_456), 6);
        assert_eq!(epoch_exponent(1_763_367_224_123_456_789), 9);
    }
}
