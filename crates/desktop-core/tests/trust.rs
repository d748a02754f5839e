//! The trust boundary, tried as an attacker would: a script in the page can
//! call every command with arguments the UI never sends, and a case file can
//! come from a stranger. Each attack is refused, and what the analyst did
//! choose keeps working.

use faultline_desktop_core::access::UnavailableReason;
use faultline_desktop_core::dto::*;
use faultline_desktop_core::requests::*;
use faultline_desktop_core::{ErrorCode, Session, MAX_EXCERPT_LEN};
use faultline_engine::SourceKind;
use std::path::{Path, PathBuf};

fn quiet(_: IngestEvent) {}

const PRIVATE_LINE: &str = "2026-11-24 10:00:01,000 ERROR vault unsealed with root token hvs.PRIVATE-TOKEN-0042";

/// `<tmp>/granted/app.log` (the analyst's pick) and `<tmp>/private/secret.log` (never chosen).
struct Disk {
    dir: tempfile::TempDir,
}

impl Disk {
    fn new() -> Disk {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("granted")).unwrap();
        std::fs::create_dir_all(dir.path().join("private")).unwrap();
        std::fs::write(
            dir.path().join("granted/app.log"),
            "2026-11-24 10:00:00,000 ERROR upstream timed out\n2026-11-24 10:00:05,000 INFO recovered\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("private/secret.log"), format!("{PRIVATE_LINE}\n")).unwrap();
        Disk { dir }
    }
    fn granted(&self) -> PathBuf {
        self.dir.path().join("granted")
    }
    fn private(&self) -> PathBuf {
        self.dir.path().join("private/secret.log")
    }
}

fn hits(s: &Session, pattern: &str) -> Vec<SearchHitDto> {
    let mut out = Vec::new();
    s.search(pattern, true, None, None, None, &mut |h| {
        out.push(h);
        true
    })
    .unwrap();
    out
}

#[test]
fn a_path_that_climbs_out_of_a_granted_folder_is_refused_and_nothing_is_read() {
    let disk = Disk::new();
    let s = Session::default();
    s.grant_inputs(&[disk.granted()]);
    let climbing = format!("{}/../private/secret.log", disk.granted().display());
    let e = s.ingest_paths(&[climbing], &ZoneSpec::Utc, &quiet).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotGranted, "{e:?}");
    assert!(s.sources().unwrap().is_empty());
    assert!(hits(&s, "PRIVATE-TOKEN").is_empty());
    // What the analyst chose still opens.
    s.ingest_paths(&[disk.granted().join("app.log").display().to_string()], &ZoneSpec::Utc, &quiet).unwrap();
    assert_eq!(hits(&s, "timed out").len(), 1);
}

#[cfg(unix)]
#[test]
fn a_symlink_inside_a_granted_folder_does_not_reach_outside_it() {
    let disk = Disk::new();
    std::os::unix::fs::symlink(disk.private(), disk.granted().join("innocent.log")).unwrap();
    let s = Session::default();
    s.grant_inputs(&[disk.granted()]);
    let e = s
        .ingest_paths(&[disk.granted().join("innocent.log").display().to_string()], &ZoneSpec::Utc, &quiet)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotGranted);
    assert!(hits(&s, "PRIVATE-TOKEN").is_empty());
}

#[cfg(unix)]
#[test]
fn a_symlink_in_an_opened_folder_is_not_followed_out_of_it() {
    // A log bundle from elsewhere, unpacked with a link to the analyst's own file.
    let disk = Disk::new();
    std::os::unix::fs::symlink(disk.private(), disk.granted().join("z-debug.log")).unwrap();
    let s = Session::default();
    s.grant_inputs(&[disk.granted()]);
    let r = s.ingest_paths(&[disk.granted().display().to_string()], &ZoneSpec::Utc, &quiet).unwrap();
    assert!(r.problems.iter().any(|p| p.contains("z-debug.log") && p.contains("not read")), "{:?}", r.problems);
    let rows = s.sources().unwrap();
    assert!(rows.iter().all(|r| !r.summary.path.contains("z-debug")), "{rows:?}");
    assert!(hits(&s, "PRIVATE-TOKEN").is_empty());
    assert_eq!(hits(&s, "timed out").len(), 1, "the folder's own file is read");
}

#[test]
fn relative_and_nul_paths_are_refused() {
    let disk = Disk::new();
    let s = Session::default();
    s.grant_inputs(&[disk.granted()]);
    for p in ["granted/app.log", "", "/tmp/\0x"] {
        assert!(s.ingest_paths(&[p.to_string()], &ZoneSpec::Utc, &quiet).is_err(), "{p:?}");
    }
}

