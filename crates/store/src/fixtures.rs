//! Sources and records the store's tests write and read back.

use crate::{CaseFile, IngestBuffer};
use faultline_model::{CaseData, HttpRequest, Instant, Level, LogRecord, SourceKind, SourceSummary, Span};

pub(crate) fn summary(path: &str) -> SourceSummary {
    SourceSummary {
        path: path.into(),
        kind: SourceKind::Log,
        format: "nginx-combined".into(),
        records: 0,
        unparsed: 0,
        first: None,
        last: None,
        tz: "UTC".into(),
        bytes: 10,
        sha256: "ab".into(),
        notes: vec![],
        clock_offset_ms: 0,
        complete: true,
        window: None,
    }
}

pub(crate) fn request(time: Instant, line: u64, status: u16) -> LogRecord<'static> {
    LogRecord {
        time,
        span: Span { line, offset: line * 100, len: 99, lines: 1 },
        level: Some(if status >= 500 { Level::Error } else { Level::Info }),
        http: Some(HttpRequest { status, path: Some("/login"), client: Some("10.0.0.1"), ..Default::default() }),
        host: None,
        service: None,
        message: "POST /login",
        text: "10.0.0.1 - - [..] \"POST /login HTTP/1.1\" 500 0",
        flags: 0,
    }
}

/// What `buf` stores as the source `a.log` of a fresh case, read back.
pub(crate) fn stored(buf: &IngestBuffer) -> CaseData {
    let case = CaseFile::in_memory().unwrap();
    let s = summary("a.log");
    case.begin_source(&s).unwrap();
    case.write_source(&s, &[], buf).unwrap();
    case.load(None, None).unwrap()
}
