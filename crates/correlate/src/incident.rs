//! Finding the incident window: per-signature and overall change points,
//! merged into one onset and recovery, and the incident's fingerprint.

use crate::changepoint::{self, Window};
use crate::events::ErrorEvent;
use crate::signature::{template_id, Miner};
use faultline_model::{CaseData, Incident, Signature};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What detection concluded, in terms of the error events.
#[derive(Debug, Clone)]
pub struct Detected {
    /// Index (into the events) of the first incident error.
    pub onset: usize,
    /// Index of the last incident error, when the rate is back at baseline.
    pub recovered: Option<usize>,
    /// Per event: whether it belongs to the incident.
    pub member: Vec<bool>,
    /// Clusters not seen before the onset.
    pub new_clusters: BTreeSet<usize>,
    /// Bin width used by the scan, seconds.
    pub bin: i64,
    /// Last second of log data.
    pub data_end: i64,
    /// The first incident error is in the first bin of its source's data:
    /// the incident may have begun before the inputs do.
    pub from_data_start: bool,
}

struct Stream {
    events: Vec<usize>,
    window: Window,
}

/// Most streams scanned; the rest are too rare to be an incident alone.
const MAX_STREAMS: usize = 60;

/// Detects the incident among `events` (sorted by time).
pub fn detect(case: &CaseData, events: &[ErrorEvent]) -> Option<Detected> {
    let first_ev = events.first()?.t;
    let last_ev = events.last()?.t;
    let t0 = case.counts.first().map_or(first_ev, |c| c.second.min(first_ev));
    let data_end = case.counts.last().map_or(last_ev, |c| c.second.max(last_ev));
    let span = (data_end - t0 + 1).max(1);
    // One-minute bins, wider for long spans so the scan stays ~1500 bins.
    let bin = (((span + 1499) / 1500).max(60) + 59) / 60 * 60;
    // Bins cover exactly the seconds with data: an empty bin past the end
    // (data ending on a whole minute) made all of it look elevated against a
    // sliver of "outside" with no errors.
    let nb = usize::try_from((span - 1) / bin + 1).ok()?;
    let bin_of = |t: i64| usize::try_from((t - t0) / bin).unwrap_or(0).min(nb - 1);

    let mut traffic = vec![0.0f64; nb];
    let mut coverage: HashMap<u32, (i64, i64)> = HashMap::new();
    for c in &case.counts {
        traffic[bin_of(c.second)] += f64::from(c.total);
        let e = coverage.entry(c.source).or_insert((c.second, c.second));
        e.0 = e.0.min(c.second);
        e.1 = e.1.max(c.second);
    }
    for e in events {
        // Events of a source without counts still define its coverage.
        let c = coverage.entry(e.source).or_insert((e.t, e.t));
        c.0 = c.0.min(e.t);
        c.1 = c.1.max(e.t);
    }
    let nonzero: Vec<f64> = traffic.iter().copied().filter(|&x| x > 0.0).collect();
    let eps = 0.01 * nonzero.iter().sum::<f64>() / nonzero.len().max(1) as f64 + 1e-3;

    let stream_for = |cluster: Option<usize>, members: Vec<usize>| -> Option<Stream> {
        let mut counts = vec![0.0; nb];
        let mut sources = BTreeSet::new();
        for &i in &members {
            let e = events.get(i)?;
            counts[bin_of(e.t)] += f64::from(e.count);
            sources.insert(e.source);
        }
        let covered: Vec<(usize, usize)> =
            sources.iter().filter_map(|s| coverage.get(s)).map(|&(a, b)| (bin_of(a), bin_of(b))).collect();
        let exposure: Vec<f64> = (0..nb)
            .map(|b| {
                if cluster.is_none() || covered.iter().any(|&(a, z)| b >= a && b <= z) {
                    traffic[b] + eps
                } else {
                    0.0
                }
            })
            .collect();
        let window = changepoint::scan(&counts, &exposure)?;
        Some(Stream { events: members, window })
    };

    let mut by_cluster: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by_cluster.entry(e.cluster).or_default().push(i);
    }
    let weight = |v: &[usize]| v.iter().filter_map(|&i| events.get(i)).map(|e| u64::from(e.count)).sum::<u64>();
    let mut candidates: Vec<(u64, usize, Vec<usize>)> =
        by_cluster.into_iter().map(|(c, v)| (weight(&v), c, v)).filter(|(n, _, _)| *n >= 5).collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    candidates.truncate(MAX_STREAMS);
    let mut streams: Vec<Stream> = candidates
        .into_iter()
        .filter_map(|(_, c, v)| stream_for(Some(c), v))
        .filter(|s| s.window.is_significant())
        .collect();
    let overall = stream_for(None, (0..events.len()).collect()).filter(|s| s.window.is_significant());

    let primary = streams
        .iter()
        .map(|s| s.window)
        .chain(overall.as_ref().map(|s| s.window))
        .max_by(|a, b| a.llr.total_cmp(&b.llr))?;
    let (lo, hi) = (primary.start.saturating_sub(2), primary.end + 2);
    streams.retain(|s| s.window.end >= lo && s.window.start <= hi);
    if streams.is_empty() {
        streams.extend(overall);
    }

    let mut member = vec![false; events.len()];
    let mut onset: Option<usize> = None;
    let mut last: Option<usize> = None;
    for s in &streams {
        let w = s.window;
        let start_t = (t0 + w.start as i64 * bin) as f64;
        let end_t = (t0 + (w.end as i64 + 1) * bin) as f64;
        let times: Vec<f64> = s.events.iter().filter_map(|&i| events.get(i)).map(|e| e.t as f64).collect();
        let weights: Vec<f64> = s.events.iter().filter_map(|&i| events.get(i)).map(|e| f64::from(e.count)).collect();
        let sum_where = |keep: &dyn Fn(f64) -> bool| {
            times.iter().zip(&weights).filter(|(&t, _)| keep(t)).map(|(_, w)| w).sum::<f64>()
        };
        let n_before = sum_where(&|t| t < start_t);
        let n_after = sum_where(&|t| t >= end_t);
        let n_in = weights.iter().sum::<f64>() - n_before - n_after;
        let rate_before = n_before / (start_t - (t0 as f64)).max(1.0);
        let rate_after = n_after / ((data_end as f64) - end_t).max(1.0);
        let rate_in = n_in / (end_t - start_t).max(1.0);
        let b = bin as f64;
        let on = changepoint::refine_onset(
            &times,
            &weights,
            start_t - 3.0 * b,
            (start_t + 3.0 * b).min(end_t),
            rate_before,
            rate_in,
        );
        let off = changepoint::refine_end(
            &times,
            &weights,
            (end_t - 3.0 * b).max(start_t),
            end_t + 3.0 * b,
            rate_in,
            rate_after,
        );
        let (Some(on), Some(off)) = (on, off) else { continue };
        let (Some(&on_ev), Some(&off_ev)) = (s.events.get(on), s.events.get(off)) else { continue };
        for &i in s.events.iter().skip(on).take(off.saturating_sub(on) + 1) {
            if let Some(m) = member.get_mut(i) {
                *m = true;
            }
        }
        if onset.is_none_or(|o| on_ev < o) {
            onset = Some(on_ev);
        }
        if last.is_none_or(|l| off_ev > l) {
            last = Some(off_ev);
        }
    }
    let onset = onset?;
    let last = last?;
    let (onset_t, last_t) = (events.get(onset)?.t, events.get(last)?.t);
    let from_data_start =
        events.get(onset).and_then(|e| coverage.get(&e.source)).is_some_and(|&(start, _)| onset_t - start < bin);

    // Clusters first seen inside the window with at least two errors belong
    // to it even when too rare to be a change on their own.
    let mut first_seen: HashMap<usize, i64> = HashMap::new();
    let mut counts_in: HashMap<usize, usize> = HashMap::new();
    let mut last_seen: HashMap<usize, i64> = HashMap::new();
    for e in events {
        first_seen.entry(e.cluster).or_insert(e.t);
        last_seen.insert(e.cluster, e.t);
        if e.t >= onset_t && e.t <= last_t {
            *counts_in.entry(e.cluster).or_default() += e.count as usize;
        }
    }
    for (i, e) in events.iter().enumerate() {
        let fs = first_seen.get(&e.cluster).copied().unwrap_or(i64::MIN);
        let ls = last_seen.get(&e.cluster).copied().unwrap_or(i64::MAX);
        if fs >= onset_t && ls <= last_t && counts_in.get(&e.cluster).copied().unwrap_or(0) >= 2 {
            if let Some(m) = member.get_mut(i) {
                *m = true;
            }
        }
    }
    let new_clusters: BTreeSet<usize> = events
        .iter()
        .zip(&member)
        .filter(|(_, &m)| m)
        .map(|(e, _)| e.cluster)
        .filter(|c| first_seen.get(c).is_some_and(|&f| f >= onset_t))
        .collect();

    // Recovered only when the quiet after the last error is long against the
    // incident's own error rate: a pause of ten typical gaps, two minutes at least.
    let n_members =
        events.iter().zip(&member).filter(|(_, &m)| m).map(|(e, _)| f64::from(e.count)).sum::<f64>().max(1.0);
    let typical_gap = ((last_t - onset_t).max(1) as f64) / n_members;
    let quiet_needed = (10.0 * typical_gap).max(120.0) as i64;
    // Events are in order of their first record: of the incident's events in
    // its last second, the one whose last record is latest ends it.
    let last = (0..events.len())
        .filter(|&i| member.get(i).copied().unwrap_or(false) && events.get(i).is_some_and(|e| e.t == last_t))
        .reduce(|a, b| match (events.get(a), events.get(b)) {
            (Some(ea), Some(eb)) if !crate::events::ends_later(ea, eb) => a,
            _ => b,
        })
        .unwrap_or(last);
    let recovered = if data_end - last_t >= quiet_needed { Some(last) } else { None };
    Some(Detected { onset, recovered, member, new_clusters, bin, data_end, from_data_start })
}

