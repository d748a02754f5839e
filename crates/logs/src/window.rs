//! Finding where a `--from/--to` read of a time-ordered log starts: a binary
//! search over byte offsets that parses a few lines at each probe.

use crate::{parse_from, Decoded, LogError, LogFormat, LogOptions};
use faultline_model::{EventSink, Instant, LogRecord, SinkError};

/// Bytes read at each probe of [`window_start`]: enough for a few hundred
/// access-log lines, so a probe nearly always finds a record.
const PROBE_BYTES: usize = 64 * 1024;

/// The offset of the first line starting at or after `at`, and the time of
/// the first record among the complete lines from there (`None` when the
/// probed bytes hold no record, or no line starts in them).
fn probe<R: std::io::Read + std::io::Seek>(
    file: &mut R,
    at: u64,
    size: u64,
    format: &LogFormat,
    opts: &LogOptions,
    buf: &mut Vec<u8>,
) -> Result<Option<(u64, Option<Instant>)>, LogError> {
    use std::io::{Read, SeekFrom};
    /// Keeps the first record's time and stops.
    struct First(Option<Instant>);
    impl EventSink for First {
        fn record(&mut self, r: &LogRecord<'_>) -> Result<bool, SinkError> {
            self.0 = Some(r.time);
            Ok(false)
        }
    }
    let read_err = |source| LogError::Read { line: 0, source };
    // Start one byte early: a line starts at `at` when the byte before it is a newline.
    let from = at.saturating_sub(1);
    file.seek(SeekFrom::Start(from)).map_err(read_err)?;
    buf.clear();
    file.by_ref().take(PROBE_BYTES as u64).read_to_end(buf).map_err(read_err)?;
    let skip = if at == 0 {
        0
    } else {
        match memchr::memchr(b'\n', buf) {
            Some(i) => i + 1,
            None => return Ok(None),
        }
    };
    let line_start = from + skip as u64;
    let at_end = from + buf.len() as u64 >= size;
    // Only whole lines: a line cut by the probe's end could read as another time.
    let end = if at_end { buf.len() } else { memchr::memrchr(b'\n', buf).map_or(skip, |i| i + 1).max(skip) };
    let mut first = First(None);
    let bytes = buf.get(skip..end).unwrap_or_default();
    parse_from(Decoded::Plain(bytes), format, opts, &mut first, line_start, 0)?;
    Ok(Some((line_start, first.0)))
}

/// Where to start reading a plain (not compressed, not UTF-16) log whose
/// records are in time order give or take `slack`, so that every record at
/// or after `from` is read: the byte offset of a line whose first record is
/// earlier than `from - slack` (or 0), found by a binary search over byte
/// offsets that parses a few lines at each probe, and the number of lines
/// before it (a newline count of the bytes before it). Every record before
/// that line is then earlier than `from`, as long as the file is in order
/// within `slack`.
///
/// `None` when the file cannot be searched this way: a probe found no record,
/// or the probes' times are not in order within `slack` (the caller reads
/// the whole file instead).
pub fn window_start<R: std::io::Read + std::io::Seek>(
    file: &mut R,
    format: &LogFormat,
    opts: &LogOptions,
    from: Instant,
    slack: chrono::Duration,
) -> Result<Option<(u64, u64)>, LogError> {
    use std::io::SeekFrom;
    let read_err = |source| LogError::Read { line: 0, source };
    let size = file.seek(SeekFrom::End(0)).map_err(read_err)?;
    let target = from - slack;
    let mut buf = Vec::with_capacity(PROBE_BYTES);
    // Probes seen, as (line start, record time): checked for order at the end.
    let mut seen = Vec::new();
    for at in [0, size.saturating_sub(PROBE_BYTES as u64)] {
        match probe(file, at, size, format, opts, &mut buf)? {
            Some((start, Some(t))) => seen.push((start, t)),
            _ => return Ok(None),
        }
    }
    let (mut lo, mut hi) = (0u64, size);
    if seen.first().is_some_and(|&(_, t)| t >= target) {
        hi = 0;
    }
    // Down to the line: each probe is one seek and a small read.
    while hi.saturating_sub(lo) > 1 {
        let mid = lo + (hi - lo) / 2;
        match probe(file, mid, size, format, opts, &mut buf)? {
            Some((start, Some(t))) => {
                seen.push((start, t));
                if start < hi && t < target {
                    lo = start;
                } else {
                    hi = mid;
                }
            }
            _ => return Ok(None),
        }
    }
    seen.sort_by_key(|&(start, _)| start);
    let mut latest: Option<Instant> = None;
    for &(_, t) in &seen {
        if latest.is_some_and(|l| t + slack < l) {
            return Ok(None);
        }
        latest = Some(latest.map_or(t, |l| l.max(t)));
    }
    // The exact line number: a raw newline count of everything before `lo`.
    file.seek(SeekFrom::Start(0)).map_err(read_err)?;
    let mut lines = 0u64;
    let mut left = lo;
    let mut block = vec![0u8; 1 << 20];
    while left > 0 {
        let want = block.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match file.read(&mut block[..want]) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(read_err(source)),
        };
        lines += memchr::memchr_iter(b'\n', &block[..n]).count() as u64;
        left -= n as u64;
    }
    Ok(Some((lo, lines)))
}
