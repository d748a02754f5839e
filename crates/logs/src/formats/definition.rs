//! One format definition in lnav's schema, compiled.
//!
//! What Faultline takes from a definition: its `regex` patterns (named
//! captures) or, for `json: true` / `file-type: json`, its field paths; the
//! timestamp (`timestamp-field`, `timestamp-format`, `timestamp-divisor`);
//! the level (`level-field` + `level`, patterns or exact numbers); the body
//! (`body-field`), `opid-field`, the `value` types, `line-format`,
//! `multiline` and the `sample` lines. Display-only keys (highlights,
//! `hidden`, rewriters, search tables, partitions) are accepted and ignored.
//!
//! Meaning beyond lnav's: fields whose names say what they are (`sc_status`,
//! `elb_status_code`, `EdgeResponseStatus`, `cs_method`, `c_ip`, …) become
//! the record's HTTP request, so an access-like definition drives the error
//! series exactly as the hand-written nginx reader does.

use super::pattern::{Engine, Pattern, Slots};
use super::stamp::{read_auto, read_with, StampFormat};
use super::Origin;
use crate::ts::Parts;
use faultline_model::Level;
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;

/// lnav's levels, least severe first (the order lnav tries its level patterns in).
pub(crate) const LNAV_LEVELS: &[(&str, Level)] = &[
    ("trace", Level::Trace),
    ("debug5", Level::Debug),
    ("debug4", Level::Debug),
    ("debug3", Level::Debug),
    ("debug2", Level::Debug),
    ("debug", Level::Debug),
    ("info", Level::Info),
    ("stats", Level::Info),
    ("notice", Level::Notice),
    ("warning", Level::Warn),
    ("error", Level::Error),
    ("critical", Level::Critical),
    ("fatal", Level::Critical),
];

/// The index of an lnav level name in [`LNAV_LEVELS`].
pub(crate) fn lnav_level_index(name: &str) -> Option<usize> {
    let name = name.trim().to_ascii_lowercase();
    let name = match name.as_str() {
        "warn" => "warning",
        "err" => "error",
        "crit" => "critical",
        other => other,
    };
    LNAV_LEVELS.iter().position(|(n, _)| *n == name)
}

/// The lnav level a Faultline level stands for.
fn lnav_index_of(level: Level) -> usize {
    let name = match level {
        Level::Trace => "trace",
        Level::Debug => "debug",
        Level::Info => "info",
        Level::Notice => "notice",
        Level::Warn => "warning",
        Level::Error => "error",
        Level::Critical => "critical",
    };
    lnav_level_index(name).unwrap_or(0)
}

/// How a level value is recognized.
#[derive(Debug)]
enum LevelMatch {
    Pattern(Pattern),
    Number(i64),
}

/// Names (lower case, `_`/`-`/`.` removed) that say what a field holds, best first.
const STATUS: &[&str] = &[
    "scstatus",
    "elbstatuscode",
    "edgeresponsestatus",
    "status",
    "statuscode",
    "httpstatus",
    "httpstatuscode",
    "responsestatus",
    "respstatus",
];
const METHOD: &[&str] = &["csmethod", "method", "httpmethod", "requestmethod", "clientrequestmethod", "verb"];
const PATH: &[&str] = &[
    "csuripath",
    "csuristem",
    "uri",
    "path",
    "requesturi",
    "clientrequesturi",
    "httpurl",
    "csuriwhole",
    "url",
    "requesturl",
];
const QUERY: &[&str] = &["csuriquery", "query", "querystring"];
const CLIENT: &[&str] =
    &["cip", "clientip", "remoteip", "remoteaddr", "clientaddress", "clientaddr", "client", "sourceip"];
const USER: &[&str] = &["csusername", "remoteuser", "username", "userid", "csuserid"];
const AGENT: &[&str] = &["csuseragent", "useragent", "clientrequestuseragent", "httpuseragent"];
const REFERER: &[&str] = &["csreferer", "referer", "referrer", "clientrequestreferer", "httpreferer"];
const BYTES: &[&str] =
    &["scbytes", "bytessent", "bodybytessent", "edgeresponsebytes", "sentbytes", "size", "bytes", "responsebytes"];
const HOST: &[&str] = &["loghostname", "hostname", "logginghost", "host", "computername"];
const SERVICE: &[&str] = &[
    "logprocname",
    "procname",
    "processname",
    "service",
    "servicename",
    "app",
    "appname",
    "application",
    "logger",
    "loggername",
    "component",
    "module",
    "tag",
    "target",
];

