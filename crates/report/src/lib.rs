//! Postmortem exporters: Markdown, HTML, JSON, CSV, SVG.
//!
//! [`export`] turns an [`Analysis`] into a postmortem draft. Markdown and
//! HTML come from minijinja templates under `templates/` (embedded, and
//! copyable: [`TemplateChoice::File`] renders a user's edited copy) fed by one
//! view model, so every layout shows the same facts in the same zone.
//!
//! Log-derived text is hostile by default. Escaping follows the output
//! format, never the template's file name: in a Markdown export every
//! `{{ value }}` is escaped as Markdown prose unless marked `|safe`; in an
//! HTML export every value is HTML-escaped (even inside `{% autoescape false
//! %}`) and the document carries a strict Content-Security-Policy whatever
//! template made it; the SVG chart escapes its own text.
#![deny(missing_docs)]

mod chart;
mod explain;
mod insight;
mod markdown;
mod redact;
mod rewrite;
mod view;

pub use explain::fill_text;
pub use redact::SecretKind;

use faultline_model::time::Zone;
use faultline_model::{Analysis, Instant};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, State};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// An output format of `faultline export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A postmortem draft in Markdown (layout chosen by the template).
    Markdown,
    /// One self-contained HTML file with the chart inline.
    Html,
    /// The analysis itself (the `faultline analyze --format json` contract).
    Json,
    /// The timeline as CSV.
    Csv,
    /// The error-rate chart.
    Svg,
}

impl Format {
    /// Reads `md`, `markdown`, `html`, `json`, `csv`, `svg` (any case).
    pub fn parse(s: &str) -> Result<Format, ReportError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" | "htm" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "svg" => Ok(Format::Svg),
            _ => Err(ReportError::UnknownFormat(s.to_string())),
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Svg => "svg",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::parse(s)
    }
}

/// Which postmortem layout to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateChoice {
    /// The team's house style (`templates/seed.md.j2`).
    Seed,
    /// Google SRE book layout.
    GoogleSre,
    /// Atlassian incident postmortem layout.
    Atlassian,
    /// PagerDuty postmortem layout.
    PagerDuty,
    /// A user's template file (a copy of one of the above, edited). Escaped
    /// for the export's format, whatever its name.
    File(PathBuf),
}

impl TemplateChoice {
    /// Reads `seed`, `google-sre`, `atlassian`, `pagerduty`; anything else is a path.
    pub fn parse(s: &str) -> TemplateChoice {
        match s.trim().to_ascii_lowercase().as_str() {
            "seed" | "default" => TemplateChoice::Seed,
            "google-sre" | "google" | "sre" => TemplateChoice::GoogleSre,
            "atlassian" => TemplateChoice::Atlassian,
            "pagerduty" => TemplateChoice::PagerDuty,
            _ => TemplateChoice::File(PathBuf::from(s)),
        }
    }
}

/// The built-in templates by name, for `faultline export --template` help
/// and for writing out a copy to edit.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("seed.md.j2", include_str!("../templates/seed.md.j2")),
    ("google-sre.md.j2", include_str!("../templates/google-sre.md.j2")),
    ("atlassian.md.j2", include_str!("../templates/atlassian.md.j2")),
    ("pagerduty.md.j2", include_str!("../templates/pagerduty.md.j2")),
    ("evidence.md.j2", include_str!("../templates/evidence.md.j2")),
    ("report.html.j2", include_str!("../templates/report.html.j2")),
];

/// The source of a built-in template (`seed.md.j2`, `report.html.j2`, …).
pub fn builtin_template(name: &str) -> Option<&'static str> {
    BUILTIN_TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, src)| *src)
}

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Output format.
    pub format: Format,
    /// Layout for Markdown (and a user's HTML template via [`TemplateChoice::File`]).
    pub template: TemplateChoice,
    /// The zone every time in the report is shown in.
    pub display_zone: Zone,
    /// Mask emails, addresses, user ids and secrets everywhere.
    pub redact: bool,
    /// Report title; derived from the incident when `None`.
    pub title: Option<String>,
    /// "Generated at"; now when `None` (set it for reproducible output).
    pub generated_at: Option<Instant>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            format: Format::Markdown,
            template: TemplateChoice::Seed,
            display_zone: Zone::Utc,
            redact: false,
            title: None,
            generated_at: None,
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A format name that is not one of md, html, json, csv, svg.
    #[error("unknown export format {0:?}: use md, html, json, csv or svg")]
    UnknownFormat(String),
    /// A user template file could not be read.
    #[error("cannot read template {}: {source}", path.display())]
    TemplateRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A template has a syntax error or failed while rendering.
    #[error("template {template}: {detail}")]
    Template {
        /// The template file or built-in name.
        template: String,
        /// minijinja's message, with the template line.
        detail: String,
    },
    /// Writing CSV failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Serializing JSON failed.
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Exports `analysis` as `opts` asks.
pub fn export(analysis: &Analysis, opts: &ExportOptions) -> Result<Vec<u8>, ReportError> {
    Ok(export_counted(analysis, opts)?.0)
}

/// How many distinct values of each kind a redaction masked, in report order.
pub type MaskCounts = Vec<(SecretKind, usize)>;

/// [`export`], with how many distinct values of each kind redaction masked
/// (empty when `opts.redact` is off).
pub fn export_counted(analysis: &Analysis, opts: &ExportOptions) -> Result<(Vec<u8>, MaskCounts), ReportError> {
    let mut title = opts.title.clone();
    let mut note = None;
    let mut counts = Vec::new();
    let analysis: Cow<'_, Analysis> = if opts.redact {
        let mut r = redact::Redactor::for_analysis(analysis);
        let masked = r.analysis(analysis);
        title = title.map(|t| r.text(&t));
        counts = r.counts();
        note = Some(format!(
            "This report was redacted: email and IP addresses, user ids, passwords, tokens, cookies, JWTs, access keys and long hex secrets are masked, the same value always with the same mask. Masked: {}.",
            r.summary()
        ));
        Cow::Owned(masked)
    } else {
        Cow::Borrowed(analysis)
    };
    let zone = &opts.display_zone;
    let bytes = match opts.format {
        Format::Json => json(&analysis, note.as_deref(), &counts),
        Format::Csv => csv_timeline(&analysis, zone),
        Format::Svg => Ok(chart::render(&analysis, zone, 960, 320, true).into_bytes()),
        Format::Markdown | Format::Html => {
            // Documents for people: paths relative to the folder all inputs
            // share (named once in the inputs table), not ten copies of a
            // long absolute prefix. JSON and CSV keep full paths for tools.
            let base = rewrite::common_folder(analysis.sources.iter().map(|s| s.path.as_str()));
            let analysis = match &base {
                Some(b) => Cow::Owned(rewrite::analysis(&mut rewrite::StripFolder::new(b), &analysis)),
                None => analysis,
            };
            let view = view::build(
                &analysis,
                &view::ViewOptions {
                    zone,
                    title,
                    generated_at: opts.generated_at.unwrap_or_else(chrono::Utc::now),
                    redaction_note: note,
                    with_chart: opts.format == Format::Html,
                    base_folder: base,
                },
            );
            render(&view, opts.format, &opts.template).map(String::into_bytes)
        }
    }?;
    Ok((bytes, counts))
}

