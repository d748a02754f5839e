//! The session as the page drives it: each command over a real case, with
//! the grants a dialog would give.

use faultline_desktop_core::dto::*;
use faultline_desktop_core::requests::*;
use faultline_desktop_core::{ErrorCode, Session};
use faultline_engine::{Instant, SourceKind, TimelineKind};
use std::path::Path;
use std::sync::Mutex;

fn utc() -> ZoneSpec {
    ZoneSpec::Utc
}

fn plus3() -> ZoneSpec {
    ZoneSpec::Fixed { minutes: 180 }
}

fn md_request(path: &str, tz: ZoneSpec) -> ExportRequest {
    ExportRequest {
        format: ReportFormat::Markdown,
        template: TemplateRequest::Builtin { name: BuiltinTemplate::Seed },
        display_tz: tz,
        redact: false,
        path: path.to_string(),
    }
}

fn quiet(_: IngestEvent) {}

fn sample_session() -> Session {
    let s = Session::default();
    s.open_sample(&quiet).expect("the sample opens");
    s
}

#[test]
fn closing_deletes_the_unsaved_case_and_keeps_a_saved_one() {
    let s = sample_session();
    let folder = s.temporary_folder().expect("the sample lives in a temporary case");
    assert!(folder.join("case.faultline").is_file());
    s.close();
    assert!(!folder.exists(), "{} left behind", folder.display());
    // Nothing reopens a case once closing: a late command gets an error, not a new temporary folder.
    assert!(s.sources().is_err());
    assert!(s.open_sample(&quiet).is_err());
    assert!(s.temporary_folder().is_none());

    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("kept.faultline");
    let s = sample_session();
    s.grant_save(&saved);
    s.save_case_as(saved.to_str().unwrap()).unwrap();
    s.close();
    assert!(saved.is_file(), "the analyst's saved case stays");
}

#[test]
fn sample_streams_progress_and_fills_the_case() {
    let s = Session::default();
    let events = Mutex::new(Vec::new());
    let opened = s.open_sample(&|e| events.lock().unwrap().push(e)).unwrap();
    assert_eq!(opened.display_tz, "+03:00");
    let events = events.into_inner().unwrap();
    assert!(matches!(events.first(), Some(IngestEvent::Planned { sources, .. }) if *sources >= 5));
    assert!(events.iter().any(|e| matches!(e, IngestEvent::Finished { records, .. } if *records > 0)));
    let rows = s.sources().unwrap();
    assert!(rows.len() >= 5 && rows.iter().all(|r| r.summary.complete));
}

#[test]
fn sample_analysis_names_an_incident_and_a_timeline() {
    let s = sample_session();
    let a = s.analyze(&plus3()).unwrap().analysis;
    assert!(a.incident.is_some(), "the sample has an incident");
    assert!(!a.timeline.is_empty());
    assert!(!a.series.buckets.is_empty());
}

#[test]
fn bad_zone_is_a_typed_error() {
    let e = Session::default().analyze(&ZoneSpec::Iana { name: "Mars/Olympus".into() }).unwrap_err();
    assert_eq!(e.code, ErrorCode::BadZone);
}

#[test]
fn search_streams_hits_up_to_the_limit() {
    let s = sample_session();
    let mut hits = Vec::new();
    let summary = s
        .search("HTTP", true, None, None, Some(3), &mut |h| {
            hits.push(h);
            true
        })
        .unwrap();
    assert_eq!(hits.len(), 3);
    assert!(summary.truncated);
    let first = &hits[0];
    let ex = s.excerpt(&first.file, first.offset, first.text.len() as u64, first.line).unwrap();
    assert!(ex.lines.iter().any(|l| l.in_record && l.text == first.text));
}

#[test]
fn excerpt_refuses_files_outside_the_case() {
    let s = sample_session();
    assert!(s.excerpt("/etc/passwd", 0, 10, 1).is_err());
}

