//! Parsing a big log in parallel chunks cut at line boundaries, joined in
//! file order so offsets, line numbers, counts and ordering flags are those
//! of a sequential parse.

use crate::{parse_from, Decoded, LogError, LogFormat, LogOptions, LogSummary};
use faultline_model::{flags, EventSink, Instant};
use std::io::BufRead;

/// Bytes handed to one worker at a time by [`parse_parallel`]: large enough
/// that the per-chunk overhead vanishes, small enough that a few in flight
/// keep memory bounded whatever the file size.
const CHUNK_BYTES: usize = 4 << 20;

/// [`parse`](crate::parse), on `threads` threads, for a format whose lines are records on
/// their own ([`LogFormat::splittable`]; other formats are parsed in one
/// piece). The stream is cut at line boundaries into chunks that are parsed
/// concurrently into sinks made by `new_sink`, then handed to `merge` in file
/// order, with the flags to add to the chunk's first record (a record earlier
/// than the last one of the chunk before it is out of order, exactly as in a
/// sequential parse). Offsets, line numbers and counts are those of [`parse`](crate::parse).
pub fn parse_parallel<S, F, M>(
    reader: impl BufRead,
    format: &LogFormat,
    opts: &LogOptions,
    threads: usize,
    new_sink: F,
    merge: M,
) -> Result<LogSummary, LogError>
where
    S: EventSink + Send,
    F: Fn() -> S + Sync,
    M: FnMut(S, u8),
{
    parse_range(reader, format, opts, threads, 0, 0, new_sink, merge)
}

/// [`parse_parallel`] of the rest of a plain (not compressed, not UTF-16)
/// file from byte `offset`, the start of line `lines_before + 1`: `reader`
/// reads the file from that offset. Records and unparsed lines carry the
/// file's own offsets and line numbers, exactly as a parse of the whole file
/// gives them (see [`window_start`](crate::window_start) for an offset and line count). The
/// summary's `bytes` is the offset where reading ended.
#[allow(clippy::too_many_arguments)]
pub fn parse_range<S, F, M>(
    reader: impl BufRead,
    format: &LogFormat,
    opts: &LogOptions,
    threads: usize,
    offset: u64,
    lines_before: u64,
    new_sink: F,
    merge: M,
) -> Result<LogSummary, LogError>
where
    S: EventSink + Send,
    F: Fn() -> S + Sync,
    M: FnMut(S, u8),
{
    parse_chunked(reader, format, opts, threads, CHUNK_BYTES, (offset, lines_before), new_sink, merge)
}