/// The error-rate chart as a standalone SVG document.
pub fn chart_svg(analysis: &Analysis, zone: &Zone, width: u32, height: u32) -> String {
    chart::render(analysis, zone, width, height, true)
}

/// A copy of `analysis` with emails, IPv4/IPv6 addresses, user ids, bearer
/// and API tokens and long hex secrets masked (`ip-1`, `email-2`, …). The
/// same value gets the same mask everywhere; commit ids and input hashes are
/// kept so the report stays verifiable.
pub fn redact(analysis: &Analysis) -> Analysis {
    redact::Redactor::for_analysis(analysis).analysis(analysis)
}

fn json(analysis: &Analysis, note: Option<&str>, counts: &[(SecretKind, usize)]) -> Result<Vec<u8>, ReportError> {
    let Some(note) = note else {
        return Ok(serde_json::to_vec_pretty(analysis)?);
    };
    // Added fields, so consumers of the contract can tell a redacted export and what it masked.
    let mut v = serde_json::to_value(analysis)?;
    if let Some(obj) = v.as_object_mut() {
        obj.insert("redacted".into(), serde_json::Value::Bool(true));
        obj.insert("redaction".into(), serde_json::Value::String(note.to_string()));
        let masked: serde_json::Map<String, serde_json::Value> =
            counts.iter().map(|(k, n)| (k.prefix().to_string(), serde_json::Value::from(*n))).collect();
        obj.insert("masked".into(), serde_json::Value::Object(masked));
    }
    Ok(serde_json::to_vec_pretty(&v)?)
}

/// Spreadsheet apps run cells that start with these as formulas; a log line
/// such as `=HYPERLINK(…)` must stay text when the CSV is opened.
fn defuse_formula(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn csv_timeline(analysis: &Analysis, zone: &Zone) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["time_utc", "time_display", "kind", "source", "text", "citation"])?;
    // A spreadsheet of the timeline must not pass for the whole story: the
    // inputs the analysis ran without come first, as rows of their own.
    if let Some(p) = view::partial(analysis) {
        w.write_record(["", "", "partial", "", &defuse_formula(&format!("Partial analysis. {}", p.summary)), ""])?;
        for u in &analysis.unread {
            w.write_record(["", "", "unread", &defuse_formula(&u.path), &defuse_formula(&view::partial_line(u)), ""])?;
        }
    }
    for e in &analysis.timeline {
        let citation = e.citation.as_ref().map(|c| c.location()).unwrap_or_default();
        w.write_record([
            view::rfc3339_utc(e.time).as_str(),
            zone.format_rfc3339(e.time).as_str(),
            view::kind_name(e.kind),
            &defuse_formula(&e.source),
            &defuse_formula(&e.text),
            &defuse_formula(&citation),
        ])?;
    }
    w.into_inner().map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

const MARKDOWN: AutoEscape = AutoEscape::Custom("markdown");

/// The template environment of one export. Escaping is decided by `format`
/// alone: a template's name (`x.md.j2` in an HTML export) or an
/// `{% autoescape false %}` block never turns HTML escaping off.
fn environment(format: Format) -> Environment<'static> {
    let html_output = format == Format::Html;
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // Markdown gets escaped too: a log line is not allowed to open a code
    // block, a table cell or an HTML tag in the document.
    env.set_auto_escape_callback(move |_| if html_output { AutoEscape::Html } else { MARKDOWN });
    env.set_formatter(move |out, state, value| {
        if value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        if html_output {
            if value.is_undefined() || value.is_none() {
                return Ok(());
            }
            let text = value.as_str().map(Cow::Borrowed).unwrap_or_else(|| Cow::Owned(value.to_string()));
            return out.write_str(&html_prose(&text)).map_err(minijinja::Error::from);
        }
        if state.auto_escape() == MARKDOWN {
            if value.is_undefined() || value.is_none() {
                return Ok(());
            }
            let text = value.as_str().map(Cow::Borrowed).unwrap_or_else(|| Cow::Owned(value.to_string()));
            return out.write_str(&markdown::escape_prose(&text)).map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    let is_html = move |state: &State| html_output || state.auto_escape() == AutoEscape::Html;
    env.add_filter("code", move |state: &State, v: Value| filter_code(is_html(state), v));
    env.add_filter("fence", move |state: &State, v: Value, lang: Option<String>| filter_fence(is_html(state), v, lang));
    env.add_filter("cite", move |state: &State, v: Value| filter_cite(is_html(state), v));
    env.add_filter("md", move |state: &State, v: Value| filter_md(is_html(state), v));
    for (name, src) in BUILTIN_TEMPLATES {
        // Built-ins are compiled into the binary and covered by the tests.
        if let Err(e) = env.add_template(name, src) {
            panic!("built-in template {name} does not compile: {e}");
        }
    }
    env
}

/// The policy every HTML export carries: no script, no remote load.
pub const HTML_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Puts the export's Content-Security-Policy first in the document (after a
/// doctype), so it governs everything a user template wrote after it. A
/// template's own, weaker policy cannot loosen it: browsers enforce every policy.
fn with_csp(doc: String) -> String {
    let meta = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{HTML_CSP}\">\n");
    let trimmed = doc.trim_start();
    let lead = doc.len() - trimmed.len();
    let doctype_end = trimmed
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("<!doctype"))
        .and_then(|_| trimmed.find('>'))
        .map(|i| lead + i + 1);
    match doctype_end {
        Some(end) => {
            let (head, tail) = doc.split_at(end);
            format!("{head}\n{meta}{}", tail.trim_start_matches(['\r', '\n']))
        }
        None => format!("{meta}{doc}"),
    }
}

fn value_text(v: &Value) -> String {
    if v.is_none() || v.is_undefined() {
        String::new()
    } else {
        v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
    }
}

fn html(s: &str) -> String {
    chart::xml_escape(s)
}

/// HTML-escaped prose in which balanced `backtick` spans (how the correlator
/// quotes files and signatures) become `<code>`, as they do in Markdown.
fn html_prose(s: &str) -> String {
    let Some(parts) = markdown::backtick_spans(s) else {
        return html(s);
    };
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 && !p.is_empty() { format!("<code>{}</code>", html(p)) } else { html(p) })
        .collect()
}

/// `{{ x|md }}`: Markdown-escaped prose, for templates that turn auto-escaping
/// off. Still HTML-escaped in an HTML template: a filter must never be a way
/// around escaping.
fn filter_md(html_output: bool, v: Value) -> Value {
    let t = value_text(&v);
    Value::from_safe_string(if html_output { html(&t) } else { markdown::escape_prose(&t) })
}

/// `{{ x|code }}`: inline code, verbatim (Markdown code span or HTML `<code>`).
fn filter_code(html_output: bool, v: Value) -> Value {
    let t = value_text(&v);
    if t.is_empty() {
        return Value::from_safe_string(String::new());
    }
    Value::from_safe_string(if html_output { format!("<code>{}</code>", html(&t)) } else { markdown::code_span(&t) })
}

