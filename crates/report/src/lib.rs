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
mod template;
mod view;

pub use explain::fill_text;
pub use redact::SecretKind;
pub use template::HTML_CSP;
pub use view::unread_line;

use faultline_model::time::Zone;
use faultline_model::{Analysis, Instant};
use std::borrow::Cow;
use std::path::PathBuf;

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
            template::render(&view, opts.format, &opts.template).map(String::into_bytes)
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

/// [`redact`], with how many distinct values of each kind it masked.
pub fn redact_counted(analysis: &Analysis) -> (Analysis, Vec<(SecretKind, usize)>) {
    let mut r = redact::Redactor::for_analysis(analysis);
    let masked = r.analysis(analysis);
    (masked, r.counts())
}

/// A redacted JSON export: the contract plus what says it is redacted and
/// what it masked, so a consumer can tell it from the original.
#[derive(serde::Serialize)]
struct RedactedJson<'a> {
    #[serde(flatten)]
    analysis: &'a Analysis,
    redacted: bool,
    redaction: &'a str,
    /// Masks per kind of secret (`ip`, `email`, …).
    masked: std::collections::BTreeMap<&'static str, usize>,
}

fn json(analysis: &Analysis, note: Option<&str>, counts: &[(SecretKind, usize)]) -> Result<Vec<u8>, ReportError> {
    Ok(match note {
        None => serde_json::to_vec_pretty(analysis)?,
        Some(note) => serde_json::to_vec_pretty(&RedactedJson {
            analysis,
            redacted: true,
            redaction: note,
            masked: counts.iter().map(|(k, n)| (k.prefix(), *n)).collect(),
        })?,
    })
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
            w.write_record(["", "", "unread", &defuse_formula(&u.path), &defuse_formula(&unread_line(u)), ""])?;
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

#[cfg(test)]
mod tests;
