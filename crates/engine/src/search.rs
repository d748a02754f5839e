//! Search over the raw files: a case's inputs, or paths not ingested, each
//! hit dated by the record it belongs to.

use crate::plan::{self, Input};
use crate::{Engine, EngineError, Excerpt, SearchOptions};
use faultline_model::time::Zone;
use faultline_model::{Instant, SourceKind};
use std::path::{Path, PathBuf};

/// A search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The source it belongs to.
    pub source: String,
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: u64,
    /// Byte offset.
    pub offset: u64,
    /// The line.
    pub text: String,
    /// The instant of the record the line belongs to, when known.
    pub time: Option<Instant>,
}

/// What to search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The pattern.
    pub pattern: String,
    /// Regex or literal, case.
    pub options: SearchOptions,
    /// Only hits whose record is at or after this instant.
    pub from: Option<Instant>,
    /// Only hits whose record is at or before this instant.
    pub to: Option<Instant>,
    /// Stop after this many hits (0 = no limit).
    pub max_hits: usize,
}

impl Engine {
    /// Searches every file of the case, calling `on_hit` until it returns false.
    pub fn search(&self, request: &SearchRequest, on_hit: impl FnMut(SearchHit) -> bool) -> Result<u64, EngineError> {
        let mut targets = Vec::new();
        for meta in self.case.sources()? {
            let zone = Zone::parse(&meta.summary.tz).unwrap_or_default();
            // Files the policy withholds are not searched (the desktop lists them as unavailable).
            for file in meta.files.iter().filter(|f| self.may_read(&f.path)) {
                targets.push(SearchTarget {
                    source: meta.summary.path.clone(),
                    path: file.path.clone(),
                    kind: meta.summary.kind,
                    zone,
                });
            }
        }
        search_targets(&targets, request, on_hit)
    }

    /// The raw lines of a record with context, from one of the case's files.
    pub fn excerpt(
        &self,
        file: &Path,
        offset: u64,
        len: u64,
        line: Option<u64>,
        context: usize,
    ) -> Result<Excerpt, EngineError> {
        // A log store's row, as a citation names it: fetched from the store.
        if let Some(cited) = file.to_str().filter(|f| faultline_clickhouse::is_locator(f)) {
            // A case from someone else names servers of their choosing: its
            // rows are fetched only from a table queried in this session.
            if !self.may_read(file) {
                return Err(EngineError::input(
                    file,
                    "a log store's row: add its ClickHouse source in this session to read its rows",
                ));
            }
            return self.store_excerpt(cited, context);
        }
        let known = self.case.sources()?.iter().any(|m| m.files.iter().any(|f| f.path == file));
        if !known {
            return Err(EngineError::Other(format!("{} is not one of this case's inputs", file.display())));
        }
        if !self.may_read(file) {
            return Err(EngineError::input(file, "not readable in this session: open or confirm its folder first"));
        }
        Ok(faultline_search::excerpt(file, offset, len, line, context, context)?)
    }
}

/// Searches files without ingesting them: the inputs are planned (formats
/// detected from a sample of each file) and their raw files searched, so a
/// search costs a raw scan, not a parse. Zone-less times are read in `zone`.
pub fn search_paths(
    inputs: &[Input],
    zone: Zone,
    request: &SearchRequest,
    on_hit: impl FnMut(SearchHit) -> bool,
) -> Result<u64, EngineError> {
    let plan = plan::plan(inputs)?;
    let mut targets = Vec::new();
    for source in &plan.sources {
        for path in &source.files {
            targets.push(SearchTarget {
                source: source.path.display().to_string(),
                path: path.clone(),
                kind: source.kind,
                zone,
            });
        }
    }
    search_targets(&targets, request, on_hit)
}

/// One file to search, with what dates its hits.
struct SearchTarget {
    source: String,
    path: PathBuf,
    kind: SourceKind,
    zone: Zone,
}

fn search_targets(
    targets: &[SearchTarget],
    request: &SearchRequest,
    mut on_hit: impl FnMut(SearchHit) -> bool,
) -> Result<u64, EngineError> {
    let pattern = faultline_search::Pattern::new(&request.pattern, request.options)?;
    let mut count = 0u64;
    for target in targets {
        // Folder sources (a git repository) are listed as their folder: nothing to scan line by line.
        if !target.path.is_file() {
            continue;
        }
        let timer = LineTimer::new(&target.path, target.kind, target.zone);
        let mut stop = false;
        faultline_search::search_file(&pattern, &target.path, |hit| {
            let time = timer.time_of(&hit);
            let in_window = match time {
                Some(t) => request.from.is_none_or(|f| t >= f) && request.to.is_none_or(|to| t <= to),
                None => request.from.is_none() && request.to.is_none(),
            };
            if !in_window {
                return true;
            }
            count += 1;
            let go_on = on_hit(SearchHit {
                source: target.source.clone(),
                file: hit.file,
                line: hit.line,
                offset: hit.offset,
                text: hit.text,
                time,
            });
            stop = !go_on || (request.max_hits > 0 && count as usize >= request.max_hits);
            !stop
        })?;
        if stop {
            break;
        }
    }
    Ok(count)
}

/// Finds the instant of a search hit: the line's own timestamp, or (for a
/// continuation line such as a traceback frame) the record it belongs to.
struct LineTimer {
    format: Option<faultline_logs::LogFormat>,
    opts: faultline_logs::LogOptions,
}

impl LineTimer {
    fn new(path: &Path, kind: SourceKind, zone: Zone) -> LineTimer {
        let format = if kind == SourceKind::Log {
            faultline_logs::read_sample(path).ok().and_then(|s| faultline_logs::detect(&s))
        } else {
            None
        };
        let year_reference =
            std::fs::metadata(path).ok().and_then(|m| m.modified().ok()).map(|m| zone.local_time(m.into()));
        LineTimer { format, opts: faultline_logs::LogOptions { zone, year_reference, ..Default::default() } }
    }

    fn parse_line(&self, text: &str) -> Option<Instant> {
        let format = self.format.as_ref()?;
        let mut sink = faultline_model::CollectingSink::default();
        let mut line = text.as_bytes().to_vec();
        line.push(b'\n');
        faultline_logs::parse(std::io::Cursor::new(line), format, &self.opts, &mut sink).ok()?;
        sink.records.first().map(|r| r.time)
    }

    fn time_of(&self, hit: &faultline_search::Hit) -> Option<Instant> {
        self.format.as_ref()?;
        if let Some(t) = self.parse_line(&hit.text) {
            return Some(t);
        }
        // A continuation line: walk back to the line that starts its record.
        let ex = faultline_search::excerpt(&hit.file, hit.offset, 1, Some(hit.line), 200, 0).ok()?;
        ex.lines.iter().rev().filter(|l| !l.in_record).find_map(|l| self.parse_line(&l.text))
    }
}
