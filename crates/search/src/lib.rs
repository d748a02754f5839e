//! Search and read-back over the user's raw files.
//!
//! The case never copies log lines; this crate is how their text comes back:
//! [`search_file`] runs a regex (or literal) over a file with grep-searcher —
//! unparsed lines included, so nothing the user gave is out of reach — and
//! [`excerpt`] reads a record and its context lines by byte offset. Gzip
//! files are decompressed on the fly (detected by magic bytes).
#![deny(missing_docs)]

use faultline_input::{Decoded, Layout};
use grep_regex::{RegexMatcher, RegexMatcherBuilder};
use grep_searcher::{BinaryDetection, Searcher, SearcherBuilder, Sink, SinkMatch};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Longest hit text returned; a 50 MB line is shown by its start.
pub const MAX_HIT_TEXT: usize = 4096;

/// A search or read-back error, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The pattern is not a valid regex.
    #[error("invalid search pattern {pattern:?}: {message}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// Why.
        message: String,
    },
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// How to match.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchOptions {
    /// Treat the pattern as a literal string, not a regex.
    pub literal: bool,
    /// Ignore case.
    pub case_insensitive: bool,
}

/// A compiled pattern.
pub struct Pattern {
    matcher: RegexMatcher,
    /// The pattern as typed, when `matcher` also matches Latin-1 bytes: a
    /// valid UTF-8 line must match this one too (the byte for `€`, 0x80, is
    /// also the middle of `—` and `…` in UTF-8).
    utf8: Option<RegexMatcher>,
}

impl Pattern {
    /// Compiles `pattern`. Its accented letters also match their Latin-1
    /// (Windows-1252) bytes, so `échec` finds a line of a Latin-1 log, which
    /// the ingest reads as Latin-1 and shows as `échec`.
    pub fn new(pattern: &str, opts: SearchOptions) -> Result<Pattern, SearchError> {
        let bad = |e: grep_regex::Error| SearchError::Pattern { pattern: pattern.to_string(), message: e.to_string() };
        let mut b = RegexMatcherBuilder::new();
        b.case_insensitive(opts.case_insensitive).line_terminator(Some(b'\n'));
        let typed = b.fixed_strings(opts.literal).build(pattern).map_err(bad)?;
        match with_latin1_bytes(pattern, opts) {
            Some(regex) => {
                Ok(Pattern { matcher: b.fixed_strings(false).build(&regex).map_err(bad)?, utf8: Some(typed) })
            }
            None => Ok(Pattern { matcher: typed, utf8: None }),
        }
    }
}

