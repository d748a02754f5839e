//! Logs in the layouts nobody here wrote, each read from content: the
//! access-like formats lnav's definitions describe (their HTTP status drives
//! the error series as nginx's does), and the timestamp layouts the generic
//! reader learns. Every case states its record count and UTC instants.

use chrono::{DateTime, NaiveDate, Utc};
use faultline_logs::formats::Registry;
use faultline_logs::{detect_with, parse, LogOptions, LogSummary};
use faultline_model::time::Zone;
use faultline_model::{CollectingSink, Level, OwnedRecord};
use std::sync::OnceLock;

/// lnav's built-ins alone: the machine's own formats folders play no part.
fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::builtin)
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Detects and reads `data` in `zone`, with years inferred from `reference` (the file's mtime).
fn read_in(data: &str, zone: &str, reference: (i32, u32, u32)) -> (String, LogSummary, Vec<OwnedRecord>) {
    let format = detect_with(registry(), data.as_bytes()).unwrap_or_else(|| panic!("no format for:\n{data}"));
    let opts = LogOptions {
        zone: Zone::parse(zone).unwrap(),
        year_reference: NaiveDate::from_ymd_opt(reference.0, reference.1, reference.2)
            .and_then(|d| d.and_hms_opt(0, 0, 0)),
        max_record_bytes: 1 << 20,
    };
    let mut sink = CollectingSink::default();
    let sum = parse(data.as_bytes(), &format, &opts, &mut sink).unwrap();
    assert!(sink.unparsed.is_empty(), "{}: unparsed {:?}", format.name(), sink.unparsed);
    (format.name().to_string(), sum, sink.records)
}

fn read(data: &str) -> (String, LogSummary, Vec<OwnedRecord>) {
    read_in(data, "UTC", (2026, 12, 1))
}

fn times(records: &[OwnedRecord]) -> Vec<DateTime<Utc>> {
    records.iter().map(|r| r.time).collect()
}

fn statuses(records: &[OwnedRecord]) -> Vec<Option<u16>> {
    records.iter().map(|r| r.status).collect()
}

fn levels(records: &[OwnedRecord]) -> Vec<Option<Level>> {
    records.iter().map(|r| r.level).collect()
}

#[test]
fn aws_classic_elb_access_log() {
    let data = r#"2026-11-24T08:27:03.945958Z shop-lb 203.0.113.7:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://shop.example.com:80/ HTTP/1.1" "curl/8.5.0" - -
2026-11-24T08:27:04.102331Z shop-lb 203.0.113.8:40909 10.0.0.2:443 0.000031 0.009511 0.000029 503 503 0 415 "POST https://shop.example.com:443/api/checkout?cart=9 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2
2026-11-24T08:27:05.000001Z shop-lb 203.0.113.9:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -
2026-11-24T08:27:06.500000Z shop-lb 203.0.113.7:2818 10.0.0.1:80 0.000086 0.001048 0.001337 504 - 0 57 "GET https://shop.example.com:443/api/cart HTTP/1.1" "curl/8.5.0" DHE-RSA-AES128-SHA TLSv1.2
"#;
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("elb_log", 4));
    assert_eq!(
        times(&r),
        [
            utc("2026-11-24T08:27:03.945958Z"),
            utc("2026-11-24T08:27:04.102331Z"),
            utc("2026-11-24T08:27:05.000001Z"),
            utc("2026-11-24T08:27:06.5Z")
        ]
    );
    assert_eq!(statuses(&r), [Some(200), Some(503), None, Some(504)]);
    assert_eq!(levels(&r), [Some(Level::Info), Some(Level::Error), None, Some(Level::Error)]);
    assert_eq!(r[1].path.as_deref(), Some("/api/checkout?cart=9"));
    assert_eq!((r[1].method.as_deref(), r[1].client.as_deref()), (Some("POST"), Some("203.0.113.8")));
}

