use super::testutil::*;
use super::*;
use crate::parallel::parse_chunked;
use faultline_model::CollectingSink;

struct StopAfter(u64, CollectingSink);
impl EventSink for StopAfter {
    fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
        self.1.record(r)?;
        Ok(self.1.records.len() < self.0 as usize)
    }
}

#[test]
fn a_sink_that_returns_false_stops_the_parse() {
    let data = "2026-11-24 08:27:01 INFO a\n2026-11-24 08:27:02 INFO b\n2026-11-24 08:27:03 INFO c\n";
    let format = detect(data.as_bytes()).unwrap();
    let mut sink = StopAfter(1, CollectingSink::default());
    let sum = parse(data.as_bytes(), &format, &opts(), &mut sink).unwrap();
    assert!(sum.stopped);
    assert_eq!(sink.1.records.len(), 1);
}

/// Records whether the parser said the sink gets the whole stream.
#[derive(Default)]
struct Whole(bool, u64);
impl EventSink for Whole {
    fn record(&mut self, _: &LogRecord<'_>) -> Result<bool, SinkError> {
        self.1 += 1;
        Ok(true)
    }
    fn whole_stream(&mut self) {
        self.0 = true;
    }
}

#[test]
fn only_a_sink_given_the_whole_stream_is_told_so() {
    // An app log is parsed in one piece: its one sink may hand records on as they come.
    let app = "2026-11-24 08:27:01 ERROR a\n".repeat(2000);
    let mut sinks = Vec::new();
    parse_chunked(
        app.as_bytes(),
        &LogFormat::from_name("app-log").unwrap(),
        &opts(),
        2,
        4096,
        (0, 0),
        Whole::default,
        |s, _| sinks.push(s),
    )
    .unwrap();
    assert_eq!(sinks.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(), vec![(true, 2000)]);
    // An access log cut into chunks: each part may still take join flags.
    let access: String = (0..2000).map(|i| format!("{}\n", access_line(i, 3, 500))).collect();
    let mut sinks = Vec::new();
    parse_chunked(
        access.as_bytes(),
        &LogFormat::from_name("nginx-combined").unwrap(),
        &opts(),
        2,
        4096,
        (0, 0),
        Whole::default,
        |s, _| sinks.push(s),
    )
    .unwrap();
    assert!(sinks.len() > 10 && sinks.iter().all(|s| !s.0), "{} parts", sinks.len());
    assert_eq!(sinks.iter().map(|s| s.1).sum::<u64>(), 2000);
}

#[test]
fn out_of_order_records_are_flagged_and_counted() {
    let data = "2026-11-24 08:27:05 INFO a\n2026-11-24 08:27:02 INFO b\n2026-11-24 08:27:06 INFO c\n";
    let (sum, sink) = run(data, "app-log", &opts());
    assert_eq!(sum.out_of_order, 1);
    assert_eq!(sink.records[1].flags & flags::OUT_OF_ORDER, flags::OUT_OF_ORDER);
    assert_eq!(sum.first, Some(utc("2026-11-24T08:27:02Z")));
    assert_eq!(sum.last, Some(utc("2026-11-24T08:27:06Z")));
    assert_eq!(sum.bytes, data.len() as u64);
}

#[test]
fn bom_and_invalid_utf8_are_tolerated() {
    let mut data = b"\xEF\xBB\xBF2026-11-24 08:27:03 ERROR caf\xE9 down\n".to_vec();
    data.extend_from_slice(b"2026-11-24 08:27:04 INFO ok\n");
    let format = detect(&data).unwrap();
    assert_eq!(format.name(), "app-log");
    let mut sink = CollectingSink::default();
    let sum = parse(&data[..], &format, &opts(), &mut sink).unwrap();
    assert_eq!(sum.records, 2);
    assert_eq!(sink.records[0].span.offset, 3);
    assert_eq!(sink.records[0].message, "café down", "a line that is not UTF-8 is read as Latin-1");
    assert_eq!(sink.records[0].time, utc("2026-11-24T08:27:03Z"));
    assert_eq!(sink.records[1].span.offset, 3 + 36);
}

