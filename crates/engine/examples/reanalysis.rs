//! What the desktop's analysis costs once a case is read (`make bench`):
//! the correlation itself, and an analysis after a note or a pin, which
//! reuses it. Prints one `REANALYSIS {json}` line; asserts nothing.
//!
//! `cargo run --release -p faultline-engine --example reanalysis -- FILE…`

use faultline_engine::{AnalyzeOptions, CorrelateOptions, Engine, IngestOptions, Input, TimelineKind};
use std::time::Instant;

const RUNS: usize = 5;

fn median_ms(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    (xs[xs.len() / 2] * 10.0).round() / 10.0
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64() * 1000.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let inputs: Vec<Input> = std::env::args().skip(1).map(|p| Input { path: p.into(), kind: None }).collect();
    if inputs.is_empty() {
        return Err("usage: reanalysis FILE…".into());
    }
    let dir = tempfile::tempdir()?;
    let engine = Engine::open(Some(&dir.path().join("bench.faultline")))?;
    engine.ingest(&inputs, &IngestOptions::default(), &|_| {})?;
    let opts = AnalyzeOptions::default();

    // A correlation every time: each run asks for another chart bucket, which nothing caches.
    let mut correlate = Vec::new();
    for i in 0..RUNS {
        let other = AnalyzeOptions {
            correlate: CorrelateOptions { bucket_seconds: Some(60 + i as u32), ..Default::default() },
            ..Default::default()
        };
        correlate.push(timed(|| engine.analyze(&other)).1);
    }
    let (analysis, _) = timed(|| engine.analyze(&opts));
    let analysis = analysis?;
    let at = analysis.incident.as_ref().map(|i| i.onset).unwrap_or_else(chrono::Utc::now);
    let mut after_note = Vec::new();
    for i in 0..RUNS {
        let note = engine.add_note(at, &format!("bench note {i}"))?;
        after_note.push(timed(|| engine.analyze(&opts)).1);
        engine.delete_note(note.id)?;
    }
    // A case with no incident may have nothing to pin: then no figure, not a made-up one.
    let mut after_pin = Vec::new();
    if let Some(entry) = analysis.timeline.iter().find(|e| e.kind != TimelineKind::Note) {
        let key = faultline_engine::timeline_key(entry);
        for i in 0..RUNS {
            let (edited, ms) = timed(|| {
                engine.edit_timeline(&key, &opts, |e| e.pinned = i % 2 == 0)?;
                engine.analyze(&opts)
            });
            edited?;
            after_pin.push(ms);
        }
    }
    let records: u64 = engine.sources()?.iter().map(|m| m.summary.records).sum();
    println!(
        "REANALYSIS {{\"records\":{records},\"correlation_ms\":{},\"analysis_after_note_ms\":{},\"pin_and_analysis_ms\":{}}}",
        median_ms(correlate),
        median_ms(after_note),
        if after_pin.is_empty() { "null".to_string() } else { median_ms(after_pin).to_string() }
    );
    Ok(())
}
