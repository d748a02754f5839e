//! The error-rate chart as hand-written SVG.
//!
//! Errors per bucket as bars, the incident window as a shaded band, every
//! change in the timeline as a vertical marker (the suggested root cause in
//! red), and a time axis in the display zone so the chart reads like the
//! timeline next to it. Under the time axis, the incident's lanes on the
//! same axis ([`lanes`]).

use chrono::{Duration, TimeZone, Utc};
use faultline_model::time::Zone;
use faultline_model::{Analysis, Instant, TimelineKind};
use std::fmt::Write;

mod lanes;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Escapes text for SVG/XML content and attribute values.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters, even escaped.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

struct Marker {
    at: Instant,
    label: String,
    suspect: bool,
}

/// Renders the chart. `standalone` adds the XML namespace a `.svg` file needs;
/// inline SVG in HTML goes without, so the HTML holds no URL at all.
pub(crate) fn render(analysis: &Analysis, zone: &Zone, width: u32, height: u32, standalone: bool) -> String {
    let w = f64::from(width.max(240));
    // A standalone chart travels alone (pasted into a ticket or a slide): a
    // partial analysis says so above the plot, which the banner pushes down.
    let banner = if standalone { crate::view::partial(analysis) } else { None };
    let banner_lines = banner
        .as_ref()
        .map_or(0, |b| 1 + b.inputs.len().min(BANNER_INPUTS) + usize::from(b.inputs.len() > BANNER_INPUTS));
    let banner_h = if banner_lines == 0 { 0.0 } else { 8.0 + 14.0 * banner_lines as f64 };
    // Without a series there is no time axis to put lanes on (the chart says so instead).
    let lane_rows = if analysis.series.buckets.is_empty() { Vec::new() } else { lanes::rows(analysis) };
    let lanes_h = lanes::height(&lane_rows);
    let h = f64::from(height.max(140)) + banner_h + lanes_h;
    let (left, right, top, bottom) = (52.0, 16.0, 40.0 + banner_h, 40.0 + lanes_h);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let bucket = Duration::seconds(i64::from(analysis.series.bucket_seconds.max(1)));

    let markers: Vec<Marker> = analysis
        .timeline
        .iter()
        .filter(|e| e.kind == TimelineKind::Change)
        .map(|e| Marker {
            at: e.time,
            label: e.change_id.as_deref().map(short_id).unwrap_or_else(|| truncate(&e.text, 24)),
            suspect: e.suspect,
        })
        .collect();
    // The domain is the error series and the incident; a change far outside it
    // (the look-back reaches a day back) would squeeze the incident into a
    // sliver, so only the suspect widens it. The others stay in the timeline table.
    let series_range =
        analysis.series.buckets.first().zip(analysis.series.buckets.last()).map(|(a, b)| (a.start, b.start + bucket));
    let markers: Vec<Marker> =
        markers.into_iter().filter(|m| m.suspect || series_range.is_none_or(|(a, b)| m.at >= a && m.at <= b)).collect();

    let mut out = String::new();
    let ns = if standalone { format!(" xmlns=\"{SVG_NS}\"") } else { String::new() };
    let _ = write!(
        out,
        "<svg{ns} class=\"faultline-chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"fl-chart-title\" font-family=\"system-ui, sans-serif\" font-size=\"11\">",
        width = w,
        height = h,
    );
    let bucket_label = human_bucket(analysis.series.bucket_seconds);
    let _ = write!(
        out,
        "<title id=\"fl-chart-title\">Errors per {} ({}), incident window and changes{}</title>",
        xml_escape(&bucket_label),
        xml_escape(&zone.label()),
        if banner.is_some() { " (partial analysis: some inputs could not be read)" } else { "" }
    );
    let _ = write!(out, "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>");
    if let Some(b) = &banner {
        write_banner(&mut out, b, w, banner_h);
    }

    // The time domain covers the series, the incident and every marker.
    let mut times: Vec<Instant> = analysis.series.buckets.iter().map(|b| b.start).collect();
    if let Some(last) = analysis.series.buckets.last() {
        times.push(last.start + bucket);
    }
    if let Some(inc) = &analysis.incident {
        times.push(inc.onset);
        times.extend(inc.recovered);
    }
    times.extend(markers.iter().map(|m| m.at));
    let (Some(t0), Some(t1)) = (times.iter().min().copied(), times.iter().max().copied()) else {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">No error series in the inputs</text></svg>",
            w / 2.0,
            h / 2.0
        );
        return out;
    };
    // A little room on both sides so a marker at the edge stays visible.
    let span = (t1 - t0).num_seconds().max(60);
    let pad = Duration::seconds((span / 40).max(30));
    let (t0, t1) = (t0 - pad, t1 + pad);
    let total = (t1 - t0).num_milliseconds().max(1) as f64;
    let x_of = |t: Instant| left + plot_w * ((t - t0).num_milliseconds() as f64 / total);

    let max_err = analysis.series.buckets.iter().map(|b| b.errors).max().unwrap_or(0);
    let y_max = nice_ceiling(max_err.max(1));
    let y_of = |v: u64| top + plot_h - plot_h * (v as f64 / y_max as f64);

    // Incident band first so bars draw over it; its label last, over the bars.
    let mut band_label: Option<(f64, String)> = None;
    if let Some(inc) = &analysis.incident {
        let x0 = x_of(inc.onset);
        let x1 = inc.recovered.map(&x_of).unwrap_or(left + plot_w);
        let label = match inc.recovered {
            Some(r) => format!("incident {}–{}", hm(zone, inc.onset), hm(zone, r)),
            None => format!("incident from {} (ongoing)", hm(zone, inc.onset)),
        };
        let _ = write!(
            out,
            "<rect class=\"band\" x=\"{x0:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{plot_h}\" fill=\"#f4a261\" fill-opacity=\"0.18\"><title>{}</title></rect>",
            (x1 - x0).max(1.0),
            xml_escape(&label)
        );
        band_label = Some((x0 + 3.0, label));
    }

    // Gridlines and y labels.
    for v in [0, y_max / 2, y_max] {
        let y = y_of(v);
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{v}</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0
        );
    }
    let _ = write!(
        out,
        "<text x=\"12\" y=\"{:.1}\" transform=\"rotate(-90 12 {:.1})\" text-anchor=\"middle\" fill=\"#555\">errors / {}</text>",
        top + plot_h / 2.0,
        top + plot_h / 2.0,
        xml_escape(&bucket_label)
    );

    // Bars.
    for b in &analysis.series.buckets {
        if b.errors == 0 {
            continue;
        }
        let x = x_of(b.start);
        let bw = (x_of(b.start + bucket) - x - 1.0).max(1.0);
        let y = y_of(b.errors);
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"#c0392b\"><title>{} {}: {} errors of {} records</title></rect>",
            (top + plot_h - y).max(0.0),
            xml_escape(&hm(zone, b.start)),
            xml_escape(&zone.label()),
            b.errors,
            b.total
        );
    }

    if let Some((x, label)) = &band_label {
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" fill=\"#9a5b1f\" font-size=\"10\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            top + 12.0,
            xml_escape(label)
        );
    }

    // Time axis in the display zone.
    let axis_y = top + plot_h;
    let _ = write!(
        out,
        "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{axis_y}\" y2=\"{axis_y}\" stroke=\"#333\"/>",
        left + plot_w
    );
    let multi_day = day(zone, t0) != day(zone, t1);
    let max_ticks = ((plot_w / 70.0).floor() as i64).max(2);
    let step = tick_step(span, max_ticks);
    let mut tick = align_up(zone, t0, step);
    let mut last_day = String::new();
    let mut guard = 0;
    while tick <= t1 && guard < 200 {
        guard += 1;
        let x = x_of(tick);
        let d = day(zone, tick);
        let label = if multi_day && d != last_day {
            format!("{} {}", short_day(zone, tick), hm(zone, tick))
        } else {
            hm(zone, tick)
        };
        last_day = d;
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{axis_y}\" y2=\"{:.1}\" stroke=\"#333\"/><text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            axis_y + 4.0,
            axis_y + 16.0,
            xml_escape(&label)
        );
        tick += Duration::seconds(step);
    }
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">time ({})</text>",
        left + plot_w,
        axis_y + 32.0,
        xml_escape(&zone.label())
    );
    let frame = lanes::Frame { axis_y, left, plot_w, t0, t1, zone, x_of: &x_of };
    lanes::write(&mut out, &lane_rows, &frame);

    // Change markers on top. Labels go in the first of two rows where they do
    // not collide with a neighbour (the suspect's first); a label that fits
    // nowhere is left off — the line and its tooltip stay.
    let mut order: Vec<usize> = (0..markers.len()).collect();
    order.sort_by_key(|&i| !markers[i].suspect);
    let mut rows: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
    let mut placed: Vec<Option<f64>> = vec![None; markers.len()];
    for &i in &order {
        let m = &markers[i];
        let x = x_of(m.at);
        let chars = if m.suspect { m.label.chars().count().min(20) + 10 } else { m.label.chars().count().min(20) };
        let half = chars as f64 * 3.4 + 4.0;
        let span = ((x - half).max(0.0), (x + half).min(w));
        for (r, row) in rows.iter_mut().enumerate() {
            if row.iter().all(|&(a, b)| span.1 < a || span.0 > b) {
                row.push(span);
                placed[i] = Some(if r == 0 { top - 22.0 } else { top - 8.0 });
                break;
            }
        }
    }
    for (i, m) in markers.iter().enumerate() {
        let x = x_of(m.at);
        let (color, width, dash) =
            if m.suspect { ("#b00020", 2.5, "") } else { ("#1f4e79", 1.2, " stroke-dasharray=\"4 3\"") };
        let ly = placed[i].unwrap_or(top - 8.0);
        let label = match placed[i] {
            None => String::new(),
            Some(_) if m.suspect => format!("{} (suspect)", truncate(&m.label, 20)),
            Some(_) => truncate(&m.label, 20),
        };
        let _ = write!(
            out,
            "<g class=\"{}\"><line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{axis_y}\" stroke=\"{color}\" stroke-width=\"{width}\"{dash}/><text x=\"{x:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" fill=\"{color}\"{}>{}</text><title>{} {}: {}</title></g>",
            if m.suspect { "marker suspect" } else { "marker" },
            ly + 3.0,
            if m.suspect { " font-weight=\"bold\"" } else { "" },
            xml_escape(&label),
            xml_escape(&hm(zone, m.at)),
            xml_escape(&zone.label()),
            xml_escape(&m.label),
        );
    }
    out.push_str("</svg>");
    out
}

