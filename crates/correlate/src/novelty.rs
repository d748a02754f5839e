//! What is new in the incident: signatures, endpoints, hosts, status codes
//! and clients ranked by how much more often they failed in the incident
//! window than in a baseline window.
//!
//! The baseline is the analyst's, or the incident's length just before the
//! onset. Counts come from the error events (alike errors of one second are
//! one event with a count; each event knows its clients and how many records
//! each made) and, for the `4xx` class, from the per-second counts.
//!
//! **The statistic.** With `a` errors in an incident window of `Ti` seconds
//! and `b` in a baseline of `Tb` covered seconds, the ratio is
//! `(a / Ti) / (b / Tb)`. Ranking by it would put one stray error (1 against
//! 0: "∞ × more") above a real surge, so items are ranked by the *rise the
//! counts support*: given `a + b` errors, the share that falls in the
//! incident window is binomial; the lower end of its one-sided 95 % Wilson
//! interval `p` turns into the rate ratio `p / (1 − p) · Tb / Ti`. For equal
//! windows 1 against 0 gives 0.37, 5 against 0 gives 1.85, 400 against 10
//! gives 23.8 and 200 against 0 gives 73.9; an item "rose" when this bound
//! exceeds 1.
//!
//! **Whose baseline.** An item absent from the baseline is new only if its
//! source was logging then: a source whose records begin after the baseline
//! window is left out of the comparison and named (a log that starts at the
//! onset would make all its errors "new"). A baseline with no records at
//! all (no traffic, or outside the inputs) compares nothing: the lists are
//! then ranked by incident count and nothing is called new.
//!
//! **Memory.** Each dimension's incident counts go through a Misra–Gries
//! summary (at most a few thousand keys; every key with more than 1/cap of
//! the incident's errors is kept), and only the survivors are counted
//! exactly, in both windows: a flood of a million distinct clients costs
//! what a few thousand do.

use crate::events::{ErrorEvent, Events};
use faultline_model::{CaseData, Instant, Novelty, NoveltyItem, UnobservedSource};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::Arc;

/// Items kept per list.
pub const TOP: usize = 20;
/// One-sided 95 % normal quantile.
const Z: f64 = 1.645;
/// Keys a dimension's summary holds (clients: [`CLIENT_KEYS`]).
const KEYS: usize = 4096;
const CLIENT_KEYS: usize = 65_536;

/// The rate ratio the counts support with 95 % confidence (see the module docs).
pub fn rise(incident: u64, baseline: u64, incident_s: f64, baseline_s: f64) -> f64 {
    let n = (incident + baseline) as f64;
    if incident == 0 || n == 0.0 || incident_s <= 0.0 || baseline_s <= 0.0 {
        return 0.0;
    }
    let p = incident as f64 / n;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let low = (center - half).clamp(0.0, 1.0 - 1e-12);
    low / (1.0 - low) * baseline_s / incident_s
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A Misra–Gries summary: counts at most `2 × cap` keys; when full, every
/// count drops by the `cap`-th largest and the keys at 0 go.
struct Heavy<K> {
    counts: HashMap<K, u64>,
    cap: usize,
}

impl<K: Hash + Eq + Clone> Heavy<K> {
    fn new(cap: usize) -> Self {
        Heavy { counts: HashMap::new(), cap }
    }

    fn add(&mut self, key: K, n: u64) {
        *self.counts.entry(key).or_default() += n;
        if self.counts.len() >= 2 * self.cap {
            let mut values: Vec<u64> = self.counts.values().copied().collect();
            let at = values.len() - self.cap;
            let (_, cut, _) = values.select_nth_unstable(at);
            let cut = *cut;
            self.counts.retain(|_, c| {
                *c = c.saturating_sub(cut);
                *c > 0
            });
        }
    }
}

/// One key's counts in both windows, and its first incident event.
#[derive(Debug, Default, Clone)]
struct Tally {
    incident: u64,
    baseline: u64,
    example: Option<usize>,
    /// When it was first seen in the incident (events in time order, keys
    /// in each event's order). Equal ranks are ordered by it: clients are
    /// known by a hash seeded per run, so without it which of many clients
    /// with one error each made the top 20 changed from run to run.
    first: u64,
}

/// The events of the incident and baseline windows, and which count.
struct Scope<'a> {
    events: &'a Events,
    incident: std::ops::Range<usize>,
    baseline: std::ops::Range<usize>,
    included: &'a dyn Fn(&ErrorEvent) -> bool,
}

/// How an event counts for a dimension: `emit(key, records, alone)`,
/// `alone` when the event is that key's records only (for examples).
type Keys<'a, K> = &'a dyn Fn(&Events, &ErrorEvent, &mut dyn FnMut(K, u64, bool));