/// `pattern` as a regex in which every character that Windows-1252 encodes
/// as one byte ≥ 0x80 (é, ü, ñ, €…) matches either its UTF-8 form or that
/// byte (both cases of it with `case_insensitive`: byte matching folds only
/// ASCII). `None` when the pattern has no such character. Characters inside
/// a regex's `[...]` class are left as they are (a class cannot hold an
/// alternation); so are escaped ones.
fn with_latin1_bytes(pattern: &str, opts: SearchOptions) -> Option<String> {
    let byte_of = |c: char| -> Option<u8> {
        if c.is_ascii() {
            return None;
        }
        let mut utf8 = [0; 4];
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut utf8));
        (!unmappable && bytes.len() == 1).then(|| bytes[0])
    };
    if !pattern.chars().any(|c| byte_of(c).is_some()) {
        return None;
    }
    let alternative = |c: char| -> Option<String> {
        let own = byte_of(c)?;
        let mut bytes = vec![own];
        if opts.case_insensitive {
            for other in c.to_lowercase().chain(c.to_uppercase()) {
                if let Some(b) = byte_of(other).filter(|b| !bytes.contains(b)) {
                    bytes.push(b);
                }
            }
        }
        let class: String = bytes.iter().map(|b| format!("\\x{b:02X}")).collect();
        Some(format!("(?:{c}|(?-u:[{class}]))"))
    };
    // A literal is escaped first (`regex::escape` leaves non-ASCII alone), then rewritten like any regex.
    let escaped;
    let pattern = if opts.literal {
        escaped = regex::escape(pattern);
        escaped.as_str()
    } else {
        pattern
    };
    let mut out = String::with_capacity(pattern.len() * 2);
    // Class depth (`[[:alpha:]é]` nests), and whether the class just opened:
    // there `^` negates and a `]` is a literal, not the end.
    let (mut escaped, mut depth, mut opened) = (false, 0usize, false);
    for c in pattern.chars() {
        let just_opened = std::mem::take(&mut opened);
        if escaped {
            escaped = false;
            out.push(c);
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => {
                depth += 1;
                opened = true;
            }
            '^' if depth > 0 && just_opened => opened = true,
            ']' if depth > 0 && !just_opened => depth -= 1,
            _ if depth == 0 => {
                if let Some(alt) = alternative(c) {
                    out.push_str(&alt);
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    Some(out)
}

/// One matching line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line (in the decompressed stream).
    pub offset: u64,
    /// The line (lossy UTF-8, without its line end, capped at [`MAX_HIT_TEXT`]).
    pub text: String,
}

struct HitSink<'a, F: FnMut(Hit) -> bool> {
    file: &'a Path,
    utf8: Option<&'a RegexMatcher>,
    on_hit: F,
    hits: u64,
    stopped: bool,
}

impl<F: FnMut(Hit) -> bool> Sink for HitSink<'_, F> {
    type Error = io::Error;

    fn matched(&mut self, _searcher: &Searcher, mat: &SinkMatch<'_>) -> Result<bool, io::Error> {
        let mut bytes = mat.bytes();
        while let Some((&last, rest)) = bytes.split_last() {
            if last == b'\n' || last == b'\r' {
                bytes = rest;
            } else {
                break;
            }
        }
        if let Some(typed) = self.utf8 {
            // A Latin-1 byte matched inside a UTF-8 line: not what was typed.
            if std::str::from_utf8(bytes).is_ok() && !grep_matcher::Matcher::is_match(typed, bytes).unwrap_or(true) {
                return Ok(true);
            }
        }
        let capped = &bytes[..bytes.len().min(MAX_HIT_TEXT)];
        self.hits += 1;
        let go_on = (self.on_hit)(Hit {
            file: self.file.to_path_buf(),
            line: mat.line_number().unwrap_or(0),
            offset: mat.absolute_byte_offset(),
            text: faultline_input::line_text(capped, &mut String::new()).to_string(),
        });
        if !go_on {
            self.stopped = true;
        }
        Ok(go_on)
    }
}

/// What one file's search did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSearchStats {
    /// Matching lines reported.
    pub hits: u64,
    /// The callback asked to stop.
    pub stopped: bool,
}

fn io_err(path: &Path, source: io::Error) -> SearchError {
    SearchError::Io { path: path.display().to_string(), source }
}

/// Searches one file line by line, calling `on_hit` for each matching line
/// until it returns `false`.
pub fn search_file(
    pattern: &Pattern,
    path: &Path,
    on_hit: impl FnMut(Hit) -> bool,
) -> Result<FileSearchStats, SearchError> {
    let mut searcher = SearcherBuilder::new()
        .line_number(true)
        // Logs are searched whole: a NUL byte in a corrupt line must not hide the rest.
        .binary_detection(BinaryDetection::none())
        .build();
    let mut sink = HitSink { file: path, utf8: pattern.utf8.as_ref(), on_hit, hits: 0, stopped: false };
    if Layout::of_file(path).map_err(|e| io_err(path, e))? == Layout::Gzip {
        // Bounded like ingest: a gzip bomb or a truncated member ends the stream instead of eating memory or failing it.
        let reader = faultline_input::open(path, &Default::default()).map_err(|e| io_err(path, e))?;
        searcher.search_reader(&pattern.matcher, reader, &mut sink).map_err(|e| io_err(path, e))?;
    } else {
        searcher.search_path(&pattern.matcher, path, &mut sink).map_err(|e| io_err(path, e))?;
    }
    Ok(FileSearchStats { hits: sink.hits, stopped: sink.stopped })
}

