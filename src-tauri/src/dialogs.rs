//! The scripted-dialog hook of the end-to-end test. WebDriver cannot drive
//! native dialogs, so a build with the `e2e-dialogs` feature (only
//! `scripts/e2e.sh` enables it) reads `FAULTLINE_E2E_DIALOGS=<folder>`: a
//! save goes to `<folder>/<suggested name>`, an open returns the lines of
//! `<folder>/pick-*.txt`. Without the feature the variable is never read, so
//! no environment can make a shipped build skip the analyst's choice.

use std::path::{Path, PathBuf};

/// The folder the test scripts dialogs from (never made without the feature).
#[cfg_attr(not(feature = "e2e-dialogs"), allow(dead_code))]
pub struct Script(PathBuf);

#[cfg(feature = "e2e-dialogs")]
pub fn scripted() -> Option<Script> {
    std::env::var_os("FAULTLINE_E2E_DIALOGS").map(|d| Script(PathBuf::from(d)))
}

#[cfg(not(feature = "e2e-dialogs"))]
pub fn scripted() -> Option<Script> {
    None
}

#[cfg_attr(not(feature = "e2e-dialogs"), allow(dead_code))]
impl Script {
    /// The non-empty lines of `list`, as paths; `None` (cancelled) when there are none.
    pub fn picks(&self, list: &str) -> Option<Vec<PathBuf>> {
        let text = std::fs::read_to_string(self.0.join(list)).ok()?;
        let paths: Vec<PathBuf> = text.lines().filter(|l| !l.trim().is_empty()).map(PathBuf::from).collect();
        (!paths.is_empty()).then_some(paths)
    }

    pub fn save_path(&self, name: &str) -> PathBuf {
        self.0.join(Path::new(name).file_name().unwrap_or_default())
    }
}
