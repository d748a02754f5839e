use super::*;
use faultline_model::{
    Citation, ErrorSeries, Fact, FactKind, Factor, FailureSignal, Incident, InfraClass, Lag, Level, Metrics, NameKind,
    NoChange, NoChangeFact, OnsetShape, RankedBelow, SeriesBucket, Shortfall, Signature, SourceKind, SourceSummary,
    Suspect, SuspectFactors, TimelineEntry, TimelineKind, UndoKind, UndoMatch, Verdict,
};

fn at(s: &str) -> Instant {
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&chrono::Utc),
        Err(e) => panic!("bad fixture time {s}: {e}"),
    }
}

fn cite(file: &str, line: u64, text: &str) -> Citation {
    Citation { file: file.into(), line, offset: line * 120, text: text.into() }
}

fn entry(time: &str, kind: TimelineKind, source: &str, text: &str, citation: Option<Citation>) -> TimelineEntry {
    TimelineEntry {
        time: at(time),
        kind,
        source: source.into(),
        text: text.into(),
        citation,
        change_id: None,
        suspect: false,
        clock_offset_ms: None,
    }
}

fn source(path: &str, kind: SourceKind, format: &str, records: u64, sha: char) -> SourceSummary {
    SourceSummary {
        path: path.into(),
        kind,
        format: format.into(),
        records,
        unparsed: 2,
        first: Some(at("2026-11-24T07:00:00Z")),
        last: Some(at("2026-11-24T12:00:00Z")),
        tz: "+03:00".into(),
        bytes: records * 140,
        sha256: sha.to_string().repeat(64),
        notes: vec![],
        clock_offset_ms: 0,
        complete: true,
        window: None,
    }
}

const ONSET_LINE: &str = "2026-11-24 11:27:03,114 ERROR auth.login 203.0.113.7 user=alice KeyError: 'SessionStore' rendering <script>alert(1)</script>";
const TRACEBACK_LINE: &str = "ImportError: cannot import name 'SessionStore' from 'session' (```v2```)";
const REPORT_TEXT: &str =
    "Ticket from alice@example.com: \"Login gives 500 <img src=x onerror=alert(1)>\", ip 203.0.113.7";

