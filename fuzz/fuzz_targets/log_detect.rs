//! The log format detector on arbitrary bytes, then the detected parser on them.
#![no_main]
use faultline_logs::{detect, parse, LogOptions};
use faultline_model::time::Zone;
use faultline_model::CollectingSink;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(format) = detect(data) {
        let opts = LogOptions { zone: Zone::Utc, year_reference: None, max_record_bytes: 512 };
        let mut sink = CollectingSink::default();
        let sum = parse(data, &format, &opts, &mut sink).expect("an in-memory parse cannot fail");
        assert_eq!(sum.records as usize, sink.records.len());
    }
});
