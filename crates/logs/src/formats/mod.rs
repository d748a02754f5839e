//! Formats as data: log format definitions in lnav's JSON schema.
//!
//! Three layers, later ones overlaying earlier ones key by key (a file may
//! patch one field of an existing format, as lnav allows):
//! 1. lnav's built-in definitions, shipped in `crates/logs/formats/lnav/`
//!    (BSD 2-clause, `LICENSE` beside them) and compiled into the binary;
//! 2. lnav's installed formats, when the analyst uses lnav:
//!    `/etc/lnav/formats/`, `~/.lnav/formats/`, `~/.config/lnav/formats/`
//!    (every `*.json` below them, except `default/`, lnav's own copy of its
//!    built-ins);
//! 3. the analyst's own: `~/.config/faultline/formats/*.json`.
//!
//! A definition that cannot be compiled, or whose sample lines it cannot
//! read, is not used and is reported ([`Registry::problems`]) with its file
//! and the reason — never skipped silently. Faultline's hand-written parsers
//! stay in front for the layouts they read (see `detect`); definitions read
//! the long tail.

mod definition;
mod pattern;
pub(crate) mod reader;
pub(crate) mod stamp;

pub use definition::{Definition, Sample};
pub use pattern::Engine;

use definition::{json_path, LNAV_LEVELS};
use include_dir::{include_dir, Dir};
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// lnav's built-in definitions, as shipped in the repository.
static LNAV_BUILTIN: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/formats/lnav");

/// Where the built-ins live in the repository (named in problems and listings).
const BUILTIN_DIR: &str = "crates/logs/formats/lnav";

/// Definition files larger than this are refused (a definition is a few KiB).
const MAX_FILE_BYTES: u64 = 16 << 20;

/// Where a definition came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// lnav's built-in definitions, shipped with Faultline.
    BuiltIn,
    /// lnav's installed formats folder on this machine.
    Lnav,
    /// The analyst's own folder (`~/.config/faultline/formats`).
    User,
}

impl Origin {
    /// `built-in`, `lnav`, `user`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::BuiltIn => "built-in",
            Origin::Lnav => "lnav",
            Origin::User => "user",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A definition (or a whole file) that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The file.
    pub file: PathBuf,
    /// The format's name, when the file could be read that far.
    pub format: Option<String>,
    /// Why.
    pub reason: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.format {
            Some(name) => write!(f, "{}: format {name}: {}", self.file.display(), self.reason),
            None => write!(f, "{}: {}", self.file.display(), self.reason),
        }
    }
}

/// The format definitions Faultline knows, and the ones it could not use.
#[derive(Debug, Default)]
pub struct Registry {
    definitions: Vec<Arc<Definition>>,
    problems: Vec<DefinitionError>,
}

/// A definition's JSON as the layers built it up, before compiling.
struct Layered {
    name: String,
    spec: Value,
    origin: Origin,
    file: PathBuf,
}

/// Merges `patch` into `base` as lnav overlays definitions: objects key by
/// key, `sample` lists appended, anything else replaced.
fn overlay(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(Value::Array(existing)) if k == "sample" => {
                        if let Value::Array(more) = v {
                            existing.extend(more);
                        }
                    }
                    Some(slot) if slot.is_object() && v.is_object() => overlay(slot, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, p) => *b = p,
    }
}

impl Registry {
    /// lnav's built-in definitions alone.
    pub fn builtin() -> Registry {
        Registry::load(&[])
    }