#[test]
fn notes_join_the_timeline_and_can_be_deleted() {
    let s = sample_session();
    let t: Instant = "2025-03-14T08:25:00Z".parse().unwrap();
    let note = s.add_note(t, "  rolled back by hand  ").unwrap();
    assert_eq!(note.text, "rolled back by hand");
    let a = s.analyze(&utc()).unwrap().analysis;
    assert!(a.timeline.iter().any(|e| e.kind == TimelineKind::Note && e.text == "rolled back by hand"));
    assert!(s.delete_note(note.id).unwrap());
    assert!(s.notes().unwrap().is_empty());
    assert_eq!(s.add_note(t, "   ").unwrap_err().code, ErrorCode::BadRequest);
}

#[test]
fn export_writes_a_markdown_postmortem() {
    let s = sample_session();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pm.md");
    let path = out.to_str().unwrap();
    assert_eq!(
        s.export(&md_request(path, plus3())).unwrap_err().code,
        ErrorCode::NotGranted,
        "a path the user did not choose"
    );
    assert!(!out.exists());
    s.grant_save(&out);
    let r = s.export(&md_request(path, plus3())).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(r.bytes as usize, text.len());
    assert!(text.contains("## Timeline"), "{text}");
}

#[test]
fn a_hostile_log_line_comes_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let line = r#"10.0.0.9 - - [24/Nov/2026:11:31:02 +0300] "GET /search?q=<img src=x onerror=window.__pwned=1> HTTP/1.1" 500 612 "-" "curl/8.0""#;
    std::fs::write(&log, format!("{line}\n")).unwrap();
    let s = Session::default();
    s.grant_inputs(&[dir.path().to_path_buf()]);
    s.ingest_paths(&[log.display().to_string()], &utc(), &quiet).unwrap();
    let mut hits = Vec::new();
    s.search("onerror=", true, None, None, None, &mut |h| {
        hits.push(h);
        true
    })
    .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].text, line);
}

fn export_md(s: &Session, dir: &Path, name: &str) -> String {
    let out = dir.join(name);
    s.grant_save(&out);
    s.export(&md_request(out.to_str().unwrap(), utc())).unwrap();
    std::fs::read_to_string(&out).unwrap()
}

#[test]
fn ingest_refuses_paths_the_user_did_not_open() {
    let s = Session::default();
    let e = s.ingest_paths(&["/etc".to_string()], &utc(), &quiet).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotGranted);
    assert!(s.sources().unwrap().is_empty());
}

#[test]
fn pin_hide_and_rename_persist_and_shape_the_export() {
    let s = sample_session();
    let dir = tempfile::tempdir().unwrap();
    let view = s.analyze(&utc()).unwrap();
    let pick = |kind: TimelineKind| {
        let i = view.analysis.timeline.iter().position(|e| e.kind == kind).expect("the sample has this kind");
        (view.analysis.timeline[i].clone(), view.entries[i].key.clone())
    };
    let (restart, restart_key) = pick(TimelineKind::Restart);
    let (onset, onset_key) = pick(TimelineKind::ErrorOnset);
    let (change, change_key) = pick(TimelineKind::Change);
    let before = export_md(&s, dir.path(), "before.md");
    assert!(before.contains(&restart.text), "the restart is in the export before it is hidden");

    s.edit_timeline(&restart_key, &TimelineAction::Hide).unwrap();
    s.edit_timeline(&onset_key, &TimelineAction::Rename { text: "  Archive downloads start failing  ".into() })
        .unwrap();
    s.edit_timeline(&change_key, &TimelineAction::Pin).unwrap();
    assert!(s.edit_timeline("change@0#nothing", &TimelineAction::Pin).is_err());

    let after = export_md(&s, dir.path(), "after.md");
    assert!(!after.contains(&restart.text), "a hidden entry is left out of the export");
    assert!(after.contains("Archive downloads start failing"), "the renamed milestone is in the export");
    // (Markdown escapes the raw line's brackets: compare its first words.)
    let onset_words: String = onset.text.chars().take(20).collect();
    assert!(before.contains(&onset_words), "{onset_words} in {before}");
    assert!(!after.contains(&onset_words), "the analysis's own onset text is replaced");

    let view = s.analyze(&utc()).unwrap();
    assert_eq!(view.hidden.len(), 1);
    assert_eq!(view.hidden[0].entry.text, restart.text);
    let i = view.entries.iter().position(|e| e.key == change_key).unwrap();
    assert!(view.entries[i].pinned);
    assert_eq!(view.analysis.timeline[i].text, change.text);
    let j = view.entries.iter().position(|e| e.key == onset_key).unwrap();
    assert_eq!(view.entries[j].renamed_from.as_deref(), Some(onset.text.as_str()));

    // Undo: shown again, the analysis's text back.
    s.edit_timeline(&restart_key, &TimelineAction::Show).unwrap();
    s.edit_timeline(&onset_key, &TimelineAction::Rename { text: String::new() }).unwrap();
    let undone = export_md(&s, dir.path(), "undone.md");
    assert!(undone.contains(&restart.text), "{undone}");
    assert!(undone.contains(&onset_words), "{onset_words} in {undone}");
}

