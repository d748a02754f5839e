//! The postmortem's "what is new in the incident" section and the clock
//! offsets the analysis suggests, as template variables.

use faultline_model::clock::format_offset;
use faultline_model::{Citation, ClockMethod, ClockSuggestion, Instant, Novelty, NoveltyItem};
use serde::Serialize;

/// Items per list a report shows (the JSON holds up to 20).
const SHOWN: usize = 5;

#[derive(Debug, Serialize)]
pub(crate) struct NoveltyView {
    /// `10:27–12:05`, in the display zone.
    pub incident_window: String,
    pub baseline_window: String,
    /// The analyst chose the baseline.
    pub baseline_given: bool,
    /// One sentence on the baseline: what it holds, or why nothing can be compared.
    pub baseline_note: String,
    pub comparable: bool,
    /// Sources left out because they were not logging during the baseline.
    pub unobserved: Vec<String>,
    /// Non-empty lists only, in the contract's order.
    pub lists: Vec<NoveltyListView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct NoveltyListView {
    /// `Signatures`, `Endpoints`, `Hosts`, `Status codes`, `Clients`.
    pub label: &'static str,
    pub items: Vec<NoveltyItemView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct NoveltyItemView {
    pub value: String,
    pub incident: u64,
    pub baseline: u64,
    /// `new`, `×12.5`, or empty when not comparable.
    pub change: String,
    pub rise: f64,
    pub new: bool,
    pub rose: bool,
    pub example: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ClockView {
    pub source: String,
    pub reference: String,
    /// `+40s`.
    pub offset: String,
    pub current_offset: String,
    /// How it was estimated, in a sentence.
    pub how: String,
    /// The flag that applies it.
    pub flag: String,
    pub citations: Vec<String>,
}

pub(crate) fn novelty(n: &Novelty, when: &dyn Fn(Instant) -> String) -> NoveltyView {
    let window = |a: Instant, b: Instant| format!("{} – {}", when(a), when(b));
    let baseline_note = if !n.comparable {
        "The baseline holds no records (no traffic, or outside the inputs): nothing can be called new; items are listed by incident count.".to_string()
    } else {
        format!(
            "{} records and {} errors in the baseline ({} s covered), {} records and {} errors in the incident ({} s).",
            n.baseline_records,
            n.baseline_errors,
            n.baseline_seconds,
            n.incident_records,
            n.incident_errors,
            n.incident_seconds
        )
    };
    let lists = [
        ("Signatures", &n.signatures),
        ("Endpoints", &n.endpoints),
        ("Hosts", &n.hosts),
        ("Status codes", &n.status_codes),
        ("Clients", &n.clients),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .map(|(label, items)| NoveltyListView { label, items: items.iter().take(SHOWN).map(item).collect() })
    .collect();
    NoveltyView {
        incident_window: window(n.incident_from, n.incident_to),
        baseline_window: window(n.baseline_from, n.baseline_to),
        baseline_given: n.baseline_given,
        baseline_note,
        comparable: n.comparable,
        unobserved: n
            .unobserved_sources
            .iter()
            .map(|u| {
                format!("{} ({} errors in the incident; no records during the baseline)", u.source, u.incident_errors)
            })
            .collect(),
        lists,
    }
}

fn item(i: &NoveltyItem) -> NoveltyItemView {
    let change = match (i.new, i.ratio) {
        (true, _) => "new".to_string(),
        (false, Some(r)) => format!("×{r}"),
        (false, None) => String::new(),
    };
    NoveltyItemView {
        value: i.value.clone(),
        incident: i.incident,
        baseline: i.baseline,
        change,
        rise: i.rise,
        new: i.new,
        rose: i.rose,
        example: i.example.as_ref().map(Citation::location),
    }
}

pub(crate) fn clock(c: &ClockSuggestion) -> ClockView {
    let shift = format_offset(c.median_shift_ms);
    let how = match c.method {
        ClockMethod::RequestIds => format!(
            "{} request ids logged by both sources put it {shift} from the reference (median; spread {} ms){}",
            c.pairs,
            c.spread_ms,
            c.example_id.as_ref().map(|id| format!(", e.g. {id}")).unwrap_or_default()
        ),
        ClockMethod::ErrorBursts => format!(
            "its error burst runs {shift} from the reference's ({} matched quantiles, spread {} ms)",
            c.pairs, c.spread_ms
        ),
    };
    ClockView {
        source: c.source.clone(),
        reference: c.reference.clone(),
        offset: format_offset(c.offset_ms),
        current_offset: format_offset(c.current_offset_ms),
        how,
        flag: format!("--offset {}={}", c.source, format_offset(c.offset_ms)),
        citations: c.citations.iter().map(Citation::location).collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::{export, ExportOptions, Format, TemplateChoice};
    use faultline_model::time::Zone;
    use faultline_model::{
        Analysis, Citation, ClockMethod, ClockSuggestion, Instant, Novelty, NoveltyItem, TimelineEntry, TimelineKind,
    };

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&chrono::Utc)).unwrap_or_default()
    }

    fn item(value: &str, incident: u64, baseline: u64, ratio: Option<f64>, rise: f64) -> NoveltyItem {
        NoveltyItem {
            value: value.into(),
            incident,
            baseline,
            ratio,
            rise,
            new: baseline == 0,
            rose: rise > 1.0,
            example: Some(Citation { file: "nginx/access.log".into(), line: 9120, offset: 0, text: String::new() }),
            client_id: None,
        }
    }

    fn analysis() -> Analysis {
        Analysis {
            timeline: vec![TimelineEntry {
                time: at("2026-11-17T08:29:40Z"),
                kind: TimelineKind::UserReport,
                source: "support/social-tickets.csv".into(),
                text: "User report: cannot log in".into(),
                citation: None,
                change_id: None,
                suspect: false,
                clock_offset_ms: Some(40_000),
            }],
            novelty: Some(Novelty {
                incident_from: at("2026-11-17T08:27:00Z"),
                incident_to: at("2026-11-17T11:05:00Z"),
                baseline_from: at("2026-11-17T05:49:00Z"),
                baseline_to: at("2026-11-17T08:26:59Z"),
                incident_seconds: 9481,
                baseline_seconds: 9481,
                incident_records: 52_000,
                baseline_records: 48_000,
                incident_errors: 5210,
                baseline_errors: 12,
                comparable: true,
                endpoints: vec![item("/login", 5100, 0, None, 73.9), item("/archive/export", 9, 8, Some(1.13), 0.4)],
                status_codes: vec![item("500", 5200, 10, Some(520.0), 250.1)],
                clients: vec![item("217.83.107.133", 40, 0, None, 12.0)],
                ..Default::default()
            }),
            clock_suggestions: vec![ClockSuggestion {
                source: "app/gunicorn.log".into(),
                reference: "nginx/access.log".into(),
                offset_ms: -40_000,
                current_offset_ms: 0,
                method: ClockMethod::RequestIds,
                pairs: 180,
                median_shift_ms: 40_000,
                spread_ms: 120,
                example_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
                citations: vec![
                    Citation { file: "nginx/access.log".into(), line: 9120, offset: 0, text: String::new() },
                    Citation { file: "app/gunicorn.log".into(), line: 311, offset: 0, text: String::new() },
                ],
            }],
            ..Default::default()
        }
    }

    fn markdown(a: &Analysis, redact: bool) -> String {
        let opts = ExportOptions {
            format: Format::Markdown,
            template: TemplateChoice::Seed,
            display_zone: Zone::parse("+03:00").unwrap_or_default(),
            redact,
            title: Some("t".into()),
            generated_at: Some(at("2026-11-25T09:00:00Z")),
        };
        String::from_utf8(export(a, &opts).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn the_postmortem_says_what_is_new_and_which_clock_to_correct() {
        let md = markdown(&analysis(), false);
        let new =
            md.split("## What is new in the incident").nth(1).expect("section").split("\n## ").next().unwrap_or("");
        assert!(new.contains("2026-11-17 11:27 – 2026-11-17 14:05"), "{new}");
        assert!(new.contains("Endpoints:\n\n- `/login`: 5100 in the incident, 0 in the baseline (new), rose (`nginx/access.log:9120`)"), "{new}");
        // Steady errors are listed with their ratio and not called risen.
        assert!(new.contains("- `/archive/export`: 9 in the incident, 8 in the baseline (×1.13) (`"), "{new}");
        assert!(new.contains("Status codes:") && new.contains("Clients:"), "{new}");
        assert!(!new.contains("Signatures:"), "an empty list is left out: {new}");
        let clocks = md.split("## Clocks").nth(1).expect("clocks section").split("\n## ").next().unwrap_or("");
        assert!(clocks.contains("180 request ids logged by both sources put it +40s from the reference"), "{clocks}");
        assert!(clocks.contains("`--offset app/gunicorn.log=-40s`"), "{clocks}");
        assert!(md.contains("User report: cannot log in (clock corrected by +40s)"), "{md}");
    }

    #[test]
    fn redaction_masks_the_ranked_clients() {
        let md = markdown(&analysis(), true);
        assert!(!md.contains("217.83.107.133"), "{md}");
        assert!(md.contains("Clients:"), "{md}");
    }
}