/// The Archive crash, as the correlator would describe it (times UTC; the
/// team reads them at +03:00).
fn archive() -> Analysis {
    let push = cite(
        "deploys.csv",
        3,
        "2026-11-24T11:20:00+03:00,cfg-118,auth,ops@archive.example,Push auth settings: session module v2",
    );
    let traceback = cite("web.log", 1043, TRACEBACK_LINE);
    let onset = cite("web.log", 1042, ONSET_LINE);
    let mut change = entry(
        "2026-11-24T08:20:00Z",
        TimelineKind::Change,
        "deploys.csv",
        "Config push cfg-118 to auth: session module upgraded to v2",
        Some(push.clone()),
    );
    change.change_id = Some("cfg-118".into());
    change.suspect = true;
    let mut older = entry(
        "2026-11-24T07:02:00Z",
        TimelineKind::Change,
        "deploys.csv",
        "Deploy web v1.8.2 (static assets)",
        Some(cite("deploys.csv", 2, "2026-11-24T10:02:00+03:00,web-182,web,dev@archive.example,Deploy web v1.8.2")),
    );
    older.change_id = Some("web-182".into());
    let timeline = vec![
        older,
        change,
        entry(
            "2026-11-24T08:27:03Z",
            TimelineKind::ErrorOnset,
            "web.log",
            "First 500 on POST /login: KeyError: 'SessionStore'",
            Some(onset.clone()),
        ),
        entry(
            "2026-11-24T08:29:00Z",
            TimelineKind::UserReport,
            "support.mbox",
            REPORT_TEXT,
            Some(cite("support.mbox", 88, "Subject: Login gives 500 <img src=x onerror=alert(1)>")),
        ),
        entry(
            "2026-11-24T09:34:00Z",
            TimelineKind::Alert,
            "alerts.json",
            "Page: auth 5xx ratio above 5%",
            Some(cite("alerts.json", 12, "{\"summary\":\"auth 5xx ratio above 5%\"}")),
        ),
        entry(
            "2026-11-24T09:36:00Z",
            TimelineKind::Ack,
            "alerts.json",
            "Acknowledged by the on-call engineer",
            Some(cite("alerts.json", 13, "{\"status\":\"acknowledged\"}")),
        ),
        entry(
            "2026-11-24T10:45:00Z",
            TimelineKind::Fix,
            "deploys.csv",
            "Dependent scripts updated to session v2 (cfg-119)",
            Some(cite(
                "deploys.csv",
                4,
                "2026-11-24T13:45:00+03:00,cfg-119,auth,ops@archive.example,Update dependent scripts",
            )),
        ),
        entry(
            "2026-11-24T10:53:00Z",
            TimelineKind::Restart,
            "web.log",
            "Servers restarted",
            Some(cite("web.log", 5120, "2026-11-24 13:53:00 INFO gunicorn Booting worker with pid 4242")),
        ),
        entry(
            "2026-11-24T11:00:00Z",
            TimelineKind::Communication,
            "support.mbox",
            "Users notified of the fix and asked to retry logging in",
            None,
        ),
        entry(
            "2026-11-24T11:05:00Z",
            TimelineKind::Recovery,
            "web.log",
            "Errors back at baseline; users confirm successful login",
            Some(cite("web.log", 5301, "2026-11-24 14:05:12 INFO auth.login login ok")),
        ),
    ];
    let mut buckets = Vec::new();
    let start = at("2026-11-24T08:00:00Z");
    for i in 0..42 {
        let t = start + chrono::Duration::minutes(5 * i);
        let bad = t >= at("2026-11-24T08:25:00Z") && t < at("2026-11-24T11:05:00Z");
        let errors = if bad { 30 + (i as u64 % 7) } else { 0 };
        buckets.push(SeriesBucket { start: t, total: 200, errors, http_5xx: errors, ..Default::default() });
    }
    Analysis {
        incident: Some(Incident {
            onset: at("2026-11-24T08:27:03Z"),
            recovered: Some(at("2026-11-24T11:05:00Z")),
            onset_citation: onset.clone(),
            recovered_citation: Some(cite("web.log", 5301, "2026-11-24 14:05:12 INFO auth.login login ok")),
            signatures: vec![Signature {
                id: "9f2c4e1a".into(),
                template: "KeyError: 'SessionStore' <*>".into(),
                count: 5210,
                first: at("2026-11-24T08:27:03Z"),
                last: at("2026-11-24T11:04:40Z"),
                new: true,
                level: Some(Level::Error),
                endpoints: vec!["POST /login".into()],
                hosts: vec!["web-1".into()],
                modules: vec!["auth/login.py".into()],
                example: onset.clone(),
            }],
            endpoints: vec!["POST /login".into()],
            services: vec!["auth".into()],
            summary: "HTTP 500 on POST /login for logged-out users (KeyError: 'SessionStore')".into(),
        }),
        incidents: Vec::new(),
        suspects: vec![
            Suspect {
                change_id: "cfg-118".into(),
                score: 0.97,
                summary: String::new(),
                time: at("2026-11-24T08:20:00Z"),
                evidence: Vec::new(),
                factors: SuspectFactors { time: 0.9, overlap: 0.8, recovery: 0.9, scope: 1.0 },
                citations: vec![push.clone(), traceback.clone()],
                ranked_lower_because: None,
                service: Some("auth".into()),
                author: Some("ops@archive.example".into()),
                files: vec!["config/auth/settings.yaml".into()],
                message: "Push auth settings: session module v2".into(),
                verdict: Verdict::Likely,
                explanation: vec![
                    Factor {
                        ratio: 5.0,
                        fact: Fact::Timing {
                            before_onset_s: 423,
                            lag: Lag::Fast,
                            onset: OnsetShape::Sharp,
                            changes_per_day: 12.0,
                        },
                        citations: vec![onset.clone()],
                    },
                    Factor {
                        ratio: 38.0,
                        fact: Fact::ErrorsName {
                            name: "config/auth/settings.yaml".into(),
                            what: NameKind::File,
                            errors: 5210,
                            in_traces: true,
                        },
                        citations: vec![traceback.clone()],
                    },
                    Factor {
                        ratio: 3.1,
                        fact: Fact::Undone {
                            by: "cfg-119".into(),
                            how: UndoKind::Fix,
                            matched_by: UndoMatch::Files,
                            before_recovery_s: Some(1200),
                            before_onset_s: None,
                        },
                        citations: vec![cite("deploys.csv", 4, "2026-11-24T13:45:00+03:00,cfg-119,auth,ops")],
                    },
                ],
                ranked_below: None,
            },
            Suspect {
                change_id: "web-182".into(),
                score: 0.02,
                summary: String::new(),
                time: at("2026-11-24T07:02:00Z"),
                evidence: Vec::new(),
                factors: SuspectFactors { time: 0.3, overlap: 0.0, recovery: 0.0, scope: 0.5 },
                citations: vec![cite(
                    "deploys.csv",
                    2,
                    "2026-11-24T10:02:00+03:00,web-182,web,dev@archive.example,Deploy web v1.8.2",
                )],
                ranked_lower_because: None,
                service: Some("web".into()),
                author: Some("dev@archive.example".into()),
                files: vec!["static/app.css".into()],
                message: "Deploy web v1.8.2".into(),
                verdict: Verdict::Unlikely,
                explanation: vec![
                    Factor {
                        ratio: 0.06,
                        fact: Fact::Timing {
                            before_onset_s: 85 * 60 + 3,
                            lag: Lag::Latent,
                            onset: OnsetShape::Sharp,
                            changes_per_day: 12.0,
                        },
                        citations: vec![onset.clone()],
                    },
                    Factor { ratio: 0.6, fact: Fact::NotUndone { while_undone: None }, citations: vec![] },
                    Factor {
                        ratio: 0.3,
                        fact: Fact::Scope { service: "web".into(), matched: None, failing: vec!["auth".into()] },
                        citations: vec![],
                    },
                ],
                ranked_below: Some(RankedBelow {
                    top: "cfg-118".into(),
                    shortfalls: vec![
                        Shortfall { kind: FactKind::ErrorsName, ratio: 1.0, top_ratio: 38.0 },
                        Shortfall { kind: FactKind::Timing, ratio: 0.06, top_ratio: 5.0 },
                    ],
                }),
            },
        ],
        timeline,
        metrics: Metrics {
            time_to_detect_s: Some(67 * 60 - 3),
            time_to_first_report_s: Some(117),
            time_to_recover_s: Some(2 * 3600 + 38 * 60 - 3),
            errors: 5210,
            affected_clients: 312,
            peak_errors_per_minute: 48,
            user_reports: 17,
        },
        lead: None,
        no_change: None,
        series: ErrorSeries { bucket_seconds: 300, buckets },
        sources: vec![
            source("web.log", SourceKind::Log, "python-logging", 52_000, 'a'),
            source("deploys.csv", SourceKind::Deploys, "deploys-csv", 4, 'b'),
            source("support.mbox", SourceKind::Support, "mbox", 23, 'c'),
            source("alerts.json", SourceKind::Alerts, "pagerduty-json", 14, 'd'),
        ],
        ..Default::default()
    }
}

