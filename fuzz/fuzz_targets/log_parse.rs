//! Every log parser, chosen by the first byte, on the rest; zones with DST
//! and a small record cap so truncation and multi-line joins are exercised.
#![no_main]
use faultline_logs::{parse, LogFormat, LogOptions};
use faultline_model::time::Zone;
use faultline_model::CollectingSink;
use libfuzzer_sys::fuzz_target;

const FORMATS: [&str; 13] = [
    "nginx-combined",
    "access-common",
    "nginx-error",
    "apache-error",
    "syslog-rfc3164",
    "syslog-rfc5424",
    "json-lines",
    "journald-json",
    "logfmt",
    "cri",
    "gunicorn",
    "app-log",
    "generic",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let Some(format) = LogFormat::from_name(FORMATS[sel as usize % FORMATS.len()]) else { return };
    let zone = match sel / 16 % 3 {
        0 => Zone::Utc,
        1 => Zone::parse("Europe/Berlin").expect("known zone"),
        _ => Zone::parse("+05:30").expect("offset"),
    };
    let year_reference = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    let opts = LogOptions { zone, year_reference, max_record_bytes: 256 };
    let mut sink = CollectingSink::default();
    let sum = parse(rest, &format, &opts, &mut sink).expect("an in-memory parse cannot fail");
    assert_eq!(sum.records as usize, sink.records.len());
    // Every byte is consumed (UTF-16 is counted in its UTF-8 transcoding).
    if !(rest.starts_with(&[0xFF, 0xFE]) || rest.starts_with(&[0xFE, 0xFF])) {
        assert_eq!(sum.bytes, rest.len() as u64);
    }
});
