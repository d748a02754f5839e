//! Finding the incidents: per-signature and overall elevated stretches
//! ([`crate::streams`]) merged into episodes and episodes into incidents,
//! each with one onset and recovery, and the incident's fingerprint.

use crate::events::ErrorEvent;
use crate::signature::{template_id, Miner};
use crate::streams::{Grid, Span, Stream};
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

/// Most signature streams scanned; the rest are too rare to be an incident alone.
const MAX_STREAMS: usize = 60;
/// An episode shorter than this (first to last error, seconds) is a blip: a
/// deploy's restart, a burst of retries. It never starts or ends an incident.
const BLIP_SECONDS: i64 = 120;
/// A blip holding at least this many errors, far from any incident, is an
/// incident of its own.
const BLIP_INCIDENT_ERRORS: u64 = 30;
/// An episode with fewer errors is minor: it neither starts nor ends an incident.
const MINOR_ERRORS: u64 = 10;
/// An episode with less than this share of its strongest neighbour's errors
/// per minute is minor too.
const MINOR_DENSITY: f64 = 0.1;
/// Elevated stretches at most this far apart (seconds) are one incident:
/// errors that come and go (flapping) are one problem until they stay away.
const MERGE_GAP: i64 = 30 * 60;

/// A stretch of errors where one or more streams are elevated together.
#[derive(Debug, Clone)]
struct Episode {
    from: i64,
    to: i64,
    members: Vec<usize>,
    llr: f64,
}

impl Episode {
    fn of(span: &Span) -> Episode {
        Episode { from: span.from, to: span.to, members: span.members.clone(), llr: span.llr }
    }

    fn absorb(&mut self, other: Episode) {
        self.from = self.from.min(other.from);
        self.to = self.to.max(other.to);
        self.members.extend(other.members);
        self.llr = self.llr.max(other.llr);
    }

    fn is_blip(&self) -> bool {
        self.to - self.from < BLIP_SECONDS
    }

    /// Its failures: the failed requests when an access log shows them (an
    /// application log's record of the same failure is not a second one),
    /// else its error records; as [`size`] counts an incident's.
    fn errors(&self, events: &[ErrorEvent]) -> u64 {
        let members = self.members.iter().filter_map(|&i| events.get(i));
        let n_http: u64 = members.clone().filter(|e| e.http).map(|e| u64::from(e.count)).sum();
        if n_http > 0 {
            n_http
        } else {
            members.map(|e| u64::from(e.count)).sum()
        }
    }
}

/// Detects the incident among `events` (sorted by time): the most severe of
/// [`detect_all`].
pub fn detect(case: &CaseData, events: &[ErrorEvent]) -> Option<Detected> {
    detect_all(case, events).into_iter().max_by_key(|d| (size(events, d), std::cmp::Reverse(d.onset)))
}

/// Failed requests of an incident when access logs show them, else its
/// error records: how severe it is.
pub fn size(events: &[ErrorEvent], d: &Detected) -> u64 {
    let members = events.iter().zip(&d.member).filter(|(_, &m)| m);
    let n_http: u64 = members.clone().filter(|(e, _)| e.http).map(|(e, _)| u64::from(e.count)).sum();
    if n_http > 0 {
        n_http
    } else {
        members.map(|(e, _)| u64::from(e.count)).sum()
    }
}

/// Detects every incident among `events` (sorted by time), in time order.
///
/// Each signature's stream (and every error together, where no signature
/// changes on its own) yields its elevated windows; windows that overlap or
/// touch are one episode; episodes less than [`MERGE_GAP`] apart are one
/// incident, except blips (shorter than [`BLIP_SECONDS`]), which join an
/// incident only inside it.
pub fn detect_all(case: &CaseData, events: &[ErrorEvent]) -> Vec<Detected> {
    let Some(grid) = Grid::new(case, events) else { return Vec::new() };
    let mut by_cluster: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut by_status: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by_cluster.entry(e.cluster).or_default().push(i);
        // Admitted 4xx responses fail on many endpoints at once: their
        // status is a stream of its own.
        if let Some(s) = e.status.filter(|s| (400..500).contains(s)) {
            by_status.entry(s).or_default().push(i);
        }
    }
    let weight = |v: &[usize]| v.iter().filter_map(|&i| events.get(i)).map(|e| u64::from(e.count)).sum::<u64>();
    let mut candidates: Vec<(u64, Vec<usize>)> =
        by_cluster.into_values().map(|v| (weight(&v), v)).filter(|(n, _)| *n >= 5).collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    candidates.truncate(MAX_STREAMS);
    candidates.extend(by_status.into_values().map(|v| (weight(&v), v)));
    let spans: Vec<Span> =
        candidates.into_iter().flat_map(|(_, v)| Stream::new(&grid, events, v, false).spans(&grid, events)).collect();
    let overall = Stream::new(&grid, events, (0..events.len()).collect(), true).spans(&grid, events);
    let episodes = episodes(spans, overall, grid.bin);
    let groups = incidents(&episodes, events);
    let mut found: Vec<Detected> = Vec::new();
    for (k, members) in groups.iter().enumerate() {
        let next_onset = groups.get(k + 1).and_then(|g| g.first()).and_then(|&i| events.get(i)).map(|e| e.t);
        if let Some(d) = detected(events, &grid, members, next_onset) {
            found.push(d);
        }
    }
    found
}

