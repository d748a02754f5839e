//! Reading a case back: its sources, the window the correlator loads
//! (notable records streamed through a filter), and the analyst's notes and edits.

use crate::{from_us, to_us, CaseFile, FileStamp, Note, SourceMeta, StoreError, TimelineEdit, UnparsedLine};
use faultline_model::{
    CaseData, Instant, Level, Located, NotableRecord, OwnedRecord, ReadWindow, SecondCount, SourceKind, SourceSummary,
    Span,
};
use rusqlite::{params, OptionalExtension};
use std::collections::BTreeMap;
use std::path::PathBuf;

impl CaseFile {
    /// Every stored source, in the order they were added.
    pub fn sources(&self) -> Result<Vec<SourceMeta>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, path, kind, format, tz, records, unparsed, first_us, last_us, bytes, sha256, notes, complete,
                        clock_offset_ms, error_rule, windowed, window_from_us, window_to_us
                 FROM sources ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, bool>(12)?,
                    (r.get::<_, i64>(13)?, r.get::<_, u32>(14)?),
                    (r.get::<_, bool>(15)?, r.get::<_, Option<i64>>(16)?, r.get::<_, Option<i64>>(17)?),
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                path,
                kind,
                format,
                tz,
                records,
                unparsed,
                first,
                last,
                bytes,
                sha256,
                notes,
                complete,
                (offset, error_rule),
                (windowed, window_from, window_to),
            ) = row.map_err(|e| self.err(e))?;
            let kind = SourceKind::parse(&kind).ok_or_else(|| self.corrupt(format!("source {path}: kind {kind:?}")))?;
            let notes: Vec<String> = serde_json::from_str(&notes).unwrap_or_default();
            let files = self.source_files(id)?;
            out.push(SourceMeta {
                id,
                summary: SourceSummary {
                    path,
                    kind,
                    format,
                    records: records as u64,
                    unparsed: unparsed as u64,
                    first: first.map(from_us),
                    last: last.map(from_us),
                    tz,
                    bytes: bytes as u64,
                    sha256,
                    notes,
                    // A case may come from anyone: an offset past the CLI's own limit is not a clock.
                    clock_offset_ms: offset
                        .clamp(-faultline_model::clock::MAX_OFFSET_MS, faultline_model::clock::MAX_OFFSET_MS),
                    complete,
                    window: windowed.then(|| ReadWindow { from: window_from.map(from_us), to: window_to.map(from_us) }),
                },
                files,
                error_rule,
            });
        }
        Ok(out)
    }

    fn source_files(&self, id: i64) -> Result<Vec<FileStamp>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, size, mtime_ns, sha256 FROM source_files WHERE source_id = ? ORDER BY ord")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(FileStamp {
                    path: PathBuf::from(r.get::<_, String>(0)?),
                    size: r.get::<_, i64>(1)? as u64,
                    mtime_ns: r.get(2)?,
                    sha256: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Reads back everything the correlator needs, optionally restricted to a window.
    pub fn load(&self, from: Option<Instant>, to: Option<Instant>) -> Result<CaseData, StoreError> {
        self.load_window(from, to, from)
    }

    /// [`CaseFile::load`] with changes read from `changes_from` on: a window
    /// that opens at the first error must still see the deploy that came
    /// minutes before it (the correlator's look-back reaches behind the window).
    pub fn load_window(
        &self,
        from: Option<Instant>,
        to: Option<Instant>,
        changes_from: Option<Instant>,
    ) -> Result<CaseData, StoreError> {
        self.load_window_with(from, to, changes_from, |_, _| true)
    }

    /// [`CaseFile::load_window`] that hands each notable record, in time
    /// order, to `keep` (with the sources read so far) and puts in
    /// [`CaseData::notable`] only those it returns `true` for. A log that is
    /// mostly errors has a million notable records; the analysis turns them
    /// into small events as they stream by instead of holding them all.
    pub fn load_window_with(
        &self,
        from: Option<Instant>,
        to: Option<Instant>,
        changes_from: Option<Instant>,
        mut keep: impl FnMut(&[SourceSummary], &NotableRecord) -> bool,
    ) -> Result<CaseData, StoreError> {
        let metas = self.sources()?;
        // An incomplete source (an ingest killed or cancelled) may hold the
        // records spilled before it stopped: none of them are read.
        let index: BTreeMap<i64, u32> =
            metas.iter().enumerate().filter(|(_, m)| m.summary.complete).map(|(i, m)| (m.id, i as u32)).collect();
        let lo = from.map(to_us).unwrap_or(i64::MIN);
        let hi = to.map(to_us).unwrap_or(i64::MAX);
        let changes_lo = changes_from.map(to_us).unwrap_or(i64::MIN).min(lo);
        let mut data = CaseData { sources: metas.iter().map(|m| m.summary.clone()).collect(), ..Default::default() };

        let mut st = self
            .conn
            .prepare(
                "SELECT source_id, second, total, errors, http_5xx, http_4xx, warnings FROM counts
                 WHERE second >= ? AND second <= ? ORDER BY second, source_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![lo.div_euclid(1_000_000), hi.div_euclid(1_000_000)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    SecondCount {
                        second: r.get(1)?,
                        source: 0,
                        total: r.get(2)?,
                        errors: r.get(3)?,
                        http_5xx: r.get(4)?,
                        http_4xx: r.get(5)?,
                        warnings: r.get(6)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (sid, mut c) = row.map_err(|e| self.err(e))?;
            if let Some(i) = index.get(&sid) {
                c.source = *i;
                data.counts.push(c);
            }
        }

        let mut st = self
            .conn
            .prepare(
                "SELECT source_id, file, time_us, line, offset, len, lines, level, status, method, path, client, user_agent, host, service, message, text, flags, repeat
                 FROM records WHERE time_us >= ? AND time_us <= ? ORDER BY time_us, source_id, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![lo, hi], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(18)?,
                    OwnedRecord {
                        time: from_us(r.get(2)?),
                        span: Span {
                            line: r.get::<_, i64>(3)? as u64,
                            offset: r.get::<_, i64>(4)? as u64,
                            len: r.get::<_, i64>(5)? as u64,
                            lines: r.get(6)?,
                        },
                        level: r.get::<_, Option<String>>(7)?.and_then(|l| Level::parse(&l)),
                        status: r.get(8)?,
                        method: r.get(9)?,
                        path: r.get(10)?,
                        client: r.get(11)?,
                        user_agent: r.get(12)?,
                        host: r.get(13)?,
                        service: r.get(14)?,
                        message: r.get(15)?,
                        text: r.get(16)?,
                        flags: r.get(17)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        // One shared name per file: the records of a file all repeat it.
        let mut files = faultline_model::Interner::default();
        for row in rows {
            let (sid, file, repeat, record) = row.map_err(|e| self.err(e))?;
            if let Some(i) = index.get(&sid) {
                let nr = NotableRecord { source: *i, file: files.get(&file), record };
                // A log store's row may stand for alike records of its second:
                // each is handed on, as the records themselves would be.
                for _ in 1..repeat {
                    if keep(&data.sources, &nr) {
                        data.notable.push(nr.clone());
                    }
                }
                if keep(&data.sources, &nr) {
                    data.notable.push(nr);
                }
            }
        }

        let mut st = self
            .conn
            .prepare(
                "SELECT source_id, kind, file, data FROM events
                 WHERE time_us >= ?3 AND time_us <= ?2 AND (kind = 'change' OR time_us >= ?1) ORDER BY time_us, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![lo, hi, changes_lo], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (sid, kind, file, json) = row.map_err(|e| self.err(e))?;
            let Some(&source) = index.get(&sid) else { continue };
            let bad = |e: serde_json::Error| self.corrupt(format!("{kind} event: {e}"));
            match kind.as_str() {
                "change" => {
                    data.changes.push(Located { source, file, event: serde_json::from_str(&json).map_err(bad)? })
                }
                "message" => {
                    data.messages.push(Located { source, file, event: serde_json::from_str(&json).map_err(bad)? })
                }
                "alert" => data.alerts.push(Located { source, file, event: serde_json::from_str(&json).map_err(bad)? }),
                other => return Err(self.corrupt(format!("unknown event kind {other:?}"))),
            }
        }
        Ok(data)
    }

    /// The first unparsed lines kept for each source.
    pub fn unparsed_lines(&self, limit: usize) -> Result<Vec<UnparsedLine>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT s.path, u.file, u.line, u.offset, u.reason, u.text FROM unparsed u JOIN sources s ON s.id = u.source_id
                 ORDER BY s.id, u.file, u.line LIMIT ?",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([limit as i64], |r| {
                Ok(UnparsedLine {
                    source: r.get(0)?,
                    file: r.get(1)?,
                    line: r.get::<_, i64>(2)? as u64,
                    offset: r.get::<_, i64>(3)? as u64,
                    reason: r.get(4)?,
                    text: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// All notes in time order.
    pub fn notes(&self) -> Result<Vec<Note>, StoreError> {
        let mut st =
            self.conn.prepare("SELECT id, time_us, text FROM notes ORDER BY time_us, id").map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok(Note { id: r.get(0)?, time: from_us(r.get(1)?), text: r.get(2)? }))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The analyst's timeline edits, in the order they were first made.
    pub fn timeline_edits(&self) -> Result<Vec<TimelineEdit>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT key, pinned, hidden, rename, entry FROM timeline_edits ORDER BY rowid")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, pinned, hidden, rename, entry) = row.map_err(|e| self.err(e))?;
            let entry = serde_json::from_str(&entry).map_err(|e| self.corrupt(format!("timeline edit {key}: {e}")))?;
            out.push(TimelineEdit { key, pinned, hidden, rename, entry });
        }
        Ok(out)
    }

    /// Every log-store table queried for this case: (locator, descriptor JSON).
    pub fn store_queries(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT locator, descriptor FROM store_queries ORDER BY locator")
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The time and text of a log store's row kept in the case (`file` the
    /// source's locator, `key` the row key a citation carries as its offset).
    pub fn store_row(&self, file: &str, key: u64) -> Result<Option<(Instant, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT time_us, text FROM records WHERE file = ? AND offset = ? AND line = 0 LIMIT 1",
                params![file, key as i64],
                |r| Ok((from_us(r.get(0)?), r.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Hands `named` the client address of each notable record of a complete
    /// source in `[from, to]`, until it returns `false`: how an analysis
    /// names the few clients it ranks (it counts them by a hash of the
    /// address, holding no table of every address).
    pub fn for_each_client(
        &self,
        from: Instant,
        to: Instant,
        mut named: impl FnMut(&str) -> bool,
    ) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT r.client FROM records r JOIN sources s ON s.id = r.source_id
                 WHERE r.time_us >= ? AND r.time_us <= ? AND r.client IS NOT NULL AND s.complete = 1",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st.query(params![to_us(from), to_us(to)]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let client: String = row.get(0).map_err(|e| self.err(e))?;
            if !named(&client) {
                break;
            }
        }
        Ok(())
    }
}
