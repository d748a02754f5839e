//! Logs from the worst places, through the real `faultline` binary: nothing
//! panics or hangs, memory stays bounded, every readable line is kept and
//! counted exactly, unparsed lines stay searchable, and problems name the file.

use crate::{faultline, git, inspect, ok, source, write};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_faultline")
}

/// `inspect --format json` with its problems.
fn inspect_all(paths: &[&Path], extra: &[&str], cache: &Path) -> (Vec<Value>, Vec<String>) {
    let mut args = vec!["inspect", "--format", "json", "--quiet"];
    let owned: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(owned.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let json: Value = serde_json::from_str(&ok(&args, cache)).expect("inspect prints JSON");
    let problems = json["problems"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    (json["sources"].as_array().unwrap().clone(), problems)
}

fn counts(s: &Value) -> (u64, u64) {
    (s["records"].as_u64().unwrap(), s["unparsed"].as_u64().unwrap())
}

fn notes(s: &Value) -> String {
    s["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect::<Vec<_>>().join("\n")
}

/// `faultline search` text output lines.
fn search(pattern: &str, path: &Path, cache: &Path) -> Vec<String> {
    search_in("UTC", pattern, path, cache)
}

fn search_in(tz: &str, pattern: &str, path: &Path, cache: &Path) -> Vec<String> {
    let out = faultline(&["search", "--tz", tz, "-F", pattern, path.to_str().unwrap()], cache);
    assert!(out.status.code() == Some(0) || out.status.code() == Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// Runs `faultline args` under `/usr/bin/time -f %M`: (output, peak RSS in KiB, seconds).
fn measured(args: &[&str], cache: &Path) -> (std::process::Output, u64, f64) {
    let started = Instant::now();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f").arg("maxrss=%M").arg(bin()).args(args).env("XDG_CACHE_HOME", cache).env("TZ", "UTC");
    let out = crate::output_or_hang(cmd);
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kib = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("maxrss="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no maxrss in {stderr}"));
    (out, kib, secs)
}

const GIB_IN_KIB: u64 = 1 << 20;

#[test]
fn empty_and_binary_files_are_counted_and_binary_lines_stay_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.log", "");
    let mut bytes = Vec::new();
    for i in 0..50u32 {
        bytes.extend_from_slice(&[0, 1, 2, 0xFF, 0xFE, 0, 0x80]);
        bytes.extend_from_slice(&[i as u8 | 0x80, 0x7F]);
        if i == 20 {
            bytes.extend_from_slice(b"MARKER-in-the-core-dump");
        }
        bytes.push(b'\n');
    }
    let core = write(dir.path(), "core.bin", &bytes);
    let cache = tempfile::tempdir().unwrap();
    let (sources, problems) = inspect_all(&[&empty, &core], &[], cache.path());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(counts(source(&sources, "empty.log")), (0, 0));
    let core_src = source(&sources, "core.bin");
    assert_eq!(core_src["format"], "binary");
    assert_eq!(counts(core_src), (0, 50), "every line of a binary file is counted unparsed");
    let hits = search("MARKER-in-the-core-dump", &core, cache.path());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains("core.bin:21:"), "{hits:?}");
}

#[test]
fn a_50_mb_line_is_cut_counted_and_the_lines_around_it_are_kept_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.log");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..100 {
            writeln!(f, "2026-11-24 08:27:{:02} INFO before {i}", i % 60).unwrap();
        }
        f.write_all(b"2026-11-24 08:28:00 ERROR giant payload ").unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..50 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\n").unwrap();
        for i in 0..100 {
            writeln!(f, "2026-11-24 08:29:{:02} INFO after-{i}", i % 60).unwrap();
        }
    }
    let cache = tempfile::tempdir().unwrap();
    let (out, kib, secs) =
        measured(&["inspect", "--format", "json", "--quiet", "--tz", "UTC", path.to_str().unwrap()], cache.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("50 MB line: peak RSS {kib} KiB, {secs:.2} s");
    assert!(kib < GIB_IN_KIB, "peak RSS {kib} KiB");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &json["sources"][0];
    assert_eq!(counts(s), (201, 0));
    assert!(notes(s).contains("1 records longer than 1 MiB were truncated"), "{}", notes(s));
    assert_eq!(s["last"], "2026-11-24T08:29:59Z", "the lines after the giant one are read");
    let hits = search("after-99", &path, cache.path());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].starts_with(&format!("{}:201:", path.display())), "{hits:?}");
}

