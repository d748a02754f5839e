//! The analyst's edits of the postmortem timeline (pin, hide, rename),
//! applied to every analysis so the desktop, the CLI and the exports tell
//! the same story.
//!
//! An entry has no id: analyses are recomputed from the case. Its key is its
//! kind, its instant and what it rests on (the change id, or the cited
//! `file:line`, or its source and original text), so it survives
//! re-analysis, a display-zone change and a rename of its own text.

use faultline_model::{Analysis, TimelineEntry, TimelineKind};
use faultline_store::TimelineEdit;
use std::collections::{HashMap, HashSet};

/// The stable key of a timeline entry (as produced by the analysis, before any rename).
pub fn timeline_key(e: &TimelineEntry) -> String {
    let kind = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let time = e.time.timestamp_micros();
    let on = match (&e.change_id, &e.citation) {
        (Some(id), _) => format!("change:{id}"),
        (None, Some(c)) if c.line > 0 => format!("cite:{}:{}", c.file, c.line),
        _ => format!("text:{}|{}", e.source, e.text),
    };
    format!("{kind}@{time}#{on}")
}

/// What the analyst did to one entry of an analysis's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryState {
    /// The entry's key (see [`timeline_key`]).
    pub key: String,
    /// Pinned.
    pub pinned: bool,
    /// The analysis's own text, when the analyst renamed it.
    pub renamed_from: Option<String>,
}

/// Applies `edits` to the timeline: hidden entries are removed, renamed
/// ones take the analyst's text, pinned ones the analysis no longer
/// produces are put back. Returns one state per remaining entry, in order
/// after sorting. Analyst notes are never keyed (they are edited as notes).
pub fn apply(analysis: &mut Analysis, edits: &[TimelineEdit]) -> Vec<EntryState> {
    let by_key: HashMap<&str, &TimelineEdit> = edits.iter().map(|e| (e.key.as_str(), e)).collect();
    let mut present = HashSet::new();
    let mut kept: Vec<(TimelineEntry, EntryState)> = Vec::with_capacity(analysis.timeline.len());
    for mut entry in std::mem::take(&mut analysis.timeline) {
        let key = timeline_key(&entry);
        present.insert(key.clone());
        let mut state = EntryState { key: key.clone(), ..Default::default() };
        if let Some(edit) = by_key.get(key.as_str()) {
            if edit.hidden {
                continue;
            }
            state.pinned = edit.pinned;
            if let Some(text) = &edit.rename {
                state.renamed_from = Some(std::mem::replace(&mut entry.text, text.clone()));
            }
        }
        kept.push((entry, state));
    }
    for edit in edits {
        if edit.pinned && !edit.hidden && !present.contains(&edit.key) {
            let mut entry = edit.entry.clone();
            let mut state = EntryState { key: edit.key.clone(), pinned: true, renamed_from: None };
            if let Some(text) = &edit.rename {
                state.renamed_from = Some(std::mem::replace(&mut entry.text, text.clone()));
            }
            kept.push((entry, state));
        }
    }
    kept.sort_by_key(|(e, _)| e.time);
    let (entries, states) = kept.into_iter().unzip();
    analysis.timeline = entries;
    states
}

/// True for entries the analyst may pin, hide or rename (not their own notes).
pub fn editable(e: &TimelineEntry) -> bool {
    e.kind != TimelineKind::Note
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_model::Citation;

    fn entry(kind: TimelineKind, at: &str, text: &str, line: u64) -> TimelineEntry {
        TimelineEntry {
            time: at.parse().unwrap(),
            kind,
            source: "/logs/app.log".into(),
            text: text.into(),
            citation: (line > 0).then(|| Citation {
                file: "/logs/app.log".into(),
                line,
                offset: 0,
                text: String::new(),
            }),
            change_id: None,
            suspect: false,
            clock_offset_ms: None,
        }
    }

    fn edit(e: &TimelineEntry, pinned: bool, hidden: bool, rename: Option<&str>) -> TimelineEdit {
        TimelineEdit { key: timeline_key(e), pinned, hidden, rename: rename.map(str::to_string), entry: e.clone() }
    }

    #[test]
    fn hide_rename_and_pin_shape_the_timeline() {
        let a = entry(TimelineKind::ErrorOnset, "2026-11-24T08:20:00Z", "errors rise", 10);
        let b = entry(TimelineKind::Restart, "2026-11-24T08:53:00Z", "gunicorn restarted", 40);
        let gone = entry(TimelineKind::Alert, "2026-11-24T08:30:00Z", "pager fired", 0);
        let mut analysis = Analysis { timeline: vec![a.clone(), b.clone()], ..Default::default() };
        let edits = vec![
            edit(&a, false, false, Some("Archive starts failing")),
            edit(&b, false, true, None),
            edit(&gone, true, false, None),
        ];
        let states = apply(&mut analysis, &edits);
        let texts: Vec<&str> = analysis.timeline.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["Archive starts failing", "pager fired"]);
        assert_eq!(states[0].renamed_from.as_deref(), Some("errors rise"));
        assert!(states[1].pinned);
    }

    #[test]
    fn the_key_ignores_the_text_of_a_cited_entry() {
        let a = entry(TimelineKind::ErrorOnset, "2026-11-24T08:20:00Z", "errors rise to 5/min", 10);
        let b = entry(TimelineKind::ErrorOnset, "2026-11-24T08:20:00Z", "errors rise to 6/min", 10);
        assert_eq!(timeline_key(&a), timeline_key(&b));
        let c = entry(TimelineKind::ErrorOnset, "2026-11-24T08:20:00Z", "errors rise to 6/min", 11);
        assert_ne!(timeline_key(&a), timeline_key(&c));
    }
}
