//! Change-point detection on error counts.
//!
//! The model is a Poisson *epidemic* change: a stream of errors runs at a
//! baseline rate per unit of traffic, switches to a higher rate at one point
//! and back at a later one. [`scan`] finds the window that maximizes the
//! likelihood ratio of that model against a constant rate (a Kulldorff-style
//! scan statistic) over binned counts, using traffic as exposure so a busy
//! hour's proportionally more 500s is not a change. [`refine_onset`] and
//! [`refine_end`] then place each change point on an event, by maximizing
//! the likelihood of a two-rate Poisson process over the event times near
//! the bin edge — the onset is an error's instant, not a bucket boundary.
//!
//! A window is where a change is *obvious*; an incident often begins less
//! obviously (a slow ramp). [`rise_before`] looks for a less elevated
//! stretch just before a window (a two-rate change point over the bins
//! before it), so a ramp's onset is its first error rather than the point
//! where the ramp became steep. (Its mirror image is no good for the end: with
//! no errors at all after an incident, a few blips half an hour later are
//! "elevated" too. The end is a tail of stragglers, see `streams`.)
//! [`holds_per_second`] checks a window against the errors' rate per second:
//! an hour where traffic drops but a cron job keeps failing at its usual pace
//! has more errors per request, not more errors.

/// The best window of elevated rate in a binned stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// First bin inside.
    pub start: usize,
    /// Last bin inside (inclusive).
    pub end: usize,
    /// Log-likelihood ratio against a constant rate.
    pub llr: f64,
    /// Events inside.
    pub n_in: f64,
    /// Rate per unit exposure inside.
    pub rate_in: f64,
    /// Rate per unit exposure outside.
    pub rate_out: f64,
}

impl Window {
    /// Whether the window is a real change, not noise: a large likelihood
    /// ratio (well above what a scan over a day of Poisson noise reaches),
    /// enough events, and a rate clearly above the rest of the stream.
    pub fn is_significant(&self) -> bool {
        self.llr >= LLR_THRESHOLD && self.n_in >= MIN_EVENTS && self.rate_in >= MIN_RATIO * self.rate_out
    }
}

/// Likelihood ratio a window must reach. A scan of pure Poisson noise over
/// ~1500 bins rarely exceeds 8; real incidents reach hundreds.
pub const LLR_THRESHOLD: f64 = 12.0;

fn xlogy(x: f64, y: f64) -> f64 {
    if x <= 0.0 || y <= 0.0 {
        0.0
    } else {
        x * y.ln()
    }
}

/// Fewest events a window may hold.
pub const MIN_EVENTS: f64 = 5.0;
/// How many times the rate outside a window the rate inside must be.
pub const MIN_RATIO: f64 = 4.0;

/// Finds the window of maximal Poisson likelihood ratio among those that
/// could be a change at all (at least [`MIN_EVENTS`] events, a rate at least
/// [`MIN_RATIO`] times the rate outside): a wide window of a ramp that is
/// only 3× its surroundings must not hide the narrower one that is 10×.
/// `counts` and `exposure` have one entry per bin; a bin with zero exposure
/// is outside the stream's coverage and can hold no events.
pub fn scan(counts: &[f64], exposure: &[f64]) -> Option<Window> {
    scan_between(counts, exposure, &[])
}

/// [`scan`] for windows that hold no bin marked in `taken` (the windows
/// found before, left out with zero counts and exposure: another window may
/// lie beside them, not around them).
pub fn scan_between(counts: &[f64], exposure: &[f64], taken: &[bool]) -> Option<Window> {
    let n = counts.len().min(exposure.len());
    if n == 0 {
        return None;
    }
    let mut cc = vec![0.0; n + 1];
    let mut ce = vec![0.0; n + 1];
    for i in 0..n {
        cc[i + 1] = cc[i] + counts[i];
        ce[i + 1] = ce[i] + exposure[i];
    }
    let (total_n, total_e) = (cc[n], ce[n]);
    if total_n <= 0.0 || total_e <= 0.0 {
        return None;
    }
    let null = xlogy(total_n, total_n / total_e);
    // An optimal window starts and ends on a bin with events: widening it to
    // an empty bin only adds exposure inside.
    let nonempty: Vec<usize> = (0..n).filter(|&i| counts[i] > 0.0).collect();
    // The first taken bin at or after each bin.
    let mut next_taken = vec![n; n + 1];
    for i in (0..n).rev() {
        next_taken[i] = if taken.get(i).copied().unwrap_or(false) { i } else { next_taken[i + 1] };
    }
    let mut best: Option<Window> = None;
    for (a_idx, &a) in nonempty.iter().enumerate() {
        let limit = next_taken[a];
        for &b in nonempty.iter().skip(a_idx).take_while(|&&b| b < limit) {
            let n_in = cc[b + 1] - cc[a];
            let e_in = ce[b + 1] - ce[a];
            let n_out = total_n - n_in;
            let e_out = total_e - e_in;
            // Cheap tests first: most windows of a noisy stream fail them,
            // and the logarithms are what a scan costs.
            if e_in <= 0.0 || e_out <= 0.0 || n_in < MIN_EVENTS || n_in * e_out < MIN_RATIO * n_out * e_in {
                continue;
            }
            let rate_in = n_in / e_in;
            let rate_out = n_out / e_out;
            let llr = xlogy(n_in, rate_in) + xlogy(n_out, rate_out) - null;
            if best.is_none_or(|w| llr > w.llr) {
                best = Some(Window { start: a, end: b, llr, n_in, rate_in, rate_out });
            }
        }
    }
    best
}

