//! Reading a case while another connection writes it: the desktop ingests
//! on one connection while search, notes and the analysis use another, so
//! a reader needs to see one state of the case and to know when it moved.

use crate::{CaseFile, StoreError};

/// A read transaction: every read made while it lives sees the case as it
/// was when the first one ran, even if another connection commits an
/// ingest meanwhile. Dropping it ends it (nothing is written through it).
pub struct Snapshot<'c> {
    _tx: rusqlite::Transaction<'c>,
}

impl CaseFile {
    /// Opens the case file at `path`, which `other` has open, as a second
    /// connection (the file in WAL mode, saved or in a folder): one reads
    /// sources into the case while the other serves everything else. Their
    /// writes take turns.
    pub fn open_beside(path: &std::path::Path, other: &CaseFile) -> Result<CaseFile, StoreError> {
        let mut case = CaseFile::open_existing(path)?;
        case.write_gate = other.write_gate.clone();
        Ok(case)
    }

    /// Starts a [`Snapshot`]. Not for use inside another transaction of this
    /// connection (SQLite does not nest them).
    pub fn snapshot(&self) -> Result<Snapshot<'_>, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        Ok(Snapshot { _tx: tx })
    }

    /// A number that changes whenever another connection commits a change to
    /// the case (SQLite's `PRAGMA data_version`); this connection's own
    /// writes do not change it.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures::summary;
    use crate::CaseFile;

    #[test]
    fn a_reader_sees_another_connections_commit_only_after_its_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.faultline");
        let writer = CaseFile::open(&path).unwrap();
        let reader = CaseFile::open_beside(&path, &writer).unwrap();
        let before = reader.data_version().unwrap();
        {
            let _snap = reader.snapshot().unwrap();
            assert!(reader.sources().unwrap().is_empty());
            writer.begin_source(&summary("/logs/a.log")).unwrap();
            assert!(reader.sources().unwrap().is_empty(), "a snapshot keeps the state it started with");
        }
        assert_eq!(reader.sources().unwrap().len(), 1);
        assert_ne!(reader.data_version().unwrap(), before, "another connection's commit is seen");
        let seen = reader.data_version().unwrap();
        reader.add_note(chrono::Utc::now(), "own write").unwrap();
        assert_eq!(reader.data_version().unwrap(), seen, "its own writes do not count");
    }

    #[test]
    fn a_source_being_read_lists_its_files_until_written_with_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let case = CaseFile::open(&dir.path().join("c.faultline")).unwrap();
        let log = dir.path().join("a.log");
        std::fs::write(&log, "x\n").unwrap();
        let s = summary(&log.display().to_string());
        case.begin_source(&s).unwrap();
        let stat = crate::FileStamp::stat(&log).unwrap();
        case.begin_files(&s.path, std::slice::from_ref(&stat)).unwrap();
        let begun = &case.sources().unwrap()[0];
        assert!(!begun.summary.complete);
        assert_eq!(begun.files, vec![stat.clone()], "searchable while it is read");
        let hashed = crate::FileStamp { sha256: "ab".into(), ..stat };
        case.write_source(&s, std::slice::from_ref(&hashed), &crate::IngestBuffer::new(&s.path)).unwrap();
        assert_eq!(case.sources().unwrap()[0].files, vec![hashed], "the read's stamps, once");
    }
}
