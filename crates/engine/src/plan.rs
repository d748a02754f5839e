//! From the paths a user gave to the sources Faultline will read.
//!
//! Folders are walked (a git repository or a Slack export folder is one
//! source), each file's format is detected from its content, and rotated log
//! sets (`access.log`, `access.log.1`, `access.log.2.gz`) become one source.
//! Files that match no format are kept as `unrecognized` sources — reported
//! and searchable, never silently dropped. A file given as a kind
//! (`--deploys P`) that no format of that kind matches is kept too, as an
//! `unreadable` source: a warning names it and the analysis says it is partial.

use crate::EngineError;
use faultline_logs::LogFormat;
use faultline_model::SourceKind;
use faultline_sources::SourceFormat;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A path the user gave, with the kind they forced (`--deploys P`) if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// A file or folder.
    pub path: PathBuf,
    /// The kind the user said it is; `None` = detect.
    pub kind: Option<SourceKind>,
}

impl Input {
    /// An input whose kind is detected.
    pub fn auto(path: impl Into<PathBuf>) -> Input {
        Input { path: path.into(), kind: None }
    }
}

/// How a source is read.
#[derive(Debug, Clone, PartialEq)]
pub enum Reader {
    /// Line-oriented log.
    Log(LogFormat),
    /// Deploys, support or alerts export.
    Export(SourceFormat),
    /// No format matched: counted line by line as unparsed, still searchable.
    Unrecognized,
    /// A file with NUL bytes in its first block.
    Binary,
    /// Given as a kind (`--deploys P`) that no format of it matched: counted
    /// line by line as unparsed, still searchable, and the analysis is partial.
    Unreadable(String),
}

/// A source to read.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedSource {
    /// The path shown to the user (a folder for folder sources, the newest
    /// member for a rotated set).
    pub path: PathBuf,
    /// The files behind it, oldest first.
    pub files: Vec<PathBuf>,
    /// What it is evidence of.
    pub kind: SourceKind,
    /// How to read it.
    pub reader: Reader,
}

impl PlannedSource {
    /// The format name stored and shown.
    pub fn format_name(&self) -> String {
        match &self.reader {
            Reader::Log(f) => f.name().to_string(),
            Reader::Export(f) => f.name().to_string(),
            Reader::Unrecognized => "unrecognized".into(),
            Reader::Binary => "binary".into(),
            Reader::Unreadable(_) => crate::partial::UNREADABLE_FORMAT.into(),
        }
    }
}

/// Files and folders a walk never descends into or reads.
fn skipped(name: &str) -> bool {
    name.starts_with('.')
        || name == "node_modules"
        || name.ends_with(".faultline")
        || name.ends_with(".faultline-wal")
        || name.ends_with(".faultline-shm")
}

/// Walks a folder, not following symlinks to folders (a symlink loop must not
/// hang ingest) and remembering what it has seen. Unreadable entries become
/// problems, not errors: the rest of the folder is still read.
fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    folders: &mut Vec<(PathBuf, SourceFormat)>,
    problems: &mut Vec<String>,
    seen: &mut HashSet<PathBuf>,
) {
    let canonical = match dir.canonicalize() {
        Ok(c) => c,
        Err(e) => {
            problems.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    if !seen.insert(canonical) {
        return;
    }
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).collect(),
        Err(e) => {
            problems.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if skipped(&name) {
            continue;
        }
        let path = entry.path();
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                problems
                    .push(format!("{}: broken or looping symbolic link, or unreadable entry ({e})", path.display()));
                continue;
            }
        };
        if meta.is_dir() {
            if entry.file_type().map(|t| t.is_symlink()).unwrap_or(false) {
                problems.push(format!("{}: symbolic link to a folder, not followed", path.display()));
                continue;
            }
            if let Some(format) = faultline_sources::detect_dir(&path) {
                folders.push((path, format));
            } else {
                walk(&path, out, folders, problems, seen);
            }
        } else if meta.is_file() {
            out.push(path);
        } else {
            // Opening a FIFO blocks until a writer comes; a device never ends.
            problems.push(format!("{}: not a regular file (FIFO, socket or device), not read", path.display()));
        }
    }
}

/// What planning found: the sources, and what could not be looked at.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Sources to read.
    pub sources: Vec<PlannedSource>,
    /// Paths that could not be read at all (named, with why).
    pub problems: Vec<String>,
}

