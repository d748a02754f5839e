//! What makes a SQLite file a Faultline case, and the backup taken before a
//! case is migrated.
//!
//! A case file says what it is in its header (`PRAGMA application_id`), so
//! another program's database (a browser profile, an app's cache) is never
//! opened, migrated or written to as a case. Cases written before the id
//! existed have id 0 and the case schema; they are accepted and stamped.

use crate::StoreError;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// `FLT1` in the SQLite header's application id field.
pub const APPLICATION_ID: i32 = 0x464C_5431;

fn err(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite { path: path.to_string(), source }
}

fn not_a_case(path: &str, why: String) -> StoreError {
    StoreError::Corrupt { path: path.to_string(), detail: format!("not a Faultline case ({why})") }
}

/// Refuses a database that belongs to another program: a foreign
/// application id, or an unversioned database that already has tables.
pub(crate) fn check(conn: &Connection, path: &str) -> Result<(), StoreError> {
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(err(path))?;
    if id != 0 && id != APPLICATION_ID {
        return Err(not_a_case(path, format!("application id {id:#010x}")));
    }
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err(path))?;
    if id == 0 && version == 0 {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))
            .map_err(err(path))?;
        if tables > 0 {
            return Err(not_a_case(path, "another program's database".into()));
        }
    }
    Ok(())
}

/// Marks the file as a Faultline case (new files, and cases from before the id).
pub(crate) fn stamp(conn: &Connection, path: &str) -> Result<(), StoreError> {
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(err(path))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    conn.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}")).map_err(err(path))
}

/// Copies the case to `<file>.v<version>.bak` (a free name: an older backup
/// is never overwritten) before a migration changes it in place, so a
/// migration that goes wrong, or a newer Faultline the analyst goes back
/// from, leaves the case as it was.
pub(crate) fn backup(conn: &Connection, path: &str, version: u32) -> Result<PathBuf, StoreError> {
    let file = Path::new(path);
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "case".into());
    let mut dest = file.with_file_name(format!("{name}.v{version}.bak"));
    let mut n = 1;
    while dest.exists() {
        dest = file.with_file_name(format!("{name}.v{version}.{n}.bak"));
        n += 1;
    }
    let dest_s = dest.to_str().ok_or_else(|| not_a_case(path, "backup path is not UTF-8".into()))?;
    conn.execute("VACUUM INTO ?", [dest_s])
        .map_err(|source| StoreError::Sqlite { path: dest.display().to_string(), source })?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use crate::{CaseFile, SCHEMA_VERSION};
    use rusqlite::Connection;

    fn pragma(path: &std::path::Path, name: &str) -> i64 {
        Connection::open(path).unwrap().query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_new_case_carries_the_application_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.faultline");
        drop(CaseFile::open(&path).unwrap());
        assert_eq!(pragma(&path, "application_id"), i64::from(super::APPLICATION_ID));
    }

    #[test]
    fn another_programs_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        // Another app's database that happens to have a `sources` table and a version.
        let foreign = dir.path().join("places.faultline");
        {
            let c = Connection::open(&foreign).unwrap();
            c.execute_batch("PRAGMA application_id = 1234; PRAGMA user_version = 2; CREATE TABLE sources (x);")
                .unwrap();
        }
        let before = std::fs::read(&foreign).unwrap();
        let e = CaseFile::open_existing(&foreign).err().unwrap().to_string();
        assert!(e.contains("not a Faultline case"), "{e}");
        assert!(CaseFile::open(&foreign).is_err());
        assert_eq!(std::fs::read(&foreign).unwrap(), before);
        // An unversioned database with tables is not a case either: never migrated into one.
        let plain = dir.path().join("cache.db");
        Connection::open(&plain).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        let before = std::fs::read(&plain).unwrap();
        assert!(CaseFile::open(&plain).is_err());
        assert_eq!(std::fs::read(&plain).unwrap(), before);
    }

    #[test]
    fn an_older_case_is_backed_up_before_it_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.faultline");
        {
            // A version-1 case from before the application id.
            let c = Connection::open(&path).unwrap();
            c.execute_batch(crate::open::MIGRATIONS[0]).unwrap();
            c.execute_batch("PRAGMA user_version = 1").unwrap();
            c.execute("INSERT INTO notes (time_us, text, created_at) VALUES (0, 'from v1', '')", []).unwrap();
        }
        let case = CaseFile::open_existing(&path).unwrap();
        assert_eq!(case.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(case.notes().unwrap()[0].text, "from v1");
        drop(case);
        let bak = dir.path().join("old.faultline.v1.bak");
        assert!(bak.is_file(), "no backup before the migration");
        assert_eq!(pragma(&bak, "user_version"), 1, "the backup is the case as it was");
        assert_eq!(pragma(&path, "application_id"), i64::from(super::APPLICATION_ID));
        // A second old case of the same name does not overwrite the first backup.
        std::fs::copy(&bak, &path).unwrap();
        drop(CaseFile::open_existing(&path).unwrap());
        assert!(dir.path().join("old.faultline.v1.1.bak").is_file());
        // A current case is not copied again.
        drop(CaseFile::open_existing(&path).unwrap());
        assert!(!dir.path().join("old.faultline.v1.2.bak").exists());
    }
}
