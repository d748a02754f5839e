//! ServiceNow change requests, exported as CSV (list view → Export → CSV,
//! field names or labels as the header) or JSON (the Table API's
//! `{"result": […]}`, the legacy `change_request.do?JSON` `{"records": […]}`).
//!
//! A change request has a `number` (`CHG0031742`), `short_description`,
//! planned `start_date`/`end_date`, actual `work_start`/`work_end`, a
//! `state`, a `close_code`, the configuration item it changes (`cmdb_ci`)
//! and an `assignment_group`. It took effect at its actual end, else its
//! actual start, else its planned start (a request, not a fact). The Table
//! API writes raw times in UTC; display values (`sysparm_display_value=true`)
//! and a CSV export are in the exporting user's zone, read in `--tz`. A
//! request that backs out another (`Back out CHG0031742`, a rollback or
//! revert naming it) undoes it.

use super::json::J;
use super::sniff::Sniff;
use super::{change, Moments, Reading};
use crate::csvtab::{self, Columns, Row};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::time::Zone;
use faultline_model::{Change, ChangeStatus, Instant};
use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

pub(crate) const TOOL: &str = "servicenow";

const NUMBER: &[&str] = &["number"];
const SUMMARY: &[&str] = &["short_description"];
const DESCRIPTION: &[&str] = &["description", "justification"];
const WORK_END: &[&str] = &["work_end", "actual_end", "actual_end_date"];
const WORK_START: &[&str] = &["work_start", "actual_start", "actual_start_date"];
const PLANNED_START: &[&str] = &["start_date", "planned_start_date", "planned_start"];
const OPENED: &[&str] = &["opened_at", "opened", "sys_created_on", "created"];
const SERVICE: &[&str] = &["cmdb_ci", "configuration_item", "business_service", "service"];
const GROUP: &[&str] = &["assignment_group"];
const AUTHOR: &[&str] = &["assigned_to", "requested_by", "opened_by"];
const ENVIRONMENT: &[&str] = &["u_environment", "environment"];
/// Columns only a change request has (an incident export shares the rest).
const CHANGE_ONLY: &[&str] = &[
    "start_date",
    "end_date",
    "work_start",
    "work_end",
    "planned_start_date",
    "planned_end_date",
    "actual_start",
    "actual_end",
    "backout_plan",
    "implementation_plan",
    "change_plan",
];

fn chg() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"\bCHG\d{5,}\b").unwrap_or_else(|e| panic!("change number: {e}")))
}

pub(crate) fn csv_looks_like(cols: &Columns, sample: &[u8]) -> bool {
    let numbered = cols.has(NUMBER) && cols.has(&["short_description", "cmdb_ci", "configuration_item"]);
    let change =
        cols.has(CHANGE_ONLY) || chg().is_match(&String::from_utf8_lossy(sample.get(..4096).unwrap_or(sample)));
    numbered && change && !cols.has(crate::deploys::LOG_MARKERS)
}

pub(crate) fn json_looks_like(s: &Sniff) -> bool {
    let numbered = s.values("number").any(|n| chg().is_match(n));
    let class = s.values("sys_class_name").any(|c| c == "change_request");
    (numbered || class) && s.has("short_description")
}

fn status(state: Option<&str>, close_code: Option<&str>) -> ChangeStatus {
    let code = close_code.map(str::to_ascii_lowercase);
    if code.as_deref().is_some_and(|c| c.starts_with("unsuccessful")) {
        return ChangeStatus::Failed;
    }
    match state.map(str::to_ascii_lowercase).as_deref() {
        Some("3" | "closed" | "0" | "review") => ChangeStatus::Succeeded,
        Some("4" | "canceled" | "cancelled") => ChangeStatus::Cancelled,
        Some("-1" | "implement") => ChangeStatus::InProgress,
        _ => ChangeStatus::Unknown,
    }
}

/// A request that backs out, rolls back or reverts another names it.
fn backs_out(text: &str, own: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let undo = ["back out", "backout", "back-out", "roll back", "rollback", "revert", "undo"]
        .iter()
        .any(|w| lower.contains(w));
    if !undo {
        return None;
    }
    chg().find_iter(text).map(|m| m.as_str()).find(|n| *n != own).map(str::to_string)
}

