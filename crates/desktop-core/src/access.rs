//! Which of the case's inputs this session may read.
//!
//! Opening a case grants nothing: a `.faultline` file from someone else
//! names paths of their choosing, and reading them would pull the analyst's
//! own files into the search results, the excerpts and the exported
//! postmortem. An input of the case is readable when the analyst granted it
//! (or a folder above it) in this session, or when the analyst confirmed the
//! case's input folder in a dialog *and* the file there has the size and
//! SHA-256 the case recorded. The engine asks [`Access::may_read`] before
//! every read of a case's file.

use crate::grants::{canonical, Grants};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// Why an input of the case cannot be read in this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UnavailableReason {
    /// Not granted in this session and its folder not confirmed.
    NotGranted,
    /// No file at the recorded path.
    Missing,
    /// In the confirmed folder, but its size or hash differs from the case's record.
    Changed,
    /// A folder source (a git repository, a Slack export): it has no single
    /// hash to check, so it must be added again to be read.
    Folder,
    /// Rows of a log store this session has not queried: its counts and
    /// records are in the case, its raw rows are on a server the case names.
    StoreNotQueried,
}

impl UnavailableReason {
    pub fn message(self) -> &'static str {
        match self {
            UnavailableReason::NotGranted => {
                "not opened in this session: confirm the case's input folder, or add the file again"
            }
            UnavailableReason::Missing => "no file at this path any more",
            UnavailableReason::Changed => "its content differs from what the case recorded",
            UnavailableReason::Folder => "a folder source: add its folder again to read it",
            UnavailableReason::StoreNotQueried => {
                "rows of a log store: add its ClickHouse source in this session to read its raw rows"
            }
        }
    }
}

/// A log store's locator, as the case and citations write it.
fn store_path(path: &Path) -> Option<&str> {
    path.to_str().filter(|p| faultline_engine::clickhouse::is_locator(p))
}

/// The grants and what confirming a case folder verified.
#[derive(Debug, Default)]
pub struct Access {
    pub grants: Grants,
    /// Canonical paths of case inputs whose size and hash matched in a confirmed folder.
    verified: HashSet<PathBuf>,
    /// Canonical paths found in a confirmed folder that did not match the case.
    changed: HashSet<PathBuf>,
    /// Log-store tables (`clickhouse://host:port/db.table`) the analyst
    /// confirmed querying in this session.
    stores: HashSet<String>,
}

/// One input file as the case recorded it.
pub struct Recorded<'a> {
    pub path: &'a Path,
    pub size: u64,
    pub sha256: &'a str,
}

/// What confirming a folder did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub verified: u64,
    pub changed: Vec<String>,
    pub elsewhere: Vec<String>,
    /// Recorded without a hash (a window read, an interrupted one): nothing to check them against.
    pub unhashed: Vec<String>,
}

impl Access {
    /// The engine's read check: granted, or verified by hash.
    pub fn may_read(&self, path: &Path) -> bool {
        if let Some(store) = store_path(path) {
            return self.store_granted(store);
        }
        match canonical(path) {
            Some(c) => self.grants.covers_input(&c) || self.verified.contains(&c),
            None => false,
        }
    }

    /// Why `path` is not readable, or `None` when it is.
    pub fn unavailable(&self, path: &Path) -> Option<UnavailableReason> {
        if let Some(store) = store_path(path) {
            return (!self.store_granted(store)).then_some(UnavailableReason::StoreNotQueried);
        }
        let Some(c) = canonical(path) else { return Some(UnavailableReason::Missing) };
        if self.grants.covers_input(&c) || self.verified.contains(&c) {
            None
        } else if self.changed.contains(&c) {
            Some(UnavailableReason::Changed)
        } else if c.is_dir() {
            Some(UnavailableReason::Folder)
        } else {
            Some(UnavailableReason::NotGranted)
        }
    }