#[test]
fn aws_application_load_balancer_log() {
    let data = r#"https 2026-11-24T08:27:03.065466Z app/shop-lb/50dc6c495c0c9188 203.0.113.7:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://shop.example.com:443/ HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" shop.example.com arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012 0
https 2026-11-24T08:27:04.145057Z app/shop-lb/50dc6c495c0c9188 203.0.113.8:48160 10.0.0.66:9000 0.000 30.002 -1 502 - 5 257 "POST https://shop.example.com:443/api/orders HTTP/1.1" "Mozilla/5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067 "Root=1-58337327-72bd00b0343d75b906739c42" shop.example.com arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012 1
h2 2026-11-24T08:27:05.923954Z app/shop-lb/50dc6c495c0c9188 203.0.113.9:40914 10.0.1.192:8010 0.001 0.003 0.000 404 404 218 587 "GET https://shop.example.com:443/favicon.ico HTTP/2.0" "Mozilla/5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" shop.example.com arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012 0
"#;
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("alb_log", 3));
    assert_eq!(
        times(&r),
        [utc("2026-11-24T08:27:03.065466Z"), utc("2026-11-24T08:27:04.145057Z"), utc("2026-11-24T08:27:05.923954Z")]
    );
    assert_eq!(statuses(&r), [Some(200), Some(502), Some(404)]);
    assert_eq!(levels(&r), [Some(Level::Info), Some(Level::Error), Some(Level::Warn)]);
    assert_eq!(r[1].path.as_deref(), Some("/api/orders"));
}

#[test]
fn amazon_s3_server_access_log() {
    let data = r#"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be shop-assets [24/Nov/2026:11:27:03 +0300] 203.0.113.7 - 3E57427F3EXAMPLE REST.GET.OBJECT img/logo.png "GET /shop-assets/img/logo.png HTTP/1.1" 200 - 2662 2662 12 11 "https://shop.example.com/" "Mozilla/5.0" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader shop-assets.s3.eu-west-1.amazonaws.com TLSv1.2
79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be shop-assets [24/Nov/2026:11:27:04 +0300] 203.0.113.8 - 891CE47D2EXAMPLE REST.PUT.OBJECT uploads/a.csv "PUT /shop-assets/uploads/a.csv?x-id=PutObject HTTP/1.1" 503 SlowDown - 1024 27 - "-" "aws-sdk-go/1.44" - Ka8dF3pRwEXAMPLE= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader shop-assets.s3.eu-west-1.amazonaws.com TLSv1.2
79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be shop-assets [24/Nov/2026:11:27:05 +0300] 203.0.113.9 - A1206F460EXAMPLE REST.GET.OBJECT missing.png "GET /shop-assets/missing.png HTTP/1.1" 404 NoSuchKey 243 - 5 - "-" "curl/8.5.0" - BNaBsXZQEXAMPLE= - ECDHE-RSA-AES128-GCM-SHA256 - shop-assets.s3.eu-west-1.amazonaws.com TLSv1.2
"#;
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("s3_log", 3));
    assert_eq!(times(&r), [utc("2026-11-24T08:27:03Z"), utc("2026-11-24T08:27:04Z"), utc("2026-11-24T08:27:05Z")]);
    assert_eq!(statuses(&r), [Some(200), Some(503), Some(404)]);
    assert_eq!(r[1].path.as_deref(), Some("/shop-assets/uploads/a.csv?x-id=PutObject"));
    assert_eq!(r[1].level, Some(Level::Error));
}