/// `{{ x|fence }}` / `{{ x|fence("python") }}`: a verbatim block.
fn filter_fence(html_output: bool, v: Value, lang: Option<String>) -> Value {
    let t = value_text(&v);
    Value::from_safe_string(if html_output {
        format!("<pre><code>{}</code></pre>", html(&t))
    } else {
        markdown::fenced_block(&t, lang.as_deref().unwrap_or(""))
    })
}

/// `{{ e.citation|cite }}`: ` (`file:line`)` after a claim, nothing without one.
fn filter_cite(html_output: bool, v: Value) -> Value {
    let t = value_text(&v);
    if t.is_empty() {
        return Value::from_safe_string(String::new());
    }
    Value::from_safe_string(if html_output {
        format!(" <span class=\"cite\">(<code>{}</code>)</span>", html(&t))
    } else {
        format!(" ({})", markdown::code_span(&t))
    })
}

fn builtin_name(choice: &TemplateChoice) -> &'static str {
    match choice {
        TemplateChoice::GoogleSre => "google-sre.md.j2",
        TemplateChoice::Atlassian => "atlassian.md.j2",
        TemplateChoice::PagerDuty => "pagerduty.md.j2",
        TemplateChoice::Seed | TemplateChoice::File(_) => "seed.md.j2",
    }
}

fn render(view: &view::View, format: Format, choice: &TemplateChoice) -> Result<String, ReportError> {
    let mut env = environment(format);
    let name: String = match (choice, format) {
        (TemplateChoice::File(path), _) => load_user_template(&mut env, path)?,
        (_, Format::Html) => "report.html.j2".into(),
        (c, _) => builtin_name(c).into(),
    };
    let label = match choice {
        TemplateChoice::File(p) => p.display().to_string(),
        _ => name.clone(),
    };
    let tmpl = env.get_template(&name).map_err(|e| template_error(&label, &e))?;
    let out = tmpl.render(view).map_err(|e| template_error(&label, &e))?;
    // The built-in HTML template carries the policy in its own head.
    let user_html = format == Format::Html && matches!(choice, TemplateChoice::File(_));
    Ok(if user_html { with_csp(out) } else { out })
}

fn load_user_template(env: &mut Environment<'static>, path: &Path) -> Result<String, ReportError> {
    let src = std::fs::read_to_string(path)
        .map_err(|source| ReportError::TemplateRead { path: path.to_path_buf(), source })?;
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "template.md.j2".into());
    // Namespaced so a copy named like a built-in can still include the built-in partials.
    let name = format!("user/{file}");
    env.add_template_owned(name.clone(), src).map_err(|e| template_error(&path.display().to_string(), &e))?;
    Ok(name)
}

fn template_error(label: &str, e: &minijinja::Error) -> ReportError {
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let _ = write!(detail, ": {s}");
        src = s.source();
    }
    ReportError::Template { template: label.to_string(), detail }
}

#[cfg(test)]
mod tests {

    #[test]
    fn html_prose_turns_quoted_names_into_code_and_escapes_the_rest() {
        assert_eq!(
            html_prose("`config/a.py` <b> appears (`<img src=x onerror=alert(1)>`)"),
            "<code>config/a.py</code> &lt;b&gt; appears (<code>&lt;img src=x onerror=alert(1)&gt;</code>)"
        );
        assert_eq!(html_prose("odd ` <i>"), "odd ` &lt;i&gt;");
    }
    use super::*;
    use faultline_model::{
        Citation, ErrorSeries, Fact, FactKind, Factor, FailureSignal, Incident, InfraClass, Lag, Level, Metrics,
        NameKind, NoChange, NoChangeFact, OnsetShape, RankedBelow, SeriesBucket, Shortfall, Signature, SourceKind,
        SourceSummary, Suspect, SuspectFactors, TimelineEntry, TimelineKind, UndoKind, UndoMatch, Verdict,
    };

