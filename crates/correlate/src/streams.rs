//! Error streams counted on one grid of bins, the windows where each is
//! elevated, and the stretch of errors each window stands for.
//!
//! A stream is one signature's errors (or every error together, or every
//! response of one 4xx status). [`Stream::windows`] finds its elevated
//! windows one after another (the strongest first, then the strongest beside
//! it, …), each significant with traffic as exposure *and* per second.
//! [`Stream::spans`] turns each window into the errors it stands for: the
//! window widened over a less steep stretch before it (a ramp's start), its
//! edges placed on single errors, and a tail of stragglers that follow each
//! other closely enough to still be the incident.

use crate::changepoint::{self, Window};
use crate::events::ErrorEvent;
use faultline_model::CaseData;
use std::collections::{BTreeSet, HashMap};

/// Most elevated windows looked for in one stream.
const MAX_SCANS: usize = 6;
/// Likelihood ratio a stream's second and later windows must reach. Each
/// scan is one more look at the same noise: a stream of timeouts at their
/// usual rate reaches 12 somewhere in a day after its incident is set aside,
/// while a second real incident reaches hundreds.
const LATER_LLR: f64 = 20.0;
/// Most times a window is widened at each end.
const MAX_STEPS: usize = 4;
/// Longest pause between stragglers of a tail, in seconds (at least two bins).
const STRAGGLER_GAP: i64 = 180;
/// Longest pause between stragglers of an incident that failed slowly.
const MAX_STRAGGLER_GAP: i64 = 900;
/// Most errors the stream's own baseline may explain in such a pause: a
/// stream that fails every minute anyway has no stragglers, only baseline.
const STRAGGLER_BASELINE: f64 = 0.05;

/// The bins every stream is counted in, with the traffic in each.
#[derive(Debug)]
pub(crate) struct Grid {
    /// First second of the first bin.
    pub t0: i64,
    /// Bin width, seconds.
    pub bin: i64,
    /// Number of bins.
    pub nb: usize,
    /// Last second of data.
    pub data_end: i64,
    /// Records of every source per bin.
    traffic: Vec<f64>,
    /// First and last second of each source's data.
    pub coverage: HashMap<u32, (i64, i64)>,
    /// Exposure added to every covered bin: an hour with no traffic counted
    /// (a source with errors only) is not infinitely elevated.
    eps: f64,
}

impl Grid {
    /// The grid over a case's counts and error events: one-minute bins,
    /// wider for long spans so a scan stays ~1500 bins.
    pub fn new(case: &CaseData, events: &[ErrorEvent]) -> Option<Grid> {
        let first_ev = events.first().map(|e| e.t);
        let last_ev = events.last().map(|e| e.t);
        let t0 = match (case.counts.first().map(|c| c.second), first_ev) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        let data_end = match (case.counts.last().map(|c| c.second), last_ev) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b)?,
        };
        let span = (data_end - t0 + 1).max(1);
        let bin = (((span + 1499) / 1500).max(60) + 59) / 60 * 60;
        // Bins cover exactly the seconds with data: an empty bin past the end
        // (data ending on a whole minute) made all of it look elevated against a
        // sliver of "outside" with no errors.
        let nb = usize::try_from((span - 1) / bin + 1).ok()?;
        let mut grid = Grid { t0, bin, nb, data_end, traffic: vec![0.0; nb], coverage: HashMap::new(), eps: 0.0 };
        for c in &case.counts {
            let b = grid.bin_of(c.second);
            if let Some(x) = grid.traffic.get_mut(b) {
                *x += f64::from(c.total);
            }
            let e = grid.coverage.entry(c.source).or_insert((c.second, c.second));
            e.0 = e.0.min(c.second);
            e.1 = e.1.max(c.second);
        }
        for e in events {
            // Events of a source without counts still define its coverage.
            let c = grid.coverage.entry(e.source).or_insert((e.t, e.t));
            c.0 = c.0.min(e.t);
            c.1 = c.1.max(e.t);
        }
        let nonzero: Vec<f64> = grid.traffic.iter().copied().filter(|&x| x > 0.0).collect();
        grid.eps = 0.01 * nonzero.iter().sum::<f64>() / nonzero.len().max(1) as f64 + 1e-3;
        Some(grid)
    }

    /// The bin holding second `t` (clamped to the grid).
    pub fn bin_of(&self, t: i64) -> usize {
        usize::try_from((t - self.t0) / self.bin).unwrap_or(0).min(self.nb.saturating_sub(1))
    }

    /// First second of bin `b` (`b == nb`: just past the data).
    pub fn start(&self, b: usize) -> i64 {
        self.t0 + b as i64 * self.bin
    }

    /// Seconds of data in bin `b`: the last one may be partial.
    fn seconds(&self, b: usize) -> f64 {
        (self.data_end + 1 - self.start(b)).clamp(0, self.bin) as f64
    }

    /// Exposure (traffic) and seconds per bin of a stream of errors from
    /// `sources` (`None`: all of them): zero outside their coverage.
    pub fn exposure(&self, sources: Option<&BTreeSet<u32>>) -> (Vec<f64>, Vec<f64>) {
        let covered: Option<Vec<(usize, usize)>> = sources.map(|s| {
            s.iter().filter_map(|s| self.coverage.get(s)).map(|&(a, b)| (self.bin_of(a), self.bin_of(b))).collect()
        });
        let inside = |b: usize| covered.as_ref().is_none_or(|c| c.iter().any(|&(a, z)| b >= a && b <= z));
        (0..self.nb).map(|b| if inside(b) { (self.traffic[b] + self.eps, self.seconds(b)) } else { (0.0, 0.0) }).unzip()
    }
}

