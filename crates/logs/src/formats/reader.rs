//! Reading a log with a format definition: regex definitions (records that
//! may continue over the following lines) and JSON definitions.

use super::definition::{json_path, Definition, Roles, LNAV_LEVELS};
use super::pattern::Slots;
use crate::access::status_level;
use crate::cri::push_capped;
use crate::input::LineInfo;
use crate::ts::Resolver;
use crate::{LineParser, LogError, Out, NO_TIMESTAMP};
use faultline_model::{flags, HttpRequest, Instant, Level, LogRecord, Span};
use serde_json::{Map, Value};
use std::sync::Arc;

/// `200`, `"503"` → a status; anything outside 100–599 is none.
fn status_of(text: &str) -> Option<u16> {
    let n: u16 = text.trim().parse().ok()?;
    (100..=599).contains(&n).then_some(n)
}

fn dash_none(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty() && s != "-").then_some(s)
}

/// What the first line of a record captured, as ranges into that line.
#[derive(Default, Clone, Copy)]
struct Captured {
    level: Option<Level>,
    message: (usize, usize),
    host: Option<(usize, usize)>,
    service: Option<(usize, usize)>,
    status: Option<u16>,
    method: Option<(usize, usize)>,
    path: Option<(usize, usize)>,
    client: Option<(usize, usize)>,
    user: Option<(usize, usize)>,
    agent: Option<(usize, usize)>,
    referer: Option<(usize, usize)>,
    bytes: Option<u64>,
}

/// A record being assembled (a first line and its continuation lines).
#[derive(Default)]
struct Pending {
    active: bool,
    time: (Instant, u8),
    fields: Captured,
    line: u64,
    offset: u64,
    end: u64,
    lines: u32,
    text: String,
    truncated: bool,
}

/// The level a record gets: a request's follows its status as nginx's does
/// (5xx error, 4xx warning — lnav's access formats call every 4xx an error,
/// Cloudflare's every cache miss a warning); otherwise the definition's level.
fn record_level(def: &Definition, lnav: Option<usize>, status: Option<u16>) -> Option<Level> {
    match (status, lnav) {
        (Some(s), _) => Some(status_level(s)),
        // No status where the level is the status (an ELB `-`: the client went away): no level.
        (None, _) if def.level_is_status => None,
        (None, Some(i)) => LNAV_LEVELS.get(i).map(|(_, l)| *l),
        (None, None) => None,
    }
}

pub(crate) struct TextDefParser {
    def: Arc<Definition>,
    slots: Vec<Slots>,
    last: usize,
    resolver: Resolver,
    cap: usize,
    p: Pending,
}

impl TextDefParser {
    pub(crate) fn new(def: Arc<Definition>, resolver: Resolver, cap: usize) -> Self {
        let slots = def.slots();
        TextDefParser { def, slots, last: 0, resolver, cap, p: Pending::default() }
    }

    /// Reads a line that starts a record: its time and captured fields.
    fn header(&mut self, text: &str) -> Option<((Instant, u8), Captured, usize)> {
        let i = self.def.match_line(text, &mut self.slots, self.last)?;
        let (r, s) = (self.def.regexes.get(i)?, self.slots.get(i)?);
        let range = |g: Option<usize>| g.and_then(|g| s.get(g)).filter(|(a, b)| b > a);
        let get = |g: Option<usize>| range(g).and_then(|(a, b)| text.get(a..b));
        let (ts_a, ts_b) = range(r.timestamp)?;
        let parts = self.def.stamp(text.get(ts_a..ts_b)?)?;
        let time = self.resolver.resolve(&parts)?;
        let roles: &Roles<usize> = &r.roles;
        let status = get(roles.status).and_then(status_of);
        let lnav = get(r.level).map(|l| self.def.lnav_level(l, l.trim().parse().ok()));
        let mut path = range(roles.path);
        // The path as requested: the stem and its query string, when they sit together.
        if let (Some((a, _)), Some((_, qb))) = (path, range(roles.query)) {
            if qb > a && text.get(a..qb).is_some_and(|t| t.contains('?')) {
                path = Some((a, qb));
            }
        }
        let message = range(r.body).unwrap_or_else(|| {
            let start = crate::level::skip_separators(text, ts_b);
            (start, text.len())
        });
        let c = Captured {
            level: record_level(&self.def, lnav, status),
            message,
            host: range(roles.host),
            service: range(roles.service),
            status,
            method: range(roles.method),
            path,
            client: range(roles.client),
            user: range(roles.user),
            agent: range(roles.agent),
            referer: range(roles.referer),
            bytes: get(roles.bytes).and_then(|b| b.trim().parse().ok()),
        };
        Some((time, c, i))
    }