fn plus3() -> Zone {
    match Zone::parse("+03:00") {
        Ok(z) => z,
        Err(e) => panic!("{e}"),
    }
}

fn opts(format: Format, template: TemplateChoice) -> ExportOptions {
    ExportOptions {
        format,
        template,
        display_zone: plus3(),
        redact: false,
        title: Some("The Archive crash incident report".into()),
        generated_at: Some(at("2026-11-25T09:00:00Z")),
    }
}

fn text(a: &Analysis, o: &ExportOptions) -> String {
    match export(a, o) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => panic!("not UTF-8: {e}"),
        },
        Err(e) => panic!("export failed: {e}"),
    }
}

/// The text of the section that starts with `heading`, up to the next `## `.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc.find(heading).unwrap_or_else(|| panic!("no {heading:?} in:\n{doc}"));
    let rest = &doc[start + heading.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    &rest[..end]
}

/// The document without its fenced code blocks (where raw text is inert).
fn outside_code_blocks(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            None if ticks.len() >= 3 => fence = Some(ticks),
            Some(f) if line.trim_end() == f.as_str() => fence = None,
            None => {
                out.push_str(line);
                out.push('\n');
            }
            Some(_) => {}
        }
    }
    out
}

/// `tag` occurs unescaped (`\<img` is Markdown for a literal `<img`).
fn live_tag(md: &str, tag: &str) -> bool {
    md.match_indices(tag).any(|(i, _)| !md[..i].ends_with('\\'))
}

#[test]
fn seed_markdown_reads_like_the_house_postmortem() {
    let md = text(&archive(), &opts(Format::Markdown, TemplateChoice::Seed));
    let mut last = 0;
    for h in [
        "# The Archive crash incident report",
        "## Issue summary",
        "## Timeline (UTC+3)",
        "## Root cause",
        "## Resolution and recovery",
        "## Corrective and preventive measures",
        "## Other suspects",
        "## Evidence",
    ] {
        let pos = md.find(h).unwrap_or_else(|| panic!("missing {h:?} in:\n{md}"));
        assert!(pos >= last, "{h} out of order");
        last = pos;
    }
    let summary = section(&md, "## Issue summary");
    assert!(summary.contains("Starting at 11:27 on 2026-11-24 (UTC+3)"), "{summary}");
    assert!(summary.contains("lasted 2 h 38 min"), "{summary}");
    assert!(
        summary.contains("5,210 errors") && summary.contains("312 clients") && summary.contains("17 user reports"),
        "{summary}"
    );

    let timeline = section(&md, "## Timeline (UTC+3)");
    assert!(timeline.contains("\n- 11:20: **Suggested root cause:** Config push cfg-118"), "{timeline}");
    assert!(timeline.contains("\n- 12:34: Page: auth 5xx ratio above 5%"), "{timeline}");
    assert!(timeline.contains("(`deploys.csv:3`)"), "{timeline}");
    // Hostile text in prose is escaped, not live HTML.
    assert!(timeline.contains("\\<img src=x onerror=alert(1)\\>"), "{timeline}");
    assert!(!live_tag(&outside_code_blocks(&md), "<img"), "{md}");
    assert!(!live_tag(&outside_code_blocks(&md), "<script"), "{md}");

    let cause = section(&md, "## Root cause");
    assert!(cause.contains("Suggested by Faultline — confirm before publishing"), "{cause}");
    assert!(cause.contains("`cfg-118`") && cause.contains("likely root cause, 0.97"), "{cause}");
    assert!(
        cause.contains(
            "- `config/auth/settings.yaml`, changed by it, appears in 5210 tracebacks (first: web.log:1043): ×38"
        ),
        "{cause}"
    );
    assert!(cause.contains("landed 20 min before the last error: ×3.1"), "{cause}");
    assert!(!cause.contains("No change"));

    let resolution = section(&md, "## Resolution and recovery");
    assert!(resolution.contains("At 13:45, dependent scripts updated"), "{resolution}");
    assert!(resolution.contains("At 13:53, servers restarted"), "{resolution}");
    assert!(resolution.contains("Time to detect (onset → first alert): 67 min"), "{resolution}");
    assert!(resolution.contains("Time to recover (onset → baseline): 2 h 38 min"), "{resolution}");

    let measures = section(&md, "## Corrective and preventive measures");
    assert!(measures.contains("the first page came 67 min after the first 500: alert on the 5xx ratio"), "{measures}");
    assert!(measures.contains("users noticed before monitoring did"), "{measures}");
    assert!(measures.contains("review and canary config pushes"), "{measures}");
    assert!(measures.contains("took effect only after the restart at 13:53"), "{measures}");

    let others = section(&md, "## Other suspects");
    assert!(others.contains("2. 10:02, change `web-182`"), "{others}");
    assert!(others.contains("(unlikely, 0.02)"), "{others}");
    assert!(
        others.contains(
            "Ranked below cfg-118: none of its files, modules or identifiers appear in the incident's errors; its timing fits less well (×0.06 vs ×5)."
        ),
        "{others}"
    );

    let evidence = section(&md, "## Evidence");
    assert!(evidence.contains(&format!("### `web.log:1042`\n\nCited for: onset, signature (5,210 errors), timeline 11:27.\n\n```\n{ONSET_LINE}\n```")), "{evidence}");
    // A line holding a run of three backticks gets a longer fence.
    assert!(evidence.contains(&format!("````\n{TRACEBACK_LINE}\n````")), "{evidence}");
    assert!(
        evidence.contains(&format!("| web.log | log | python-logging | 52000 | 2 | +03:00 | `{}` |", "a".repeat(64))),
        "{evidence}"
    );
}

