//! From the case to an [`Analysis`]: notable records streamed into events,
//! correlated, the analyst's notes and edits applied, and every citation
//! given its raw line.

use crate::{edits, logstore, partial, Engine, EngineError, EntryState};
use faultline_correlate::CorrelateOptions;
use faultline_model::{Analysis, Instant, SourceKind, TimelineEntry, TimelineKind};
use faultline_store::{CaseFile, SourceMeta};
use std::path::Path;

/// How to analyze.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyzeOptions {
    /// Correlator settings (look-back window, chart buckets).
    pub correlate: CorrelateOptions,
    /// Only records, messages and alerts at or after this instant; changes
    /// from the look-back before it (they are the candidates for the cause).
    pub from: Option<Instant>,
    /// Only records at or before this instant.
    pub to: Option<Instant>,
}

impl Engine {
    /// Correlates the case and applies the analyst's timeline edits (hidden
    /// entries left out, renamed text used, pinned entries kept): what every
    /// view and export shows.
    pub fn analyze(&self, opts: &AnalyzeOptions) -> Result<Analysis, EngineError> {
        Ok(self.analyze_edited(opts)?.0)
    }

    /// [`Engine::analyze`], with what the analyst did to each remaining
    /// timeline entry (parallel to `timeline`).
    pub fn analyze_edited(&self, opts: &AnalyzeOptions) -> Result<(Analysis, Vec<EntryState>), EngineError> {
        let mut analysis = self.analyze_unedited(opts)?;
        let edits = self.case.timeline_edits()?;
        let states = edits::apply(&mut analysis, &edits);
        Ok((analysis, states))
    }

    pub(crate) fn analyze_unedited(&self, opts: &AnalyzeOptions) -> Result<Analysis, EngineError> {
        let (mut analysis, stored, reading) = {
            // One state of the case for the whole correlation: another
            // connection may be writing an ingest meanwhile. What is being
            // read is taken before and after the snapshot; when an ingest
            // began or ended between, the snapshot is taken again, so one
            // that did is not called "interrupted" in the result.
            let mut tries = 0;
            let (basis, reading, _snapshot) = loop {
                let before = self.reading.now();
                let snapshot = self.case.snapshot()?;
                let basis = Basis {
                    data_version: self.case.data_version()?,
                    sources: self.case.sources()?,
                    opts: opts.clone(),
                };
                let after = self.reading.now();
                tries += 1;
                if after.unchanged_since(&before) || tries == 3 {
                    break (basis, before.and(after), snapshot);
                }
            };
            let mut cache = self.analysis_cache.lock().unwrap_or_else(|p| p.into_inner());
            match cache.as_ref().filter(|c| c.basis == basis) {
                Some(cached) => (cached.analysis.clone(), basis.sources, reading),
                None => {
                    let analysis = self.correlate(opts, &basis.sources)?;
                    let stored = basis.sources.clone();
                    *cache = Some(Cached { basis, analysis: analysis.clone() });
                    (analysis, stored, reading)
                }
            }
        };
        // The layers below change without the data: whether an incomplete
        // source is being read now, notes, which files this session may
        // quote, and the wording.
        partial::mark(&mut analysis, &stored, &|p| reading.covers(p));
        for note in self.case.notes()? {
            analysis.timeline.push(TimelineEntry {
                time: note.time,
                kind: TimelineKind::Note,
                source: "analyst".into(),
                text: note.text,
                citation: None,
                change_id: None,
                suspect: false,
                clock_offset_ms: None,
            });
        }
        analysis.timeline.sort_by_key(|e| e.time);
        cite_raw_lines(&mut analysis, &self.case, &|p| self.may_read(p));
        // The contract's evidence lines, summaries and lead, worded from the typed facts.
        faultline_report::fill_text(&mut analysis);
        Ok(analysis)
    }

    /// The correlation proper: what depends only on the case's data and
    /// `opts`, and is therefore cached.
    fn correlate(&self, opts: &AnalyzeOptions, stored: &[SourceMeta]) -> Result<Analysis, EngineError> {
        // Before the earliest representable instant: every change.
        let changes_from = opts.from.and_then(|from| from.checked_sub_signed(opts.correlate.lookback));
        // The notable records become error events as they stream from the
        // case; only the few the analysis reads whole stay in `data`.
        let mut events = faultline_correlate::events::Extractor::default();
        let data =
            self.case.load_window_with(opts.from, opts.to, changes_from, |sources, nr| events.push(sources, nr))?;
        let extracted = events.finish();
        let client_ids = extracted.client_ids();
        // Being read or left by an interrupted ingest, an incomplete change source may hold the change.
        let unread = partial::unread_inputs(stored.iter().map(|m| &m.summary), &|_| false);
        let correlate = CorrelateOptions {
            unread_change_sources: unread.iter().filter(|u| u.kind == SourceKind::Deploys).count() as u32,
            ..opts.correlate.clone()
        };
        let mut analysis = faultline_correlate::analyze_events(&data, extracted, &correlate);
        if let Some(novelty) = analysis.novelty.as_mut() {
            name_clients(&self.case, novelty, &client_ids)?;
        }
        analysis.change_sources = partial::change_sources(&data);
        Ok(analysis)
    }
}

