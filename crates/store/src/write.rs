//! Writing to a case: a source begun incomplete, its notable records spilled
//! while it is read, the rest committed with the `complete` mark; and the
//! analyst's notes, timeline edits and log-store query records.

use crate::buffer::{
    IngestBuffer, NotableBatch, PackedRecord, F_AGENT, F_CLIENT, F_HOST, F_MESSAGE, F_METHOD, F_PATH, F_SERVICE,
};
use crate::{to_us, CaseFile, FileStamp, Note, StoreError, TimelineEdit};
use chrono::Utc;
use faultline_model::{Instant, Level, SourceSummary};
use rusqlite::{params, OptionalExtension};

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Trace => "trace",
        Level::Debug => "debug",
        Level::Info => "info",
        Level::Notice => "notice",
        Level::Warn => "warn",
        Level::Error => "error",
        Level::Critical => "critical",
    }
}

impl CaseFile {
    /// Marks a source as being (re)written: its old rows go, an incomplete row
    /// stands in its place until [`CaseFile::write_source`] commits.
    pub fn begin_source(&self, summary: &SourceSummary) -> Result<(), StoreError> {
        let _writing = self.writing();
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        tx.execute("DELETE FROM sources WHERE path = ?", [&summary.path]).map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO sources (path, kind, format, tz, clock_offset_ms, complete, ingested_at, error_rule) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            params![
                summary.path,
                summary.kind.as_str(),
                summary.format,
                summary.tz,
                summary.clock_offset_ms,
                Utc::now().to_rfc3339(),
                faultline_model::error_class::RULE
            ],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Records the files a begun source is being read from (size and mtime,
    /// not yet hashed), so a search while it is read covers them.
    /// [`CaseFile::write_source`] replaces them with the read's own stamps.
    pub fn begin_files(&self, path: &str, files: &[FileStamp]) -> Result<(), StoreError> {
        let _writing = self.writing();
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let id: i64 = tx
            .query_row("SELECT id FROM sources WHERE path = ? AND complete = 0", [path], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.corrupt(format!("source {path} was not begun")))?;
        insert_files(&tx, id, files).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Stores a parsed source in one transaction and marks it complete.
    pub fn write_source(
        &self,
        summary: &SourceSummary,
        files: &[FileStamp],
        buffer: &IngestBuffer,
    ) -> Result<(), StoreError> {
        let _writing = self.writing();
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let id: i64 = tx
            .query_row("SELECT id FROM sources WHERE path = ?", [&summary.path], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.corrupt(format!("source {} was not begun", summary.path)))?;
        tx.execute(
            "UPDATE sources SET kind=?, format=?, tz=?, clock_offset_ms=?, records=?, unparsed=?, first_us=?, last_us=?, bytes=?, sha256=?, notes=?, windowed=?, window_from_us=?, window_to_us=?, complete=1 WHERE id=?",
            params![
                summary.kind.as_str(),
                summary.format,
                summary.tz,
                summary.clock_offset_ms,
                summary.records as i64,
                summary.unparsed as i64,
                summary.first.map(to_us),
                summary.last.map(to_us),
                summary.bytes as i64,
                summary.sha256,
                serde_json::to_string(&summary.notes).unwrap_or_else(|_| "[]".into()),
                summary.window.is_some(),
                summary.window.and_then(|w| w.from).map(to_us),
                summary.window.and_then(|w| w.to).map(to_us),
                id
            ],
        )
        .map_err(|e| self.err(e))?;
        {
            insert_files(&tx, id, files).map_err(|e| self.err(e))?;
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO counts (source_id, second, total, errors, http_5xx, http_4xx, warnings) VALUES (?,?,?,?,?,?,?)",
                )
                .map_err(|e| self.err(e))?;
            for (second, c) in buffer.all_counts().iter() {
                st.execute(params![id, second, c.total, c.errors, c.http_5xx, c.http_4xx, c.warnings])
                    .map_err(|e| self.err(e))?;
            }
            self.insert_records(&tx, id, &buffer.notable)?;
            for held in buffer.client_errors_to_write() {
                self.insert_records(&tx, id, held)?;
            }
            let mut st = tx
                .prepare_cached("INSERT INTO events (source_id, kind, file, time_us, data) VALUES (?,?,?,?,?)")
                .map_err(|e| self.err(e))?;
            let json = |v: Result<String, serde_json::Error>| v.map_err(|e| self.corrupt(e.to_string()));
            for (file, c) in &buffer.changes {
                st.execute(params![id, "change", file, to_us(c.time), json(serde_json::to_string(c))?])
                    .map_err(|e| self.err(e))?;
            }
            for (file, m) in &buffer.messages {
                st.execute(params![id, "message", file, to_us(m.time), json(serde_json::to_string(m))?])
                    .map_err(|e| self.err(e))?;
            }
            for (file, a) in &buffer.alerts {
                st.execute(params![id, "alert", file, to_us(a.time), json(serde_json::to_string(a))?])
                    .map_err(|e| self.err(e))?;
            }
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO unparsed (source_id, file, line, offset, reason, text) VALUES (?,?,?,?,?,?)",
                )
                .map_err(|e| self.err(e))?;
            for (file, line, offset, reason, text) in &buffer.unparsed {
                st.execute(params![id, file, *line as i64, *offset as i64, reason, text]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Stores notable records of a source being read (begun with
    /// [`CaseFile::begin_source`], not yet written) ahead of the rest, so
    /// ingest holds a bounded number in memory. They count only once
    /// [`CaseFile::write_source`] marks the source complete.
    pub fn spill_records(&self, source_path: &str, records: &NotableBatch) -> Result<(), StoreError> {
        let _writing = self.writing();
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let id: i64 = tx
            .query_row("SELECT id FROM sources WHERE path = ? AND complete = 0", [source_path], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.corrupt(format!("source {source_path} is not being read")))?;
        self.insert_records(&tx, id, &records.0)?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Deletes the records stored ahead for a source being read: its read
    /// starts over (a `--from/--to` read that must read the whole file after all).
    pub fn discard_spilled(&self, source_path: &str) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.conn
            .execute(
                "DELETE FROM records WHERE source_id = (SELECT id FROM sources WHERE path = ? AND complete = 0)",
                [source_path],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn insert_records(
        &self,
        tx: &rusqlite::Transaction<'_>,
        id: i64,
        records: &[(std::sync::Arc<str>, PackedRecord)],
    ) -> Result<(), StoreError> {
        let mut st = tx
            .prepare_cached(
                "INSERT INTO records (source_id, file, time_us, line, offset, len, lines, level, status, method, path, client, user_agent, host, service, message, text, flags, repeat)
                 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            )
            .map_err(|e| self.err(e))?;
        for (file, r) in records {
            st.execute(params![
                id,
                file,
                to_us(r.time),
                r.span.line as i64,
                r.span.offset as i64,
                r.span.len as i64,
                r.span.lines,
                r.level.map(level_name),
                r.status,
                r.field(F_METHOD),
                r.field(F_PATH),
                r.field(F_CLIENT),
                r.field(F_AGENT),
                r.field(F_HOST),
                r.field(F_SERVICE),
                r.field(F_MESSAGE).unwrap_or(""),
                &*r.text,
                r.flags,
                r.repeat
            ])
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Removes a source and everything read from it.
    pub fn remove_source(&self, path: &str) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.conn.execute("DELETE FROM sources WHERE path = ?", [path]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Adds an analyst's note at an instant.
    pub fn add_note(&self, time: Instant, text: &str) -> Result<Note, StoreError> {
        let _writing = self.writing();
        self.conn
            .execute(
                "INSERT INTO notes (time_us, text, created_at) VALUES (?, ?, ?)",
                params![to_us(time), text, Utc::now().to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(Note { id: self.conn.last_insert_rowid(), time, text: text.to_string() })
    }

    /// Removes a note.
    pub fn delete_note(&self, id: i64) -> Result<bool, StoreError> {
        let _writing = self.writing();
        let n = self.conn.execute("DELETE FROM notes WHERE id = ?", [id]).map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// Stores an edit (replacing the entry's earlier one); an edit that
    /// changes nothing any more (unpinned, shown, not renamed) is deleted.
    pub fn set_timeline_edit(&self, edit: &TimelineEdit) -> Result<(), StoreError> {
        let _writing = self.writing();
        if !edit.pinned && !edit.hidden && edit.rename.is_none() {
            self.conn.execute("DELETE FROM timeline_edits WHERE key = ?", [&edit.key]).map_err(|e| self.err(e))?;
            return Ok(());
        }
        let entry =
            serde_json::to_string(&edit.entry).map_err(|e| self.corrupt(format!("timeline edit {}: {e}", edit.key)))?;
        self.conn
            .execute(
                "INSERT INTO timeline_edits (key, pinned, hidden, rename, entry, updated_at) VALUES (?,?,?,?,?,?)
                 ON CONFLICT(key) DO UPDATE SET pinned = excluded.pinned, hidden = excluded.hidden,
                 rename = excluded.rename, entry = excluded.entry, updated_at = excluded.updated_at",
                params![edit.key, edit.pinned, edit.hidden, edit.rename, entry, Utc::now().to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records what was asked of a log store's table (a JSON descriptor: URL
    /// without credentials, table, columns, range, query times), replacing
    /// what an earlier query of the same table recorded.
    pub fn set_store_query(&self, locator: &str, descriptor: &str) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.conn
            .execute(
                "INSERT INTO store_queries (locator, descriptor, queried_at) VALUES (?, ?, ?)
                 ON CONFLICT(locator) DO UPDATE SET descriptor = excluded.descriptor, queried_at = excluded.queried_at",
                params![locator, descriptor, Utc::now().to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Forgets a log-store table's query record.
    pub fn remove_store_query(&self, locator: &str) -> Result<(), StoreError> {
        let _writing = self.writing();
        self.conn.execute("DELETE FROM store_queries WHERE locator = ?", [locator]).map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// Replaces the files recorded for source `id`.
fn insert_files(tx: &rusqlite::Transaction<'_>, id: i64, files: &[FileStamp]) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM source_files WHERE source_id = ?", [id])?;
    let mut st = tx.prepare_cached(
        "INSERT INTO source_files (source_id, ord, path, size, mtime_ns, sha256) VALUES (?,?,?,?,?,?)",
    )?;
    for (i, f) in files.iter().enumerate() {
        st.execute(params![id, i as i64, f.path.to_string_lossy(), f.size as i64, f.mtime_ns, f.sha256])?;
    }
    Ok(())
}
