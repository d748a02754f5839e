//! JSON lines (structured app logs, Docker json-file) and `journalctl -o json`.

use crate::access::status_level;
use crate::input::LineInfo;
use crate::{LineParser, LogError, Out, NO_TIMESTAMP};
use faultline_model::time::{from_epoch, from_epoch_int, parse_instant, Zone};
use faultline_model::{flags, HttpRequest, Instant, Level, LogRecord, Span};
use serde_json::{Map, Value};

/// A key, flat (`"log.level": …`) or nested (`"log": {"level": …}`).
pub(crate) fn get<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if let Some(v) = obj.get(key) {
        return Some(v);
    }
    let (head, rest) = key.split_once('.')?;
    match obj.get(head)? {
        Value::Object(inner) => get(inner, rest),
        _ => None,
    }
}

fn first<'v>(obj: &'v Map<String, Value>, keys: &[&str]) -> Option<&'v Value> {
    keys.iter().find_map(|k| get(obj, k)).filter(|v| !v.is_null())
}

/// The first of `keys` that holds text (a header list like Caddy's `"User-Agent": ["curl/8"]` gives its first).
fn first_str<'v>(obj: &'v Map<String, Value>, keys: &[&str]) -> Option<&'v str> {
    let text = |v: &'v Value| match v {
        Value::Array(items) => items.first().and_then(Value::as_str),
        other => other.as_str(),
    };
    keys.iter().find_map(|k| get(obj, k).and_then(text)).filter(|s| !s.is_empty())
}

/// A count written as a number or as text (GCP's `"responseSize": "512"`).
fn count_value(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Seconds as a number or as GCP's duration text (`"0.120s"`), in milliseconds.
fn latency_ms(v: &Value) -> Option<f64> {
    let secs = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().strip_suffix('s')?.parse().ok()?,
        _ => return None,
    };
    (secs.is_finite() && secs >= 0.0).then_some(secs * 1000.0)
}

pub(crate) const TIME_KEYS: &[&str] =
    &["@timestamp", "timestamp", "time", "ts", "date", "datetime", "@t", "t", "eventTime", "asctime"];
const LEVEL_KEYS: &[&str] = &["level", "severity", "lvl", "log.level", "loglevel", "levelname", "@l", "level_name"];
const MESSAGE_KEYS: &[&str] = &["message", "msg", "@m", "@mt", "log", "event"];
/// Flat and nested: Caddy's `status` beside `request.method`, GCP's `httpRequest.status`.
const STATUS_KEYS: &[&str] = &[
    "status",
    "status_code",
    "http.status_code",
    "http.response.status_code",
    "response.status",
    "statusCode",
    "httpRequest.status",
];
const HOST_KEYS: &[&str] = &["host", "hostname", "host.name", "host.hostname"];
const SERVICE_KEYS: &[&str] = &["service", "service.name", "app", "application", "logger", "logger_name", "component"];

/// A time value: ISO text, epoch text, or an epoch number of any unit.
pub(crate) fn time_value(v: &Value, zone: &Zone) -> Option<(Instant, u8)> {
    match v {
        Value::String(s) => parse_instant(s, zone),
        Value::Number(n) => match n.as_i64() {
            Some(i) => from_epoch_int(i).map(|t| (t, 0)),
            None => from_epoch(n.as_f64()?).map(|t| (t, 0)),
        },
        _ => None,
    }
}

/// A level value: a word, a syslog priority (0–7) or a bunyan/pino number (10–60).
pub(crate) fn level_value(v: &Value) -> Option<Level> {
    let n = match v {
        Value::String(s) => match s.trim().parse::<u64>() {
            Ok(n) => n,
            Err(_) => return Level::parse(s),
        },
        Value::Number(n) => n.as_u64()?,
        _ => return None,
    };
    Some(match n {
        0..=7 => Level::from_syslog_priority(n as u8),
        10 => Level::Trace,
        20 => Level::Debug,
        30 => Level::Info,
        40 => Level::Warn,
        50 => Level::Error,
        60 => Level::Critical,
        _ => return None,
    })
}

