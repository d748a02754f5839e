//! A blocking client of ClickHouse's HTTP interface: one POST per query, the
//! answer streamed as `TabSeparated` rows, server errors turned into
//! [`Error`]s that say what the user can do about them.

use crate::target::Target;
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What went wrong talking to the store. Every message names the source
/// (the locator: URL without credentials, and the table).
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {kind}")]
pub struct Error {
    /// The store and table.
    pub source_name: String,
    /// What happened.
    pub kind: ErrorKind,
}

/// The kinds of [`Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No connection (refused, no such host, TLS failure).
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    /// The user or password was refused.
    #[error("the server refused the credentials ({0}); set FAULTLINE_CLICKHOUSE_USER and FAULTLINE_CLICKHOUSE_PASSWORD or put them in the URL")]
    Auth(String),
    /// The table or database does not exist.
    #[error("no such table ({0})")]
    MissingTable(String),
    /// The columns do not fit.
    #[error("the table's columns do not fit: {0}")]
    Columns(String),
    /// The server or the client gave up waiting.
    #[error("the query timed out ({0}); narrow the range with --from/--to or raise --clickhouse-timeout")]
    Timeout(String),
    /// Any other server error.
    #[error("the server answered error {code}: {message}")]
    Server {
        /// ClickHouse's error code.
        code: u32,
        /// Its message.
        message: String,
    },
    /// An answer that is not what the query asks for.
    #[error("unexpected answer: {0}")]
    Answer(String),
    /// Stopped by the caller.
    #[error("cancelled")]
    Cancelled,
}

/// How long to wait.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To connect.
    pub connect: Duration,
    /// For one query: the server's `max_execution_time`, and the read timeout a little longer.
    pub query: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), query: Duration::from_secs(120) }
    }
}

/// A connection to one target.
pub struct Client {
    agent: ureq::Agent,
    target: Target,
    timeouts: Timeouts,
    auth: Option<String>,
    received: Arc<AtomicU64>,
    /// A `readonly=1` user may not change settings: sent once, then left out.
    send_settings: AtomicBool,
    cancel: Option<Arc<AtomicBool>>,
}

