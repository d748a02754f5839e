//! SHA-256 of what was read: each file is read once, its bytes passing
//! through the hasher on their way into the parser, so the case records what
//! exactly was read without a second pass over a gigabyte log.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The SHA-256 of everything read through a hashing reader, shared with the
/// code that reads (see [`crate::open_hashed`]).
#[derive(Clone, Default)]
pub struct Hasher(Arc<Mutex<Sha256>>);

impl Hasher {
    /// Reads the rest of `reader` (the parser may stop before the end: a
    /// cancel), so the hash is the file's, not a prefix's; then the hash as hex.
    pub fn finish(&self, reader: &mut dyn BufRead) -> String {
        let _ = io::copy(reader, &mut io::sink());
        let h = self.0.lock().map(|h| h.clone().finalize()).unwrap_or_default();
        hex(&h)
    }

    /// Passes `inner`'s bytes through this hasher.
    pub(crate) fn tap<R>(&self, inner: R) -> HashingReader<R> {
        HashingReader { inner, hasher: self.clone() }
    }
}

/// Passes bytes through while hashing them.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Hasher,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.hasher.0.lock() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 (hex) of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 (hex) of a file's bytes as they are on disk (not decompressed).
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let hasher = Hasher::default();
    let mut reader = BufReader::with_capacity(crate::BUF, hasher.tap(File::open(path)?));
    Ok(hasher.finish(&mut reader))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_hashes_as_its_bytes_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        std::fs::write(&path, b"abc").unwrap();
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_file(&path).unwrap(), abc);
        assert_eq!(sha256_hex(b"abc"), abc);
        assert!(sha256_file(&dir.path().join("missing")).is_err());
    }
}
