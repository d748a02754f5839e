//! Ingest and analysis run below the window's CPU priority.
//!
//! An ingest keeps every core busy for seconds (one big file is parsed in
//! chunks on all of them). At equal priority the window's threads and the
//! webview's process get only their fair share of the CPU, so an input event
//! or a repaint that needs 20 ms of CPU took 100–200 ms on a 2-core machine
//! (measured by the end-to-end test's frame probe). At nice 10 the scheduler
//! gives the window about ten times the weight of the background threads: the
//! UI keeps its frame rate and the ingest takes the CPU the UI leaves idle.

/// The nice value of background threads (0 is normal, 19 the lowest).
#[cfg(target_os = "linux")]
const BACKGROUND_NICE: libc::c_int = 10;

/// Lowers the calling thread's priority; threads it starts inherit it. On
/// Linux the nice value belongs to the thread, not the process
/// (`setpriority(2)`, NOTES), so the window's threads keep theirs. Elsewhere
/// it does nothing (there `setpriority` would lower the whole process).
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority has no memory effects; `who == 0` is the calling thread.
        // Failing (a sandbox forbidding it) only leaves the thread at its priority.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICE);
        }
    }
}

/// Builds rayon's global pool (the engine parses sources on it) with its
/// threads lowered, before anything else can start it at normal priority.
pub fn lower_rayon_pool() {
    // An error means the pool already exists; its threads were then started by
    // a lowered thread (every command runs on one) and inherited its nice.
    let _ = rayon::ThreadPoolBuilder::new().start_handler(|_| lower_this_thread()).build_global();
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn nice_of_this_thread() -> libc::c_int {
        // SAFETY: getpriority only reads the calling thread's nice value.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[test]
    fn a_lowered_thread_and_its_children_run_at_background_priority_and_the_caller_does_not() {
        let before = nice_of_this_thread();
        let (own, child) = std::thread::spawn(|| {
            lower_this_thread();
            let child = std::thread::spawn(nice_of_this_thread).join().unwrap();
            (nice_of_this_thread(), child)
        })
        .join()
        .unwrap();
        if before <= BACKGROUND_NICE {
            assert_eq!(own, BACKGROUND_NICE);
        }
        assert_eq!(child, own, "threads started by a lowered thread inherit its priority");
        assert_eq!(nice_of_this_thread(), before, "the calling thread (the window's, in the app) keeps its priority");
    }
}
