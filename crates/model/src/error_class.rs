//! What counts as an error, decided once: the per-second counters the chart,
//! onset and recovery are computed from, and the error events the signatures
//! and evidence come from, both ask [`ErrorClass::of`], so they cannot count
//! a record differently.

use crate::event::Level;

/// The version of the rule below. A case records it with each source's
/// counters; a source counted by another version is read again, not reused.
/// Bump it whenever [`ErrorClass::of`] decides a record differently.
pub const RULE: u32 = 2;

/// What a record is, as far as errors go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// A 5xx response.
    ServerError,
    /// A 4xx response: the client's error, counted apart and never an error.
    ClientError,
    /// An error-or-worse record, or a stack trace at warning level or without a level.
    Error,
    /// Anything else.
    Other,
}

impl ErrorClass {
    /// The class of a record with `status` (a response's) and `level`.
    /// A response is judged by its status alone: only 5xx responses are kept
    /// as notable records, so a level on a 2xx line would be counted where
    /// the analysis could never see it. `holds_trace` is asked only when the
    /// answer depends on it (a warning, or a record without a level).
    pub fn of(status: Option<u16>, level: Option<Level>, holds_trace: impl FnOnce() -> bool) -> ErrorClass {
        if let Some(status) = status {
            return match status {
                500.. => ErrorClass::ServerError,
                400..=499 => ErrorClass::ClientError,
                _ => ErrorClass::Other,
            };
        }
        match level {
            Some(l) if l.is_error() => ErrorClass::Error,
            Some(l) if l < Level::Warn => ErrorClass::Other,
            _ if holds_trace() => ErrorClass::Error,
            _ => ErrorClass::Other,
        }
    }

    /// A 5xx response or an error record: what the error counts and events hold.
    pub fn is_error(self) -> bool {
        matches!(self, ErrorClass::ServerError | ErrorClass::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(status: Option<u16>, level: Option<Level>, trace: bool) -> ErrorClass {
        ErrorClass::of(status, level, || trace)
    }

    #[test]
    fn a_response_is_judged_by_its_status_alone() {
        assert_eq!(class(Some(503), None, false), ErrorClass::ServerError);
        assert_eq!(class(Some(500), Some(Level::Info), false), ErrorClass::ServerError);
        assert_eq!(class(Some(404), Some(Level::Error), true), ErrorClass::ClientError);
        assert_eq!(class(Some(200), Some(Level::Critical), true), ErrorClass::Other);
        assert!(!class(Some(499), None, false).is_error());
    }

    #[test]
    fn a_stack_trace_makes_a_warning_or_an_unleveled_record_an_error() {
        assert_eq!(class(None, Some(Level::Error), false), ErrorClass::Error);
        assert_eq!(class(None, Some(Level::Warn), false), ErrorClass::Other);
        assert_eq!(class(None, Some(Level::Warn), true), ErrorClass::Error);
        assert_eq!(class(None, None, true), ErrorClass::Error);
        assert_eq!(class(None, None, false), ErrorClass::Other);
        assert_eq!(class(None, Some(Level::Info), true), ErrorClass::Other);
    }

    #[test]
    fn the_trace_is_looked_for_only_when_it_decides() {
        let asked = std::cell::Cell::new(0);
        let probe = || {
            asked.set(asked.get() + 1);
            true
        };
        ErrorClass::of(Some(500), None, probe);
        ErrorClass::of(None, Some(Level::Error), probe);
        ErrorClass::of(None, Some(Level::Debug), probe);
        assert_eq!(asked.get(), 0);
        ErrorClass::of(None, Some(Level::Warn), probe);
        assert_eq!(asked.get(), 1);
    }
}