/// One stream of errors on the grid.
#[derive(Debug)]
pub(crate) struct Stream {
    /// Its events (indices into the event list, in time order).
    pub events: Vec<usize>,
    /// Errors per bin.
    pub counts: Vec<f64>,
    /// Traffic per bin.
    pub exposure: Vec<f64>,
    /// Seconds of data per bin.
    pub seconds: Vec<f64>,
    /// Every error together: used where no signature changes on its own.
    pub overall: bool,
}

/// The errors one window of a stream stands for.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    /// Its events (indices into the event list, in time order).
    pub members: Vec<usize>,
    /// Second of the first.
    pub from: i64,
    /// Second of the last.
    pub to: i64,
    /// The window's likelihood ratio.
    pub llr: f64,
    /// Found in the stream of every error together.
    pub overall: bool,
}

impl Stream {
    /// The stream of `members` (event indices in time order). A signature's
    /// stream is exposed only where its sources have data; `overall` is
    /// exposed everywhere.
    pub fn new(grid: &Grid, events: &[ErrorEvent], members: Vec<usize>, overall: bool) -> Stream {
        let mut counts = vec![0.0; grid.nb];
        let mut sources = BTreeSet::new();
        for e in members.iter().filter_map(|&i| events.get(i)) {
            if let Some(c) = counts.get_mut(grid.bin_of(e.t)) {
                *c += f64::from(e.count);
            }
            sources.insert(e.source);
        }
        let (exposure, seconds) = grid.exposure(if overall { None } else { Some(&sources) });
        Stream { events: members, counts, exposure, seconds, overall }
    }

    /// A stream made of counts alone (no events to place edges on).
    pub fn from_counts(counts: Vec<f64>, exposure: Vec<f64>, seconds: Vec<f64>) -> Stream {
        Stream { events: Vec::new(), counts, exposure, seconds, overall: false }
    }

    /// Its elevated windows, in time order: each the strongest significant
    /// window beside those found before it, and elevated per second too.
    pub fn windows(&self) -> Vec<Window> {
        let mut counts = self.counts.clone();
        let mut exposure = self.exposure.clone();
        let mut taken = vec![false; counts.len()];
        let mut found = Vec::new();
        for _ in 0..MAX_SCANS {
            let later = taken.contains(&true);
            let Some(w) = changepoint::scan_between(&counts, &exposure, &taken)
                .filter(|w| w.is_significant() && (!later || w.llr >= LATER_LLR))
            else {
                break;
            };
            // Judged against the stream minus the windows found so far.
            let seconds: Vec<f64> = self.seconds.iter().zip(&taken).map(|(&s, &t)| if t { 0.0 } else { s }).collect();
            if changepoint::holds_per_second(&counts, &seconds, w.start, w.end) {
                found.push(w);
            }
            for b in w.start..=w.end.min(counts.len().saturating_sub(1)) {
                counts[b] = 0.0;
                exposure[b] = 0.0;
                taken[b] = true;
            }
        }
        found.sort_by_key(|w| w.start);
        found
    }

    /// The first bin window `w` stands for once widened over a less steep
    /// stretch before it (a ramp), no earlier than bin `lo` (the end of the
    /// window before it).
    pub fn widened_start(&self, w: &Window, lo: usize) -> usize {
        let mut a = w.start;
        for _ in 0..MAX_STEPS {
            match changepoint::rise_before(&self.counts, &self.exposure, &self.seconds, lo, a) {
                Some(s) if s.at < a => a = s.at,
                _ => break,
            }
        }
        a
    }

    /// Errors per second of the stream outside `windows`' bins.
    fn baseline_per_second(&self, windows: &[(usize, usize)]) -> f64 {
        let (mut n, mut s) = (0.0, 0.0);
        for (b, (&c, &sec)) in self.counts.iter().zip(&self.seconds).enumerate() {
            if !windows.iter().any(|&(a, z)| b >= a && b <= z) {
                n += c;
                s += sec;
            }
        }
        if s > 0.0 {
            n / s
        } else {
            0.0
        }
    }