fn tally<K: Hash + Eq + Clone>(scope: &Scope<'_>, cap: usize, keys: Keys<'_, K>) -> Vec<(K, Tally)> {
    let list = &scope.events.list;
    let events =
        |r: std::ops::Range<usize>| r.filter_map(|i| list.get(i).map(|e| (i, e))).filter(|(_, e)| (scope.included)(e));
    let mut heavy = Heavy::new(cap);
    for (_, e) in events(scope.incident.clone()) {
        keys(scope.events, e, &mut |k, n, _| heavy.add(k, n));
    }
    let mut exact: HashMap<K, Tally> = heavy.counts.into_keys().map(|k| (k, Tally::default())).collect();
    let mut seen = 0u64;
    for (i, e) in events(scope.incident.clone()) {
        keys(scope.events, e, &mut |k, n, alone| {
            if let Some(t) = exact.get_mut(&k) {
                if t.incident == 0 {
                    t.first = seen;
                    seen += 1;
                }
                t.incident += n;
                if alone && t.example.is_none() {
                    t.example = Some(i);
                }
            }
        });
    }
    for (_, e) in events(scope.baseline.clone()) {
        keys(scope.events, e, &mut |k, n, _| {
            if let Some(t) = exact.get_mut(&k) {
                t.baseline += n;
            }
        });
    }
    exact.into_iter().filter(|(_, t)| t.incident > 0).collect()
}

/// The windows compared.
struct Windows {
    incident_s: f64,
    baseline_s: f64,
    comparable: bool,
}

impl Windows {
    fn item(&self, value: String, t: &Tally, events: &Events) -> NoveltyItem {
        let (a, b) = (t.incident, t.baseline);
        let (ratio, rise) = if self.comparable {
            let ratio = (b > 0).then(|| round2((a as f64 / self.incident_s) / (b as f64 / self.baseline_s)));
            (ratio, round2(rise(a, b, self.incident_s, self.baseline_s)))
        } else {
            (None, 0.0)
        };
        NoveltyItem {
            value,
            incident: a,
            baseline: b,
            ratio,
            rise,
            new: self.comparable && b == 0,
            rose: rise > 1.0,
            example: t.example.and_then(|i| events.list.get(i)).map(ErrorEvent::cite),
            client_id: None,
        }
    }
}

/// Ranks by supported rise (by incident count when nothing is comparable),
/// then by value, then by first sight ([`Tally::first`]), and keeps the top.
fn ranked(mut items: Vec<(NoveltyItem, u64)>) -> Vec<NoveltyItem> {
    let order = |(x, xf): &(NoveltyItem, u64), (y, yf): &(NoveltyItem, u64)| {
        y.rise.total_cmp(&x.rise).then(y.incident.cmp(&x.incident)).then(x.value.cmp(&y.value)).then(xf.cmp(yf))
    };
    // Thousands of clients, twenty kept: the top is selected before it is sorted.
    if items.len() > TOP {
        items.select_nth_unstable_by(TOP - 1, order);
        items.truncate(TOP);
    }
    items.sort_by(order);
    items.into_iter().map(|(item, _)| item).collect()
}

fn at(second: i64) -> Instant {
    chrono::DateTime::from_timestamp(second, 0).unwrap_or_default()
}

