//! `git log` text: the default (medium) layout and `--pretty=fuller`, with
//! `--stat`, `--name-status`, `-p` or nothing, in any `--date` style git prints.

use crate::input::{lines, person_name, trim_line};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::time::{from_epoch_int, parse_instant, Zone};
use faultline_model::{Change, Instant, Span};
use regex::Regex;
use std::sync::LazyLock;

static COMMIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^commit ([0-9a-f]{7,64})(?:\s|$)").unwrap_or_else(|_| unreachable!()));
static NAME_STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([ACDMRTUXB])[0-9]*\t(.+)$").unwrap_or_else(|_| unreachable!()));
static STAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ (.+?)\s+\|\s+(?:[0-9]+(?: [+-]*)?|Bin\b.*)$").unwrap_or_else(|_| unreachable!()));
static STAT_SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ [0-9]+ files? changed(?:, [0-9]+ insertions?\(\+\))?(?:, [0-9]+ deletions?\(-\))?$")
        .unwrap_or_else(|_| unreachable!())
});

/// Whether a sample starts like `git log` output.
pub(crate) fn looks_like(sample: &[u8]) -> bool {
    let text = String::from_utf8_lossy(sample.get(..sample.len().min(4096)).unwrap_or(sample));
    let mut it = text.lines().skip_while(|l| l.trim().is_empty());
    let Some(first) = it.next() else { return false };
    if !COMMIT.is_match(first) {
        return false;
    }
    // `Merge:` may stand between the commit line and the author.
    it.take(3).any(|l| l.starts_with("Author:"))
}

#[derive(Default)]
struct Pending {
    id: String,
    line: u64,
    offset: usize,
    end: usize,
    lines: u32,
    author: Option<String>,
    author_date: Option<String>,
    commit_date: Option<String>,
    in_headers: bool,
    /// Past the message: indented lines now are patch context, not message.
    body_done: bool,
    message: Vec<String>,
    files: Vec<String>,
    raw_first: Vec<u8>,
    /// Inside a `-p` patch: `+`/`-` lines are the diff.
    in_patch: bool,
    words: crate::diffwords::DiffWords,
}

/// `--date=raw` (`1795508823 +0300`) and `--date=unix` are epoch seconds.
fn read_date(text: &str, zone: &Zone) -> Option<(Instant, u8)> {
    if let Some((secs, off)) = text.split_once(' ') {
        if secs.bytes().all(|b| b.is_ascii_digit()) && faultline_model::time::parse_offset(off).is_some() {
            return from_epoch_int(secs.parse().ok()?).map(|t| (t, 0));
        }
    }
    parse_instant(text, zone)
}

/// `src/{old => new}/a.py` → `src/new/a.py`; `old.py => new.py` → `new.py`.
fn stat_path(p: &str) -> String {
    let p = p.trim();
    if let (Some(l), Some(r)) = (p.find('{'), p.find('}')) {
        if l < r {
            let inner = p.get(l + 1..r).unwrap_or("");
            let new = inner.split_once(" => ").map_or(inner, |(_, n)| n);
            let joined = format!("{}{}{}", p.get(..l).unwrap_or(""), new, p.get(r + 1..).unwrap_or(""));
            return joined.replace("//", "/");
        }
    }
    p.split_once(" => ").map_or(p, |(_, n)| n).to_string()
}

