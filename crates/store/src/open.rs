//! Opening a case: creating, recognizing and migrating the file, and copying it.

use crate::{identity, CaseFile, StoreError};
use rusqlite::Connection;
use std::path::Path;

/// The migrations, in order; `PRAGMA user_version` says how many ran.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_timeline_edits.sql"),
    include_str!("../migrations/0003_store_sources.sql"),
    include_str!("../migrations/0004_clock_offsets.sql"),
    include_str!("../migrations/0005_error_rule.sql"),
    include_str!("../migrations/0006_read_window.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

impl CaseFile {
    /// Opens (creating and migrating as needed) the case file at `path`.
    pub fn open(path: &Path) -> Result<CaseFile, StoreError> {
        let name = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| StoreError::Sqlite { path: name.clone(), source: e })?;
        identity::check(&conn, &name)?;
        CaseFile::init(conn, name, None)
    }

    /// A case that lives in memory only (tests).
    pub fn in_memory() -> Result<CaseFile, StoreError> {
        let conn =
            Connection::open_in_memory().map_err(|e| StoreError::Sqlite { path: ":memory:".into(), source: e })?;
        CaseFile::init(conn, ":memory:".into(), None)
    }

    /// A throwaway case in a temporary file, deleted when dropped: the case of
    /// a one-shot CLI run without `--case`. On disk rather than in memory, so
    /// the process holds only SQLite's page cache, not the whole case (which
    /// grows with the inputs: 22 MB for the 5M-line benchmark log). Nothing
    /// outlives the run, so it is written without a journal's durability.
    pub fn temporary() -> Result<CaseFile, StoreError> {
        let file = tempfile::Builder::new()
            .prefix("faultline-case-")
            .suffix(".faultline")
            .tempfile()
            .map_err(|e| StoreError::Io { path: std::env::temp_dir().display().to_string(), source: e })?;
        let path = file.into_temp_path();
        let name = path.display().to_string();
        let conn = Connection::open(&path).map_err(|e| StoreError::Sqlite { path: name.clone(), source: e })?;
        CaseFile::init(conn, name, Some(path))
    }

    /// The file of a [`CaseFile::temporary`] case (deleted when the case is dropped).
    pub fn temporary_path(&self) -> Option<&Path> {
        self._temporary.as_deref()
    }

    fn init(conn: Connection, path: String, temporary: Option<tempfile::TempPath>) -> Result<CaseFile, StoreError> {
        // A temporary case keeps its rollback journal in memory (small: a fresh
        // file's transactions only add pages) and never waits for the disk. Its
        // pages are 64 KiB: a flood of errors is a million record rows, inserted
        // 12 % faster than with 4 KiB pages (1M-line 5xx flood, 3.04 -> 2.68 s).
        // A saved case keeps SQLite's default (changing it needs a VACUUM).
        let pragmas = if temporary.is_some() {
            "PRAGMA page_size=65536; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
        } else {
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
        };
        let on_disk = temporary.is_none() && path != ":memory:";
        let case = CaseFile { conn, path, _temporary: temporary, write_gate: Default::default() };
        case.conn.execute_batch(pragmas).map_err(|e| case.err(e))?;
        case.migrate(on_disk)?;
        identity::stamp(&case.conn, &case.path)?;
        Ok(case)
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    fn migrate(&self, on_disk: bool) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: self.path.clone(), found, supported: SCHEMA_VERSION });
        }
        if on_disk && found > 0 && found < SCHEMA_VERSION {
            identity::backup(&self.conn, &self.path, found)?;
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let version = i as u32 + 1;
            let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
            tx.execute_batch(sql).map_err(|e| self.err(e))?;
            tx.execute_batch(&format!("PRAGMA user_version = {version}")).map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Opens a case file that must already exist and be a Faultline case
    /// (migrated to this version as needed). Unlike [`CaseFile::open`] it
    /// never creates a file, and it leaves any other SQLite database untouched.
    pub fn open_existing(path: &Path) -> Result<CaseFile, StoreError> {
        use rusqlite::OpenFlags;
        let name = path.display().to_string();
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| StoreError::Sqlite { path: name.clone(), source: e })?;
        identity::check(&conn, &name)?;
        let probe = CaseFile { conn, path: name.clone(), _temporary: None, write_gate: Default::default() };
        let version = probe.schema_version()?;
        let has_sources: bool = probe
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sources')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| probe.err(e))?;
        if version == 0 || !has_sources {
            return Err(probe.corrupt("not a Faultline case (no case schema)"));
        }
        CaseFile::init(probe.conn, name, None)
    }

    /// Writes a compact copy of the whole case to `dest`, which must not
    /// exist (SQLite's `VACUUM INTO`): a consistent snapshot even while the
    /// WAL holds uncommitted pages.
    pub fn copy_to(&self, dest: &Path) -> Result<(), StoreError> {
        let dest_s = dest.to_str().ok_or_else(|| self.corrupt(format!("{}: not a UTF-8 path", dest.display())))?;
        self.conn
            .execute("VACUUM INTO ?", [dest_s])
            .map_err(|e| StoreError::Sqlite { path: dest.display().to_string(), source: e })?;
        Ok(())
    }
}
