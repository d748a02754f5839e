//! Gzip streams that lie about themselves: one that ends early (a truncated
//! `.gz`, a corrupt member) or inflates implausibly (a gzip bomb) ends the
//! stream instead of failing it: what was decompressed is kept, and
//! [`StreamStatus`] says why it stopped.

use flate2::bufread::MultiGzDecoder;
use std::io::{self, BufRead, Read};
use std::sync::{Arc, Mutex};

/// A gzip stream may inflate to this many times its compressed size before
/// it is taken for a bomb. Real logs compress 5–30×, very repetitive ones
/// ~100×; deflate's own ceiling is ~1030×.
pub const MAX_GZIP_RATIO: u64 = 250;
/// The ratio is only checked past this much output, so small files with a
/// large header-to-content ratio are never cut.
pub const GZIP_RATIO_GRACE: u64 = 64 << 20;

/// Why a stream stopped before its end, shared between the reader and
/// whoever reports on it.
#[derive(Debug, Clone, Default)]
pub struct StreamStatus(Arc<Mutex<Option<String>>>);

impl StreamStatus {
    /// Why the stream ended early, if it did.
    pub fn problem(&self) -> Option<String> {
        self.0.lock().ok().and_then(|p| p.clone())
    }

    fn set(&self, problem: String) {
        if let Ok(mut p) = self.0.lock() {
            p.get_or_insert(problem);
        }
    }
}

/// Counts the compressed bytes the decoder consumed.
struct Counting<R> {
    inner: R,
    consumed: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

/// A gzip decoder (concatenated members read in turn) that never fails the
/// read: a truncated or corrupt stream, or one that inflates past
/// [`MAX_GZIP_RATIO`], simply ends, and [`StreamStatus`] says why.
pub struct Gunzip<R> {
    inner: MultiGzDecoder<Counting<R>>,
    out: u64,
    done: bool,
    status: StreamStatus,
}

impl<R: BufRead> Gunzip<R> {
    /// Decodes `compressed`; problems are reported to `status`.
    pub fn new(compressed: R, status: StreamStatus) -> Gunzip<R> {
        Gunzip { inner: MultiGzDecoder::new(Counting { inner: compressed, consumed: 0 }), out: 0, done: false, status }
    }
}

impl<R: BufRead> Gunzip<R> {
    /// Ends the stream. The compressed rest is still read (and dropped), so a
    /// hashing reader underneath sees the whole file: the case records the
    /// file's hash, not a prefix's. It costs at most the file's own size.
    fn stop(&mut self) {
        self.done = true;
        let _ = io::copy(&mut self.inner.get_mut().inner, &mut io::sink());
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

impl<R: BufRead> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(n) => {
                self.out += n as u64;
                let consumed = self.inner.get_ref().consumed.max(1);
                if self.out > GZIP_RATIO_GRACE && self.out / consumed > MAX_GZIP_RATIO {
                    self.stop();
                    self.status.set(format!(
                        "decompression stopped after {} from {} compressed (more than {MAX_GZIP_RATIO}:1, a gzip bomb?): the rest of the file is not read",
                        mib(self.out),
                        mib(consumed)
                    ));
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                self.stop();
                self.status.set(format!(
                    "truncated or corrupt gzip stream after {} decompressed ({e}): the lines before the cut are kept",
                    mib(self.out)
                ));
                Ok(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::gz;
    use std::io::Write;

    #[test]
    fn a_truncated_gzip_keeps_what_inflated_and_says_so() {
        let data: String = (0..2000).map(|i| format!("2026-11-24 08:27:01 INFO line {i}\n")).collect();
        let full = gz(data.as_bytes());
        let cut = &full[..full.len() / 2];
        let status = StreamStatus::default();
        let mut out = Vec::new();
        Gunzip::new(cut, status.clone()).read_to_end(&mut out).unwrap();
        assert!(!out.is_empty() && out.len() < data.len());
        assert!(data.as_bytes().starts_with(&out));
        assert!(status.problem().unwrap().contains("truncated"), "{:?}", status.problem());

        let status = StreamStatus::default();
        let mut out = Vec::new();
        Gunzip::new(&full[..], status.clone()).read_to_end(&mut out).unwrap();
        assert_eq!(out, data.as_bytes());
        assert_eq!(status.problem(), None);
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_ratio_limit() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..200 {
            enc.write_all(&zeros).unwrap();
        }
        let bomb = enc.finish().unwrap();
        let status = StreamStatus::default();
        let n = io::copy(&mut Gunzip::new(&bomb[..], status.clone()), &mut io::sink()).unwrap();
        assert!(n > GZIP_RATIO_GRACE && n < 200 << 20, "{n}");
        assert!(status.problem().unwrap().contains("gzip bomb"), "{:?}", status.problem());
    }
}