fn export_request(path: &Path, template: TemplateRequest, format: ReportFormat, redact: bool) -> ExportRequest {
    ExportRequest { format, template, display_tz: ZoneSpec::Utc, redact, path: path.display().to_string() }
}

#[test]
fn a_private_file_as_template_is_refused_and_a_picked_one_is_used() {
    let disk = Disk::new();
    let s = Session::default();
    s.open_sample(&quiet).unwrap();
    let out = disk.dir.path().join("pm.md");
    s.grant_save(&out);
    let private = TemplateRequest::File { path: disk.private().display().to_string() };
    let e = s.export(&export_request(&out, private, ReportFormat::Markdown, false)).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotGranted);
    assert!(!out.exists(), "nothing written");

    let picked = disk.dir.path().join("mine.md.j2");
    std::fs::write(&picked, "# {{ title }}\nOur own layout\n").unwrap();
    s.grant_template(&picked);
    // The save grant was not used by the refused export: the same dialog's path still works.
    let r = s
        .export(&export_request(
            &out,
            TemplateRequest::File { path: picked.display().to_string() },
            ReportFormat::Markdown,
            false,
        ))
        .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("Our own layout"), "{text}");
    assert_eq!(r.bytes as usize, text.len());
}

#[test]
fn an_unchosen_save_path_and_a_second_write_are_refused() {
    let disk = Disk::new();
    let s = Session::default();
    s.open_sample(&quiet).unwrap();
    let target = disk.dir.path().join("granted/app.log");
    let before = std::fs::read(&target).unwrap();
    let builtin = || TemplateRequest::Builtin { name: BuiltinTemplate::Seed };
    let e = s.export(&export_request(&target, builtin(), ReportFormat::Markdown, false)).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotGranted);
    assert!(s.export_chart(ChartFormat::Svg, &ZoneSpec::Utc, (None, None), true, None, "/tmp/../etc/x.svg").is_err());
    assert_eq!(std::fs::read(&target).unwrap(), before, "the file was not overwritten");
}

#[test]
fn absurd_excerpt_lengths_and_offsets_are_refused() {
    let s = Session::default();
    s.open_sample(&quiet).unwrap();
    let hit = hits(&s, "HTTP").into_iter().next().expect("the sample has HTTP lines");
    let e = s.excerpt(&hit.file, hit.offset, u64::MAX, hit.line).unwrap_err();
    assert_eq!(e.code, ErrorCode::BadRequest);
    assert_eq!(
        s.excerpt(&hit.file, hit.offset, MAX_EXCERPT_LEN + 1, hit.line).unwrap_err().code,
        ErrorCode::BadRequest
    );
    assert_eq!(s.excerpt(&hit.file, u64::MAX - 1, 10, 0).unwrap_err().code, ErrorCode::BadRequest);
    // Past the end of the file: an error, not a panic.
    assert!(s.excerpt(&hit.file, u64::MAX / 2, 10, 0).is_err());
    // The session still answers.
    assert!(s.excerpt(&hit.file, hit.offset, hit.text.len() as u64, hit.line).is_ok());
}

#[test]
fn absurd_notes_and_names_are_refused() {
    let s = Session::default();
    s.open_sample(&quiet).unwrap();
    let t = "2026-11-24T08:25:00Z".parse().unwrap();
    assert_eq!(s.add_note(t, &"x".repeat(100_000)).unwrap_err().code, ErrorCode::BadRequest);
    let paths: Vec<String> = (0..20_000).map(|i| format!("/tmp/{i}")).collect();
    assert_eq!(s.ingest_paths(&paths, &ZoneSpec::Utc, &quiet).unwrap_err().code, ErrorCode::BadRequest);
}

/// A case saved by someone who read `secret.log` (the victim's file, at a
/// path the attacker guessed).
fn strangers_case(disk: &Disk) -> PathBuf {
    let stranger = Session::default();
    stranger.grant_inputs(&[disk.private(), disk.granted()]);
    let inputs = [disk.private().display().to_string(), disk.granted().join("app.log").display().to_string()];
    stranger.ingest_paths(&inputs, &ZoneSpec::Utc, &quiet).unwrap();
    let case = disk.dir.path().join("from-a-stranger.faultline");
    stranger.grant_save(&case);
    stranger.save_case_as(case.to_str().unwrap()).unwrap();
    stranger.close();
    case
}

