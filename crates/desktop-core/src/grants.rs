//! The paths the analyst handed to the app through a dialog or a drop.
//! Commands that read or write a path accept only these: the webview is not
//! trusted to name files (a script injected into it could otherwise read or
//! overwrite anything the user can).
//!
//! Every path is compared in canonical form (absolute, symlinks resolved) on
//! both sides, and a requested path with a `..` component is refused before
//! any lookup: `Path::starts_with` compares components, so
//! `<granted>/../private` would otherwise pass as "under `<granted>`".

use crate::error::IpcError;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// A path the page sent, checked for shape: absolute, no `..`, no NUL.
fn shaped(path: &str) -> Result<&Path, IpcError> {
    if path.is_empty() {
        return Err(IpcError::bad_request("no file was given"));
    }
    if path.contains('\0') {
        return Err(IpcError::bad_request("a path with a NUL byte"));
    }
    let p = Path::new(path);
    if !p.is_absolute() {
        return Err(IpcError::not_granted(format!("{path}: not an absolute path")));
    }
    if p.components().any(|c| c == Component::ParentDir) {
        return Err(IpcError::not_granted(format!("{path}: a path that climbs with `..` is refused")));
    }
    Ok(p)
}

/// The canonical form of an existing path (symlinks resolved).
pub fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// The canonical form of a file that may not exist yet (a save target): its
/// folder canonical, its name kept. A name that is a symlink resolves to its
/// target, so the grant and the write name the same file.
pub fn canonical_target(path: &Path) -> Option<PathBuf> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_symlink() || meta.is_file() {
            return canonical(path);
        }
        // A folder is never a save target.
        return None;
    }
    let name = path.file_name()?;
    Some(canonical(path.parent()?)?.join(name))
}

/// What the analyst chose in this session.
#[derive(Debug, Default)]
pub struct Grants {
    /// Files and folders to read (and everything under a granted folder), canonical.
    inputs: Vec<PathBuf>,
    /// Files chosen in a save dialog, canonical; each good for one write.
    saves: HashSet<PathBuf>,
    /// Case files chosen in an open dialog, canonical.
    cases: HashSet<PathBuf>,
    /// Template files chosen in the template dialog, canonical.
    templates: HashSet<PathBuf>,
}

impl Grants {
    /// Files and folders picked in the open dialog or dropped on the window.
    pub fn grant_inputs(&mut self, paths: &[PathBuf]) {
        for p in paths.iter().filter_map(|p| canonical(p)) {
            if !self.inputs.contains(&p) {
                self.inputs.push(p);
            }
        }
    }

    pub fn grant_save(&mut self, path: &Path) {
        if let Some(p) = canonical_target(path) {
            self.saves.insert(p);
        }
    }

    pub fn grant_case(&mut self, path: &Path) {
        if let Some(p) = canonical(path) {
            self.cases.insert(p);
        }
    }

    pub fn grant_template(&mut self, path: &Path) {
        if let Some(p) = canonical(path) {
            self.templates.insert(p);
        }
    }

    /// True when `canonical_path` is a granted input or under a granted folder.
    pub fn covers_input(&self, canonical_path: &Path) -> bool {
        self.inputs.iter().any(|g| canonical_path.starts_with(g))
    }

    /// The canonical path of a requested input, when granted.
    pub fn input(&self, path: &str) -> Result<PathBuf, IpcError> {
        let p = shaped(path)?;
        let refused = || IpcError::not_granted(format!("{path}: not a file or folder you opened or dropped"));
        let c = canonical(p).ok_or_else(refused)?;
        if self.covers_input(&c) {
            Ok(c)
        } else {
            Err(refused())
        }
    }

    /// The canonical save target of `path`, consumed: a second write needs a second dialog.
    pub fn take_save(&mut self, path: &str) -> Result<PathBuf, IpcError> {
        let p = shaped(path)?;
        let refused = || IpcError::not_granted(format!("{path}: not a file you chose in the save dialog"));
        let c = canonical_target(p).ok_or_else(refused)?;
        if self.saves.remove(&c) {
            Ok(c)
        } else {
            Err(refused())
        }
    }

    /// The canonical path of a case file chosen in the open dialog.
    pub fn case(&self, path: &str) -> Result<PathBuf, IpcError> {
        let p = shaped(path)?;
        canonical(p)
            .filter(|c| self.cases.contains(c))
            .ok_or_else(|| IpcError::not_granted(format!("{path}: not a case you chose or opened before")))
    }

    /// The canonical path of a requested case file, without the grant check
    /// (the caller checks the recent-cases list).
    pub fn shaped_case(path: &str) -> Result<PathBuf, IpcError> {
        let p = shaped(path)?;
        canonical(p).ok_or_else(|| IpcError::new(crate::error::ErrorCode::Input, format!("{path}: no such case file")))
    }

    /// The canonical path of a template file chosen in the template dialog.
    pub fn template(&self, path: &str) -> Result<PathBuf, IpcError> {
        let p = shaped(path)?;
        canonical(p)
            .filter(|c| self.templates.contains(c))
            .ok_or_else(|| IpcError::not_granted(format!("{path}: not a template you picked in the template dialog")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_climbing_path_is_refused_even_when_it_lands_in_a_granted_folder() {
        let dir = tempfile::tempdir().unwrap();
        let granted = dir.path().join("granted");
        std::fs::create_dir_all(granted.join("sub")).unwrap();
        std::fs::write(granted.join("a.log"), "x").unwrap();
        let mut g = Grants::default();
        g.grant_inputs(std::slice::from_ref(&granted));
        let inside = format!("{}/sub/../a.log", granted.display());
        assert_eq!(g.input(&inside).unwrap_err().code, ErrorCode::NotGranted);
        assert!(g.input(&format!("{}/a.log", granted.display())).is_ok());
        assert_eq!(g.input("a.log").unwrap_err().code, ErrorCode::NotGranted, "relative");
        assert_eq!(g.input("").unwrap_err().code, ErrorCode::BadRequest);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_a_granted_folder_is_refused_and_one_into_it_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let granted = dir.path().join("granted");
        let private = dir.path().join("private");
        std::fs::create_dir_all(&granted).unwrap();
        std::fs::create_dir_all(&private).unwrap();
        std::fs::write(private.join("secret.log"), "x").unwrap();
        std::os::unix::fs::symlink(&private, granted.join("escape")).unwrap();
        let mut g = Grants::default();
        g.grant_inputs(std::slice::from_ref(&granted));
        let out = format!("{}/escape/secret.log", granted.display());
        assert_eq!(g.input(&out).unwrap_err().code, ErrorCode::NotGranted);
        // Granted through a symlinked name, requested by its real name: the same file.
        let alias = dir.path().join("alias");
        std::os::unix::fs::symlink(&granted, &alias).unwrap();
        std::fs::write(granted.join("a.log"), "x").unwrap();
        let mut g = Grants::default();
        g.grant_inputs(&[alias]);
        assert!(g.input(&format!("{}/a.log", granted.display())).is_ok());
    }

    #[test]
    fn a_save_grant_is_for_one_write_of_that_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pm.md");
        let mut g = Grants::default();
        g.grant_save(&out);
        let climbing = format!("{}/x/../pm.md", dir.path().display());
        assert!(g.take_save(&climbing).is_err());
        assert!(g.take_save(out.to_str().unwrap()).is_ok());
        assert!(g.take_save(out.to_str().unwrap()).is_err(), "one dialog, one write");
    }
}
