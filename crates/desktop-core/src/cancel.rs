//! The cancel flags of the ingests running now, one each: an ingest that
//! starts (the sample opened while files are read into the case, say) never
//! clears the cancel the analyst gave another, and Cancel stops them all,
//! with those asked for before it that still wait for their turn (files
//! dropped on the window while others are read).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub(crate) struct RunningIngests {
    flags: Mutex<Vec<Arc<AtomicBool>>>,
    /// How many times Cancel was pressed (see [`Asked`]).
    cancels: AtomicU64,
}

/// When an ingest was asked for: a Cancel pressed after that stops it, even
/// one pressed while it waited for the ingest before it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Asked(u64);

impl RunningIngests {
    /// Notes that an ingest is asked for now (before it waits for its turn).
    pub(crate) fn asked(&self) -> Asked {
        Asked(self.cancels.load(Ordering::SeqCst))
    }

    /// A cancel flag for an ingest starting now, listed until the guard
    /// drops; set at once when the app is `closing` (which the closing
    /// thread sets before it calls [`RunningIngests::cancel_all`]).
    pub(crate) fn start(&self, asked: Asked, closing: &AtomicBool) -> Running<'_> {
        let flag = Arc::new(AtomicBool::new(false));
        self.lock().push(flag.clone());
        // Checked once listed: a Cancel or a close that missed this flag went
        // through the list before the push, so what it set is seen here.
        if closing.load(Ordering::SeqCst) || self.cancels.load(Ordering::SeqCst) != asked.0 {
            flag.store(true, Ordering::SeqCst);
        }
        Running { ingests: self, flag }
    }

    /// Asks every running ingest to stop, and those asked for and still waiting.
    pub(crate) fn cancel_all(&self) {
        let flags = self.lock();
        self.cancels.fetch_add(1, Ordering::SeqCst);
        for flag in flags.iter() {
            flag.store(true, Ordering::SeqCst);
        }
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
        let (ingests, closing) = (RunningIngests::default(), AtomicBool::new(false));
        let first = ingests.start(ingests.asked(), &closing);
        let waiting = ingests.asked();
        ingests.cancel_all();
        let second = ingests.start(ingests.asked(), &closing);
        assert!(first.cancelled() && !second.cancelled());
        assert!(ingests.start(waiting, &closing).cancelled(), "asked for before the Cancel, started after it");
        ingests.cancel_all();
        assert!(second.cancelled());
        drop((first, second));
        assert!(ingests.lock().is_empty(), "a finished ingest is not listed");
        closing.store(true, Ordering::SeqCst);
        assert!(ingests.start(ingests.asked(), &closing).cancelled(), "none starts once the app is closing");
    }
}