#[test]
fn progress_is_reported_about_every_mebibyte() {
    struct Progress(Vec<u64>);
    impl EventSink for Progress {
        fn record(&mut self, _: &LogRecord<'_>) -> Result<bool, SinkError> {
            Ok(true)
        }
        fn progress(&mut self, bytes: u64) -> Result<bool, SinkError> {
            self.0.push(bytes);
            Ok(true)
        }
    }
    let data = "2026-11-24 08:27:03 INFO a fairly ordinary log line of some length\n".repeat(50_000);
    let mut sink = Progress(Vec::new());
    let sum = parse(data.as_bytes(), &detect(data.as_bytes()).unwrap(), &opts(), &mut sink).unwrap();
    assert_eq!(sum.records, 50_000);
    assert!(sink.0.len() >= 3 && sink.0.windows(2).all(|w| w[0] < w[1]), "{:?}", sink.0);
    assert_eq!(sink.0.last(), Some(&(data.len() as u64)));
}

/// Everything a sink sees, in order, comparable between parses.
#[derive(Default)]
struct Seen(Vec<String>);
impl EventSink for Seen {
    fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
        let status = r.http.map(|h| h.status);
        self.0.push(format!("R {} {:?} flags={} {:?} {}", r.time, r.span, r.flags, status, r.text));
        Ok(true)
    }
    fn unparsed(&mut self, u: &Unparsed<'_>) -> Result<bool, SinkError> {
        self.0.push(format!("U {} {} {} {:?}", u.line, u.offset, u.reason, u.text));
        Ok(true)
    }
}

/// Parses in chunks of `chunk` bytes on two threads; the flags a join adds
/// are applied to the chunk's first record, as the store's merge does.
fn chunked(data: &[u8], chunk: usize, opts: &LogOptions) -> (LogSummary, Vec<String>, Vec<u8>) {
    let format = LogFormat::from_name("nginx-combined").unwrap();
    let mut all = Vec::new();
    let mut joins = Vec::new();
    let sum = parse_chunked(data, &format, opts, 2, chunk, (0, 0), Seen::default, |mut s: Seen, extra| {
        joins.push(extra);
        if let Some(first) = s.0.iter_mut().find(|e| e.starts_with('R')) {
            if extra != 0 {
                let (head, tail) = first.split_once(" flags=").unwrap();
                let (n, rest) = tail.split_once(' ').unwrap();
                *first = format!("{head} flags={} {rest}", n.parse::<u8>().unwrap() | extra);
            }
        }
        all.append(&mut s.0);
    })
    .unwrap();
    (sum, all, joins)
}

fn access_line(i: u32, sec: u32, status: u16) -> String {
    format!(
        "10.0.0.{} - - [24/Nov/2026:08:27:{sec:02} +0000] \"GET /p{i} HTTP/1.1\" {status} 12 \"-\" \"ua\" 0.{i:03}",
        i % 250
    )
}

#[test]
fn a_log_parsed_in_parallel_chunks_is_exactly_the_sequential_parse() {
    let mut data = b"\xEF\xBB\xBF".to_vec();
    for i in 0..400u32 {
        // A clock that steps back now and then (out of order, also across
        // chunk joins), CRLF lines, blank and garbage lines, 5xx lines.
        let base = (i / 7) % 60;
        let sec = if i % 17 == 0 && base >= 2 { base - 2 } else { base };
        let text = match i % 37 {
            5 => "garbage that is not an access line".to_string(),
            9 => String::new(),
            _ => access_line(i, sec, if i % 11 == 0 { 503 } else { 200 }),
        };
        data.extend_from_slice(text.as_bytes());
        data.extend_from_slice(if i % 13 == 0 { b"\r\n" } else { b"\n" });
    }
    data.extend_from_slice(access_line(999, 1, 500).as_bytes()); // no final newline, out of order
    let format = LogFormat::from_name("nginx-combined").unwrap();
    let mut want = Seen::default();
    let want_sum = parse(&data[..], &format, &opts(), &mut want).unwrap();
    assert!(want_sum.out_of_order > 5 && want_sum.unparsed > 0, "{want_sum:?}");
    for chunk in [64, 300, 1000, 4096, 1 << 20] {
        let (sum, got, joins) = chunked(&data, chunk, &opts());
        assert_eq!(sum, want_sum, "summary, chunks of {chunk}");
        assert_eq!(got, want.0, "chunks of {chunk}");
        if chunk == 64 {
            assert!(joins.len() > 100 && joins.iter().any(|j| *j & flags::OUT_OF_ORDER != 0), "{joins:?}");
        }
    }
}