#[test]
fn utf16_with_a_bom_and_latin1_are_decoded_not_mangled() {
    let dir = tempfile::tempdir().unwrap();
    let text = "2026-11-24 08:27:01 INFO héllo\r\n2026-11-24 08:27:02 ERROR wörld ünavailable\r\n";
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    let le = write(dir.path(), "service-le.log", le);
    let be = write(dir.path(), "service-be.log", be);
    let latin1 = write(
        dir.path(),
        "latin1.log",
        b"2026-11-24 08:27:01 INFO caf\xE9 ouvert\n2026-11-24 08:27:02 ERROR na\xEFve \xE9chec\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[&le, &be, &latin1], &["--tz", "UTC"], cache.path());
    for name in ["service-le.log", "service-be.log", "latin1.log"] {
        let s = source(&sources, name);
        assert_eq!(s["format"], "app-log", "{name}: {s}");
        assert_eq!(counts(s), (2, 0), "{name}");
        assert_eq!(s["first"], "2026-11-24T08:27:01Z", "{name}");
        assert_eq!(s["last"], "2026-11-24T08:27:02Z", "{name}");
    }
    for path in [&le, &be] {
        let hits = search("wörld", path, cache.path());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].contains(":2:2026-11-24T08:27:02Z: 2026-11-24 08:27:02 ERROR wörld ünavailable"), "{hits:?}");
    }
    let hits = search("na", &latin1, cache.path());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].ends_with("ERROR naïve échec"), "Latin-1 read as Latin-1, not U+FFFD: {hits:?}");
    // Typed as the analyst sees it, the accented word finds the Latin-1 bytes.
    let hits = search("échec", &latin1, cache.path());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains(":2:2026-11-24T08:27:02Z: 2026-11-24 08:27:02 ERROR naïve échec"), "{hits:?}");
}

/// Excel's "Unicode Text" export is tab-separated UTF-16 with a BOM; some
/// ticket and deploy tools export CSV that way too. Both are read as the
/// exports they are, with their accents, not as unrecognized logs.
#[test]
fn utf16_csv_exports_are_read_as_exports() {
    let dir = tempfile::tempdir().unwrap();
    let utf16le = |text: &str| {
        let mut out = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    };
    let tickets = write(
        dir.path(),
        "tickets.txt",
        utf16le("Id\tRequester\tSubject\tDescription\tCreated at\r\n4711\tMaría López\tCheckout fällt aus\tPay shows an error\t2026-11-24 08:22:10\r\n4712\tTom\tCan't pay\t\t2026-11-24 08:24:00\r\n"),
    );
    let deploys = write(
        dir.path(),
        "deploys.csv",
        utf16le("deployed_at,service,deploy_id,author,message\r\n2026-11-24T08:20:00Z,checkout,d-981,José,raise pool size\r\n"),
    );
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[&tickets, &deploys], &["--tz", "UTC"], cache.path());
    let t = source(&sources, "tickets.txt");
    assert_eq!((t["kind"].as_str(), t["format"].as_str()), (Some("support"), Some("tickets-csv")), "{t}");
    assert_eq!(counts(t), (2, 0), "{t}");
    assert_eq!(t["first"], "2026-11-24T08:22:10Z");
    let d = source(&sources, "deploys.csv");
    assert_eq!((d["kind"].as_str(), d["format"].as_str()), (Some("deploys"), Some("deploys-csv")), "{d}");
    assert_eq!(counts(d), (1, 0), "{d}");
    // The text arrives intact, accents and all, and the raw lines are searchable with the record's instant.
    let hits = search("fällt", &tickets, cache.path());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains("4711\tMaría López\tCheckout fällt aus"), "{hits:?}");
    let timeline =
        ok(&["analyze", "--quiet", "--tz", "UTC", "--format", "csv", deploys.to_str().unwrap()], cache.path());
    assert!(timeline.contains("d-981 raise pool size"), "{timeline}");
}

