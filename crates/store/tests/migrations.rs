//! Every earlier case-file version opens in this build: for each version a
//! case is built with the migrations of that time (the `.sql` files, in
//! order), filled with what a case of that version holds, and then opened,
//! migrated, read and written through `CaseFile`. A new migration is covered
//! by adding its file; nothing here needs to change.

use faultline_model::{SourceKind, SourceSummary};
use faultline_store::{CaseFile, IngestBuffer, SCHEMA_VERSION};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

fn migration_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the migrations folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

/// A case as version `version` left it: its schema, and a source of the input
/// that was being read (written with version 1's columns, which every later
/// version keeps).
fn old_case(path: &Path, version: usize) {
    let conn = Connection::open(path).unwrap();
    for file in &migration_files()[..version] {
        conn.execute_batch(&std::fs::read_to_string(file).unwrap()).unwrap();
    }
    conn.execute_batch(&format!("PRAGMA user_version = {version}")).unwrap();
    if version >= 1 {
        conn.execute(
            "INSERT INTO sources (path, kind, format, tz, records, sha256, notes, complete, ingested_at)
             VALUES ('/logs/old.log', 'log', 'app-log', 'UTC', 7, 'abc', '[\"kept note\"]', 1, '2026-11-24T00:00:00Z')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO source_files (source_id, ord, path, size, mtime_ns, sha256) VALUES (1, 0, '/logs/old.log', 10, 5, 'abc')",
            [],
        )
        .unwrap();
    }
}

#[test]
fn the_migration_files_are_the_schema_versions() {
    let files = migration_files();
    assert_eq!(files.len() as u32, SCHEMA_VERSION, "every migration file is wired in, in order: {files:?}");
    // File N is schema version N: a gap would make a case at version N skip a migration.
    let numbers: Vec<u32> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().split('_').next().unwrap().parse().expect("NNNN_name.sql"))
        .collect();
    assert_eq!(numbers, (1..=SCHEMA_VERSION).collect::<Vec<_>>(), "{files:?}");
}

#[test]
fn a_case_of_every_earlier_version_opens_keeps_its_sources_and_takes_new_ones() {
    for version in 0..SCHEMA_VERSION as usize {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.faultline");
        old_case(&path, version);

        let case = CaseFile::open(&path).unwrap_or_else(|e| panic!("version {version}: {e}"));
        assert_eq!(case.schema_version().unwrap(), SCHEMA_VERSION, "version {version}");
        let sources = case.sources().unwrap();
        if version >= 1 {
            assert_eq!(sources.len(), 1, "version {version}");
            let s = &sources[0];
            assert_eq!((s.summary.path.as_str(), s.summary.records, s.summary.complete), ("/logs/old.log", 7, true));
            assert_eq!(s.summary.notes, vec!["kept note".to_string()]);
            assert_eq!(s.files.len(), 1);
        } else {
            assert!(sources.is_empty());
        }

        let summary = SourceSummary {
            path: "/logs/new.log".into(),
            kind: SourceKind::Log,
            format: "app-log".into(),
            records: 0,
            unparsed: 0,
            first: None,
            last: None,
            tz: "UTC".into(),
            bytes: 0,
            sha256: "def".into(),
            notes: vec![],
            clock_offset_ms: 0,
            complete: true,
            window: None,
        };
        case.begin_source(&summary).unwrap();
        case.write_source(&summary, &[], &IngestBuffer::new("/logs/new.log")).unwrap();
        drop(case);

        // Opening again is a no-op migration.
        let case = CaseFile::open(&path).unwrap();
        assert_eq!(case.sources().unwrap().len(), if version >= 1 { 2 } else { 1 }, "version {version}");
        case.load(None, None).unwrap();
    }
}

/// Before version 6 a window read said so only in a note. Such a source keeps
/// the note the analyst read, but is never reused: its window cannot be
/// compared, so the next ingest reads it again.
#[test]
fn a_window_read_from_before_the_window_fields_keeps_its_note_and_is_not_reusable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.faultline");
    old_case(&path, 5);
    let note = "only 2026-11-24T10:00:00Z – 2026-11-24T10:20:00Z was read (--from/--to; the file is taken to be in \
                time order within 5 min, and records up to 5 min either side were read too); counts and first/last \
                describe that part";
    let notes =
        serde_json::to_string(&[note, "not hashed: only a window was read (hashing would read the whole file)"])
            .unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE sources SET notes = ?, sha256 = '' WHERE id = 1", [&notes]).unwrap();
    conn.execute(
        "INSERT INTO sources (path, kind, format, tz, records, sha256, notes, complete, ingested_at, error_rule)
         VALUES ('/logs/whole.log', 'log', 'app-log', 'UTC', 7, 'abc', '[]', 1, '2026-11-24T00:00:00Z', ?)",
        [faultline_model::error_class::RULE],
    )
    .unwrap();
    drop(conn);

    let sources = CaseFile::open(&path).unwrap().sources().unwrap();
    let (old, whole) = (&sources[0], &sources[1]);
    assert_eq!(old.summary.notes[0], note, "the analyst still reads which window it was");
    assert_eq!(old.summary.window, None);
    assert_ne!(old.error_rule, faultline_model::error_class::RULE, "never reused as a whole read");
    assert_eq!((whole.summary.window, whole.error_rule), (None, faultline_model::error_class::RULE), "untouched");
}
