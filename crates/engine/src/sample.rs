//! The built-in sample incident: the Archive crash of
//! `shared/seed/archive-incident-report.md`, as real input files.
//!
//! The files are embedded in the binary so `faultline analyze` with no
//! arguments works from any folder; they are written once to a cache folder
//! named after their content hash (stable mtimes let a saved sample case be
//! reopened without re-parsing).

use crate::{EngineError, Input};
use faultline_model::time::Zone;
use include_dir::{include_dir, Dir};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

static ARCHIVE_CRASH: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../samples/archive-crash");

/// The sample's manifest (`case.json`): how to read it.
#[derive(Debug, Deserialize)]
struct Manifest {
    title: String,
    tz: String,
    display_tz: String,
    inputs: Vec<String>,
}

/// The sample, written out and ready to ingest.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The folder holding it.
    pub dir: PathBuf,
    /// Its inputs.
    pub inputs: Vec<Input>,
    /// The zone its zone-less logs were written in.
    pub zone: Zone,
    /// The zone its report is told in.
    pub display_zone: Zone,
    /// The incident's title.
    pub title: String,
}

fn cache_root() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("faultline");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h).join(".cache").join("faultline");
    }
    std::env::temp_dir().join("faultline")
}

fn write_dir(dir: &Dir<'_>, root: &Path) -> std::io::Result<()> {
    for file in dir.files() {
        let path = root.join(file.path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, file.contents())?;
    }
    for sub in dir.dirs() {
        write_dir(sub, root)?;
    }
    Ok(())
}

fn content_hash(dir: &Dir<'_>, h: &mut Sha256) {
    for file in dir.files() {
        h.update(file.path().to_string_lossy().as_bytes());
        h.update(file.contents());
    }
    for sub in dir.dirs() {
        content_hash(sub, h);
    }
}

/// Writes the Archive crash sample out (once) and says how to read it.
pub fn archive_crash() -> Result<Sample, EngineError> {
    let manifest_file = ARCHIVE_CRASH
        .get_file("case.json")
        .ok_or_else(|| EngineError::Other("the built-in sample has no case.json".into()))?;
    let manifest: Manifest = serde_json::from_slice(manifest_file.contents())
        .map_err(|e| EngineError::Other(format!("the built-in sample's case.json: {e}")))?;
    let mut h = Sha256::new();
    content_hash(&ARCHIVE_CRASH, &mut h);
    let tag: String = h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    let dir = cache_root().join("samples").join(format!("archive-crash-{tag}"));
    let done = dir.join(".complete");
    if !done.exists() {
        let tmp = dir.with_extension("partial");
        let _ = std::fs::remove_dir_all(&tmp);
        write_dir(&ARCHIVE_CRASH, &tmp).map_err(|e| EngineError::input(&tmp, e.to_string()))?;
        std::fs::write(tmp.join(".complete"), b"").map_err(|e| EngineError::input(&tmp, e.to_string()))?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&tmp, &dir).map_err(|e| EngineError::input(&dir, e.to_string()))?;
    }
    let zone =
        |s: &str| Zone::parse(s).map_err(|e| EngineError::Other(format!("the built-in sample's case.json: {e}")));
    Ok(Sample {
        inputs: manifest.inputs.iter().map(|p| Input::auto(dir.join(p))).collect(),
        zone: zone(&manifest.tz)?,
        display_zone: zone(&manifest.display_tz)?,
        title: manifest.title,
        dir,
    })
}
