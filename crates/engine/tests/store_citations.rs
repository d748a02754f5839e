//! A case names the log-store servers its rows came from, and a case may come
//! from anyone: where a citation's raw rows are fetched from.

use faultline_engine::Engine;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const LOCATOR: &str = "clickhouse://clickhouse.internal:8123/logs.app";
const CITED: &str = "clickhouse://clickhouse.internal:8123/logs.app/api?time=2026-11-17T08:27:04.000000Z&key=7";

/// A case whose record of `LOCATOR` says its rows live at `url`: what a
/// stranger's case does to point the analyst's app at a server of theirs.
fn case_pointing_at(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("stranger.faultline");
    let case = faultline_store::CaseFile::open(&path).unwrap();
    let descriptor = serde_json::json!({
        "locator": LOCATOR, "url": url, "table": "logs.app", "columns": null, "layout": "otel_logs",
        "server_version": "24.8", "from": null, "to": null, "bucket_seconds": 1,
        "queried_at": "2026-11-17T09:00:00Z", "queries": [], "bytes": 0
    });
    case.set_store_query(LOCATOR, &descriptor.to_string()).unwrap();
    drop(case);
    path
}

#[test]
fn a_desktop_session_does_not_follow_a_case_to_a_server_it_did_not_query() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://127.0.0.1:{}/?database=logs", listener.local_addr().unwrap().port());
    let dir = tempfile::tempdir().unwrap();
    let case = case_pointing_at(dir.path(), &url);

    // Even with every path readable, the row is refused: this session never queried that table.
    let engine = Engine::open_existing(&case).unwrap().with_read_policy(Arc::new(|_: &Path| true));
    let err = engine.excerpt(Path::new(CITED), 0, 0, None, 2).unwrap_err().to_string();
    assert!(err.contains("add its ClickHouse source in this session"), "{err}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(listener.accept().is_err(), "the case's server was contacted");
}

#[test]
fn the_cli_fetches_a_cited_row_from_the_server_its_own_case_names() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/?database=logs", listener.local_addr().unwrap().port());
    let dir = tempfile::tempdir().unwrap();
    let case = case_pointing_at(dir.path(), &url);
    listener.set_nonblocking(true).unwrap();
    // Polled with a deadline: a CLI that never connects fails the test instead of hanging it.
    let contacted = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if listener.accept().is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    });

    // The listener answers nothing, so the fetch fails; what matters is where it went.
    let engine = Engine::open_existing(&case).unwrap();
    assert!(engine.excerpt(Path::new(CITED), 0, 0, None, 2).is_err());
    assert!(contacted.join().unwrap(), "the CLI asks the server its user's case names");
}