#[test]
fn crlf_line_ends_are_not_part_of_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "win.log",
        "2026-11-24 08:27:01 INFO start\r\n2026-11-24 08:27:02 ERROR boom\r\n2026-11-24 08:27:03 INFO end\r\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[&p], &["--tz", "UTC"], cache.path());
    assert_eq!(counts(&sources[0]), (3, 0));
    assert_eq!(sources[0]["last"], "2026-11-24T08:27:03Z");
    let hits = search("boom", &p, cache.path());
    assert_eq!(hits, vec![format!("{}:2:2026-11-24T08:27:02Z: 2026-11-24 08:27:02 ERROR boom", p.display())]);
}

#[test]
fn malformed_json_lines_are_each_counted_unparsed_and_stay_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "app.jsonl",
        concat!(
            "{\"ts\":\"2026-11-24T08:27:01Z\",\"level\":\"info\",\"msg\":\"a\"}\n",
            "{\"ts\":\"2026-11-24T08:27:02Z\",\"level\":\"error\",\"msg\":\"b\"\n",
            "not json at all: BROKEN-ONE\n",
            "{\"ts\":\"2026-11-24T08:27:03Z\",\"level\":\"info\",\"msg\":\"c\"}\n",
            "{\"ts\": [1,2,\n",
            "{\"ts\":\"2026-11-24T08:27:04Z\",\"level\":\"info\",\"msg\":\"d\"}\n",
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[&p], &["--tz", "UTC"], cache.path());
    assert_eq!(sources[0]["format"], "json-lines");
    assert_eq!(counts(&sources[0]), (3, 3));
    let hits = search("BROKEN-ONE", &p, cache.path());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains("app.jsonl:3:"), "{hits:?}");
}

#[test]
fn a_csv_with_ragged_rows_and_an_unterminated_quote_keeps_every_row_it_can() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "tickets.csv",
        concat!(
            "Ticket ID,Created at,Requester,Channel,Subject,Description,Status\n",
            "101,2026-11-17 11:29:10 +0300,reader42,twitter,Login broken,Getting a 500,open\n",
            "102,2026-11-17 11:30:10 +0300,bob\n",
            "103,2026-11-17 11:31:10 +0300,carol,email,x,y,open,extra,fields\n",
            "104,2026-11-17 11:32:10 +0300,dan,email,\"UNCLOSED quote,never closed,open\n",
            "105,2026-11-17 11:33:10 +0300,eve,email,z,w,open\n",
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let (sources, problems) = inspect_all(&[&p], &["--tz", "UTC"], cache.path());
    assert!(problems.is_empty(), "{problems:?}");
    let s = source(&sources, "tickets.csv");
    assert_eq!(s["format"], "tickets-csv");
    assert_eq!(counts(s), (3, 2), "three rows read; the unclosed line and the one after it unparsed: {s}");
    assert_eq!(s["first"], "2026-11-17T08:29:10Z");
    let hits = search("UNCLOSED", &p, cache.path());
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn out_of_order_times_and_a_one_line_clock_jump_are_kept_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "skew.log",
        "2026-11-24 08:27:05 INFO a\n2026-11-24 08:27:02 INFO b\n2027-11-24 08:27:06 ERROR clock jumped\n2026-11-24 08:27:07 INFO c\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[&p], &["--tz", "UTC"], cache.path());
    let s = &sources[0];
    assert_eq!(counts(s), (4, 0));
    assert_eq!(s["first"], "2026-11-24T08:27:02Z");
    assert_eq!(s["last"], "2027-11-24T08:27:06Z", "the jumped line is kept as written");
    assert!(notes(s).contains("2 records are earlier than the record before them"), "{}", notes(s));
}