#[test]
fn haproxy_http_log_behind_syslog() {
    let data = r#"Nov 24 08:27:01 lb-1 haproxy[7]: Proxy http_in started.
Nov 24 08:27:03 lb-1 haproxy[7]: 203.0.113.7:50210 [24/Nov/2026:08:27:03.266] http_in~ shop_back/web1 0/0/1/48/49 200 3313 - - ---- 3/2/0/0/0 0/0 {Mozilla/5.0|} {} "GET /api/cart HTTP/1.1"
Nov 24 08:27:04 lb-1 haproxy[7]: 203.0.113.8:50211 [24/Nov/2026:08:27:04.001] http_in~ shop_back/web2 0/0/0/-1/30001 504 194 - - sH-- 5/4/2/1/0 0/0 {curl/8.5.0|} {} "POST /api/checkout HTTP/1.1"
Nov 24 08:27:05 lb-1 haproxy[7]: 203.0.113.9:50212 [24/Nov/2026:08:27:05.120] http_in~ shop_back/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 2/1/0/0/0 0/0 {Mozilla/5.0|} {} "GET /api/cart HTTP/1.1"
"#;
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("haproxy_log", 4), "the status makes it more than syslog");
    assert_eq!(
        times(&r),
        [
            utc("2026-11-24T08:27:01Z"),
            utc("2026-11-24T08:27:03Z"),
            utc("2026-11-24T08:27:04Z"),
            utc("2026-11-24T08:27:05Z")
        ]
    );
    assert_eq!(statuses(&r), [None, Some(200), Some(504), Some(503)]);
    assert_eq!(levels(&r)[1..], [Some(Level::Info), Some(Level::Error), Some(Level::Error)]);
    assert_eq!((r[2].method.as_deref(), r[2].path.as_deref()), (Some("POST"), Some("/api/checkout")));
    assert_eq!(r[2].client.as_deref(), Some("203.0.113.8"));
}

#[test]
fn caddy_access_log_json() {
    let data = r#"{"level":"info","ts":1795508823.5241024,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"203.0.113.7","remote_port":"51234","client_ip":"203.0.113.7","proto":"HTTP/2.0","method":"GET","host":"shop.example.com","uri":"/api/cart","headers":{"User-Agent":["curl/8.5.0"]}},"bytes_read":0,"user_id":"","duration":0.000929,"size":10900,"status":200,"resp_headers":{"Server":["Caddy"]}}
{"level":"error","ts":1795508824.25,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"203.0.113.8","remote_port":"51240","client_ip":"203.0.113.8","proto":"HTTP/2.0","method":"POST","host":"shop.example.com","uri":"/api/checkout","headers":{"User-Agent":["Mozilla/5.0"]}},"bytes_read":512,"user_id":"","duration":30.0012,"size":0,"status":502,"resp_headers":{"Server":["Caddy"]}}
{"level":"info","ts":1795508825,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"203.0.113.9","remote_port":"51250","client_ip":"203.0.113.9","proto":"HTTP/1.1","method":"GET","host":"shop.example.com","uri":"/health","headers":{"User-Agent":["kube-probe/1.29"]}},"bytes_read":0,"user_id":"","duration":0.0001,"size":2,"status":200,"resp_headers":{"Server":["Caddy"]}}
"#;
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("caddy_log", 3));
    assert_eq!(
        times(&r),
        [utc("2026-11-24T08:27:03.5241024Z"), utc("2026-11-24T08:27:04.25Z"), utc("2026-11-24T08:27:05Z")]
    );
    assert_eq!(statuses(&r), [Some(200), Some(502), Some(200)]);
    assert_eq!(levels(&r), [Some(Level::Info), Some(Level::Error), Some(Level::Info)]);
    assert_eq!((r[1].method.as_deref(), r[1].path.as_deref()), (Some("POST"), Some("/api/checkout")));
    assert_eq!((r[1].client.as_deref(), r[1].user_agent.as_deref()), (Some("203.0.113.8"), Some("Mozilla/5.0")));
}

#[test]
fn uwsgi_request_log() {
    let data = "[pid: 24386|app: 0|req: 482950/4125645] 203.0.113.7 () {44 vars in 1322 bytes} [Tue Nov 24 08:27:03 2026] GET /api/cart?id=4 => generated 192 bytes in 21 msecs (HTTP/1.1 200) 7 headers in 292 bytes (1 switches on core 0)
[pid: 24386|app: 0|req: 482951/4125646] 203.0.113.8 () {44 vars in 1330 bytes} [Tue Nov 24 08:27:04 2026] POST /api/checkout => generated 141 bytes in 30004 msecs (HTTP/1.1 500) 3 headers in 102 bytes (1 switches on core 1)
[pid: 24387|app: 0|req: 12/4125647] 203.0.113.9 () {40 vars in 990 bytes} [Tue Nov 24 08:27:05 2026] GET /static/app.js => generated 0 bytes in 1 msecs (HTTP/1.1 304) 2 headers in 75 bytes (0 switches on core 0)
";
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("uwsgi_log", 3));
    assert_eq!(times(&r), [utc("2026-11-24T08:27:03Z"), utc("2026-11-24T08:27:04Z"), utc("2026-11-24T08:27:05Z")]);
    assert_eq!(statuses(&r), [Some(200), Some(500), Some(304)]);
    assert_eq!(levels(&r), [Some(Level::Info), Some(Level::Error), Some(Level::Info)]);
    assert_eq!(r[0].path.as_deref(), Some("/api/cart?id=4"));
}

