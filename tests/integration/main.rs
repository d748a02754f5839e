//! End-to-end tests of the `faultline` binary on real files: one test binary,
//! each test in a fresh temp folder.

mod analyze;
mod changes;
mod formats;
mod insight;
mod inspect;
mod robustness;
mod search;
mod suspects;
mod window;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// How long a run may take before it counts as hung (a FIFO opened, a lock
/// never released). Far above any real run, even on a loaded machine: this
/// guards liveness, not speed.
const HUNG_AFTER: Duration = Duration::from_secs(600);

/// Runs `cmd` to the end and returns its output; a run that has not ended
/// after [`HUNG_AFTER`] is killed and the test fails, so a hang is a failure
/// that names the command instead of a test run that never ends.
pub fn output_or_hang(mut cmd: Command) -> Output {
    let what = format!("{cmd:?}");
    let child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the command runs");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(HUNG_AFTER) {
        Ok(out) => out.expect("the command's output is readable"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            panic!("hung: {what} had not ended after {} s", HUNG_AFTER.as_secs());
        }
    }
}

/// Runs the built `faultline` with `args`, with a private cache folder so the
/// built-in sample is written where the test can see it.
pub fn faultline(args: &[&str], cache: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.args(args).env("XDG_CACHE_HOME", cache).env("TZ", "UTC");
    output_or_hang(cmd)
}

/// Runs and expects success, returning stdout.
pub fn ok(args: &[&str], cache: &Path) -> String {
    let out = faultline(args, cache);
    assert!(
        out.status.success(),
        "faultline {args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// `faultline inspect --format json` on `paths`, the `sources` array.
pub fn inspect(paths: &[&Path], extra: &[&str], cache: &Path) -> Vec<Value> {
    let mut args = vec!["inspect", "--format", "json", "--quiet"];
    let owned: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(owned.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let json: Value = serde_json::from_str(&ok(&args, cache)).expect("inspect prints JSON");
    json["sources"].as_array().expect("sources array").clone()
}

/// Runs `git` in `repo` as one author, author and committer dates `date`.
pub fn git(repo: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Priya Raman")
        .env("GIT_AUTHOR_EMAIL", "priya@archive.example")
        .env("GIT_COMMITTER_NAME", "Priya Raman")
        .env("GIT_COMMITTER_EMAIL", "priya@archive.example")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Writes `text` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// The source in `sources` whose path ends with `suffix`.
pub fn source<'a>(sources: &'a [Value], suffix: &str) -> &'a Value {
    sources
        .iter()
        .find(|s| s["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no source ending in {suffix} in {sources:#?}"))
}

/// `/work/shared/data` beside the clone (or `$FAULTLINE_SHARED_DATA`).
pub fn shared_data() -> PathBuf {
    if let Some(p) = std::env::var_os("FAULTLINE_SHARED_DATA") {
        return PathBuf::from(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    assert!(p.is_dir(), "the shared data folder {} is missing (CI lays shared/ beside the clone)", p.display());
    p
}