    fn flush(&mut self, out: &mut Out<'_>) -> Result<bool, LogError> {
        let p = &mut self.p;
        if !p.active {
            return Ok(true);
        }
        p.active = false;
        let text = p.text.as_str();
        let first = text.split('\n').next().unwrap_or_default();
        let c = p.fields;
        let get = |r: Option<(usize, usize)>| r.and_then(|(a, b)| first.get(a..b)).and_then(dash_none);
        let http = c.status.map(|status| HttpRequest {
            client: get(c.client),
            user: get(c.user),
            method: get(c.method),
            path: get(c.path),
            status,
            bytes: c.bytes,
            referer: get(c.referer),
            user_agent: get(c.agent),
            duration_ms: None,
        });
        let mut rec = LogRecord {
            time: p.time.0,
            span: Span { line: p.line, offset: p.offset, len: p.end - p.offset, lines: p.lines },
            level: c.level,
            http,
            host: get(c.host),
            service: get(c.service),
            message: first.get(c.message.0..c.message.1).unwrap_or(first),
            text,
            flags: p.time.1 | if p.truncated { flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}

impl LineParser for TextDefParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        let header = if text.is_empty() { None } else { self.header(text) };
        if let Some((time, fields, regex)) = header {
            if !self.flush(out)? {
                return Ok(false);
            }
            self.last = regex;
            let p = &mut self.p;
            p.active = true;
            p.time = time;
            p.fields = fields;
            p.line = info.no;
            p.offset = info.offset;
            p.end = info.end;
            p.lines = 1;
            p.text.clear();
            p.truncated = info.cut | !push_capped(&mut p.text, text, self.cap);
            if !self.def.multiline {
                return self.flush(out);
            }
            return Ok(true);
        }
        if text.trim().is_empty() {
            return Ok(true);
        }
        if !self.p.active || !self.def.multiline {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        }
        let p = &mut self.p;
        p.lines += 1;
        p.end = info.end;
        if !p.truncated {
            let ok = push_capped(&mut p.text, "\n", self.cap) && push_capped(&mut p.text, text, self.cap);
            p.truncated = !ok || info.cut;
        }
        Ok(true)
    }

    fn finish(&mut self, out: &mut Out<'_>) -> Result<bool, LogError> {
        self.flush(out)
    }
}

/// The value at a path (`request/headers/User-Agent`): the first element of an array stands for it.
pub(crate) fn at<'v>(obj: &'v Map<String, Value>, path: &[String]) -> Option<&'v Value> {
    let (head, rest) = path.split_first()?;
    let mut v = obj.get(head.as_str())?;
    for key in rest {
        if let Value::Array(items) = v {
            v = items.first()?;
        }
        v = v.as_object()?.get(key.as_str())?;
    }
    match v {
        Value::Array(items) => items.first(),
        Value::Null => None,
        other => Some(other),
    }
}

fn text_at<'v>(obj: &'v Map<String, Value>, path: Option<&Vec<String>>) -> Option<&'v str> {
    path.and_then(|p| at(obj, p)).and_then(Value::as_str).and_then(dash_none)
}

