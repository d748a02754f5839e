//! Opening files (gzip by magic bytes) and splitting a stream into lines with
//! exact offsets.

use crate::LogError;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Read buffer size: large reads keep syscalls off the profile.
const BUF: usize = 256 * 1024;

/// Bytes [`read_sample`] returns.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// Opens a log file for reading, gunzipping it when it starts with the gzip
/// magic bytes (whatever its name). Concatenated gzip members are read in turn.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>, LogError> {
    let file = File::open(path).map_err(|e| LogError::open(path, e))?;
    let mut reader = BufReader::with_capacity(BUF, file);
    let head = reader.fill_buf().map_err(|e| LogError::open(path, e))?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::with_capacity(BUF, crate::decode::Gunzip::new(reader, Default::default()))))
    } else {
        Ok(Box::new(reader))
    }
}

/// The first 64 KiB of a file's (decompressed) content, for [`crate::detect`].
pub fn read_sample(path: &Path) -> Result<Vec<u8>, LogError> {
    let reader = open(path)?;
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    reader.take(SAMPLE_BYTES as u64).read_to_end(&mut sample).map_err(|e| LogError::open(path, e))?;
    Ok(sample)
}

/// Where a line sits in the stream.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LineInfo {
    /// 1-based line number.
    pub no: u64,
    /// Offset of the line's first byte (after a BOM on line 1).
    pub offset: u64,
    /// Offset just past the line's content (before `\r\n`).
    pub end: u64,
    /// The line was longer than the cap; only its start is in the buffer.
    pub cut: bool,
}

/// Splits a stream into lines, reusing one buffer.
pub(crate) struct Lines<R> {
    reader: R,
    /// Offset of the next unread byte.
    pub pos: u64,
    /// Lines read so far.
    pub no: u64,
    cap: usize,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R, cap: usize) -> Self {
        Lines { reader, pos: 0, no: 0, cap: cap.max(64) }
    }

    /// Reads the next line into `buf` (without its `\n` / `\r\n`), keeping at
    /// most `cap` bytes of it. `None` at the end of the stream.
    pub(crate) fn next(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<LineInfo>> {
        buf.clear();
        let start = self.pos;
        let mut raw = 0u64;
        let mut cut = false;
        let mut terminated = false;
        loop {
            let avail = match self.reader.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                break;
            }
            let (take, used, done) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i, i + 1, true),
                None => (avail.len(), avail.len(), false),
            };
            let room = self.cap.saturating_sub(buf.len());
            if take > room {
                cut = true;
            }
            buf.extend_from_slice(&avail[..take.min(room)]);
            self.reader.consume(used);
            raw += used as u64;
            if done {
                terminated = true;
                break;
            }
        }
        if raw == 0 {
            return Ok(None);
        }
        self.pos += raw;
        self.no += 1;
        let mut content = raw - u64::from(terminated);
        if !cut && buf.last() == Some(&b'\r') {
            buf.pop();
            content -= 1;
        }
        let mut offset = start;
        if self.no == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
            buf.drain(..3);
            offset += 3;
        }
        Ok(Some(LineInfo { no: self.no, offset, end: start + content, cut }))
    }
}

/// The line as text: borrowed when it is valid UTF-8, else decoded into `scratch` (see `decode::line_text`).
pub(crate) fn lossy<'a>(bytes: &'a [u8], scratch: &'a mut String) -> &'a str {
    crate::decode::line_text(bytes, scratch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[u8], cap: usize) -> Vec<(LineInfo, Vec<u8>)> {
        let mut lines = Lines::new(data, cap);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(info) = lines.next(&mut buf).unwrap() {
            out.push((info, buf.clone()));
        }
        out
    }

    #[test]
    fn offsets_are_exact_with_bom_crlf_and_no_final_newline() {
        let got = all(b"\xEF\xBB\xBFone\r\ntwo\n\nthree", 1024);
        assert_eq!(got.len(), 4);
        assert_eq!((got[0].0.offset, got[0].0.end, got[0].1.as_slice()), (3, 6, &b"one"[..]));
        assert_eq!((got[1].0.offset, got[1].0.no, got[1].1.as_slice()), (8, 2, &b"two"[..]));
        assert_eq!((got[2].0.offset, got[2].1.len()), (12, 0));
        assert_eq!((got[3].0.offset, got[3].0.end, got[3].1.as_slice()), (13, 18, &b"three"[..]));
    }

    #[test]
    fn long_lines_are_cut_but_fully_consumed() {
        let mut data = vec![b'x'; 1000];
        data.extend_from_slice(b"\nnext\n");
        let got = all(&data, 100);
        assert_eq!(got[0].1.len(), 100);
        assert!(got[0].0.cut);
        assert_eq!(got[1].0.offset, 1001);
        assert_eq!(got[1].1, b"next");
    }

    #[test]
    fn gzip_is_detected_by_magic_not_name() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain-name.log");
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"hello\nworld\n").unwrap();
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        let mut text = String::new();
        open(&path).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello\nworld\n");
        assert_eq!(read_sample(&path).unwrap(), b"hello\nworld\n");
        let err = match open(&dir.path().join("missing.log")) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("opened a missing file"),
        };
        assert!(err.contains("missing.log"), "{err}");
    }
}
