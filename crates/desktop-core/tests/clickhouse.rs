//! "Add source → ClickHouse" against a real server holding the built-in
//! sample's logs. Needs the two-shard cluster `scripts/clickhouse.sh` starts
//! (it runs these with `--ignored`, the URL in `FAULTLINE_TEST_CLICKHOUSE_URL`
//! and the password in `FAULTLINE_TEST_CLICKHOUSE_PASSWORD`).

use faultline_desktop_core::access::UnavailableReason;
use faultline_desktop_core::dto::IngestEvent;
use faultline_desktop_core::requests::{StoreSourceRequest, ZoneSpec};
use faultline_desktop_core::{ErrorCode, Session};

fn quiet(_: IngestEvent) {}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

fn request() -> StoreSourceRequest {
    StoreSourceRequest {
        url: env("FAULTLINE_TEST_CLICKHOUSE_URL"),
        table: "sample".into(),
        columns: "time=time_us,message=message,level=level,status=status,service=service,host=host".into(),
        user: "default".into(),
        password: env("FAULTLINE_TEST_CLICKHOUSE_PASSWORD"),
        from: None,
        to: None,
    }
}

#[test]
#[ignore = "needs the cluster scripts/clickhouse.sh starts"]
fn a_clickhouse_table_becomes_sources_of_the_case_like_files() {
    let s = Session::default();
    let req = request();
    // The page alone cannot make the app contact a server: the shell's dialog grants the table.
    assert_eq!(s.add_store_source(&req, &quiet).unwrap_err().code, ErrorCode::NotGranted);
    let locator = s.store_locator(&req).unwrap();
    assert!(locator.starts_with("clickhouse://127.0.0.1:") && locator.ends_with("/logs.sample"), "{locator}");
    s.grant_store(&locator);
    let added = s.add_store_source(&req, &quiet).unwrap();
    let services: Vec<&str> = added.sources.iter().map(|s| s.path.rsplit('/').next().unwrap_or("")).collect();
    assert_eq!(services, ["archive-portal", "gunicorn", "nginx"]);

    // Listed like file sources, readable in this session.
    let rows = s.sources().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.summary.complete && r.unavailable.is_none()), "{rows:?}");

    // The analysis cites the table's rows; the raw-lines view fetches them as the form's user.
    let view = s.analyze(&ZoneSpec::Utc).unwrap();
    let onset = view.analysis.incident.expect("an incident").onset_citation;
    assert!(onset.file.starts_with(&format!("{locator}/nginx?time=2026-11-17T08:27:04")), "{}", onset.file);
    let ex = s.excerpt(&onset.file, 0, 0, 0).unwrap();
    assert!(ex.lines.iter().any(|l| l.in_record && l.text.contains("\"POST /login HTTP/1.1\" 500")), "{ex:?}");

    // Saved and reopened in a fresh session (a case that could come from anyone):
    // the rows are listed as not queried and no server is contacted for them.
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("store.faultline");
    s.grant_save(&saved);
    s.save_case_as(saved.to_str().unwrap()).unwrap();
    let fresh = Session::default();
    fresh.grant_case(&saved);
    fresh.open_case(saved.to_str().unwrap()).unwrap();
    let rows = fresh.sources().unwrap();
    assert!(rows.iter().all(|r| r.unavailable.as_ref().map(|u| u.reason) == Some(UnavailableReason::StoreNotQueried)));
    let refused = fresh.excerpt(&onset.file, 0, 0, 0).unwrap_err();
    assert!(refused.message.contains("add its ClickHouse source in this session"), "{refused:?}");
    // Its analysis still stands on what the case holds.
    assert!(fresh.analyze(&ZoneSpec::Utc).unwrap().analysis.incident.is_some());
}

#[test]
#[ignore = "needs the cluster scripts/clickhouse.sh starts"]
fn a_wrong_password_is_named_and_never_shown() {
    let s = Session::default();
    let mut req = request();
    req.password = "not-the-password".into();
    s.grant_store(&s.store_locator(&req).unwrap());
    let e = s.add_store_source(&req, &quiet).unwrap_err();
    assert!(e.message.contains("refused the credentials"), "{e:?}");
    assert!(!e.message.contains("not-the-password"));
    assert!(s.sources().unwrap().is_empty());
}
