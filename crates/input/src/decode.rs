//! Text encodings that lie about themselves.
//!
//! - UTF-16 (LE/BE, with a byte order mark) is transcoded to UTF-8 before the
//!   line splitter sees it, the BOM dropped: the offsets are then the ones
//!   ripgrep's searcher reports for the same file (it sniffs BOMs the same way),
//!   so search hits and records agree.
//! - A line that is not valid UTF-8 and holds no UTF-8 multi-byte sequence is
//!   Latin-1 (Windows-1252, its superset in practice), not U+FFFD soup.

use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Read};

/// Whether `head` starts with a UTF-16 byte order mark (LE or BE).
pub fn utf16_bom(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF])
}

/// A reader that transcodes UTF-16 (recognized by its BOM) to UTF-8 and
/// passes anything else through byte for byte.
pub enum Decoded<R> {
    /// Not UTF-16: the bytes as they are (UTF-8, Latin-1, binary).
    Plain(R),
    /// UTF-16 with a BOM, transcoded; the BOM is dropped.
    Utf16(BufReader<encoding_rs_io::DecodeReaderBytes<R, Vec<u8>>>),
}

impl<R: BufRead> Decoded<R> {
    /// Looks at the first bytes of `reader` to decide.
    pub fn new(mut reader: R) -> Decoded<R> {
        let utf16 = reader.fill_buf().map(utf16_bom).unwrap_or(false);
        if utf16 {
            let dec = encoding_rs_io::DecodeReaderBytesBuilder::new().bom_sniffing(true).strip_bom(true).build(reader);
            Decoded::Utf16(BufReader::with_capacity(64 * 1024, dec))
        } else {
            Decoded::Plain(reader)
        }
    }
}

impl<R: BufRead> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoded::Plain(r) => r.read(buf),
            Decoded::Utf16(r) => r.read(buf),
        }
    }
}

impl<R: BufRead> BufRead for Decoded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Decoded::Plain(r) => r.fill_buf(),
            Decoded::Utf16(r) => r.fill_buf(),
        }
    }
    fn consume(&mut self, amt: usize) {
        match self {
            Decoded::Plain(r) => r.consume(amt),
            Decoded::Utf16(r) => r.consume(amt),
        }
    }
}

/// A sample for format detection, UTF-16 transcoded like [`Decoded`] does.
pub fn decode_sample(sample: &[u8]) -> Cow<'_, [u8]> {
    if !utf16_bom(sample) {
        return Cow::Borrowed(sample);
    }
    let mut out = Vec::with_capacity(sample.len());
    // A sample may end mid code unit; the decoder then yields U+FFFD at the end, harmless here.
    let _ = Decoded::new(sample).read_to_end(&mut out);
    Cow::Owned(out)
}

/// A whole buffer read the way [`Decoded`] reads a stream: UTF-16 with a BOM
/// becomes UTF-8 without it, anything else is returned as it is (exports,
/// which are read whole).
pub fn decode_utf16(bytes: Vec<u8>) -> Vec<u8> {
    if !utf16_bom(&bytes) {
        return bytes;
    }
    decode_sample(&bytes).into_owned()
}

/// A line as text: borrowed when it is valid UTF-8; Latin-1 (Windows-1252)
/// when it is not and has no UTF-8 multi-byte sequence in it (`caf\xE9`);
/// else UTF-8 with U+FFFD for the broken bytes (a UTF-8 line with one bad byte).
pub fn line_text<'a>(bytes: &'a [u8], scratch: &'a mut String) -> &'a str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => {
            scratch.clear();
            if has_utf8_sequence(bytes) {
                scratch.push_str(&String::from_utf8_lossy(bytes));
            } else {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                scratch.push_str(&text);
            }
            scratch
        }
    }
}

/// Whether `bytes` holds at least one well-formed UTF-8 multi-byte character.
fn has_utf8_sequence(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => return !s.is_ascii(),
            Err(e) => {
                let (good, after) = rest.split_at(e.valid_up_to());
                if good.iter().any(|b| !b.is_ascii()) {
                    return true;
                }
                let skip = e.error_len().unwrap_or(after.len()).max(1).min(after.len());
                rest = &after[skip..];
                if rest.is_empty() {
                    return false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_a_bom_is_transcoded_and_utf8_passes_untouched() {
        let text = "2026-11-24 08:27:01 INFO héllo\r\nnext\n";
        for bom_le in [true, false] {
            let mut raw = if bom_le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
            for u in text.encode_utf16() {
                raw.extend_from_slice(&if bom_le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            let mut out = String::new();
            Decoded::new(&raw[..]).read_to_string(&mut out).unwrap();
            assert_eq!(out, text);
            assert_eq!(decode_sample(&raw).as_ref(), text.as_bytes());
        }
        let utf8 = b"\xEF\xBB\xBFcaf\xE9\n";
        let mut out = Vec::new();
        Decoded::new(&utf8[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, utf8, "UTF-8 (BOM and invalid bytes included) is passed through byte for byte");
    }

    #[test]
    fn latin1_lines_are_latin1_and_broken_utf8_lines_stay_utf8() {
        let mut s = String::new();
        assert_eq!(line_text(b"caf\xE9 na\xEFve \x80", &mut s), "café naïve €");
        let mut s = String::new();
        assert_eq!(
            line_text(
                "größe \u{2713} ".as_bytes().iter().copied().chain([0xFF]).collect::<Vec<_>>().as_slice(),
                &mut s
            ),
            "größe \u{2713} \u{FFFD}"
        );
        let mut s = String::new();
        assert_eq!(line_text(b"plain", &mut s), "plain");
    }
}