/// Whether the window `[start, end]` also holds more errors per second than
/// the rest of the stream (`seconds` per bin, zero outside its coverage):
/// significantly, and at least twice as many. A window found with traffic as
/// exposure may be a trough of traffic under errors that do not follow it.
pub fn holds_per_second(counts: &[f64], seconds: &[f64], start: usize, end: usize) -> bool {
    let (mut n_in, mut s_in, mut n_out, mut s_out) = (0.0, 0.0, 0.0, 0.0);
    for (i, (&c, &s)) in counts.iter().zip(seconds).enumerate() {
        if (start..=end).contains(&i) {
            n_in += c;
            s_in += s;
        } else {
            n_out += c;
            s_out += s;
        }
    }
    if s_in <= 0.0 {
        return false;
    }
    if s_out <= 0.0 || n_out <= 0.0 {
        return n_in > 0.0;
    }
    let (r_in, r_out, r_all) = (n_in / s_in, n_out / s_out, (n_in + n_out) / (s_in + s_out));
    let llr = xlogy(n_in, r_in) + xlogy(n_out, r_out) - xlogy(n_in + n_out, r_all);
    r_in >= 2.0 * r_out && llr >= LLR_THRESHOLD
}

/// A change of rate before a window: the bin where a stretch of a higher
/// rate begins ([`rise_before`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// First bin of the elevated stretch.
    pub at: usize,
    /// Log-likelihood ratio of the two rates against one.
    pub llr: f64,
}

/// Likelihood ratio a stretch beside a window must reach to join it. Lower
/// than [`LLR_THRESHOLD`]: the window already says something changed here;
/// the question is only where it began.
pub const STEP_THRESHOLD: f64 = 8.0;

/// Fewest events of a stretch that joins a window.
const STEP_EVENTS: f64 = 3.0;

/// The most likely start of an elevated stretch that runs up to bin `end`
/// (exclusive) from somewhere in `[from, end)`: the change point of a rise
/// over those bins. `None` unless the stretch is elevated per request and per
/// second (twice the rate before it, both ways) and its ratio reaches
/// [`STEP_THRESHOLD`].
pub fn rise_before(counts: &[f64], exposure: &[f64], seconds: &[f64], from: usize, end: usize) -> Option<Step> {
    let end = end.min(counts.len()).min(exposure.len()).min(seconds.len());
    if end <= from + 1 {
        return None;
    }
    // Sums over [c, end) for every c, walking back.
    let total = sums(counts, exposure, seconds, from, end);
    let mut high = (0.0, 0.0, 0.0);
    let mut best: Option<Step> = None;
    for c in (from + 1..end).rev() {
        high = (high.0 + counts[c], high.1 + exposure[c], high.2 + seconds[c]);
        if counts[c] <= 0.0 {
            continue;
        }
        let low = (total.0 - high.0, total.1 - high.1, total.2 - high.2);
        if let Some(llr) = step_llr(high, low, total) {
            if best.is_none_or(|b| llr > b.llr) {
                best = Some(Step { at: c, llr });
            }
        }
    }
    best.filter(|s| s.llr >= STEP_THRESHOLD)
}

fn sums(counts: &[f64], exposure: &[f64], seconds: &[f64], from: usize, to: usize) -> (f64, f64, f64) {
    let range = from..to;
    let sum = |v: &[f64]| v.get(range.clone()).map_or(0.0, |x| x.iter().sum::<f64>());
    (sum(counts), sum(exposure), sum(seconds))
}

/// The ratio of "`high` at its own rate, `low` at its own" against one rate
/// over both (each a sum of events, exposure and seconds), when `high` holds
/// enough events at twice `low`'s rate per request and per second.
fn step_llr(high: (f64, f64, f64), low: (f64, f64, f64), total: (f64, f64, f64)) -> Option<f64> {
    let ((n_h, e_h, s_h), (n_l, e_l, s_l), (n, e, _)) = (high, low, total);
    if n_h < STEP_EVENTS || e_h <= 0.0 || s_h <= 0.0 || e_l <= 0.0 || s_l <= 0.0 {
        return None;
    }
    if n_h * e_l < 2.0 * n_l * e_h || n_h * s_l < 2.0 * n_l * s_h {
        return None;
    }
    Some(xlogy(n_h, n_h / e_h) + xlogy(n_l, n_l / e_l) - xlogy(n, n / e))
}

