//! Alerts: Prometheus Alertmanager webhook payloads and incident CSV exports.

use crate::csvtab::{self, Columns};
use crate::jsonin::{self, value_text, value_time};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{Alert, Span};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Whether a JSON object is an Alertmanager webhook payload (or one alert of one).
pub(crate) fn json_is_alertmanager(map: &Map<String, Value>) -> bool {
    let is_alert = |v: &Value| {
        v.as_object().is_some_and(|a| {
            a.get("labels").is_some_and(Value::is_object) && (a.contains_key("startsAt") || a.contains_key("status"))
        })
    };
    match map.get("alerts") {
        Some(Value::Array(list)) => {
            list.first().map_or(map.contains_key("receiver") || map.contains_key("groupLabels"), is_alert)
        }
        _ => map.get("labels").is_some_and(Value::is_object) && map.contains_key("startsAt"),
    }
}

/// Alertmanager writes `0001-01-01T00:00:00Z` for "not ended yet".
fn ends_at(v: Option<&Value>, opts: &SourceOptions) -> Option<faultline_model::Instant> {
    let v = v?;
    if v.as_str().is_some_and(|s| s.starts_with("0001-01-01")) {
        return None;
    }
    value_time(v, &opts.zone).map(|t| t.0)
}

fn alert_of(a: &Map<String, Value>, payload_status: Option<&str>, span: Span, opts: &SourceOptions) -> Option<Alert> {
    let time = value_time(a.get("startsAt")?, &opts.zone)?.0;
    let empty = Map::new();
    let labels = a.get("labels").and_then(Value::as_object).unwrap_or(&empty);
    let annotations = a.get("annotations").and_then(Value::as_object).unwrap_or(&empty);
    let label = |k: &str| labels.get(k).and_then(value_text);
    let note = |k: &str| annotations.get(k).and_then(value_text);
    let summary = note("summary");
    let description = match (summary.clone(), note("description")) {
        (Some(s), Some(d)) if s != d => Some(format!("{s}\n{d}")),
        (s, d) => s.or(d),
    };
    Some(Alert {
        time,
        acknowledged: None,
        resolved: ends_at(a.get("endsAt"), opts),
        title: label("alertname").or(summary).unwrap_or_else(|| "alert".into()),
        service: label("service").or_else(|| label("job")).or_else(|| label("instance")),
        severity: label("severity"),
        status: a.get("status").and_then(value_text).or_else(|| payload_status.map(str::to_string)),
        description,
        responder: None,
        file: None,
        span,
    })
}