#[test]
fn a_read_error_mid_file_is_an_error_not_a_hang() {
    struct FailsAfter(Vec<u8>, usize);
    impl std::io::Read for FailsAfter {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.1 >= self.0.len() {
                return Err(std::io::Error::other("disk went away"));
            }
            let n = buf.len().min(self.0.len() - self.1);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    let data = format!("{}\n", access_line(1, 3, 200)).repeat(200).into_bytes();
    let format = LogFormat::from_name("nginx-combined").unwrap();
    let reader = std::io::BufReader::new(FailsAfter(data, 0));
    let result = parse_chunked(reader, &format, &opts(), 2, 256, (0, 0), Seen::default, |_, _| {});
    assert!(matches!(result, Err(LogError::Read { .. })), "{result:?}");
}

#[test]
fn a_line_longer_than_any_chunk_is_cut_like_in_a_sequential_parse() {
    let mut o = opts();
    o.max_record_bytes = 100;
    let good = format!("{}\n", access_line(1, 3, 500));
    let mut data = good.repeat(20).into_bytes();
    data.extend(std::iter::repeat_n(b'x', 5000));
    data.push(b'\n');
    data.extend_from_slice(good.repeat(20).as_bytes());
    let format = LogFormat::from_name("nginx-combined").unwrap();
    let mut want = Seen::default();
    let want_sum = parse(&data[..], &format, &o, &mut want).unwrap();
    let (sum, got, _) = chunked(&data, 64, &o);
    assert_eq!((sum, got), (want_sum, want.0));
}

/// Records (with their offsets, line numbers and flags) in `[from, to]`.
fn in_window(seen: &[String], from: Instant, to: Instant) -> Vec<String> {
    seen.iter()
        .filter(|e| {
            // `R 2026-11-24 03:10:00 UTC Span …`
            let Some(time) = e.strip_prefix("R ").and_then(|r| r.split(" UTC").next()) else { return false };
            let t = chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S").unwrap().and_utc();
            t >= from && t <= to
        })
        .cloned()
        .collect()
}

/// [`Seen`] that stops at the first record later than `end`.
struct Until(Instant, Seen);
impl EventSink for Until {
    fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
        if r.time > self.0 {
            return Ok(false);
        }
        self.1.record(r)
    }
    fn unparsed(&mut self, u: &Unparsed<'_>) -> Result<bool, SinkError> {
        self.1.unparsed(u)
    }
}

