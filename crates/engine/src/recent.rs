//! The list of recently opened or saved case files, kept in a small JSON file
//! (the desktop puts it in the app's config folder). A missing or unreadable
//! list is an empty one: it is a convenience, never a reason to fail.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How many cases the list remembers.
pub const RECENT_MAX: usize = 10;

/// One remembered case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentCase {
    /// The `.faultline` file.
    pub path: PathBuf,
    /// When it was last opened or saved (RFC 3339, UTC).
    pub opened_at: String,
}

/// The remembered cases, most recent first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecentCases {
    /// Most recent first, no duplicates, at most [`RECENT_MAX`].
    pub cases: Vec<RecentCase>,
}

impl RecentCases {
    /// Reads the list at `file`; empty when it is missing or not a list.
    pub fn load(file: &Path) -> RecentCases {
        std::fs::read(file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// Writes the list to `file` (creating its folder), through a temporary
    /// file and a rename so a crash never leaves half a list.
    pub fn save(&self, file: &Path) -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = file.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, file)
    }

    /// Puts `path` first (moving it up if it was already listed) and keeps
    /// the newest [`RECENT_MAX`].
    pub fn remember(&mut self, path: &Path, now: chrono::DateTime<chrono::Utc>) {
        self.cases.retain(|c| c.path != path);
        self.cases.insert(0, RecentCase { path: path.to_path_buf(), opened_at: now.to_rfc3339() });
        self.cases.truncate(RECENT_MAX);
    }

    /// Drops `path` (a case that no longer opens).
    pub fn forget(&mut self, path: &Path) {
        self.cases.retain(|c| c.path != path);
    }

    /// True when `path` is on the list.
    pub fn contains(&self, path: &Path) -> bool {
        self.cases.iter().any(|c| c.path == path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remember_moves_to_front_dedupes_and_caps() {
        let mut r = RecentCases::default();
        let now = chrono::Utc::now();
        for i in 0..12 {
            r.remember(Path::new(&format!("/cases/{i}.faultline")), now);
        }
        r.remember(Path::new("/cases/5.faultline"), now);
        assert_eq!(r.cases.len(), RECENT_MAX);
        assert_eq!(r.cases[0].path, Path::new("/cases/5.faultline"));
        assert_eq!(r.cases.iter().filter(|c| c.path == Path::new("/cases/5.faultline")).count(), 1);
        assert!(!r.contains(Path::new("/cases/0.faultline")), "the oldest fell off");
    }

    #[test]
    fn the_list_survives_a_round_trip_and_garbage_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("conf/recent-cases.json");
        let mut r = RecentCases::default();
        r.remember(Path::new("/cases/a.faultline"), chrono::Utc::now());
        r.save(&file).unwrap();
        assert_eq!(RecentCases::load(&file), r);
        std::fs::write(&file, b"{not json").unwrap();
        assert!(RecentCases::load(&file).cases.is_empty());
    }
}
