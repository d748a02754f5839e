//! The lanes under the plot (see [`faultline_model::lanes`]): one row per
//! lane on the plot's time axis, each event a tick or a span with its text as
//! a tooltip. Events closer than a pixel are one mark whose tooltip counts
//! them, so a busy channel adds marks, not megabytes.

use super::{hm, truncate, xml_escape};
use faultline_model::time::Zone;
use faultline_model::{Analysis, Instant, Lane, LaneItem, LaneKind, LaneMark, TimelineKind};
use std::fmt::Write;

/// Height of one lane: its title above a strip of marks.
const ROW_H: f64 = 26.0;
/// Room between the time axis labels and the first lane.
const GAP: f64 = 46.0;

/// The lanes to draw: the analysis' non-empty lanes, then the analyst's notes.
pub(super) fn rows(analysis: &Analysis) -> Vec<Lane> {
    let mut rows: Vec<Lane> = analysis.lanes.iter().filter(|l| !l.items.is_empty()).cloned().collect();
    let notes: Vec<LaneItem> = analysis
        .timeline
        .iter()
        .filter(|e| e.kind == TimelineKind::Note && e.source == "analyst")
        .map(|e| LaneItem {
            time: e.time,
            end: None,
            text: e.text.clone(),
            count: 1,
            mark: LaneMark::Plain,
            citation: e.citation.clone(),
        })
        .collect();
    if !notes.is_empty() {
        rows.push(Lane::new(LaneKind::Notes, "Notes", notes, None));
    }
    rows
}

/// The height the rows add below the plot.
pub(super) fn height(rows: &[Lane]) -> f64 {
    if rows.is_empty() {
        0.0
    } else {
        GAP + ROW_H * rows.len() as f64
    }
}

/// Where the lanes go and how time maps to x.
pub(super) struct Frame<'a> {
    /// The top of the first lane (the time axis' baseline).
    pub axis_y: f64,
    pub left: f64,
    pub plot_w: f64,
    pub t0: Instant,
    pub t1: Instant,
    pub zone: &'a Zone,
    pub x_of: &'a dyn Fn(Instant) -> f64,
}

pub(super) fn write(out: &mut String, rows: &[Lane], f: &Frame<'_>) {
    if rows.is_empty() {
        return;
    }
    out.push_str("<g class=\"lanes\">");
    let mut y = f.axis_y + GAP;
    for lane in rows {
        let inside: Vec<&LaneItem> =
            lane.items.iter().filter(|i| i.end.unwrap_or(i.time) >= f.t0 && i.time <= f.t1).collect();
        let outside = (lane.items.len() - inside.len()) as u64 + lane.omitted;
        let title = if outside > 0 {
            format!("{} ({} not shown: outside the chart's range or past the lane's limit)", lane.title, outside)
        } else {
            lane.title.clone()
        };
        let _ = write!(
            out,
            "<g class=\"lane\" data-kind=\"{}\"><text x=\"4\" y=\"{:.1}\" fill=\"#52606d\" font-size=\"10\">{}</text><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\" fill=\"#f1f3f5\"/>",
            kind_name(lane.kind),
            y + 9.0,
            xml_escape(&truncate(&title, 120)),
            f.left,
            y + 12.0,
            f.plot_w
        );
        let mut k = 0;
        while k < inside.len() {
            let first = inside[k];
            let x0 = (f.x_of)(first.time.max(f.t0));
            let x1 = first.end.map(|e| (f.x_of)(e.min(f.t1)));
            // Points on the same pixel with the same mark are one mark.
            let mut n = 1;
            if x1.is_none() {
                while let Some(next) = inside.get(k + n) {
                    if next.end.is_some() || next.mark != first.mark || (f.x_of)(next.time) - x0 >= 1.0 {
                        break;
                    }
                    n += 1;
                }
            }
            let tip = if n > 1 {
                format!("{} {}: {} (and {} more here)", hm(f.zone, first.time), f.zone.label(), first.text, n - 1)
            } else {
                format!("{} {}: {}", hm(f.zone, first.time), f.zone.label(), first.text)
            };
            let (w, opacity) = match x1 {
                Some(x1) => ((x1 - x0).max(2.0), 0.55),
                None => (2.5, 1.0),
            };
            let _ = write!(
                out,
                "<rect class=\"lane-item {}\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"10\" fill=\"{}\" fill-opacity=\"{opacity}\"><title>{}</title></rect>",
                mark_name(first.mark),
                y + 12.0,
                color(lane.kind, first.mark),
                xml_escape(&truncate(&tip, 300))
            );
            k += n;
        }
        out.push_str("</g>");
        y += ROW_H;
    }
    out.push_str("</g>");
}

fn kind_name(k: LaneKind) -> &'static str {
    match k {
        LaneKind::Changes => "changes",
        LaneKind::Signature => "signature",
        LaneKind::Users => "users",
        LaneKind::Support => "support",
        LaneKind::Alerts => "alerts",
        LaneKind::Restarts => "restarts",
        LaneKind::Notes => "notes",
    }
}

fn mark_name(m: LaneMark) -> &'static str {
    match m {
        LaneMark::Plain => "plain",
        LaneMark::Suspect => "suspect",
        LaneMark::Fix => "fix",
        LaneMark::Failed => "failed",
        LaneMark::Report => "report",
        LaneMark::Ack => "ack",
        LaneMark::New => "new",
    }
}