#[test]
fn a_window_read_from_the_searched_offset_is_exactly_the_full_parse_of_that_window() {
    // Six hours, a line every 2-3 s, with garbage and blank lines, CRLF
    // lines and small steps back in time (within the slack).
    let mut data = Vec::new();
    let start = utc("2026-11-24T00:00:00Z");
    let mut t = start;
    for i in 0..9000u32 {
        t += chrono::Duration::seconds(if i % 2 == 0 { 2 } else { 3 });
        let shown = if i % 29 == 0 { t - chrono::Duration::seconds(40) } else { t };
        let stamp = shown.format("%d/%b/%Y:%H:%M:%S +0000");
        let line = match i % 41 {
            7 => "garbage that is not an access line".to_string(),
            19 => String::new(),
            _ => format!(
                "10.0.0.{} - - [{stamp}] \"GET /p{i} HTTP/1.1\" {} 12 \"-\" \"ua\" 0.012",
                i % 250,
                if i % 13 == 0 { 503 } else { 200 }
            ),
        };
        data.extend_from_slice(line.as_bytes());
        data.extend_from_slice(if i % 17 == 0 { b"\r\n" } else { b"\n" });
    }
    let format = LogFormat::from_name("nginx-combined").unwrap();
    let mut whole = Seen::default();
    parse(&data[..], &format, &opts(), &mut whole).unwrap();
    let slack = chrono::Duration::minutes(5);
    for (from, to) in [
        ("2026-11-24T03:10:00Z", "2026-11-24T03:20:00Z"),
        ("2026-11-24T00:00:30Z", "2026-11-24T00:04:00Z"),
        ("2026-11-24T06:10:00Z", "2026-11-24T09:00:00Z"),
    ] {
        let (from, to) = (utc(from), utc(to));
        let want = in_window(&whole.0, from, to);
        assert!(!want.is_empty(), "{from}: the window has records");
        let (offset, lines) =
            window_start(&mut std::io::Cursor::new(&data), &format, &opts(), from, slack).unwrap().expect("searchable");
        assert_eq!(lines as usize, memchr::memchr_iter(b'\n', &data[..offset as usize]).count());
        assert!(offset == 0 || data[offset as usize - 1] == b'\n', "a line start");
        if from > start + chrono::Duration::minutes(30) {
            assert!(offset > data.len() as u64 / 4, "{from}: the search skipped the early part ({offset})");
        }
        // The public parallel reader, and tiny chunks of the same machinery.
        for chunk in [None, Some(300), Some(4096)] {
            let mut got = Vec::new();
            let rest = &data[offset as usize..];
            // The flags a join adds go to the chunk's first record, as the store's merge does.
            let merge = |mut s: Until, extra: u8| {
                if let Some(first) = s.1 .0.iter_mut().find(|e| e.starts_with('R')).filter(|_| extra != 0) {
                    let (head, tail) = first.split_once(" flags=").unwrap();
                    let (n, rest) = tail.split_once(' ').unwrap();
                    *first = format!("{head} flags={} {rest}", n.parse::<u8>().unwrap() | extra);
                }
                got.extend(s.1 .0)
            };
            let new = || Until(to + slack, Seen::default());
            let sum = match chunk {
                None => parse_range(rest, &format, &opts(), 2, offset, lines, new, merge).unwrap(),
                Some(c) => parse_chunked(rest, &format, &opts(), 2, c, (offset, lines), new, merge).unwrap(),
            };
            let got_window = in_window(&got, from, to);
            let first_diff = got_window.iter().zip(&want).position(|(a, b)| a != b);
            assert!(
                got_window.len() == want.len() && first_diff.is_none(),
                "{from}..{to}, chunks {chunk:?}: {} vs {} records, first difference {:?}",
                got_window.len(),
                want.len(),
                first_diff.map(|i| (&got_window[i], &want[i]))
            );
            assert!(got.len() < whole.0.len() / 2, "only the window was read");
            if to < start + chrono::Duration::hours(5) {
                assert!(sum.stopped, "stopped after the window");
            }
        }
    }
    // A file whose times are not in order cannot be searched.
    let mut shuffled = data.clone();
    let half = shuffled.len() / 2;
    let cut = half + memchr::memchr(b'\n', &shuffled[half..]).unwrap() + 1;
    shuffled.rotate_left(cut);
    assert_eq!(
        window_start(&mut std::io::Cursor::new(&shuffled), &format, &opts(), utc("2026-11-24T04:00:00Z"), slack)
            .unwrap(),
        None
    );
}

#[test]
fn every_native_format_reads_its_listed_line() {
    for (name, line) in NATIVE_FORMATS {
        let data = match *name {
            "w3c" => format!("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n{line}\n"),
            _ => format!("{line}\n"),
        };
        let found = detect_with(builtin(), data.as_bytes()).unwrap_or_else(|| panic!("{name}: not detected"));
        assert_eq!(found.name(), *name);
        let (sum, _) = parse_str(&data, &found, &opts());
        assert_eq!((sum.records, sum.unparsed), (1, 0), "{name}");
    }
}

#[test]
fn every_format_name_round_trips() {
    for name in [
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
        "w3c",
        "haproxy_log",
    ] {
        assert_eq!(LogFormat::from_name(name).unwrap().name(), name);
    }
    assert!(LogFormat::from_name("csv").is_none());
}

#[test]
fn a_truncated_gzip_stream_keeps_what_inflated() {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all("2026-11-24 08:27:01 INFO a\n".repeat(1000).as_bytes()).unwrap();
    let mut gz = enc.finish().unwrap();
    gz.truncate(gz.len() / 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.gz");
    std::fs::write(&path, gz).unwrap();
    let reader = open(&path).unwrap();
    let mut sink = CollectingSink::default();
    // The engine reports the cut through `StreamStatus`; the parse keeps every whole line before it.
    let sum = parse(reader, &LogFormat::from_name("app-log").unwrap(), &opts(), &mut sink).unwrap();
    assert!(sum.records > 0 && sum.records < 1000, "{sum:?}");
    assert_eq!(sum.records as usize, sink.records.len());
}