#[test]
fn a_saved_case_reopens_from_the_recent_list_with_its_edits_and_notes() {
    let conf = tempfile::tempdir().unwrap();
    let recent = conf.path().join("recent-cases.json");
    let s = Session::with_recent_file(recent.clone());
    s.open_sample(&quiet).unwrap();
    let view = s.analyze(&utc()).unwrap();
    let restart = view.analysis.timeline.iter().position(|e| e.kind == TimelineKind::Restart).unwrap();
    let key = view.entries[restart].key.clone();
    s.edit_timeline(&key, &TimelineAction::Hide).unwrap();
    let t: Instant = "2026-11-24T08:27:00Z".parse().unwrap();
    s.add_note(t, "rollback started").unwrap();

    let dest = conf.path().join("archive crash.faultline");
    assert_eq!(
        s.save_case_as(dest.to_str().unwrap()).unwrap_err().code,
        ErrorCode::NotGranted,
        "not chosen in the dialog"
    );
    let not_case = conf.path().join("x.md");
    s.grant_save(&not_case);
    assert_eq!(
        s.save_case_as(not_case.to_str().unwrap()).unwrap_err().code,
        ErrorCode::BadRequest,
        "a case ends in .faultline"
    );
    s.grant_save(&dest);
    let info = s.save_case_as(dest.to_str().unwrap()).unwrap();
    assert_eq!(info.path.as_deref(), dest.to_str());
    assert!(dest.is_file());
    // Edits after saving go to the saved file.
    s.add_note(t, "second note, after saving").unwrap();

    let fresh = Session::with_recent_file(recent.clone());
    let list = fresh.recent_cases();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "archive crash");
    assert!(list[0].exists);
    assert!(fresh.open_case("/etc/passwd").is_err(), "only chosen or recent cases open");
    let info = fresh.open_case(&list[0].path).unwrap();
    assert_eq!(info.title.as_deref(), Some("archive crash"));
    let view = fresh.analyze(&utc()).unwrap();
    assert!(view.analysis.incident.is_some(), "the reopened case has the incident");
    assert_eq!(view.hidden.len(), 1, "the hidden entry stays hidden");
    let notes: Vec<String> = fresh.notes().unwrap().into_iter().map(|n| n.text).collect();
    assert_eq!(notes, ["rollback started", "second note, after saving"]);
    assert!(fresh.sources().unwrap().len() >= 5);
}

#[test]
fn opening_a_file_that_is_not_a_case_fails_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("notes.faultline");
    std::fs::write(&bogus, b"just text\n").unwrap();
    let s = Session::default();
    s.grant_case(&bogus);
    assert!(s.open_case(bogus.to_str().unwrap()).is_err());
    assert_eq!(std::fs::read(&bogus).unwrap(), b"just text\n");
}

