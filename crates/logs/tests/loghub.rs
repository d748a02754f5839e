//! Every loghub sample (2,000 lines each, with a hand-checked structured CSV)
//! must be detected, read as 2,000 records, and give each line the instant
//! and level the CSV states.
//!
//! The data lives beside the clone (`../../../shared/data/loghub` from this
//! crate) or under `$FAULTLINE_SHARED_DATA` (the `data` folder or the
//! `loghub` folder itself).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use faultline_logs::{detect, open, parse, read_sample, LogOptions};
use faultline_model::time::Zone;
use faultline_model::{CollectingSink, Level};
use std::collections::HashMap;
use std::path::PathBuf;

fn loghub_dir() -> PathBuf {
    let mut candidates = Vec::new();
    if let Ok(env) = std::env::var("FAULTLINE_SHARED_DATA") {
        candidates.push(PathBuf::from(&env).join("loghub"));
        candidates.push(PathBuf::from(env));
    }
    candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/loghub"));
    candidates.iter().find(|d| d.join("Apache").is_dir()).cloned().unwrap_or_else(|| {
        panic!(
            "loghub samples not found; looked in {candidates:?}. Put the shared data beside the clone \
                 (../shared/data/loghub) or set FAULTLINE_SHARED_DATA to the folder that holds loghub/"
        )
    })
}

/// A minimal CSV reader: quoted fields, `""` escapes, header row as keys.
fn read_csv(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    let header = rows.remove(0);
    rows.into_iter()
        .map(|r| {
            assert_eq!(r.len(), header.len(), "{}: ragged row {r:?}", path.display());
            header.iter().cloned().zip(r).collect()
        })
        .collect()
}

fn naive(date: &str, date_fmt: &str, time: &str, time_fmt: &str) -> NaiveDateTime {
    let d = NaiveDate::parse_from_str(date, date_fmt).unwrap_or_else(|e| panic!("date {date:?}: {e}"));
    let t = NaiveTime::parse_from_str(time, time_fmt).unwrap_or_else(|e| panic!("time {time:?}: {e}"));
    d.and_time(t)
}

/// HealthApp writes `20171223-23:7:6:86`: unpadded fields, the last one integer milliseconds.
fn healthapp(time: &str) -> NaiveDateTime {
    let (date, clock) = time.split_once('-').unwrap();
    let n: Vec<u32> = clock.split(':').map(|x| x.parse().unwrap()).collect();
    let d = NaiveDate::parse_from_str(date, "%Y%m%d").unwrap();
    d.and_time(NaiveTime::from_hms_milli_opt(n[0], n[1], n[2], n[3]).unwrap())
}

struct Case {
    name: &'static str,
    format: &'static str,
    /// The year the CSV implies (for formats that do not write one).
    year: i32,
    instant: fn(&HashMap<String, String>, i32) -> NaiveDateTime,
    /// The CSV column holding the level; `None` when the format has none.
    level: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "Android",
            format: "generic",
            year: 2017,
            instant: |r, y| naive(&format!("{y}-{}", r["Date"]), "%Y-%m-%d", &r["Time"], "%H:%M:%S%.f"),
            level: Some("Level"),
        },
        Case {
            name: "Apache",
            format: "apache-error",
            year: 2005,
            instant: |r, _| NaiveDateTime::parse_from_str(&r["Time"], "%a %b %d %H:%M:%S %Y").unwrap(),
            level: Some("Level"),
        },
        Case {
            name: "HDFS",
            format: "generic",
            year: 2008,
            instant: |r, _| naive(&r["Date"], "%y%m%d", &r["Time"], "%H%M%S"),
            level: Some("Level"),
        },
        Case {
            name: "Hadoop",
            format: "app-log",
            year: 2015,
            instant: |r, _| naive(&r["Date"], "%Y-%m-%d", &r["Time"].replace(',', "."), "%H:%M:%S%.f"),
            level: Some("Level"),
        },
        Case { name: "HealthApp", format: "generic", year: 2017, instant: |r, _| healthapp(&r["Time"]), level: None },
        Case {
            name: "Linux",
            format: "syslog-rfc3164",
            year: 2005,
            instant: |r, y| naive(&format!("{y} {} {}", r["Month"], r["Date"]), "%Y %b %d", &r["Time"], "%H:%M:%S"),
            // The CSV's `Level` column of Linux holds the host name (`combo`); checked as host below.
            level: None,
        },
        Case {
            name: "OpenSSH",
            format: "syslog-rfc3164",
            year: 2017,
            instant: |r, y| naive(&format!("{y} {} {}", r["Date"], r["Day"]), "%Y %b %d", &r["Time"], "%H:%M:%S"),
            level: None,
        },
        Case {
            name: "OpenStack",
            format: "generic",
            year: 2017,
            instant: |r, _| naive(&r["Date"], "%Y-%m-%d", &r["Time"], "%H:%M:%S%.f"),
            level: Some("Level"),
        },
        Case {
            name: "Spark",
            format: "generic",
            year: 2017,
            instant: |r, _| naive(&r["Date"], "%y/%m/%d", &r["Time"], "%H:%M:%S"),
            level: Some("Level"),
        },
        Case {
            name: "Zookeeper",
            format: "app-log",
            year: 2015,
            instant: |r, _| naive(&r["Date"], "%Y-%m-%d", &r["Time"].replace(',', "."), "%H:%M:%S%.f"),
            level: Some("Level"),
        },
    ]
}