/// A line of an [`Excerpt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcerptLine {
    /// 1-based line number, when known.
    pub line: Option<u64>,
    /// Byte offset.
    pub offset: u64,
    /// The text (lossy UTF-8, capped).
    pub text: String,
    /// Part of the record asked for (not context).
    pub in_record: bool,
}

/// A record's raw lines with context before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The file.
    pub file: PathBuf,
    /// The lines in order.
    pub lines: Vec<ExcerptLine>,
}

/// How far back an excerpt looks for context lines.
const CONTEXT_WINDOW: u64 = 64 * 1024;

/// The most bytes of one record an excerpt reads.
pub const MAX_EXCERPT_BYTES: u64 = 4 << 20;

/// Reads the record at `offset` (`len` bytes, first line number `line` when
/// known) with up to `before` and `after` context lines.
pub fn excerpt(
    path: &Path,
    offset: u64,
    len: u64,
    line: Option<u64>,
    before: usize,
    after: usize,
) -> Result<Excerpt, SearchError> {
    let start = offset.saturating_sub(CONTEXT_WINDOW);
    // A record is at most 1 MiB (ingest truncates longer ones); a longer
    // request is capped, not read whole into memory, and never overflows.
    let len = len.min(MAX_EXCERPT_BYTES);
    let want = (offset - start).saturating_add(len).saturating_add(CONTEXT_WINDOW);
    let mut buf = Vec::new();
    if Layout::of_file(path).map_err(|e| io_err(path, e))? == Layout::Plain {
        let mut file = File::open(path).map_err(|e| io_err(path, e))?;
        file.seek(SeekFrom::Start(start)).map_err(|e| io_err(path, e))?;
        file.take(want).read_to_end(&mut buf).map_err(|e| io_err(path, e))?;
    } else {
        // Offsets of a gzip or UTF-16 file are in its decompressed UTF-8 transcoding (BOM dropped), as ingest and
        // the searcher count them.
        let opened = faultline_input::open(path, &Default::default()).map_err(|e| io_err(path, e))?;
        let mut reader = Decoded::new(opened);
        io::copy(&mut (&mut reader).take(start), &mut io::sink()).map_err(|e| io_err(path, e))?;
        reader.take(want).read_to_end(&mut buf).map_err(|e| io_err(path, e))?;
    }
    let rel = (offset - start) as usize;
    if rel > buf.len() {
        return Err(io_err(
            path,
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("offset {offset} is past the end of the file (was it truncated?)"),
            ),
        ));
    }
    // Context before: whole lines only; the first may be cut by the window.
    let head = &buf[..rel];
    let mut before_lines: Vec<(u64, &[u8])> = Vec::new();
    let mut end = head.len();
    while before_lines.len() < before && end > 0 {
        let line_end = end - 1; // the '\n' ending the previous line
        let line_start = memchr::memrchr(b'\n', &head[..line_end]).map(|i| i + 1);
        match line_start {
            Some(s) => {
                before_lines.push((start + s as u64, &head[s..line_end]));
                end = s;
            }
            None if start == 0 => {
                before_lines.push((0, &head[..line_end]));
                end = 0;
            }
            None => break,
        }
    }
    before_lines.reverse();
    let mut lines = Vec::new();
    let n_before = before_lines.len() as u64;
    for (i, (off, text)) in before_lines.into_iter().enumerate() {
        lines.push(ExcerptLine {
            line: line.and_then(|l| l.checked_sub(n_before - i as u64)),
            offset: off,
            text: clean(text),
            in_record: false,
        });
    }
    // The record's lines, then context after. A last line without its line end
    // is kept only when the file really ends there, not when the read window cut it.
    let window_cut = buf.len() as u64 == want;
    let mut off = offset;
    let mut after_left = after;
    for (n, raw) in buf[rel..].split_inclusive(|b| *b == b'\n').enumerate() {
        if !raw.ends_with(b"\n") && window_cut {
            break;
        }
        let in_record = off < offset + len.max(1);
        if !in_record {
            if after_left == 0 {
                break;
            }
            after_left -= 1;
        }
        lines.push(ExcerptLine { line: line.map(|l| l + n as u64), offset: off, text: clean(raw), in_record });
        off += raw.len() as u64;
    }
    Ok(Excerpt { file: path.to_path_buf(), lines })
}

