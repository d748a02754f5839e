//! Saying what an analysis ran without.
//!
//! An input that cannot be read never stops the analysis: its lines are
//! counted unparsed (and stay searchable), the rest is analyzed, and the
//! analysis says it is partial and why. The reason is stored with the
//! source (a note with [`UNREADABLE_NOTE`] in front), so a case opened later
//! says the same; [`unread_inputs`] turns the stored sources back into the
//! typed [`UnreadInput`]s of the contract.

use faultline_model::{Analysis, CaseData, ChangeSourceSummary, SourceKind, SourceSummary, UnreadCause, UnreadInput};

/// What a source that could not be read carries in its notes, before the reason.
pub const UNREADABLE_NOTE: &str = "unreadable: ";

/// The note of a source that could not be read as `what`.
pub fn unreadable_note(reason: &str) -> String {
    format!("{UNREADABLE_NOTE}{reason}")
}

/// The format name of an input given as a kind that no format of it matched.
pub const UNREADABLE_FORMAT: &str = "unreadable";

/// The inputs an analysis of these sources runs without, in whole or in part.
/// `reading` says which incomplete ones are being read right now rather
/// than left incomplete by an interrupted ingest.
pub fn unread_inputs<'a>(
    sources: impl IntoIterator<Item = &'a SourceSummary>,
    reading: &dyn Fn(&str) -> bool,
) -> Vec<UnreadInput> {
    let mut out = Vec::new();
    for s in sources {
        let unread = |cause, reason: String| UnreadInput {
            path: s.path.clone(),
            kind: s.kind,
            cause,
            format: (s.format != UNREADABLE_FORMAT).then(|| s.format.clone()),
            reason,
            unparsed: s.unparsed,
        };
        if !s.complete && reading(&s.path) {
            out.push(unread(UnreadCause::Reading, "the analysis is redone when its reading ends".into()));
            continue;
        }
        if !s.complete {
            out.push(unread(UnreadCause::Interrupted, "its reading was interrupted; read it again".into()));
            continue;
        }
        if let Some(reason) = s.notes.iter().find_map(|n| n.strip_prefix(UNREADABLE_NOTE)) {
            let cause = if s.format == UNREADABLE_FORMAT {
                UnreadCause::NotRecognized
            } else if s.records > 0 {
                UnreadCause::ReadInPart
            } else {
                UnreadCause::ReadFailed
            };
            out.push(unread(cause, reason.to_string()));
            continue;
        }
        if s.kind == SourceKind::Log {
            continue;
        }
        if let Some(note) = s.notes.iter().find(|n| faultline_sources::is_cut_off_note(n)) {
            let cause = if s.records > 0 { UnreadCause::ReadInPart } else { UnreadCause::ReadFailed };
            out.push(unread(cause, note.clone()));
        } else if s.records == 0 && s.unparsed > 0 {
            let reason = s.notes.first().cloned().unwrap_or_else(|| {
                format!("none of its {} lines could be read as a {} entry", s.unparsed, s.kind.as_str())
            });
            out.push(unread(UnreadCause::NothingRead, reason));
        }
    }
    out
}

/// Each change source of the analyzed case: tools, count, range and moments.
pub fn change_sources(data: &CaseData) -> Vec<ChangeSourceSummary> {
    let mut out: Vec<ChangeSourceSummary> = data
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Deploys)
        .map(|s| ChangeSourceSummary { path: s.path.clone(), format: s.format.clone(), ..Default::default() })
        .collect();
    for c in &data.changes {
        let Some(path) = data.sources.get(c.source as usize).map(|s| &s.path) else { continue };
        if let Some(summary) = out.iter_mut().find(|o| &o.path == path) {
            summary.add(&c.event);
        }
    }
    out
}

/// Fills in what an analysis of `stored` ran without (see [`unread_inputs`]).
pub fn mark(analysis: &mut Analysis, stored: &[faultline_store::SourceMeta], reading: &dyn Fn(&str) -> bool) {
    analysis.unread = unread_inputs(stored.iter().map(|m| &m.summary), reading);
    analysis.partial = !analysis.unread.is_empty();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(kind: SourceKind, format: &str, records: u64, unparsed: u64, notes: &[&str]) -> SourceSummary {
        SourceSummary {
            path: format!("/case/{format}"),
            kind,
            format: format.into(),
            records,
            unparsed,
            first: None,
            last: None,
            tz: "UTC".into(),
            bytes: 10,
            sha256: String::new(),
            notes: notes.iter().map(|n| n.to_string()).collect(),
            clock_offset_ms: 0,
            complete: true,
            window: None,
        }
    }

    #[test]
    fn each_way_of_not_being_read_has_its_cause() {
        let not_recognized = unreadable_note("given as deploys, but no deploys format matched");
        let failed = unreadable_note("argocd.json:1: not JSON: expected a JSON value");
        let mut sources = [
            summary(SourceKind::Deploys, UNREADABLE_FORMAT, 0, 12, &[&not_recognized]),
            summary(SourceKind::Deploys, "argocd-json", 0, 40, &[&failed]),
            summary(SourceKind::Deploys, "jenkins-builds", 3, 9, &["builds.json:7: unterminated string: the rest of the file could not be read (9 lines counted unparsed)"]),
            summary(SourceKind::Deploys, "kubectl-rollout-history", 0, 3, &["kubectl rollout history prints no times"]),
            summary(SourceKind::Log, "nginx-combined", 100, 2, &[]),
            summary(SourceKind::Log, "unrecognized", 0, 30, &[]),
            summary(SourceKind::Deploys, "git-log", 4, 0, &[]),
            summary(SourceKind::Alerts, "alertmanager", 2, 0, &[]),
        ];
        sources[7].complete = false;
        sources[6].complete = false;
        let reading = |p: &str| p == "/case/git-log";
        let unread = unread_inputs(&sources, &reading);
        let causes: Vec<(UnreadCause, Option<&str>)> = unread.iter().map(|u| (u.cause, u.format.as_deref())).collect();
        assert_eq!(
            causes,
            vec![
                (UnreadCause::NotRecognized, None),
                (UnreadCause::ReadFailed, Some("argocd-json")),
                (UnreadCause::ReadInPart, Some("jenkins-builds")),
                (UnreadCause::NothingRead, Some("kubectl-rollout-history")),
                (UnreadCause::Reading, Some("git-log")),
                (UnreadCause::Interrupted, Some("alertmanager")),
            ]
        );
        assert_eq!(unread[1].reason, "argocd.json:1: not JSON: expected a JSON value");
        assert_eq!(
            faultline_report::unread_line(&unread[1]),
            "/case/argocd-json: could not be read as argocd-json (argocd.json:1: not JSON: expected a JSON value); 40 unparsed lines"
        );
    }
}