#[test]
fn dst_gaps_and_overlaps_in_europe_berlin_are_resolved_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "dst.log",
        // 2026-03-29 02:30 does not exist in Berlin; 2026-10-25 02:30 happens twice.
        "2026-03-29 01:30:00 INFO before the gap\n2026-03-29 02:30:00 INFO in the gap\n2026-10-25 02:30:00 INFO in the overlap\n2026-10-25 03:30:00 INFO after\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[&p], &["--tz", "Europe/Berlin"], cache.path());
    let s = &sources[0];
    assert_eq!(counts(s), (4, 0));
    assert_eq!(s["tz"], "Europe/Berlin");
    assert_eq!(s["first"], "2026-03-29T00:30:00Z", "01:30 CET");
    assert!(
        notes(s).contains("1 times fell in a DST gap (moved forward) and 1 were ambiguous (earlier instant taken)"),
        "{}",
        notes(s)
    );
    // The gap time moves forward by the gap (03:30 CEST = 01:30Z); the overlap takes the earlier (CEST) instant.
    let hits = search_in("Europe/Berlin", "in the", &p, cache.path());
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(hits[0].contains(":2026-03-29T01:30:00Z:"), "{hits:?}");
    assert!(hits[1].contains(":2026-10-25T00:30:00Z:"), "{hits:?}");
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn a_truncated_gz_keeps_what_decompressed_names_the_file_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let text: String =
        (0..20_000).map(|i| format!("2026-11-24 08:{:02}:{:02} INFO request {i}\n", (i / 60) % 60, i % 60)).collect();
    let full = gz(text.as_bytes());
    let cut = write(dir.path(), "old.log.gz", &full[..full.len() / 2]);
    let good = write(dir.path(), "other.log", "2026-11-24 09:00:00 ERROR other file\n");
    let cache = tempfile::tempdir().unwrap();
    let out = faultline(
        &["inspect", "--format", "json", "--tz", "UTC", cut.to_str().unwrap(), good.to_str().unwrap()],
        cache.path(),
    );
    assert!(out.status.success(), "a truncated .gz is not an abort: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("old.log.gz") && stderr.contains("truncated"), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources = json["sources"].as_array().unwrap();
    let s = source(sources, "old.log.gz");
    let (records, unparsed) = counts(s);
    assert!(records > 1000 && records < 20_000, "{s}");
    assert!(unparsed <= 1, "at most the line cut in half: {s}");
    assert!(notes(s).contains("truncated"), "{}", notes(s));
    assert_eq!(counts(source(sources, "other.log")), (1, 0));
}

#[test]
fn a_gzip_bomb_is_stopped_in_bounded_memory_and_time_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    // 3 GiB of zeros in ~3 MB: 48 gzip members of 64 MiB each (members concatenate).
    let member = {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).unwrap();
        }
        enc.finish().unwrap()
    };
    let bomb: Vec<u8> = member.iter().copied().cycle().take(member.len() * 48).collect();
    assert!(bomb.len() < 4 << 20);
    let p = write(dir.path(), "bomb.log.gz", &bomb);
    let cache = tempfile::tempdir().unwrap();
    let (out, kib, secs) = measured(&["inspect", "--format", "json", p.to_str().unwrap()], cache.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("gzip bomb: peak RSS {kib} KiB, {secs:.2} s");
    assert!(kib < GIB_IN_KIB, "peak RSS {kib} KiB");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bomb.log.gz") && stderr.contains("gzip bomb"), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &json["sources"][0];
    assert_eq!(s["format"], "binary", "zero-filled content is binary");
    assert_eq!(counts(s), (0, 1), "one (capped) line of zeros, counted unparsed");
    assert_eq!(s["bytes"], bomb.len() as u64);
    // Search is bounded the same way.
    let (out, kib, _) = measured(&["search", "-F", "needle", p.to_str().unwrap()], cache.path());
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(kib < GIB_IN_KIB, "search peak RSS {kib} KiB");
}