#[test]
fn cloudflare_logpush_json() {
    let data = r#"{"ClientIP":"203.0.113.7","ClientRequestHost":"shop.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/api/cart","ClientRequestProtocol":"HTTP/2","ClientRequestReferer":"","ClientRequestUserAgent":"curl/8.5.0","EdgeStartTimestamp":1795508823100000000,"EdgeEndTimestamp":1795508823120000000,"EdgeResponseBytes":512,"EdgeResponseStatus":200,"CacheCacheStatus":"hit","RayID":"7b0b4b1c3d2e1f00"}
{"ClientIP":"203.0.113.8","ClientRequestHost":"shop.example.com","ClientRequestMethod":"POST","ClientRequestURI":"/api/checkout","ClientRequestProtocol":"HTTP/2","ClientRequestReferer":"https://shop.example.com/cart","ClientRequestUserAgent":"Mozilla/5.0","EdgeStartTimestamp":1795508824000000000,"EdgeEndTimestamp":1795508824900000000,"EdgeResponseBytes":0,"EdgeResponseStatus":522,"CacheCacheStatus":"miss","RayID":"7b0b4b1c3d2e1f01"}
{"ClientIP":"203.0.113.9","ClientRequestHost":"shop.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/img/logo.png","ClientRequestProtocol":"HTTP/1.1","ClientRequestReferer":"","ClientRequestUserAgent":"Mozilla/5.0","EdgeStartTimestamp":1795508825000000000,"EdgeEndTimestamp":1795508825010000000,"EdgeResponseBytes":2662,"EdgeResponseStatus":200,"CacheCacheStatus":"miss","RayID":"7b0b4b1c3d2e1f02"}
"#;
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("cloudflare_json_log", 3));
    assert_eq!(
        times(&r),
        [utc("2026-11-24T08:27:03.12Z"), utc("2026-11-24T08:27:04.9Z"), utc("2026-11-24T08:27:05.01Z")]
    );
    assert_eq!(statuses(&r), [Some(200), Some(522), Some(200)]);
    // A cache miss is no warning: a request's level is its status's.
    assert_eq!(levels(&r), [Some(Level::Info), Some(Level::Error), Some(Level::Info)]);
    assert_eq!((r[1].method.as_deref(), r[1].path.as_deref()), (Some("POST"), Some("/api/checkout")));
}

#[test]
fn gcp_request_log_with_the_status_nested_in_http_request() {
    let data = r#"{"severity":"INFO","timestamp":"2026-11-24T08:27:03.120Z","httpRequest":{"requestMethod":"GET","requestUrl":"https://shop.example.com/api/cart","status":200,"responseSize":"512","userAgent":"curl/8.5.0","remoteIp":"203.0.113.7","latency":"0.012s"},"logName":"projects/shop/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision"}}
{"severity":"ERROR","timestamp":"2026-11-24T08:27:04.500Z","httpRequest":{"requestMethod":"POST","requestUrl":"https://shop.example.com/api/checkout","status":503,"responseSize":"0","userAgent":"Mozilla/5.0","remoteIp":"203.0.113.8","latency":"30.001s"},"logName":"projects/shop/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision"}}
{"severity":"INFO","timestamp":"2026-11-24T08:27:05Z","httpRequest":{"requestMethod":"GET","requestUrl":"https://shop.example.com/health","status":200,"responseSize":"2","userAgent":"GoogleHC/1.0","remoteIp":"35.191.0.1","latency":"0.001s"},"logName":"projects/shop/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision"}}
"#;
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("json-lines", 3));
    assert_eq!(times(&r), [utc("2026-11-24T08:27:03.12Z"), utc("2026-11-24T08:27:04.5Z"), utc("2026-11-24T08:27:05Z")]);
    assert_eq!(statuses(&r), [Some(200), Some(503), Some(200)]);
    assert_eq!(levels(&r), [Some(Level::Info), Some(Level::Error), Some(Level::Info)]);
    assert_eq!(
        (r[1].method.as_deref(), r[1].path.as_deref(), r[1].client.as_deref()),
        (Some("POST"), Some("https://shop.example.com/api/checkout"), Some("203.0.113.8"))
    );
}

