//! Time normalization: any text in any kind of zone, and any epoch number.
#![no_main]
use faultline_model::time::{from_epoch, from_epoch_int, parse_instant, Zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let zone = match sel % 4 {
        0 => Zone::Utc,
        1 => Zone::parse("Europe/Berlin").expect("known zone"),
        2 => Zone::parse("America/St_Johns").expect("known zone"),
        _ => Zone::parse("-09:30").expect("offset"),
    };
    let text = String::from_utf8_lossy(rest);
    let _ = parse_instant(&text, &zone);
    let _ = Zone::parse(&text);
    if rest.len() >= 8 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&rest[..8]);
        let _ = from_epoch_int(i64::from_le_bytes(b));
        let _ = from_epoch(f64::from_le_bytes(b));
    }
});
