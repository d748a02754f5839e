//! How well the suspects' posteriors are calibrated on the scenario suite:
//! every suspect of every variant is a forecast ("this change caused it",
//! with probability `score`) and the truth says whether it did.
//!
//! `FAULTLINE_CALIBRATION=FILE` writes the forecasts as CSV and prints the
//! reliability table and the Brier score to stderr.

use serde_json::Value;

/// One suspect of one variant: its family, posterior and whether it was the cause.
pub struct Forecast {
    pub family: String,
    pub score: f64,
    pub culprit: bool,
}

/// One variant's outcome: whether its truth has a culprit, and its suspects as forecasts.
#[derive(Default)]
pub struct Outcome {
    pub has_culprit: bool,
    pub forecasts: Vec<Forecast>,
}

impl Outcome {
    /// The culprit got a posterior of at least 0.5.
    fn named(&self) -> bool {
        self.forecasts.iter().any(|f| f.culprit && f.score >= 0.5)
    }

    /// The culprit scored highest of all suspects.
    fn ranked_first(&self) -> bool {
        let best = self.forecasts.iter().map(|f| f.score).fold(f64::NEG_INFINITY, f64::max);
        self.forecasts.iter().any(|f| f.culprit && f.score >= best)
    }

    /// Nothing got a posterior of 0.5 or more.
    fn named_nothing(&self) -> bool {
        self.forecasts.iter().all(|f| f.score < 0.5)
    }
}

/// Per family: of the variants with a culprit, how many named it and ranked
/// it first; of those without, how many honestly named nothing. Markdown.
pub fn accuracy(families: &[&str], outcomes: &[(usize, &Outcome)]) -> String {
    let mut out =
        String::from("| Scenario family | culprit named | ranked first | honest \"none\" |\n|---|---|---|---|\n");
    let share = |hits: usize, of: usize| if of == 0 { "–".to_string() } else { format!("{hits}/{of}") };
    let mut totals = [0usize; 5];
    for (fi, name) in families.iter().enumerate() {
        let mine: Vec<&Outcome> = outcomes.iter().filter(|(f, _)| *f == fi).map(|(_, o)| *o).collect();
        let culprit: Vec<&&Outcome> = mine.iter().filter(|o| o.has_culprit).collect();
        let none: Vec<&&Outcome> = mine.iter().filter(|o| !o.has_culprit).collect();
        let row = [
            culprit.iter().filter(|o| o.named()).count(),
            culprit.iter().filter(|o| o.ranked_first()).count(),
            culprit.len(),
            none.iter().filter(|o| o.named_nothing()).count(),
            none.len(),
        ];
        for (t, r) in totals.iter_mut().zip(row) {
            *t += r;
        }
        out += &format!(
            "| {name} | {} | {} | {} |\n",
            share(row[0], row[2]),
            share(row[1], row[2]),
            share(row[3], row[4])
        );
    }
    out += &format!(
        "| **all** | **{}** | **{}** | **{}** |\n",
        share(totals[0], totals[2]),
        share(totals[1], totals[2]),
        share(totals[3], totals[4])
    );
    out
}

/// The forecasts of one analysis.
pub fn forecasts(family: &str, culprit: Option<&str>, analysis: &Value) -> Vec<Forecast> {
    analysis["suspects"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|s| Forecast {
                    family: family.to_string(),
                    score: s["score"].as_f64().unwrap_or(0.0),
                    culprit: culprit.is_some_and(|c| s["change_id"].as_str() == Some(c)),
                })
                .collect()
        })
        .unwrap_or_default()
}

const BINS: [(f64, f64); 7] =
    [(0.0, 0.05), (0.05, 0.15), (0.15, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0001)];

/// The reliability table (posterior bins against how often the change was
/// the cause) and the Brier score, as Markdown.
pub fn table(rows: &[&Forecast]) -> String {
    let mut out = String::from("| posterior | suspects | were the cause | mean posterior |\n|---|---|---|---|\n");
    for (lo, hi) in BINS {
        let bin: Vec<&&Forecast> = rows.iter().filter(|f| f.score >= lo && f.score < hi).collect();
        if bin.is_empty() {
            continue;
        }
        let hits = bin.iter().filter(|f| f.culprit).count();
        let mean = bin.iter().map(|f| f.score).sum::<f64>() / bin.len() as f64;
        out += &format!(
            "| {lo:.2}–{:.2} | {} | {hits} ({:.0} %) | {mean:.3} |\n",
            hi.min(1.0),
            bin.len(),
            100.0 * hits as f64 / bin.len() as f64
        );
    }
    let brier = rows.iter().map(|f| (f.score - if f.culprit { 1.0 } else { 0.0 }).powi(2)).sum::<f64>()
        / rows.len().max(1) as f64;
    out += &format!("\nBrier score over {} suspects: {brier:.4}\n", rows.len());
    out
}

/// The forecasts as CSV.
pub fn csv(rows: &[&Forecast]) -> String {
    let mut s = String::from("family,score,culprit\n");
    for f in rows {
        s += &format!("\"{}\",{},{}\n", f.family.replace('"', "'"), f.score, f.culprit);
    }
    s
}
