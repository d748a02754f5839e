//! What the app's command line asks for. The desktop entry starts the app as
//! `faultline-desktop %f`, so a `.faultline` case double-clicked in a file
//! manager (or given in a terminal) arrives here as a path; `make run`
//! passes `--sample`.
//!
//! The command line is the user's own choice of files, like a pick in the
//! open dialog: `main.rs` grants what is named here before the window asks
//! for it, and `launch_options` tells the window what to open.

use faultline_desktop_core::dto::LaunchOptions;
use faultline_desktop_core::CASE_EXTENSION;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The command line, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Launch {
    /// `--sample`: open the built-in sample incident.
    pub open_sample: bool,
    /// `--version` / `-V`: print the version and exit without a window.
    pub print_version: bool,
    /// `--help` / `-h`: print the usage and exit without a window.
    pub print_help: bool,
    /// A single `.faultline` path: open that case.
    pub case: Option<PathBuf>,
    /// Any other paths: logs and exports to read into a new case, as if dropped on the window.
    pub inputs: Vec<PathBuf>,
    /// Options this app does not know, said on stderr rather than silently dropped.
    pub unknown: Vec<String>,
}

pub const USAGE: &str = "\
Usage: faultline-desktop [--sample] [CASE.faultline | LOG…]

  CASE.faultline   open a saved case
  LOG…             read these files or folders into a new case
  --sample         open the built-in sample incident
  -V, --version    print the version
  -h, --help       print this help

The command-line tool is `faultline` (faultline --help).";

impl Launch {
    /// Reads this process's arguments; relative paths are taken from the
    /// current folder, as a shell user means them.
    pub fn from_env() -> Launch {
        let cwd = std::env::current_dir().ok();
        Launch::parse(std::env::args_os().skip(1), cwd.as_deref())
    }

    /// Reads `args` (without the program name). Paths are made absolute
    /// against `cwd`, since the grant a path gets and the path the window asks
    /// for must be the same string.
    pub fn parse(args: impl IntoIterator<Item = OsString>, cwd: Option<&Path>) -> Launch {
        let mut launch = Launch::default();
        let mut paths = Vec::new();
        let mut only_paths = false;
        for arg in args {
            let text = arg.to_string_lossy();
            if !only_paths && text.starts_with('-') && text.len() > 1 {
                match text.as_ref() {
                    "--" => only_paths = true,
                    "--sample" => launch.open_sample = true,
                    "--version" | "-V" => launch.print_version = true,
                    "--help" | "-h" => launch.print_help = true,
                    _ => launch.unknown.push(text.into_owned()),
                }
                continue;
            }
            let path = PathBuf::from(arg);
            paths.push(match cwd {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path,
            });
        }
        let is_case = |p: &PathBuf| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(CASE_EXTENSION));
        if paths.len() == 1 && paths.iter().all(is_case) {
            launch.case = paths.pop();
        } else {
            launch.inputs = paths;
        }
        launch
    }

    /// What the window opens at start.
    pub fn options(&self) -> LaunchOptions {
        LaunchOptions {
            open_sample: self.open_sample,
            open_case: self.case.as_ref().map(|p| p.display().to_string()),
            open_inputs: self.inputs.iter().map(|p| p.display().to_string()).collect(),
        }
    }

    /// The version line `--version` prints.
    pub fn version_line() -> String {
        format!("faultline-desktop {}", env!("CARGO_PKG_VERSION"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Launch {
        Launch::parse(args.iter().map(OsString::from), Some(Path::new("/home/ana/incidents")))
    }

    #[test]
    fn a_case_from_the_file_manager_is_opened() {
        let l = parse(&["/home/ana/incidents/2026-11-17 archive.faultline"]);
        assert_eq!(l.case, Some(PathBuf::from("/home/ana/incidents/2026-11-17 archive.faultline")));
        assert!(l.inputs.is_empty());
        assert!(!l.open_sample);
    }

    #[test]
    fn a_relative_case_is_taken_from_the_current_folder() {
        let l = parse(&["archive.FAULTLINE"]);
        assert_eq!(l.case, Some(PathBuf::from("/home/ana/incidents/archive.FAULTLINE")));
    }

    #[test]
    fn logs_on_the_command_line_are_read_into_a_new_case() {
        let l = parse(&["nginx/access.log", "/var/log/syslog"]);
        assert_eq!(l.case, None);
        assert_eq!(
            l.inputs,
            vec![PathBuf::from("/home/ana/incidents/nginx/access.log"), PathBuf::from("/var/log/syslog")]
        );
    }

    #[test]
    fn a_case_among_other_paths_is_an_input_like_the_rest() {
        // One window holds one case: rather than pick one path and drop the
        // others, every path goes to the ingest, which names what it cannot read.
        let l = parse(&["a.faultline", "b.log"]);
        assert_eq!(l.case, None);
        assert_eq!(l.inputs.len(), 2);
    }

    #[test]
    fn flags_and_a_dash_named_file_after_double_dash() {
        let l = parse(&["--sample", "--automation", "--", "-odd.log"]);
        assert!(l.open_sample);
        assert_eq!(l.unknown, vec!["--automation".to_string()]);
        assert_eq!(l.inputs, vec![PathBuf::from("/home/ana/incidents/-odd.log")]);
        assert!(parse(&["-V"]).print_version);
        assert!(parse(&["--help"]).print_help);
    }

    #[test]
    fn no_arguments_open_the_empty_window() {
        assert_eq!(parse(&[]), Launch::default());
    }
}
