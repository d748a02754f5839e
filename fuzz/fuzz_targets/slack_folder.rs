//! A Slack export folder built from arbitrary bytes (`users.json`,
//! `channels.json` and day files, split at 0xFF bytes), detected and read.
#![no_main]
use faultline_model::CollectingSink;
use faultline_sources::{detect_dir, parse, SourceFormat, SourceOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let root = dir.path();
    let mut parts = data.split(|b| *b == 0xFF);
    let names = [
        "users.json",
        "channels.json",
        "support/2026-11-24.json",
        "incidents/2026-11-24.json",
        "support/2026-11-25.json",
    ];
    for name in names {
        let Some(part) = parts.next() else { break };
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, part);
    }
    let detected = detect_dir(root);
    let mut sink = CollectingSink::default();
    if let Ok(report) = parse(root, SourceFormat::SlackExport, &SourceOptions::default(), &mut sink) {
        if let (Some(first), Some(last)) = (report.first, report.last) {
            assert!(first <= last);
        }
    }
    let _ = detected;
});
