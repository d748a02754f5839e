//! A git repository folder read with libgit2: the commits reachable from
//! HEAD, newest first by committer time, within the look-back the engine
//! asks for (a config repository with years of history is not read whole).

use crate::diffwords::DiffWords;
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::{Change, Instant};
use git2::{Commit, DiffFindOptions, DiffOptions, ErrorCode, Oid, Repository, RepositoryOpenFlags};
use std::collections::{BinaryHeap, HashSet};
use std::path::Path;

/// A work tree (`.git` folder, or `.git` file for linked work trees and
/// submodules) or a bare repository. Only the folder itself: a logs folder
/// that happens to sit inside a repository is not that repository.
pub(crate) fn looks_like(dir: &Path) -> bool {
    let dotgit = dir.join(".git");
    if dotgit.is_dir() || dotgit.is_file() {
        return true;
    }
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir()
}

/// Diffs with more deltas than this skip rename detection, which is
/// quadratic in the number of added/deleted files (vendoring commits).
const RENAME_DETECTION_LIMIT: usize = 1000;
/// Older commits in a row after which the walk stops: committer times are
/// not perfectly ordered (a rebase, a skewed clock), so one older commit
/// does not end it.
const OLDER_STREAK: u32 = 64;
/// Blobs larger than this are not read for identifiers (generated files, vendored bundles).
const MAX_BLOB_BYTES: i64 = 1024 * 1024;

/// The commits reachable from a start, newest committer time first, read
/// only as far as the caller goes. libgit2's time-sorted revwalk parses the
/// whole history before it yields the first commit (sorting makes it a
/// "limited" walk): 50,000 commits cost a quarter of a second and 30 MB
/// for the hundred the look-back needs. This is git's own date-order walk:
/// a queue of the commits seen, the newest popped, its parents pushed.
struct NewestFirst<'r> {
    repo: &'r Repository,
    queue: BinaryHeap<(i64, Oid)>,
    seen: HashSet<Oid>,
}

impl<'r> NewestFirst<'r> {
    fn new(repo: &'r Repository, head: &Commit<'_>) -> Self {
        let mut walk = NewestFirst { repo, queue: BinaryHeap::new(), seen: HashSet::new() };
        walk.seen.insert(head.id());
        walk.queue.push((head.time().seconds(), head.id()));
        walk
    }
}

impl<'r> Iterator for NewestFirst<'r> {
    /// A commit, or the id that could not be read and why.
    type Item = Result<Commit<'r>, (Oid, git2::Error)>;

    fn next(&mut self) -> Option<Self::Item> {
        let (_, oid) = self.queue.pop()?;
        let commit = match self.repo.find_commit(oid) {
            Ok(c) => c,
            Err(e) => return Some(Err((oid, e))),
        };
        for parent in commit.parent_ids() {
            if self.seen.insert(parent) {
                // A parent that cannot be read is reported when popped; its time is unknown, so it goes last.
                let time = self.repo.find_commit(parent).map_or(i64::MIN, |p| p.time().seconds());
                self.queue.push((time, parent));
            }
        }
        Some(Ok(commit))
    }
}

