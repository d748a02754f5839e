//! What the UI sends, as typed enums with generated TypeScript unions: a
//! misspelt kind or action is a deserialization error at the IPC boundary,
//! not a string that falls through a `match` at run time.

use crate::error::{ErrorCode, IpcError};
use faultline_engine::clickhouse::Credentials;
use faultline_engine::{Format, Instant, StoreInput, TemplateChoice, Zone};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A time zone as the UI holds it (`ui/src/lib/time.ts` uses this union).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ZoneSpec {
    Utc,
    /// The machine's zone.
    Local,
    /// A fixed offset east of UTC, in minutes.
    Fixed {
        minutes: i32,
    },
    /// An IANA zone (`Europe/Berlin`).
    Iana {
        name: String,
    },
}

impl ZoneSpec {
    /// The engine's zone; an offset beyond ±18 h or an unknown IANA name is refused.
    pub fn zone(&self) -> Result<Zone, IpcError> {
        let bad = |what: String| IpcError::new(ErrorCode::BadZone, what);
        match self {
            ZoneSpec::Utc => Ok(Zone::Utc),
            ZoneSpec::Local => Ok(Zone::local()),
            ZoneSpec::Fixed { minutes } => {
                if minutes.unsigned_abs() > 18 * 60 {
                    return Err(bad(format!("offset of {minutes} minutes is not a zone (at most ±18 hours)")));
                }
                match chrono::FixedOffset::east_opt(minutes * 60) {
                    Some(off) if *minutes != 0 => Ok(Zone::Fixed(off)),
                    Some(_) => Ok(Zone::Utc),
                    None => Err(bad(format!("offset of {minutes} minutes is not a zone"))),
                }
            }
            ZoneSpec::Iana { name } => match Zone::parse(name) {
                Ok(z @ Zone::Named(_)) => Ok(z),
                _ => Err(bad(format!("unknown time zone {name:?}: use an IANA name such as Europe/Berlin"))),
            },
        }
    }

    /// The UI's form of an engine zone (for the sample's display zone).
    pub fn of(zone: &Zone) -> ZoneSpec {
        match zone {
            Zone::Utc => ZoneSpec::Utc,
            Zone::Fixed(off) => ZoneSpec::Fixed { minutes: off.local_minus_utc() / 60 },
            Zone::Named(tz) => ZoneSpec::Iana { name: tz.name().to_string() },
        }
    }
}

/// What to do to a timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
#[ts(export)]
pub enum TimelineAction {
    Pin,
    Unpin,
    Hide,
    Show,
    /// A new name; empty restores the analysis's own text.
    Rename {
        text: String,
    },
}

/// Why a save dialog is shown: decides its title and, for a case, the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SavePurpose {
    Report,
    Chart,
    Case,
}

/// The postmortem formats the export dialog offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
    Csv,
}

impl ReportFormat {
    pub fn format(self) -> Format {
        match self {
            ReportFormat::Markdown => Format::Markdown,
            ReportFormat::Html => Format::Html,
            ReportFormat::Json => Format::Json,
            ReportFormat::Csv => Format::Csv,
        }
    }
}

/// The chart's export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChartFormat {
    Svg,
    Png,
}

/// A built-in postmortem layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum BuiltinTemplate {
    #[serde(rename = "seed")]
    Seed,
    #[serde(rename = "google-sre")]
    GoogleSre,
    #[serde(rename = "atlassian")]
    Atlassian,
    #[serde(rename = "pagerduty")]
    PagerDuty,
}

/// The layout of a postmortem: a built-in, or a template file the analyst
/// picked in this session's template dialog (any other path is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum TemplateRequest {
    Builtin { name: BuiltinTemplate },
    File { path: String },
}

impl BuiltinTemplate {
    pub fn choice(self) -> TemplateChoice {
        match self {
            BuiltinTemplate::Seed => TemplateChoice::Seed,
            BuiltinTemplate::GoogleSre => TemplateChoice::GoogleSre,
            BuiltinTemplate::Atlassian => TemplateChoice::Atlassian,
            BuiltinTemplate::PagerDuty => TemplateChoice::PagerDuty,
        }
    }
}

/// How to export the postmortem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    pub format: ReportFormat,
    pub template: TemplateRequest,
    pub display_tz: ZoneSpec,
    /// Mask personal data and secrets ("Redact before export").
    pub redact: bool,
    /// The file chosen in the save dialog.
    pub path: String,
}

/// "Add source → ClickHouse": a table of a log store, queried over its HTTP
/// interface. The credentials are used for this session's queries only:
/// never written to the case, a report or an error.
#[derive(Clone, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct StoreSourceRequest {
    /// The HTTP interface: `http://host:8123/?database=logs`.
    pub url: String,
    /// `table` or `database.table`.
    pub table: String,
    /// `role=column,…` (`time=ts,message=msg`); empty: the `otel_logs` layout.
    pub columns: String,
    /// Empty: `default`, or the user in the URL.
    pub user: String,
    pub password: String,
    /// The range queried; `null`: the look-back before the newest row, up to it.
    pub from: Option<Instant>,
    pub to: Option<Instant>,
}