    /// The built-ins overlaid by the definition files under `dirs` (in order).
    pub fn load(dirs: &[(PathBuf, Origin)]) -> Registry {
        let mut layers: Vec<Layered> = Vec::new();
        let mut problems = Vec::new();
        let mut builtin: Vec<_> =
            LNAV_BUILTIN.files().filter(|f| f.path().extension() == Some("json".as_ref())).collect();
        builtin.sort_by_key(|f| f.path());
        for f in builtin {
            let file = Path::new(BUILTIN_DIR).join(f.path());
            add_file(&mut layers, &mut problems, f.contents(), Origin::BuiltIn, &file);
        }
        for (dir, origin) in dirs {
            for file in definition_files(dir, *origin == Origin::Lnav, &mut problems) {
                match std::fs::metadata(&file) {
                    Ok(m) if m.len() > MAX_FILE_BYTES => problems.push(DefinitionError {
                        file,
                        format: None,
                        reason: format!("{} bytes: too large for a format definition", m.len()),
                    }),
                    Ok(_) => match std::fs::read(&file) {
                        Ok(bytes) => add_file(&mut layers, &mut problems, &bytes, *origin, &file),
                        Err(e) => problems.push(DefinitionError { file, format: None, reason: e.to_string() }),
                    },
                    Err(e) => problems.push(DefinitionError { file, format: None, reason: e.to_string() }),
                }
            }
        }
        let mut definitions = Vec::new();
        for l in layers {
            // The shipped definitions' samples are read by a test; at startup only
            // the ones that came from this machine are checked.
            let compiled = Definition::compile(&l.name, &l.spec, l.origin, l.file.clone()).and_then(|d| {
                if d.origin() == Origin::BuiltIn {
                    Ok(d)
                } else {
                    check_samples(&d).map(|()| d)
                }
            });
            match compiled {
                Ok(d) => definitions.push(Arc::new(d)),
                Err(reason) => problems.push(DefinitionError { file: l.file, format: Some(l.name), reason }),
            }
        }
        Registry { definitions, problems }
    }

    /// The folders read by [`registry`]: lnav's installed formats, then the analyst's own.
    pub fn default_dirs() -> Vec<(PathBuf, Origin)> {
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|c| !c.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".config")));
        let mut dirs = vec![(PathBuf::from("/etc/lnav/formats"), Origin::Lnav)];
        if let Some(h) = &home {
            dirs.push((h.join(".lnav/formats"), Origin::Lnav));
        }
        if let Some(c) = &config {
            dirs.push((c.join("lnav/formats"), Origin::Lnav));
            dirs.push((c.join("faultline/formats"), Origin::User));
        }
        dirs
    }

    /// Every usable definition: built-ins first, then lnav's, then the analyst's.
    pub fn definitions(&self) -> &[Arc<Definition>] {
        &self.definitions
    }

    /// Definitions and files that could not be used, with why.
    pub fn problems(&self) -> &[DefinitionError] {
        &self.problems
    }

    /// The definition called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Definition>> {
        self.definitions.iter().find(|d| d.name() == name)
    }
}

/// Adds every format of one definition file to `layers`.
fn add_file(layers: &mut Vec<Layered>, problems: &mut Vec<DefinitionError>, bytes: &[u8], origin: Origin, file: &Path) {
    let problem = |reason: String| DefinitionError { file: file.to_path_buf(), format: None, reason };
    let text = String::from_utf8_lossy(bytes);
    // lnav lets a definition file start with `#!` (an executable installer script).
    let body = if text.starts_with("#!") { text.split_once('\n').map_or("", |(_, b)| b) } else { &text };
    let map: Map<String, Value> = match serde_json::from_str(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return problems.push(problem("not a JSON object of formats".into())),
        Err(e) => return problems.push(problem(format!("invalid JSON: {e}"))),
    };
    for (name, spec) in map {
        if name.starts_with('$') {
            continue;
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') || name.is_empty() {
            problems.push(DefinitionError {
                file: file.to_path_buf(),
                format: Some(name),
                reason: "a format name is letters, digits and underscores".into(),
            });
            continue;
        }
        match layers.iter_mut().find(|l| l.name == name) {
            Some(existing) => {
                overlay(&mut existing.spec, spec);
                existing.origin = origin;
                existing.file = file.to_path_buf();
            }
            None => layers.push(Layered { name, spec, origin, file: file.to_path_buf() }),
        }
    }
}

