//! Where the store is: the HTTP interface's URL without its credentials,
//! the table, and the credentials kept apart so nothing that is written down
//! (the case, a report, an error message) can carry them.

use crate::mapping::Mapping;
use std::fmt;

/// The environment variables credentials are taken from when the URL has none.
pub const USER_ENV: &str = "FAULTLINE_CLICKHOUSE_USER";
/// See [`USER_ENV`].
pub const PASSWORD_ENV: &str = "FAULTLINE_CLICKHOUSE_PASSWORD";

/// A user and password. `Debug` and `Display` never show the password.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// The user (`default` when empty).
    pub user: String,
    /// The password.
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credentials {{ user: {:?}, password: <{} chars> }}", self.user, self.password.chars().count())
    }
}

impl Credentials {
    /// From `FAULTLINE_CLICKHOUSE_USER` / `_PASSWORD`, through `env` (the process environment in use).
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Credentials {
        Credentials { user: env(USER_ENV).unwrap_or_default(), password: env(PASSWORD_ENV).unwrap_or_default() }
    }
}

/// A table in a ClickHouse server, reached over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `http(s)://host:port/path`, no credentials, no query string.
    pub base: String,
    /// The URL's query parameters other than credentials (`database`, settings), in order.
    pub params: Vec<(String, String)>,
    /// The table as given (`table` or `db.table`).
    pub table: String,
    /// Who to be.
    pub credentials: Credentials,
    /// The columns.
    pub mapping: Mapping,
}

impl Target {
    /// Reads `--clickhouse URL --table TABLE [--columns SPEC]`. Credentials
    /// come from the URL (`user:password@host`, or `user`/`password`
    /// parameters) and otherwise from `env_credentials`.
    pub fn parse(
        url: &str,
        table: &str,
        columns: Option<&str>,
        env_credentials: Credentials,
    ) -> Result<Target, String> {
        let parsed = url::Url::parse(url).map_err(|e| {
            format!("--clickhouse: {e} (give the HTTP interface, e.g. http://host:8123/?database=logs)")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "--clickhouse: {} is not an HTTP URL (the HTTP interface, port 8123 or 8443)",
                parsed.scheme()
            ));
        }
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or("--clickhouse: the URL names no host")?;
        let port = parsed.port_or_known_default().unwrap_or(8123);
        let path = parsed.path().trim_end_matches('/');
        let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_string() };
        let base = format!("{}://{host}:{port}{path}", parsed.scheme());
        let mut credentials = Credentials::default();
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        if !parsed.username().is_empty() {
            credentials.user = decode(parsed.username());
        }
        if let Some(p) = parsed.password() {
            credentials.password = decode(p);
        }
        let mut params = Vec::new();
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "user" => credentials.user = v.into_owned(),
                "password" => credentials.password = v.into_owned(),
                "query" => return Err("--clickhouse: the URL must not carry a query= parameter".into()),
                _ => params.push((k.into_owned(), v.into_owned())),
            }
        }
        if credentials.user.is_empty() && credentials.password.is_empty() {
            credentials = env_credentials;
        }
        let table = table.trim();
        if table.is_empty() || table.split('.').count() > 2 || table.split('.').any(|p| p.is_empty() || p.contains('`'))
        {
            return Err(format!("--table: {table:?} is not a table name (write table or database.table)"));
        }
        let mapping = match columns {
            Some(spec) => Mapping::with_columns(spec).map_err(|e| format!("--columns: {e}"))?,
            None => Mapping::otel(),
        };
        Ok(Target { base, params, table: table.to_string(), credentials, mapping })
    }

    /// The database the table is in, when it says or the URL does.
    pub fn database(&self) -> Option<&str> {
        match self.table.split_once('.') {
            Some((db, _)) => Some(db),
            None => self.params.iter().find(|(k, _)| k == "database").map(|(_, v)| v.as_str()),
        }
    }

    /// The table qualified with its database when known (`logs.app`).
    pub fn qualified_table(&self) -> String {
        match (self.table.contains('.'), self.database()) {
            (false, Some(db)) => format!("{db}.{}", self.table),
            _ => self.table.clone(),
        }
    }

    /// What names the table in the case and in citations: the URL without
    /// credentials or settings, and the table (`clickhouse://host:8123/logs.app`
    /// for `http://…`; `clickhouses://` for HTTPS).
    pub fn locator(&self) -> String {
        let rest = self.base.split_once("://").map_or(self.base.as_str(), |(_, r)| r);
        let scheme = if self.base.starts_with("https://") { "clickhouses" } else { "clickhouse" };
        format!("{scheme}://{rest}/{}", self.qualified_table())
    }

    /// The locator of one service's rows: a source of the case.
    pub fn service_locator(&self, service: &str) -> String {
        if service.is_empty() {
            return self.locator();
        }
        let safe: String =
            service.chars().map(|c| if c == '/' || c == '?' || c == '#' || c.is_control() { '_' } else { c }).collect();
        format!("{}/{safe}", self.locator())
    }
}

/// Whether a path of the case names a log-store source (see [`Target::locator`]).
pub fn is_locator(path: &str) -> bool {
    path.starts_with("clickhouse://") || path.starts_with("clickhouses://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Credentials {
        Credentials::default()
    }

    #[test]
    fn credentials_leave_the_url_and_never_reach_the_locator() {
        let t =
            Target::parse("http://reader:s3cr%40t@ch.internal:8123/?database=logs&max_threads=4", "app", None, none())
                .unwrap();
        assert_eq!(t.credentials.user, "reader");
        assert_eq!(t.credentials.password, "s3cr@t");
        assert_eq!(t.base, "http://ch.internal:8123");
        assert_eq!(t.params, vec![("database".into(), "logs".into()), ("max_threads".into(), "4".into())]);
        assert_eq!(t.locator(), "clickhouse://ch.internal:8123/logs.app");
        assert_eq!(t.service_locator("archive/portal"), "clickhouse://ch.internal:8123/logs.app/archive_portal");
        assert!(!format!("{t:?}").contains("s3cr"), "Debug hides the password");

        let t = Target::parse("https://ch.example.com/?user=u&password=p", "logs.otel_logs", None, none()).unwrap();
        assert_eq!((t.credentials.user.as_str(), t.credentials.password.as_str()), ("u", "p"));
        assert!(t.params.is_empty());
        assert_eq!(t.locator(), "clickhouses://ch.example.com:443/logs.otel_logs");
    }

    #[test]
    fn the_environment_gives_credentials_the_url_does_not() {
        let env = Credentials::from_env(|k| match k {
            USER_ENV => Some("analyst".into()),
            PASSWORD_ENV => Some("pw".into()),
            _ => None,
        });
        let t = Target::parse("http://127.0.0.1:8123", "t", None, env.clone()).unwrap();
        assert_eq!(t.credentials, env);
        let t = Target::parse("http://me@127.0.0.1:8123", "t", None, env).unwrap();
        assert_eq!(t.credentials.user, "me", "the URL's own user wins");
    }

    #[test]
    fn bad_arguments_say_which_flag() {
        assert!(Target::parse("ch.internal:8123", "t", None, none()).unwrap_err().starts_with("--clickhouse"));
        assert!(Target::parse("tcp://h:9000", "t", None, none()).unwrap_err().contains("not an HTTP URL"));
        assert!(Target::parse("http://h:8123", "a.b.c", None, none()).unwrap_err().starts_with("--table"));
        assert!(Target::parse("http://h:8123", "t", Some("when=x"), none()).unwrap_err().starts_with("--columns"));
        assert!(Target::parse("http://h:8123/?query=DROP", "t", None, none()).is_err());
    }
}