#[test]
fn timeline_shows_dates_when_the_incident_spans_days() {
    let mut a = archive();
    // Move everything 13 h later: 11:20 at +03:00 becomes 00:20 the next day.
    let shift = chrono::Duration::hours(13);
    for e in &mut a.timeline {
        e.time += shift;
    }
    if let Some(first) = a.timeline.first_mut() {
        first.time -= chrono::Duration::hours(2);
    }
    let md = text(&a, &opts(Format::Markdown, TemplateChoice::Seed));
    let timeline = section(&md, "## Timeline (UTC+3)");
    assert!(timeline.contains("\n- 2026-11-24 21:02: Deploy web v1.8.2"), "{timeline}");
    assert!(timeline.contains("\n- 2026-11-25 00:20: **Suggested root cause:**"), "{timeline}");
}

#[test]
fn every_template_has_its_public_sections() {
    let a = archive();
    let cases: [(TemplateChoice, &[&str]); 3] = [
        (
            TemplateChoice::GoogleSre,
            &[
                "## Summary",
                "## Impact",
                "## Root Causes",
                "## Trigger",
                "## Resolution",
                "## Detection",
                "## Action Items",
                "## Lessons Learned",
                "## Timeline",
            ],
        ),
        (
            TemplateChoice::Atlassian,
            &[
                "## Incident summary",
                "## Leadup",
                "## Fault",
                "## Impact",
                "## Detection",
                "## Response",
                "## Recovery",
                "## Timeline",
                "## Five whys",
            ],
        ),
        (
            TemplateChoice::PagerDuty,
            &[
                "## Overview",
                "## What Happened",
                "## Root Causes",
                "## Resolution",
                "## Impact",
                "## Responders",
                "## Action Items",
                "## Messaging",
            ],
        ),
    ];
    for (choice, headings) in cases {
        let md = text(&a, &opts(Format::Markdown, choice.clone()));
        for h in headings {
            assert!(md.lines().any(|l| l.starts_with(h)), "{choice:?} lacks {h}:\n{md}");
        }
        // The facts are the same whatever the layout.
        assert!(md.contains("11:20"), "{choice:?}");
        assert!(md.contains("Suggested by Faultline — confirm before publishing"), "{choice:?}");
        assert!(md.contains("## Evidence") && md.contains(&"d".repeat(64)), "{choice:?}");
        assert!(!live_tag(&outside_code_blocks(&md), "<img"), "{choice:?} leaks raw HTML");
    }
    let sre = text(&a, &opts(Format::Markdown, TemplateChoice::GoogleSre));
    assert!(sre.contains("| Detection: the first page came 67 min after the first 500"), "{sre}");
    assert!(section(&sre, "## Trigger").contains("Push auth settings: session module v2 at 11:20 (cfg-118)."));
    let atl = text(&a, &opts(Format::Markdown, TemplateChoice::Atlassian));
    assert!(section(&atl, "## Five whys").contains("2. Why? Because of change `cfg-118` at 11:20"), "{atl}");
    let pd = text(&a, &opts(Format::Markdown, TemplateChoice::PagerDuty));
    assert!(section(&pd, "## Messaging").contains("Between 11:27 and 14:05 (UTC+3)"), "{pd}");
}