/// The fields of one change request, however it was exported.
struct Fields {
    number: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    state: Option<String>,
    close_code: Option<String>,
    service: Option<String>,
    group: Option<String>,
    author: Option<String>,
    environment: Option<String>,
    moments: Moments,
}

fn to_change(f: Fields) -> Option<Change> {
    let number = f.number?;
    let mut message = f.summary.clone().unwrap_or_default();
    if let Some(d) = &f.description {
        message += &format!("\n{}", crate::input::cap(d.clone(), 2000));
    }
    let undoes = backs_out(&message, &number);
    let mut c = change(TOOL, number, message, f.moments)?;
    c.status = status(f.state.as_deref(), f.close_code.as_deref());
    c.service = f.service;
    c.environment = f.environment;
    // The team that carried it out, when no person is named.
    c.author = f.author.or(f.group);
    c.undoes = undoes;
    Some(c)
}

pub(crate) fn parse_csv(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let mut r = Reading::new(data, label, opts);
    let zone = opts.zone;
    let mut pending = Vec::new();
    csvtab::read(data, label, |cols, row| {
        if !cols.has(NUMBER) {
            return Err(super::not_found(label, "`number` column"));
        }
        let t = |names: &[&str], row: &Row<'_>| row.get(cols.find(names)).and_then(|v| super::time_text(v, &zone));
        let f = Fields {
            number: row.string(cols.find(NUMBER)),
            summary: row.string(cols.find(SUMMARY)),
            description: row.string(cols.find(DESCRIPTION)),
            state: row.string(cols.find(&["state"])),
            close_code: row.string(cols.find(&["close_code"])),
            service: row.string(cols.find(SERVICE)),
            group: row.string(cols.find(GROUP)),
            author: row.string(cols.find(AUTHOR)),
            environment: row.string(cols.find(ENVIRONMENT)),
            moments: Moments {
                requested: t(PLANNED_START, &row).or(t(OPENED, &row)),
                started: t(WORK_START, &row),
                finished: t(WORK_END, &row),
            },
        };
        pending.push((f, row.span, row.raw.to_vec()));
        Ok(true)
    })?;
    for (f, span, raw) in pending {
        match to_change(f) {
            Some(c) => r.push(c, span),
            None => {
                tally.unparsed(span.line, span.offset, &raw, "change request without a number or a readable time")?;
            }
        }
    }
    r.finish(tally, None)
}

/// A field of the Table API: a string, or `{"display_value", "value"}` / `{"link", "value"}`.
fn field(j: &J<'_>, names: &[&str], display: bool) -> Option<String> {
    names.iter().find_map(|n| {
        let v = j.get(n)?.value;
        match v {
            Value::Object(o) => {
                let pick = if display { ["display_value", "value"] } else { ["value", "display_value"] };
                pick.iter().find_map(|k| o.get(*k).and_then(super::json::scalar_text))
            }
            other => super::json::scalar_text(other),
        }
    })
}

/// A reference such as `cmdb_ci` is a bare sys_id unless display values were exported.
fn not_sys_id(s: String) -> Option<String> {
    let is_id = s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    (!is_id).then_some(s)
}