/// Commit hashes are shown the way git shows them short.
fn short_id(id: &str) -> String {
    if id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        id[..7].to_string()
    } else {
        id.to_string()
    }
}

/// Inputs named one a line in a chart's partial banner; the rest are counted.
const BANNER_INPUTS: usize = 3;

fn write_banner(out: &mut String, b: &crate::view::PartialView, w: f64, banner_h: f64) {
    let chars = ((w - 20.0) / 6.0).max(20.0) as usize;
    let _ = write!(
        out,
        "<g class=\"partial\"><rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{banner_h}\" fill=\"#fdecea\" stroke=\"#c0392b\"/><text x=\"10\" y=\"16\" fill=\"#8e1b10\" font-weight=\"bold\">{}</text>",
        xml_escape(&truncate(&format!("Partial analysis. {}", b.summary), chars))
    );
    let mut y = 16.0;
    for line in b.inputs.iter().take(BANNER_INPUTS) {
        y += 14.0;
        let _ = write!(out, "<text x=\"10\" y=\"{y}\" fill=\"#8e1b10\">{}</text>", xml_escape(&truncate(line, chars)));
    }
    if b.inputs.len() > BANNER_INPUTS {
        y += 14.0;
        let _ = write!(
            out,
            "<text x=\"10\" y=\"{y}\" fill=\"#8e1b10\">and {} more (see the report)</text>",
            b.inputs.len() - BANNER_INPUTS
        );
    }
    out.push_str("</g>");
}

fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn hm(zone: &Zone, t: Instant) -> String {
    t.with_timezone(&zone.offset_at(t)).format("%H:%M").to_string()
}

fn day(zone: &Zone, t: Instant) -> String {
    t.with_timezone(&zone.offset_at(t)).format("%Y-%m-%d").to_string()
}

fn short_day(zone: &Zone, t: Instant) -> String {
    t.with_timezone(&zone.offset_at(t)).format("%b %d").to_string()
}

fn human_bucket(secs: u32) -> String {
    match secs {
        0 | 60 => "min".into(),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// 1, 2, 5, 10, 20, 50, … at or above `v`, so gridline labels are round.
fn nice_ceiling(v: u64) -> u64 {
    let mut base = 1u64;
    loop {
        for m in [1u64, 2, 5] {
            let c = base.saturating_mul(m);
            if c >= v || c == u64::MAX {
                // Even so the midline label is a whole number.
                return if c == 1 { 2 } else { c };
            }
        }
        base = base.saturating_mul(10);
    }
}

/// The smallest wall-clock-friendly step that keeps at most `max_ticks` ticks.
fn tick_step(span_s: i64, max_ticks: i64) -> i64 {
    const STEPS: [i64; 14] = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
    STEPS.iter().copied().find(|s| span_s / s <= max_ticks).unwrap_or(604800)
}

/// The first instant at or after `t` that is a multiple of `step` on the
/// display zone's wall clock (so ticks read 11:00, 11:30, not 11:07, 11:37).
fn align_up(zone: &Zone, t: Instant, step: i64) -> Instant {
    let off = i64::from(zone.offset_at(t).local_minus_utc());
    let local = t.timestamp() + off;
    let aligned = local.div_euclid(step) * step + if local.rem_euclid(step) == 0 { 0 } else { step };
    Utc.timestamp_opt(aligned - off, 0).single().unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_model::{ErrorSeries, SeriesBucket, TimelineEntry};

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn ticks_follow_the_display_zone_and_text_is_escaped() {
        let a = Analysis {
            series: ErrorSeries {
                bucket_seconds: 60,
                buckets: vec![
                    SeriesBucket { start: at("2026-11-24T08:27:00Z"), total: 40, errors: 12, ..Default::default() },
                    SeriesBucket { start: at("2026-11-24T09:10:00Z"), total: 40, errors: 30, ..Default::default() },
                ],
            },
            timeline: vec![TimelineEntry {
                time: at("2026-11-24T08:20:00Z"),
                kind: TimelineKind::Change,
                source: "deploys.csv".into(),
                text: "push <b>".into(),
                citation: None,
                change_id: Some("cfg-<42>".into()),
                suspect: true,
                clock_offset_ms: None,
            }],
            ..Analysis::default()
        };
        let plus3 = Zone::parse("+03:00").unwrap_or_default();
        let svg = render(&a, &plus3, 800, 300, true);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        // 08:30Z is 11:30 at +03:00: the axis speaks the display zone.
        assert!(svg.contains(">11:30<"), "{svg}");
        assert!(!svg.contains(">08:30<"));
        assert!(svg.contains("cfg-&lt;42&gt; (suspect)"));
        assert!(!svg.contains("<42>"));
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        assert!(svg.contains("time (UTC+3)"));
    }

    #[test]
    fn empty_analysis_still_renders_a_valid_chart() {
        let svg = render(&Analysis::default(), &Zone::Utc, 400, 200, false);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("No error series"));
        assert!(!svg.contains("http"));
    }
}
