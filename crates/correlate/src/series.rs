//! The error series for the chart.

use chrono::DateTime;
use faultline_model::{CaseData, ErrorSeries, SeriesBucket};
use std::collections::BTreeMap;

const NICE: &[u32] = &[1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/// A bucket width giving at most ~400 buckets over `span_s` seconds, so a
/// chart shows 200–400 bars for spans of a nice multiple.
pub fn auto_bucket(span_s: i64) -> u32 {
    NICE.iter().copied().find(|&b| span_s / i64::from(b) <= 400).unwrap_or(604_800)
}

/// Sums the per-second counts of every source into buckets.
pub fn build(case: &CaseData, bucket_seconds: Option<u32>) -> ErrorSeries {
    let (Some(first), Some(last)) = (case.counts.first(), case.counts.last()) else {
        return ErrorSeries { bucket_seconds: bucket_seconds.unwrap_or(60).max(1), buckets: Vec::new() };
    };
    let b = bucket_seconds.filter(|&b| b > 0).unwrap_or_else(|| auto_bucket(last.second - first.second + 1));
    let bi = i64::from(b);
    let mut map: BTreeMap<i64, SeriesBucket> = BTreeMap::new();
    for c in &case.counts {
        let start = c.second.div_euclid(bi) * bi;
        let e = map.entry(start).or_insert_with(|| SeriesBucket {
            start: DateTime::from_timestamp(start, 0).unwrap_or_default(),
            ..Default::default()
        });
        e.total += u64::from(c.total);
        e.errors += u64::from(c.errors);
        e.http_5xx += u64::from(c.http_5xx);
        e.http_4xx += u64::from(c.http_4xx);
        e.warnings += u64::from(c.warnings);
    }
    ErrorSeries { bucket_seconds: b, buckets: map.into_values().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_bucket_gives_a_few_hundred_bars() {
        for span in [600, 3600, 6 * 3600, 86_400, 7 * 86_400] {
            let b = auto_bucket(span);
            let n = span / i64::from(b);
            assert!((100..=400).contains(&n), "span {span}: bucket {b} gives {n}");
        }
    }
}
