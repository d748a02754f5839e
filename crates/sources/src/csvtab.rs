//! CSV exports: header row, delimiter, rows with their place in the file.
//!
//! Exports are read with `flexible(true)`: a ragged row is read as far as it
//! goes. Columns are found by normalized header name, so the same code reads
//! `Created at`, `created_at` and `CreatedAt`.

use crate::input::{normalize_key, trim_line};
use crate::SourceError;
use faultline_model::time::{parse_instant, Zone};
use faultline_model::{Instant, Span};

/// The header row of a CSV, names normalized.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    pub(crate) names: Vec<String>,
}

impl Columns {
    /// The first of `candidates` (in priority order) present in the header.
    pub(crate) fn find(&self, candidates: &[&str]) -> Option<usize> {
        candidates.iter().find_map(|c| self.names.iter().position(|n| n == c))
    }

    pub(crate) fn has(&self, candidates: &[&str]) -> bool {
        self.find(candidates).is_some()
    }

    /// The time column among `candidates`, and a time-of-day column to
    /// complete it: spreadsheets often split `Date` and `Time`.
    pub(crate) fn time_columns(&self, candidates: &[&str]) -> (Option<usize>, Option<usize>) {
        let chosen = self.find(candidates);
        let (date, time) = (self.find(&["date"]), self.find(&["time"]));
        if date.is_some() && time.is_some() && (chosen == date || chosen == time) {
            return (date, time);
        }
        (chosen, None)
    }
}

/// One data row.
pub(crate) struct Row<'a> {
    pub(crate) fields: Vec<String>,
    pub(crate) span: Span,
    pub(crate) raw: &'a [u8],
}

impl Row<'_> {
    /// The trimmed, non-empty value of a column.
    pub(crate) fn get(&self, col: Option<usize>) -> Option<&str> {
        let v = self.fields.get(col?)?.trim();
        if v.is_empty() {
            None
        } else {
            Some(v)
        }
    }

    pub(crate) fn string(&self, col: Option<usize>) -> Option<String> {
        self.get(col).map(str::to_string)
    }

    /// Reads the time columns chosen by [`Columns::time_columns`].
    pub(crate) fn time(
        &self,
        (col, time_of_day): (Option<usize>, Option<usize>),
        zone: &Zone,
    ) -> Option<(Instant, u8)> {
        let value = self.get(col);
        if let Some(tod) = self.get(time_of_day) {
            if let Some(date) = value {
                if let Some(t) = parse_instant(&format!("{date} {tod}"), zone) {
                    return Some(t);
                }
            }
            // A `time` column may hold a full timestamp after all.
            if let Some(t) = parse_instant(tod, zone) {
                return Some(t);
            }
        }
        parse_instant(value?, zone)
    }
}

/// Picks the delimiter that splits the header line into the most fields.
fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let mut n = 0;
        let mut quoted = false;
        for b in first_line {
            if *b == b'"' {
                quoted = !quoted;
            } else if *b == d && !quoted {
                n += 1;
            }
        }
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

fn reader(data: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(data)
}

/// The header of a CSV sample, when its first line reads as a header: at
/// least two fields, none empty-looking data such as numbers or timestamps.
pub(crate) fn header(sample: &[u8]) -> Option<Columns> {
    let start = crate::input::content_start(sample);
    let body = sample.get(start..)?;
    let first_line = body.split(|b| *b == b'\n').next()?;
    let delimiter = sniff_delimiter(first_line);
    let mut rdr = reader(body, delimiter);
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).ok()? {
        return None;
    }
    if rec.len() < 2 {
        return None;
    }
    let mut names = Vec::with_capacity(rec.len());
    for field in rec.iter() {
        let text = String::from_utf8_lossy(field);
        let t = text.trim();
        // A header names things: no long sentences, no values.
        if t.len() > 64 || t.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        names.push(normalize_key(t));
    }
    Some(Columns { names })
}

