//! Surges of 4xx responses that are incident signal.
//!
//! A 4xx is the client's mistake until too many clients make it at once: an
//! auth service that fails closed answers 404 or 403 on most pages, and that
//! surge is the incident. Ordinary 404s (a few per cent of requests all day)
//! are not, and neither is a crawler or scanner probing for pages that do not
//! exist, however many it asks for: it is one client.
//!
//! Ingest keeps 4xx records only in minutes where they are a large share of
//! a file's requests (`faultline_store`), so the ordinary ones cost nothing;
//! whether a surge happened is decided on the per-second 4xx counts of each
//! source, which hold every response. A surge is admitted when the counts
//! change significantly (the same scan as for errors, against the source's own
//! 4xx baseline, with its requests as exposure), most of it was kept as
//! records, and no single client made half of it. Its responses then join
//! the error events, and detection treats them like any other error.

use crate::events::{ErrorEvent, Events};
use crate::streams::{Grid, Stream};
use faultline_model::CaseData;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Share of a surge's responses that must have been kept as records.
const MIN_KEPT: f64 = 0.5;
/// Largest share of a surge one client may have made.
const MAX_ONE_CLIENT: f64 = 0.5;
/// Fewest distinct clients of a surge.
const MIN_CLIENTS: usize = 3;

/// Moves the 4xx responses of every surge that is incident signal from
/// [`Events::client_errors`] into [`Events::list`].
pub fn admit(case: &CaseData, events: &mut Events) {
    if events.client_errors.is_empty() {
        return;
    }
    let Some(grid) = Grid::new(case, &events.list) else { return };
    let mut per_source: BTreeMap<u32, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for c in &case.counts {
        let (n4, total) = per_source.entry(c.source).or_insert_with(|| (vec![0.0; grid.nb], vec![0.0; grid.nb]));
        let b = grid.bin_of(c.second);
        if let (Some(n), Some(t)) = (n4.get_mut(b), total.get_mut(b)) {
            *n += f64::from(c.http_4xx);
            *t += f64::from(c.total);
        }
    }
    let mut admitted = vec![false; events.client_errors.len()];
    for (source, (n4, total)) in per_source {
        if n4.iter().sum::<f64>() <= 0.0 {
            continue;
        }
        let (_, seconds) = grid.exposure(Some(&std::iter::once(source).collect::<BTreeSet<u32>>()));
        let mean = total.iter().sum::<f64>() / total.iter().filter(|&&t| t > 0.0).count().max(1) as f64;
        let exposure: Vec<f64> =
            total.iter().zip(&seconds).map(|(&t, &s)| if s > 0.0 { t + 0.01 * mean + 1e-3 } else { 0.0 }).collect();
        let stream = Stream::from_counts(n4.clone(), exposure, seconds);
        let windows = stream.windows();
        for (k, w) in windows.iter().enumerate() {
            let lo = k.checked_sub(1).and_then(|p| windows.get(p)).map_or(0, |p| p.end + 1);
            let (a, z) = (stream.widened_start(w, lo), w.end);
            let (from, to) = (grid.start(a), grid.start(z + 1));
            let counted: f64 = n4.get(a..=z).map_or(0.0, |x| x.iter().sum());
            let inside: Vec<usize> = (0..events.client_errors.len())
                .filter(|&i| events.client_errors.get(i).is_some_and(|e| e.source == source && e.t >= from && e.t < to))
                .collect();
            if is_surge(events, &inside, counted) {
                for i in inside {
                    if let Some(x) = admitted.get_mut(i) {
                        *x = true;
                    }
                }
            }
        }
    }
    if !admitted.contains(&true) {
        return;
    }
    let all = std::mem::take(&mut events.client_errors);
    for (e, keep) in all.into_iter().zip(admitted) {
        if keep {
            events.list.push(e);
        } else {
            events.client_errors.push(e);
        }
    }
    events.list.sort_by_key(|e| (e.t, e.first.micros));
}

/// Whether the kept responses `inside` a window of `counted` 4xx responses
/// are a surge of many clients, not one client's burst.
fn is_surge(events: &Events, inside: &[usize], counted: f64) -> bool {
    let list: Vec<&ErrorEvent> = inside.iter().filter_map(|&i| events.client_errors.get(i)).collect();
    let kept: f64 = list.iter().map(|e| f64::from(e.count)).sum();
    if kept <= 0.0 || kept < MIN_KEPT * counted {
        return false;
    }
    // An event's records are shared evenly among its distinct clients.
    let mut by_client: HashMap<u64, f64> = HashMap::new();
    let mut known = 0.0;
    for e in &list {
        let clients = events.clients_of(e);
        if clients.is_empty() {
            continue;
        }
        let share = f64::from(e.count) / clients.len() as f64;
        for &c in clients {
            *by_client.entry(c).or_default() += share;
        }
        known += f64::from(e.count);
    }
    // Records that name no client (an application's JSON log) cannot tell a
    // crawler apart: judged by the ones that do, when most do.
    if known < 0.5 * kept {
        return true;
    }
    let top = by_client.values().copied().fold(0.0, f64::max);
    by_client.len() >= MIN_CLIENTS && top <= MAX_ONE_CLIENT * known
}