#[test]
fn correcting_the_zone_of_a_source_moves_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "2026-11-24 10:00:00,000 ERROR boom\n2026-11-24 10:00:05,000 INFO ok\n").unwrap();
    let s = Session::default();
    s.grant_inputs(std::slice::from_ref(&log));
    let events = Mutex::new(Vec::new());
    s.ingest_paths(&[log.display().to_string()], &utc(), &quiet).unwrap();
    let first = s.sources().unwrap()[0].summary.first.unwrap();
    assert_eq!(first.to_rfc3339(), "2026-11-24T10:00:00+00:00");
    let r = s
        .correct_source(&log.display().to_string(), SourceKind::Log, &plus3(), &|e| events.lock().unwrap().push(e))
        .unwrap();
    assert!(!r.cancelled);
    let rows = s.sources().unwrap();
    assert_eq!(rows.len(), 1, "re-read in place, not added twice");
    assert_eq!(rows[0].summary.tz, "+03:00");
    assert_eq!(rows[0].summary.first.unwrap().to_rfc3339(), "2026-11-24T07:00:00+00:00");
    let events = events.into_inner().unwrap();
    assert!(events.iter().any(|e| matches!(e, IngestEvent::Finished { reused: false, .. })), "read again: {events:?}");
    // A kind that does not fit is refused, and the source is kept as it was.
    assert!(s.correct_source(&log.display().to_string(), SourceKind::Deploys, &plus3(), &quiet).is_err());
    assert_eq!(s.sources().unwrap().len(), 1);
    assert_eq!(s.correct_source("/nope.log", SourceKind::Log, &utc(), &quiet).unwrap_err().code, ErrorCode::Engine);
}

#[test]
fn a_clock_offset_moves_a_source_keeps_its_zone_and_is_undone_by_zero() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "2026-11-24 10:00:00,000 ERROR boom\n2026-11-24 10:00:05,000 INFO ok\n").unwrap();
    let s = Session::default();
    s.grant_inputs(std::slice::from_ref(&log));
    let path = log.display().to_string();
    s.ingest_paths(std::slice::from_ref(&path), &plus3(), &quiet).unwrap();
    s.set_clock_offset(&path, "-40s", &quiet).unwrap();
    let rows = s.sources().unwrap();
    assert_eq!(rows.len(), 1, "read again in place");
    assert_eq!(rows[0].summary.clock_offset_ms, -40_000);
    assert_eq!(rows[0].summary.tz, "+03:00", "the zone it was read in stays");
    assert_eq!(rows[0].summary.first.unwrap().to_rfc3339(), "2026-11-24T06:59:20+00:00");
    let a = s.analyze(&utc()).unwrap();
    assert!(a.analysis.sources[0].clock_offset_ms == -40_000);
    // Zero undoes it.
    s.set_clock_offset(&path, "0", &quiet).unwrap();
    let rows = s.sources().unwrap();
    assert_eq!(
        (rows[0].summary.clock_offset_ms, rows[0].summary.first.unwrap().to_rfc3339()),
        (0, "2026-11-24T07:00:00+00:00".into())
    );
    // More than a week is no clock that is off; nor is text; a path that is not a source is refused.
    assert_eq!(s.set_clock_offset(&path, "soon", &quiet).unwrap_err().code, ErrorCode::BadRequest);
    assert_eq!(s.set_clock_offset(&path, "+8d", &quiet).unwrap_err().code, ErrorCode::BadRequest);
    assert_eq!(s.set_clock_offset("/nope.log", "+1s", &quiet).unwrap_err().code, ErrorCode::BadRequest);
}

