//! Which case a session holds and how its commands reach it: every command
//! but reading sources runs on the case's `engine` connection, an ingest on
//! its `ingest` connection, so neither waits for the other; replacing the
//! case (open, the sample, save as) and closing wait for a running ingest,
//! so none lands in a case the window no longer shows.
//!
//! Locks are taken in one order: a case's `ingest`, then its `engine`, then
//! the session's `case` (held only to take or swap the `Arc`).

use crate::case::{policy, Case};
use crate::error::{ErrorCode, IpcError};
use crate::Session;
use faultline_engine::Engine;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

impl Session {
    /// The case, created empty on first use: the UI never has to handle "no case".
    pub(crate) fn current(&self) -> Result<Arc<Case>, IpcError> {
        // A panic while holding the lock leaves a case that is still valid
        // SQLite; carrying on beats making every later command fail.
        let mut guard = self.case.lock().unwrap_or_else(|p| p.into_inner());
        if self.closed.load(Ordering::SeqCst) {
            return Err(IpcError::new(ErrorCode::Closing, "the app is closing"));
        }
        match guard.as_ref() {
            Some(case) => Ok(case.clone()),
            None => Ok(guard.insert(Arc::new(Case::create(None, policy(&self.access))?)).clone()),
        }
    }

    pub(crate) fn is_current(&self, case: &Arc<Case>) -> bool {
        self.case.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|c| Arc::ptr_eq(c, case))
    }

    /// Runs `f` on the case's connection for everything but reading
    /// sources: it never waits for an ingest, only for another such command.
    pub(crate) fn with_engine<T>(&self, f: impl FnOnce(&Case, &Engine) -> Result<T, IpcError>) -> Result<T, IpcError> {
        loop {
            let case = self.current()?;
            let engine = case.engine.lock().unwrap_or_else(|p| p.into_inner());
            // Saved as another file while this waited: a note or a pin goes
            // to the case the analyst carries on in.
            if self.is_current(&case) {
                return f(&case, &engine);
            }
        }
    }

    /// Runs `f` on the case's ingest connection, after any ingest already
    /// running, on the case the window shows when it starts.
    pub(crate) fn with_ingest<T>(&self, f: impl FnOnce(&Case, &Engine) -> Result<T, IpcError>) -> Result<T, IpcError> {
        loop {
            let case = self.current()?;
            let engine = case.ingest.lock().unwrap_or_else(|p| p.into_inner());
            // Opened or saved as another case while this waited: read into that one.
            if self.is_current(&case) {
                return f(&case, &engine);
            }
        }
    }

    /// Closes the case as the app exits: a running ingest is stopped, and an
    /// unsaved case's temporary folder (a copy of what was read from the
    /// user's logs) is deleted. Tauri ends the process without running the
    /// destructors of its managed state, so without this every session left
    /// its case behind in the temporary folder. Waits for a command that
    /// holds the case (a search, an export) to finish; no case is opened after.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.ingests.cancel_all();
        let case = self.case.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(case) = case {
            // No command starts on it now; wait for those running.
            drop(case.ingest.lock().unwrap_or_else(|p| p.into_inner()));
            drop(case.engine.lock().unwrap_or_else(|p| p.into_inner()));
            // A command that took the case just before the close still holds
            // it: the folder goes now all the same (the process is ending).
            if let Err(case) = Arc::try_unwrap(case) {
                drop(case.dir.lock().unwrap_or_else(|p| p.into_inner()).take());
            }
        }
    }

    /// Makes `case` the session's case, after an ingest into the one it
    /// replaces finishes, unless the app is closing (then it is dropped,
    /// which deletes a temporary case's folder).
    pub(crate) fn install(&self, case: Case) -> Result<(), IpcError> {
        let mut new = Some(case);
        loop {
            let old = self.case.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let _ingest = old.as_ref().map(|c| c.ingest.lock().unwrap_or_else(|p| p.into_inner()));
            if self.replace(old.as_ref(), &mut new, false)? {
                return Ok(());
            }
        }
    }

    /// Puts `new` in place of `old`, whose ingest connection the caller
    /// holds (so nothing is being read into it). False, with `new` left,
    /// when the case is no longer `old`. The inputs verified by hash stay
    /// readable only when `new` is a copy of `old` (saved under another name).
    pub(crate) fn replace(
        &self,
        old: Option<&Arc<Case>>,
        new: &mut Option<Case>,
        copy_of_old: bool,
    ) -> Result<bool, IpcError> {
        let mut guard = self.case.lock().unwrap_or_else(|p| p.into_inner());
        if self.closed.load(Ordering::SeqCst) {
            return Err(IpcError::new(ErrorCode::Closing, "the app is closing"));
        }
        let unchanged = match (guard.as_ref(), old) {
            (Some(now), Some(old)) => Arc::ptr_eq(now, old),
            (now, old) => now.is_none() && old.is_none(),
        };
        if unchanged {
            if let Some(case) = new.take() {
                if !copy_of_old {
                    self.access().forget_verified();
                }
                *guard = Some(Arc::new(case));
            }
        }
        Ok(unchanged)
    }

    /// The folder of the session's temporary case, while it has one (tests).
    #[doc(hidden)]
    pub fn temporary_folder(&self) -> Option<PathBuf> {
        let case = self.case.lock().ok()?.clone()?;
        let dir = case.dir.lock().ok()?;
        dir.as_ref().map(|d| d.path().to_path_buf())
    }
}
