use super::*;
use crate::testutil::opts;
use faultline_model::CollectingSink;

/// Every format key of the shipped files, as `(file, name)`.
fn shipped_names() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in LNAV_BUILTIN.files().filter(|f| f.path().extension() == Some("json".as_ref())) {
        let v: Value = serde_json::from_slice(f.contents()).unwrap();
        for k in v.as_object().unwrap().keys().filter(|k| !k.starts_with('$')) {
            out.push((f.path().display().to_string(), k.clone()));
        }
    }
    out.sort();
    out
}

#[test]
fn every_shipped_definition_compiles_and_reads_its_samples_at_their_declared_level() {
    let reg = Registry::builtin();
    assert!(reg.problems().is_empty(), "shipped definitions that cannot be used:\n{:#?}", reg.problems());
    for def in reg.definitions() {
        assert_eq!(check_samples(def), Ok(()), "{}", def.name());
    }
    let names = shipped_names();
    assert_eq!(names.len(), 73, "lnav ships 73 definitions");
    assert_eq!(reg.definitions().len(), names.len());
    let (mut samples, mut declared) = (0, 0);
    for def in reg.definitions() {
        assert_eq!(def.origin(), Origin::BuiltIn);
        let format = crate::LogFormat::definition(def.clone());
        for (i, s) in def.samples().iter().enumerate() {
            samples += 1;
            let mut resolver = crate::ts::Resolver::new(opts().zone, opts().year_reference);
            let (time, level) =
                def.read_sample(&s.line, &mut resolver).unwrap_or_else(|e| panic!("{} sample {i}: {e}", def.name()));
            if let Some(want) = s.level.as_deref() {
                declared += 1;
                let got = level.map_or("info", |l| LNAV_LEVELS[l].0);
                assert_eq!(got, LNAV_LEVELS[definition::lnav_level_index(want).unwrap()].0, "{}", s.line);
            }
            // The full reader gives that line as one record at that instant.
            let mut sink = CollectingSink::default();
            let sum = crate::parse(format!("{}\n", s.line).as_bytes(), &format, &opts(), &mut sink).unwrap();
            // A sample of several lines is a record with continuation lines, or several records.
            assert!(sum.records >= 1 && sum.unparsed == 0, "{} sample {i}: {sum:?} {}", def.name(), s.line);
            assert_eq!(sink.records[0].time, time, "{}", s.line);
        }
    }
    assert_eq!(samples, 259, "lnav's 259 sample lines");
    assert_eq!(declared, 36, "samples that declare their level");
}

#[test]
fn access_like_definitions_give_the_http_status_and_its_level() {
    let reg = Registry::builtin();
    let def = reg.get("alb_log").unwrap();
    let format = crate::LogFormat::definition(def.clone());
    let line = "https 2026-11-24T08:27:03.065466Z app/shop-lb/50dc6c495c0c9188 203.0.113.7:2817 10.0.0.1:80 0.000 0.048 0.000 502 - 0 57 \"GET https://shop.example:443/api/cart?id=4 HTTP/1.1\" \"curl/8.5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067 \"Root=1-58337281-1d84f3d73c47ec4e58577259\" shop.example arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012\n";
    let mut sink = CollectingSink::default();
    crate::parse(line.as_bytes(), &format, &opts(), &mut sink).unwrap();
    let r = &sink.records[0];
    assert_eq!((r.status, r.level), (Some(502), Some(faultline_model::Level::Error)));
    assert_eq!(r.path.as_deref(), Some("/api/cart?id=4"));
    assert_eq!((r.method.as_deref(), r.client.as_deref()), (Some("GET"), Some("203.0.113.7")));
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const MYAPP: &str = r#"{
  "$schema": "https://lnav.org/schemas/format-v1.schema.json",
  "myapp_log": {
    "title": "My app",
    "regex": {"std": {"pattern": "^(?<timestamp>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}) \\| (?<level>\\w+) \\| (?<body>.*)$"}},
    "level": {"error": "ERR", "warning": "WRN"},
    "sample": [{"line": "2026-11-24 08:27:03 | ERR | payment failed", "level": "error"}]
  }
}"#;

#[test]
fn the_analysts_formats_load_beside_lnavs_and_bad_ones_are_reported_with_file_and_reason() {
    let home = tempfile::tempdir().unwrap();
    let user = home.path().join("faultline");
    let lnav = home.path().join("lnav");
    write(&user, "myapp.json", MYAPP);
    write(&user, "broken.json", "{ \"x_log\": ");
    write(&user, "badregex.json", r#"{"bad_log": {"regex": {"std": {"pattern": "^(?<timestamp>\\d+"}}}}"#);
    write(
        &user,
        "badsample.json",
        r#"{"late_log": {"regex": {"std": {"pattern": "^(?<timestamp>\\d{4}-\\d{2}-\\d{2}) (?<body>.*)"}},
            "sample": [{"line": "yesterday something"}]}}"#,
    );
    write(&user, "notes.txt", "not a definition");
    // lnav's folder: installed formats are read, `default/` (lnav's copy of its built-ins) is not.
    write(&lnav, "installed/patch.json", r#"{"syslog_log": {"level": {"error": "(?i)boom"}}}"#);
    write(&lnav, "default/syslog_log.json", "{ this would be an error if it were read");
    let reg = Registry::load(&[(lnav.clone(), Origin::Lnav), (user.clone(), Origin::User)]);
    let mine = reg.get("myapp_log").expect("the analyst's format is loaded");
    assert_eq!(mine.origin(), Origin::User);
    assert_eq!(mine.file(), user.join("myapp.json"));
    let syslog = reg.get("syslog_log").unwrap();
    assert_eq!(syslog.origin(), Origin::Lnav, "an overlay makes the format the overlay's");
    assert_eq!(syslog.file(), lnav.join("installed/patch.json"));
    assert_eq!(LNAV_LEVELS[syslog.lnav_level("boom happened", None)].0, "error");
    assert_eq!(LNAV_LEVELS[syslog.lnav_level("warning: x", None)].0, "warning", "the rest of the built-in stays");

    let problems: Vec<String> = reg.problems().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    let has = |file: &str, what: &str| problems.iter().any(|p| p.contains(file) && p.contains(what));
    assert!(has("broken.json", "invalid JSON"), "{problems:#?}");
    assert!(has("badregex.json", "format bad_log: regex std:"), "{problems:#?}");
    assert!(has("badsample.json", "format late_log: sample 1: no regex matches it"), "{problems:#?}");
    assert!(reg.get("bad_log").is_none() && reg.get("late_log").is_none());
}

#[test]
fn a_missing_folder_is_no_problem() {
    let reg = Registry::load(&[(PathBuf::from("/nonexistent/faultline/formats"), Origin::User)]);
    assert!(reg.problems().is_empty());
}
