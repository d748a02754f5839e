//! The notable-record policy: which records ingest keeps in full (the rest
//! are only counted). Errors, warnings, 5xx responses and restarts always
//! are ([`is_notable`]); 4xx responses are held until their minute ends and
//! kept only when they are a surge ([`HeldClientErrors`]).

use crate::buffer::PackedRecord;
use faultline_model::{is_notable, LogRecord};
use std::sync::Arc;

/// A minute's 4xx responses are kept as notable records when they are at
/// least this share (per cent) of the file's records in that minute…
const CLIENT_ERROR_SHARE_PERCENT: u64 = 10;
/// …and at least this many. Ordinary 404s (a few per cent of a day's
/// requests) are only counted; a surge (an auth service failing closed) or a
/// crawler's burst is kept, for the analysis to tell apart by their clients.
const CLIENT_ERROR_MIN: u64 = 5;

/// What ingest does with one record besides counting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Kept in full.
    Always,
    /// A 4xx response: held until its minute ends (see [`HeldClientErrors`]).
    IfSurge,
    /// Only counted.
    Never,
}

impl Keep {
    pub(crate) fn of(r: &LogRecord<'_>) -> Keep {
        if is_notable(r) {
            Keep::Always
        } else if r.http.is_some_and(|h| (400..500).contains(&h.status)) {
            Keep::IfSurge
        } else {
            Keep::Never
        }
    }
}

/// The 4xx responses of the minute being read, until it is over and the
/// buffer keeps or drops them.
#[derive(Debug, Default)]
pub(crate) struct HeldClientErrors {
    records: Vec<(Arc<str>, PackedRecord)>,
    /// The minute (unix seconds / 60) they are of.
    minute: i64,
    /// The buffer's first record is `records[0]` (it may take join flags).
    first: bool,
}

impl HeldClientErrors {
    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The minute the held responses are of.
    pub(crate) fn minute(&self) -> i64 {
        self.minute
    }

    /// Whether a record of `minute` ends the minute held.
    pub(crate) fn ended_by(&self, minute: i64) -> bool {
        !self.records.is_empty() && minute != self.minute
    }

    /// Holds a 4xx response of `minute` (`first`: the buffer's first record).
    pub(crate) fn hold(&mut self, file: Arc<str>, record: PackedRecord, minute: i64, first: bool) {
        if self.records.is_empty() {
            self.minute = minute;
        }
        self.first |= first;
        self.records.push((file, record));
    }

    /// Whether the held responses are a surge of their minute, which counted
    /// `total` records and `client` 4xx responses.
    pub(crate) fn surge(&self, total: u64, client: u64) -> bool {
        let held = self.records.len() as u64;
        held >= CLIENT_ERROR_MIN && client.max(held) * 100 >= CLIENT_ERROR_SHARE_PERCENT * total
    }

    /// Hands the held responses out (and whether the first is the buffer's first record).
    pub(crate) fn take(&mut self) -> (Vec<(Arc<str>, PackedRecord)>, bool) {
        (std::mem::take(&mut self.records), std::mem::take(&mut self.first))
    }

    /// The held responses.
    pub(crate) fn records(&self) -> &[(Arc<str>, PackedRecord)] {
        &self.records
    }

    /// Adds ordering flags to the buffer's first record when it is held here.
    pub(crate) fn flag_first(&mut self, flags: u8) {
        if self.first {
            if let Some((_, r)) = self.records.first_mut() {
                r.flags |= flags;
            }
        }
    }

    /// After a join the buffer's first record is not the part's.
    pub(crate) fn not_first(&mut self) {
        self.first = false;
    }

    /// Adds the 4xx responses of the same minute read after these.
    pub(crate) fn join(&mut self, later: HeldClientErrors) {
        if self.records.is_empty() {
            *self = later;
        } else {
            self.records.extend(later.records);
        }
    }
}
