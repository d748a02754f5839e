//! The one error shape that crosses IPC: `{code, message}`. The UI switches
//! on `code` (stable, snake_case) and shows `message` (written for users).

use faultline_engine::EngineError;
use serde::Serialize;
use ts_rs::TS;

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[ts(export)]
#[error("{message}")]
pub struct IpcError {
    /// `input`, `store`, `search`, `report`, `engine`, `bad_zone`, `bad_request`, `io`, `internal`.
    pub code: String,
    /// What went wrong, naming the file where there is one.
    pub message: String,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> IpcError {
        IpcError { code: code.to_string(), message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> IpcError {
        IpcError::new("bad_request", message)
    }

    pub fn internal(message: impl Into<String>) -> IpcError {
        IpcError::new("internal", message)
    }
}

impl From<EngineError> for IpcError {
    fn from(e: EngineError) -> IpcError {
        let code = match &e {
            EngineError::Input { .. } => "input",
            EngineError::Store(_) => "store",
            EngineError::Search(_) => "search",
            EngineError::Report(_) => "report",
            _ => "engine",
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
    }
}