/// Where a quoted field opens that never closes, as a 1-based line. The csv
/// reader would silently swallow the rest of the file into that field.
fn unterminated_quote(data: &[u8], delimiter: u8) -> Option<u64> {
    #[derive(PartialEq)]
    enum S {
        Start,
        Field,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = S::Start;
    let mut line = 1u64;
    let mut opened = 0u64;
    for &b in data {
        state = match state {
            S::Start if b == b'"' => {
                opened = line;
                S::Quoted
            }
            S::Start | S::Field if b == delimiter || b == b'\n' => S::Start,
            S::Start | S::Field => S::Field,
            S::Quoted if b == b'"' => S::QuoteInQuoted,
            S::Quoted => S::Quoted,
            S::QuoteInQuoted if b == b'"' => S::Quoted,
            S::QuoteInQuoted if b == delimiter || b == b'\n' => S::Start,
            S::QuoteInQuoted => S::Field,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (state == S::Quoted).then_some(opened)
}

/// Reads a CSV: the header, then `row` for each non-empty data row until it returns `Ok(false)`.
///
/// A quoted field that never closes would swallow the rest of the file into
/// one field: the rows before its line are read as rows, and each line from
/// it on is handed over as a row without fields (so it is counted unparsed
/// and stays searchable, never dropped).
/// [`read`] for exports whose rows each need a time: refuses a header
/// without one of `time_columns` (naming them, with `what` the column is),
/// counts a row without a readable time as unparsed, and hands the others to
/// `row` with their instant (DST adjustments tallied).
pub(crate) fn read_timed(
    data: &[u8],
    label: &str,
    time_columns: &[&str],
    what: &str,
    zone: &Zone,
    tally: &mut crate::Tally<'_>,
    mut row: impl FnMut(&Columns, Row<'_>, Instant, &mut crate::Tally<'_>) -> Result<bool, SourceError>,
) -> Result<(), SourceError> {
    let mut checked = false;
    read(data, label, |cols, r| {
        if !checked {
            checked = true;
            if !cols.has(time_columns) {
                return Err(SourceError::Invalid {
                    path: label.to_string(),
                    message: format!("no {what} column (one of {}) in the header", time_columns.join(", ")),
                });
            }
        }
        let Some((time, flags)) = r.time(cols.time_columns(time_columns), zone) else {
            return tally.unparsed(r.span.line, r.span.offset, r.raw, "no readable time");
        };
        tally.dst(flags);
        row(cols, r, time, tally)
    })
}

pub(crate) fn read(
    full: &[u8],
    label: &str,
    mut row: impl FnMut(&Columns, Row<'_>) -> Result<bool, SourceError>,
) -> Result<(), SourceError> {
    let start = crate::input::content_start(full);
    let first_line = full.get(start..).and_then(|b| b.split(|c| *c == b'\n').next()).unwrap_or(b"");
    let delimiter = sniff_delimiter(first_line);
    let cut = unterminated_quote(full, delimiter).map(|line| {
        crate::input::lines(full).nth(line.saturating_sub(1) as usize).map_or(full.len(), |(_, offset, _)| offset)
    });
    let data = full.get(..cut.unwrap_or(full.len())).unwrap_or(full);
    let mut rdr = reader(data, delimiter);
    let mut rec = csv::ByteRecord::new();
    let mut columns: Option<Columns> = None;
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| SourceError::Syntax {
            path: label.to_string(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        if !more {
            break;
        }
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let fields: Vec<String> = rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        let Some(cols) = &columns else {
            columns = Some(Columns { names: fields.iter().map(|f| normalize_key(f)).collect() });
            continue;
        };
        let (mut line, mut offset) = rec.position().map_or((0, 0), |p| (p.line(), p.byte()));
        // The reader counts blank lines before a record as part of it.
        while let Some(b) = data.get(offset as usize).filter(|b| **b == b'\n' || **b == b'\r') {
            if *b == b'\n' {
                line += 1;
            }
            offset += 1;
        }
        let end = rdr.position().byte().max(offset);
        let end_line = rdr.position().line();
        let raw = data.get(offset as usize..end as usize).map(trim_line).unwrap_or(b"");
        let lines = if end_line > line { (end_line - line) as u32 } else { 1 };
        let span = Span { line, offset, len: raw.len() as u64, lines };
        if !row(cols, Row { fields, span, raw })? {
            return Ok(());
        }
    }
    let Some(cols) = &columns else {
        let message =
            if cut.is_some() { "unterminated quoted field in the header row" } else { "empty CSV: no header row" };
        return Err(SourceError::Invalid { path: label.to_string(), message: message.into() });
    };
    if let Some(cut) = cut {
        for (line, offset, raw) in crate::input::lines(full).filter(|(_, offset, _)| *offset >= cut) {
            let raw = trim_line(raw);
            if raw.is_empty() {
                continue;
            }
            let span = Span { line, offset: offset as u64, len: raw.len() as u64, lines: 1 };
            if !row(cols, Row { fields: Vec::new(), span, raw })? {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_reads_quoted_names_and_other_delimiters() {
        let h = header(b"\xef\xbb\xbf\"Created at\",\"Requester\",\"Subject\"\n\"2026-11-24\",x,y\n").unwrap();
        assert_eq!(h.names, vec!["created_at", "requester", "subject"]);
        let h = header(b"deploy_id;deployed_at;service\n").unwrap();
        assert_eq!(h.names[1], "deployed_at");
        assert!(header(b"2026-11-24 08:00:00,INFO,started\n").is_none());
        assert!(header(b"just one field\n").is_none());
    }

    #[test]
    fn an_unterminated_quote_keeps_the_rows_before_it_and_hands_over_each_line_after() {
        let data = b"id,deployed_at,message\nd1,2026-11-24,\"ok\"\"quoted\"\"\"\nd2,2026-11-24,\"never closed\nd3,2026-11-25,x\n";
        let mut rows = Vec::new();
        read(data, "deploys.csv", |_, r| {
            rows.push((r.span.line, r.fields.len(), String::from_utf8_lossy(r.raw).into_owned()));
            Ok(true)
        })
        .unwrap();
        assert_eq!(
            rows,
            vec![
                (2, 3, "d1,2026-11-24,\"ok\"\"quoted\"\"\"".to_string()),
                (3, 0, "d2,2026-11-24,\"never closed".to_string()),
                (4, 0, "d3,2026-11-25,x".to_string()),
            ]
        );
        let err = read(b"id,\"deployed_at\nd1,2026\n", "deploys.csv", |_, _| Ok(true)).unwrap_err();
        assert!(err.to_string().contains("unterminated"), "{err}");
    }

    #[test]
    fn rows_carry_line_offset_and_multiline_spans() {
        let data = b"id,message\n\na,\"two\nlines\"\nb,ragged,extra\nc\n";
        let mut rows = Vec::new();
        read(data, "x.csv", |_, r| {
            rows.push((
                r.span.line,
                r.span.offset,
                r.span.lines,
                r.fields.len(),
                String::from_utf8_lossy(r.raw).into_owned(),
            ));
            Ok(true)
        })
        .unwrap();
        assert_eq!(rows[0], (3, 12, 2, 2, "a,\"two\nlines\"".to_string()));
        assert_eq!(rows[1].0, 5);
        assert_eq!(rows[1].3, 3);
        assert_eq!(rows[2], (6, 41, 1, 1, "c".to_string()));
    }
}
