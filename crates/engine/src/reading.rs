//! Which sources of a case an ingest of this process is reading now. The
//! desktop analyzes on one connection while it ingests on another: a source
//! marked incomplete is then being read, not left by an interrupted ingest,
//! and the analysis says so.

use std::sync::{Arc, Mutex, MutexGuard};

/// Shared by the connections of one case (see [`crate::Engine::second_connection`]).
#[derive(Clone, Default)]
pub(crate) struct Reading(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    paths: Vec<String>,
    /// How many times `paths` changed: an analysis that saw the same count
    /// before and after its snapshot knows no ingest began or ended between.
    changes: u64,
}

/// Takes its paths off [`Reading`] when dropped: the ingest ended, however.
pub(crate) struct Marked {
    reading: Reading,
    paths: Vec<String>,
}

impl Reading {
    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Marks `paths` (sources, or a log store's table whose services are
    /// sources under it) as being read until the guard is dropped.
    pub(crate) fn mark(&self, paths: Vec<String>) -> Marked {
        let mut state = self.state();
        state.paths.extend(paths.iter().cloned());
        state.changes += 1;
        Marked { reading: self.clone(), paths }
    }

    /// What is being read now.
    pub(crate) fn now(&self) -> ReadingNow {
        let state = self.state();
        ReadingNow { paths: state.paths.clone(), changes: state.changes }
    }
}

/// What was being read at one moment (see [`Reading::now`]).
pub(crate) struct ReadingNow {
    paths: Vec<String>,
    changes: u64,
}

impl ReadingNow {
    /// Whether no ingest began or ended between `earlier` and this moment.
    pub(crate) fn unchanged_since(&self, earlier: &ReadingNow) -> bool {
        self.changes == earlier.changes
    }

    /// What either moment was reading.
    pub(crate) fn and(mut self, other: ReadingNow) -> ReadingNow {
        self.paths.extend(other.paths);
        self.changes = self.changes.max(other.changes);
        self
    }

    /// Whether the source `path` was being read.
    pub(crate) fn covers(&self, path: &str) -> bool {
        self.paths.iter().any(|r| path == r || path.strip_prefix(r.as_str()).is_some_and(|rest| rest.starts_with('/')))
    }
}

impl Drop for Marked {
    fn drop(&mut self) {
        let mut state = self.reading.state();
        for path in &self.paths {
            if let Some(i) = state.paths.iter().position(|p| p == path) {
                state.paths.swap_remove(i);
            }
        }
        state.changes += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_being_read_while_its_ingest_holds_the_mark() {
        let reading = Reading::default();
        let start = reading.now();
        let twice = reading.mark(vec!["/logs/app.log".into()]);
        assert!(!reading.now().unchanged_since(&start), "an ingest began");
        {
            let _table = reading.mark(vec!["clickhouse://db:8123/logs.app".into(), "/logs/app.log".into()]);
            assert!(reading.now().covers("clickhouse://db:8123/logs.app/checkout"), "a service of the table");
            assert!(!reading.now().covers("clickhouse://db:8123/logs.app2/checkout"));
        }
        assert!(!reading.now().covers("clickhouse://db:8123/logs.app/checkout"));
        assert!(reading.now().covers("/logs/app.log"), "still marked by the first ingest");
        drop(twice);
        assert!(!reading.now().covers("/logs/app.log"));
    }
}
