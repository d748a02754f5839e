//! Helm: `helm history RELEASE -o json` (`revision`, `updated`, `status`,
//! `chart`, `app_version`, `description`) and its default table.
//!
//! `updated` is the release's `LastDeployed`, which Helm stamps when an
//! install, upgrade or rollback begins, so it is a start. The release name
//! is not in the output: the chart's name stands for the service. A
//! `Rollback to N` undoes the revision that was deployed before it.

use super::sniff::Sniff;
use super::{change, mark_redeploys, Moments, Reading};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{Change, ChangeStatus, Instant, Span};

pub(crate) const TOOL: &str = "helm";

pub(crate) fn looks_like(s: &Sniff) -> bool {
    s.array_root
        && ["revision", "updated", "status", "chart"].iter().all(|k| s.has_at(2, k))
        && s.has_at(2, "app_version")
}

const TABLE_HEADER: &[&str] = &["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"];

fn table_cells(line: &str) -> Vec<&str> {
    line.split('\t').map(str::trim).collect()
}

/// The default table: a tab-separated header `REVISION UPDATED STATUS CHART APP VERSION DESCRIPTION`.
pub(crate) fn looks_like_table(sample: &[u8]) -> bool {
    let text = String::from_utf8_lossy(sample);
    text.lines().next().is_some_and(|l| table_cells(l) == TABLE_HEADER)
}

/// `checkout-1.4.3` → `checkout`: the version starts at the last `-` followed by a digit.
fn chart_name(chart: &str) -> &str {
    let cut = chart
        .char_indices()
        .rev()
        .find(|(i, c)| {
            *c == '-' && chart.get(i + 1..).is_some_and(|rest| rest.starts_with(|d: char| d.is_ascii_digit()))
        })
        .map(|(i, _)| i);
    cut.and_then(|i| chart.get(..i)).unwrap_or(chart)
}

fn status(s: &str) -> ChangeStatus {
    match s {
        "deployed" | "superseded" | "uninstalled" => ChangeStatus::Succeeded,
        "failed" => ChangeStatus::Failed,
        "pending-install" | "pending-upgrade" | "pending-rollback" | "uninstalling" => ChangeStatus::InProgress,
        _ => ChangeStatus::Unknown,
    }
}

struct Row {
    revision: i64,
    updated: Option<Instant>,
    status: String,
    chart: String,
    app_version: String,
    description: String,
    span: Span,
}

fn to_change(row: &Row) -> Option<Change> {
    let name = chart_name(&row.chart);
    let mut message = row.description.clone();
    message += &format!(" (chart {}", row.chart);
    if !row.app_version.is_empty() {
        message += &format!(", app {}", row.app_version);
    }
    message.push(')');
    let mut c = change(
        TOOL,
        format!("{name}#{}", row.revision),
        message,
        Moments { started: row.updated, ..Moments::default() },
    )?;
    c.status = status(&row.status);
    c.service = Some(name.to_string());
    c.revision = Some(row.chart.clone());
    Some(c)
}

/// `Rollback to 4` undoes what was deployed just before it: the highest earlier revision.
fn link_rollbacks(changes: &mut [Change], rows: &[(i64, usize)]) {
    for &(rev, index) in rows {
        let Some(c) = changes.get(index) else { continue };
        if !c.message.starts_with("Rollback to ") {
            continue;
        }
        let previous = rows
            .iter()
            .filter(|(r, _)| *r < rev)
            .max_by_key(|(r, _)| *r)
            .and_then(|(_, i)| changes.get(*i))
            .map(|p| p.id.clone());
        if let Some(c) = changes.get_mut(index) {
            c.undoes = previous;
        }
    }
}

