//! The write gate of a case's connections: writes take turns in the order
//! they asked. A plain mutex would not do: an ingest spilling a flood of
//! errors releases it and takes it again within microseconds, before a
//! waiting note's thread has even woken, so the note could wait out the
//! whole ingest.

use std::sync::{Arc, Condvar, Mutex};

/// A first-come, first-served lock (a ticket lock), shared by cloning.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriteGate(Arc<(Mutex<Tickets>, Condvar)>);

#[derive(Debug, Default)]
struct Tickets {
    next: u64,
    serving: u64,
}

/// Holds the gate; the next in line goes when it is dropped.
pub(crate) struct Turn<'g>(&'g WriteGate);

impl WriteGate {
    /// Waits for this caller's turn.
    pub(crate) fn enter(&self) -> Turn<'_> {
        let (lock, wake) = &*self.0;
        let mut t = lock.lock().unwrap_or_else(|p| p.into_inner());
        let mine = t.next;
        t.next += 1;
        while t.serving != mine {
            t = wake.wait(t).unwrap_or_else(|p| p.into_inner());
        }
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let (lock, wake) = &*(self.0).0;
        lock.lock().unwrap_or_else(|p| p.into_inner()).serving += 1;
        wake.notify_all();
    }
}

#[cfg(test)]
impl WriteGate {
    /// Turns taken or asked for and not yet over.
    fn queued(&self) -> u64 {
        let t = self.0 .0.lock().unwrap();
        t.next - t.serving
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_waiting_writer_goes_before_one_that_comes_back_for_more() {
        let gate = WriteGate::default();
        let held = gate.enter();
        let written = Arc::new(AtomicBool::new(false));
        let note = {
            let (gate, written) = (gate.clone(), written.clone());
            std::thread::spawn(move || {
                let _turn = gate.enter();
                written.store(true, Ordering::SeqCst);
            })
        };
        while gate.queued() < 2 {
            std::thread::yield_now();
        }
        drop(held);
        // The spiller comes straight back for the next batch: the note's turn comes first.
        let again = gate.enter();
        assert!(written.load(Ordering::SeqCst), "the note waited for a writer that came back");
        drop(again);
        note.join().unwrap();
    }
}
