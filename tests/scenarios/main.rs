//! Scenario suite: complete incidents written as real files, analyzed by the
//! real binary, compared with the truth they were generated from.
//!
//! Families × seeded variants; prints an accuracy table to stderr (with the
//! largest and median onset and recovery error of each family, in seconds)
//! and fails if any variant fails. `FAULTLINE_SCENARIO_VARIANTS=N` runs N
//! variants per family (default 5).

mod calibration;
mod cd_exports;
mod check;
mod formats;
mod generator;
mod onset_shapes;
mod suspects;

use generator::Scenario;

/// Signed onset and recovery error of one variant, seconds (see [`check::window_error`]).
type Window = (Option<i64>, Option<i64>);

/// "largest / median" of the absolute errors, or "–" with none.
fn spread(errors: impl Iterator<Item = i64>) -> String {
    let mut abs: Vec<i64> = errors.map(i64::abs).collect();
    abs.sort_unstable();
    match (abs.last(), abs.get(abs.len() / 2)) {
        (Some(max), Some(median)) => format!("{max} / {median}"),
        _ => "–".to_string(),
    }
}

/// A family: its name and how to make a variant from a seed.
type Family = (&'static str, fn(u64) -> Scenario);

fn families() -> Vec<Family> {
    vec![
        ("1 seed shape (config push, page, fix, restart)", |s| generator::seed_shape(s, "1", false, false)),
        ("2 latent culprit, harmless nearest deploy", |s| generator::deploy_shape(s, "2", true, false, false)),
        ("3 two changes 90 s apart, one revert ends it", |s| generator::deploy_shape(s, "3", false, true, false)),
        ("4 no responsible change (DB failover)", generator::failover),
        ("5 background error noise elsewhere", |s| generator::deploy_shape(s, "5", false, false, true)),
        ("6 mixed zones (+03:00, --tz, epoch JSON)", |s| generator::seed_shape(s, "6", true, false)),
        ("7 one folder, kinds auto-detected", |s| generator::seed_shape(s, "7", false, true)),
        ("8 culprit only in a CD tool's export (tool by variant)", |s| {
            cd_exports::culprit_in_tool(s, "8", cd_exports::Delivery::Whole)
        }),
        ("9 that CD export unreadable: the analysis says partial", |s| {
            cd_exports::culprit_in_tool(s, "9", cd_exports::Delivery::Unreadable)
        }),
        ("S1 trigger vs latent cause", suspects::trigger_or_latent),
        ("S2 revert of a different change", suspects::revert_of_a_different_change),
        ("S3 roll-forward fix", suspects::roll_forward),
        ("S4 DNS/infrastructure cause, no culprit", suspects::infrastructure),
        ("S5 coincidental deploy seconds before an outage", suspects::coincidental_deploy),
        ("S6 DNS config change is the cause", suspects::dns_config_change),
        ("S7 change ids are CL numbers", suspects::change_numbers),
        ("S8 noisy repository, hundreds of commits a day", suspects::noisy_repository),
        ("S9 deploy storm, the culprit crash-loops", suspects::deploy_storm),
        ("S10 culprit whose revert is not recorded", suspects::unrecorded_revert),
        ("O1 slow ramp (2 % → most requests)", onset_shapes::ramp),
        ("O2 flapping (5 min bad, 5 min fine)", onset_shapes::flapping),
        ("O3 fail-closed 4xx among 404 noise and a scanner", onset_shapes::fail_closed),
        ("O4 tail of stragglers, late blips", onset_shapes::tails),
        ("O5 two incidents in a day", onset_shapes::two_incidents),
        ("O6 night trough, cron errors, restart blip", onset_shapes::fooling),
        ("O7 failing at the first line / at the last", onset_shapes::edges),
    ]
}

#[test]
fn scenarios_find_the_truth() {
    let variants: u64 = std::env::var("FAULTLINE_SCENARIO_VARIANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let fams = families();
    let results: Vec<(usize, u64, Vec<String>, calibration::Outcome, Window)> = std::thread::scope(|scope| {
        let handles: Vec<_> = fams
            .iter()
            .enumerate()
            .flat_map(|(fi, (_, make))| (0..variants).map(move |v| (fi, v, *make)))
            .map(|(fi, v, make)| {
                scope.spawn(move || {
                    let seed = 1000 * (fi as u64 + 1) + v;
                    let scenario = make(seed);
                    let dir = tempfile::tempdir().expect("tempdir");
                    // FAULTLINE_SCENARIO_DUMP=DIR keeps each variant's files and JSON for a look.
                    let keep = std::env::var_os("FAULTLINE_SCENARIO_DUMP")
                        .map(|d| std::path::PathBuf::from(d).join(format!("{}-{seed}", scenario.family)));
                    let root = keep.clone().unwrap_or_else(|| dir.path().to_path_buf());
                    let mut outcome = calibration::Outcome::default();
                    let mut window = (None, None);
                    let problems = match check::run(&scenario, &root) {
                        Ok(json) => {
                            window = check::window_error(&scenario, &json);
                            outcome = calibration::Outcome {
                                has_culprit: scenario.truth.culprit.is_some(),
                                forecasts: calibration::forecasts(
                                    scenario.family,
                                    scenario.truth.culprit.as_deref(),
                                    &json,
                                ),
                            };
                            if let Some(k) = &keep {
                                let _ = std::fs::write(
                                    k.join("analysis.json"),
                                    serde_json::to_string_pretty(&json).unwrap_or_default(),
                                );
                            }
                            check::compare(&scenario, &json)
                        }
                        Err(e) => vec![e],
                    };
                    (fi, seed, problems, outcome, window)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("scenario thread")).collect()
    });

    let mut table = String::from(
        "\n| Scenario family | Passed | Onset error s (max / median) | Recovery error s (max / median) |\n|---|---|---|---|\n",
    );
    let mut failures = Vec::new();
    let mut total = 0;
    for (fi, (name, _)) in fams.iter().enumerate() {
        let mine: Vec<_> = results.iter().filter(|r| r.0 == fi).collect();
        let passed = mine.iter().filter(|r| r.2.is_empty()).count();
        total += passed;
        let onset = spread(mine.iter().filter_map(|r| r.4 .0));
        let recovery = spread(mine.iter().filter_map(|r| r.4 .1));
        table += &format!("| {name} | {passed}/{} | {onset} | {recovery} |\n", mine.len());
        for (_, seed, problems, _, _) in mine.iter().filter(|r| !r.2.is_empty()) {
            failures.push(format!("family {name}, seed {seed}:\n  - {}", problems.join("\n  - ")));
        }
    }
    table += &format!("| **all** | **{total}/{}** | | |\n", results.len());
    eprintln!("{table}");
    // FAULTLINE_CALIBRATION=FILE: the posteriors against the truth (docs/root-cause.md).
    if let Some(path) = std::env::var_os("FAULTLINE_CALIBRATION") {
        let names: Vec<&str> = fams.iter().map(|(n, _)| *n).collect();
        let outcomes: Vec<(usize, &calibration::Outcome)> = results.iter().map(|r| (r.0, &r.3)).collect();
        eprintln!("{}", calibration::accuracy(&names, &outcomes));
        let rows: Vec<&calibration::Forecast> = results.iter().flat_map(|r| &r.3.forecasts).collect();
        eprintln!("{}", calibration::table(&rows));
        let _ = std::fs::write(path, calibration::csv(&rows));
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(failures.is_empty(), "{} of {} scenario variants failed (details above)", failures.len(), results.len());
}