/// Index of the first event of the elevated segment: the MLE of a change
/// from `rate_before` to `rate_after` (events per second) among `times`
/// (sorted unix seconds, each standing for `weights[i]` events) within `[from, to]`.
pub fn refine_onset(
    times: &[f64],
    weights: &[f64],
    from: f64,
    to: f64,
    rate_before: f64,
    rate_after: f64,
) -> Option<usize> {
    let idx: Vec<usize> = (0..times.len()).filter(|&i| times[i] >= from && times[i] <= to).collect();
    if idx.is_empty() {
        return None;
    }
    let w = |i: usize| weights.get(i).copied().unwrap_or(1.0);
    let m: f64 = idx.iter().map(|&i| w(i)).sum();
    let (l0, l1) = (rate_before.max(1e-7), rate_after.max(rate_before * 1.5).max(1e-6));
    let mut best: Option<(usize, f64)> = None;
    let mut before = 0.0;
    for &i in &idx {
        let t = times[i];
        let ll = before * l0.ln() - l0 * (t - from) + (m - before) * l1.ln() - l1 * (to - t);
        if best.is_none_or(|(_, b)| ll > b) {
            best = Some((i, ll));
        }
        before += w(i);
    }
    best.map(|(i, _)| i)
}

/// Index of the last event of the elevated segment: the MLE of a change back
/// from `rate_during` to `rate_after` among `times` (weighted as for
/// [`refine_onset`]) within `[from, to]`.
pub fn refine_end(
    times: &[f64],
    weights: &[f64],
    from: f64,
    to: f64,
    rate_during: f64,
    rate_after: f64,
) -> Option<usize> {
    let idx: Vec<usize> = (0..times.len()).filter(|&i| times[i] >= from && times[i] <= to).collect();
    if idx.is_empty() {
        return None;
    }
    let w = |i: usize| weights.get(i).copied().unwrap_or(1.0);
    let m: f64 = idx.iter().map(|&i| w(i)).sum();
    let (l1, l0) = (rate_during.max(rate_after * 1.5).max(1e-6), rate_after.max(1e-7));
    let mut best: Option<(usize, f64)> = None;
    let mut through = 0.0;
    for &i in &idx {
        let t = times[i];
        through += w(i);
        let ll = through * l1.ln() - l1 * (t - from) + (m - through) * l0.ln() - l0 * (to - t);
        if best.is_none_or(|(_, b)| ll > b) {
            best = Some((i, ll));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random Poisson draws, so the tests cannot flake.
    struct Lcg(u64);
    impl Lcg {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
        }
        fn poisson(&mut self, lambda: f64) -> f64 {
            let l = (-lambda).exp();
            let (mut k, mut p) = (0.0, 1.0);
            loop {
                p *= self.uniform();
                if p <= l {
                    return k;
                }
                k += 1.0;
            }
        }
    }

    #[test]
    fn steady_background_noise_is_not_a_change() {
        for seed in 1..20u64 {
            let mut r = Lcg(seed);
            // A day of minutes, 0.5% of ~120 requests a minute failing.
            let exposure: Vec<f64> = (0..1440).map(|i| 60.0 + 60.0 * ((i as f64) / 229.0).sin().abs()).collect();
            let counts: Vec<f64> = exposure.iter().map(|e| r.poisson(e * 0.005)).collect();
            let w = scan(&counts, &exposure);
            assert!(w.is_none_or(|w| !w.is_significant()), "seed {seed}: {w:?}");
        }
    }

    #[test]
    fn a_burst_is_found_at_its_bins() {
        let mut r = Lcg(7);
        let exposure = vec![100.0; 600];
        let counts: Vec<f64> = (0..600).map(|i| r.poisson(if (300..420).contains(&i) { 20.0 } else { 0.3 })).collect();
        let w = scan(&counts, &exposure).filter(Window::is_significant).expect("burst found");
        assert!((299..=301).contains(&w.start), "{w:?}");
        assert!((418..=420).contains(&w.end), "{w:?}");
    }

    #[test]
    fn onset_refines_to_the_first_burst_event_not_a_stray_earlier_one() {
        // A stray baseline error 50 s before a burst at one error every 2 s.
        let mut times = vec![950.0];
        times.extend((0..60).map(|i| 1000.0 + 2.0 * i as f64));
        let ones = vec![1.0; times.len()];
        let i = refine_onset(&times, &ones, 900.0, 1100.0, 0.002, 0.5).expect("onset");
        assert_eq!(times[i], 1000.0);
        let j = refine_end(&times, &ones, 1060.0, 1300.0, 0.5, 0.002).expect("end");
        assert_eq!(times[j], 1118.0);
    }

    #[test]
    fn a_weighted_time_counts_as_that_many_events() {
        // The same burst with its events merged per time: a stray single
        // error, then 30 times standing for 2 errors each.
        let mut times = vec![950.0];
        times.extend((0..30).map(|i| 1000.0 + 4.0 * i as f64));
        let mut weights = vec![1.0];
        weights.extend(std::iter::repeat_n(2.0, 30));
        let i = refine_onset(&times, &weights, 900.0, 1100.0, 0.002, 0.5).expect("onset");
        assert_eq!(times[i], 1000.0);
        let j = refine_end(&times, &weights, 1060.0, 1300.0, 0.5, 0.002).expect("end");
        assert_eq!(times[j], 1116.0);
    }
}
