//! Opening an input, once for every reader: the log parser, the export
//! readers, search and ingest all read a file through this crate.
//!
//! - [`Layout`] sniffs how a file's content is stored from its first bytes:
//!   gzip by its magic (whatever the file's name), UTF-16 by its byte order mark.
//! - [`open`] / [`open_hashed`] give the content gunzipped, through
//!   [`Gunzip`], which ends (never fails) on a truncated stream or a gzip
//!   bomb; [`open_hashed`] also hashes the file's bytes on the way
//!   ([`Hasher`]); [`read_sample`] is the start of it for detection;
//!   [`read_whole`] reads an export whole, with a bound on what it inflates to.
//! - [`Decoded`] transcodes UTF-16 to UTF-8; [`line_text`] reads a line that
//!   is not UTF-8 as Latin-1 (Windows-1252).
//! - [`Lines`] and [`read_line_capped`] split a stream into lines with exact
//!   offsets, keeping at most a cap of each.
#![deny(missing_docs)]

mod decode;
mod gunzip;
mod hash;
mod lines;

pub use decode::{decode_sample, decode_utf16, line_text, utf16_bom, Decoded};
pub use gunzip::{Gunzip, StreamStatus, GZIP_RATIO_GRACE, MAX_GZIP_RATIO};
pub use hash::{hex, sha256_file, sha256_hex, Hasher};
pub use lines::{read_line_capped, LineInfo, Lines};

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Read buffer size: large reads keep syscalls off the profile.
const BUF: usize = 256 * 1024;

/// Bytes [`read_sample`] returns.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// The first bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How an input's content is stored, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Bytes as they are: UTF-8, Latin-1 or binary (read line by line, see [`line_text`]).
    Plain,
    /// Gzip (concatenated members are read in turn).
    Gzip,
    /// UTF-16 with a byte order mark.
    Utf16,
}

impl Layout {
    /// The layout `head`, the first bytes of a file, says.
    pub fn of(head: &[u8]) -> Layout {
        if head.starts_with(&GZIP_MAGIC) {
            Layout::Gzip
        } else if utf16_bom(head) {
            Layout::Utf16
        } else {
            Layout::Plain
        }
    }

    /// The layout of the file at `path`, from its first two bytes.
    pub fn of_file(path: &Path) -> io::Result<Layout> {
        let mut head = [0u8; 2];
        let n = File::open(path)?.read(&mut head)?;
        Ok(Layout::of(&head[..n]))
    }
}

/// Whether a sample is binary: a NUL byte in its first 8 KiB.
pub fn looks_binary(sample: &[u8]) -> bool {
    memchr::memchr(0, &sample[..sample.len().min(8192)]).is_some()
}

/// `raw` buffered, gunzipped when it starts with the gzip magic bytes.
fn open_reader<R: Read + Send + 'static>(raw: R, status: &StreamStatus) -> io::Result<Box<dyn BufRead + Send>> {
    let mut reader = BufReader::with_capacity(BUF, raw);
    if Layout::of(reader.fill_buf()?) == Layout::Gzip {
        Ok(Box::new(BufReader::with_capacity(BUF, Gunzip::new(reader, status.clone()))))
    } else {
        Ok(Box::new(reader))
    }
}

/// Opens a file for reading, gunzipping it when it starts with the gzip
/// magic bytes (whatever its name); a gzip stream that is cut or inflates
/// like a bomb ends early, and `status` says why. UTF-16 is not transcoded
/// here: wrap the reader in [`Decoded`] (the log parser does).
pub fn open(path: &Path, status: &StreamStatus) -> io::Result<Box<dyn BufRead + Send>> {
    open_reader(File::open(path)?, status)
}

/// [`open`], with the file's bytes (as they are on disk) hashed on their way
/// in: [`Hasher::finish`] gives the file's SHA-256 once the reading is done.
pub fn open_hashed(path: &Path, status: &StreamStatus) -> io::Result<(Box<dyn BufRead + Send>, Hasher)> {
    let hasher = Hasher::default();
    let reader = open_reader(hasher.tap(File::open(path)?), status)?;
    Ok((reader, hasher))
}

/// The first [`SAMPLE_BYTES`] of a file's (decompressed) content, for format detection.
pub fn read_sample(path: &Path) -> io::Result<Vec<u8>> {
    let reader = open(path, &StreamStatus::default())?;
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    reader.take(SAMPLE_BYTES as u64).read_to_end(&mut sample)?;
    Ok(sample)
}

/// Why [`read_whole`] read nothing.
#[derive(Debug)]
pub enum WholeError {
    /// The file could not be read.
    Io(io::Error),
    /// Its gzip stream is corrupt or cut.
    Gzip(io::Error),
    /// Its gzip stream inflates past the limit (a gzip bomb?).
    TooLarge,
}

/// Reads a whole file, decompressing gzip recognized by its magic bytes (not
/// by the `.gz` suffix: rotated exports are often renamed) up to
/// `max_inflated` bytes, and transcoding UTF-16 to UTF-8 (see [`decode_utf16`]).
/// Unlike [`open`], a cut gzip stream is an error: what is read whole is
/// parsed whole.
pub fn read_whole(path: &Path, max_inflated: u64) -> Result<Vec<u8>, WholeError> {
    let raw = std::fs::read(path).map_err(WholeError::Io)?;
    if Layout::of(&raw) != Layout::Gzip {
        return Ok(decode_utf16(raw));
    }
    let mut out = Vec::with_capacity(raw.len() * 4);
    // Read whole; a gzip bomb must not be.
    flate2::read::MultiGzDecoder::new(&raw[..])
        .take(max_inflated + 1)
        .read_to_end(&mut out)
        .map_err(WholeError::Gzip)?;
    if out.len() as u64 > max_inflated {
        return Err(WholeError::TooLarge);
    }
    Ok(decode_utf16(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// `data` gzipped.
    pub(crate) fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn layouts_are_sniffed_from_content() {
        assert_eq!(Layout::of(&gz(b"x")), Layout::Gzip);
        assert_eq!(Layout::of(&[0xFF, 0xFE, b'a', 0]), Layout::Utf16);
        assert_eq!(Layout::of(&[0xFE, 0xFF, 0, b'a']), Layout::Utf16);
        assert_eq!(Layout::of(b"\xEF\xBB\xBFplain"), Layout::Plain);
        assert_eq!(Layout::of(&[0x1f]), Layout::Plain);
        assert!(looks_binary(b"a\0b") && !looks_binary(b"text"));
    }

    #[test]
    fn open_gunzips_and_hashes_the_bytes_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("renamed.log");
        let compressed = gz(b"hello\nworld\n");
        std::fs::write(&path, &compressed).unwrap();
        assert_eq!(Layout::of_file(&path).unwrap(), Layout::Gzip);
        let (mut reader, hasher) = open_hashed(&path, &StreamStatus::default()).unwrap();
        let mut first = Vec::new();
        read_line_capped(&mut reader, &mut first, 1024).unwrap();
        assert_eq!(first, b"hello\n");
        assert_eq!(hasher.finish(&mut reader), sha256_hex(&compressed), "the file's hash, read to its end");
        assert_eq!(read_sample(&path).unwrap(), b"hello\nworld\n");
        assert_eq!(read_whole(&path, 1 << 20).unwrap(), b"hello\nworld\n");
        assert!(matches!(read_whole(&path, 4), Err(WholeError::TooLarge)));
        std::fs::write(&path, &compressed[..compressed.len() - 12]).unwrap();
        assert!(matches!(read_whole(&path, 1 << 20), Err(WholeError::Gzip(_))));
    }
}