    /// The errors each elevated window stands for, in time order.
    ///
    /// The onset is placed on an error near the (widened) window's start, the
    /// end on one near its end; then the stragglers that follow join while
    /// each comes within [`straggler_gap`] of the one before and the stream's
    /// baseline would rarely fill the pause. An error after a longer quiet is
    /// a blip, not the tail: recovery is not pushed past it. A window that
    /// begins inside the tail of the one before stands for what is left.
    pub fn spans(&self, grid: &Grid, events: &[ErrorEvent]) -> Vec<Span> {
        let windows = self.windows();
        if windows.is_empty() {
            return Vec::new();
        }
        let times: Vec<f64> = self.events.iter().filter_map(|&i| events.get(i)).map(|e| e.t as f64).collect();
        let weights: Vec<f64> = self.events.iter().filter_map(|&i| events.get(i)).map(|e| f64::from(e.count)).collect();
        let extents: Vec<(usize, usize)> = windows
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let lo = k.checked_sub(1).and_then(|p| windows.get(p)).map_or(0, |p| p.end + 1);
                (self.widened_start(w, lo), w.end)
            })
            .collect();
        let baseline = self.baseline_per_second(&extents);
        let weight_in = |from: f64, to: f64| -> f64 {
            times.iter().zip(&weights).filter(|(&t, _)| t >= from && t < to).map(|(_, w)| w).sum()
        };
        let b = grid.bin as f64;
        let mut out: Vec<Span> = Vec::new();
        for (k, (w, &(a, z))) in windows.iter().zip(&extents).enumerate() {
            let window_lo = k.checked_sub(1).and_then(|p| extents.get(p)).map_or(grid.t0, |p| grid.start(p.1 + 1));
            // Not before the last error the span before took.
            let lo_t = out.last().map_or(window_lo, |p| window_lo.max(p.to + 1)) as f64;
            let hi_t = extents.get(k + 1).map_or(grid.start(grid.nb), |n| grid.start(n.0)) as f64;
            let (start_t, end_t) = (grid.start(a) as f64, grid.start(z + 1) as f64);
            if end_t <= lo_t {
                continue;
            }
            let per_s = |from: f64, to: f64| weight_in(from, to) / (to - from).max(1.0);
            let rate_before = per_s(window_lo as f64, start_t);
            let rate_head = per_s(start_t.max(lo_t), (start_t.max(lo_t) + 3.0 * b).min(end_t));
            let tail_from = (end_t - 3.0 * b).max(start_t).max(lo_t);
            let rate_tail = per_s(tail_from, end_t);
            let rate_after = per_s(end_t, hi_t);
            let on = changepoint::refine_onset(
                &times,
                &weights,
                (start_t - 3.0 * b).max(lo_t),
                (start_t + 3.0 * b).min(end_t).max(lo_t),
                rate_before,
                rate_head,
            );
            let off = changepoint::refine_end(
                &times,
                &weights,
                tail_from,
                (end_t + 3.0 * b).min(hi_t),
                rate_tail,
                rate_after,
            );
            let (Some(mut on), Some(mut off)) = (on, off) else { continue };
            if off < on {
                continue;
            }
            // The first errors of a slow ramp come as sparsely as a tail's
            // stragglers, possibly before the reach of the refinement: they
            // lead the onset while each comes within the gap of the next
            // and the stream's baseline would rarely fill the pause.
            let lead_gap = straggler_gap(grid.bin, rate_head);
            while let (Some(prev), Some(&t)) = (on.checked_sub(1), times.get(on)) {
                let Some(&p) = times.get(prev) else { break };
                let pause = t - p;
                if p < lo_t || pause > lead_gap || baseline * pause > STRAGGLER_BASELINE {
                    break;
                }
                on = prev;
            }
            let gap = straggler_gap(grid.bin, rate_tail);
            while let (Some(&t), Some(&next)) = (times.get(off), times.get(off + 1)) {
                let pause = next - t;
                if pause > gap || baseline * pause > STRAGGLER_BASELINE {
                    break;
                }
                off += 1;
            }
            let members: Vec<usize> = self.events.get(on..=off).map(<[usize]>::to_vec).unwrap_or_default();
            let (Some(&from), Some(&to)) = (times.get(on), times.get(off)) else { continue };
            out.push(Span { members, from: from as i64, to: to as i64, llr: w.llr, overall: self.overall });
        }
        out
    }
}

/// The longest pause (seconds) between an incident's last errors and a
/// straggler that still belongs to it: [`STRAGGLER_GAP`] or two bins, or ten
/// of the incident's own gaps near its end when it failed slowly.
pub(crate) fn straggler_gap(bin: i64, tail_rate_per_s: f64) -> f64 {
    let own = if tail_rate_per_s > 0.0 { 10.0 / tail_rate_per_s } else { 0.0 };
    (STRAGGLER_GAP.max(2 * bin) as f64).max(own.min(MAX_STRAGGLER_GAP as f64))
}
