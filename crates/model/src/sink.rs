//! The contract between parsers and whatever consumes their output.
//!
//! Modeled on grep-searcher's `Sink`: a parser pushes each event into an
//! [`EventSink`]; each callback returns `Ok(true)` to go on, `Ok(false)` to
//! stop cleanly (that is how cancel works), or `Err` to abort. The case-file
//! writer, counters, the CLI printer and desktop progress are all sinks.

use crate::event::{Alert, Change, LogRecord, SupportMessage, Unparsed};

/// An error raised by a sink (the case file could not be written, …).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

/// Receives what a parser reads. Only [`EventSink::record`] is required.
pub trait EventSink {
    /// A log record. The record borrows the parser's buffer: copy what you keep.
    fn record(&mut self, record: &LogRecord<'_>) -> Result<bool, SinkError>;

    /// A deploy / config change / commit.
    fn change(&mut self, _change: Change) -> Result<bool, SinkError> {
        Ok(true)
    }

    /// A support message.
    fn message(&mut self, _message: SupportMessage) -> Result<bool, SinkError> {
        Ok(true)
    }

    /// An alert or page.
    fn alert(&mut self, _alert: Alert) -> Result<bool, SinkError> {
        Ok(true)
    }

    /// A line that could not be read as a record.
    fn unparsed(&mut self, _line: &Unparsed<'_>) -> Result<bool, SinkError> {
        Ok(true)
    }

    /// Bytes of input consumed so far (for progress); called now and then, not per line.
    fn progress(&mut self, _bytes_read: u64) -> Result<bool, SinkError> {
        Ok(true)
    }

    /// Told before the first record that this sink gets every record of the
    /// stream, in order, and nothing is joined to it later (the stream is not
    /// cut into parts): what it keeps may be handed on as it comes.
    fn whole_stream(&mut self) {}
}

impl<S: EventSink + ?Sized> EventSink for &mut S {
    fn record(&mut self, record: &LogRecord<'_>) -> Result<bool, SinkError> {
        (**self).record(record)
    }
    fn change(&mut self, change: Change) -> Result<bool, SinkError> {
        (**self).change(change)
    }
    fn message(&mut self, message: SupportMessage) -> Result<bool, SinkError> {
        (**self).message(message)
    }
    fn alert(&mut self, alert: Alert) -> Result<bool, SinkError> {
        (**self).alert(alert)
    }
    fn unparsed(&mut self, line: &Unparsed<'_>) -> Result<bool, SinkError> {
        (**self).unparsed(line)
    }
    fn progress(&mut self, bytes_read: u64) -> Result<bool, SinkError> {
        (**self).progress(bytes_read)
    }
    fn whole_stream(&mut self) {
        (**self).whole_stream()
    }
}

/// A sink that keeps owned copies of everything, for tests and small inputs.
#[derive(Debug, Default)]
pub struct CollectingSink {
    /// Records as (time, span, level, status, message, text).
    pub records: Vec<OwnedRecord>,
    /// Changes.
    pub changes: Vec<Change>,
    /// Support messages.
    pub messages: Vec<SupportMessage>,
    /// Alerts.
    pub alerts: Vec<Alert>,
    /// Unparsed lines as (line number, reason, text).
    pub unparsed: Vec<(u64, &'static str, String)>,
}

/// An owned copy of a [`LogRecord`] (for tests and notable records).
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedRecord {
    /// See [`LogRecord::time`].
    pub time: crate::Instant,
    /// See [`LogRecord::span`].
    pub span: crate::Span,
    /// See [`LogRecord::level`].
    pub level: Option<crate::Level>,
    /// HTTP status, when the record is a request.
    pub status: Option<u16>,
    /// HTTP method.
    pub method: Option<String>,
    /// Request path.
    pub path: Option<String>,
    /// Client address.
    pub client: Option<String>,
    /// User agent.
    pub user_agent: Option<String>,
    /// See [`LogRecord::host`].
    pub host: Option<String>,
    /// See [`LogRecord::service`].
    pub service: Option<String>,
    /// See [`LogRecord::message`].
    pub message: String,
    /// See [`LogRecord::text`].
    pub text: String,
    /// See [`LogRecord::flags`].
    pub flags: u8,
}

impl From<&LogRecord<'_>> for OwnedRecord {
    fn from(r: &LogRecord<'_>) -> Self {
        let http = r.http.as_ref();
        OwnedRecord {
            time: r.time,
            span: r.span,
            level: r.level,
            status: http.map(|h| h.status),
            method: http.and_then(|h| h.method).map(str::to_owned),
            path: http.and_then(|h| h.path).map(str::to_owned),
            client: http.and_then(|h| h.client).map(str::to_owned),
            user_agent: http.and_then(|h| h.user_agent).map(str::to_owned),
            host: r.host.map(str::to_owned),
            service: r.service.map(str::to_owned),
            message: r.message.to_owned(),
            text: r.text.to_owned(),
            flags: r.flags,
        }
    }
}

impl EventSink for CollectingSink {
    fn record(&mut self, record: &LogRecord<'_>) -> Result<bool, SinkError> {
        self.records.push(record.into());
        Ok(true)
    }
    fn change(&mut self, change: Change) -> Result<bool, SinkError> {
        self.changes.push(change);
        Ok(true)
    }
    fn message(&mut self, message: SupportMessage) -> Result<bool, SinkError> {
        self.messages.push(message);
        Ok(true)
    }
    fn alert(&mut self, alert: Alert) -> Result<bool, SinkError> {
        self.alerts.push(alert);
        Ok(true)
    }
    fn unparsed(&mut self, line: &Unparsed<'_>) -> Result<bool, SinkError> {
        self.unparsed.push((line.line, line.reason, String::from_utf8_lossy(line.text).into_owned()));
        Ok(true)
    }
}
