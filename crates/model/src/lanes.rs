//! The incident drawn as lanes on one time axis: changes, the top error
//! signatures, what users wrote, what the support side wrote, alerts and
//! restarts. Part of the [`crate::Analysis`] contract; the desktop draws them
//! under the error-rate chart and the SVG chart export below its plot.
//!
//! Analyst notes are not a lane here: they join the timeline after the
//! correlator runs (source `analyst`), and renderers draw them as the last
//! lane from there ([`LaneKind::Notes`]).

use crate::analysis::Citation;
use crate::event::Instant;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Items one lane carries at most; the rest are counted in [`Lane::omitted`].
/// A Slack export of a busy channel must not turn the JSON into megabytes;
/// the items kept are those nearest the incident, where the analyst looks.
pub const MAX_LANE_ITEMS: usize = 5_000;

/// What a lane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LaneKind {
    /// Deploys, config pushes, commits.
    Changes,
    /// One error signature of the incident, from first to last occurrence.
    Signature,
    /// Messages from users (reports, questions).
    Users,
    /// Messages from the support / ops side (status updates, replies).
    Support,
    /// Alerts and pages, with their acknowledgements.
    Alerts,
    /// Server restarts (lifecycle bursts).
    Restarts,
    /// The analyst's notes. Never in [`crate::Analysis::lanes`]: notes join
    /// the timeline after the correlator runs, and renderers draw this lane
    /// from the timeline's `analyst` entries.
    Notes,
}

/// How an item is marked when drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LaneMark {
    /// Nothing special.
    #[default]
    Plain,
    /// The change named as the suggested root cause.
    Suspect,
    /// A change that undid or fixed the incident.
    Fix,
    /// A change that failed or was cancelled.
    Failed,
    /// A user message that describes the symptom.
    Report,
    /// An alert's acknowledgement.
    Ack,
    /// A signature not seen before the incident.
    New,
}

/// One row of the lanes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Lane {
    /// What it shows.
    pub kind: LaneKind,
    /// Its label (`Changes`, or a signature's template).
    pub title: String,
    /// Items in time order.
    pub items: Vec<LaneItem>,
    /// Items left out past [`MAX_LANE_ITEMS`] (those farthest from the incident).
    pub omitted: u64,
}

/// One event on a lane: a point, or a span when it has an end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LaneItem {
    /// When it happened (a span's start).
    #[ts(type = "string")]
    pub time: Instant,
    /// A span's end (a signature's last occurrence, an alert's resolution).
    #[ts(type = "string | null")]
    pub end: Option<Instant>,
    /// What happened, in a line.
    pub text: String,
    /// Records it stands for (a signature's count; 1 otherwise).
    pub count: u64,
    /// How it is marked.
    pub mark: LaneMark,
    /// The record it comes from.
    pub citation: Option<Citation>,
}

impl Lane {
    /// A lane of `items` in time order, capped at [`MAX_LANE_ITEMS`]: past
    /// the cap, the items nearest `focus` (the onset; without one, the end of
    /// the lane) are kept.
    pub fn new(kind: LaneKind, title: impl Into<String>, mut items: Vec<LaneItem>, focus: Option<Instant>) -> Self {
        let omitted = items.len().saturating_sub(MAX_LANE_ITEMS) as u64;
        if omitted > 0 {
            let focus = focus.or_else(|| items.iter().map(|i| i.time).max()).unwrap_or_default();
            items.sort_by_key(|i| (i.time - focus).num_milliseconds().unsigned_abs());
            items.truncate(MAX_LANE_ITEMS);
        }
        items.sort_by_key(|i| i.time);
        Lane { kind, title: title.into(), items, omitted }
    }
}