fn detect_file(path: &Path, forced: Option<SourceKind>) -> Result<(SourceKind, Reader), EngineError> {
    let sample = faultline_logs::read_sample(path).map_err(|e| EngineError::input(path, e.to_string()))?;
    if sample.is_empty() {
        return Ok((forced.unwrap_or(SourceKind::Log), Reader::Unrecognized));
    }
    if !faultline_input::utf16_bom(&sample) && faultline_input::looks_binary(&sample) {
        return Ok(match forced {
            Some(kind) => (kind, Reader::Unreadable(format!("given as {}, but its content is binary", kind.as_str()))),
            None => (SourceKind::Log, Reader::Binary),
        });
    }
    match forced {
        Some(SourceKind::Log) => Ok((
            SourceKind::Log,
            faultline_logs::detect(&sample)
                .map(Reader::Log)
                .unwrap_or_else(|| Reader::Unreadable("given as logs, but no log format matched its lines".into())),
        )),
        Some(kind) => Ok(match faultline_sources::detect_as(&sample, kind) {
            Some(f) => (kind, Reader::Export(f)),
            None => (
                kind,
                Reader::Unreadable(format!(
                    "given as {}, but it does not look like a {} export (no recognizable header or fields)",
                    kind.as_str(),
                    kind.as_str()
                )),
            ),
        }),
        None => {
            if let Some(f) = faultline_sources::detect_file(&sample) {
                return Ok((f.kind(), Reader::Export(f)));
            }
            Ok((SourceKind::Log, faultline_logs::detect(&sample).map(Reader::Log).unwrap_or(Reader::Unrecognized)))
        }
    }
}

/// Plans the sources for `inputs`. Fails only when an input does not exist;
/// anything else unreadable is a problem, and a file whose forced kind does
/// not fit is an [`Reader::Unreadable`] source with a problem naming it.
pub fn plan(inputs: &[Input]) -> Result<Plan, EngineError> {
    let mut plan = Plan::default();
    let mut seen_dirs = HashSet::new();
    let mut seen_files = HashSet::new();
    // Log files per (forced kind, format): rotation grouping happens within one format.
    let mut logs: Vec<(PathBuf, SourceKind, Reader)> = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(&input.path).map_err(|e| EngineError::input(&input.path, e.to_string()))?;
        let mut files = Vec::new();
        if meta.is_dir() {
            if let Some(format) = faultline_sources::detect_dir(&input.path) {
                plan.sources.push(PlannedSource {
                    path: input.path.clone(),
                    files: vec![input.path.clone()],
                    kind: format.kind(),
                    reader: Reader::Export(format),
                });
                continue;
            }
            let mut folders = Vec::new();
            walk(&input.path, &mut files, &mut folders, &mut plan.problems, &mut seen_dirs);
            for (path, format) in folders {
                plan.sources.push(PlannedSource {
                    path: path.clone(),
                    files: vec![path],
                    kind: format.kind(),
                    reader: Reader::Export(format),
                });
            }
        } else if meta.is_file() {
            files.push(input.path.clone());
        } else {
            plan.problems
                .push(format!("{}: not a regular file (FIFO, socket or device), not read", input.path.display()));
        }
        for file in files {
            let key = file.canonicalize().unwrap_or_else(|_| file.clone());
            if !seen_files.insert(key) {
                continue;
            }
            match detect_file(&file, input.kind) {
                Ok((kind, Reader::Export(f))) => plan.sources.push(PlannedSource {
                    path: file.clone(),
                    files: vec![file],
                    kind,
                    reader: Reader::Export(f),
                }),
                Ok((kind, Reader::Unreadable(why))) => {
                    plan.problems.push(format!(
                        "{}: {why}: its lines are counted unparsed and stay searchable; the analysis is partial",
                        file.display()
                    ));
                    plan.sources.push(PlannedSource {
                        path: file.clone(),
                        files: vec![file],
                        kind,
                        reader: Reader::Unreadable(why),
                    });
                }
                Ok((kind, reader)) => logs.push((file, kind, reader)),
                Err(e) if input.kind.is_some() => return Err(e),
                Err(e) => plan.problems.push(e.to_string()),
            }
        }
    }
    // Rotated sets: group the log files that share a format, then let the logs
    // crate decide which belong together.
    let mut groups: Vec<(Reader, SourceKind, Vec<PathBuf>)> = Vec::new();
    for (file, kind, reader) in logs {
        let key = match &reader {
            Reader::Log(f) => Reader::Log(f.clone()),
            other => other.clone(),
        };
        match groups.iter_mut().find(|(r, k, _)| same_format(r, &key) && *k == kind) {
            Some((_, _, paths)) => paths.push(file),
            None => groups.push((key, kind, vec![file])),
        }
    }
    for (reader, kind, paths) in groups {
        let sets = if matches!(reader, Reader::Log(_)) {
            faultline_logs::rotation_sets(&paths)
        } else {
            paths.into_iter().map(|p| vec![p]).collect()
        };
        for set in sets {
            let Some(newest) = set.last().cloned() else { continue };
            plan.sources.push(PlannedSource { path: newest, files: set, kind, reader: reader.clone() });
        }
    }
    plan.sources.sort_by(|a, b| a.path.cmp(&b.path));
    // Definitions of the analyst's (or lnav's) that could not be used, when detection looked at them.
    if let Some(registry) = faultline_logs::formats::loaded_registry() {
        plan.problems.extend(registry.problems().iter().map(|p| format!("format definition {p}")));
    }
    Ok(plan)
}

fn same_format(a: &Reader, b: &Reader) -> bool {
    match (a, b) {
        // The whole learned layout, not just the name: two `generic` logs with
        // different timestamp layouts are different formats.
        (Reader::Log(x), Reader::Log(y)) => x == y,
        (x, y) => std::mem::discriminant(x) == std::mem::discriminant(y),
    }
}
