//! Redaction on arbitrary text: no panic, and what it leaves has nothing a
//! second pass would mask (no string matching a secret pattern survives).
#![no_main]
use faultline_model::{Analysis, TimelineEntry, TimelineKind};
use faultline_report::redact;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let entry = |text: String| TimelineEntry {
        time: chrono::DateTime::UNIX_EPOCH,
        kind: TimelineKind::Note,
        source: "analyst".into(),
        text,
        citation: None,
        change_id: None,
        suspect: false,
        clock_offset_ms: None,
    };
    let a = Analysis { timeline: vec![entry(text.clone()), entry(text.to_uppercase())], ..Analysis::default() };
    let once = redact(&a);
    let twice = redact(&once);
    assert_eq!(once.timeline, twice.timeline, "a second redaction found more to mask");
});