impl std::fmt::Debug for StoreSourceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "StoreSourceRequest {{ url: {:?}, table: {:?}, columns: {:?}, user: {:?}, password: <{} chars> }}",
            self.url,
            self.table,
            self.columns,
            self.user,
            self.password.chars().count()
        )
    }
}

/// Longer than any URL, table or column list a person types.
const MAX_STORE_FIELD: usize = 4096;

impl StoreSourceRequest {
    /// The engine's input; a field too long to be typed, or a range that
    /// ends before it starts, is refused.
    pub fn input(&self) -> Result<StoreInput, IpcError> {
        for (name, value) in [
            ("url", &self.url),
            ("table", &self.table),
            ("columns", &self.columns),
            ("user", &self.user),
            ("password", &self.password),
        ] {
            if value.len() > MAX_STORE_FIELD {
                return Err(IpcError::bad_request(format!(
                    "the {name} is {} bytes long (at most {MAX_STORE_FIELD})",
                    value.len()
                )));
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to < from {
                return Err(IpcError::bad_request("the range ends before it starts"));
            }
        }
        let columns = Some(self.columns.trim()).filter(|c| !c.is_empty());
        let credentials = Credentials { user: self.user.trim().to_string(), password: self.password.clone() };
        StoreInput::clickhouse_as(self.url.trim(), &self.table, columns, credentials)
            .map_err(|e| IpcError::bad_request(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_the_shapes_the_ui_sends() {
        let z: ZoneSpec = serde_json::from_str(r#"{"kind":"fixed","minutes":180}"#).unwrap();
        assert_eq!(z.zone().unwrap().to_string(), "+03:00");
        let z: ZoneSpec = serde_json::from_str(r#"{"kind":"iana","name":"Europe/Berlin"}"#).unwrap();
        assert_eq!(z.zone().unwrap().to_string(), "Europe/Berlin");
        assert_eq!(ZoneSpec::of(&Zone::parse("+03:00").unwrap()), ZoneSpec::Fixed { minutes: 180 });
        let a: TimelineAction = serde_json::from_str(r#"{"action":"rename","text":"x"}"#).unwrap();
        assert_eq!(a, TimelineAction::Rename { text: "x".into() });
        let t: TemplateRequest = serde_json::from_str(r#"{"kind":"builtin","name":"google-sre"}"#).unwrap();
        assert_eq!(t, TemplateRequest::Builtin { name: BuiltinTemplate::GoogleSre });
    }

    #[test]
    fn unknown_words_and_absurd_zones_are_refused() {
        assert!(serde_json::from_str::<TimelineAction>(r#"{"action":"explode"}"#).is_err());
        assert!(serde_json::from_str::<SavePurpose>(r#""passwd""#).is_err());
        assert!(serde_json::from_str::<TemplateRequest>(r#""/etc/passwd""#).is_err());
        assert_eq!(ZoneSpec::Fixed { minutes: i32::MAX }.zone().unwrap_err().code, ErrorCode::BadZone);
        assert_eq!(ZoneSpec::Fixed { minutes: i32::MIN }.zone().unwrap_err().code, ErrorCode::BadZone);
        assert!(ZoneSpec::Iana { name: "+03:00".into() }.zone().is_err());
        assert!(ZoneSpec::Iana { name: "Mars/Olympus".into() }.zone().is_err());
    }

    fn store(url: &str, table: &str) -> StoreSourceRequest {
        StoreSourceRequest {
            url: url.into(),
            table: table.into(),
            columns: String::new(),
            user: "reader".into(),
            password: "hunter2".into(),
            from: None,
            to: None,
        }
    }

    #[test]
    fn a_store_request_names_its_table_and_never_shows_the_password() {
        let input = store("http://ch.internal:8123/?database=logs", "otel_logs").input().unwrap();
        assert_eq!(input.locator(), "clickhouse://ch.internal:8123/logs.otel_logs");
        assert_eq!(input.target.credentials.user, "reader");
        assert!(!format!("{:?}", store("http://h/", "t")).contains("hunter2"));
        for bad in
            [store("file:///etc/passwd", "t"), store("http://h/", "a.b.c"), store("http://h/", &"t".repeat(5000))]
        {
            let e = bad.input().unwrap_err();
            assert_eq!(e.code, ErrorCode::BadRequest, "{e:?}");
            assert!(!e.message.contains("hunter2"));
        }
        let mut backwards = store("http://h/", "t");
        backwards.from = Some(Instant::from_timestamp(1_800_000_000, 0).unwrap());
        backwards.to = Some(Instant::from_timestamp(1_700_000_000, 0).unwrap());
        assert!(backwards.input().is_err());
    }
}