/// The incident's signatures, new ones first then by count.
pub fn signatures(events: &[ErrorEvent], d: &Detected, miner: &Miner) -> Vec<Signature> {
    let mut groups: BTreeMap<usize, Vec<&ErrorEvent>> = BTreeMap::new();
    for (e, _) in events.iter().zip(&d.member).filter(|(_, &m)| m) {
        groups.entry(e.cluster).or_default().push(e);
    }
    let mut out: Vec<Signature> = groups
        .into_iter()
        .filter_map(|(cluster, evs)| {
            let first = evs.first()?;
            let last = evs.iter().copied().reduce(|a, b| if crate::events::ends_later(a, b) { b } else { a })?;
            let template = miner.template(cluster);
            let mut endpoints: Vec<String> = Vec::new();
            let mut hosts: Vec<String> = Vec::new();
            let mut modules: Vec<String> = Vec::new();
            let mut level = None;
            for e in &evs {
                push_unique(&mut endpoints, e.endpoint.as_deref(), 20);
                push_unique(&mut hosts, e.host.as_deref(), 20);
                for m in &e.trace().modules {
                    push_unique(&mut modules, Some(m), 30);
                }
                if e.level > level {
                    level = e.level;
                }
            }
            Some(Signature {
                id: template_id(&template),
                template,
                count: evs.iter().map(|e| u64::from(e.count)).sum(),
                first: first.time(),
                last: last.last_time(),
                new: d.new_clusters.contains(&cluster),
                level,
                endpoints,
                hosts,
                modules,
                example: first.cite(),
            })
        })
        .collect();
    // New first; among equals an exception says more than the 500 it produced.
    let is_http = |s: &Signature| s.template.starts_with("HTTP ");
    out.sort_by(|a, b| {
        b.new.cmp(&a.new).then(is_http(a).cmp(&is_http(b))).then(b.count.cmp(&a.count)).then(a.first.cmp(&b.first))
    });
    out
}

