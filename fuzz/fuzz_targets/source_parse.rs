//! Every single-file deploy/support/alert parser, chosen by the first byte.
#![no_main]
use faultline_model::time::Zone;
use faultline_model::CollectingSink;
use faultline_sources::{parse_bytes, SourceFormat, SourceOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let files: Vec<SourceFormat> = SourceFormat::ALL.into_iter().filter(|f| !f.is_folder()).collect();
    let format = files[sel as usize % files.len()];
    let zone = if sel & 0x80 != 0 { Zone::parse("Europe/Berlin").expect("known zone") } else { Zone::Utc };
    let mut sink = CollectingSink::default();
    if let Ok(report) = parse_bytes(rest, "fuzz", format, &SourceOptions { zone, changes_within: None }, &mut sink) {
        if let (Some(first), Some(last)) = (report.first, report.last) {
            assert!(first <= last);
        }
    }
});