#[test]
fn a_folder_of_traps_reads_what_it_can_and_names_the_rest() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "name with spaces é ü.log", "2026-11-24 08:27:01 ERROR spaced out\n");
    write(d, "日本語/ログ.log", "2026-11-24 08:27:02 INFO 日本語のメッセージ\n");
    symlink(d.join("loop-a"), d.join("loop-b")).unwrap();
    symlink(d.join("loop-b"), d.join("loop-a")).unwrap();
    symlink(d.join("gone.log"), d.join("dangling.log")).unwrap();
    symlink(d, d.join("sub-loop")).unwrap();
    // Tests run as root, and chmod 000 does not stop root: a FIFO stands in for
    // the file that cannot be read (opening it would block forever).
    let fifo = d.join("pipe.log");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // A git repository whose objects are garbage.
    let repo = d.join("config-repo");
    write(&repo, "app.conf", "x=1\n");
    let date = "2026-11-24T08:00:00Z";
    git(&repo, &["init", "-q"], date);
    git(&repo, &["add", "."], date);
    git(&repo, &["commit", "-qm", "push config"], date);
    for entry in walkdir(&repo.join(".git/objects")) {
        std::fs::write(&entry, b"garbage").unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    // A FIFO opened for reading blocks forever: `faultline` fails this test as hung (HUNG_AFTER) if it opens one.
    let (sources, problems) = inspect_all(&[d], &["--tz", "UTC"], cache.path());
    assert_eq!(counts(source(&sources, "name with spaces é ü.log")), (1, 0));
    assert_eq!(counts(source(&sources, "ログ.log")), (1, 0));
    let all = problems.join("\n");
    for named in ["loop-a", "loop-b", "dangling.log", "pipe.log", "config-repo", "sub-loop"] {
        assert!(all.contains(named), "{named} not named in:\n{all}");
    }
    // A corrupt repository is a change source that could not be read: kept empty, and said so.
    let repo_source = source(&sources, "config-repo");
    assert_eq!(counts(repo_source), (0, 0));
    assert!(notes(repo_source).contains("unreadable: "), "{}", notes(repo_source));
    let spaced = d.join("name with spaces é ü.log");
    let hits = search("spaced", &spaced, cache.path());
    assert_eq!(
        hits,
        vec![format!("{}:1:2026-11-24T08:27:01Z: 2026-11-24 08:27:01 ERROR spaced out", spaced.display())]
    );
    // A FIFO given by name is refused, not opened.
    let out = faultline(&["inspect", "--format", "json", fifo.to_str().unwrap()], cache.path());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pipe.log: not a regular file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_file_growing_or_truncated_while_read_is_read_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    let line = "2026-11-24 08:27:03 INFO a line of an ordinary busy log that keeps growing\n";
    let initial = 400_000u64;
    let grow = dir.path().join("grow.log");
    std::fs::write(&grow, line.repeat(initial as usize)).unwrap();
    let writer = {
        let grow = grow.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().append(true).open(&grow).unwrap();
            for _ in 0..200 {
                f.write_all(line.repeat(500).as_bytes()).unwrap();
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let cache = tempfile::tempdir().unwrap();
    let sources = inspect(&[&grow], &["--tz", "UTC"], cache.path());
    writer.join().unwrap();
    let (records, unparsed) = counts(&sources[0]);
    assert!(records >= initial && records <= initial + 100_000, "{records}");
    assert!(unparsed <= 1, "at most a line caught half-written: {unparsed}");

    let shrink = dir.path().join("shrink.log");
    std::fs::write(&shrink, line.repeat(initial as usize)).unwrap();
    let truncator = {
        let shrink = shrink.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            std::fs::OpenOptions::new().write(true).open(&shrink).unwrap().set_len(1000).unwrap();
        })
    };
    let out = faultline(&["inspect", "--format", "json", "--tz", "UTC", shrink.to_str().unwrap()], cache.path());
    truncator.join().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (records, _) = counts(&json["sources"][0]);
    assert!(records <= initial, "{records}");
}