/// Lower case without separators: `EdgeResponseStatus`, `sc-status` and `sc_status` compare alike.
pub(crate) fn normalize(name: &str) -> String {
    let leaf = name.rsplit('/').next().unwrap_or(name).trim_end_matches('#');
    leaf.chars().filter(|c| !matches!(c, '_' | '-' | '.' | '(' | ')')).flat_map(char::to_lowercase).collect()
}

/// A field's role: which of `names` (in `candidates`' priority order) plays it.
fn role<'n>(names: &[&'n str], candidates: &[&str]) -> Option<&'n str> {
    candidates.iter().find_map(|c| names.iter().find(|n| normalize(n) == *c).copied())
}

/// The fields that say something about an HTTP request, a host or a program.
#[derive(Debug, Default, Clone)]
pub(crate) struct Roles<T> {
    pub status: Option<T>,
    pub method: Option<T>,
    pub path: Option<T>,
    pub query: Option<T>,
    pub client: Option<T>,
    pub user: Option<T>,
    pub agent: Option<T>,
    pub referer: Option<T>,
    pub bytes: Option<T>,
    pub host: Option<T>,
    pub service: Option<T>,
}

impl<T> Roles<T> {
    fn find(names: &[&str], map: impl Fn(&str) -> T) -> Roles<T> {
        let pick = |c: &[&str]| role(names, c).map(&map);
        Roles {
            status: pick(STATUS),
            method: pick(METHOD),
            path: pick(PATH),
            query: pick(QUERY),
            client: pick(CLIENT),
            user: pick(USER),
            agent: pick(AGENT),
            referer: pick(REFERER),
            bytes: pick(BYTES),
            host: pick(HOST),
            service: pick(SERVICE),
        }
    }
}

/// One `regex` entry: the pattern and where its fields are.
#[derive(Debug)]
pub(crate) struct TextRegex {
    pub name: String,
    pub pattern: Pattern,
    pub timestamp: Option<usize>,
    pub level: Option<usize>,
    pub body: Option<usize>,
    pub roles: Roles<usize>,
}

/// A sample line and the level it declares.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The line.
    pub line: String,
    /// The lnav level name the definition says it has.
    pub level: Option<String>,
}

/// A compiled format definition.
pub struct Definition {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) origin: Origin,
    pub(crate) file: PathBuf,
    pub(crate) json: bool,
    pub(crate) regexes: Vec<TextRegex>,
    pub(crate) timestamp_field: String,
    pub(crate) stamp_formats: Vec<StampFormat>,
    pub(crate) divisor: Option<f64>,
    pub(crate) level_field: String,
    levels: Vec<(usize, LevelMatch)>,
    pub(crate) body_field: String,
    pub(crate) opid_field: Option<String>,
    pub(crate) values: Vec<(String, String)>,
    pub(crate) line_format: Vec<String>,
    pub(crate) multiline: bool,
    pub(crate) samples: Vec<Sample>,
    /// JSON formats: the path of each role's field.
    pub(crate) json_roles: Roles<Vec<String>>,
    /// The level is read from the HTTP status (access logs): Faultline's status rule replaces lnav's map.
    pub(crate) level_is_status: bool,
}

impl fmt::Debug for Definition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Definition").field("name", &self.name).field("origin", &self.origin).finish()
    }
}

