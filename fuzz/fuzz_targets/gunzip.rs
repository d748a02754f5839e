//! The bounded gzip reader and the UTF-16 decoder on arbitrary bytes: they
//! must end (never fail) and never inflate past the bomb limit.
#![no_main]
use faultline_input::{Decoded, Gunzip, StreamStatus, GZIP_RATIO_GRACE, MAX_GZIP_RATIO};
use libfuzzer_sys::fuzz_target;
use std::io::Read;

fuzz_target!(|data: &[u8]| {
    let mut gz = Vec::with_capacity(data.len() + 18);
    // A valid gzip header, so the fuzzer spends its time in the deflate stream.
    gz.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    gz.extend_from_slice(data);
    let status = StreamStatus::default();
    let mut out = Vec::new();
    Gunzip::new(&gz[..], status).read_to_end(&mut out).expect("a gunzip stream ends, it does not fail");
    assert!(out.len() as u64 <= GZIP_RATIO_GRACE.max(gz.len() as u64 * MAX_GZIP_RATIO) + (1 << 20));
    let mut text = Vec::new();
    let _ = Decoded::new(data).read_to_end(&mut text);
});
