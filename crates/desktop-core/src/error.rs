//! The one error shape that crosses IPC: `{code, message}`. The UI switches
//! on `code` (a generated union) and shows `message` (written for users).

use faultline_engine::EngineError;
use serde::Serialize;
use ts_rs::TS;

/// What kind of failure an [`IpcError`] is; stable, snake_case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// An input could not be read or is not what it was said to be.
    Input,
    /// The case file failed (SQLite, a corrupt row, not a case).
    Store,
    /// The search pattern or a searched file failed.
    Search,
    /// Rendering the export failed (a template error).
    Report,
    /// Any other engine failure.
    Engine,
    /// A zone name that is not a zone.
    BadZone,
    /// A request the UI should not have sent (empty, too long, unknown).
    BadRequest,
    /// A path the analyst did not choose in this session: refused.
    NotGranted,
    /// An input listed in the case that this session may not read (yet).
    Unavailable,
    /// A local I/O failure (a temporary folder).
    Io,
    /// The app is closing; the command was not run.
    Closing,
    /// A bug.
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[ts(export)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    /// What went wrong, naming the file where there is one.
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError { code, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> IpcError {
        IpcError::new(ErrorCode::BadRequest, message)
    }

    pub fn not_granted(message: impl Into<String>) -> IpcError {
        IpcError::new(ErrorCode::NotGranted, message)
    }

    pub fn internal(message: impl Into<String>) -> IpcError {
        IpcError::new(ErrorCode::Internal, message)
    }
}

impl From<EngineError> for IpcError {
    fn from(e: EngineError) -> IpcError {
        let code = match &e {
            EngineError::Input { .. } => ErrorCode::Input,
            EngineError::Store(_) => ErrorCode::Store,
            EngineError::Search(_) => ErrorCode::Search,
            EngineError::Report(_) => ErrorCode::Report,
            _ => ErrorCode::Engine,
        };
        IpcError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = IpcError::from(EngineError::Input { path: "/tmp/x.log".into(), message: "not a log".into() });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json, serde_json::json!({"code": "input", "message": "/tmp/x.log: not a log"}));
        let e = IpcError::not_granted("no");
        assert_eq!(serde_json::to_value(&e).unwrap()["code"], "not_granted");
    }
}