/// Every tag in `html`, as `<name ...>` text.
fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
        out.push(rest[..end].to_ascii_lowercase());
        rest = &rest[end..];
    }
    out
}

#[test]
fn html_is_self_contained_and_escapes_every_log_string() {
    let html = text(&archive(), &opts(Format::Html, TemplateChoice::Seed));
    assert!(html.starts_with("<!DOCTYPE html>"));
    for tag in tags(&html) {
        assert!(!tag.starts_with("<script") && !tag.starts_with("<img"), "live tag from data: {tag}");
        assert!(!tag.contains("onerror"), "event handler in a tag: {tag}");
        assert!(!tag.contains("http://") && !tag.contains("https://"), "network reference: {tag}");
        assert!(!tag.starts_with("<link") && !tag.starts_with("<iframe") && !tag.starts_with("<object"), "{tag}");
    }
    assert!(!html.contains("url("), "CSS must not load anything");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "hostile text shown as text");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"), "the log line's script tag is shown as text");
    assert!(html.contains("<svg") && html.contains("class=\"marker suspect\""));
    assert!(
        html.contains("Timeline (UTC+3)")
            && html.contains("<td><time datetime=\"2026-11-24T08:20:00Z\">11:20</time></td>")
    );
    assert!(html.contains("@media print"));
    assert!(html.contains("Suggested by Faultline — confirm before publishing"));
    assert!(html.contains(&"c".repeat(64)));
}

#[test]
fn csv_parses_back_to_the_timeline() {
    let a = archive();
    let bytes = match export(&a, &opts(Format::Csv, TemplateChoice::Seed)) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let headers = r.headers().map(|h| h.iter().map(str::to_string).collect::<Vec<_>>()).unwrap_or_default();
    assert_eq!(headers, ["time_utc", "time_display", "kind", "source", "text", "citation"]);
    let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), a.timeline.len());
    let report = rows.iter().find(|r| r.get(2) == Some("user_report")).unwrap_or_else(|| panic!("no user report row"));
    assert_eq!(report.get(0), Some("2026-11-24T08:29:00Z"));
    assert_eq!(report.get(1), Some("2026-11-24T11:29:00+03:00"));
    // Commas and quotes inside the text survive the round trip.
    assert_eq!(report.get(4), Some(REPORT_TEXT));
    assert_eq!(report.get(5), Some("support.mbox:88"));
    let comm =
        rows.iter().find(|r| r.get(2) == Some("communication")).unwrap_or_else(|| panic!("no communication row"));
    assert_eq!(comm.get(5), Some(""));
}

#[test]
fn csv_cells_that_spreadsheets_would_execute_stay_text() {
    let mut a = archive();
    if let Some(e) = a.timeline.first_mut() {
        e.text = "=HYPERLINK(\"http://evil\",\"x\")".into();
    }
    let out = text(&a, &opts(Format::Csv, TemplateChoice::Seed));
    assert!(out.contains("\"'=HYPERLINK("), "{out}");
}

#[test]
fn redaction_masks_consistently_everywhere_and_says_so() {
    let a = archive();
    let mut o = opts(Format::Markdown, TemplateChoice::Seed);
    o.redact = true;
    let md = text(&a, &o);
    for secret in ["203.0.113.7", "alice@example.com", "ops@archive.example", "user=alice"] {
        assert!(!md.contains(secret), "{secret} leaked:\n{md}");
    }
    assert!(md.contains("This report was redacted"), "{md}");
    // The IP appears in the timeline text and in the onset record: one mask for both.
    assert!(section(&md, "## Timeline (UTC+3)").contains("ip ip-1"), "{md}");
    assert!(section(&md, "## Evidence").contains("auth.login ip-1 user=user-1 KeyError"), "{md}");
    // Input hashes and change ids are identifiers, not secrets.
    assert!(md.contains(&"a".repeat(64)) && md.contains("`cfg-118`"));

    let masked = redact(&a);
    let onset_text = masked.incident.as_ref().map(|i| i.onset_citation.text.clone()).unwrap_or_default();
    let report =
        masked.timeline.iter().find(|e| e.kind == TimelineKind::UserReport).map(|e| e.text.clone()).unwrap_or_default();
    assert!(onset_text.contains("ip-1") && report.contains("ip-1"), "{onset_text} / {report}");
    // Each email has its own mask, the same in every field and every export.
    let alice = report.strip_prefix("Ticket from ").and_then(|r| r.split(':').next()).unwrap_or_default().to_string();
    let ops = masked.suspects.first().and_then(|s| s.author.clone()).unwrap_or_default();
    let dev = masked.suspects.get(1).and_then(|s| s.author.clone()).unwrap_or_default();
    assert!(
        alice.starts_with("email-") && ops.starts_with("email-") && dev.starts_with("email-"),
        "{alice} {ops} {dev}"
    );
    assert!(alice != ops && ops != dev && alice != dev);
    assert!(md.contains(&format!("Ticket from {alice}")), "{md}");
    assert!(md.contains(&format!("author {ops})")), "{md}");
    let push = masked.suspects.first().and_then(|s| s.citations.first()).map(|c| c.text.clone()).unwrap_or_default();
    assert!(push.contains(&format!(",{ops},")), "{push}");
    assert!(md.contains("Masked: 3 email addresses, 1 IP address, 1 user id."), "{md}");

    // CSV and JSON carry the same masks; JSON says it was redacted and still parses as the contract.
    let mut oj = o.clone();
    oj.format = Format::Json;
    let json = text(&a, &oj);
    assert!(!json.contains("203.0.113.7") && json.contains("\"redacted\": true"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["masked"], serde_json::json!({"email": 3, "ip": 1, "user": 1}), "counts per kind in JSON");
    let back: Analysis = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.timeline.len(), a.timeline.len());
    let mut oc = o.clone();
    oc.format = Format::Csv;
    let csv_out = text(&a, &oc);
    assert!(!csv_out.contains("alice@example.com") && csv_out.contains(&format!("Ticket from {alice}")), "{csv_out}");
}