/// Signature spans, merged where they overlap or touch (within a bin), then
/// the spans of every error together where no signature span is.
fn episodes(mut spans: Vec<Span>, overall: Vec<Span>, bin: i64) -> Vec<Episode> {
    spans.sort_by_key(|s| (s.from, s.to));
    let mut out: Vec<Episode> = Vec::new();
    for s in &spans {
        match out.last_mut() {
            Some(e) if s.from <= e.to + bin => e.absorb(Episode::of(s)),
            _ => out.push(Episode::of(s)),
        }
    }
    let covered: Vec<(i64, i64)> = out.iter().map(|e| (e.from - bin, e.to + bin)).collect();
    for s in overall.iter().filter(|s| s.overall) {
        if !covered.iter().any(|&(a, z)| s.from <= z && s.to >= a) {
            out.push(Episode::of(s));
        }
    }
    out.sort_by_key(|e| e.from);
    for e in &mut out {
        e.members.sort_unstable();
        e.members.dedup();
    }
    out
}

/// Groups episodes into incidents (each its member events, sorted).
///
/// Episodes less than [`MERGE_GAP`] apart are one incident when they are
/// alike in strength (flapping); a minor one beside a stronger one (a blip,
/// fewer than [`MINOR_ERRORS`] errors, or a tenth of its errors per minute:
/// a few recurrences after recovery) joins it only when it lies inside it,
/// and is left out when it lies near it. A minor episode far from every
/// incident is one of its own when it holds [`BLIP_INCIDENT_ERRORS`]. With
/// no incident by these rules, the strongest episode is one.
fn incidents(episodes: &[Episode], events: &[ErrorEvent]) -> Vec<Vec<usize>> {
    let density = |e: &Episode| e.errors(events) as f64 / (e.to - e.from).max(60) as f64;
    let mut chains: Vec<Vec<&Episode>> = Vec::new();
    for e in episodes.iter().filter(|e| !e.is_blip()) {
        match chains.last_mut().and_then(|c| c.last().copied().map(|l| (c, l))) {
            Some((c, last)) if e.from - last.to <= MERGE_GAP => c.push(e),
            _ => chains.push(vec![e]),
        }
    }
    let mut minors: Vec<&Episode> = episodes.iter().filter(|e| e.is_blip()).collect();
    let mut majors: Vec<&Episode> = Vec::new();
    for chain in &chains {
        let strongest = chain.iter().map(|e| density(e)).fold(0.0, f64::max);
        for &e in chain {
            if e.errors(events) < MINOR_ERRORS || density(e) < MINOR_DENSITY * strongest {
                minors.push(e);
            } else {
                majors.push(e);
            }
        }
    }
    let mut groups: Vec<Episode> = Vec::new();
    for e in majors {
        match groups.last_mut() {
            Some(g) if e.from - g.to <= MERGE_GAP => g.absorb(e.clone()),
            _ => groups.push(e.clone()),
        }
    }
    let mut alone: Vec<Episode> = Vec::new();
    for m in minors {
        if let Some(g) = groups.iter_mut().find(|g| m.from >= g.from && m.to <= g.to) {
            g.members.extend(m.members.iter().copied());
        } else if !groups.iter().any(|g| m.from - g.to <= MERGE_GAP && g.from - m.to <= MERGE_GAP)
            && m.errors(events) >= BLIP_INCIDENT_ERRORS
        {
            alone.push(m.clone());
        }
    }
    groups.extend(alone);
    if groups.is_empty() {
        groups.extend(episodes.iter().max_by(|a, b| a.llr.total_cmp(&b.llr)).cloned());
    }
    groups.sort_by_key(|g| g.from);
    groups
        .into_iter()
        .map(|mut g| {
            g.members.sort_unstable();
            g.members.dedup();
            g.members
        })
        .collect()
}

/// The [`Detected`] of one incident made of `members` (event indices,
/// sorted); `next_onset` is the second the next incident begins.
fn detected(events: &[ErrorEvent], grid: &Grid, members: &[usize], next_onset: Option<i64>) -> Option<Detected> {
    let onset = *members.first()?;
    let mut member = vec![false; events.len()];
    for &i in members {
        if let Some(m) = member.get_mut(i) {
            *m = true;
        }
    }
    let onset_t = events.get(onset)?.t;
    let last_t = members.iter().filter_map(|&i| events.get(i)).map(|e| e.t).max()?;
    let from_data_start = events
        .get(onset)
        .and_then(|e| grid.coverage.get(&e.source))
        .is_some_and(|&(start, _)| onset_t - start < grid.bin);

    // Clusters seen only inside the window, with at least two errors there,
    // belong to it even when too rare to be a change on their own.
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
        })?;
    let quiet_until = next_onset.unwrap_or(grid.data_end).min(grid.data_end);
    let recovered = if quiet_until - last_t >= quiet_needed { Some(last) } else { None };
    Some(Detected { onset, recovered, member, new_clusters, bin: grid.bin, data_end: grid.data_end, from_data_start })
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
    let n = size(events, d);
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
