//! What a detected log format is: its kind and what detection learned of its
//! layout, by name and back, and the hand-written formats' sample lines.

use crate::{detect, formats, ts};
use std::sync::Arc;

/// Faultline's hand-written formats (read before any definition), each with a
/// line it reads: what `faultline formats` lists as `faultline`'s own.
pub const NATIVE_FORMATS: &[(&str, &str)] = &[
    (
        "nginx-combined",
        r#"203.0.113.7 - - [24/Nov/2026:11:27:03 +0300] "POST /login HTTP/1.1" 500 512 "-" "Mozilla/5.0""#,
    ),
    ("access-common", r#"203.0.113.7 - - [24/Nov/2026:11:27:03 +0300] "GET /index.html HTTP/1.0" 200 2326"#),
    ("nginx-error", "2026/11/24 08:27:03 [error] 1234#0: *5 connect() failed (111: Connection refused)"),
    (
        "apache-error",
        "[Tue Nov 24 08:27:03.123456 2026] [proxy:error] [pid 123] AH01114: HTTP: failed to make connection",
    ),
    ("syslog-rfc3164", "Nov 24 08:27:03 web-1 nginx[123]: upstream timed out"),
    ("syslog-rfc5424", "<165>1 2026-11-24T08:27:03.003Z host app 4242 ID47 - db timeout"),
    ("json-lines", r#"{"@timestamp":"2026-11-24T08:27:03.250Z","level":"error","message":"db timeout"}"#),
    ("journald-json", r#"{"__REALTIME_TIMESTAMP":"1795508823123456","PRIORITY":"3","MESSAGE":"worker crashed"}"#),
    ("logfmt", r#"time=2026-11-24T08:27:03Z level=error msg="db timeout""#),
    ("cri", "2026-11-24T08:27:03.123456789Z stderr F panic: runtime error"),
    ("gunicorn", "[2026-11-24 08:27:03 +0000] [1234] [ERROR] Exception in worker process"),
    ("app-log", "2026-11-24 08:27:03,125 ERROR [app.views] Unhandled exception"),
    ("w3c", "2026-11-24 08:27:03 10.0.0.5 GET /api/cart - 443 - 203.0.113.7 curl/8.5.0 - 500 0 0 31"),
    ("generic", "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 RAS KERNEL INFO parity error"),
];

/// What a file's lines look like, as [`detect`](fn@crate::detect) learned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    NginxCombined,
    AccessCommon,
    NginxError,
    ApacheError,
    Syslog3164,
    Syslog5424,
    JsonLines,
    Journald,
    Logfmt,
    Cri,
    Gunicorn,
    AppLog,
    Generic,
    /// W3C extended (IIS, CloudFront): columns named by `#Fields:`.
    W3c,
    /// A format definition ([`formats`]): lnav's, or the analyst's.
    Definition,
}

/// A detected log format, with what detection learned about its layout
/// (for `app-log` / `generic`: the timestamp layout, the column it sits in,
/// and where a level sits; for syslog: the tokens of a prefix before it;
/// for a format definition: the definition).
#[derive(Clone, Debug, PartialEq)]
pub struct LogFormat {
    pub(crate) kind: Kind,
    pub(crate) layout: ts::Layout,
    /// Whitespace-separated tokens before the timestamp.
    pub(crate) column: u8,
    /// Token (after the timestamp) that holds a one-letter level (`D`, `E`), when learned.
    pub(crate) letter_level: Option<u8>,
    /// Tokens after the timestamp searched for a level word.
    pub(crate) level_tokens: u8,
    /// The definition, for [`Kind::Definition`].
    pub(crate) def: Option<Arc<formats::Definition>>,
}

impl LogFormat {
    pub(crate) fn of(kind: Kind) -> Self {
        LogFormat {
            kind,
            layout: ts::Layout::Iso,
            column: 0,
            letter_level: None,
            level_tokens: detect::LEVEL_TOKENS,
            def: None,
        }
    }

    /// The format a definition reads.
    pub fn definition(def: Arc<formats::Definition>) -> Self {
        LogFormat { def: Some(def), ..LogFormat::of(Kind::Definition) }
    }

    /// The definition that reads this format, when it is one.
    pub fn definition_ref(&self) -> Option<&formats::Definition> {
        self.def.as_deref()
    }

    /// The stable format name shown to users and stored in the case.
    pub fn name(&self) -> &str {
        match self.kind {
            Kind::NginxCombined => "nginx-combined",
            Kind::AccessCommon => "access-common",
            Kind::NginxError => "nginx-error",
            Kind::ApacheError => "apache-error",
            Kind::Syslog3164 => "syslog-rfc3164",
            Kind::Syslog5424 => "syslog-rfc5424",
            Kind::JsonLines => "json-lines",
            Kind::Journald => "journald-json",
            Kind::Logfmt => "logfmt",
            Kind::Cri => "cri",
            Kind::Gunicorn => "gunicorn",
            Kind::AppLog => "app-log",
            Kind::Generic => "generic",
            Kind::W3c => "w3c",
            Kind::Definition => self.def.as_ref().map_or("definition", |d| d.name()),
        }
    }

    /// Every line is a record on its own and no parser state crosses lines,
    /// so the stream may be cut at any line boundary and the pieces parsed in
    /// parallel ([`parse_parallel`](crate::parse_parallel)).
    pub fn splittable(&self) -> bool {
        match self.kind {
            Kind::NginxCombined | Kind::AccessCommon => true,
            // A definition whose records are one line each (JSON, or `multiline: false`).
            Kind::Definition => self.def.as_ref().is_some_and(|d| d.is_json() || !d.multiline),
            _ => false,
        }
    }

    /// Its timestamps carry no year (RFC 3164 syslog, logcat), so years are
    /// inferred from the file's modification time.
    pub fn infers_year(&self) -> bool {
        match self.kind {
            Kind::Syslog3164 => true,
            Kind::Definition => self.def.as_ref().is_some_and(|d| d.infers_year()),
            Kind::AppLog | Kind::Generic => matches!(self.layout, ts::Layout::Syslog | ts::Layout::MonthDay),
            _ => false,
        }
    }

    /// Looks a format up by its [`LogFormat::name`] (for a user who forces a format):
    /// a hand-written format, or a definition of [`formats::registry`].
    /// `app-log` and `generic` get the ISO layout at the start of the line.
    pub fn from_name(name: &str) -> Option<LogFormat> {
        let kind = match name {
            "nginx-combined" => Kind::NginxCombined,
            "access-common" => Kind::AccessCommon,
            "nginx-error" => Kind::NginxError,
            "apache-error" => Kind::ApacheError,
            "syslog-rfc3164" => Kind::Syslog3164,
            "syslog-rfc5424" => Kind::Syslog5424,
            "json-lines" => Kind::JsonLines,
            "journald-json" => Kind::Journald,
            "logfmt" => Kind::Logfmt,
            "cri" => Kind::Cri,
            "gunicorn" => Kind::Gunicorn,
            "app-log" => Kind::AppLog,
            "generic" => Kind::Generic,
            "w3c" => Kind::W3c,
            _ => return formats::registry().get(name).map(|d| LogFormat::definition(d.clone())),
        };
        Some(LogFormat::of(kind))
    }
}