/// The same palette as the desktop's lanes (ui/src/views/lanes.ts).
fn color(kind: LaneKind, m: LaneMark) -> &'static str {
    match (kind, m) {
        (_, LaneMark::Suspect) => "#b00020",
        (_, LaneMark::Fix) => "#2e7d32",
        (_, LaneMark::Failed) => "#d97706",
        (_, LaneMark::Report) => "#7b1fa2",
        (_, LaneMark::Ack) => "#1f4e79",
        (LaneKind::Signature, _) => "#c0392b",
        (LaneKind::Changes, _) => "#3e6fd8",
        (LaneKind::Alerts, _) => "#d97706",
        (LaneKind::Notes, _) => "#0f766e",
        _ => "#52606d",
    }
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use chrono::{TimeZone, Utc};
    use faultline_model::time::Zone;
    use faultline_model::{
        Analysis, ErrorSeries, Instant, Lane, LaneItem, LaneKind, LaneMark, SeriesBucket, TimelineEntry, TimelineKind,
    };

    fn at(h: u32, m: u32) -> Instant {
        Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).single().unwrap_or_default()
    }

    fn item(t: Instant, text: &str, mark: LaneMark) -> LaneItem {
        LaneItem { time: t, end: None, text: text.into(), count: 1, mark, citation: None }
    }

    #[test]
    fn the_svg_draws_every_lane_under_the_plot_with_marks_and_tooltips() {
        let buckets = (0..60)
            .map(|k| SeriesBucket {
                start: at(8, 0) + chrono::Duration::minutes(k),
                total: 40,
                errors: 3,
                ..Default::default()
            })
            .collect();
        let mut sig = item(at(8, 20), "KeyError: 'session_<*>' (120 in the incident)", LaneMark::New);
        sig.end = Some(at(8, 40));
        let a = Analysis {
            series: ErrorSeries { bucket_seconds: 60, buckets },
            lanes: vec![
                Lane::new(LaneKind::Changes, "Changes", vec![item(at(8, 18), "cfg-42 push", LaneMark::Suspect)], None),
                Lane::new(LaneKind::Signature, "KeyError", vec![sig], None),
                Lane::new(
                    LaneKind::Users,
                    "Users",
                    vec![
                        item(at(8, 25), "bob: <script>can't log in</script>", LaneMark::Report),
                        // Same pixel, same mark: one mark that counts both.
                        item(at(8, 25), "carol: same", LaneMark::Report),
                        // A day earlier: outside the chart, counted in the title.
                        item(at(8, 0) - chrono::Duration::days(1), "alice: hi", LaneMark::Plain),
                    ],
                    None,
                ),
                Lane::new(LaneKind::Support, "Support", Vec::new(), None),
            ],
            timeline: vec![TimelineEntry {
                time: at(8, 30),
                kind: TimelineKind::Note,
                source: "analyst".into(),
                text: "Rolled back cfg-42".into(),
                citation: None,
                change_id: None,
                suspect: false,
                clock_offset_ms: None,
            }],
            ..Analysis::default()
        };
        let without =
            render(&Analysis { lanes: Vec::new(), timeline: Vec::new(), ..a.clone() }, &Zone::Utc, 800, 300, true);
        let svg = render(&a, &Zone::Utc, 800, 300, true);
        let kinds: Vec<&str> = svg.match_indices("data-kind=\"").map(|(i, _)| &svg[i + 11..i + 11 + 5]).collect();
        assert_eq!(kinds, ["chang", "signa", "users", "notes"], "empty lanes are left out, notes come last");
        assert_eq!(svg.matches("class=\"lane-item suspect\"").count(), 1);
        assert_eq!(svg.matches("class=\"lane-item report\"").count(), 1);
        assert!(svg.contains("(and 1 more here)"));
        assert!(svg.contains("Users (1 not shown"));
        assert!(svg.contains("08:30 UTC: Rolled back cfg-42"));
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        let height = |s: &str| s.split("height=\"").nth(1).and_then(|v| v.split('"').next()?.parse::<f64>().ok());
        assert!(height(&svg) > height(&without), "the lanes add height below the plot");
        // The signature is a span as wide as its 20 minutes.
        let span = svg.split("class=\"lane-item new\"").nth(1).expect("span");
        let w: f64 = span.split("width=\"").nth(1).and_then(|v| v.split('"').next()?.parse().ok()).unwrap_or(0.0);
        assert!(w > 100.0, "{w}");
    }

    #[test]
    fn redaction_reaches_the_lanes() {
        let mut msg = item(
            at(8, 25),
            "bob: my token is Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            LaneMark::Report,
        );
        msg.citation = Some(faultline_model::Citation {
            file: "tickets.csv".into(),
            line: 2,
            offset: 0,
            text: "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl".into(),
        });
        let a = Analysis { lanes: vec![Lane::new(LaneKind::Users, "Users", vec![msg], None)], ..Analysis::default() };
        let red = crate::redact::Redactor::for_analysis(&a).analysis(&a);
        let json = serde_json::to_string(&red.lanes).unwrap_or_default();
        assert!(!json.contains("eyJzdWIiOiIxIn0"), "{json}");
        assert!(json.contains("bob: my token is"));
    }
}