fn status_value(v: &Value) -> Option<u16> {
    let n = match v {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (100..=599).contains(&n).then_some(n as u16)
}

/// journald writes non-UTF-8 messages as arrays of bytes.
fn bytes_value(v: &Value, into: &mut String) -> bool {
    let Value::Array(items) = v else { return false };
    let bytes: Vec<u8> = items.iter().filter_map(|b| b.as_u64().map(|b| b as u8)).collect();
    into.clear();
    into.push_str(&String::from_utf8_lossy(&bytes));
    true
}

pub(crate) struct JsonParser {
    zone: Zone,
    message: String,
}

impl JsonParser {
    pub(crate) fn new(zone: Zone) -> Self {
        JsonParser { zone, message: String::new() }
    }
}

impl LineParser for JsonParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(true);
        }
        let obj = match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(o)) if !info.cut => o,
            _ => return out.unparsed(info, bytes, "invalid JSON"),
        };
        let journald = obj.contains_key("__REALTIME_TIMESTAMP");
        let time = if journald {
            get(&obj, "__REALTIME_TIMESTAMP")
                .and_then(|v| match v {
                    Value::String(s) => s.parse::<i64>().ok(),
                    Value::Number(n) => n.as_i64(),
                    _ => None,
                })
                .and_then(chrono::DateTime::from_timestamp_micros)
                .map(|t| (t, 0))
        } else {
            first(&obj, TIME_KEYS).and_then(|v| time_value(v, &self.zone))
        };
        let Some((time, tflags)) = time else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let (level, host, service, message);
        let mut http = None;
        if journald {
            level = get(&obj, "PRIORITY").and_then(level_value);
            host = first_str(&obj, &["_HOSTNAME"]);
            service = first_str(&obj, &["_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "_COMM"]);
            message = match get(&obj, "MESSAGE") {
                Some(Value::String(s)) => s.as_str(),
                Some(v) if bytes_value(v, &mut self.message) => self.message.as_str(),
                _ => text,
            };
        } else {
            let status = first(&obj, STATUS_KEYS).and_then(status_value);
            if let Some(status) = status {
                http = Some(HttpRequest {
                    client: first_str(
                        &obj,
                        &[
                            "remote_addr",
                            "client_ip",
                            "clientip",
                            "client.ip",
                            "remote_ip",
                            "ip",
                            "request.client_ip",
                            "request.remote_ip",
                            "httpRequest.remoteIp",
                        ],
                    ),
                    user: first_str(&obj, &["remote_user", "user"]),
                    method: first_str(
                        &obj,
                        &[
                            "method",
                            "http.method",
                            "http.request.method",
                            "request_method",
                            "request.method",
                            "httpRequest.requestMethod",
                        ],
                    ),
                    path: first_str(
                        &obj,
                        &[
                            "path",
                            "url",
                            "uri",
                            "url.path",
                            "request_uri",
                            "http.url",
                            "request.uri",
                            "httpRequest.requestUrl",
                        ],
                    ),
                    status,
                    bytes: first(&obj, &["bytes", "body_bytes_sent", "size", "bytes_sent", "httpRequest.responseSize"])
                        .and_then(count_value),
                    referer: first_str(&obj, &["referer", "http_referer", "referrer", "httpRequest.referer"]),
                    user_agent: first_str(
                        &obj,
                        &[
                            "user_agent",
                            "http_user_agent",
                            "user_agent.original",
                            "ua",
                            "request.headers.User-Agent",
                            "httpRequest.userAgent",
                        ],
                    ),
                    duration_ms: first(&obj, &["duration_ms", "latency_ms", "elapsed_ms"])
                        .and_then(Value::as_f64)
                        .or_else(|| get(&obj, "httpRequest.latency").and_then(latency_ms)),
                });
            }
            level = first(&obj, LEVEL_KEYS).and_then(level_value).or(status.map(status_level));
            host = first_str(&obj, HOST_KEYS);
            service = first_str(&obj, SERVICE_KEYS);
            message = first_str(&obj, MESSAGE_KEYS).unwrap_or(text);
        }
        let mut rec = LogRecord {
            time,
            span: Span { line: info.no, offset: info.offset, len: info.end - info.offset, lines: 1 },
            level,
            http,
            host,
            service,
            message,
            text,
            flags: tflags | if info.cut { flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;
    use faultline_model::Level;

    #[test]
    fn json_lines_with_usual_keys_and_epoch_units() {
        let data = concat!(
            r#"{"@timestamp":"2026-11-24T08:27:03.250Z","level":"error","message":"db timeout","service":"api","host":"web-1"}"#,
            "\n",
            r#"{"ts":1795508823,"lvl":"warn","msg":"slow"}"#,
            "\n",
            r#"{"time":"1795508823123","severity":"INFO","msg":"millis as text"}"#,
            "\n",
            r#"{"timestamp":1795508823000000,"log":{"level":"debug"},"msg":"micros, nested level"}"#,
            "\n",
            r#"{"date":1795508823000000000,"level":50,"msg":"nanos, bunyan level"}"#,
            "\n",
            r#"{"time":"2026-11-24T08:27:04Z","status":503,"method":"GET","path":"/api/cart","remote_addr":"10.0.0.9","msg":"request"}"#,
            "\n",
            r#"{"http":{"status_code":"404"},"ts":"2026-11-24 11:27:05+03:00","url":"/x"}"#,
            "\n",
            "not json at all\n",
            r#"{"level":"info","msg":"no time here"}"#,
            "\n",
        );
        let (sum, sink) = run(data, "json-lines", &opts());
        assert_eq!((sum.records, sum.unparsed), (7, 2));
        let r = &sink.records;
        assert_eq!(r[0].time, utc("2026-11-24T08:27:03.250Z"));
        assert_eq!((r[0].level, r[0].message.as_str()), (Some(Level::Error), "db timeout"));
        assert_eq!((r[0].service.as_deref(), r[0].host.as_deref()), (Some("api"), Some("web-1")));
        assert_eq!((r[1].time, r[1].level), (utc("2026-11-24T08:27:03Z"), Some(Level::Warn)));
        assert_eq!(r[2].time, utc("2026-11-24T08:27:03.123Z"));
        assert_eq!((r[3].time, r[3].level), (utc("2026-11-24T08:27:03Z"), Some(Level::Debug)));
        assert_eq!((r[4].time, r[4].level), (utc("2026-11-24T08:27:03Z"), Some(Level::Error)));
        assert_eq!((r[5].status, r[5].level), (Some(503), Some(Level::Error)));
        assert_eq!(
            (r[5].method.as_deref(), r[5].path.as_deref(), r[5].client.as_deref()),
            (Some("GET"), Some("/api/cart"), Some("10.0.0.9"))
        );
        assert_eq!((r[6].status, r[6].level, r[6].time), (Some(404), Some(Level::Warn), utc("2026-11-24T08:27:05Z")));
        assert_eq!(sink.unparsed[0].1, "invalid JSON");
        assert_eq!(sink.unparsed[1].1, "no timestamp");
        assert_eq!(sink.unparsed[1].0, 9);
    }

    #[test]
    fn journald_export_with_byte_array_message() {
        let data = concat!(
            r#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1795508823123456","PRIORITY":"3","_HOSTNAME":"web-1","_SYSTEMD_UNIT":"api.service","SYSLOG_IDENTIFIER":"api","MESSAGE":"worker crashed"}"#,
            "\n",
            r#"{"__REALTIME_TIMESTAMP":"1795508824000000","PRIORITY":"6","SYSLOG_IDENTIFIER":"kernel","MESSAGE":[104,105,255]}"#,
            "\n",
        );
        let (sum, sink) = run(data, "journald-json", &opts());
        assert_eq!(sum.records, 2);
        let r = &sink.records;
        assert_eq!(r[0].time, utc("2026-11-24T08:27:03.123456Z"));
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!((r[0].host.as_deref(), r[0].service.as_deref()), (Some("web-1"), Some("api.service")));
        assert_eq!(r[0].message, "worker crashed");
        assert_eq!((r[1].service.as_deref(), r[1].message.as_str()), (Some("kernel"), "hi\u{fffd}"));
        assert_eq!(r[1].level, Some(Level::Info));
    }
}