#[test]
fn a_partial_analysis_says_so_in_every_layout_and_never_claims_no_change_silently() {
    let mut a = archive();
    a.suspects.clear();
    for e in &mut a.timeline {
        e.suspect = false;
    }
    a.partial = true;
    a.unread = vec![faultline_model::UnreadInput {
        path: "/case/deploys/argocd.json".into(),
        kind: SourceKind::Deploys,
        cause: faultline_model::UnreadCause::ReadFailed,
        format: Some("argocd-json".into()),
        reason: "/case/deploys/argocd.json:1: not JSON: expected a JSON value".into(),
        unparsed: 212,
    }];
    for template in
        [TemplateChoice::Seed, TemplateChoice::GoogleSre, TemplateChoice::Atlassian, TemplateChoice::PagerDuty]
    {
        let md = text(&a, &opts(Format::Markdown, template.clone()));
        assert!(md.contains("**Partial analysis.**"), "{template:?}: {md}");
        assert!(md.contains("could not be read as argocd"), "{template:?}");
        assert!(md.contains("a change source could not be read"), "{template:?}");
        assert!(!md.contains("No change in the inputs explains this incident."), "{template:?}");
    }
    let html = text(&a, &opts(Format::Html, TemplateChoice::Seed));
    assert!(html.contains("<strong>Partial analysis.</strong>"), "{html}");
    assert!(html.contains("212 unparsed lines"));
    let json: serde_json::Value = serde_json::from_str(&text(&a, &opts(Format::Json, TemplateChoice::Seed))).unwrap();
    assert_eq!(json["partial"], true);
    assert_eq!(json["unread"][0]["cause"], "read_failed");
    // The CSV opens with the partial notice and the unread input, before the timeline.
    let csv_out = text(&a, &opts(Format::Csv, TemplateChoice::Seed));
    let mut r = csv::Reader::from_reader(csv_out.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), a.timeline.len() + 2, "{csv_out}");
    assert_eq!(&rows[0][2], "partial");
    assert!(rows[0][4].starts_with("Partial analysis. This analysis ran without an input"), "{csv_out}");
    assert_eq!(&rows[1][2], "unread");
    assert_eq!(&rows[1][3], "/case/deploys/argocd.json");
    assert!(
        rows[1][4].contains("could not be read as argocd-json") && rows[1][4].contains("212 unparsed lines"),
        "{csv_out}"
    );
    // The standalone SVG chart says so above the plot; the chart inlined in the HTML report does not repeat it.
    let svg = text(&a, &opts(Format::Svg, TemplateChoice::Seed));
    assert!(svg.contains("Partial analysis. This analysis ran without an input"), "{svg}");
    assert!(svg.contains("/case/deploys/argocd.json: could not be read as argocd-json"), "{svg}");
    assert!(svg.contains("(partial analysis: some inputs could not be read)</title>"), "{svg}");
    assert_eq!(html.matches("Partial analysis.").count(), 1, "{html}");
    // A complete analysis says nothing of the kind.
    let md = text(&archive(), &opts(Format::Markdown, TemplateChoice::Seed));
    assert!(!md.contains("Partial analysis"));
    for format in [Format::Csv, Format::Svg] {
        let out = text(&archive(), &opts(format, TemplateChoice::Seed));
        assert!(!out.contains("Partial analysis") && !out.contains("unread"), "{format:?}: {out}");
    }
}