/// The last correlation of a case. Pinning, renaming, a note, an export or
/// a change of display zone reuse it, and only the cheap layers (notes, raw
/// lines, wording, edits) are redone on top of it; it is thrown away when
/// anything it rests on changes.
pub(crate) struct Cached {
    basis: Basis,
    analysis: Analysis,
}

/// What a correlation rests on. An ingest through this connection rewrites
/// its source's row (counts, hash, completeness, error rule); one through
/// another connection also changes `data_version`, even mid-ingest.
#[derive(PartialEq)]
struct Basis {
    data_version: i64,
    sources: Vec<SourceMeta>,
    opts: AnalyzeOptions,
}

/// Longest cited line kept in an analysis.
pub(crate) const MAX_CITED_TEXT: usize = 1000;

/// Puts the raw first line of each cited record into its citation, read from
/// the file by offset, so every claim can be checked against its input as
/// written. (The correlator does no I/O and cites changes, messages and alerts
/// by a summary; a commit read from a repository, line 0, keeps it.) Files
/// that are gone, or that `may_read` withholds, keep the summary.
fn cite_raw_lines(analysis: &mut Analysis, case: &CaseFile, may_read: &dyn Fn(&Path) -> bool) {
    let mut cache: std::collections::HashMap<(String, u64), Option<String>> = std::collections::HashMap::new();
    let mut fill = |c: &mut faultline_model::Citation| {
        if c.line == 0 {
            // A log store's row: named by time and key, its text from the case.
            logstore::cite_store_rows(case, c);
            return;
        }
        if !may_read(Path::new(&c.file)) {
            return;
        }
        let raw = cache.entry((c.file.clone(), c.offset)).or_insert_with(|| {
            let ex = faultline_search::excerpt(Path::new(&c.file), c.offset, 1, Some(c.line), 0, 0).ok()?;
            let first = ex.lines.into_iter().find(|l| l.in_record)?;
            Some(first.text.chars().take(MAX_CITED_TEXT).collect())
        });
        if let Some(raw) = raw {
            c.text = raw.clone();
        }
    };
    for listed in &mut analysis.incidents {
        fill(&mut listed.onset_citation);
    }
    if let Some(inc) = analysis.incident.as_mut() {
        fill(&mut inc.onset_citation);
        if let Some(c) = inc.recovered_citation.as_mut() {
            fill(c);
        }
        for sig in &mut inc.signatures {
            fill(&mut sig.example);
        }
    }
    for s in &mut analysis.suspects {
        for c in &mut s.citations {
            fill(c);
        }
    }
    for e in &mut analysis.timeline {
        if let Some(c) = e.citation.as_mut() {
            // The entries that quote an error record ("First incident error: …")
            // quote its raw line: the correlator knew only a summary of a request.
            let summary = c.text.clone();
            fill(c);
            let quotes_error = matches!(e.kind, TimelineKind::ErrorOnset | TimelineKind::Recovery);
            if quotes_error && !summary.is_empty() && c.text != summary {
                if let Some(head) = e.text.strip_suffix(summary.as_str()) {
                    e.text = format!("{head}{}", faultline_correlate::events::cap(&c.text, 300));
                }
            }
        }
    }
}

/// Names the "what is new" clients the analysis counted by id only: their
/// addresses are read back from the case's records of the incident window,
/// until every one has its name.
fn name_clients(
    case: &CaseFile,
    novelty: &mut faultline_model::Novelty,
    ids: &faultline_correlate::events::ClientIds,
) -> Result<(), EngineError> {
    if faultline_correlate::novelty::unnamed_clients(novelty).is_empty() {
        return Ok(());
    }
    // The window's last second holds records up to its end.
    let to = novelty.incident_to + chrono::Duration::microseconds(999_999);
    case.for_each_client(novelty.incident_from, to, |client| {
        !faultline_correlate::novelty::name_clients(novelty, ids, [client])
    })?;
    Ok(())
}
