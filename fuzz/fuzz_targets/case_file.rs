//! A hostile `.faultline` file: any bytes, opened as a case and read the way
//! the desktop reads one (sources, notes, edits, the records of a window).
//! Refusing is fine; a panic is not.
#![no_main]
use faultline_store::CaseFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("hostile.faultline");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(case) = CaseFile::open_existing(&path) else { return };
    let _ = case.sources();
    let _ = case.notes();
    let _ = case.timeline_edits();
    let _ = case.unparsed_lines(50);
    let _ = case.load(None, None);
});