#[test]
fn a_baseline_dragged_on_the_chart_is_what_is_new_compares_with_until_reset() {
    let s = sample_session();
    let default = s.analyze(&utc()).unwrap().analysis.novelty.unwrap();
    assert!(!default.baseline_given);
    let from = default.incident_from - chrono::Duration::hours(3);
    let to = default.incident_from - chrono::Duration::hours(2);
    let (f, t) = (from.to_rfc3339(), to.to_rfc3339());
    let chosen = s.choose_baseline(Some((&f, &t)), &utc()).unwrap().analysis.novelty.unwrap();
    assert!(chosen.baseline_given);
    assert_eq!((chosen.baseline_from, chosen.baseline_to), (from, to));
    // It stays for the next analysis, and the exports follow.
    assert!(s.analyze(&utc()).unwrap().analysis.novelty.unwrap().baseline_given);
    assert_eq!(s.choose_baseline(Some((&t, &f)), &utc()).unwrap_err().code, ErrorCode::BadRequest);
    assert_eq!(s.choose_baseline(Some(("yesterday", &t)), &utc()).unwrap_err().code, ErrorCode::BadRequest);
    let back = s.choose_baseline(None, &utc()).unwrap().analysis.novelty.unwrap();
    assert!(!back.baseline_given);
    assert_eq!(back.baseline_from, default.baseline_from);
}

#[test]
fn the_svg_chart_is_redacted_unless_asked_not_to_be() {
    // Its lanes' tooltips quote what users wrote.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "2026-11-24 10:00:00,000 ERROR boom\n2026-11-24 10:05:00,000 INFO ok\n").unwrap();
    let tickets = dir.path().join("tickets.csv");
    std::fs::write(
        &tickets,
        "Ticket ID,Created at,Requester,Channel,Subject,Description,Status\n\
         1,2026-11-24 10:01:00 +0000,Bob,Email,Login,Cannot log in: write to bob.smith@example.com,Open\n",
    )
    .unwrap();
    let s = Session::default();
    s.grant_inputs(&[log.clone(), tickets.clone()]);
    s.ingest_paths(&[log.display().to_string(), tickets.display().to_string()], &utc(), &quiet).unwrap();
    let export = |name: &str, redact: bool| {
        let path = dir.path().join(name);
        s.grant_save(&path);
        let r = s.export_chart(ChartFormat::Svg, &utc(), (None, None), redact, None, path.to_str().unwrap()).unwrap();
        (std::fs::read_to_string(&path).unwrap(), r.masked)
    };
    let (raw, none) = export("raw.svg", false);
    assert!(none.is_empty());
    assert!(raw.contains("class=\"lanes\"") && raw.contains("bob.smith@example.com"), "{raw}");
    let (red, masked) = export("red.svg", true);
    assert!(!red.contains("bob.smith@example.com"));
    assert!(red.contains("email-1"), "{red}");
    assert!(masked.iter().any(|m| m.kind == "email"));
}

#[test]
fn chart_exports_as_svg_and_checks_png_bytes() {
    let s = sample_session();
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("chart.svg");
    s.grant_save(&svg);
    let r = s.export_chart(ChartFormat::Svg, &plus3(), (None, None), true, None, svg.to_str().unwrap()).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(r.bytes as usize, text.len());
    assert!(text.starts_with("<svg") || text.contains("<svg"), "{}", &text[..80.min(text.len())]);
    let png = dir.path().join("chart.png");
    s.grant_save(&png);
    assert!(s
        .export_chart(ChartFormat::Png, &utc(), (None, None), true, Some(b"<svg/>".to_vec()), png.to_str().unwrap())
        .is_err());
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0u8; 16]);
    let r = s
        .export_chart(ChartFormat::Png, &utc(), (None, None), true, Some(bytes.clone()), png.to_str().unwrap())
        .unwrap();
    assert_eq!(std::fs::read(&png).unwrap(), bytes);
    assert_eq!(r.bytes, 24);
    // One dialog, one write.
    assert!(s.export_chart(ChartFormat::Png, &utc(), (None, None), true, Some(bytes), png.to_str().unwrap()).is_err());
}