pub(crate) fn parse_json(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut found = 0usize;
    for root in doc.roots() {
        let list = root.get("result").or(root.get("records")).unwrap_or(root);
        let entries = if list.value.is_array() { list.items() } else { vec![list] };
        for e in entries.iter().filter(|e| e.get("number").is_some()) {
            found += 1;
            let span = r.span_of(e);
            if !e.complete() {
                r.unparsed(tally, span, "cut off by a JSON syntax error")?;
                continue;
            }
            // Raw glide date-times are UTC; display values (`sysparm_display_value=true`,
            // told apart by a `state` written as its label) are in the exporting user's zone.
            let display =
                e.get("state").and_then(|s| s.value.as_str()).is_some_and(|s| s.trim().parse::<i64>().is_err());
            let plain_zone = if display { r.zone } else { Zone::Utc };
            let t = |names: &[&str]| -> Option<Instant> {
                names.iter().find_map(|n| {
                    let v = e.get(n)?.value;
                    match v {
                        Value::Object(o) => {
                            o.get("value").and_then(Value::as_str).and_then(|s| super::time_text(s, &Zone::Utc))
                        }
                        Value::String(s) => super::time_text(s, &plain_zone),
                        _ => None,
                    }
                })
            };
            let f = Fields {
                number: field(e, NUMBER, true),
                summary: field(e, SUMMARY, true),
                description: field(e, DESCRIPTION, true),
                state: field(e, &["state"], false),
                close_code: field(e, &["close_code"], false),
                service: field(e, SERVICE, true).and_then(not_sys_id),
                group: field(e, GROUP, true).and_then(not_sys_id),
                author: field(e, AUTHOR, true).and_then(not_sys_id),
                environment: field(e, ENVIRONMENT, true),
                moments: Moments {
                    requested: t(PLANNED_START).or(t(OPENED)),
                    started: t(WORK_START),
                    finished: t(WORK_END),
                },
            };
            match to_change(f) {
                Some(c) => r.push(c, span),
                None => {
                    r.unparsed(tally, span, "change request without a number or a readable time")?;
                }
            }
        }
    }
    if found == 0 {
        return Err(super::not_found(label, "ServiceNow change request"));
    }
    r.finish(tally, doc.broke.as_ref())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// A list export with field names as the header, times in the exporting user's zone (+01:00 here).
    pub(crate) const CSV: &str = "\
\"number\",\"short_description\",\"type\",\"state\",\"cmdb_ci\",\"assignment_group\",\"assigned_to\",\"start_date\",\"end_date\",\"work_start\",\"work_end\",\"close_code\"
\"CHG0031740\",\"Rotate TLS certificates on edge proxies\",\"Standard\",\"Closed\",\"edge-proxy\",\"Network Ops\",\"Tom Berg\",\"2026-03-12 09:00:00\",\"2026-03-12 10:00:00\",\"2026-03-12 09:05:12\",\"2026-03-12 09:31:40\",\"Successful\"
\"CHG0031742\",\"Enable request signing for payment calls (SIGNING_MODE=strict in payments config)\",\"Normal\",\"Closed\",\"checkout\",\"Payments Platform\",\"Dana Lee\",\"2026-03-12 15:00:00\",\"2026-03-12 16:00:00\",\"2026-03-12 15:02:03\",\"2026-03-12 15:09:12\",\"Successful\"
\"CHG0031745\",\"Back out CHG0031742: request signing breaks checkout\",\"Emergency\",\"Review\",\"checkout\",\"Payments Platform\",\"Sam Okafor\",\"2026-03-12 16:15:00\",\"2026-03-12 16:45:00\",\"2026-03-12 16:20:58\",\"\",\"\"
\"CHG0031750\",\"Resize search cluster\",\"Normal\",\"Scheduled\",\"search\",\"Search\",\"\",\"2026-03-13 22:00:00\",\"2026-03-13 23:00:00\",\"\",\"\",\"\"
\"CHG0031751\",\"Never scheduled\",\"Normal\",\"New\",\"search\",\"Search\",\"\",\"\",\"\",\"\",\"\",\"\"
";

    #[test]
    fn csv_change_requests_use_actual_then_planned_times_and_back_outs() {
        let (sink, report) = run(CSV, SourceFormat::ServiceNowCsv, &zone("+01:00"));
        assert_eq!((report.records, report.unparsed), (4, 1));
        assert_eq!(sink.unparsed[0].0, 6);
        let c = sink.changes.iter().find(|c| c.id == "CHG0031742").unwrap();
        assert_eq!((c.time, c.moment), (utc("2026-03-12T14:09:12Z"), ChangeMoment::Finished));
        assert_eq!(c.started, Some(utc("2026-03-12T14:02:03Z")));
        assert_eq!(c.requested, Some(utc("2026-03-12T14:00:00Z")));
        assert_eq!(c.status, ChangeStatus::Succeeded);
        assert_eq!(c.service.as_deref(), Some("checkout"));
        assert_eq!(c.author.as_deref(), Some("Dana Lee"));
        assert_eq!(c.span.line, 3);
        let back = sink.changes.iter().find(|c| c.id == "CHG0031745").unwrap();
        assert_eq!(back.undoes.as_deref(), Some("CHG0031742"));
        assert_eq!((back.time, back.moment), (utc("2026-03-12T15:20:58Z"), ChangeMoment::Started));
        let planned = sink.changes.iter().find(|c| c.id == "CHG0031750").unwrap();
        assert_eq!((planned.moment, planned.status), (ChangeMoment::Requested, ChangeStatus::Unknown));
    }

    #[test]
    fn an_excel_resave_with_labels_semicolons_and_day_first_dates_reads_the_same() {
        // Exported with labels, opened and saved again by a German Excel.
        let csv = "Number;Short description;State;Configuration item;Assignment group;Planned start date;Planned end date;Actual start;Actual end\n\
CHG0031742;Enable request signing for payment calls;Closed;checkout;Payments Platform;12.03.2026 15:00:00;12.03.2026 16:00:00;12.03.2026 15:02:03;12.03.2026 15:09:12\n";
        let cols = crate::csvtab::header(csv.as_bytes()).unwrap();
        assert!(super::csv_looks_like(&cols, csv.as_bytes()));
        let (sink, report) = run(csv, SourceFormat::ServiceNowCsv, &zone("Europe/Berlin"));
        assert_eq!(report.records, 1);
        let c = &sink.changes[0];
        assert_eq!((c.id.as_str(), c.time), ("CHG0031742", utc("2026-03-12T14:09:12Z")));
        assert_eq!(c.requested, Some(utc("2026-03-12T14:00:00Z")));
        assert_eq!(c.service.as_deref(), Some("checkout"));
    }

    #[test]
    fn table_api_json_reads_utc_values_and_display_objects() {
        let json = r#"{"result":[
  {"number":"CHG0031742","short_description":"Enable request signing for payment calls","state":"3","close_code":"successful","cmdb_ci":{"link":"https://acme.service-now.com/api/now/table/cmdb_ci/7c2e","value":"0c43baa1c611227500e2d9b54a1b5b33"},"assignment_group":{"display_value":"Payments Platform","value":"8a5055c9c61122780043563ef53438e3"},"start_date":"2026-03-12 14:00:00","end_date":"2026-03-12 15:00:00","work_start":"2026-03-12 14:02:03","work_end":"2026-03-12 14:09:12","sys_id":"a9e30c7dc61122760116894de7bcc7bd"},
  {"number":"CHG0031745","short_description":"Rollback of CHG0031742","state":{"display_value":"Closed","value":"3"},"close_code":"unsuccessful","work_start":"2026-03-12 15:20:58","work_end":"2026-03-12 15:30:00"}
]}"#;
        let (sink, report) = run(json, SourceFormat::ServiceNowJson, &zone("+05:00"));
        assert_eq!(report.records, 2);
        let c = &sink.changes[0];
        assert_eq!(c.time, utc("2026-03-12T14:09:12Z"));
        // A bare sys_id names no service.
        assert_eq!(c.service, None);
        assert_eq!(c.author.as_deref(), Some("Payments Platform"));
        assert_eq!(c.span.line, 2);
        assert_eq!(sink.changes[1].status, ChangeStatus::Failed);
        assert_eq!(sink.changes[1].undoes.as_deref(), Some("CHG0031742"));
    }

    #[test]
    fn display_values_are_read_in_the_exporting_users_zone() {
        // `GET /api/now/table/change_request?sysparm_display_value=true`: labels, and times as the user sees them.
        let json = r#"{"result":[{"number":"CHG0031742","short_description":"Enable request signing","state":"Closed","close_code":"Successful","cmdb_ci":"checkout","work_start":"2026-03-12 15:02:03","work_end":"2026-03-12 15:09:12"}]}"#;
        let (sink, _) = run(json, SourceFormat::ServiceNowJson, &zone("Europe/Berlin"));
        assert_eq!(sink.changes[0].time, utc("2026-03-12T14:09:12Z"));
        assert_eq!(sink.changes[0].service.as_deref(), Some("checkout"));
        assert_eq!(sink.changes[0].status, ChangeStatus::Succeeded);
    }

    #[test]
    fn an_incident_export_is_not_a_change_export() {
        let incidents = b"number,short_description,opened_at,cmdb_ci,state\nINC0010021,Checkout down,2026-03-12 14:10:00,checkout,Resolved\n";
        let cols = crate::csvtab::header(incidents).unwrap();
        assert!(!super::csv_looks_like(&cols, incidents));
        let cols = crate::csvtab::header(CSV.as_bytes()).unwrap();
        assert!(super::csv_looks_like(&cols, CSV.as_bytes()));
    }
}
