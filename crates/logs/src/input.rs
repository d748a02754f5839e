//! Opening a log: [`faultline_input`] does it (gzip by magic bytes, the
//! bounded gunzip, capped lines); here its errors name the file as a [`LogError`].

use crate::LogError;
use std::io::BufRead;
use std::path::Path;

pub(crate) use faultline_input::LineInfo;

/// Opens a log file for reading, gunzipping it when it starts with the gzip
/// magic bytes (whatever its name). Concatenated gzip members are read in turn.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>, LogError> {
    faultline_input::open(path, &Default::default()).map_err(|e| LogError::open(path, e))
}

/// The first 64 KiB of a file's (decompressed) content, for [`crate::detect`].
pub fn read_sample(path: &Path) -> Result<Vec<u8>, LogError> {
    faultline_input::read_sample(path).map_err(|e| LogError::open(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

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