fn clean(bytes: &[u8]) -> String {
    let mut b = bytes;
    while let Some((&last, rest)) = b.split_last() {
        if last == b'\n' || last == b'\r' {
            b = rest;
        } else {
            break;
        }
    }
    // Latin-1 lines read as Latin-1, as ingest reads them.
    faultline_input::line_text(&b[..b.len().min(MAX_HIT_TEXT)], &mut String::new()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const LOG: &str = "2026-11-17 11:26:59,001 INFO [archive.portal] GET /\n\
2026-11-17 11:27:03,120 ERROR [archive.portal.views] Exception on /login [POST]\n\
Traceback (most recent call last):\n\
  File \"/srv/archive/config/auth_settings.py\", line 12, in <module>\n\
ImportError: cannot import name 'LegacySessionStore' from 'archive_auth.sessions'\n\
2026-11-17 11:27:04,000 INFO [archive.portal] GET /account\n";

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn an_absurd_excerpt_length_neither_overflows_nor_reads_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let big = "x".repeat(100) + "\n";
        std::fs::write(&path, big.repeat(60_000)).unwrap();
        let ex = excerpt(&path, 101, u64::MAX, Some(2), 1, 1).unwrap();
        let read: usize = ex.lines.iter().map(|l| l.text.len() + 1).sum();
        assert!(read as u64 <= MAX_EXCERPT_BYTES + 2 * CONTEXT_WINDOW, "{read} bytes");
        assert!(excerpt(&path, u64::MAX, u64::MAX, None, 0, 0).is_err(), "past the end: an error, not a panic");
    }

    #[test]
    fn finds_lines_with_numbers_and_offsets_in_plain_and_gzip_files() {
        let dir = tempfile::tempdir().unwrap();
        let plain = write(dir.path(), "app.log", LOG.as_bytes());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(LOG.as_bytes()).unwrap();
        let gzip = write(dir.path(), "app.log.1.gz", &gz.finish().unwrap());
        let pattern = Pattern::new("ImportError", SearchOptions::default()).unwrap();
        for path in [&plain, &gzip] {
            let mut hits = Vec::new();
            search_file(&pattern, path, |h| {
                hits.push(h);
                true
            })
            .unwrap();
            assert_eq!(hits.len(), 1, "{}", path.display());
            assert_eq!(hits[0].line, 5);
            assert_eq!(hits[0].offset as usize, LOG.find("ImportError").unwrap());
            assert!(hits[0].text.starts_with("ImportError: cannot import name"));
        }
    }

    #[test]
    fn literal_mode_does_not_interpret_regex_syntax() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.log", b"a [POST] b\nPOST c\n");
        let pattern = Pattern::new("[POST]", SearchOptions { literal: true, case_insensitive: false }).unwrap();
        let mut n = 0;
        search_file(&pattern, &p, |_| {
            n += 1;
            true
        })
        .unwrap();
        assert_eq!(n, 1);
        assert!(Pattern::new("(unclosed", SearchOptions::default()).is_err());
    }

    fn texts(pattern: &str, opts: SearchOptions, path: &Path) -> Vec<String> {
        let pattern = Pattern::new(pattern, opts).unwrap();
        let mut out = Vec::new();
        search_file(&pattern, path, |h| {
            out.push(h.text);
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn accented_patterns_match_latin1_and_utf8_lines_alike() {
        let dir = tempfile::tempdir().unwrap();
        // A Latin-1 line, a UTF-8 line and one without the word.
        let p = write(
            dir.path(),
            "mixed.log",
            b"ERROR na\xEFve \xE9chec (co\xFBt 5\x80)\nERROR na\xC3\xAFve \xC3\xA9chec\nINFO ok [x]\n",
        );
        let plain = SearchOptions::default();
        let literal = SearchOptions { literal: true, case_insensitive: false };
        let folded = SearchOptions { literal: false, case_insensitive: true };
        assert_eq!(texts("échec", plain, &p), vec!["ERROR naïve échec (coût 5€)", "ERROR naïve échec"]);
        assert_eq!(
            texts("échec (coût 5€)", literal, &p),
            vec!["ERROR naïve échec (coût 5€)"],
            "literal, with regex meta characters"
        );
        assert_eq!(texts("ÉCHEC", folded, &p).len(), 2, "case folded in both encodings");
        assert_eq!(texts("na[ïi]ve", plain, &p), vec!["ERROR naïve échec"], "inside a class: UTF-8 only");
        assert_eq!(texts(r"\[x\]", plain, &p), vec!["INFO ok [x]"], "ASCII patterns are unchanged");
        assert_eq!(texts("é+chec", plain, &p).len(), 2, "a quantifier applies to the whole letter");
        // Nested and leading-`]` classes stay classes; what follows them is still rewritten.
        assert_eq!(texts("[[:alpha:]]+ é", plain, &p).len(), 2);
        assert_eq!(texts("[]x]é", plain, &p).len(), 0);
        assert_eq!(texts(r"[^[:space:]]+ échec", plain, &p).len(), 2);
        // The Latin-1 byte of `€` (0x80) inside UTF-8 (`—` is E2 80 94) is not a hit.
        let dash = write(dir.path(), "dash.log", "INFO wait — done\n".as_bytes());
        assert!(texts("€", plain, &dash).is_empty());
        assert!(texts("€", literal, &dash).is_empty());
    }

    #[test]
    fn a_callback_returning_false_stops_the_search() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.log", b"x\nx\nx\n");
        let pattern = Pattern::new("x", SearchOptions::default()).unwrap();
        let stats = search_file(&pattern, &p, |_| false).unwrap();
        assert_eq!(stats.hits, 1);
        assert!(stats.stopped);
    }

    #[test]
    fn excerpt_returns_the_whole_record_and_its_context() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "app.log", LOG.as_bytes());
        let start = LOG.find("2026-11-17 11:27:03").unwrap() as u64;
        let end = LOG.find("2026-11-17 11:27:04").unwrap() as u64;
        let ex = excerpt(&p, start, end - start, Some(2), 1, 1).unwrap();
        let texts: Vec<_> = ex.lines.iter().map(|l| (l.line, l.in_record, l.text.as_str())).collect();
        assert_eq!(texts.len(), 6, "{texts:?}");
        assert_eq!(texts[0], (Some(1), false, "2026-11-17 11:26:59,001 INFO [archive.portal] GET /"));
        assert_eq!(texts[1].0, Some(2));
        assert!(texts[1].1);
        assert!(texts[4].2.starts_with("ImportError"));
        assert_eq!(texts[5], (Some(6), false, "2026-11-17 11:27:04,000 INFO [archive.portal] GET /account"));
    }

    #[test]
    fn excerpt_past_the_end_says_the_file_may_have_been_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.log", b"short\n");
        let err = excerpt(&p, 10_000_000, 10, None, 0, 0).unwrap_err().to_string();
        assert!(err.contains("a.log") && err.contains("truncated"), "{err}");
    }
}