#[test]
fn opening_a_case_grants_nothing_until_its_folder_is_confirmed_and_the_hashes_match() {
    let disk = Disk::new();
    let case = strangers_case(&disk);

    let s = Session::default();
    // An unchosen case does not open.
    assert_eq!(s.open_case(case.to_str().unwrap()).unwrap_err().code, ErrorCode::NotGranted);
    s.grant_case(&case);
    s.open_case(case.to_str().unwrap()).unwrap();

    // The case's inputs are listed, each unavailable, and none is read.
    let rows = s.sources().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.unavailable.as_ref().map(|u| u.reason) == Some(UnavailableReason::NotGranted)));
    assert!(hits(&s, "PRIVATE-TOKEN").is_empty(), "a stranger's case pulled the analyst's file into search");
    let private = disk.private().display().to_string();
    assert_eq!(s.excerpt(&private, 0, 10, 1).unwrap_err().code, ErrorCode::Input);
    assert!(s.correct_source(&private, SourceKind::Log, &ZoneSpec::Utc, &quiet).is_err());
    // Nor may a clock correction read it (and the source stays listed, its records kept).
    assert!(s.set_clock_offset(&private, "+40s", &quiet).is_err());
    assert!(s.sources().unwrap().iter().any(|r| r.summary.path == private));

    // Confirming the folder of one input makes exactly the inputs there readable, after a hash check.
    let confirmed = s.confirm_case_folder(&disk.granted()).unwrap();
    assert_eq!(confirmed.verified, 1);
    assert_eq!(confirmed.elsewhere, std::slice::from_ref(&private));
    assert_eq!(hits(&s, "timed out").len(), 1);
    assert!(hits(&s, "PRIVATE-TOKEN").is_empty());
    let rows = s.sources().unwrap();
    let by_path = |p: &str| rows.iter().find(|r| r.summary.path == p).and_then(|r| r.unavailable.clone());
    assert!(by_path(&disk.granted().join("app.log").display().to_string()).is_none());
    assert_eq!(by_path(&private).map(|u| u.reason), Some(UnavailableReason::NotGranted));
}

#[test]
fn a_confirmed_input_whose_content_changed_stays_unavailable_and_says_why() {
    let disk = Disk::new();
    let case = strangers_case(&disk);
    std::fs::write(disk.granted().join("app.log"), "2026-11-24 10:00:00,000 ERROR something else entirely\n").unwrap();
    let s = Session::default();
    s.grant_case(&case);
    s.open_case(case.to_str().unwrap()).unwrap();
    let confirmed = s.confirm_case_folder(disk.dir.path()).unwrap();
    assert_eq!(confirmed.verified, 1, "secret.log is unchanged: {confirmed:?}");
    assert_eq!(confirmed.changed.len(), 1);
    let rows = s.sources().unwrap();
    let app = rows.iter().find(|r| r.summary.path.ends_with("app.log")).unwrap();
    assert_eq!(app.unavailable.as_ref().map(|u| u.reason), Some(UnavailableReason::Changed));
    assert!(hits(&s, "something else").is_empty());
}

#[test]
fn granting_an_input_of_a_reopened_case_makes_it_readable() {
    let disk = Disk::new();
    let case = strangers_case(&disk);
    let s = Session::default();
    s.grant_case(&case);
    s.open_case(case.to_str().unwrap()).unwrap();
    s.grant_inputs(&[disk.granted()]);
    assert_eq!(hits(&s, "timed out").len(), 1);
    assert!(hits(&s, "PRIVATE-TOKEN").is_empty());
}

#[test]
fn redacted_export_says_what_it_masked() {
    let s = Session::default();
    s.open_sample(&quiet).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.html");
    s.grant_save(&plain);
    let builtin = || TemplateRequest::Builtin { name: BuiltinTemplate::Seed };
    let r = s.export(&export_request(&plain, builtin(), ReportFormat::Html, false)).unwrap();
    assert!(r.masked.is_empty());
    let plain = std::fs::read_to_string(&plain).unwrap();
    // The sample's evidence quotes a client's address.
    assert!(plain.contains("85.105.37.212"), "the unredacted export shows the address");

    let out = dir.path().join("pm.html");
    s.grant_save(&out);
    let r = s.export(&export_request(&out, builtin(), ReportFormat::Html, true)).unwrap();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(!html.contains("85.105.37.212"), "an address leaked");
    let kinds: Vec<&str> = r.masked.iter().map(|m| m.kind.as_str()).collect();
    assert!(kinds.contains(&"ip"), "{:?}", r.masked);
    assert!(r.masked.iter().all(|m| m.count > 0 && !m.label.is_empty()));
    assert!(html.contains("This report was redacted") && html.contains("Masked: "), "the report says what was masked");
}
