//! The desktop app's core with no Tauri types: the session (one case per
//! window), the path grants that stand between the page and the disk, which
//! of a case's inputs this session may read, and every type that crosses
//! IPC. `src-tauri` only wraps these in Tauri commands and dialogs, so this
//! crate is tested with plain `cargo test` (no WebKitGTK).
//!
//! The page is not trusted: a script injected into it can call every
//! command with any argument. Each request is typed (`requests`), each path
//! is checked against what the analyst chose in a dialog (`grants`), and a
//! case file opened from disk grants nothing (`access`).

pub mod access;
mod cancel;
mod case;
mod command_list;
pub mod dto;
pub mod error;
pub mod grants;
mod holding;
pub mod requests;
pub mod session;

pub use command_list::COMMANDS;
pub use error::{ErrorCode, IpcError};
pub use session::{Session, CASE_EXTENSION, MAX_EXCERPT_LEN};