/// [`parse_parallel`] with chunks of `chunk_bytes` (tests use tiny ones),
/// of a stream that starts at byte `start.0`, after line `start.1`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn parse_chunked<S, F, M>(
    reader: impl BufRead,
    format: &LogFormat,
    opts: &LogOptions,
    threads: usize,
    chunk_bytes: usize,
    start: (u64, u64),
    new_sink: F,
    mut merge: M,
) -> Result<LogSummary, LogError>
where
    S: EventSink + Send,
    F: Fn() -> S + Sync,
    M: FnMut(S, u8),
{
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::sync::mpsc;

    // A line longer than this with no newline in sight ends chunking: the rest
    // of the stream is parsed in one piece, whose line reader caps what it
    // keeps (a 1 GB line must not become a 1 GB chunk).
    let longest_chunked_line = 4 * chunk_bytes.max(opts.max_record_bytes);
    // Mid-file, the bytes at a line start say nothing about the encoding.
    let mut reader = if start.0 == 0 { Decoded::new(reader) } else { Decoded::Plain(reader) };
    if !format.splittable() || threads < 2 {
        let mut sink = new_sink();
        sink.whole_stream();
        let (sum, _, _) = parse_from(reader, format, opts, &mut sink, start.0, start.1)?;
        merge(sink, 0);
        return Ok(sum);
    }
    type Done<S> = Result<(S, LogSummary, Option<Instant>, Option<Instant>), LogError>;
    struct Joined {
        sum: LogSummary,
        last: Option<Instant>,
    }
    impl Joined {
        /// Adds one chunk's summary; returns the flags its first record gets.
        fn join(&mut self, s: &LogSummary, head: Option<Instant>, tail: Option<Instant>) -> u8 {
            let mut extra = 0;
            if let (Some(prev), Some(head)) = (self.last, head) {
                if head < prev {
                    extra |= flags::OUT_OF_ORDER;
                    self.sum.out_of_order += 1;
                    if prev - head > chrono::Duration::days(1) {
                        extra |= flags::CLOCK_JUMP;
                    }
                }
            }
            let t = &mut self.sum;
            t.records += s.records;
            t.unparsed += s.unparsed;
            t.first = match (t.first, s.first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            t.last = match (t.last, s.last) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            t.bytes = s.bytes;
            t.truncated += s.truncated;
            t.dst_gap += s.dst_gap;
            t.dst_ambiguous += s.dst_ambiguous;
            t.out_of_order += s.out_of_order;
            t.stopped |= s.stopped;
            if tail.is_some() {
                self.last = tail;
            }
            extra
        }
    }
    let mut joined = Joined { sum: LogSummary::default(), last: None };
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Vec<u8>, u64, u64)>(threads);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Vec<u8>, Done<S>)>();
    std::thread::scope(|scope| -> Result<LogSummary, LogError> {
        for _ in 0..threads {
            let (job_rx, done_tx, new_sink) = (&job_rx, done_tx.clone(), &new_sink);
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((seq, chunk, pos, no)) = job else { return };
                let mut sink = new_sink();
                let done = parse_from(&chunk[..], format, opts, &mut sink, pos, no).map(|(s, h, t)| (sink, s, h, t));
                if done_tx.send((seq, chunk, done)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut free: Vec<Vec<u8>> = Vec::new();
        let mut waiting: BTreeMap<u64, Done<S>> = BTreeMap::new();
        let (mut sent, mut merged) = (0u64, 0u64);
        let mut stop = false;
        // Merges finished chunks in order; blocks while more than `keep` are in flight.
        let mut settle = |keep: u64,
                          sent: u64,
                          merged: &mut u64,
                          free: &mut Vec<Vec<u8>>,
                          stop: &mut bool|
         -> Result<(), LogError> {
            while sent - *merged > keep {
                while let Some(done) = waiting.remove(merged) {
                    let (sink, s, head, tail) = done?;
                    // After a sink asked to stop, later chunks are dropped, as a sequential parse never reads them.
                    if !*stop {
                        let extra = joined.join(&s, head, tail);
                        merge(sink, extra);
                        *stop = s.stopped;
                    }
                    *merged += 1;
                }
                if sent - *merged <= keep {
                    break;
                }
                let Ok((seq, chunk, done)) = done_rx.recv() else { break };
                free.push(chunk);
                waiting.insert(seq, done);
            }
            Ok(())
        };
        let (mut pos, mut no) = start;
        let mut carry: Vec<u8> = Vec::new();
        let mut tail_in_one_piece = false;
        // Bytes to gather before cutting: more than the carry when the carry holds no newline yet.
        let mut target = chunk_bytes;
        loop {
            let mut buf = free.pop().unwrap_or_default();
            buf.clear();
            buf.extend_from_slice(&carry);
            carry.clear();
            let mut eof = false;
            while buf.len() < target {
                let at = buf.len();
                buf.resize(target, 0);
                let n = loop {
                    match reader.read(&mut buf[at..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(source) => {
                            let line = no + memchr::memchr_iter(b'\n', &buf[..at]).count() as u64 + 1;
                            return Err(LogError::Read { line, source });
                        }
                    }
                };
                buf.truncate(at + n);
                if n == 0 {
                    eof = true;
                    break;
                }
            }
            let cut = if eof {
                buf.len()
            } else {
                match memchr::memrchr(b'\n', &buf) {
                    Some(i) => i + 1,
                    None if buf.len() > longest_chunked_line => {
                        carry = buf;
                        tail_in_one_piece = true;
                        break;
                    }
                    None => {
                        target = buf.len() + chunk_bytes;
                        carry = buf;
                        continue;
                    }
                }
            };
            target = chunk_bytes;
            carry.extend_from_slice(&buf[cut..]);
            buf.truncate(cut);
            if buf.is_empty() {
                break;
            }
            let lines = memchr::memchr_iter(b'\n', &buf).count() as u64 + u64::from(!buf.ends_with(b"\n"));
            let (at_pos, at_no) = (pos, no);
            pos += buf.len() as u64;
            no += lines;
            if job_tx.send((sent, buf, at_pos, at_no)).is_err() {
                break;
            }
            sent += 1;
            settle(threads as u64 + 1, sent, &mut merged, &mut free, &mut stop)?;
            if stop || eof {
                break;
            }
        }
        drop(job_tx);
        settle(0, sent, &mut merged, &mut free, &mut stop)?;
        if tail_in_one_piece && !stop {
            let mut sink = new_sink();
            let rest = std::io::BufReader::with_capacity(256 * 1024, (&carry[..]).chain(reader));
            let (s, head, tail) = parse_from(rest, format, opts, &mut sink, pos, no)?;
            let extra = joined.join(&s, head, tail);
            merge(sink, extra);
        } else if !stop {
            joined.sum.bytes = pos;
        }
        Ok(joined.sum)
    })
}
