//! Reading what nobody could parse without trusting it: a file of zeros from
//! a gzip bomb or a 50 MB line must not become one giant allocation.

use std::io::{self, BufRead};

/// Reads one line (up to and including `\n`) from `reader`, keeping at most
/// `cap` bytes of it in `line` and skipping the rest. Returns how many bytes
/// the line took in the stream (0 at the end), so offsets stay exact.
pub(crate) fn read_line_capped(reader: &mut dyn BufRead, line: &mut Vec<u8>, cap: usize) -> io::Result<usize> {
    let mut total = 0usize;
    loop {
        let avail = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(total);
        }
        let (used, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        let room = cap.saturating_sub(line.len());
        line.extend_from_slice(&avail[..used.min(room)]);
        reader.consume(used);
        total += used;
        if done {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