#[test]
fn w3c_iis_log() {
    let data = "#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2026-11-24 08:27:00
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
2026-11-24 08:27:03 10.0.0.5 GET /api/cart id=42 443 - 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 31
2026-11-24 08:27:04 10.0.0.5 POST /api/checkout - 443 - 203.0.113.8 Mozilla/5.0+(Windows+NT+10.0) - 500 0 64 1204
2026-11-24 08:27:05 10.0.0.5 GET /api/cart id=43 443 - 203.0.113.9 curl/8.5.0 - 503 2 0 1
";
    let (name, sum, r) = read_in(data, "America/New_York", (2026, 12, 1));
    assert_eq!((name.as_str(), sum.records), ("w3c", 3), "W3C times are UTC whatever --tz says");
    assert_eq!(times(&r), [utc("2026-11-24T08:27:03Z"), utc("2026-11-24T08:27:04Z"), utc("2026-11-24T08:27:05Z")]);
    assert_eq!(statuses(&r), [Some(200), Some(500), Some(503)]);
}

#[test]
fn bgl_epoch_column_before_an_ibm_timestamp_and_a_level_deep_in_the_line() {
    // The epoch column (UTC) is the leftmost timestamp; the local one after it agrees at UTC-7.
    let data = "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
- 1117838573 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.53.276129 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix on control stream (CioStream socket to 172.16.96.116:33569
- 1117869876 2005.06.04 R27-M1-N4-I:J18-U01 2005-06-04-00.24.36.222560 R27-M1-N4-I:J18-U01 RAS APP FATAL ciod: Error reading message prefix after LOGIN_MESSAGE on CioStream socket to 172.16.96.116:33370: Link has been severed
";
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("generic", 4));
    assert_eq!(
        times(&r),
        [
            utc("2005-06-03T22:42:50Z"),
            utc("2005-06-03T22:42:53Z"),
            utc("2005-06-04T07:24:32Z"),
            utc("2005-06-04T07:24:36Z")
        ]
    );
    assert_eq!(levels(&r), [Some(Level::Info), Some(Level::Info), Some(Level::Critical), Some(Level::Critical)]);
}

#[test]
fn ibm_timestamp_after_a_few_columns() {
    let data = "node-17 R02-M1-N0 2005-06-03-15.42.50.675872 RAS KERNEL INFO instruction cache parity error corrected
node-17 R02-M1-N0 2005-06-03-15.42.53.276129 RAS KERNEL INFO instruction cache parity error corrected
node-4 R04-M1-N4-I 2005-06-04-00.24.32.432192 RAS APP FATAL ciod: failed to read message prefix on control stream
";
    let (name, sum, r) = read_in(data, "-07:00", (2005, 12, 1));
    assert_eq!((name.as_str(), sum.records), ("generic", 3));
    assert_eq!(
        times(&r),
        [utc("2005-06-03T22:42:50.675872Z"), utc("2005-06-03T22:42:53.276129Z"), utc("2005-06-04T07:24:32.432192Z")]
    );
    assert_eq!(levels(&r)[2], Some(Level::Critical));
}

