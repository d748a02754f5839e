//! Timing: how likely a change's distance to the onset is if it caused the
//! incident, against how likely it is by chance given the background rate of
//! changes.
//!
//! If change *c* caused the incident, the onset follows it after a lag drawn
//! from a mixture of two components:
//! - **fast** (a trigger: a bad deploy, a config push): exponential with
//!   scale `τ = 300 s + rise`, where `rise` is how long the errors took to
//!   reach half their early peak (a config agent's poll, a rollout, a slow
//!   ramp all blur the onset). Weight 0.7 for a sharp onset, 0.4 for a gradual one.
//! - **latent** (a cache expiry, a cron job, a leak, a phased rollout):
//!   log-uniform from ten minutes to the look-back, `1 / (Δ · ln(L / 600 s))`,
//!   flat below ten minutes (a latent cause does not favour the last minute).
//!
//! A change up to `grace = 30 s + rise / 2` after the onset still counts as
//! before it (clocks of deploy tools and servers disagree).
//!
//! If it did not, the change is one of the changes that happen anyway: a
//! Poisson process at the background rate `λ = N / L` (N changes before the
//! onset in the look-back L), never taken below one change every two hours —
//! the inputs rarely hold every change made. The timing ratio is `f(Δ) / λ`.

use crate::events::ErrorEvent;
use faultline_model::{Change, Lag, OnsetShape};

/// Seconds of clock skew tolerated between change records and logs.
const GRACE_S: i64 = 30;
/// The fewest changes a day the background rate assumes: one every two hours.
const MIN_CHANGE_INTERVAL_S: f64 = 7200.0;
/// The fast component's scale before the onset's own rise time is added.
const FAST_SCALE_S: f64 = 300.0;
/// Where the latent component's log-uniform density begins.
const LATENT_MIN_S: f64 = 600.0;
/// The ratio given to a change made after the onset.
pub(crate) const AFTER_ONSET_RATIO: f64 = 0.001;

/// How the errors began.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Onset {
    pub t: i64,
    pub shape: OnsetShape,
    /// Seconds until the error rate first reached half its peak of the first 30 minutes.
    pub rise_s: i64,
}

impl Onset {
    /// Measures the rise from the incident's errors (`members`, in time order).
    pub(crate) fn measure(events: &[ErrorEvent], members: &[usize], onset: i64) -> Onset {
        let mut minutes = [0u64; 30];
        for e in members.iter().filter_map(|&i| events.get(i)) {
            let k = (e.t - onset).div_euclid(60);
            if let Some(m) = usize::try_from(k).ok().and_then(|k| minutes.get_mut(k)) {
                *m += u64::from(e.count);
            }
        }
        let peak = minutes.iter().copied().max().unwrap_or(0);
        let first_half = minutes.iter().position(|&m| 2 * m >= peak && m > 0).unwrap_or(0);
        let rise_s = 60 * first_half as i64;
        let shape = if rise_s <= 120 { OnsetShape::Sharp } else { OnsetShape::Gradual };
        Onset { t: onset, shape, rise_s }
    }

    /// Changes this long after the onset still count as before it.
    pub(crate) fn grace_s(&self) -> i64 {
        GRACE_S + (self.rise_s / 2).min(300)
    }
}

/// The background the timing is weighed against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Background {
    /// The look-back, seconds.
    pub lookback_s: f64,
    /// Changes before the onset in the look-back.
    pub changes: usize,
}

impl Background {
    /// The effective number of changes in the look-back: the recorded ones,
    /// or one every two hours when fewer were recorded.
    pub(crate) fn effective(&self) -> f64 {
        (self.changes as f64).max(self.lookback_s / MIN_CHANGE_INTERVAL_S).max(1.0)
    }

    /// Changes a second.
    fn rate(&self) -> f64 {
        self.effective() / self.lookback_s.max(60.0)
    }

    /// Changes a day, for the explanation.
    pub(crate) fn per_day(&self) -> f64 {
        self.rate() * 86_400.0
    }
}

/// When a change took effect, for the timing: a rollout that recorded its
/// start and end took effect somewhere in between, as close to the onset as
/// that allows.
pub(crate) fn effect_time(c: &Change, onset: i64) -> i64 {
    match (c.started, c.finished) {
        (Some(s), Some(f)) if s <= f => onset.clamp(s.timestamp(), f.timestamp()),
        _ => c.time.timestamp(),
    }
}

/// The timing ratio of a change `before_s` seconds before the onset, and the
/// component that explains it.
pub(crate) fn ratio(before_s: i64, onset: &Onset, bg: &Background) -> (f64, Lag) {
    let fast_weight = match onset.shape {
        OnsetShape::Sharp => 0.7,
        OnsetShape::Gradual => 0.4,
    };
    let scale = FAST_SCALE_S + onset.rise_s.min(1800) as f64;
    let d = before_s.max(0) as f64;
    let fast = fast_weight / scale * (-d / scale).exp();
    let span = (bg.lookback_s / LATENT_MIN_S).max(std::f64::consts::E);
    let latent = if d <= bg.lookback_s { (1.0 - fast_weight) / (d.max(LATENT_MIN_S) * span.ln()) } else { 0.0 };
    let lag = if fast >= latent { Lag::Fast } else { Lag::Latent };
    ((fast + latent) / bg.rate(), lag)
}

/// The largest timing ratio any change can have for this onset and
/// background: that of a change just before it.
pub(crate) fn peak_ratio(onset: &Onset, bg: &Background) -> f64 {
    ratio(0, onset, bg).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sharp() -> Onset {
        Onset { t: 0, shape: OnsetShape::Sharp, rise_s: 0 }
    }

    #[test]
    fn seconds_before_a_sharp_onset_on_a_quiet_day_is_strong_and_an_hour_is_not() {
        let quiet = Background { lookback_s: 86_400.0, changes: 3 };
        let (near, lag) = ratio(4, &sharp(), &quiet);
        assert!(near > 15.0, "{near}");
        assert_eq!(lag, Lag::Fast);
        let (far, lag) = ratio(73 * 60, &sharp(), &quiet);
        assert!(far < 1.0, "{far}");
        assert_eq!(lag, Lag::Latent);
    }

    #[test]
    fn a_busy_day_weakens_the_same_timing() {
        let quiet = Background { lookback_s: 86_400.0, changes: 3 };
        let busy = Background { lookback_s: 86_400.0, changes: 400 };
        let (q, _) = ratio(60, &sharp(), &quiet);
        let (b, _) = ratio(60, &sharp(), &busy);
        assert!(b < q / 10.0 && b < 2.0, "{q} vs {b}");
    }

    #[test]
    fn a_gradual_onset_spreads_the_fast_component() {
        let bg = Background { lookback_s: 86_400.0, changes: 3 };
        let gradual = Onset { t: 0, shape: OnsetShape::Gradual, rise_s: 900 };
        assert!(ratio(1800, &gradual, &bg).0 > ratio(1800, &sharp(), &bg).0);
        assert!(ratio(10, &gradual, &bg).0 < ratio(10, &sharp(), &bg).0);
    }
}