/// The `*.json` files of a folder (and, for lnav's folder, of its subfolders
/// except `default/`), sorted. A folder that does not exist has none.
fn definition_files(dir: &Path, recursive: bool, problems: &mut Vec<DefinitionError>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Err(e) => {
            problems.push(DefinitionError { file: dir.to_path_buf(), format: None, reason: e.to_string() });
            return out;
        }
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        // Not following links to folders: a link loop must not hang startup.
        let is_dir = std::fs::symlink_metadata(&path).map(|m| m.is_dir()).unwrap_or(false);
        if is_dir {
            if recursive && name != "default" {
                out.extend(definition_files(&path, true, problems));
            }
        } else if name.ends_with(".json") {
            out.push(path);
        }
    }
    out
}

/// A definition is refused, as lnav refuses it, when one of its own samples
/// does not read: no pattern matches, the timestamp is unreadable, or the
/// level is not the one the sample declares.
fn check_samples(def: &Definition) -> Result<(), String> {
    for (i, s) in def.samples().iter().enumerate() {
        let mut resolver = crate::ts::Resolver::new(faultline_model::time::Zone::Utc, None);
        let (_, level) = def.read_sample(&s.line, &mut resolver).map_err(|e| format!("sample {}: {e}", i + 1))?;
        if let Some(want) = &s.level {
            let got = level.and_then(|l| LNAV_LEVELS.get(l)).map_or("info", |(n, _)| *n);
            let want_i = definition::lnav_level_index(want);
            if want_i.and_then(|w| LNAV_LEVELS.get(w)).map(|(n, _)| *n) != Some(got) {
                return Err(format!("sample {}: level is {got}, the sample says {want}", i + 1));
            }
        }
    }
    Ok(())
}

impl Definition {
    /// Reads one sample line: its instant and lnav level, or why not.
    pub(crate) fn read_sample(
        &self,
        line: &str,
        resolver: &mut crate::ts::Resolver,
    ) -> Result<(faultline_model::Instant, Option<usize>), String> {
        let (parts, level) = if self.json {
            let obj = match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(o)) => o,
                _ => return Err("not a JSON object".into()),
            };
            let f = self.json_fields(&obj).ok_or_else(|| {
                format!("no readable timestamp in field {:?}", json_path(&self.timestamp_field).join("/"))
            })?;
            (f.parts, f.lnav_level)
        } else {
            // A sample may hold a record and its continuation lines: the first line starts it.
            let line = line.split('\n').next().unwrap_or(line).trim_end_matches('\r');
            let mut slots = self.slots();
            let i = self.match_line(line, &mut slots, 0).ok_or("no regex matches it")?;
            let (r, s) = (&self.regexes[i], &slots[i]);
            let text = |g: Option<usize>| g.and_then(|g| s.get(g)).and_then(|(a, b)| line.get(a..b));
            let ts = text(r.timestamp).ok_or("the timestamp group did not match")?;
            let parts = self.stamp(ts).ok_or_else(|| format!("timestamp {ts:?} is in no layout Faultline reads"))?;
            (parts, text(r.level).map(|l| self.lnav_level(l, l.trim().parse().ok())))
        };
        let (t, _) = resolver.resolve(&parts).ok_or("the timestamp is not a valid date")?;
        Ok((t, level))
    }
}

/// The registry every detection uses: built-ins, lnav's installed formats
/// and the analyst's own, loaded once per process.
pub fn registry() -> &'static Registry {
    REGISTRY.get_or_init(|| Registry::load(&Registry::default_dirs()))
}

/// [`registry`], when something has loaded it already (a file got as far as
/// the definitions): its problems are then worth reporting.
pub fn loaded_registry() -> Option<&'static Registry> {
    REGISTRY.get()
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

#[cfg(test)]
mod tests;