#[test]
fn without_a_named_suspect_the_report_names_the_best_one_and_the_lead() {
    let mut a = archive();
    a.suspects.retain(|s| s.change_id == "web-182");
    if let Some(s) = a.suspects.first_mut() {
        s.score = 0.32;
        s.ranked_below = None;
        s.explanation.insert(
            0,
            Factor {
                ratio: 4.2,
                fact: Fact::OwnFailure {
                    name: "web".into(),
                    signal: FailureSignal::RestartLoop,
                    lines: 6,
                    after_change_s: 95,
                    before: 0,
                },
                citations: vec![cite("kubelet.log", 77, "Back-off restarting failed container web")],
            },
        );
    }
    for e in &mut a.timeline {
        e.suspect = false;
    }
    a.no_change = Some(NoChange {
        posterior: 0.6,
        best: Some("web-182".into()),
        facts: vec![NoChangeFact::Infrastructure {
            class: InfraClass::Disk,
            share: 0.9,
            example: cite("syslog", 88, "No space left on device"),
        }],
        signature: None,
        onset: cite("web.log", 1042, ONSET_LINE),
    });
    let md = text(&a, &opts(Format::Markdown, TemplateChoice::Seed));
    let cause = section(&md, "## Root cause");
    let said = "No change is likely enough to name (best: web-182, 0.32 — `web` failed in its own words 1 min 35 s after it: 6 restart-loop lines (first: kubelet.log:77): ×4.2).";
    assert!(cause.contains(said), "{cause}");
    assert!(
        cause.contains("Strongest lead: 90 % of the incident's errors look like a disk failure (syslog:88)"),
        "{cause}"
    );
    assert!(!cause.contains("explains"), "{cause}");
    assert!(!cause.contains("Suggested by Faultline — confirm"), "{cause}");
    // The weak suspect is still listed, with its verdict.
    assert!(section(&md, "## Other suspects").contains(
        "`web-182`: Deploy web v1.8.2 (web): 85 min before onset; it failed in its own words (possible, 0.32)"
    ));
    assert!(!section(&md, "## Corrective and preventive measures").contains("config pushes"));
    let html = text(&a, &opts(Format::Html, TemplateChoice::Seed));
    assert!(html.contains("No change is likely enough to name (best: web-182, 0.32"));
    let sre = text(&a, &opts(Format::Markdown, TemplateChoice::GoogleSre));
    assert!(section(&sre, "## Trigger").contains("Unknown. No change is likely enough to name"));
    let mut json = a.clone();
    fill_text(&mut json);
    let lead = json.lead.unwrap_or_default();
    assert!(lead.starts_with(said) && lead.contains("Start from the first incident error at web.log:1042."), "{lead}");
    assert_eq!(json.suspects.first().map(|s| s.evidence.len()), Some(4), "one line per factor");
}

#[test]
fn an_empty_analysis_still_exports() {
    let a = Analysis::default();
    for format in [Format::Markdown, Format::Html, Format::Json, Format::Csv, Format::Svg] {
        for template in
            [TemplateChoice::Seed, TemplateChoice::GoogleSre, TemplateChoice::Atlassian, TemplateChoice::PagerDuty]
        {
            let out = export(&a, &opts(format, template.clone()));
            assert!(out.is_ok(), "{format:?} {template:?}: {:?}", out.err());
        }
    }
    let md = text(&a, &opts(Format::Markdown, TemplateChoice::Seed));
    assert!(md.contains("No incident was found in the inputs"));
}

#[test]
fn html_escaping_follows_the_format_not_the_template_name() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Named like Markdown, turning escaping off, with no policy of its own.
    let path = dir.path().join("ours.md.j2");
    std::fs::write(
        &path,
        "<!DOCTYPE html>\n<h1>{{ title }}</h1>{% autoescape false %}{% for e in timeline %}<p>{{ e.text }} {{ e.text|md }}</p>{% endfor %}{% endautoescape %}",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let html = text(&archive(), &opts(Format::Html, TemplateChoice::File(path)));
    assert!(html.contains("&lt;img") && !html.contains("<img") && !html.contains("<script"), "{html}");
    // The policy comes first, right after the doctype: it governs all the template wrote.
    let csp = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{HTML_CSP}\">");
    assert!(html.starts_with(&format!("<!DOCTYPE html>\n{csp}\n<h1>")), "{html}");
    // A template with no doctype gets the policy as its first line.
    let bare = dir.path().join("bare.html.j2");
    std::fs::write(&bare, "<p>{{ lead }}</p>").unwrap_or_else(|e| panic!("{e}"));
    assert!(text(&archive(), &opts(Format::Html, TemplateChoice::File(bare))).starts_with(&csp));
    // The built-in HTML report carries it in its own head, once.
    let builtin = text(&archive(), &opts(Format::Html, TemplateChoice::Seed));
    assert_eq!(builtin.matches("Content-Security-Policy").count(), 1);
}