fn number_at(obj: &Map<String, Value>, path: Option<&Vec<String>>) -> Option<f64> {
    match path.and_then(|p| at(obj, p))? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// What a JSON definition reads from one object (shared by detection and parsing).
pub(crate) struct JsonFields<'v> {
    pub parts: crate::ts::Parts,
    pub lnav_level: Option<usize>,
    pub status: Option<u16>,
    pub message: Option<&'v str>,
}

impl Definition {
    /// The time, level, status and body of one JSON object; `None` without a readable time.
    pub(crate) fn json_fields<'v>(&self, obj: &'v Map<String, Value>) -> Option<JsonFields<'v>> {
        let stamp = at(obj, &json_path(&self.timestamp_field))?;
        let parts = match stamp {
            Value::Number(n) => self.stamp_number(n)?,
            Value::String(s) => self.stamp(s)?,
            Value::Object(o) => match o.get("$date")? {
                Value::String(s) => self.stamp(s)?,
                Value::Number(n) => self.stamp_number(n)?,
                _ => return None,
            },
            _ => return None,
        };
        let lnav_level = match at(obj, &json_path(&self.level_field)) {
            Some(Value::Number(n)) => Some(self.lnav_level(&n.to_string(), n.as_i64())),
            Some(Value::String(s)) => Some(self.lnav_level(s, s.trim().parse().ok())),
            _ => None,
        };
        let status = number_at(obj, self.json_roles.status.as_ref())
            .filter(|n| n.fract() == 0.0 && (100.0..=599.0).contains(n))
            .map(|n| n as u16);
        let message = text_at(obj, Some(&json_path(&self.body_field)));
        Some(JsonFields { parts, lnav_level, status, message })
    }
}

pub(crate) struct JsonDefParser {
    def: Arc<Definition>,
    resolver: Resolver,
}

impl JsonDefParser {
    pub(crate) fn new(def: Arc<Definition>, resolver: Resolver) -> Self {
        JsonDefParser { def, resolver }
    }
}

impl LineParser for JsonDefParser {
    fn line(&mut self, info: &LineInfo, bytes: &[u8], text: &str, out: &mut Out<'_>) -> Result<bool, LogError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(true);
        }
        let obj = match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(o)) if !info.cut => o,
            _ => return out.unparsed(info, bytes, "invalid JSON"),
        };
        let def = &self.def;
        let Some(f) = def.json_fields(&obj) else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let Some((time, tflags)) = self.resolver.resolve(&f.parts) else {
            return out.unparsed(info, bytes, NO_TIMESTAMP);
        };
        let roles = &def.json_roles;
        let http = f.status.map(|status| HttpRequest {
            client: text_at(&obj, roles.client.as_ref()),
            user: text_at(&obj, roles.user.as_ref()),
            method: text_at(&obj, roles.method.as_ref()),
            path: text_at(&obj, roles.path.as_ref()),
            status,
            bytes: number_at(&obj, roles.bytes.as_ref()).filter(|b| *b >= 0.0).map(|b| b as u64),
            referer: text_at(&obj, roles.referer.as_ref()),
            user_agent: text_at(&obj, roles.agent.as_ref()),
            duration_ms: None,
        });
        let fallback = |keys: &[&str]| keys.iter().find_map(|k| obj.get(*k).and_then(Value::as_str));
        let mut rec = LogRecord {
            time,
            span: Span { line: info.no, offset: info.offset, len: info.end - info.offset, lines: 1 },
            level: record_level(def, f.lnav_level, f.status),
            http,
            host: text_at(&obj, roles.host.as_ref()).or_else(|| fallback(&["host", "hostname"])),
            service: text_at(&obj, roles.service.as_ref()).or_else(|| fallback(&["service", "logger", "name"])),
            message: f.message.or_else(|| fallback(&["message", "msg"])).unwrap_or(text),
            text,
            flags: tflags | if info.cut { flags::TRUNCATED } else { 0 },
        };
        out.record(&mut rec)
    }
}
