//! The cancel flags of the ingests running now, one each: an ingest that
//! starts (the sample opened while files are read into the case, say) never
//! clears the cancel the analyst gave another, and Cancel stops them all.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub(crate) struct RunningIngests {
    flags: Mutex<Vec<Arc<AtomicBool>>>,
    /// Set as the app closes: an ingest that starts after it is cancelled at once.
    closing: AtomicBool,
}

impl RunningIngests {
    /// A cancel flag for an ingest starting now, listed until the guard drops.
    pub(crate) fn start(&self) -> Running<'_> {
        let flag = Arc::new(AtomicBool::new(false));
        self.lock().push(flag.clone());
        // Checked once listed: a close that set `closing` missed this flag
        // only if it went through the list before the push, so it is seen here.
        if self.closing.load(Ordering::SeqCst) {
            flag.store(true, Ordering::SeqCst);
        }
        Running { ingests: self, flag }
    }

    /// Asks every running ingest to stop.
    pub(crate) fn cancel_all(&self) {
        for flag in self.lock().iter() {
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// Cancels every running ingest and every later one.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.cancel_all();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<AtomicBool>>> {
        self.flags.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One running ingest's cancel flag.
pub(crate) struct Running<'a> {
    ingests: &'a RunningIngests,
    pub(crate) flag: Arc<AtomicBool>,
}

impl Running<'_> {
    pub(crate) fn cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.ingests.lock().retain(|f| !Arc::ptr_eq(f, &self.flag));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_an_ingest_leaves_the_cancel_of_another_as_it_was() {
        let ingests = RunningIngests::default();
        let first = ingests.start();
        ingests.cancel_all();
        let second = ingests.start();
        assert!(first.cancelled() && !second.cancelled());
        ingests.cancel_all();
        assert!(second.cancelled());
        drop((first, second));
        assert!(ingests.lock().is_empty(), "a finished ingest is not listed");
        ingests.close();
        assert!(ingests.start().cancelled(), "none starts once the app is closing");
    }
}
