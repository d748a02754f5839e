//! Reading bytes and the small text helpers every format shares.

use crate::SourceError;
use faultline_input::WholeError;
use std::path::Path;

/// How much of an unreadable row is handed to the sink.
pub(crate) const UNPARSED_CAP: usize = 4096;
/// Bodies of tickets and emails are kept up to this many bytes: enough to
/// read and search, small enough that a mailbox of newsletters stays cheap.
pub(crate) const TEXT_CAP: usize = 32 * 1024;

/// Largest decompressed export read (deploy, ticket and alert exports are megabytes).
const MAX_INFLATED: u64 = 512 << 20;

/// Reads a whole file, decompressing gzip recognized by its magic bytes (not
/// by the `.gz` suffix: rotated exports are often renamed). UTF-16 (Excel's
/// "Unicode Text", some ticket and pager tools) is read as UTF-8, like UTF-16 logs.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, SourceError> {
    // Exports are read whole; a gzip bomb must not be.
    faultline_input::read_whole(path, MAX_INFLATED).map_err(|e| match e {
        WholeError::Io(source) => SourceError::Io { path: path.display().to_string(), source },
        WholeError::Gzip(e) => SourceError::Invalid { path: path.display().to_string(), message: format!("gzip: {e}") },
        WholeError::TooLarge => SourceError::Invalid {
            path: path.display().to_string(),
            message: format!("gzip inflates past {} MiB (a gzip bomb?): not read", MAX_INFLATED >> 20),
        },
    })
}

/// Maps byte offsets to 1-based line numbers.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(data: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(data.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub(crate) fn line_of(&self, offset: usize) -> u64 {
        match self.starts.binary_search(&offset) {
            Ok(i) => i as u64 + 1,
            Err(i) => i as u64,
        }
    }
}

/// Lines of `data` with their 1-based number and byte offset; the newline is
/// not part of the line, a trailing `\r` is.
pub(crate) fn lines(data: &[u8]) -> impl Iterator<Item = (u64, usize, &[u8])> {
    let mut offset = 0usize;
    let mut number = 0u64;
    std::iter::from_fn(move || {
        if offset >= data.len() {
            return None;
        }
        let rest = data.get(offset..)?;
        let len = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        let line = rest.get(..len)?;
        let start = offset;
        offset += len + 1;
        number += 1;
        Some((number, start, line))
    })
}

/// Drops the line ending.
pub(crate) fn trim_line(b: &[u8]) -> &[u8] {
    let mut b = b;
    while let Some((last, rest)) = b.split_last() {
        if *last == b'\n' || *last == b'\r' {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// Skips a UTF-8 byte order mark and leading whitespace; returns how many bytes were skipped.
pub(crate) fn content_start(data: &[u8]) -> usize {
    let bom = if data.starts_with(&[0xef, 0xbb, 0xbf]) { 3 } else { 0 };
    let ws = data.get(bom..).map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_whitespace()).count());
    bom + ws
}

/// A column or key name reduced to `snake_case` so `Created at`,
/// `created_at`, `CreatedAt` and `created-at` all read the same.
pub(crate) fn normalize_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            out.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Cuts text to `max` bytes on a character boundary.
pub(crate) fn cap(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while end > 0 && !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// `Some(trimmed)` unless empty.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// `Jane Doe <jane@example.com>` → `Jane Doe`; a bare address stays as is.
pub(crate) fn person_name(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(lt) = s.find('<') {
        let name = s.get(..lt).unwrap_or("").trim().trim_matches('"').trim();
        if !name.is_empty() {
            return Some(name.to_string());
        }
        let addr = s.get(lt + 1..).unwrap_or("").trim_end_matches('>').trim();
        return non_empty(addr);
    }
    non_empty(s)
}

/// Splits a list of changed files as exports write it: `a.py;b.py`,
/// `a.py, b.py`, one per line.
pub(crate) fn split_files(s: &str) -> Vec<String> {
    s.split([';', ',', '\n', '\r', '|']).map(str::trim).filter(|f| !f.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_normalize_across_spellings() {
        assert_eq!(normalize_key("Created at"), "created_at");
        assert_eq!(normalize_key("CreatedAt"), "created_at");
        assert_eq!(normalize_key(" created-at "), "created_at");
        assert_eq!(normalize_key("\u{feff}Deploy ID"), "deploy_id");
        assert_eq!(normalize_key("Acknowledged By"), "acknowledged_by");
        assert_eq!(normalize_key("startsAt"), "starts_at");
    }

    #[test]
    fn line_index_and_lines_agree() {
        let data = b"a\nbb\n\nccc";
        let idx = LineIndex::new(data);
        let all: Vec<_> = lines(data).collect();
        assert_eq!(all.len(), 4);
        for (n, off, _) in &all {
            assert_eq!(idx.line_of(*off), *n);
        }
        assert_eq!(idx.line_of(7), 4);
        assert_eq!(all[3].2, b"ccc");
    }

    #[test]
    fn people_and_file_lists() {
        assert_eq!(person_name("Jane Doe <jane@example.com>").as_deref(), Some("Jane Doe"));
        assert_eq!(person_name("<ops@example.com>").as_deref(), Some("ops@example.com"));
        assert_eq!(split_files("a.py; b/c.py;;"), vec!["a.py", "b/c.py"]);
        assert_eq!(cap("héllo".into(), 2), "h");
    }
}
