//! Deploy histories exported as CSV or JSON.

use crate::csvtab::{self, Columns};
use crate::input::split_files;
use crate::jsonin::{self, value_list, value_time, Obj};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{Change, ChangeStatus};

/// Time columns, best first: when the deploy landed beats when the row was made.
pub(crate) const TIME: &[&str] = &[
    "deployed_at",
    "deploy_time",
    "timestamp",
    "time",
    "datetime",
    "date",
    "created_at",
    "started_at",
    "finished_at",
    "completed_at",
    "ts",
];
const ID: &[&str] =
    &["id", "deploy_id", "deployment_id", "sha", "commit", "commit_sha", "version", "revision", "release"];
const SERVICE: &[&str] = &["service", "app", "component", "application", "service_name", "app_name"];
const ENVIRONMENT: &[&str] = &["environment", "env", "stage"];
const AUTHOR: &[&str] = &["author", "user", "deployer", "creator", "deployed_by", "triggered_by", "actor"];
const MESSAGE: &[&str] = &["message", "description", "notes", "summary", "title", "change", "changelog"];
const FILES: &[&str] = &["files", "changed_files", "paths"];
/// What was deployed, when a separate column says it (the id column names the deploy).
const REVISION: &[&str] = &["revision", "sha", "commit", "commit_sha", "image", "image_tag", "chart_version"];
const STATUS: &[&str] = &["status", "state", "result", "outcome"];
/// The deploy or change a row undoes (a rollback of, a revert of, a back-out of).
const UNDOES: &[&str] = &["reverts", "rollback_of", "rolls_back", "undoes", "reverted", "backs_out", "revert_of"];

/// A status column's value as a [`ChangeStatus`].
fn status_of(s: &str) -> ChangeStatus {
    match s.trim().to_ascii_lowercase().as_str() {
        "success" | "succeeded" | "successful" | "ok" | "done" | "completed" | "complete" | "deployed" | "healthy"
        | "synced" => ChangeStatus::Succeeded,
        "failed" | "failure" | "error" | "errored" | "degraded" => ChangeStatus::Failed,
        "cancelled" | "canceled" | "aborted" | "terminated" => ChangeStatus::Cancelled,
        "running" | "in_progress" | "in progress" | "pending" | "progressing" | "started" => ChangeStatus::InProgress,
        _ => ChangeStatus::Unknown,
    }
}

/// Keys only a deploy history has; a bare `id` or `version` is not enough
/// (log lines carry request ids and app versions).
pub(crate) const DEPLOY_MARKERS: &[&str] = &[
    "deploy_id",
    "deployment_id",
    "deployed_at",
    "deploy_time",
    "deployer",
    "deployed_by",
    "sha",
    "commit",
    "commit_sha",
    "revision",
    "files",
    "changed_files",
];

/// Keys that make a JSON object a log record rather than an export row.
pub(crate) const LOG_MARKERS: &[&str] = &[
    "level",
    "lvl",
    "loglevel",
    "log_level",
    "severity_text",
    "logger",
    "logger_name",
    "method",
    "status_code",
    "http_status",
    "request_id",
    "trace_id",
    "span_id",
    "pid",
    "thread",
    "caller",
    "stack",
    "stacktrace",
    "exception",
];

pub(crate) fn csv_is_deploys(cols: &Columns, lenient: bool) -> bool {
    cols.has(TIME)
        && (lenient
            || (!cols.has(LOG_MARKERS)
                && (cols.has(DEPLOY_MARKERS) || (cols.has(&["version", "release"]) && cols.has(SERVICE)))))
}

pub(crate) fn json_is_deploys(obj: &Obj<'_>, lenient: bool) -> bool {
    // Unlike a CSV header, `service` + `version` is no evidence in JSON:
    // structured logs carry both on every line.
    obj.has(TIME) && (lenient || (!obj.has(LOG_MARKERS) && obj.has(DEPLOY_MARKERS)))
}

fn fallback_id(label: &str, line: u64) -> String {
    let name = std::path::Path::new(label).file_name().map_or(label.to_string(), |n| n.to_string_lossy().into_owned());
    format!("{name}:{line}")
}