    /// Checks every recorded input under the confirmed `folder` (canonical)
    /// against the case's size and hash; those that match become readable.
    /// `hash` is the engine's file hash (the same as ingest records).
    pub fn confirm_folder(
        &mut self,
        folder: &Path,
        inputs: &[Recorded<'_>],
        hash: impl Fn(&Path) -> Option<String>,
    ) -> Confirmed {
        let mut out = Confirmed::default();
        // Each file is hashed once even when two sources list it.
        let mut seen: HashMap<PathBuf, bool> = HashMap::new();
        for input in inputs {
            let Some(c) = canonical(input.path).filter(|c| c.starts_with(folder)) else {
                out.elsewhere.push(input.path.display().to_string());
                continue;
            };
            if self.grants.covers_input(&c) || c.is_dir() {
                continue;
            }
            if input.sha256.is_empty() {
                let shown = input.path.display().to_string();
                if !out.unhashed.contains(&shown) {
                    out.unhashed.push(shown);
                }
                continue;
            }
            let ok = *seen.entry(c.clone()).or_insert_with(|| {
                let size_ok = std::fs::metadata(&c).is_ok_and(|m| m.is_file() && m.len() == input.size);
                size_ok && hash(&c).as_deref() == Some(input.sha256)
            });
            if ok {
                self.changed.remove(&c);
                if self.verified.insert(c) {
                    out.verified += 1;
                }
            } else {
                out.changed.push(input.path.display().to_string());
                self.changed.insert(c);
            }
        }
        // Another source may list the same file with its hash, and verify it.
        out.unhashed.retain(|u| canonical(Path::new(u)).is_none_or(|c| !self.verified.contains(&c)));
        out
    }

    /// A table the analyst confirmed querying (its locator, no credentials).
    pub fn grant_store(&mut self, locator: &str) {
        self.stores.insert(locator.to_string());
    }

    /// Whether `path` (a table, a service's source, a cited row) is under a
    /// confirmed table: the locator itself or followed by `/` or `?`.
    fn store_granted(&self, path: &str) -> bool {
        self.stores.iter().any(|table| {
            path.strip_prefix(table.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
        })
    }

    /// A new case: what an earlier case verified says nothing about this one.
    pub fn forget_verified(&mut self) {
        self.verified.clear();
        self.changed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_recorded_without_a_hash_is_neither_verified_nor_called_changed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().canonicalize().unwrap();
        let log = folder.join("app.log");
        std::fs::write(&log, "x\n").unwrap();
        let mut access = Access::default();
        let recorded = [Recorded { path: &log, size: 2, sha256: "" }];
        let done = access.confirm_folder(&folder, &recorded, |_| Some(String::new()));
        assert_eq!((done.verified, done.changed.len()), (0, 0));
        assert_eq!(done.unhashed, vec![log.display().to_string()]);
        assert!(!access.may_read(&log), "nothing to check it against: it stays unavailable");

        // Listed again by a source that read it whole, with its hash: verified, not unhashed.
        let twice = [Recorded { path: &log, size: 2, sha256: "" }, Recorded { path: &log, size: 2, sha256: "ab" }];
        let done = access.confirm_folder(&folder, &twice, |_| Some("ab".into()));
        assert_eq!((done.verified, done.unhashed.len()), (1, 0));
        assert!(access.may_read(&log));
    }

    #[test]
    fn a_log_store_is_readable_only_under_a_table_confirmed_in_this_session() {
        let mut access = Access::default();
        let row = Path::new("clickhouse://ch:8123/logs.app/nginx?time=2026-11-17T08:27:04Z&key=1");
        assert!(!access.may_read(row));
        assert_eq!(access.unavailable(row), Some(UnavailableReason::StoreNotQueried));
        access.grant_store("clickhouse://ch:8123/logs.app");
        assert!(access.may_read(row));
        assert!(access.may_read(Path::new("clickhouse://ch:8123/logs.app")));
        assert_eq!(access.unavailable(Path::new("clickhouse://ch:8123/logs.app/nginx")), None);
        // Another table whose name starts the same, another server, another scheme.
        for other in [
            "clickhouse://ch:8123/logs.application/x",
            "clickhouse://ch.evil:8123/logs.app",
            "clickhouses://ch:8123/logs.app",
        ] {
            assert!(!access.may_read(Path::new(other)), "{other}");
        }
    }
}
