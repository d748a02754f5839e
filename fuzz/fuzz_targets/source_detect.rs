//! The deploy/support/alert detectors on arbitrary bytes, then the detected parser.
#![no_main]
use faultline_model::{CollectingSink, SourceKind};
use faultline_sources::{detect_as, detect_file, parse_bytes, SourceOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut found = vec![detect_file(data)];
    for kind in [SourceKind::Deploys, SourceKind::Support, SourceKind::Alerts] {
        found.push(detect_as(data, kind));
    }
    for format in found.into_iter().flatten() {
        if format.is_folder() {
            continue;
        }
        let mut sink = CollectingSink::default();
        let _ = parse_bytes(data, "fuzz", format, &SourceOptions::default(), &mut sink);
    }
});
