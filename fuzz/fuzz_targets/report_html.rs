//! Hostile text in every field an export shows: the HTML export (built-in
//! template, and a user template named like a Markdown one) never carries a
//! live tag from the input, and always carries the Content-Security-Policy.
#![no_main]
use faultline_model::{Analysis, Citation, TimelineEntry, TimelineKind};
use faultline_report::{export, ExportOptions, Format, TemplateChoice, HTML_CSP};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A user template whose name says Markdown, with `autoescape false` and
/// the filters: none of it may turn HTML escaping off in an HTML export.
fn user_template() -> &'static PathBuf {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("faultline-fuzz-{}.md.j2", std::process::id()));
        let src = "<h1>{{ title }}</h1>{% autoescape false %}{% for e in timeline %}<p>{{ e.text }}{{ e.text|md }}{{ e.text|code }}{{ e.citation|cite }}</p>{% endfor %}{{ lead }}{% endautoescape %}\n";
        std::fs::write(&path, src).expect("temp template");
        path
    })
}

const MARKER: &str = "<x-fuzz ";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Every piece of input starts a tag: escaping must neutralise it wherever it lands.
    let hostile = |i: usize| format!("{MARKER}{}", text.chars().skip(i * 7).collect::<String>());
    let kinds = [
        TimelineKind::Change,
        TimelineKind::ErrorOnset,
        TimelineKind::UserReport,
        TimelineKind::Alert,
        TimelineKind::Restart,
        TimelineKind::Recovery,
        TimelineKind::Note,
    ];
    let timeline = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| TimelineEntry {
            time: chrono::DateTime::from_timestamp(1_700_000_000 + i as i64 * 60, 0).unwrap_or_default(),
            kind: *kind,
            source: hostile(i + 1),
            text: hostile(i),
            citation: Some(Citation { file: hostile(i + 2), line: 3, offset: 0, text: hostile(i + 3) }),
            change_id: (*kind == TimelineKind::Change).then(|| hostile(i)),
            suspect: false,
            clock_offset_ms: None,
        })
        .collect();
    let analysis = Analysis { timeline, lead: Some(hostile(9)), ..Analysis::default() };
    for template in [TemplateChoice::Seed, TemplateChoice::File(user_template().clone())] {
        let opts = ExportOptions {
            format: Format::Html,
            template,
            title: Some(hostile(10)),
            generated_at: chrono::DateTime::from_timestamp(1_700_000_000, 0),
            ..ExportOptions::default()
        };
        let Ok(bytes) = export(&analysis, &opts) else { continue };
        let html = String::from_utf8_lossy(&bytes);
        assert!(!html.contains(MARKER), "a live tag from the input in the HTML export");
        assert!(!html.to_ascii_lowercase().contains("<script"), "a script element in the HTML export");
        assert!(html.contains(HTML_CSP), "an HTML export without the CSP");
    }
});