pub(crate) fn parse_csv(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    csvtab::read_timed(data, label, TIME, "time", &opts.zone, tally, |cols, row, time, tally| {
        let id = row.string(cols.find(ID)).unwrap_or_else(|| fallback_id(label, row.span.line));
        let change = Change {
            author: row.string(cols.find(AUTHOR)),
            service: row.string(cols.find(SERVICE)),
            environment: row.string(cols.find(ENVIRONMENT)),
            files: row.get(cols.find(FILES)).map(split_files).unwrap_or_default(),
            span: row.span,
            revision: REVISION
                .iter()
                .filter_map(|k| cols.find(&[k]))
                .find(|&c| Some(c) != cols.find(ID))
                .and_then(|c| row.string(Some(c))),
            status: row.string(cols.find(STATUS)).map_or(ChangeStatus::Unknown, |s| status_of(&s)),
            undoes: row.string(cols.find(UNDOES)),
            ..Change::new(id, time, row.string(cols.find(MESSAGE)).unwrap_or_default())
        };
        tally.change(change)
    })
}

pub(crate) fn parse_json(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    jsonin::for_each_record(
        data,
        label,
        |o| o.has(TIME),
        tally,
        |map, item, tally| {
            let obj = Obj::new(map);
            let Some((time, flags)) = obj.get(TIME).and_then(|v| value_time(v, &opts.zone)) else {
                return tally.unparsed(item.span.line, item.span.offset, item.raw, "no readable time");
            };
            tally.dst(flags);
            let id = obj.text(ID).unwrap_or_else(|| fallback_id(label, item.span.line));
            let change = Change {
                author: obj.text(AUTHOR),
                service: obj.text(SERVICE),
                environment: obj.text(ENVIRONMENT),
                files: obj.get(FILES).map(value_list).unwrap_or_default(),
                span: item.span,
                revision: {
                    let id_key = ID.iter().find(|k| obj.has(&[k]));
                    REVISION.iter().filter(|k| Some(*k) != id_key).find_map(|k| obj.text(&[k]))
                },
                status: obj.text(STATUS).map_or(ChangeStatus::Unknown, |s| status_of(&s)),
                undoes: obj.text(UNDOES),
                ..Change::new(id, time, obj.text(MESSAGE).unwrap_or_default())
            };
            tally.change(change)
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::ChangeStatus;

    const CSV: &str = "\
deploy_id,service,environment,deployed_at,deployer,description,changed_files
d-101,checkout,production,2026-11-24 10:58:00,alice,\"Bump pool size, add retry\",src/db/pool.py;config/db.yaml
d-102,search,production,2026-11-24T09:15:00Z,bob,Reindex,
d-103,checkout,production,yesterday-ish,carol,broken row,
d-104,checkout,staging,11/24/2026 11:40,dave
";

    #[test]
    fn deploys_csv_maps_columns_and_reads_zone_less_times_in_the_zone() {
        let (sink, report) = run(CSV, SourceFormat::DeploysCsv, &zone("+03:00"));
        assert_eq!(report.records, 3);
        assert_eq!(report.unparsed, 1);
        assert_eq!(sink.unparsed[0].0, 4);
        assert_eq!(sink.unparsed[0].1, "no readable time");
        let c = &sink.changes[0];
        assert_eq!(c.id, "d-101");
        assert_eq!(c.time, utc("2026-11-24T07:58:00Z"));
        assert_eq!(c.service.as_deref(), Some("checkout"));
        assert_eq!(c.environment.as_deref(), Some("production"));
        assert_eq!(c.author.as_deref(), Some("alice"));
        assert_eq!(c.message, "Bump pool size, add retry");
        assert_eq!(c.files, vec!["src/db/pool.py", "config/db.yaml"]);
        assert_eq!(c.span.line, 2);
        // An explicit Z wins over the zone.
        assert_eq!(sink.changes[1].time, utc("2026-11-24T09:15:00Z"));
        assert!(sink.changes[1].files.is_empty());
        // The ragged last row still reads (no message column value).
        let d = &sink.changes[2];
        assert_eq!((d.id.as_str(), d.time, d.message.as_str()), ("d-104", utc("2026-11-24T08:40:00Z"), ""));
        assert_eq!(report.first, Some(utc("2026-11-24T07:58:00Z")));
        assert_eq!(report.last, Some(utc("2026-11-24T09:15:00Z")));
    }

    #[test]
    fn revision_status_and_what_a_row_undoes_are_read() {
        let csv = "\
deploy_id,service,deployed_at,revision,status,rollback_of,description
d-4401,checkout,2026-11-24T10:58:00Z,9fceb02,succeeded,,checkout 2.14.0
d-4402,checkout,2026-11-24T11:31:00Z,1a2b3c4,failed,d-4401,Rollback checkout
";
        let (sink, _) = run(csv, SourceFormat::DeploysCsv, &zone("UTC"));
        let (a, b) = (&sink.changes[0], &sink.changes[1]);
        assert_eq!(
            (a.id.as_str(), a.revision.as_deref(), a.status),
            ("d-4401", Some("9fceb02"), ChangeStatus::Succeeded)
        );
        assert_eq!(a.undoes, None);
        assert_eq!((b.status, b.undoes.as_deref()), (ChangeStatus::Failed, Some("d-4401")));
        let json = r#"[{"id": 991, "sha": "9fceb02", "created_at": "2026-11-24T08:01:00Z", "reverts": "990", "state": "success"}]"#;
        let (sink, _) = run(json, SourceFormat::DeploysJson, &zone("UTC"));
        let c = &sink.changes[0];
        assert_eq!((c.id.as_str(), c.revision.as_deref(), c.undoes.as_deref()), ("991", Some("9fceb02"), Some("990")));
        assert_eq!(c.status, ChangeStatus::Succeeded);
    }

    #[test]
    fn separate_date_and_time_columns_combine() {
        let csv = "Date,Time,Version,App,User\n2026-11-24,11:20:03,v1.4.2,api,jane\n";
        let (sink, _) = run(csv, SourceFormat::DeploysCsv, &zone("UTC"));
        assert_eq!(sink.changes[0].time, utc("2026-11-24T11:20:03Z"));
        assert_eq!(sink.changes[0].id, "v1.4.2");
        assert_eq!(sink.changes[0].service.as_deref(), Some("api"));
    }

    #[test]
    fn deploys_json_array_and_lines() {
        let array = r#"[
  {"id": 991, "sha": "9fceb02", "environment": "production", "created_at": "2026-11-24T08:01:00Z",
   "creator": {"login": "octocat"}, "description": "Deploy 9fceb02", "files": ["app/models/user.rb", {"filename": "db/schema.rb"}]},
  {"id": 992, "sha": "a1b2c3d", "created_at": 1795512060, "creator": {"login": "hubot"}},
  {"id": 993, "sha": "0000000"}
]"#;
        let (sink, report) = run(array, SourceFormat::DeploysJson, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (2, 1));
        let c = &sink.changes[0];
        assert_eq!(c.id, "991");
        assert_eq!(c.author.as_deref(), Some("octocat"));
        assert_eq!(c.files, vec!["app/models/user.rb", "db/schema.rb"]);
        assert_eq!(c.span.line, 2);
        assert_eq!(sink.changes[1].time, utc("2026-11-24T09:21:00Z"));
        assert_eq!(sink.unparsed[0].0, 5);

        let lines = "{\"deploy_id\":\"r-7\",\"service\":\"billing\",\"timestamp\":\"2026-11-24 10:00:00\",\"deployer\":\"ci\",\"changed_files\":\"a.go;b.go\"}\n{oops\n";
        let (sink, report) = run(lines, SourceFormat::DeploysJson, &zone("Europe/Berlin"));
        assert_eq!((report.records, report.unparsed), (1, 1));
        assert_eq!(sink.changes[0].time, utc("2026-11-24T09:00:00Z"));
        assert_eq!(sink.changes[0].files, vec!["a.go", "b.go"]);
        assert_eq!(sink.unparsed[0], (2, "invalid JSON", "{oops".to_string()));
    }

    #[test]
    fn a_csv_without_a_time_column_is_an_error_naming_the_file() {
        let mut sink = faultline_model::CollectingSink::default();
        let err = crate::parse_bytes(
            b"id,service\n1,api\n",
            "deploys.csv",
            SourceFormat::DeploysCsv,
            &Default::default(),
            &mut sink,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("deploys.csv: no time column"), "{err}");
    }
}