fn when(t: Option<Instant>) -> String {
    t.map_or_else(|| "…".to_string(), |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
}

pub(crate) fn parse(path: &Path, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let label = path.display().to_string();
    let git_err = |e: git2::Error| SourceError::Git { path: label.clone(), message: e.message().to_string() };
    let repo = Repository::open_ext(path, RepositoryOpenFlags::NO_SEARCH, std::iter::empty::<&std::ffi::OsStr>())
        .map_err(|e| SourceError::NotARepository { path: label.clone(), message: e.message().to_string() })?;
    let head = match repo.head() {
        Ok(h) => h,
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
            tally.note("the repository has no commits yet".into());
            return Ok(());
        }
        Err(e) => return Err(git_err(e)),
    };
    let head = head.peel_to_commit().map_err(git_err)?;
    let (from, to) = opts.changes_within.unwrap_or((None, None));
    let walk = NewestFirst::new(&repo, &head);
    let mut unreadable_diffs = 0u64;
    let (mut newer, mut older, mut streak, mut read) = (0u64, 0u64, 0u32, 0u64);
    let mut stopped_early = false;
    // What was read, for the source's hash: HEAD, then every commit id read.
    let mut identity = format!("git HEAD {}\n", head.id());
    for next in walk {
        if tally.stopped() {
            break;
        }
        let commit = match next {
            Ok(c) => c,
            Err((oid, e)) => {
                // A shallow or damaged history: what was read stays, and the note says where it ends.
                tally.note(format!("commit {oid} could not be read ({}): history past it not read", e.message()));
                continue;
            }
        };
        let oid = commit.id();
        let when = commit.time();
        let Some(time) = chrono::DateTime::from_timestamp(when.seconds(), 0) else {
            tally.note(format!("commit {oid}: time {} out of range, skipped", when.seconds()));
            continue;
        };
        if to.is_some_and(|to| time > to) {
            newer += 1;
            continue;
        }
        if from.is_some_and(|from| time < from) {
            older += 1;
            streak += 1;
            if streak >= OLDER_STREAK {
                stopped_early = true;
                break;
            }
            continue;
        }
        streak = 0;
        let (files, identifiers) = match changed(&repo, &commit) {
            Ok(f) => f,
            Err(_) => {
                unreadable_diffs += 1;
                (Vec::new(), Vec::new())
            }
        };
        let message = String::from_utf8_lossy(commit.message_bytes()).trim_end().to_string();
        let author = commit.author();
        let author = String::from_utf8_lossy(author.name_bytes()).trim().to_string();
        let author = if author.is_empty() {
            crate::input::non_empty(&String::from_utf8_lossy(commit.author().email_bytes()))
        } else {
            Some(author)
        };
        identity.push_str(&format!("{oid}\n"));
        read += 1;
        let change = Change {
            author,
            files,
            identifiers,
            tool: Some("git".into()),
            revision: Some(oid.to_string()),
            ..Change::new(oid.to_string(), time, message)
        };
        if !tally.change(change)? {
            break;
        }
    }
    if unreadable_diffs > 0 {
        tally.note(format!(
            "{unreadable_diffs} commits: changed files could not be read (missing objects?); listed without files"
        ));
    }
    if from.is_some() || to.is_some() {
        let older_text = match (older, stopped_early) {
            (0, _) => String::new(),
            (n, true) => format!("; {n} older commits seen before the walk stopped (older history not read)"),
            (n, false) => format!("; {n} older commits skipped"),
        };
        let newer_text = if newer > 0 { format!("; {newer} newer commits skipped") } else { String::new() };
        tally.note(format!(
            "HEAD {}: {read} commits committed {} to {} read (the look-back around the logs){older_text}{newer_text}",
            head.id(),
            when(from),
            when(to),
        ));
    } else {
        tally.note(format!("HEAD {}: all {read} commits reachable from it read", head.id()));
    }
    tally.note("commit times are committer times (when the commit landed), not author times".into());
    tally.identity(identity);
    Ok(())
}