/// Compares the incident window `[incident.0, incident.1]` with `baseline`
/// (default: as long, just before). Client items are named with what
/// `case.notable` holds; [`unnamed_clients`] says which still need a name.
pub fn compare(
    case: &CaseData,
    events: &Events,
    incident: (Instant, Instant),
    baseline: Option<(Instant, Instant)>,
) -> Novelty {
    let (on, end) = (incident.0.timestamp(), incident.1.timestamp().max(incident.0.timestamp()));
    let incident_len = end - on + 1;
    let base = match baseline {
        Some((a, b)) => (a.timestamp().min(b.timestamp()), a.timestamp().max(b.timestamp())),
        None => (on - incident_len, on - 1),
    };
    // Each source's first and last second, from its counts and its events.
    let mut coverage: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
    let mut cover = |source: u32, t: i64| {
        let c = coverage.entry(source).or_insert((t, t));
        c.0 = c.0.min(t);
        c.1 = c.1.max(t);
    };
    for c in &case.counts {
        cover(c.source, c.second);
    }
    for e in &events.list {
        cover(e.source, e.t);
    }
    let (data_from, data_to) = coverage.values().fold((i64::MAX, i64::MIN), |(a, b), &(x, y)| (a.min(x), b.max(y)));
    let baseline_s = (base.1.min(data_to) - base.0.max(data_from) + 1).max(0);
    let in_window = |t: i64, w: (i64, i64)| t >= w.0 && t <= w.1;
    let mut totals = [[0u64; 3]; 2]; // [incident, baseline] × [records, errors, 4xx]
    for c in &case.counts {
        for (k, w) in [(0, (on, end)), (1, base)] {
            if in_window(c.second, w) {
                totals[k][0] += u64::from(c.total);
                totals[k][1] += u64::from(c.errors);
            }
        }
    }
    let comparable = baseline_s > 0 && totals[1][0] > 0;
    // Sources that were not logging during the baseline say nothing about it.
    let observed = |s: u32| coverage.get(&s).is_some_and(|&(a, b)| a <= base.1 && b >= base.0);
    let mut unobserved: BTreeMap<u32, u64> = BTreeMap::new();
    if comparable {
        for e in events.list.iter().filter(|e| in_window(e.t, (on, end)) && !observed(e.source)) {
            *unobserved.entry(e.source).or_default() += u64::from(e.count);
        }
    }
    let included = |e: &ErrorEvent| !comparable || observed(e.source);
    for c in case.counts.iter().filter(|c| !comparable || observed(c.source)) {
        for (k, w) in [(0, (on, end)), (1, base)] {
            if in_window(c.second, w) {
                totals[k][2] += u64::from(c.http_4xx);
            }
        }
    }
    let range = |w: (i64, i64)| {
        let lo = events.list.partition_point(|e| e.t < w.0);
        let hi = events.list.partition_point(|e| e.t <= w.1);
        lo..hi.max(lo)
    };
    let scope = Scope { events, incident: range((on, end)), baseline: range(base), included: &included };
    let windows = Windows { incident_s: incident_len as f64, baseline_s: baseline_s as f64, comparable };

    let signatures = tally::<usize>(&scope, KEYS, &|_, e, emit| emit(e.cluster, u64::from(e.count), true));
    let endpoints = tally::<Arc<str>>(&scope, KEYS, &|_, e, emit| {
        if let Some(ep) = &e.endpoint {
            emit(ep.clone(), u64::from(e.count), true)
        }
    });
    let hosts = tally::<Arc<str>>(&scope, KEYS, &|_, e, emit| {
        if let Some(h) = &e.host {
            emit(h.clone(), u64::from(e.count), true)
        }
    });
    let statuses = tally::<u16>(&scope, KEYS, &|_, e, emit| {
        if let Some(s) = e.status {
            emit(s, u64::from(e.count), true)
        }
    });
    let clients = tally::<u64>(&scope, CLIENT_KEYS, &|events, e, emit| {
        let ids = events.clients_of(e);
        for (&c, &n) in ids.iter().zip(events.client_records_of(e)) {
            emit(c, u64::from(n), ids.len() == 1);
        }
    });

    let item = |value: String, t: &Tally| (windows.item(value, t, events), t.first);
    let mut status_items: Vec<(NoveltyItem, u64)> = statuses.iter().map(|(s, t)| item(s.to_string(), t)).collect();
    if totals[0][2] > 0 {
        let t = Tally { incident: totals[0][2], baseline: totals[1][2], ..Tally::default() };
        status_items.push(item("4xx".into(), &t));
    }
    let mut novelty = Novelty {
        incident_from: at(on),
        incident_to: at(end),
        baseline_from: at(base.0),
        baseline_to: at(base.1),
        baseline_given: baseline.is_some(),
        incident_seconds: incident_len as u64,
        baseline_seconds: baseline_s as u64,
        incident_records: totals[0][0],
        baseline_records: totals[1][0],
        incident_errors: totals[0][1],
        baseline_errors: totals[1][1],
        comparable,
        unobserved_sources: unobserved
            .into_iter()
            .map(|(s, n)| UnobservedSource {
                source: case.sources.get(s as usize).map_or_else(|| "?".into(), |s| s.path.clone()),
                incident_errors: n,
            })
            .collect(),
        signatures: ranked(signatures.iter().map(|(c, t)| item(events.miner.template(*c), t)).collect()),
        endpoints: ranked(endpoints.iter().map(|(e, t)| item(e.to_string(), t)).collect()),
        hosts: ranked(hosts.iter().map(|(h, t)| item(h.to_string(), t)).collect()),
        status_codes: ranked(status_items),
        clients: ranked(
            clients
                .iter()
                .map(|(c, t)| {
                    let (it, first) = item(String::new(), t);
                    (NoveltyItem { client_id: Some(*c), ..it }, first)
                })
                .collect(),
        ),
    };
    let ids = events.client_ids();
    name_clients(&mut novelty, &ids, case.notable.iter().filter_map(|n| n.record.client.as_deref()));
    novelty
}

/// The ids of the client items that have no name yet.
pub fn unnamed_clients(novelty: &Novelty) -> Vec<u64> {
    novelty.clients.iter().filter(|c| c.value.is_empty()).filter_map(|c| c.client_id).collect()
}

/// Names the client items from `addresses` (any order, repeats allowed);
/// returns whether every client item has a name. Stops reading as soon as
/// they all do.
pub fn name_clients<'a>(
    novelty: &mut Novelty,
    ids: &crate::events::ClientIds,
    addresses: impl IntoIterator<Item = &'a str>,
) -> bool {
    let mut wanted = unnamed_clients(novelty).len();
    if wanted == 0 {
        return true;
    }
    for address in addresses {
        let id = ids.of(address);
        for c in novelty.clients.iter_mut().filter(|c| c.value.is_empty() && c.client_id == Some(id)) {
            c.value = address.to_string();
            wanted = wanted.saturating_sub(1);
        }
        if wanted == 0 {
            return true;
        }
    }
    false
}