pub(crate) fn parse(data: &[u8], label: &str, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let mut r = Reading::new(data, label, opts);
    let mut rows = Vec::new();
    let broke;
    if looks_like_table(data) {
        broke = None;
        for (n, offset, raw) in crate::input::lines(data).skip(1) {
            let raw = crate::input::trim_line(raw);
            let line = String::from_utf8_lossy(raw);
            if line.trim().is_empty() {
                continue;
            }
            let span = r.span(offset, offset + raw.len());
            let cells = table_cells(&line);
            let (Some(rev), Some(updated)) = (cells.first().and_then(|c| c.parse::<i64>().ok()), cells.get(1)) else {
                r.unparsed(tally, span, "not a helm history row")?;
                continue;
            };
            let _ = n;
            let cell = |i: usize| cells.get(i).map_or(String::new(), |c| c.to_string());
            rows.push(Row {
                revision: rev,
                updated: super::time_text(updated, &r.zone),
                status: cell(2),
                chart: cell(3),
                app_version: cell(4),
                description: cells.get(5..).map_or(String::new(), |d| d.join(" ")),
                span,
            });
        }
    } else {
        let doc = super::parse_doc(data, label)?;
        for root in doc.roots() {
            for e in root.items() {
                let span = r.span_of(&e);
                let Some(rev) = e.int("revision").filter(|_| e.complete()) else {
                    r.unparsed(tally, span, "not a helm history entry")?;
                    continue;
                };
                rows.push(Row {
                    revision: rev,
                    updated: super::time_at(&e, "updated", &r.zone),
                    status: e.text("status").unwrap_or_default(),
                    chart: e.text("chart").unwrap_or_default(),
                    app_version: e.text("app_version").unwrap_or_default(),
                    description: e.text("description").unwrap_or_default(),
                    span,
                });
            }
        }
        broke = doc.broke;
    }
    if rows.is_empty() && broke.is_none() {
        return Err(super::not_found(label, "helm history revision"));
    }
    let mut index = Vec::new();
    for row in &rows {
        match to_change(row) {
            Some(c) => {
                index.push((row.revision, r.changes.len()));
                r.push(c, row.span);
            }
            None => {
                r.unparsed(tally, row.span, "revision without a readable updated time")?;
            }
        }
    }
    link_rollbacks(&mut r.changes, &index);
    mark_redeploys(&mut r.changes);
    r.finish(tally, broke.as_ref())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// `helm history checkout -n shop -o json`: one line, times in the zone of the machine that ran helm.
    pub(crate) const HISTORY: &str = concat!(
        r#"[{"revision":3,"updated":"2026-03-11T10:12:00.118833+01:00","status":"superseded","chart":"checkout-1.4.2","app_version":"1.4.2","description":"Upgrade complete"},"#,
        r#"{"revision":4,"updated":"2026-03-12T15:02:03.540271+01:00","status":"failed","chart":"checkout-1.4.3","app_version":"1.4.3","description":"Upgrade \"checkout\" failed: context deadline exceeded"},"#,
        r#"{"revision":5,"updated":"2026-03-12T16:20:58.003142+01:00","status":"deployed","chart":"checkout-1.4.2","app_version":"1.4.2","description":"Rollback to 3"}]"#,
        "\n"
    );

    #[test]
    fn history_json_reads_starts_failures_and_rollbacks() {
        let (sink, report) = run(HISTORY, SourceFormat::HelmHistory, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (3, 0));
        let ids: Vec<&str> = sink.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["checkout#3", "checkout#4", "checkout#5"]);
        let bad = &sink.changes[1];
        assert_eq!((bad.time, bad.moment), (utc("2026-03-12T14:02:03.540271Z"), ChangeMoment::Started));
        assert_eq!(bad.status, ChangeStatus::Failed);
        assert_eq!(bad.revision.as_deref(), Some("checkout-1.4.3"));
        assert_eq!(bad.service.as_deref(), Some("checkout"));
        assert_eq!(
            bad.message,
            "Upgrade \"checkout\" failed: context deadline exceeded (chart checkout-1.4.3, app 1.4.3)"
        );
        // One line: the entries differ by offset.
        assert_eq!(bad.span.line, 1);
        assert!(bad.span.offset > sink.changes[0].span.offset);
        assert_eq!(sink.changes[2].undoes.as_deref(), Some("checkout#4"));
        assert_eq!(sink.changes[2].status, ChangeStatus::Succeeded);
    }

    #[test]
    fn the_default_table_reads_in_the_given_zone() {
        let table = "REVISION\tUPDATED                 \tSTATUS    \tCHART         \tAPP VERSION\tDESCRIPTION     \n\
3       \tWed Mar 11 10:12:00 2026\tsuperseded\tcheckout-1.4.2\t1.4.2      \tUpgrade complete\n\
4       \tThu Mar 12 15:02:03 2026\tdeployed  \tcheckout-1.4.3\t1.4.3      \tUpgrade complete\n";
        assert!(super::looks_like_table(table.as_bytes()));
        let (sink, report) = run(table, SourceFormat::HelmHistory, &zone("Europe/Berlin"));
        assert_eq!(report.records, 2);
        assert_eq!(sink.changes[1].time, utc("2026-03-12T14:02:03Z"));
        assert_eq!(sink.changes[1].span.line, 3);
        assert_eq!(super::chart_name("my-app-2-0.1.0"), "my-app-2");
    }
}