/// 200 MB of error lines: an ingest long enough to be interrupted.
fn big_error_log(dir: &Path) -> std::path::PathBuf {
    let big = dir.join("big.log");
    let line =
        "2026-11-24 08:27:03,120 ERROR [app.views] request failed for user 12345 on /api/v1/items with status 500\n";
    let block = line.repeat(10_000);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    while f.get_ref().metadata().unwrap().len() < 200 << 20 {
        f.write_all(block.as_bytes()).unwrap();
        f.flush().unwrap();
    }
    big
}

#[test]
fn a_case_killed_mid_ingest_opens_and_says_which_source_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_error_log(dir.path());
    let case = dir.path().join("incident.faultline");
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin())
        .args(["analyze", "--case", case.to_str().unwrap(), "--tz", "UTC", "--format", "json", big.to_str().unwrap()])
        .env("XDG_CACHE_HOME", cache.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once it has written part of the source (the first batches of
    // records reach the case's write-ahead log), however slow the machine is.
    let wal = dir.path().join("incident.faultline-wal");
    let written = || std::fs::metadata(&wal).is_ok_and(|m| m.len() > 256 * 1024);
    while !written() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ingest of 200 MB ended before it could be killed: make the file bigger"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let out = faultline(&["analyze", "--case", case.to_str().unwrap(), "--format", "json"], cache.path());
    assert!(out.status.success(), "the case opens: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "source {} is incomplete (ingest was interrupted); re-run to read it again",
            big.display()
        )),
        "{stderr}"
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = source(json["sources"].as_array().unwrap(), "big.log");
    assert_eq!(s["complete"], false, "{s}");
    // (Re-running with the input reads it again: an incomplete source is never
    // reused — see the engine's reuse rule; not repeated here, a 200 MB debug
    // ingest takes a minute.)
}

/// The JSON export says per source whether its reading finished, so a
/// reader of the JSON alone knows which evidence is a part.
#[test]
fn the_json_export_says_which_source_was_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.log", "2026-11-24 08:27:01 INFO one\n2026-11-24 08:27:02 ERROR two\n");
    let b = write(dir.path(), "b.log", "2026-11-24 08:27:03 INFO three\n2026-11-24 08:27:04 ERROR four\n");
    let case = dir.path().join("incident.faultline");
    let case_s = case.to_str().unwrap();
    let args = ["analyze", "--case", case_s, "--tz", "UTC", "--format", "json"];
    let first: Value =
        serde_json::from_str(&ok(&[&args[..], &[a.to_str().unwrap(), b.to_str().unwrap()]].concat(), cache.path()))
            .unwrap();
    for s in first["sources"].as_array().unwrap() {
        assert_eq!(s["complete"], true, "{s}");
    }
    // As a kill mid-ingest leaves it: b's row begun, never finished.
    let conn = rusqlite::Connection::open(&case).unwrap();
    conn.execute("UPDATE sources SET complete = 0 WHERE path = ?", [b.to_str().unwrap()]).unwrap();
    drop(conn);

    let out = faultline(&args, cache.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("source {} is incomplete", b.display())), "{stderr}");
    assert!(!stderr.contains(&format!("source {} is incomplete", a.display())), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources = json["sources"].as_array().unwrap();
    assert_eq!(source(sources, "b.log")["complete"], false, "{json:#}");
    assert_eq!(source(sources, "a.log")["complete"], true, "{json:#}");
    assert_eq!(json["partial"], true, "{json:#}");
}