#[test]
fn db2_diagnostic_log_with_its_minutes_offset() {
    let data = "2026-11-24-03.27.03.120000-300 I27204F351 LEVEL: Error
PID     : 4321                 TID : 140235             PROC : db2sysc 0
INSTANCE: db2inst1             NODE : 000
FUNCTION: DB2 UDB, buffer pool services, sqlbAlterBufferPoolAct, probe:90
2026-11-24-03.27.04.000000-300 I27556F420 LEVEL: Warning
PID     : 4321                 TID : 140235             PROC : db2sysc 0
";
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("generic", 2));
    assert_eq!(times(&r), [utc("2026-11-24T08:27:03.12Z"), utc("2026-11-24T08:27:04Z")]);
    assert_eq!(r[0].span.lines, 4, "the detail lines belong to their record");
}

#[test]
fn epoch_seconds_and_milliseconds_as_a_column() {
    // squid's access.log: epoch seconds with milliseconds, then the elapsed time.
    let squid = "1795508823.120    215 203.0.113.7 TCP_MISS/200 1520 GET http://shop.example.com/ - HIER_DIRECT/10.0.0.5 text/html
1795508824.500  30001 203.0.113.8 TCP_MISS/504 312 POST http://shop.example.com/api/checkout - HIER_DIRECT/10.0.0.5 text/html
1795508825.001      0 203.0.113.9 TCP_HIT/200 2662 GET http://shop.example.com/img/logo.png - HIER_NONE/- image/png
";
    let (name, sum, r) = read(squid);
    assert_eq!((name.as_str(), sum.records), ("generic", 3));
    assert_eq!(
        times(&r),
        [utc("2026-11-24T08:27:03.12Z"), utc("2026-11-24T08:27:04.5Z"), utc("2026-11-24T08:27:05.001Z")]
    );
    let millis = "worker-3 1795508823123 ERROR job 4411 failed: upstream timeout
worker-3 1795508823980 INFO job 4412 done
worker-1 1795508824002 WARN queue depth 812
";
    let (name, sum, r) = read(millis);
    assert_eq!((name.as_str(), sum.records), ("generic", 3));
    assert_eq!(
        times(&r),
        [utc("2026-11-24T08:27:03.123Z"), utc("2026-11-24T08:27:03.98Z"), utc("2026-11-24T08:27:04.002Z")]
    );
    assert_eq!(levels(&r), [Some(Level::Error), Some(Level::Info), Some(Level::Warn)]);
}

