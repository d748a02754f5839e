//! Splitting a stream into lines without trusting it: a 50 MB line or a file
//! of zeros from a gzip bomb must not become one giant allocation. Every
//! line is consumed whole; only its first `cap` bytes are kept, and the
//! offsets stay exact.

use std::io::{self, BufRead};

/// What one capped read of a line did.
struct Capped {
    /// Bytes the line took in the stream, its `\n` included (0 at the end).
    used: u64,
    /// The line ended with `\n` (not the stream's end).
    terminated: bool,
    /// More of the line was in the stream than `buf` kept.
    cut: bool,
}

/// Reads one line from `reader` into `buf` (appending), with its `\n` when
/// `keep_newline`, keeping `buf` at most `cap` bytes long and skipping the rest.
fn read_capped<R: BufRead + ?Sized>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
    keep_newline: bool,
) -> io::Result<Capped> {
    let mut read = Capped { used: 0, terminated: false, cut: false };
    loop {
        let avail = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(read);
        }
        let (take, used, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (if keep_newline { i + 1 } else { i }, i + 1, true),
            None => (avail.len(), avail.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        if take > room {
            read.cut = true;
        }
        buf.extend_from_slice(&avail[..take.min(room)]);
        reader.consume(used);
        read.used += used as u64;
        if done {
            read.terminated = true;
            return Ok(read);
        }
    }
}

/// Reads one line (up to and including `\n`) from `reader`, keeping at most
/// `cap` bytes of it in `line` and skipping the rest. Returns how many bytes
/// the line took in the stream (0 at the end), so offsets stay exact.
pub fn read_line_capped<R: BufRead + ?Sized>(reader: &mut R, line: &mut Vec<u8>, cap: usize) -> io::Result<usize> {
    read_capped(reader, line, cap, true).map(|r| r.used as usize)
}

/// Where a line sits in the stream.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineInfo {
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
pub struct Lines<R> {
    reader: R,
    /// Offset of the next unread byte.
    pub pos: u64,
    /// Lines read so far.
    pub no: u64,
    cap: usize,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`, each kept up to `cap` bytes (at least 64).
    pub fn new(reader: R, cap: usize) -> Self {
        Lines { reader, pos: 0, no: 0, cap: cap.max(64) }
    }

    /// Reads the next line into `buf` (without its `\n` / `\r\n`), keeping at
    /// most `cap` bytes of it. `None` at the end of the stream.
    pub fn next(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<LineInfo>> {
        buf.clear();
        let start = self.pos;
        let Capped { used: raw, terminated, cut } = read_capped(&mut self.reader, buf, self.cap, false)?;
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
    fn long_lines_are_capped_but_fully_consumed() {
        let mut data = vec![0u8; 100_000];
        data.extend_from_slice(b"\nnext\nlast");
        let mut r = &data[..];
        let mut line = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut line, 4096).unwrap(), 100_001);
        assert_eq!(line.len(), 4096);
        line.clear();
        assert_eq!(read_line_capped(&mut r, &mut line, 4096).unwrap(), 5);
        assert_eq!(line, b"next\n");
        line.clear();
        assert_eq!(read_line_capped(&mut r, &mut line, 4096).unwrap(), 4);
        line.clear();
        assert_eq!(read_line_capped(&mut r, &mut line, 4096).unwrap(), 0);
    }
}