/// Six hours of an nginx log, a request every 2 s: checkout fails for 20
/// minutes from 02:00, login for 10 minutes from 04:00.
fn two_incident_log(dir: &Path) -> std::path::PathBuf {
    let mut text = String::new();
    for i in 0..10_800u32 {
        let secs = i * 2;
        let (h, m, sec) = (secs / 3600, secs / 60 % 60, secs % 60);
        let minute = secs / 60;
        let checkout_down = (120..140).contains(&minute);
        let login_down = (240..250).contains(&minute);
        let (path, status) = match i % 4 {
            0 if checkout_down => ("/api/checkout", 500),
            1 if login_down => ("/api/login", 503),
            0 => ("/api/checkout", 200),
            1 => ("/api/login", 200),
            _ => ("/", 200),
        };
        text.push_str(&format!(
            "10.0.{}.{} - - [24/Nov/2026:{h:02}:{m:02}:{sec:02} +0000] \"GET {path} HTTP/1.1\" {status} 512 \"-\" \"curl/8.0\"\n",
            i % 7,
            i % 200
        ));
    }
    let log = dir.join("access.log");
    std::fs::write(&log, text).unwrap();
    log
}

#[test]
fn the_analyst_picks_another_incident_and_every_view_and_export_follows() {
    let dir = tempfile::tempdir().unwrap();
    let log = two_incident_log(dir.path());
    let s = Session::default();
    s.grant_inputs(&[dir.path().to_path_buf()]);
    s.ingest_paths(&[log.display().to_string()], &utc(), &quiet).unwrap();
    let onset = |v: &AnalysisView| v.analysis.incident.as_ref().map(|i| i.onset.to_rfc3339());

    let first = s.analyze(&utc()).unwrap();
    let listed: Vec<(u32, bool)> = first.analysis.incidents.iter().map(|i| (i.number, i.analyzed)).collect();
    assert_eq!(listed, [(1, true), (2, false)], "the bigger, earlier one by default");
    assert_eq!(onset(&first).as_deref(), Some("2026-11-24T02:00:00+00:00"));

    let second = s.choose_incident(Some(2), &utc()).unwrap();
    assert_eq!(onset(&second).as_deref(), Some("2026-11-24T04:00:02+00:00"));
    assert!(second.analysis.incidents[1].analyzed);
    // The choice holds for the next analysis, the timeline edits and the export.
    assert_eq!(onset(&s.analyze(&utc()).unwrap()), onset(&second));
    let key = second
        .analysis
        .timeline
        .iter()
        .zip(&second.entries)
        .find(|(e, _)| e.kind == TimelineKind::ErrorOnset)
        .map(|(_, st)| st.key.clone())
        .expect("an onset entry");
    s.edit_timeline(&key, &TimelineAction::Pin).unwrap();
    let md = export_md(&s, dir.path(), "second.md");
    assert!(md.contains("04:00:02") && md.contains("/api/login"), "{md}");

    let e = s.choose_incident(Some(3), &utc()).unwrap_err();
    assert_eq!(e.code, ErrorCode::BadRequest);
    assert!(e.message.contains("no incident 3"), "{}", e.message);
    assert_eq!(onset(&s.analyze(&utc()).unwrap()), onset(&second), "a refused choice changes nothing");

    // Save as carries on with the same choice; new data renumbers incidents, so it resets the choice.
    let saved = dir.path().join("two.faultline");
    s.grant_save(&saved);
    s.save_case_as(saved.to_str().unwrap()).unwrap();
    assert_eq!(onset(&s.analyze(&utc()).unwrap()), onset(&second), "the choice survives Save as");
    let more = dir.path().join("more.log");
    std::fs::write(&more, "2026-11-24 05:30:00 INFO later\n").unwrap();
    s.ingest_paths(&[more.display().to_string()], &utc(), &quiet).unwrap();
    assert_eq!(onset(&s.analyze(&utc()).unwrap()), onset(&first), "an ingest goes back to the most severe");
    s.choose_incident(Some(2), &utc()).unwrap();
    assert_eq!(onset(&s.choose_incident(None, &utc()).unwrap()), onset(&first));
}