#[test]
fn a_user_template_file_renders_with_the_same_view_and_escaping() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("our-postmortem.md.j2");
    let src = "# {{ title }}\n\nOnset {{ incident.onset_when }} ({{ zone }}).\n\n{% for e in timeline %}\n* {{ e.when }} {{ e.text }}{{ e.citation|cite }}\n{% endfor %}\n\n{% include \"evidence.md.j2\" %}\n";
    std::fs::write(&path, src).unwrap_or_else(|e| panic!("{e}"));
    let md = text(&archive(), &opts(Format::Markdown, TemplateChoice::parse(&path.to_string_lossy())));
    assert!(md.starts_with("# The Archive crash incident report\n\nOnset 11:27 (UTC+3)."), "{md}");
    assert!(md.contains("\n* 11:20 Config push cfg-118"), "{md}");
    assert!(
        md.contains("\\<img src=x") && !live_tag(&outside_code_blocks(&md), "<img"),
        "user templates are escaped too:\n{md}"
    );
    assert!(md.contains("## Evidence"));

    // An HTML copy gets HTML escaping.
    let hpath = dir.path().join("mine.html.j2");
    std::fs::write(&hpath, "<ul>{% for e in timeline %}<li>{{ e.text }}</li>{% endfor %}</ul>")
        .unwrap_or_else(|e| panic!("{e}"));
    let html = text(&archive(), &opts(Format::Html, TemplateChoice::File(hpath)));
    assert!(html.contains("&lt;img") && !html.contains("<img"), "{html}");
    // Faultline's filters never bypass the escaping of the template they run in.
    let fpath = dir.path().join("filters.html.j2");
    std::fs::write(
        &fpath,
        "{% for e in timeline %}{{ e.text|md }}{{ e.text|code }}{{ e.text|fence }}{{ e.citation|cite }}{% endfor %}",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let html = text(&archive(), &opts(Format::Html, TemplateChoice::File(fpath)));
    assert!(html.contains("<code>") && html.contains("&lt;img") && !html.contains("<img"), "{html}");

    // Broken and missing templates are errors that name the file.
    let bad = dir.path().join("broken.md.j2");
    std::fs::write(&bad, "{% for e in timeline %}\nno end").unwrap_or_else(|e| panic!("{e}"));
    let err = export(&archive(), &opts(Format::Markdown, TemplateChoice::File(bad)))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("broken.md.j2"), "{err}");
    let missing = dir.path().join("nope.md.j2");
    let err = export(&archive(), &opts(Format::Markdown, TemplateChoice::File(missing))).err();
    assert!(matches!(err, Some(ReportError::TemplateRead { .. })), "{err:?}");
}

#[test]
fn svg_export_and_chart_api() {
    let svg = text(&archive(), &opts(Format::Svg, TemplateChoice::Seed));
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("cfg-118 (suspect)"));
    // web-182 (07:02 UTC) lies before the error series: it stays in the
    // timeline table and does not squeeze the chart.
    assert!(!svg.contains("web-182"));
    assert!(svg.contains("class=\"band\"") && svg.contains("incident 11:27–14:05"));
    assert!(svg.contains(">12:00<"), "ticks at +03:00 wall-clock hours");
    let small = chart_svg(&archive(), &Zone::Utc, 400, 200);
    assert!(small.contains("time (UTC)") && small.contains(">09:00<"), "{small}");
}

#[test]
fn format_and_template_names() {
    assert_eq!(Format::parse("MD").ok(), Some(Format::Markdown));
    assert_eq!(Format::parse("markdown").ok(), Some(Format::Markdown));
    assert_eq!("svg".parse::<Format>().ok(), Some(Format::Svg));
    assert!(matches!(Format::parse("pdf"), Err(ReportError::UnknownFormat(_))));
    assert_eq!(TemplateChoice::parse("google-sre"), TemplateChoice::GoogleSre);
    assert_eq!(TemplateChoice::parse("pagerduty"), TemplateChoice::PagerDuty);
    assert_eq!(TemplateChoice::parse("atlassian"), TemplateChoice::Atlassian);
    assert_eq!(TemplateChoice::parse("seed"), TemplateChoice::Seed);
    assert_eq!(TemplateChoice::parse("./pm.md.j2"), TemplateChoice::File(PathBuf::from("./pm.md.j2")));
    assert!(builtin_template("seed.md.j2").is_some_and(|s| s.contains("## Timeline ({{ zone }})")));
}

/// A source read for a window says which, and why it has no hash, in the
/// words the notes carried before the window was a field.
#[test]
fn a_window_read_is_explained_where_the_inputs_are_listed() {
    let mut a = archive();
    let s = &mut a.sources[0];
    s.window = Some(faultline_model::ReadWindow {
        from: Some(at("2026-11-24T10:00:00Z")),
        to: Some(at("2026-11-24T10:20:00Z")),
    });
    s.sha256 = String::new();
    let path = s.path.clone();
    let md = text(&a, &opts(Format::Markdown, TemplateChoice::Seed));
    let window = "only 2026-11-24T10:00:00Z – 2026-11-24T10:20:00Z was read (--from/--to; the file is taken to be in time order within 5 min";
    assert!(md.contains(&format!("- {path}: {window}")), "{md}");
    assert!(md.contains(&format!("- {path}: not hashed: only a window was read")), "{md}");
    let html = text(&a, &opts(Format::Html, TemplateChoice::Seed));
    assert!(html.contains("only 2026-11-24T10:00:00Z – 2026-11-24T10:20:00Z was read (--from"), "{html}");
    assert!(html.contains("not hashed: only a window was read"), "{html}");

    // A whole read says nothing of the kind.
    let md = text(&archive(), &opts(Format::Markdown, TemplateChoice::Seed));
    assert!(!md.contains("was read (--from") && !md.contains("not hashed"), "{md}");
}