    fn at(s: &str) -> Instant {
        match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => t.with_timezone(&chrono::Utc),
            Err(e) => panic!("bad fixture time {s}: {e}"),
        }
    }

    fn cite(file: &str, line: u64, text: &str) -> Citation {
        Citation { file: file.into(), line, offset: line * 120, text: text.into() }
    }

    fn entry(time: &str, kind: TimelineKind, source: &str, text: &str, citation: Option<Citation>) -> TimelineEntry {
        TimelineEntry {
            time: at(time),
            kind,
            source: source.into(),
            text: text.into(),
            citation,
            change_id: None,
            suspect: false,
            clock_offset_ms: None,
        }
    }

    fn source(path: &str, kind: SourceKind, format: &str, records: u64, sha: char) -> SourceSummary {
        SourceSummary {
            path: path.into(),
            kind,
            format: format.into(),
            records,
            unparsed: 2,
            first: Some(at("2026-11-24T07:00:00Z")),
            last: Some(at("2026-11-24T12:00:00Z")),
            tz: "+03:00".into(),
            bytes: records * 140,
            sha256: sha.to_string().repeat(64),
            notes: vec![],
            clock_offset_ms: 0,
        }
    }

    const ONSET_LINE: &str = "2026-11-24 11:27:03,114 ERROR auth.login 203.0.113.7 user=alice KeyError: 'SessionStore' rendering <script>alert(1)</script>";
    const TRACEBACK_LINE: &str = "ImportError: cannot import name 'SessionStore' from 'session' (```v2```)";
    const REPORT_TEXT: &str =
        "Ticket from alice@example.com: \"Login gives 500 <img src=x onerror=alert(1)>\", ip 203.0.113.7";

    /// The Archive crash, as the correlator would describe it (times UTC; the
    /// team reads them at +03:00).
    fn archive() -> Analysis {
        let push = cite(
            "deploys.csv",
            3,
            "2026-11-24T11:20:00+03:00,cfg-118,auth,ops@archive.example,Push auth settings: session module v2",
        );
        let traceback = cite("web.log", 1043, TRACEBACK_LINE);
        let onset = cite("web.log", 1042, ONSET_LINE);
        let mut change = entry(
            "2026-11-24T08:20:00Z",
            TimelineKind::Change,
            "deploys.csv",
            "Config push cfg-118 to auth: session module upgraded to v2",
            Some(push.clone()),
        );
        change.change_id = Some("cfg-118".into());
        change.suspect = true;
        let mut older = entry(
            "2026-11-24T07:02:00Z",
            TimelineKind::Change,
            "deploys.csv",
            "Deploy web v1.8.2 (static assets)",
            Some(cite("deploys.csv", 2, "2026-11-24T10:02:00+03:00,web-182,web,dev@archive.example,Deploy web v1.8.2")),
        );
        older.change_id = Some("web-182".into());
        let timeline = vec![
            older,
            change,
            entry(
                "2026-11-24T08:27:03Z",
                TimelineKind::ErrorOnset,
                "web.log",
                "First 500 on POST /login: KeyError: 'SessionStore'",
                Some(onset.clone()),
            ),
            entry(
                "2026-11-24T08:29:00Z",
                TimelineKind::UserReport,
                "support.mbox",
                REPORT_TEXT,
                Some(cite("support.mbox", 88, "Subject: Login gives 500 <img src=x onerror=alert(1)>")),
            ),
            entry(
                "2026-11-24T09:34:00Z",
                TimelineKind::Alert,
                "alerts.json",
                "Page: auth 5xx ratio above 5%",
                Some(cite("alerts.json", 12, "{\"summary\":\"auth 5xx ratio above 5%\"}")),
            ),
            entry(
                "2026-11-24T09:36:00Z",
                TimelineKind::Ack,
                "alerts.json",
                "Acknowledged by the on-call engineer",
                Some(cite("alerts.json", 13, "{\"status\":\"acknowledged\"}")),
            ),
            entry(
                "2026-11-24T10:45:00Z",
                TimelineKind::Fix,
                "deploys.csv",
                "Dependent scripts updated to session v2 (cfg-119)",
                Some(cite(
                    "deploys.csv",
                    4,
                    "2026-11-24T13:45:00+03:00,cfg-119,auth,ops@archive.example,Update dependent scripts",
                )),
            ),
            entry(
                "2026-11-24T10:53:00Z",
                TimelineKind::Restart,
                "web.log",
                "Servers restarted",
                Some(cite("web.log", 5120, "2026-11-24 13:53:00 INFO gunicorn Booting worker with pid 4242")),
            ),
            entry(
                "2026-11-24T11:00:00Z",
                TimelineKind::Communication,
                "support.mbox",
                "Users notified of the fix and asked to retry logging in",
                None,
            ),
            entry(
                "2026-11-24T11:05:00Z",
                TimelineKind::Recovery,
                "web.log",
                "Errors back at baseline; users confirm successful login",
                Some(cite("web.log", 5301, "2026-11-24 14:05:12 INFO auth.login login ok")),
            ),
        ];
        let mut buckets = Vec::new();
        let start = at("2026-11-24T08:00:00Z");
        for i in 0..42 {
            let t = start + chrono::Duration::minutes(5 * i);
            let bad = t >= at("2026-11-24T08:25:00Z") && t < at("2026-11-24T11:05:00Z");
            let errors = if bad { 30 + (i as u64 % 7) } else { 0 };
            buckets.push(SeriesBucket { start: t, total: 200, errors, http_5xx: errors, ..Default::default() });
        }
        Analysis {
            incident: Some(Incident {
                onset: at("2026-11-24T08:27:03Z"),
                recovered: Some(at("2026-11-24T11:05:00Z")),
                onset_citation: onset.clone(),
                recovered_citation: Some(cite("web.log", 5301, "2026-11-24 14:05:12 INFO auth.login login ok")),
                signatures: vec![Signature {
                    id: "9f2c4e1a".into(),
                    template: "KeyError: 'SessionStore' <*>".into(),
                    count: 5210,
                    first: at("2026-11-24T08:27:03Z"),
                    last: at("2026-11-24T11:04:40Z"),
                    new: true,
                    level: Some(Level::Error),
                    endpoints: vec!["POST /login".into()],
                    hosts: vec!["web-1".into()],
                    modules: vec!["auth/login.py".into()],
                    example: onset.clone(),
                }],
                endpoints: vec!["POST /login".into()],
                services: vec!["auth".into()],
                summary: "HTTP 500 on POST /login for logged-out users (KeyError: 'SessionStore')".into(),
            }),
            incidents: Vec::new(),
            suspects: vec![
                Suspect {
                    change_id: "cfg-118".into(),
                    score: 0.97,
                    summary: String::new(),
                    time: at("2026-11-24T08:20:00Z"),
                    evidence: Vec::new(),
                    factors: SuspectFactors { time: 0.9, overlap: 0.8, recovery: 0.9, scope: 1.0 },
                    citations: vec![push.clone(), traceback.clone()],
                    ranked_lower_because: None,
                    service: Some("auth".into()),
                    author: Some("ops@archive.example".into()),
                    files: vec!["config/auth/settings.yaml".into()],
                    message: "Push auth settings: session module v2".into(),
                    verdict: Verdict::Likely,
                    explanation: vec![
                        Factor {
                            ratio: 5.0,
                            fact: Fact::Timing {
                                before_onset_s: 423,
                                lag: Lag::Fast,
                                onset: OnsetShape::Sharp,
                                changes_per_day: 12.0,
                            },
                            citations: vec![onset.clone()],
                        },
                        Factor {
                            ratio: 38.0,
                            fact: Fact::ErrorsName {
                                name: "config/auth/settings.yaml".into(),
                                what: NameKind::File,
                                errors: 5210,
                                in_traces: true,
                            },
                            citations: vec![traceback.clone()],
                        },
                        Factor {
                            ratio: 3.1,
                            fact: Fact::Undone {
                                by: "cfg-119".into(),
                                how: UndoKind::Fix,
                                matched_by: UndoMatch::Files,
                                before_recovery_s: Some(1200),
                                before_onset_s: None,
                            },
                            citations: vec![cite("deploys.csv", 4, "2026-11-24T13:45:00+03:00,cfg-119,auth,ops")],
                        },
                    ],
                    ranked_below: None,
                },
                Suspect {
                    change_id: "web-182".into(),
                    score: 0.02,
                    summary: String::new(),
                    time: at("2026-11-24T07:02:00Z"),
                    evidence: Vec::new(),
                    factors: SuspectFactors { time: 0.3, overlap: 0.0, recovery: 0.0, scope: 0.5 },
                    citations: vec![cite(
                        "deploys.csv",
                        2,
                        "2026-11-24T10:02:00+03:00,web-182,web,dev@archive.example,Deploy web v1.8.2",
                    )],
                    ranked_lower_because: None,
                    service: Some("web".into()),
                    author: Some("dev@archive.example".into()),
                    files: vec!["static/app.css".into()],
                    message: "Deploy web v1.8.2".into(),
                    verdict: Verdict::Unlikely,
                    explanation: vec![
                        Factor {
                            ratio: 0.06,
                            fact: Fact::Timing {
                                before_onset_s: 85 * 60 + 3,
                                lag: Lag::Latent,
                                onset: OnsetShape::Sharp,
                                changes_per_day: 12.0,
                            },
                            citations: vec![onset.clone()],
                        },
                        Factor { ratio: 0.6, fact: Fact::NotUndone { while_undone: None }, citations: vec![] },
                        Factor {
                            ratio: 0.3,
                            fact: Fact::Scope { service: "web".into(), matched: None, failing: vec!["auth".into()] },
                            citations: vec![],
                        },
                    ],
                    ranked_below: Some(RankedBelow {
                        top: "cfg-118".into(),
                        shortfalls: vec![
                            Shortfall { kind: FactKind::ErrorsName, ratio: 1.0, top_ratio: 38.0 },
                            Shortfall { kind: FactKind::Timing, ratio: 0.06, top_ratio: 5.0 },
                        ],
                    }),
                },
            ],
            timeline,
            metrics: Metrics {
                time_to_detect_s: Some(67 * 60 - 3),
                time_to_first_report_s: Some(117),
                time_to_recover_s: Some(2 * 3600 + 38 * 60 - 3),
                errors: 5210,
                affected_clients: 312,
                peak_errors_per_minute: 48,
                user_reports: 17,
            },
            lead: None,
            no_change: None,
            series: ErrorSeries { bucket_seconds: 300, buckets },
            sources: vec![
                source("web.log", SourceKind::Log, "python-logging", 52_000, 'a'),
                source("deploys.csv", SourceKind::Deploys, "deploys-csv", 4, 'b'),
                source("support.mbox", SourceKind::Support, "mbox", 23, 'c'),
                source("alerts.json", SourceKind::Alerts, "pagerduty-json", 14, 'd'),
            ],
            ..Default::default()
        }
    }

    fn plus3() -> Zone {
        match Zone::parse("+03:00") {
            Ok(z) => z,
            Err(e) => panic!("{e}"),
        }
    }

    fn opts(format: Format, template: TemplateChoice) -> ExportOptions {
        ExportOptions {
            format,
            template,
            display_zone: plus3(),
            redact: false,
            title: Some("The Archive crash incident report".into()),
            generated_at: Some(at("2026-11-25T09:00:00Z")),
        }
    }

    fn text(a: &Analysis, o: &ExportOptions) -> String {
        match export(a, o) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => panic!("not UTF-8: {e}"),
            },
            Err(e) => panic!("export failed: {e}"),
        }
    }

    /// The text of the section that starts with `heading`, up to the next `## `.
    fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
        let start = doc.find(heading).unwrap_or_else(|| panic!("no {heading:?} in:\n{doc}"));
        let rest = &doc[start + heading.len()..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        &rest[..end]
    }

    /// The document without its fenced code blocks (where raw text is inert).
    fn outside_code_blocks(md: &str) -> String {
        let mut out = String::new();
        let mut fence: Option<String> = None;
        for line in md.lines() {
            let ticks: String = line.chars().take_while(|c| *c == '`').collect();
            match &fence {
                None if ticks.len() >= 3 => fence = Some(ticks),
                Some(f) if line.trim_end() == f.as_str() => fence = None,
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
                Some(_) => {}
            }
        }
        out
    }

    /// `tag` occurs unescaped (`\<img` is Markdown for a literal `<img`).
    fn live_tag(md: &str, tag: &str) -> bool {
        md.match_indices(tag).any(|(i, _)| !md[..i].ends_with('\\'))
    }

    #[test]
    fn seed_markdown_reads_like_the_house_postmortem() {
        let md = text(&archive(), &opts(Format::Markdown, TemplateChoice::Seed));
        let mut last = 0;
        for h in [
            "# The Archive crash incident report",
            "## Issue summary",
            "## Timeline (UTC+3)",
            "## Root cause",
            "## Resolution and recovery",
            "## Corrective and preventive measures",
            "## Other suspects",
            "## Evidence",
        ] {
            let pos = md.find(h).unwrap_or_else(|| panic!("missing {h:?} in:\n{md}"));
            assert!(pos >= last, "{h} out of order");
            last = pos;
        }
        let summary = section(&md, "## Issue summary");
        assert!(summary.contains("Starting at 11:27 on 2026-11-24 (UTC+3)"), "{summary}");
        assert!(summary.contains("lasted 2 h 38 min"), "{summary}");
        assert!(
            summary.contains("5,210 errors") && summary.contains("312 clients") && summary.contains("17 user reports"),
            "{summary}"
        );

        let timeline = section(&md, "## Timeline (UTC+3)");
        assert!(timeline.contains("\n- 11:20: **Suggested root cause:** Config push cfg-118"), "{timeline}");
        assert!(timeline.contains("\n- 12:34: Page: auth 5xx ratio above 5%"), "{timeline}");
        assert!(timeline.contains("(`deploys.csv:3`)"), "{timeline}");
        // Hostile text in prose is escaped, not live HTML.
        assert!(timeline.contains("\\<img src=x onerror=alert(1)\\>"), "{timeline}");
        assert!(!live_tag(&outside_code_blocks(&md), "<img"), "{md}");
        assert!(!live_tag(&outside_code_blocks(&md), "<script"), "{md}");

        let cause = section(&md, "## Root cause");
        assert!(cause.contains("Suggested by Faultline — confirm before publishing"), "{cause}");
        assert!(cause.contains("`cfg-118`") && cause.contains("likely root cause, 0.97"), "{cause}");
        assert!(
            cause.contains(
                "- `config/auth/settings.yaml`, changed by it, appears in 5210 tracebacks (first: web.log:1043): ×38"
            ),
            "{cause}"
        );
        assert!(cause.contains("landed 20 min before the last error: ×3.1"), "{cause}");
        assert!(!cause.contains("No change"));

        let resolution = section(&md, "## Resolution and recovery");
        assert!(resolution.contains("At 13:45, dependent scripts updated"), "{resolution}");
        assert!(resolution.contains("At 13:53, servers restarted"), "{resolution}");
        assert!(resolution.contains("Time to detect (onset → first alert): 67 min"), "{resolution}");
        assert!(resolution.contains("Time to recover (onset → baseline): 2 h 38 min"), "{resolution}");

        let measures = section(&md, "## Corrective and preventive measures");
        assert!(
            measures.contains("the first page came 67 min after the first 500: alert on the 5xx ratio"),
            "{measures}"
        );
        assert!(measures.contains("users noticed before monitoring did"), "{measures}");
        assert!(measures.contains("review and canary config pushes"), "{measures}");
        assert!(measures.contains("took effect only after the restart at 13:53"), "{measures}");

        let others = section(&md, "## Other suspects");
        assert!(others.contains("2. 10:02, change `web-182`"), "{others}");
        assert!(others.contains("(unlikely, 0.02)"), "{others}");
        assert!(
            others.contains(
                "Ranked below cfg-118: none of its files, modules or identifiers appear in the incident's errors; its timing fits less well (×0.06 vs ×5)."
            ),
            "{others}"
        );

        let evidence = section(&md, "## Evidence");
        assert!(evidence.contains(&format!("### `web.log:1042`\n\nCited for: onset, signature (5,210 errors), timeline 11:27.\n\n```\n{ONSET_LINE}\n```")), "{evidence}");
        // A line holding a run of three backticks gets a longer fence.
        assert!(evidence.contains(&format!("````\n{TRACEBACK_LINE}\n````")), "{evidence}");
        assert!(
            evidence
                .contains(&format!("| web.log | log | python-logging | 52000 | 2 | +03:00 | `{}` |", "a".repeat(64))),
            "{evidence}"
        );
    }

    #[test]
    fn timeline_shows_dates_when_the_incident_spans_days() {
        let mut a = archive();
        // Move everything 13 h later: 11:20 at +03:00 becomes 00:20 the next day.
        let shift = chrono::Duration::hours(13);
        for e in &mut a.timeline {
            e.time += shift;
        }
        if let Some(first) = a.timeline.first_mut() {
            first.time -= chrono::Duration::hours(2);
        }
        let md = text(&a, &opts(Format::Markdown, TemplateChoice::Seed));
        let timeline = section(&md, "## Timeline (UTC+3)");
        assert!(timeline.contains("\n- 2026-11-24 21:02: Deploy web v1.8.2"), "{timeline}");
        assert!(timeline.contains("\n- 2026-11-25 00:20: **Suggested root cause:**"), "{timeline}");
    }

    #[test]
    fn every_template_has_its_public_sections() {
        let a = archive();
        let cases: [(TemplateChoice, &[&str]); 3] = [
            (
                TemplateChoice::GoogleSre,
                &[
                    "## Summary",
                    "## Impact",
                    "## Root Causes",
                    "## Trigger",
                    "## Resolution",
                    "## Detection",
                    "## Action Items",
                    "## Lessons Learned",
                    "## Timeline",
                ],
            ),
            (
                TemplateChoice::Atlassian,
                &[
                    "## Incident summary",
                    "## Leadup",
                    "## Fault",
                    "## Impact",
                    "## Detection",
                    "## Response",
                    "## Recovery",
                    "## Timeline",
                    "## Five whys",
                ],
            ),
            (
                TemplateChoice::PagerDuty,
                &[
                    "## Overview",
                    "## What Happened",
                    "## Root Causes",
                    "## Resolution",
                    "## Impact",
                    "## Responders",
                    "## Action Items",
                    "## Messaging",
                ],
            ),
        ];
        for (choice, headings) in cases {
            let md = text(&a, &opts(Format::Markdown, choice.clone()));
            for h in headings {
                assert!(md.lines().any(|l| l.starts_with(h)), "{choice:?} lacks {h}:\n{md}");
            }
            // The facts are the same whatever the layout.
            assert!(md.contains("11:20"), "{choice:?}");
            assert!(md.contains("Suggested by Faultline — confirm before publishing"), "{choice:?}");
            assert!(md.contains("## Evidence") && md.contains(&"d".repeat(64)), "{choice:?}");
            assert!(!live_tag(&outside_code_blocks(&md), "<img"), "{choice:?} leaks raw HTML");
        }
        let sre = text(&a, &opts(Format::Markdown, TemplateChoice::GoogleSre));
        assert!(sre.contains("| Detection: the first page came 67 min after the first 500"), "{sre}");
        assert!(section(&sre, "## Trigger").contains("Push auth settings: session module v2 at 11:20 (cfg-118)."));
        let atl = text(&a, &opts(Format::Markdown, TemplateChoice::Atlassian));
        assert!(section(&atl, "## Five whys").contains("2. Why? Because of change `cfg-118` at 11:20"), "{atl}");
        let pd = text(&a, &opts(Format::Markdown, TemplateChoice::PagerDuty));
        assert!(section(&pd, "## Messaging").contains("Between 11:27 and 14:05 (UTC+3)"), "{pd}");
    }

    /// Every tag in `html`, as `<name ...>` text.
    fn tags(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            rest = &rest[i..];
            let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
            out.push(rest[..end].to_ascii_lowercase());
            rest = &rest[end..];
        }
        out
    }

    #[test]
    fn html_is_self_contained_and_escapes_every_log_string() {
        let html = text(&archive(), &opts(Format::Html, TemplateChoice::Seed));
        assert!(html.starts_with("<!DOCTYPE html>"));
        for tag in tags(&html) {
            assert!(!tag.starts_with("<script") && !tag.starts_with("<img"), "live tag from data: {tag}");
            assert!(!tag.contains("onerror"), "event handler in a tag: {tag}");
            assert!(!tag.contains("http://") && !tag.contains("https://"), "network reference: {tag}");
            assert!(!tag.starts_with("<link") && !tag.starts_with("<iframe") && !tag.starts_with("<object"), "{tag}");
        }
        assert!(!html.contains("url("), "CSS must not load anything");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "hostile text shown as text");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;"), "the log line's script tag is shown as text");
        assert!(html.contains("<svg") && html.contains("class=\"marker suspect\""));
        assert!(
            html.contains("Timeline (UTC+3)")
                && html.contains("<td><time datetime=\"2026-11-24T08:20:00Z\">11:20</time></td>")
        );
        assert!(html.contains("@media print"));
        assert!(html.contains("Suggested by Faultline — confirm before publishing"));
        assert!(html.contains(&"c".repeat(64)));
    }

    #[test]
    fn csv_parses_back_to_the_timeline() {
        let a = archive();
        let bytes = match export(&a, &opts(Format::Csv, TemplateChoice::Seed)) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let headers = r.headers().map(|h| h.iter().map(str::to_string).collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(headers, ["time_utc", "time_display", "kind", "source", "text", "citation"]);
        let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), a.timeline.len());
        let report =
            rows.iter().find(|r| r.get(2) == Some("user_report")).unwrap_or_else(|| panic!("no user report row"));
        assert_eq!(report.get(0), Some("2026-11-24T08:29:00Z"));
        assert_eq!(report.get(1), Some("2026-11-24T11:29:00+03:00"));
        // Commas and quotes inside the text survive the round trip.
        assert_eq!(report.get(4), Some(REPORT_TEXT));
        assert_eq!(report.get(5), Some("support.mbox:88"));
        let comm =
            rows.iter().find(|r| r.get(2) == Some("communication")).unwrap_or_else(|| panic!("no communication row"));
        assert_eq!(comm.get(5), Some(""));
    }

    #[test]
    fn csv_cells_that_spreadsheets_would_execute_stay_text() {
        let mut a = archive();
        if let Some(e) = a.timeline.first_mut() {
            e.text = "=HYPERLINK(\"http://evil\",\"x\")".into();
        }
        let out = text(&a, &opts(Format::Csv, TemplateChoice::Seed));
        assert!(out.contains("\"'=HYPERLINK("), "{out}");
    }

    #[test]
    fn redaction_masks_consistently_everywhere_and_says_so() {
        let a = archive();
        let mut o = opts(Format::Markdown, TemplateChoice::Seed);
        o.redact = true;
        let md = text(&a, &o);
        for secret in ["203.0.113.7", "alice@example.com", "ops@archive.example", "user=alice"] {
            assert!(!md.contains(secret), "{secret} leaked:\n{md}");
        }
        assert!(md.contains("This report was redacted"), "{md}");
        // The IP appears in the timeline text and in the onset record: one mask for both.
        assert!(section(&md, "## Timeline (UTC+3)").contains("ip ip-1"), "{md}");
        assert!(section(&md, "## Evidence").contains("auth.login ip-1 user=user-1 KeyError"), "{md}");
        // Input hashes and change ids are identifiers, not secrets.
        assert!(md.contains(&"a".repeat(64)) && md.contains("`cfg-118`"));

        let masked = redact(&a);
        let onset_text = masked.incident.as_ref().map(|i| i.onset_citation.text.clone()).unwrap_or_default();
        let report = masked
            .timeline
            .iter()
            .find(|e| e.kind == TimelineKind::UserReport)
            .map(|e| e.text.clone())
            .unwrap_or_default();
        assert!(onset_text.contains("ip-1") && report.contains("ip-1"), "{onset_text} / {report}");
        // Each email has its own mask, the same in every field and every export.
        let alice =
            report.strip_prefix("Ticket from ").and_then(|r| r.split(':').next()).unwrap_or_default().to_string();
        let ops = masked.suspects.first().and_then(|s| s.author.clone()).unwrap_or_default();
        let dev = masked.suspects.get(1).and_then(|s| s.author.clone()).unwrap_or_default();
        assert!(
            alice.starts_with("email-") && ops.starts_with("email-") && dev.starts_with("email-"),
            "{alice} {ops} {dev}"
        );
        assert!(alice != ops && ops != dev && alice != dev);
        assert!(md.contains(&format!("Ticket from {alice}")), "{md}");
        assert!(md.contains(&format!("author {ops})")), "{md}");
        let push =
            masked.suspects.first().and_then(|s| s.citations.first()).map(|c| c.text.clone()).unwrap_or_default();
        assert!(push.contains(&format!(",{ops},")), "{push}");
        assert!(md.contains("Masked: 3 email addresses, 1 IP address, 1 user id."), "{md}");

        // CSV and JSON carry the same masks; JSON says it was redacted and still parses as the contract.
        let mut oj = o.clone();
        oj.format = Format::Json;
        let json = text(&a, &oj);
        assert!(!json.contains("203.0.113.7") && json.contains("\"redacted\": true"));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["masked"], serde_json::json!({"email": 3, "ip": 1, "user": 1}), "counts per kind in JSON");
        let back: Analysis = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.timeline.len(), a.timeline.len());
        let mut oc = o.clone();
        oc.format = Format::Csv;
        let csv_out = text(&a, &oc);
        assert!(
            !csv_out.contains("alice@example.com") && csv_out.contains(&format!("Ticket from {alice}")),
            "{csv_out}"
        );
    }

    #[test]
    fn a_partial_analysis_says_so_in_every_layout_and_never_claims_no_change_silently() {
        let mut a = archive();
        a.suspects.clear();
        for e in &mut a.timeline {
            e.suspect = false;
        }
        a.partial = true;
        a.unread = vec![faultline_model::UnreadInput {
            path: "/case/deploys/argocd.json".into(),
            kind: SourceKind::Deploys,
            cause: faultline_model::UnreadCause::ReadFailed,
            format: Some("argocd-json".into()),
            reason: "/case/deploys/argocd.json:1: not JSON: expected a JSON value".into(),
            unparsed: 212,
        }];
        for template in
            [TemplateChoice::Seed, TemplateChoice::GoogleSre, TemplateChoice::Atlassian, TemplateChoice::PagerDuty]
        {
            let md = text(&a, &opts(Format::Markdown, template.clone()));
            assert!(md.contains("**Partial analysis.**"), "{template:?}: {md}");
            assert!(md.contains("could not be read as argocd"), "{template:?}");
            assert!(md.contains("a change source could not be read"), "{template:?}");
            assert!(!md.contains("No change in the inputs explains this incident."), "{template:?}");
        }
        let html = text(&a, &opts(Format::Html, TemplateChoice::Seed));
        assert!(html.contains("<strong>Partial analysis.</strong>"), "{html}");
        assert!(html.contains("212 unparsed lines"));
        let json: serde_json::Value =
            serde_json::from_str(&text(&a, &opts(Format::Json, TemplateChoice::Seed))).unwrap();
        assert_eq!(json["partial"], true);
        assert_eq!(json["unread"][0]["cause"], "read_failed");
        // The CSV opens with the partial notice and the unread input, before the timeline.
        let csv_out = text(&a, &opts(Format::Csv, TemplateChoice::Seed));
        let mut r = csv::Reader::from_reader(csv_out.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows.len(), a.timeline.len() + 2, "{csv_out}");
        assert_eq!(&rows[0][2], "partial");
        assert!(rows[0][4].starts_with("Partial analysis. This analysis ran without an input"), "{csv_out}");
        assert_eq!(&rows[1][2], "unread");
        assert_eq!(&rows[1][3], "/case/deploys/argocd.json");
        assert!(
            rows[1][4].contains("could not be read as argocd-json") && rows[1][4].contains("212 unparsed lines"),
            "{csv_out}"
        );
        // The standalone SVG chart says so above the plot; the chart inlined in the HTML report does not repeat it.
        let svg = text(&a, &opts(Format::Svg, TemplateChoice::Seed));
        assert!(svg.contains("Partial analysis. This analysis ran without an input"), "{svg}");
        assert!(svg.contains("/case/deploys/argocd.json: could not be read as argocd-json"), "{svg}");
        assert!(svg.contains("(partial analysis: some inputs could not be read)</title>"), "{svg}");
        assert_eq!(html.matches("Partial analysis.").count(), 1, "{html}");
        // A complete analysis says nothing of the kind.
        let md = text(&archive(), &opts(Format::Markdown, TemplateChoice::Seed));
        assert!(!md.contains("Partial analysis"));
        for format in [Format::Csv, Format::Svg] {
            let out = text(&archive(), &opts(format, TemplateChoice::Seed));
            assert!(!out.contains("Partial analysis") && !out.contains("unread"), "{format:?}: {out}");
        }
    }

    #[test]
    fn without_a_named_suspect_the_report_names_the_best_one_and_the_lead() {
        let mut a = archive();
        a.suspects.retain(|s| s.change_id == "web-182");
        if let Some(s) = a.suspects.first_mut() {
            s.score = 0.32;
            s.ranked_below = None;
            s.explanation.insert(
                0,
                Factor {
                    ratio: 4.2,
                    fact: Fact::OwnFailure {
                        name: "web".into(),
                        signal: FailureSignal::RestartLoop,
                        lines: 6,
                        after_change_s: 95,
                        before: 0,
                    },
                    citations: vec![cite("kubelet.log", 77, "Back-off restarting failed container web")],
                },
            );
        }
        for e in &mut a.timeline {
            e.suspect = false;
        }
        a.no_change = Some(NoChange {
            posterior: 0.6,
            best: Some("web-182".into()),
            facts: vec![NoChangeFact::Infrastructure {
                class: InfraClass::Disk,
                share: 0.9,
                example: cite("syslog", 88, "No space left on device"),
            }],
            signature: None,
            onset: cite("web.log", 1042, ONSET_LINE),
        });
        let md = text(&a, &opts(Format::Markdown, TemplateChoice::Seed));
        let cause = section(&md, "## Root cause");
        let said = "No change is likely enough to name (best: web-182, 0.32 — `web` failed in its own words 1 min 35 s after it: 6 restart-loop lines (first: kubelet.log:77): ×4.2).";
        assert!(cause.contains(said), "{cause}");
        assert!(
            cause.contains("Strongest lead: 90 % of the incident's errors look like a disk failure (syslog:88)"),
            "{cause}"
        );
        assert!(!cause.contains("explains"), "{cause}");
        assert!(!cause.contains("Suggested by Faultline — confirm"), "{cause}");
        // The weak suspect is still listed, with its verdict.
        assert!(section(&md, "## Other suspects").contains(
            "`web-182`: Deploy web v1.8.2 (web): 85 min before onset; it failed in its own words (possible, 0.32)"
        ));
        assert!(!section(&md, "## Corrective and preventive measures").contains("config pushes"));
        let html = text(&a, &opts(Format::Html, TemplateChoice::Seed));
        assert!(html.contains("No change is likely enough to name (best: web-182, 0.32"));
        let sre = text(&a, &opts(Format::Markdown, TemplateChoice::GoogleSre));
        assert!(section(&sre, "## Trigger").contains("Unknown. No change is likely enough to name"));
        let mut json = a.clone();
        fill_text(&mut json);
        let lead = json.lead.unwrap_or_default();
        assert!(
            lead.starts_with(said) && lead.contains("Start from the first incident error at web.log:1042."),
            "{lead}"
        );
        assert_eq!(json.suspects.first().map(|s| s.evidence.len()), Some(4), "one line per factor");
    }

    #[test]
    fn an_empty_analysis_still_exports() {
        let a = Analysis::default();
        for format in [Format::Markdown, Format::Html, Format::Json, Format::Csv, Format::Svg] {
            for template in
                [TemplateChoice::Seed, TemplateChoice::GoogleSre, TemplateChoice::Atlassian, TemplateChoice::PagerDuty]
            {
                let out = export(&a, &opts(format, template.clone()));
                assert!(out.is_ok(), "{format:?} {template:?}: {:?}", out.err());
            }
        }
        let md = text(&a, &opts(Format::Markdown, TemplateChoice::Seed));
        assert!(md.contains("No incident was found in the inputs"));
    }

    #[test]
    fn html_escaping_follows_the_format_not_the_template_name() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // Named like Markdown, turning escaping off, with no policy of its own.
        let path = dir.path().join("ours.md.j2");
        std::fs::write(
            &path,
            "<!DOCTYPE html>\n<h1>{{ title }}</h1>{% autoescape false %}{% for e in timeline %}<p>{{ e.text }} {{ e.text|md }}</p>{% endfor %}{% endautoescape %}",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let html = text(&archive(), &opts(Format::Html, TemplateChoice::File(path)));
        assert!(html.contains("&lt;img") && !html.contains("<img") && !html.contains("<script"), "{html}");
        // The policy comes first, right after the doctype: it governs all the template wrote.
        let csp = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{HTML_CSP}\">");
        assert!(html.starts_with(&format!("<!DOCTYPE html>\n{csp}\n<h1>")), "{html}");
        // A template with no doctype gets the policy as its first line.
        let bare = dir.path().join("bare.html.j2");
        std::fs::write(&bare, "<p>{{ lead }}</p>").unwrap_or_else(|e| panic!("{e}"));
        assert!(text(&archive(), &opts(Format::Html, TemplateChoice::File(bare))).starts_with(&csp));
        // The built-in HTML report carries it in its own head, once.
        let builtin = text(&archive(), &opts(Format::Html, TemplateChoice::Seed));
        assert_eq!(builtin.matches("Content-Security-Policy").count(), 1);
    }

    #[test]
    fn a_user_template_file_renders_with_the_same_view_and_escaping() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("our-postmortem.md.j2");
        let src = "# {{ title }}\n\nOnset {{ incident.onset_when }} ({{ zone }}).\n\n{% for e in timeline %}\n* {{ e.when }} {{ e.text }}{{ e.citation|cite }}\n{% endfor %}\n\n{% include \"evidence.md.j2\" %}\n";
        std::fs::write(&path, src).unwrap_or_else(|e| panic!("{e}"));
        let md = text(&archive(), &opts(Format::Markdown, TemplateChoice::parse(&path.to_string_lossy())));
        assert!(md.starts_with("# The Archive crash incident report\n\nOnset 11:27 (UTC+3)."), "{md}");
        assert!(md.contains("\n* 11:20 Config push cfg-118"), "{md}");
        assert!(
            md.contains("\\<img src=x") && !live_tag(&outside_code_blocks(&md), "<img"),
            "user templates are escaped too:\n{md}"
        );
        assert!(md.contains("## Evidence"));

        // An HTML copy gets HTML escaping.
        let hpath = dir.path().join("mine.html.j2");
        std::fs::write(&hpath, "<ul>{% for e in timeline %}<li>{{ e.text }}</li>{% endfor %}</ul>")
            .unwrap_or_else(|e| panic!("{e}"));
        let html = text(&archive(), &opts(Format::Html, TemplateChoice::File(hpath)));
        assert!(html.contains("&lt;img") && !html.contains("<img"), "{html}");
        // Faultline's filters never bypass the escaping of the template they run in.
        let fpath = dir.path().join("filters.html.j2");
        std::fs::write(&fpath, "{% for e in timeline %}{{ e.text|md }}{{ e.text|code }}{{ e.text|fence }}{{ e.citation|cite }}{% endfor %}").unwrap_or_else(|e| panic!("{e}"));
        let html = text(&archive(), &opts(Format::Html, TemplateChoice::File(fpath)));
        assert!(html.contains("<code>") && html.contains("&lt;img") && !html.contains("<img"), "{html}");

        // Broken and missing templates are errors that name the file.
        let bad = dir.path().join("broken.md.j2");
        std::fs::write(&bad, "{% for e in timeline %}\nno end").unwrap_or_else(|e| panic!("{e}"));
        let err = export(&archive(), &opts(Format::Markdown, TemplateChoice::File(bad)))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("broken.md.j2"), "{err}");
        let missing = dir.path().join("nope.md.j2");
        let err = export(&archive(), &opts(Format::Markdown, TemplateChoice::File(missing))).err();
        assert!(matches!(err, Some(ReportError::TemplateRead { .. })), "{err:?}");
    }

    #[test]
    fn svg_export_and_chart_api() {
        let svg = text(&archive(), &opts(Format::Svg, TemplateChoice::Seed));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("cfg-118 (suspect)"));
        // web-182 (07:02 UTC) lies before the error series: it stays in the
        // timeline table and does not squeeze the chart.
        assert!(!svg.contains("web-182"));
        assert!(svg.contains("class=\"band\"") && svg.contains("incident 11:27–14:05"));
        assert!(svg.contains(">12:00<"), "ticks at +03:00 wall-clock hours");
        let small = chart_svg(&archive(), &Zone::Utc, 400, 200);
        assert!(small.contains("time (UTC)") && small.contains(">09:00<"), "{small}");
    }

    #[test]
    fn format_and_template_names() {
        assert_eq!(Format::parse("MD").ok(), Some(Format::Markdown));
        assert_eq!(Format::parse("markdown").ok(), Some(Format::Markdown));
        assert_eq!("svg".parse::<Format>().ok(), Some(Format::Svg));
        assert!(matches!(Format::parse("pdf"), Err(ReportError::UnknownFormat(_))));
        assert_eq!(TemplateChoice::parse("google-sre"), TemplateChoice::GoogleSre);
        assert_eq!(TemplateChoice::parse("pagerduty"), TemplateChoice::PagerDuty);
        assert_eq!(TemplateChoice::parse("atlassian"), TemplateChoice::Atlassian);
        assert_eq!(TemplateChoice::parse("seed"), TemplateChoice::Seed);
        assert_eq!(TemplateChoice::parse("./pm.md.j2"), TemplateChoice::File(PathBuf::from("./pm.md.j2")));
        assert!(builtin_template("seed.md.j2").is_some_and(|s| s.contains("## Timeline ({{ zone }})")));
    }
}
