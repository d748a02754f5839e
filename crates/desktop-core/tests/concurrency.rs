//! An ingest reads on its own connection: the analyst's notes, searches and
//! the analysis go on while it runs.

use faultline_desktop_core::dto::{IngestEvent, IngestResult};
use faultline_desktop_core::requests::ZoneSpec;
use faultline_desktop_core::Session;
use faultline_engine::{Instant, TimelineKind};
use faultline_model::UnreadCause;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// A session on the sample, and a one-line log it may read (not read yet).
fn sample_and_a_granted_log() -> (Arc<Session>, tempfile::TempDir, std::path::PathBuf) {
    let s = Arc::new(Session::default());
    s.open_sample(&|_| {}).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("worker.log");
    std::fs::write(&log, "2025-03-14 08:20:00,000 ERROR [worker] queue stalled\n").unwrap();
    let log = log.canonicalize().unwrap();
    s.grant_inputs(std::slice::from_ref(&log));
    (s, dir, log)
}

/// Starts reading `log` into the case and holds it open once its source has
/// started, until the sender is used or dropped (the 60 s limit only keeps
/// a regression from hanging the suite).
fn hold_ingest_open(
    s: &Arc<Session>,
    log: &std::path::Path,
) -> (std::thread::JoinHandle<IngestResult>, mpsc::Sender<()>) {
    let (started_tx, started_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let ingest = {
        let s = s.clone();
        let path = log.display().to_string();
        let (started_tx, go_rx) = (Mutex::new(started_tx), Mutex::new(go_rx));
        std::thread::spawn(move || {
            s.ingest_paths(&[path], &ZoneSpec::Utc, &|e| {
                if matches!(e, IngestEvent::Started { .. }) {
                    let _ = started_tx.lock().unwrap().send(());
                    let _ = go_rx.lock().unwrap().recv_timeout(Duration::from_secs(60));
                }
            })
            .unwrap()
        })
    };
    started_rx.recv().unwrap();
    (ingest, go_tx)
}

#[test]
fn notes_search_and_the_analysis_do_not_wait_for_an_ingest() {
    let (s, _dir, log) = sample_and_a_granted_log();
    let (ingest, go_tx) = hold_ingest_open(&s, &log);

    let t: Instant = "2025-03-14T08:25:00Z".parse().unwrap();
    s.add_note(t, "paged the storage team").unwrap();
    let mut hits = 0;
    s.search("HTTP", true, None, None, Some(5), &mut |_| {
        hits += 1;
        true
    })
    .unwrap();
    // The file being read is searched too: its lines are the user's, not the case's.
    let mut stalled = Vec::new();
    s.search("queue stalled", true, None, None, None, &mut |h| {
        stalled.push(h.file);
        true
    })
    .unwrap();
    let during = s.analyze(&ZoneSpec::Utc).unwrap().analysis;
    assert!(!ingest.is_finished(), "the note, the search and the analysis waited for the ingest");
    assert_eq!(hits, 5);
    assert_eq!(stalled, vec![log.display().to_string()], "the file being read is searched");
    assert!(during.timeline.iter().any(|e| e.kind == TimelineKind::Note && e.text == "paged the storage team"));
    assert!(during.incident.is_some(), "the sources already read are analyzed");
    let unread: Vec<_> = during.unread.iter().map(|u| (u.path.as_str(), u.cause)).collect();
    assert_eq!(unread, vec![(log.to_str().unwrap(), UnreadCause::Reading)], "being read, not interrupted");

    go_tx.send(()).unwrap();
    ingest.join().unwrap();
    let after = s.analyze(&ZoneSpec::Utc).unwrap().analysis;
    assert!(after.sources.iter().any(|src| src.path.ends_with("worker.log")), "the ingest's source is analyzed next");
    assert!(after.timeline.iter().any(|e| e.text == "paged the storage team"));
    assert!(after.unread.is_empty() && !after.partial);
}

#[test]
fn opening_another_case_waits_for_the_running_ingest_and_replaces_the_case() {
    let (s, _dir, log) = sample_and_a_granted_log();
    let (started_tx, started_rx) = mpsc::channel();
    let ingest = {
        let s = s.clone();
        let path = log.display().to_string();
        let started_tx = Mutex::new(started_tx);
        std::thread::spawn(move || {
            s.ingest_paths(&[path], &ZoneSpec::Utc, &|e| {
                if matches!(e, IngestEvent::Started { .. }) {
                    let _ = started_tx.lock().unwrap().send(());
                    std::thread::sleep(Duration::from_millis(200));
                }
            })
            .unwrap()
        })
    };
    started_rx.recv().unwrap();
    // The sample again: a fresh case, installed once the ingest into the old one is done.
    s.open_sample(&|_| {}).unwrap();
    let result = ingest.join().unwrap();
    assert_eq!(result.sources.len(), 1, "the ingest that was running finished");
    let sources = s.sources().unwrap();
    assert!(
        !sources.iter().any(|r| r.summary.path.ends_with("worker.log")),
        "the new case holds only what was opened into it"
    );
}

#[test]
fn opening_the_sample_leaves_the_cancel_of_a_running_ingest_in_force() {
    let (s, _dir, log) = sample_and_a_granted_log();
    let (ingest, go_tx) = hold_ingest_open(&s, &log);
    s.cancel_ingest();
    // The sample opened meanwhile (a page that is not the UI can ask for it):
    // its ingest starts, then waits for the running one to install its case.
    let (sample_tx, sample_rx) = mpsc::channel();
    let opener = {
        let (s, sample_tx) = (s.clone(), Mutex::new(sample_tx));
        std::thread::spawn(move || {
            s.open_sample(&|e| {
                if matches!(e, IngestEvent::Started { .. }) {
                    let _ = sample_tx.lock().unwrap().send(());
                }
            })
        })
    };
    sample_rx.recv_timeout(Duration::from_secs(60)).expect("the sample's ingest started");
    go_tx.send(()).unwrap();
    assert!(ingest.join().unwrap().cancelled, "the cancel the analyst gave still stopped the ingest");
    let sample = opener.join().unwrap().unwrap();
    assert!(!sample.ingest.cancelled && !sample.ingest.sources.is_empty(), "the sample, begun after, is read whole");
}

#[test]
fn notes_written_during_a_flood_of_errors_are_all_kept() {
    // Mostly errors: the ingest commits a batch of notable records every few
    // thousand lines, back to back, while the analyst writes notes.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("flood.log");
    let mut text = String::with_capacity(200_000 * 70);
    for i in 0..200_000u32 {
        text.push_str(&format!(
            "2025-03-14 08:{:02}:{:02},{:03} ERROR [db] connection refused id={i}\n",
            (i / 6000) % 60,
            (i / 100) % 60,
            i % 1000
        ));
    }
    std::fs::write(&log, text).unwrap();
    let log = log.canonicalize().unwrap();
    let s = Arc::new(Session::default());
    s.grant_inputs(std::slice::from_ref(&log));
    let started = Arc::new(AtomicBool::new(false));
    let ingest = {
        let (s, started) = (s.clone(), started.clone());
        let path = log.display().to_string();
        std::thread::spawn(move || {
            s.ingest_paths(&[path], &ZoneSpec::Utc, &|e| {
                if matches!(e, IngestEvent::Started { .. }) {
                    started.store(true, Ordering::SeqCst);
                }
            })
            .unwrap()
        })
    };
    while !started.load(Ordering::SeqCst) && !ingest.is_finished() {
        std::thread::yield_now();
    }
    let t: Instant = "2025-03-14T08:25:00Z".parse().unwrap();
    let mut written = 0;
    while !ingest.is_finished() || written < 3 {
        s.add_note(t, &format!("note {written}")).unwrap();
        written += 1;
    }
    ingest.join().unwrap();
    assert_eq!(s.notes().unwrap().len(), written, "every note the analyst wrote is in the case");
}
