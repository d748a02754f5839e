//! The engine against a real ClickHouse holding the built-in sample's logs.
//! Needs the two-shard cluster `scripts/clickhouse.sh` starts (it runs these
//! with `--ignored`, the URL in `FAULTLINE_TEST_CLICKHOUSE_URL`).

use faultline_engine::{AnalyzeOptions, Engine, StoreInput, StoreOptions};
use std::path::Path;

const COLUMNS: &str = "time=time_us,message=message,level=level,status=status,service=service,host=host";

fn url() -> String {
    std::env::var("FAULTLINE_TEST_CLICKHOUSE_URL").unwrap_or_else(|_| panic!("set FAULTLINE_TEST_CLICKHOUSE_URL"))
}

#[test]
#[ignore = "needs the cluster scripts/clickhouse.sh starts"]
fn a_cited_row_is_fetched_again_from_the_store_with_its_neighbours() {
    let engine = Engine::open(None).unwrap();
    let input = StoreInput::clickhouse(&url(), "sample", Some(COLUMNS)).unwrap();
    let report = engine.ingest_store(&input, &StoreOptions::default(), &|_| {}).unwrap();
    let services: Vec<&str> = report.sources.iter().map(|s| s.path.rsplit('/').next().unwrap_or("")).collect();
    assert_eq!(services, ["archive-portal", "gunicorn", "nginx"]);
    let analysis = engine.analyze(&AnalyzeOptions::default()).unwrap();
    let onset = analysis.incident.expect("an incident").onset_citation;
    assert!(onset.file.contains("/logs.sample/nginx?time=2026-11-17T08:27:04.000000Z&key="), "{}", onset.file);
    assert!(onset.text.contains("\"POST /login HTTP/1.1\" 500"), "{}", onset.text);

    // What the desktop's raw-lines view asks for: the row and two of its service either side.
    let ex = engine.excerpt(Path::new(&onset.file), 0, 0, None, 2).unwrap();
    let cited: Vec<&str> = ex.lines.iter().filter(|l| l.in_record).map(|l| l.text.as_str()).collect();
    assert_eq!(cited, [onset.text.as_str()]);
    assert_eq!(ex.lines.len(), 5, "{:?}", ex.lines);
    assert!(ex.lines.iter().all(|l| l.text.contains(" HTTP/1.1\" ")), "only the service's rows: {:?}", ex.lines);

    // The case records where the rows came from, without credentials.
    let queries = engine.store_queries().unwrap();
    assert_eq!(queries.len(), 1);
    let q = &queries[0];
    assert!(q.url.starts_with("http://127.0.0.1:") && !q.url.contains('@'), "{}", q.url);
    assert_eq!(q.columns.as_deref(), Some(COLUMNS));
    let asked: Vec<&str> = q.queries.iter().map(|q| q.what.as_str()).collect();
    assert_eq!(asked, ["version", "describe", "extent", "counts", "notable", "lifecycle"]);
}