fn flush(p: Pending, data: &[u8], opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<bool, SourceError> {
    let span = Span { line: p.line, offset: p.offset as u64, len: (p.end - p.offset) as u64, lines: p.lines };
    let date = p.commit_date.as_deref().or(p.author_date.as_deref());
    let Some((time, flags)) = date.and_then(|d| read_date(d, &opts.zone)) else {
        let raw = data.get(p.offset..p.end).unwrap_or(&p.raw_first);
        return tally.unparsed(p.line, p.offset as u64, raw, "commit without a readable date");
    };
    tally.dst(flags);
    let mut message = p.message;
    while message.last().is_some_and(|l| l.trim().is_empty()) {
        message.pop();
    }
    let mut files = p.files;
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    tally.change(Change {
        author: p.author,
        files,
        identifiers: p.words.finish(),
        span,
        tool: Some("git".into()),
        revision: Some(p.id.clone()),
        ..Change::new(p.id, time, message.join("\n"))
    })
}

pub(crate) fn parse(data: &[u8], opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let mut pending: Option<Pending> = None;
    for (number, offset, raw) in lines(data) {
        let line_bytes = trim_line(raw);
        let line = String::from_utf8_lossy(line_bytes);
        if let Some(c) = COMMIT.captures(&line) {
            if let Some(p) = pending.take() {
                if !flush(p, data, opts, tally)? {
                    return Ok(());
                }
            }
            pending = Some(Pending {
                id: c.get(1).map_or("", |m| m.as_str()).to_string(),
                line: number,
                offset,
                end: offset + line_bytes.len(),
                lines: 1,
                in_headers: true,
                raw_first: line_bytes.to_vec(),
                ..Pending::default()
            });
            continue;
        }
        let Some(p) = pending.as_mut() else {
            if !line.trim().is_empty() && !tally.unparsed(number, offset as u64, line_bytes, "not part of a commit")? {
                return Ok(());
            }
            continue;
        };
        if !line.trim().is_empty() {
            p.end = offset + line_bytes.len();
            p.lines = (number - p.line + 1) as u32;
        }
        if p.in_headers {
            if line.trim().is_empty() {
                p.in_headers = false;
            } else if let Some((key, value)) = line.split_once(':') {
                let value = value.trim();
                match key {
                    "Author" => p.author = person_name(value),
                    "Date" | "AuthorDate" => p.author_date = Some(value.to_string()),
                    "CommitDate" => p.commit_date = Some(value.to_string()),
                    // Merge:, Commit:, Reflog: … carry nothing a Change holds.
                    _ => {}
                }
            }
            continue;
        }
        if !p.body_done {
            if let Some(msg) = line.strip_prefix("    ") {
                p.message.push(msg.to_string());
                continue;
            }
            if line.trim().is_empty() {
                p.message.push(String::new());
                continue;
            }
            p.body_done = true;
        }
        if p.in_patch && !line.starts_with("+++ ") && !line.starts_with("--- ") {
            if let Some(added) = line.strip_prefix('+') {
                p.words.line(added, true);
                continue;
            }
            if let Some(removed) = line.strip_prefix('-') {
                p.words.line(removed, false);
                continue;
            }
        }
        if let Some(c) = NAME_STATUS.captures(&line) {
            // R100/C75 lines name old and new path: the new one is what exists now.
            let paths = c.get(2).map_or("", |m| m.as_str());
            if let Some(last) = paths.rsplit('\t').next() {
                p.files.push(last.to_string());
            }
        } else if STAT_SUMMARY.is_match(&line) {
            // `N files changed, …` is a total, not a file.
        } else if let Some(c) = STAT.captures(&line) {
            p.files.push(stat_path(c.get(1).map_or("", |m| m.as_str())));
        } else if let Some(rest) = line.strip_prefix("diff --git ") {
            // `-p`: `diff --git a/x b/y` names the file once per change.
            if let Some((_, b)) = rest.rsplit_once(" b/") {
                p.files.push(b.to_string());
            }
            p.in_patch = true;
        } else if let Some(path) = line.strip_prefix("diff --cc ").or_else(|| line.strip_prefix("diff --combined ")) {
            p.files.push(path.trim().to_string());
        }
    }
    if let Some(p) = pending.take() {
        flush(p, data, opts, tally)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;

    const STAT_LOG: &str = "\
commit 8d3c1f0a9b7e6d5c4b3a29180f7e6d5c4b3a2918 (HEAD -> main, origin/main)
Author: Jane Doe <jane@example.com>
Date:   Tue Nov 24 11:20:03 2026 +0300

    Revert \"Bump checkout DB pool to 200\"
    
    This reverts commit 5ff541892d80c5edebae36bba82c9521a85faf8c.

 config/db.yaml | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

commit 3a1b2c3d4e5f60718293a4b5c6d7e8f901234567
Merge: 1111111 2222222
Author: Bob <bob@example.com>
Date:   Tue Nov 3 09:05:00 2026 -0500

    Merge branch 'pool'

 src/{db => storage}/pool.py          | 10 ++++++----
 assets/logo.png                      | Bin 0 -> 1234 bytes
 old_name.txt => new_name.txt         |  0
 3 files changed, 6 insertions(+), 4 deletions(-)
";

    #[test]
    fn stat_log_with_default_dates_revert_and_merge() {
        let (sink, report) = run(STAT_LOG, SourceFormat::GitLog, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (2, 0));
        let c = &sink.changes[0];
        assert_eq!(c.id, "8d3c1f0a9b7e6d5c4b3a29180f7e6d5c4b3a2918");
        assert_eq!(c.time, utc("2026-11-24T08:20:03Z"));
        assert_eq!(c.author.as_deref(), Some("Jane Doe"));
        assert_eq!(
            c.message,
            "Revert \"Bump checkout DB pool to 200\"\n\nThis reverts commit 5ff541892d80c5edebae36bba82c9521a85faf8c."
        );
        assert_eq!(c.files, vec!["config/db.yaml"]);
        assert_eq!((c.span.line, c.span.lines), (1, 10));
        let m = &sink.changes[1];
        // Single-digit day, negative offset.
        assert_eq!(m.time, utc("2026-11-03T14:05:00Z"));
        assert_eq!(m.span.line, 12);
        assert_eq!(m.message, "Merge branch 'pool'");
        assert_eq!(m.files, vec!["src/storage/pool.py", "assets/logo.png", "new_name.txt"]);
    }

    const NAME_STATUS_LOG: &str = "\
commit a6e53341abe2bcb6ca32597f90f6bc17556e20d7
Author: Jane Doe <jane@example.com>
Date:   2026-11-25 19:02:56 +0000

    Rename pool module

M\tb.txt
R100\tsrc/a.py\tsrc/c.py
D\tgone.txt

commit 5ff541892d80c5edebae36bba82c9521a85faf8c
Author: Jane Doe <jane@example.com>
Date:   2026-11-24 11:20:03 +0300

    Add pool

A\tb.txt
A\tsrc/a.py
";

    #[test]
    fn name_status_log_with_iso_dates() {
        let (sink, report) = run(NAME_STATUS_LOG, SourceFormat::GitLog, &zone("+05:00"));
        assert_eq!(report.records, 2);
        assert_eq!(sink.changes[0].files, vec!["b.txt", "src/c.py", "gone.txt"]);
        assert_eq!(sink.changes[0].time, utc("2026-11-25T19:02:56Z"));
        assert_eq!(sink.changes[0].message, "Rename pool module");
        assert_eq!(sink.changes[1].time, utc("2026-11-24T08:20:03Z"));
        assert_eq!(sink.changes[1].span.line, 11);
        assert_eq!(sink.changes[1].files, vec!["b.txt", "src/a.py"]);
    }

    #[test]
    fn every_date_style_git_prints() {
        let want = utc("2026-11-24T08:20:03Z");
        for date in [
            "Tue Nov 24 11:20:03 2026 +0300",
            "2026-11-24 11:20:03 +0300",
            "2026-11-24T11:20:03+03:00",
            "Tue, 24 Nov 2026 11:20:03 +0300",
            "1795508403 +0300",
            "1795508403",
        ] {
            let log = format!("commit abcdef1\nAuthor: A <a@x>\nDate:   {date}\n\n    msg\n");
            let (sink, report) = run(&log, SourceFormat::GitLog, &zone("UTC"));
            assert_eq!(report.records, 1, "{date}");
            assert_eq!(sink.changes[0].time, want, "{date}");
            assert_eq!(sink.changes[0].id, "abcdef1");
        }
        // --date=local drops the offset: read in the source zone.
        let log = "commit abcdef1\nAuthor: A <a@x>\nDate:   Tue Nov 24 11:20:03 2026\n\n    msg\n";
        let (sink, _) = run(log, SourceFormat::GitLog, &zone("+03:00"));
        assert_eq!(sink.changes[0].time, want);
    }

    #[test]
    fn fuller_layout_prefers_the_commit_date_and_relative_dates_are_unparsed() {
        let log = "\
commit 1234567890abcdef1234567890abcdef12345678
Author:     Jane Doe <jane@example.com>
AuthorDate: Mon Nov 23 10:00:00 2026 +0000
Commit:     CI Bot <ci@example.com>
CommitDate: Tue Nov 24 08:00:00 2026 +0000

    Cherry-picked fix

diff --git a/src/pay.py b/src/pay.py
index 1..2 100644
--- a/src/pay.py
+++ b/src/pay.py
@@ -1 +1 @@
-gateway = PaymentGateway(timeout_ms=500)
+gateway = PaymentGateWay(timeout_ms=500)

commit 0987654
Author: X <x@y>
Date:   3 days ago

    relative
";
        let (sink, report) = run(log, SourceFormat::GitLog, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (1, 1));
        assert_eq!(sink.changes[0].time, utc("2026-11-24T08:00:00Z"));
        assert_eq!(sink.changes[0].files, vec!["src/pay.py"]);
        assert_eq!(sink.changes[0].message, "Cherry-picked fix");
        // What the patch changed, introduced names first; `---`/`+++` are not lines of it.
        assert_eq!(sink.changes[0].identifiers, vec!["PaymentGateWay", "PaymentGateway", "timeout_ms"]);
        assert_eq!(sink.unparsed[0].0, 17);
        assert_eq!(sink.unparsed[0].1, "commit without a readable date");
    }

    #[test]
    fn detection_needs_a_commit_line_followed_by_headers() {
        assert!(looks_like(STAT_LOG.as_bytes()));
        assert!(looks_like(b"\ncommit abcdef1\nAuthor: a\nDate: x\n"));
        assert!(!looks_like(b"commit abcdef1 was pushed by bob\nnothing else\n"));
        assert!(!looks_like(b"2026-11-24 commit abcdef1\n"));
    }
}
