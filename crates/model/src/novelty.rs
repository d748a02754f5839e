//! "What is new in the incident": signatures, endpoints, hosts, status codes
//! and clients ranked by how much they rose in the incident window against a
//! baseline window. Part of the [`crate::Analysis`] contract.

use crate::analysis::Citation;
use crate::event::Instant;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The incident window against a baseline, per signature, endpoint, host,
/// status code and client.
///
/// Counts are error records (5xx responses, error-or-worse records), except
/// the `4xx` status class, which counts 4xx responses. Rates are per second
/// of each window, so a baseline of another length compares fairly. Each
/// list is ranked by [`NoveltyItem::rise`] and holds at most the top 20.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Novelty {
    /// First second of the incident window (the onset).
    #[ts(type = "string")]
    pub incident_from: Instant,
    /// Last second of the incident window (the recovery, or the end of the data).
    #[ts(type = "string")]
    pub incident_to: Instant,
    /// First second of the baseline window.
    #[ts(type = "string")]
    pub baseline_from: Instant,
    /// Last second of the baseline window.
    #[ts(type = "string")]
    pub baseline_to: Instant,
    /// The analyst chose the baseline; otherwise it is the incident's length
    /// just before the onset.
    pub baseline_given: bool,
    /// Seconds in the incident window.
    pub incident_seconds: u64,
    /// Seconds of the baseline window the inputs cover (rates are per these).
    pub baseline_seconds: u64,
    /// Records of every source in the incident window.
    pub incident_records: u64,
    /// Records of every source in the baseline window.
    pub baseline_records: u64,
    /// Errors in the incident window.
    pub incident_errors: u64,
    /// Errors in the baseline window.
    pub baseline_errors: u64,
    /// False when the baseline holds no records at all (no traffic, or
    /// outside the inputs): nothing can be called new or risen, and the
    /// lists are ranked by their incident counts alone.
    pub comparable: bool,
    /// Sources whose records begin after the baseline window: their errors
    /// are left out of the comparison (absent from the baseline only because
    /// they were not logging), and counted here.
    pub unobserved_sources: Vec<UnobservedSource>,
    /// Error signatures (templates).
    pub signatures: Vec<NoveltyItem>,
    /// Request endpoints (paths, ids masked).
    pub endpoints: Vec<NoveltyItem>,
    /// Hosts, services or sources.
    pub hosts: Vec<NoveltyItem>,
    /// HTTP status codes of failed requests (`503`), and the `4xx` class.
    pub status_codes: Vec<NoveltyItem>,
    /// Client addresses (failed requests per client).
    pub clients: Vec<NoveltyItem>,
}

/// A source the baseline says nothing about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnobservedSource {
    /// The source's path.
    pub source: String,
    /// Its errors in the incident window, left out of the lists.
    pub incident_errors: u64,
}

/// One signature, endpoint, host, status code or client, in both windows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NoveltyItem {
    /// The signature template, endpoint, host, status code or client address.
    pub value: String,
    /// Errors in the incident window.
    pub incident: u64,
    /// Errors in the baseline window.
    pub baseline: u64,
    /// Incident rate over baseline rate (per second of each window); `None`
    /// when the baseline count is 0 (see `new`) or the windows are not comparable.
    pub ratio: Option<f64>,
    /// The rise the counts support with 95 % confidence: the lower end of a
    /// one-sided Wilson interval for the share of the item's errors that fall
    /// in the incident window, turned into a rate ratio. What the lists are
    /// ranked by: one stray error (1 vs 0) gives about 0.4, a surge of 400
    /// against 10 about 24, 200 new errors about 74. 0 when not comparable.
    pub rise: f64,
    /// Absent from the baseline (and its sources were logging then).
    pub new: bool,
    /// `rise` > 1: more frequent in the incident beyond what chance explains.
    pub rose: bool,
    /// Its first record in the incident window (for clients: when one of
    /// that client's errors starts an event of its own).
    pub example: Option<Citation>,
    /// For clients: the analysis's id of the address until it is named (not
    /// part of the JSON contract).
    #[serde(skip)]
    #[ts(skip)]
    pub client_id: Option<u64>,
}