pub(crate) fn parse_alertmanager(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    // Alertmanager re-sends a firing alert every repeat interval: count the
    // repeats so the analyst knows why one alert shows up several times.
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut repeats = 0u64;
    jsonin::for_each_object(data, label, tally, |map, item, tally| {
        let entries: Vec<&Map<String, Value>> = match map.get("alerts") {
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_object).collect(),
            _ if map.contains_key("labels") => vec![map],
            _ => {
                return tally.unparsed(item.span.line, item.span.offset, item.raw, "no alerts[] in payload");
            }
        };
        let payload_status = map.get("status").and_then(Value::as_str);
        for entry in entries {
            match alert_of(entry, payload_status, item.span, opts) {
                Some(alert) => {
                    let key = (
                        entry
                            .get("fingerprint")
                            .and_then(value_text)
                            .unwrap_or_else(|| entry.get("labels").map(|l| l.to_string()).unwrap_or_default()),
                        alert.time.to_rfc3339(),
                    );
                    if !seen.insert(key) {
                        repeats += 1;
                    }
                    if !tally.alert(alert)? {
                        return Ok(false);
                    }
                }
                None => {
                    if !tally.unparsed(
                        item.span.line,
                        item.span.offset,
                        item.raw,
                        "alert without a readable startsAt",
                    )? {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    })?;
    if repeats > 0 {
        tally.note(format!(
            "{repeats} alerts repeat an earlier one (same fingerprint and start): Alertmanager re-sends firing alerts and sends them again when resolved"
        ));
    }
    Ok(())
}

const CSV_TIME: &[&str] = &[
    "created_at",
    "created_on",
    "triggered_at",
    "created",
    "opened_at",
    "started_at",
    "start_time",
    "fired_at",
    "timestamp",
    "time",
    "date",
];
const ACKNOWLEDGED: &[&str] = &["acknowledged_at", "acknowledged_on", "acked_at", "ack_time", "acknowledged"];
const RESOLVED: &[&str] = &["resolved_at", "resolved_on", "closed_at", "resolved", "ended_at", "end_time"];
const TITLE: &[&str] =
    &["title", "summary", "incident", "incident_title", "name", "alert", "message", "description", "alias"];
const DESCRIPTION: &[&str] = &["description", "details", "summary", "message"];
const SERVICE: &[&str] = &["service", "service_name", "affected_service", "component", "source", "entity"];
const SEVERITY: &[&str] = &["urgency", "priority", "severity"];
const RESPONDER: &[&str] =
    &["assigned_to", "responder", "responders", "acknowledged_by", "assignee", "owner", "resolved_by"];

/// Columns only an incident / paging export has; `priority` and `status`
/// are in ticket exports too.
const INCIDENT_MARKERS: &[&str] = &[
    "triggered_at",
    "acknowledged_at",
    "acknowledged_on",
    "acknowledged_by",
    "acked_at",
    "resolved_at",
    "resolved_on",
    "urgency",
    "incident",
    "incident_id",
    "incident_number",
    "incident_title",
    "responder",
    "responders",
    "escalation_policy",
    "alias",
    "tiny_id",
];

pub(crate) fn csv_is_incidents(cols: &Columns, lenient: bool) -> bool {
    cols.has(CSV_TIME) && (lenient || cols.has(INCIDENT_MARKERS)) && (cols.has(TITLE) || lenient)
}

pub(crate) fn parse_csv(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    csvtab::read_timed(data, label, CSV_TIME, "creation time", &opts.zone, tally, |cols, row, time, tally| {
        let title_col = cols.find(TITLE);
        // The description is a separate column only when it is not the title.
        let description_col = DESCRIPTION.iter().filter_map(|d| cols.find(&[d])).find(|c| Some(*c) != title_col);
        let when = |names: &[&str]| {
            row.get(cols.find(names)).and_then(|v| faultline_model::time::parse_instant(v, &opts.zone)).map(|t| t.0)
        };
        tally.alert(Alert {
            time,
            acknowledged: when(ACKNOWLEDGED),
            resolved: when(RESOLVED),
            title: row.string(title_col).unwrap_or_else(|| "incident".into()),
            service: row.string(cols.find(SERVICE)),
            severity: row.string(cols.find(SEVERITY)),
            status: row.string(cols.find(&["status", "state"])),
            description: row.string(description_col),
            responder: row.string(cols.find(RESPONDER)),
            file: None,
            span: row.span,
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;

    const WEBHOOK: &str = r#"{"receiver":"pagerduty","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate","service":"checkout","severity":"critical","instance":"10.0.0.5:9100"},"annotations":{"summary":"5xx above 5% on checkout","description":"error ratio 0.31 for 5m"},"startsAt":"2026-11-24T08:26:30.123Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"a1b2c3"},{"status":"firing","labels":{"alertname":"InstanceDown","job":"node","severity":"warning"},"annotations":{"summary":"node down"},"startsAt":"2026-11-24T08:27:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"d4e5f6"}],"groupLabels":{"alertname":"HighErrorRate"},"version":"4"}
{"receiver":"pagerduty","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"HighErrorRate","service":"checkout","severity":"critical"},"annotations":{"summary":"5xx above 5% on checkout"},"startsAt":"2026-11-24T08:26:30.123Z","endsAt":"2026-11-24T09:02:00Z","fingerprint":"a1b2c3"}],"version":"4"}
"#;

    #[test]
    fn alertmanager_webhooks_give_one_alert_per_entry() {
        let (sink, report) = run(WEBHOOK, SourceFormat::Alertmanager, &zone("+03:00"));
        assert_eq!((report.records, report.unparsed), (3, 0));
        let a = &sink.alerts[0];
        assert_eq!(a.time, utc("2026-11-24T08:26:30.123Z"));
        assert_eq!(a.resolved, None);
        assert_eq!(a.title, "HighErrorRate");
        assert_eq!(a.service.as_deref(), Some("checkout"));
        assert_eq!(a.severity.as_deref(), Some("critical"));
        assert_eq!(a.status.as_deref(), Some("firing"));
        assert_eq!(a.description.as_deref(), Some("5xx above 5% on checkout\nerror ratio 0.31 for 5m"));
        assert_eq!(a.span.line, 1);
        // No service label: the job names it.
        assert_eq!(sink.alerts[1].service.as_deref(), Some("node"));
        let resolved = &sink.alerts[2];
        assert_eq!(resolved.resolved, Some(utc("2026-11-24T09:02:00Z")));
        assert_eq!(resolved.status.as_deref(), Some("resolved"));
        assert_eq!(resolved.span.line, 2);
        assert!(report.notes.iter().any(|n| n.starts_with("1 alerts repeat")), "{:?}", report.notes);
    }

    #[test]
    fn a_pretty_printed_single_payload_reads() {
        let pretty = "{\n  \"status\": \"firing\",\n  \"alerts\": [\n    {\n      \"labels\": {\"alertname\": \"DiskFull\"},\n      \"startsAt\": \"2026-11-24T11:00:00+03:00\"\n    }\n  ]\n}\n";
        let (sink, _) = run(pretty, SourceFormat::Alertmanager, &zone("UTC"));
        assert_eq!(sink.alerts.len(), 1);
        assert_eq!(sink.alerts[0].time, utc("2026-11-24T08:00:00Z"));
        // The payload's status stands in for the alert's.
        assert_eq!(sink.alerts[0].status.as_deref(), Some("firing"));

        // A syntax error in a stream of pretty-printed payloads: what came before
        // is kept, the break is unparsed, and a note says the rest was not read.
        let broken = format!("{pretty}{{\n  \"alerts\": [oops]\n}}\n{pretty}");
        let mut sink = faultline_model::CollectingSink::default();
        let report =
            crate::parse_bytes(broken.as_bytes(), "am.json", SourceFormat::Alertmanager, &zone("UTC"), &mut sink)
                .unwrap();
        assert_eq!((report.records, report.unparsed), (1, 1));
        assert_eq!(sink.unparsed[0].0, 10);
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("am.json:10: ") && n.ends_with("the rest of the file could not be read")),
            "{:?}",
            report.notes
        );
    }

    const PAGERDUTY: &str = "\
id,incident_number,title,description,status,urgency,service_name,created_on,acknowledged_at,resolved_on,assigned_to,acknowledged_by
Q1ABC,1042,[FIRING] HighErrorRate checkout,5xx above 5%,resolved,high,checkout-api,2026-11-24T11:26:41+03:00,2026-11-24T11:31:02+03:00,2026-11-24T12:05:00+03:00,Sam Oncall,Sam Oncall
Q1ABD,1043,Latency p99 > 2s,,triggered,low,search,2026-11-24 09:00:00,,,
Q1ABE,1044,Broken row,,triggered,low,search,,,,
";

    #[test]
    fn incident_csv_reads_ack_resolve_and_responder() {
        let (sink, report) = run(PAGERDUTY, SourceFormat::IncidentsCsv, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (2, 1));
        let a = &sink.alerts[0];
        assert_eq!(a.time, utc("2026-11-24T08:26:41Z"));
        assert_eq!(a.acknowledged, Some(utc("2026-11-24T08:31:02Z")));
        assert_eq!(a.resolved, Some(utc("2026-11-24T09:05:00Z")));
        assert_eq!(a.title, "[FIRING] HighErrorRate checkout");
        assert_eq!(a.description.as_deref(), Some("5xx above 5%"));
        assert_eq!(a.service.as_deref(), Some("checkout-api"));
        assert_eq!(a.severity.as_deref(), Some("high"));
        assert_eq!(a.status.as_deref(), Some("resolved"));
        assert_eq!(a.responder.as_deref(), Some("Sam Oncall"));
        assert_eq!(a.span.line, 2);
        let b = &sink.alerts[1];
        assert_eq!((b.time, b.acknowledged, b.resolved), (utc("2026-11-24T09:00:00Z"), None, None));
        assert_eq!(b.description, None);
        assert_eq!(sink.unparsed[0].0, 4);
    }
}