#[test]
fn proxifier_month_dot_day_without_a_year() {
    let data = "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS
[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 close, 0 bytes sent, 0 bytes received, lifetime 00:01
[10.30 16:49:07] chrome.exe - play.google.com:443 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS
[10.30 16:49:08] chrome.exe - play.google.com:443 error : Could not connect through proxy proxy.cse.cuhk.edu.hk:5070 - Proxy server cannot establish a connection with the target, status code 403
";
    // The file was last written on 2026-11-02 in Hong Kong: the year is 2026's, read in +08:00.
    let (_, sum, r) = read_in(data, "Asia/Hong_Kong", (2026, 11, 2));
    assert_eq!(sum.records, 4);
    assert_eq!(
        times(&r),
        [
            utc("2026-10-30T08:49:06Z"),
            utc("2026-10-30T08:49:06Z"),
            utc("2026-10-30T08:49:07Z"),
            utc("2026-10-30T08:49:08Z")
        ]
    );
}

#[test]
fn date_separators_and_what_stands_between_date_and_time() {
    for (data, want) in [
        ("2026.11.24 08:27:03 WARN pool nearly exhausted\n2026.11.24 08:27:04 ERROR pool exhausted\n", "08:27:03"),
        ("2026/11/24T08:27:03 WARN pool nearly exhausted\n2026/11/24T08:27:04 ERROR pool exhausted\n", "08:27:03"),
        ("2026-11-24-08:27:03 WARN pool nearly exhausted\n2026-11-24-08:27:04 ERROR pool exhausted\n", "08:27:03"),
        ("24.11.2026 08:27:03 WARN pool nearly exhausted\n24.11.2026 08:27:04 ERROR pool exhausted\n", "08:27:03"),
        ("24/11/2026 08:27:03 WARN pool nearly exhausted\n25/11/2026 08:27:04 ERROR pool exhausted\n", "08:27:03"),
        ("11/24/2026 8:27:03 AM WARN pool nearly exhausted\n11/24/2026 8:27:04 AM ERROR pool exhausted\n", "08:27:03"),
        ("24-Nov-2026 08:27:03.000 WARN [main] pool nearly exhausted\n24-Nov-2026 08:27:04.000 SEVERE [main] pool exhausted\n", "08:27:03"),
        ("Nov 24, 2026 8:27:03 AM org.apache.catalina.core.StandardService startInternal\nWARNING: pool nearly exhausted\nNov 24, 2026 8:27:04 AM org.apache.catalina.core.StandardService startInternal\nSEVERE: pool exhausted\n", "08:27:03"),
    ] {
        let (name, sum, r) = read_in(data, "+01:00", (2026, 12, 1));
        assert_eq!(sum.records, 2, "{name}: {data}");
        assert_eq!(r[0].time, utc(&format!("2026-11-24T{want}Z")) - chrono::Duration::hours(1), "{data}");
        assert_eq!(r[1].time - r[0].time, chrono::Duration::seconds(1) + if data.starts_with("24/11") { chrono::Duration::days(1) } else { chrono::Duration::zero() }, "{data}");
    }
}

#[test]
fn zone_names_and_offsets_in_the_line() {
    for (data, first) in [
        ("Tue Nov 24 08:27:03 CET 2026 backup: started\nTue Nov 24 08:29:41 CET 2026 backup: failed, exit 2\n", "2026-11-24T07:27:03Z"),
        ("2026-11-24 08:27:03 PST api ERROR upstream timeout\n2026-11-24 08:27:04 PST api INFO retry ok\n", "2026-11-24T16:27:03Z"),
        ("2026-11-24 08:27:03.120 +0530 [pool-1] ERROR checkout failed\n2026-11-24 08:27:04.000 +0530 [pool-1] INFO retry ok\n", "2026-11-24T02:57:03.12Z"),
    ] {
        // The zone written in the line wins over --tz.
        let (_, sum, r) = read_in(data, "Europe/Berlin", (2026, 12, 1));
        assert_eq!(sum.records, 2, "{data}");
        assert_eq!(r[0].time, utc(first), "{data}");
    }
}

#[test]
fn syslog_lines_behind_a_prefix() {
    let data = "rsyslog_1  | Nov 24 08:27:03 web-1 nginx[123]: upstream timed out (110: Connection timed out)
rsyslog_1  | Nov 24 08:27:04 web-1 kernel: Out of memory: Killed process 4242 (gunicorn)
rsyslog_1  | Nov 24 08:27:05 db-2 postgres[77]: FATAL: too many connections for role \"shop\"
";
    let (name, sum, r) = read(data);
    assert_eq!((name.as_str(), sum.records), ("syslog-rfc3164", 3));
    assert_eq!(times(&r), [utc("2026-11-24T08:27:03Z"), utc("2026-11-24T08:27:04Z"), utc("2026-11-24T08:27:05Z")]);
    assert_eq!((r[0].host.as_deref(), r[0].service.as_deref()), (Some("web-1"), Some("nginx")));
    assert_eq!(r[2].message, "FATAL: too many connections for role \"shop\"");
}

#[test]
fn redis_day_month_without_a_year_crosses_new_year_like_syslog() {
    let data = "1:M 31 Dec 23:59:58.120 * Background saving started by pid 71
1:M 31 Dec 23:59:59.001 # Short read or OOM loading DB. Unrecoverable error, aborting now.
1:M 01 Jan 00:00:02.500 * Ready to accept connections tcp
";
    // Written on 2027-01-01: December is last year's.
    let (_, sum, r) = read_in(data, "UTC", (2027, 1, 1));
    assert_eq!(sum.records, 3);
    assert_eq!(
        times(&r),
        [utc("2026-12-31T23:59:58.12Z"), utc("2026-12-31T23:59:59.001Z"), utc("2027-01-01T00:00:02.5Z")]
    );
}