/// Ctrl-C mid-ingest: a run without `--case` keeps its case in a temporary
/// file (a copy of what it read from the logs); the signal must not leave it.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_case_behind() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_error_log(dir.path());
    let tmp = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin())
        .args(["analyze", "--tz", "UTC", "--format", "json", big.to_str().unwrap()])
        .env("XDG_CACHE_HOME", cache.path())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let cases = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("faultline-case-"))
            .count()
    };
    while cases() == 0 {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before its case was seen");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(cases(), 1, "the run keeps its case in the temporary folder");
    std::thread::sleep(Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "ingest of 200 MB finished early: make the file bigger");
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "ended by Ctrl-C's signal: {status:?}");
    assert_eq!(cases(), 0, "the temporary case was deleted");
}

#[test]
fn a_repository_read_for_another_look_back_is_not_flagged_as_changed_until_its_head_moves() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("configs");
    write(&repo, "config/auth.py", "BACKEND = 'v1'\n");
    git(&repo, &["init", "-q"], "2026-11-24T06:00:00Z");
    git(&repo, &["add", "."], "2026-11-24T06:00:00Z");
    git(&repo, &["commit", "-q", "-m", "Auth v1"], "2026-11-24T06:00:00Z");
    write(&repo, "config/auth.py", "BACKEND = 'v2'\n");
    git(&repo, &["commit", "-qam", "Auth v2"], "2026-11-24T08:20:00Z");
    let log = write(dir.path(), "app.log", "2026-11-24 08:27:01 INFO one\n2026-11-24 08:27:02 ERROR two\n");
    let case = dir.path().join("c.faultline");
    let cache = tempfile::tempdir().unwrap();
    let run = |lookback: &str| {
        let args = [
            "analyze",
            "--case",
            case.to_str().unwrap(),
            "--tz",
            "UTC",
            "--format",
            "json",
            "--lookback",
            lookback,
            repo.to_str().unwrap(),
            log.to_str().unwrap(),
        ];
        let out = faultline(&args, cache.path());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            String::from_utf8_lossy(&out.stderr).into_owned(),
            source(json["sources"].as_array().unwrap(), "configs")["records"].as_u64(),
        )
    };
    assert_eq!(run("24h").1, Some(2));
    // A shorter look-back reads fewer commits of the same history: nothing changed.
    let (stderr, records) = run("1h");
    assert_eq!(records, Some(1));
    assert!(!stderr.contains("changed") && !stderr.contains("moved"), "{stderr}");
    write(&repo, "config/auth.py", "BACKEND = 'v3'\n");
    git(&repo, &["commit", "-qam", "Auth v3"], "2026-11-24T08:25:00Z");
    let (stderr, records) = run("1h");
    assert_eq!(records, Some(2));
    assert!(stderr.contains("configs: HEAD moved since it was last read"), "{stderr}");
}

#[test]
fn a_changed_input_is_read_again_and_flagged_never_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "app.log", "2026-11-24 08:27:01 INFO one\n2026-11-24 08:27:02 ERROR two\n");
    let case = dir.path().join("c.faultline");
    let cache = tempfile::tempdir().unwrap();
    let args = ["analyze", "--case", case.to_str().unwrap(), "--tz", "UTC", "--format", "json", p.to_str().unwrap()];
    let first: Value = serde_json::from_str(&ok(&args, cache.path())).unwrap();
    let sha1 = first["sources"][0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(first["sources"][0]["records"], 2);

    // Unchanged: reused, no warning.
    let out = faultline(&args, cache.path());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("changed"));

    std::fs::write(
        &p,
        "2026-11-24 09:00:01 INFO rewritten\n2026-11-24 09:00:02 INFO by log rotation\n2026-11-24 09:00:03 ERROR new\n",
    )
    .unwrap();
    let out = faultline(&args, cache.path());
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("app.log: content changed since it was last read"), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &json["sources"][0];
    assert_ne!(s["sha256"].as_str().unwrap(), sha1);
    assert_eq!(s["records"], 3, "the old records are replaced, not mixed in");
    assert_eq!(s["first"], "2026-11-24T09:00:01Z");
    assert!(notes(s).contains("content changed"), "{}", notes(s));
}