/// Counts the bytes of answers.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Client {
    /// A client of `target`.
    pub fn new(target: Target, timeouts: Timeouts) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeouts.connect)
            .timeout_read(timeouts.query + Duration::from_secs(5))
            .build();
        let c = &target.credentials;
        let auth = (!c.user.is_empty() || !c.password.is_empty()).then(|| {
            use base64::Engine as _;
            let user = if c.user.is_empty() { "default" } else { c.user.as_str() };
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", c.password)))
        });
        Client {
            agent,
            target,
            timeouts,
            auth,
            received: Arc::default(),
            send_settings: AtomicBool::new(true),
            cancel: None,
        }
    }

    /// Stops between rows once `flag` is set.
    pub fn with_cancel(mut self, flag: Arc<AtomicBool>) -> Client {
        self.cancel = Some(flag);
        self
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Bytes received so far (answers, decompressed as sent: HTTP compression is not asked for).
    pub fn bytes_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error { source_name: self.target.locator(), kind }
    }

    fn request(&self, with_settings: bool) -> ureq::Request {
        let mut req = self.agent.post(&format!("{}/", self.target.base));
        for (k, v) in &self.target.params {
            req = req.query(k, v);
        }
        if with_settings {
            req = req.query("max_execution_time", &self.timeouts.query.as_secs().max(1).to_string());
        }
        if let Some(auth) = &self.auth {
            req = req.set("Authorization", auth);
        }
        req
    }

    /// Runs `sql`, whose rows have `width` fields, and hands each row's fields
    /// to `row` until it returns false.
    pub fn query(
        &self,
        sql: &str,
        width: usize,
        mut row: impl FnMut(&[String]) -> Result<bool, Error>,
    ) -> Result<(), Error> {
        let with_settings = self.send_settings.load(Ordering::Relaxed);
        let response = match self.request(with_settings).send_string(sql) {
            Ok(r) => r,
            Err(ureq::Error::Status(status, r)) => {
                let body = r.into_string().unwrap_or_default();
                let (code, message) = server_error(&body);
                if code == Some(164) && with_settings {
                    // readonly=1: settings may not be changed; ask again without them.
                    self.send_settings.store(false, Ordering::Relaxed);
                    return self.query(sql, width, row);
                }
                return Err(self.error(classify(status, code, message)));
            }
            Err(ureq::Error::Transport(t)) => return Err(self.error(transport(&t))),
        };
        let reader = Counting { inner: response.into_reader(), count: self.received.clone() };
        let mut reader = BufReader::with_capacity(256 * 1024, reader);
        let mut line = Vec::new();
        let mut fields = Vec::new();
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(|e| self.error(io_error(&e)))?;
            if n == 0 {
                return Ok(());
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            split_tsv(&line, &mut fields);
            if width != 0 && fields.len() != width {
                // An error after the answer began: ClickHouse appends it to the body.
                if let Some(at) = find(&line, b"Code: ") {
                    let (code, message) = server_error(&String::from_utf8_lossy(&line[at..]));
                    return Err(self.error(classify(200, code, message)));
                }
                return Err(self.bad_answer(format!("a row of {} fields where {width} were asked for", fields.len())));
            }
            if self.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
                return Err(self.error(ErrorKind::Cancelled));
            }
            if !row(&fields)? {
                return Ok(());
            }
        }
    }

    /// The rows of `sql`, all of them (for answers known to be small).
    pub fn rows(&self, sql: &str, width: usize) -> Result<Vec<Vec<String>>, Error> {
        let mut out = Vec::new();
        self.query(sql, width, |r| {
            out.push(r.to_vec());
            Ok(true)
        })?;
        Ok(out)
    }

    /// An [`ErrorKind::Answer`] error of this target.
    pub fn bad_answer(&self, what: impl Into<String>) -> Error {
        self.error(ErrorKind::Answer(what.into()))
    }

    /// An error of this target.
    pub fn fail(&self, kind: ErrorKind) -> Error {
        self.error(kind)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., …` → (60, "Table x doesn't exist.").
fn server_error(body: &str) -> (Option<u32>, String) {
    let body = body.trim();
    let code = body.strip_prefix("Code: ").and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
    let message = body
        .find("DB::Exception: ")
        .map(|i| &body[i + "DB::Exception: ".len()..])
        .map(|m| m.split(", e.what()").next().unwrap_or(m))
        .map(|m| m.split(" (version ").next().unwrap_or(m))
        .unwrap_or(body);
    let message: String = message.trim().chars().take(500).collect();
    (code, if message.is_empty() { "no message".into() } else { message })
}

/// The kind of a server's error answer.
pub(crate) fn classify(status: u16, code: Option<u32>, message: String) -> ErrorKind {
    match code {
        // UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, IP_ADDRESS_NOT_ALLOWED, AUTHENTICATION_FAILED
        Some(192 | 193 | 194 | 195 | 516) => ErrorKind::Auth(message),
        // UNKNOWN_TABLE, UNKNOWN_DATABASE
        Some(60 | 81) => ErrorKind::MissingTable(message),
        // TIMEOUT_EXCEEDED, SOCKET_TIMEOUT
        Some(159 | 209) => ErrorKind::Timeout(message),
        Some(code) => ErrorKind::Server { code, message },
        None if status == 401 || status == 403 => ErrorKind::Auth(message),
        None => ErrorKind::Server { code: u32::from(status), message },
    }
}

fn io_error(e: &std::io::Error) -> ErrorKind {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => ErrorKind::Timeout(e.to_string()),
        _ => ErrorKind::Unreachable(format!("the answer broke off: {e}")),
    }
}

fn transport(t: &ureq::Transport) -> ErrorKind {
    use std::error::Error as _;
    let mut text = t.to_string();
    let mut cause = t.source();
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) {
                return ErrorKind::Timeout(io.to_string());
            }
        }
        cause = c.source();
    }
    // ureq names the URL it failed on: keep the message free of it (it holds no
    // credentials, but the locator already says where).
    if let Some(i) = text.find(": http") {
        text.truncate(i);
    }
    ErrorKind::Unreachable(text)
}

/// Splits a `TabSeparated` line into unescaped fields (`\N`, a NULL, is empty).
pub(crate) fn split_tsv(line: &[u8], out: &mut Vec<String>) {
    out.clear();
    for raw in line.split(|&b| b == b'\t') {
        if raw == b"\\N" {
            out.push(String::new());
            continue;
        }
        if !raw.contains(&b'\\') {
            out.push(String::from_utf8_lossy(raw).into_owned());
            continue;
        }
        let mut bytes = Vec::with_capacity(raw.len());
        let mut it = raw.iter();
        while let Some(&b) = it.next() {
            if b != b'\\' {
                bytes.push(b);
                continue;
            }
            match it.next() {
                Some(b'n') => bytes.push(b'\n'),
                Some(b't') => bytes.push(b'\t'),
                Some(b'r') => bytes.push(b'\r'),
                Some(b'0') => bytes.push(0),
                Some(b'b') => bytes.push(8),
                Some(b'f') => bytes.push(12),
                Some(b'a') => bytes.push(7),
                Some(b'v') => bytes.push(11),
                Some(&other) => bytes.push(other),
                None => bytes.push(b'\\'),
            }
        }
        out.push(String::from_utf8_lossy(&bytes).into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_separated_fields_are_unescaped() {
        let mut f = Vec::new();
        split_tsv(b"1763367224\tTraceback:\\n  File \\\"x\\\"\\tA\\\\B\t\\N", &mut f);
        assert_eq!(f, vec!["1763367224", "Traceback:\n  File \"x\"\tA\\B", ""]);
        split_tsv(b"", &mut f);
        assert_eq!(f, vec![""]);
    }

    #[test]
    fn server_errors_are_sorted_into_what_the_user_can_do() {
        let (code, msg) = server_error(
            "Code: 60, e.displayText() = DB::Exception: Table default.nosuch doesn't exist., e.what() = DB::Exception\n",
        );
        assert_eq!((code, msg.as_str()), (Some(60), "Table default.nosuch doesn't exist."));
        assert!(matches!(classify(404, code, msg), ErrorKind::MissingTable(_)));
        let (code, msg) = server_error(
            "Code: 516. DB::Exception: default: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version 24.8.4.13 (official build))",
        );
        assert_eq!(code, Some(516));
        assert!(msg.starts_with("default: Authentication failed"), "{msg}");
        assert!(matches!(classify(401, code, msg), ErrorKind::Auth(_)));
        let (code, msg) = server_error(
            "Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 3.000000091 seconds, maximum: 1, e.what() = DB::Exception",
        );
        assert!(matches!(classify(500, code, msg), ErrorKind::Timeout(_)));
        assert!(matches!(classify(401, None, "x".into()), ErrorKind::Auth(_)));
        let e = Error {
            source_name: "clickhouse://h:8123/logs.app".into(),
            kind: classify(500, Some(62), "Syntax error".into()),
        };
        assert_eq!(e.to_string(), "clickhouse://h:8123/logs.app: the server answered error 62: Syntax error");
    }
}