/// Files changed against the first parent (for a root commit, every file),
/// and the identifiers of the added and removed lines.
fn changed(repo: &Repository, commit: &Commit<'_>) -> Result<(Vec<String>, Vec<String>), git2::Error> {
    let tree = commit.tree()?;
    let parent_tree = if commit.parent_count() > 0 { Some(commit.parent(0)?.tree()?) } else { None };
    let mut opts = DiffOptions::new();
    opts.max_size(MAX_BLOB_BYTES);
    let mut diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))?;
    if diff.deltas().len() <= RENAME_DETECTION_LIMIT {
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    }
    let files = diff
        .deltas()
        .filter_map(|d| d.new_file().path().or_else(|| d.old_file().path()).map(|p| p.to_string_lossy().into_owned()))
        .collect();
    let mut words = DiffWords::default();
    // A root commit's "diff" is the whole tree: it introduced nothing in particular.
    if parent_tree.is_some() {
        let full = std::cell::Cell::new(false);
        // A callback returning false ends the walk with an error code: the
        // budget was spent, and what was gathered is kept.
        let _ = diff.foreach(
            &mut |_, _| !full.get(),
            None,
            None,
            Some(&mut |_, _, line| {
                let added = match line.origin() {
                    '+' => true,
                    '-' => false,
                    _ => return true,
                };
                full.set(!words.line(&String::from_utf8_lossy(line.content()), added));
                !full.get()
            }),
        );
    }
    Ok((files, words.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::utc;
    use crate::{parse, SourceFormat, SourceOptions};
    use faultline_model::CollectingSink;
    use git2::{Signature, Time};

    fn commit(repo: &Repository, files: &[(&str, Option<&str>)], message: &str, time: Time, name: &str) -> Oid {
        let mut index = repo.index().unwrap();
        let workdir = repo.workdir().unwrap().to_path_buf();
        for (path, content) in files {
            let full = workdir.join(path);
            match content {
                Some(c) => {
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, c).unwrap();
                    index.add_path(Path::new(path)).unwrap();
                }
                None => {
                    std::fs::remove_file(&full).unwrap();
                    index.remove_path(Path::new(path)).unwrap();
                }
            }
        }
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::new(name, &format!("{}@example.com", name.to_lowercase()), &time).unwrap();
        let parents: Vec<Commit<'_>> = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).into_iter().collect();
        let parent_refs: Vec<&Commit<'_>> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs).unwrap()
    }

    #[test]
    fn commits_from_a_real_repository() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        // 2026-11-24 11:20:03 +03:00 = 08:20:03Z.
        let first = commit(
            &repo,
            &[("config/db.yaml", Some("pool: 20\n")), ("src/pay.py", Some("def pay(): pass\n"))],
            "Bump checkout DB pool\n\nFor the sale.\n",
            Time::new(1_795_508_403, 180),
            "Alice",
        );
        // 2026-11-24 04:05:00 -05:00 = 09:05:00Z.
        let revert_msg = format!("Revert \"Bump checkout DB pool\"\n\nThis reverts commit {first}.\n");
        let second = commit(
            &repo,
            &[("config/db.yaml", Some("pool: 10\n")), ("src/pay.py", None)],
            &revert_msg,
            Time::new(1_795_511_100, -300),
            "Bob",
        );
        drop(repo);

        assert_eq!(crate::detect_dir(dir.path()), Some(SourceFormat::GitRepo));
        let mut sink = CollectingSink::default();
        let report = parse(dir.path(), SourceFormat::GitRepo, &SourceOptions::default(), &mut sink).unwrap();
        assert_eq!((report.records, report.unparsed), (2, 0));
        assert_eq!(report.first, Some(utc("2026-11-24T08:20:03Z")));
        assert_eq!(report.last, Some(utc("2026-11-24T09:05:00Z")));

        // Newest first.
        let revert = &sink.changes[0];
        assert_eq!(revert.id, second.to_string());
        assert_eq!(revert.time, utc("2026-11-24T09:05:00Z"));
        assert_eq!(revert.author.as_deref(), Some("Bob"));
        assert_eq!(revert.message, revert_msg.trim_end());
        assert_eq!(revert.files, vec!["config/db.yaml", "src/pay.py"]);
        assert_eq!((revert.file.as_deref(), revert.span.line), (None, 0));

        let root = &sink.changes[1];
        assert_eq!(root.id, first.to_string());
        assert_eq!(root.time, utc("2026-11-24T08:20:03Z"));
        assert_eq!(root.author.as_deref(), Some("Alice"));
        assert_eq!(root.message, "Bump checkout DB pool\n\nFor the sale.");
        assert_eq!(root.files, vec!["config/db.yaml", "src/pay.py"]);
        assert!(root.identifiers.is_empty(), "a root commit introduced nothing in particular");
        assert!(report.notes.iter().any(|n| n.contains(&format!("HEAD {second}"))), "{:?}", report.notes);
    }

    #[test]
    fn only_the_look_back_is_read_with_what_each_diff_introduced() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let day = 1_795_478_400; // 2026-11-24T00:00:00Z
        for i in 0..100 {
            let content = format!("retries: {i}\n");
            commit(
                &repo,
                &[("config/app.yaml", Some(&content))],
                "tune retries",
                Time::new(day - 86_400 * 30 + i * 600, 0),
                "Old",
            );
        }
        let culprit = commit(
            &repo,
            &[("config/pay.py", Some("gateway = PaymentGateWay(settings.PAYMENT_URL)\n"))],
            "Switch to the new gateway client",
            Time::new(day + 3600, 0),
            "Alice",
        );
        commit(&repo, &[("README.md", Some("docs\n"))], "docs", Time::new(day + 5 * 86_400, 0), "Bob");
        drop(repo);

        let within = Some((Some(utc("2026-11-23T12:00:00Z")), Some(utc("2026-11-25T00:00:00Z"))));
        let opts = SourceOptions { changes_within: within, ..SourceOptions::default() };
        let mut sink = CollectingSink::default();
        let report = parse(dir.path(), SourceFormat::GitRepo, &opts, &mut sink).unwrap();
        assert_eq!(sink.changes.len(), 1, "{:?}", sink.changes.iter().map(|c| &c.message).collect::<Vec<_>>());
        let c = &sink.changes[0];
        assert_eq!(c.id, culprit.to_string());
        assert!(c.identifiers.iter().any(|i| i == "PaymentGateWay"), "{:?}", c.identifiers);
        let note = report.notes.iter().find(|n| n.starts_with("HEAD ")).unwrap();
        assert!(note.contains("1 commits committed") && note.contains("1 newer commits skipped"), "{note}");
        assert!(note.contains("64 older commits seen before the walk stopped"), "{note}");
        let identity = report.identity.unwrap();
        assert!(identity.contains(&culprit.to_string()) && identity.lines().count() == 2, "{identity}");
    }

    #[test]
    fn a_merged_branch_interleaves_by_committer_time() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let at = |h: i64| Time::new(1_795_478_400 + h * 3600, 0);
        let base = commit(&repo, &[("a", Some("0"))], "base", at(0), "Alice");
        let main1 = commit(&repo, &[("a", Some("1"))], "main 1", at(2), "Alice");
        // A branch from base with commits at 1 h and 3 h, merged at 4 h.
        let sig = |t| Signature::new("Bob", "bob@example.com", &t).unwrap();
        let tree = |c: Oid| repo.find_commit(c).unwrap().tree().unwrap();
        let base_c = repo.find_commit(base).unwrap();
        let side1 = repo.commit(None, &sig(at(1)), &sig(at(1)), "side 1", &tree(base), &[&base_c]).unwrap();
        let side1_c = repo.find_commit(side1).unwrap();
        let side2 = repo.commit(None, &sig(at(3)), &sig(at(3)), "side 2", &tree(side1), &[&side1_c]).unwrap();
        let (main1_c, side2_c) = (repo.find_commit(main1).unwrap(), repo.find_commit(side2).unwrap());
        repo.commit(Some("HEAD"), &sig(at(4)), &sig(at(4)), "merge", &tree(main1), &[&main1_c, &side2_c]).unwrap();
        drop((base_c, side1_c, main1_c, side2_c));

        let head = repo.head().unwrap().peel_to_commit().unwrap();
        let order: Vec<String> =
            NewestFirst::new(&repo, &head).map(|c| c.unwrap().summary().unwrap_or_default().to_string()).collect();
        assert_eq!(order, ["merge", "side 2", "main 1", "side 1", "base"]);
    }

    #[test]
    fn bare_and_empty_repositories() {
        let dir = tempfile::tempdir().unwrap();
        Repository::init_bare(dir.path()).unwrap();
        assert_eq!(crate::detect_dir(dir.path()), Some(SourceFormat::GitRepo));
        let mut sink = CollectingSink::default();
        let report = parse(dir.path(), SourceFormat::GitRepo, &SourceOptions::default(), &mut sink).unwrap();
        assert_eq!(report.records, 0);
        assert!(report.notes.iter().any(|n| n.contains("no commits")), "{:?}", report.notes);
    }

    #[test]
    fn a_corrupt_repository_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        // Looks like a work tree, but `.git` holds garbage.
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "garbage").unwrap();
        assert_eq!(crate::detect_dir(dir.path()), Some(SourceFormat::GitRepo));
        let mut sink = CollectingSink::default();
        let err = parse(dir.path(), SourceFormat::GitRepo, &SourceOptions::default(), &mut sink).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("{}: not a git repository: ", dir.path().display())), "{msg}");

        // A real repository whose HEAD commit object is missing.
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let oid = commit(&repo, &[("a.txt", Some("a\n"))], "one", Time::new(1_795_508_403, 0), "Alice");
        drop(repo);
        let hex = oid.to_string();
        let object = dir.path().join(".git/objects").join(&hex[..2]).join(&hex[2..]);
        std::fs::remove_file(object).unwrap();
        let err = parse(dir.path(), SourceFormat::GitRepo, &SourceOptions::default(), &mut sink).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}: git: ", dir.path().display())), "{err}");

        // An older commit missing (a shallow copy made by hand): the newer ones are read, and the end is said.
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let old = commit(&repo, &[("a.txt", Some("a\n"))], "old", Time::new(1_795_508_403, 0), "Alice");
        commit(&repo, &[("a.txt", Some("b\n"))], "new", Time::new(1_795_508_503, 0), "Alice");
        drop(repo);
        let hex = old.to_string();
        std::fs::remove_file(dir.path().join(".git/objects").join(&hex[..2]).join(&hex[2..])).unwrap();
        let mut sink = CollectingSink::default();
        let report = parse(dir.path(), SourceFormat::GitRepo, &SourceOptions::default(), &mut sink).unwrap();
        assert_eq!(sink.changes.iter().map(|c| c.message.as_str()).collect::<Vec<_>>(), ["new"]);
        assert!(
            report.notes.iter().any(|n| n.starts_with(&format!("commit {hex} could not be read"))),
            "{:?}",
            report.notes
        );
    }
}