#[test]
fn every_loghub_sample_reads_as_its_ground_truth() {
    let dir = loghub_dir();
    let mut failures = Vec::new();
    for case in cases() {
        let log = dir.join(case.name).join(format!("{}_2k.log", case.name));
        let csv = dir.join(case.name).join(format!("{}_2k.log_structured.csv", case.name));
        let format = detect(&read_sample(&log).unwrap()).unwrap_or_else(|| panic!("{}: no format detected", case.name));
        assert_eq!(format.name(), case.format, "{}: detected format", case.name);
        // A reference at the end of the year the data was written in: zone-less
        // month-day stamps then land in that year.
        let opts = LogOptions {
            zone: Zone::Utc,
            year_reference: Some(NaiveDate::from_ymd_opt(case.year, 12, 31).unwrap().and_hms_opt(23, 0, 0).unwrap()),
            max_record_bytes: 1 << 20,
        };
        let mut sink = CollectingSink::default();
        let sum = parse(open(&log).unwrap(), &format, &opts, &mut sink).unwrap();
        let rows = read_csv(&csv);
        assert_eq!(rows.len(), 2000, "{}: CSV rows", case.name);
        // Every loghub line starts with a timestamp, so each line is one record.
        assert_eq!(
            (sum.records, sum.unparsed),
            (2000, 0),
            "{}: records/unparsed {:?}",
            case.name,
            sink.unparsed.first()
        );
        assert_eq!(sum.bytes, std::fs::metadata(&log).unwrap().len(), "{}: bytes", case.name);
        for (rec, row) in sink.records.iter().zip(&rows) {
            let line: u64 = row["LineId"].parse().unwrap();
            let want: DateTime<Utc> = (case.instant)(row, case.year).and_utc();
            let want_level = case.level.map(|col| {
                Level::parse(&row[col]).unwrap_or_else(|| panic!("{}: CSV level {:?}", case.name, row[col]))
            });
            if rec.span.line != line || rec.span.lines != 1 || rec.time != want || rec.level != want_level {
                failures.push(format!(
                    "{} line {line}: got line {} {} {:?}, want {want} {want_level:?}: {}",
                    case.name, rec.span.line, rec.time, rec.level, rec.text
                ));
            }
            if case.name == "Linux" && rec.host.as_deref() != Some(row["Level"].as_str()) {
                failures.push(format!("Linux line {line}: host {:?}, want {:?}", rec.host, row["Level"]));
            }
            if case.name == "OpenSSH" && rec.host.as_deref() != Some(row["Component"].as_str()) {
                failures.push(format!("OpenSSH line {line}: host {:?}, want {:?}", rec.host, row["Component"]));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