fn push_unique(v: &mut Vec<String>, s: Option<&str>, cap: usize) {
    if let Some(s) = s {
        if v.len() < cap && !v.iter().any(|x| x == s) {
            v.push(s.to_string());
        }
    }
}

/// Builds the [`Incident`] from a detection.
pub fn build(events: &[ErrorEvent], d: &Detected, miner: &Miner) -> Option<Incident> {
    let on = events.get(d.onset)?;
    let rec = d.recovered.and_then(|i| events.get(i));
    let signatures = signatures(events, d, miner);
    let mut ep_counts: HashMap<&str, usize> = HashMap::new();
    let mut services: Vec<String> = Vec::new();
    for (e, _) in events.iter().zip(&d.member).filter(|(_, &m)| m) {
        if let Some(ep) = e.endpoint.as_deref() {
            *ep_counts.entry(ep).or_default() += e.count as usize;
        }
        push_unique(&mut services, e.source_name.as_deref(), 20);
        push_unique(&mut services, e.host.as_deref(), 20);
    }
    let mut endpoints: Vec<(&str, usize)> = ep_counts.into_iter().collect();
    endpoints.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let endpoints: Vec<String> = endpoints.into_iter().map(|(e, _)| e.to_string()).collect();
    // Count failed requests when access logs show them, else error records (as the metrics do).
    let members = events.iter().zip(&d.member).filter(|(_, &m)| m);
    let n_http: u64 = members.clone().filter(|(e, _)| e.http).map(|(e, _)| u64::from(e.count)).sum();
    let n = if n_http > 0 { n_http } else { members.map(|(e, _)| u64::from(e.count)).sum() };
    let what = signatures
        .first()
        .map_or_else(String::new, |s| format!("; {} `{}`", if s.new { "new" } else { "top" }, s.template));
    // No instants here: the exporters and the desktop show them in the display zone.
    let summary = format!(
        "{} errors{}{}{}{}{}",
        n,
        endpoints.first().map_or_else(String::new, |e| format!(" on {e}")),
        services.first().map_or_else(String::new, |s| format!(" ({s})")),
        if d.from_data_start { ", failing from the first minute of its log (it may have begun earlier)" } else { "" },
        if rec.is_none() { ", still ongoing at the end of the data" } else { "" },
        what
    );
    Some(Incident {
        onset: on.time(),
        recovered: rec.map(ErrorEvent::last_time),
        onset_citation: on.cite(),
        recovered_citation: rec.map(ErrorEvent::cite_last),
        signatures,
        endpoints,
        services,
        summary,
    })
}