impl PartialEq for Definition {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.origin == other.origin && self.file == other.file
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// A JSON path as lnav writes it (`request/client_ip`; `/a/b` is a JSON pointer).
pub(crate) fn json_path(field: &str) -> Vec<String> {
    let f = field.strip_prefix('/').unwrap_or(field);
    f.split('/').map(|p| p.trim_end_matches('#').replace("~1", "/").replace("~0", "~")).collect()
}

impl Definition {
    /// Compiles the definition `name` from its JSON; the error says what is wrong.
    pub(crate) fn compile(name: &str, spec: &Value, origin: Origin, file: PathBuf) -> Result<Definition, String> {
        let obj = spec.as_object().ok_or("a format definition must be a JSON object")?;
        let json = obj.get("json").and_then(Value::as_bool).unwrap_or(false)
            || obj.get("file-type").and_then(Value::as_str) == Some("json");
        let timestamp_field = string(obj.get("timestamp-field")).unwrap_or_else(|| "timestamp".into());
        let level_field = string(obj.get("level-field")).unwrap_or_else(|| "level".into());
        let body_field = string(obj.get("body-field")).unwrap_or_else(|| "body".into());
        let opid_field = string(obj.get("opid-field"));
        let multiline = obj.get("multiline").and_then(Value::as_bool).unwrap_or(true);
        let divisor = match obj.get("timestamp-divisor") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_f64() {
                Some(d) if d > 0.0 && d.is_finite() => Some(d),
                _ => return Err(format!("timestamp-divisor {v} is not a positive number")),
            },
        };
        let stamp_formats = match obj.get("timestamp-format") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|f| f.as_str().ok_or_else(|| format!("timestamp-format entry {f} is not a string")))
                .map(|f| f.and_then(StampFormat::new))
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(format!("timestamp-format must be an array of strings, not {other}")),
        };
        let mut values = Vec::new();
        if let Some(v) = obj.get("value") {
            let map = v.as_object().ok_or("value must be an object of field definitions")?;
            for (field, def) in map {
                let kind = def.get("kind").and_then(Value::as_str).unwrap_or("string");
                if !["string", "integer", "float", "boolean", "json", "struct", "quoted", "xml", "timestamp", "any"]
                    .contains(&kind)
                {
                    return Err(format!("value {field}: unknown kind {kind:?}"));
                }
                values.push((field.clone(), kind.to_string()));
            }
        }
        let mut levels = Vec::new();
        if let Some(v) = obj.get("level") {
            let map = v.as_object().ok_or("level must be an object of level name → pattern")?;
            for (level, rule) in map {
                let idx = lnav_level_index(level).ok_or_else(|| format!("level {level:?} is not an lnav level"))?;
                let m = match rule {
                    Value::String(p) => {
                        LevelMatch::Pattern(Pattern::new(p).map_err(|e| format!("level {level} pattern {p:?}: {e}"))?)
                    }
                    Value::Number(n) => {
                        LevelMatch::Number(n.as_i64().ok_or_else(|| format!("level {level}: {n} is not an integer"))?)
                    }
                    other => return Err(format!("level {level}: {other} is neither a pattern nor a number")),
                };
                levels.push((idx, m));
            }
        }
        // lnav tries its level patterns from the least severe up.
        levels.sort_by_key(|(i, _)| *i);
        let mut line_format = Vec::new();
        if let Some(Value::Array(items)) = obj.get("line-format") {
            for item in items {
                if let Some(f) = item.get("field").and_then(Value::as_str) {
                    if !f.starts_with("__") {
                        line_format.push(f.to_string());
                    }
                }
            }
        }
        let mut regexes = Vec::new();
        if let Some(v) = obj.get("regex") {
            let map = v.as_object().ok_or("regex must be an object of named patterns")?;
            for (rname, r) in map {
                // Module formats only read the bodies of container formats (syslog): not lines.
                if r.get("module-format").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let src = r
                    .get("pattern")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("regex {rname}: no \"pattern\" string"))?;
                let pattern = Pattern::new(src).map_err(|e| format!("regex {rname}: {e}"))?;
                let names: Vec<&str> = pattern.names().map(|(_, n)| n).collect();
                let idx = |n: &str| pattern.group(n);
                let roles = Roles::find(&names, |n| pattern.group(n).unwrap_or(0));
                regexes.push(TextRegex {
                    name: rname.clone(),
                    timestamp: idx(&timestamp_field),
                    level: idx(&level_field),
                    body: idx(&body_field),
                    roles,
                    pattern,
                });
            }
        }
        if !json {
            if regexes.is_empty() {
                return Err("no regex (and not a JSON format: set \"json\": true or \"file-type\": \"json\")".into());
            }
            if let Some(r) = regexes.iter().find(|r| r.timestamp.is_none()) {
                return Err(format!("regex {}: no capture named {timestamp_field:?} for the timestamp", r.name));
            }
        }
        let mut samples = Vec::new();
        if let Some(Value::Array(list)) = obj.get("sample") {
            for s in list {
                let Some(line) = s.get("line").and_then(Value::as_str) else {
                    return Err(format!("sample {s} has no \"line\""));
                };
                let level = string(s.get("level"));
                if let Some(l) = &level {
                    lnav_level_index(l).ok_or_else(|| format!("sample level {l:?} is not an lnav level"))?;
                }
                samples.push(Sample { line: line.to_string(), level });
            }
        }
        // JSON roles come from the fields the definition declares.
        let declared: Vec<&str> =
            values.iter().map(|(n, _)| n.as_str()).chain(line_format.iter().map(String::as_str)).collect();
        let json_roles = Roles::find(&declared, json_path);
        let status_norm = |f: &str| STATUS.contains(&normalize(f).as_str());
        let level_is_status = status_norm(&level_field);
        Ok(Definition {
            name: name.to_string(),
            title: string(obj.get("title")),
            description: string(obj.get("description")),
            origin,
            file,
            json,
            regexes,
            timestamp_field,
            stamp_formats,
            divisor,
            level_field,
            levels,
            body_field,
            opid_field,
            values,
            line_format,
            multiline,
            samples,
            json_roles,
            level_is_status,
        })
    }

    /// The format's name (its key in the definition file: `haproxy_log`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its human title.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// Its description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Where it came from.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The file that defined it (for a built-in: its path in the repository).
    pub fn file(&self) -> &std::path::Path {
        &self.file
    }

    /// Each line is a JSON object.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// The sample lines.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The field holding the operation id (shown by `faultline formats`; not used by correlation).
    pub fn opid_field(&self) -> Option<&str> {
        self.opid_field.as_deref()
    }

    /// The fields it declares (`value`), with their kinds.
    pub fn fields(&self) -> &[(String, String)] {
        &self.values
    }

    /// The `timestamp-format` entries, as written.
    pub fn timestamp_formats(&self) -> Vec<&str> {
        self.stamp_formats.iter().map(StampFormat::source).collect()
    }

    /// How many of the `line-format` fields a JSON object has (lnav picks
    /// the JSON format whose line format matches the most).
    pub(crate) fn line_format_hits(&self, obj: &serde_json::Map<String, Value>) -> usize {
        self.line_format.iter().filter(|f| super::reader::at(obj, &json_path(f)).is_some()).count()
    }

    /// Regex names and the engine that compiled each.
    pub fn engines(&self) -> Vec<(&str, Engine)> {
        self.regexes.iter().map(|r| (r.name.as_str(), r.pattern.engine())).collect()
    }

    /// Its timestamps carry no year (years come from the file's modification time).
    pub fn infers_year(&self) -> bool {
        !self.stamp_formats.is_empty() && !self.stamp_formats.iter().any(StampFormat::has_year)
    }

    /// Reads a timestamp field's text.
    pub(crate) fn stamp(&self, text: &str) -> Option<Parts> {
        if self.stamp_formats.is_empty() {
            read_auto(text)
        } else {
            read_with(&self.stamp_formats, text).or_else(|| read_auto(text))
        }
    }

    /// A numeric timestamp field (JSON): divided by `timestamp-divisor` when
    /// given, else its unit guessed from its size. Read from the number's
    /// digits, so `1795508823.5241024` and `1795508823120000000` stay exact
    /// (an `f64` would round them by hundreds of nanoseconds).
    pub(crate) fn stamp_number(&self, n: &serde_json::Number) -> Option<Parts> {
        let epoch = |nanos: i128| {
            let nanos = i64::try_from(nanos).ok().filter(|n| *n > 0)?;
            Some(Parts { epoch_nanos: Some(nanos), ..Parts::default() })
        };
        let text = n.to_string();
        let exact = (!text.contains(['e', 'E', '-'])).then(|| {
            let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
            let frac = &frac[..frac.len().min(18)];
            Some((int.parse::<i128>().ok()?, frac.parse::<i128>().unwrap_or(0), 10i128.pow(frac.len() as u32)))
        });
        match (self.divisor, exact.flatten()) {
            // Units per second that divide a second into whole nanoseconds (1, 1e3, 1e6, 1e9).
            (Some(d), Some((int, frac, scale))) if d.fract() == 0.0 && d >= 1.0 && 1e9 % d == 0.0 => {
                let per = 1_000_000_000 / d as i128;
                epoch(int * per + frac * per / scale)
            }
            (Some(d), _) => {
                let nanos = n.as_f64()? / d * 1e9;
                (nanos.is_finite() && nanos < 9.2e18).then_some(())?;
                epoch(nanos as i128)
            }
            (None, Some((int, 0, _))) if i64::try_from(int).is_ok() => {
                let t = faultline_model::time::from_epoch_int(int as i64)?;
                Some(Parts { epoch_nanos: t.timestamp_nanos_opt(), ..Parts::default() })
            }
            // Seconds with a fraction, the usual float timestamp.
            (None, Some((int, frac, scale))) if int < 100_000_000_000 => {
                epoch(int * 1_000_000_000 + frac * 1_000_000_000 / scale)
            }
            (None, _) => {
                let t = faultline_model::time::from_epoch(n.as_f64()?)?;
                Some(Parts { epoch_nanos: t.timestamp_nanos_opt(), ..Parts::default() })
            }
        }
    }

    /// The lnav level (index into [`LNAV_LEVELS`]) of a level field's value,
    /// as lnav decides it: exact numbers, then patterns from the least
    /// severe up, else the level word itself when there are no patterns,
    /// else `info`.
    pub(crate) fn lnav_level(&self, text: &str, number: Option<i64>) -> usize {
        let info = lnav_level_index("info").unwrap_or(0);
        if let Some(n) = number {
            if let Some((i, _)) = self.levels.iter().find(|(_, m)| matches!(m, LevelMatch::Number(v) if *v == n)) {
                return *i;
            }
        }
        if self.levels.is_empty() {
            return lnav_level_index(text).or_else(|| Level::parse(text).map(lnav_index_of)).unwrap_or(info);
        }
        self.levels
            .iter()
            .find(|(_, m)| matches!(m, LevelMatch::Pattern(p) if p.is_match(text)))
            .map_or(info, |(i, _)| *i)
    }

    /// Slots for every regex, reused line after line.
    pub(crate) fn slots(&self) -> Vec<Slots> {
        self.regexes.iter().map(|r| r.pattern.slots()).collect()
    }

    /// The first regex (trying `first` before the others) that matches `text`.
    pub(crate) fn match_line(&self, text: &str, slots: &mut [Slots], first: usize) -> Option<usize> {
        let order = std::iter::once(first).chain((0..self.regexes.len()).filter(|i| *i != first));
        for i in order {
            let (Some(r), Some(s)) = (self.regexes.get(i), slots.get_mut(i)) else { continue };
            if r.pattern.captures(text, s) {
                return Some(i);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(json: &str) -> Result<Definition, String> {
        let v: Value = serde_json::from_str(json).unwrap();
        Definition::compile("t_log", &v, Origin::User, PathBuf::from("t.json"))
    }

    #[test]
    fn bad_definitions_say_what_is_wrong() {
        let e = def(r#"{"regex":{"std":{"pattern":"^(?<timestamp>\\d+"}}}"#).unwrap_err();
        assert!(e.starts_with("regex std:"), "{e}");
        let e = def(r#"{"regex":{"std":{"pattern":"^(?<ts>\\d+) (?<body>.*)"}}}"#).unwrap_err();
        assert!(e.contains("\"timestamp\""), "{e}");
        let e =
            def(r#"{"regex":{"std":{"pattern":"^(?<timestamp>\\S+) x"}},"timestamp-format":["%Y %Q"]}"#).unwrap_err();
        assert!(e.contains("%Q"), "{e}");
        let e = def(r#"{"regex":{"std":{"pattern":"^(?<timestamp>\\S+)"}},"level":{"loud":"X"}}"#).unwrap_err();
        assert!(e.contains("loud"), "{e}");
        assert!(def(r#"{"title":"nothing"}"#).unwrap_err().contains("no regex"));
    }

    #[test]
    fn levels_are_tried_from_the_least_severe_up_and_default_to_info() {
        let d = def(r#"{"regex":{"std":{"pattern":"^(?<timestamp>\\S+) (?<body>.*)"}},"level-field":"body",
            "level":{"error":"(?i)error|failed","warning":"(?i)warn"}}"#)
        .unwrap();
        let name = |i: usize| LNAV_LEVELS[i].0;
        assert_eq!(name(d.lnav_level("disk failed, warning", None)), "warning");
        assert_eq!(name(d.lnav_level("disk failed", None)), "error");
        assert_eq!(name(d.lnav_level("all good", None)), "info");
        let bunyan = def(r#"{"json":true,"level":{"error":50,"info":30}}"#).unwrap();
        assert_eq!(name(bunyan.lnav_level("50", Some(50))), "error");
        let plain = def(r#"{"regex":{"std":{"pattern":"^(?<timestamp>\\S+) (?<level>\\w+)"}}}"#).unwrap();
        assert_eq!(name(plain.lnav_level("WARN", None)), "warning");
    }

    #[test]
    fn fields_named_like_http_fields_play_their_role() {
        let d = def(
            r#"{"regex":{"std":{"pattern":"^(?<timestamp>\\S+) (?<c_ip>\\S+) (?<cs_method>\\S+) (?<cs_uri_stem>\\S+) (?<sc_status>\\d+)"}},
            "level-field":"sc_status"}"#,
        )
        .unwrap();
        let r = &d.regexes[0];
        assert!(r.roles.status.is_some() && r.roles.method.is_some() && r.roles.path.is_some());
        assert!(r.roles.client.is_some() && d.level_is_status);
        let caddy = def(r#"{"file-type":"json","timestamp-field":"ts","value":{"status":{"kind":"integer"},
            "request/method":{"kind":"string"},"request/uri":{},"request/headers/User-Agent#":{}}}"#)
        .unwrap();
        assert_eq!(caddy.json_roles.status.as_deref(), Some(&["status".to_string()][..]));
        assert_eq!(caddy.json_roles.agent, Some(vec!["request".into(), "headers".into(), "User-Agent".into()]));
    }
}
