//! Rotated sets: `access.log`, `access.log.1`, `access.log.2.gz`,
//! `syslog-20261124.gz` read as one source, oldest first.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Age {
    /// `name.N`: larger N is older.
    Numbered(std::cmp::Reverse<u64>),
    /// `name-YYYYMMDD[HH…]` (logrotate `dateext`): earlier date is older.
    Dated(String),
    /// The live file, newest of all.
    Current,
}

fn split(path: &Path) -> (PathBuf, String, Age) {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    if let Some((base, n)) = stem.rsplit_once('.') {
        if !base.is_empty() && !n.is_empty() && n.len() <= 6 && n.bytes().all(|c| c.is_ascii_digit()) {
            if let Ok(v) = n.parse() {
                return (dir, base.to_string(), Age::Numbered(std::cmp::Reverse(v)));
            }
        }
    }
    if let Some((base, d)) = stem.rsplit_once('-') {
        if !base.is_empty()
            && (8..=14).contains(&d.len())
            && d.bytes().all(|c| c.is_ascii_digit())
            && d.starts_with('2')
        {
            return (dir, base.to_string(), Age::Dated(d.to_string()));
        }
    }
    (dir, stem.to_string(), Age::Current)
}

/// Groups paths into rotated sets (same folder, same base name) and orders
/// each set oldest first: `x.log.3.gz`, `x.log.2.gz`, `x.log.1`, `x.log`.
/// Sets come in the order their first member appears in `paths`; a file
/// that is not part of a rotation is a set of its own.
pub fn rotation_sets(paths: &[PathBuf]) -> Vec<Vec<PathBuf>> {
    type Set = ((PathBuf, String), Vec<(Age, PathBuf)>);
    let mut sets: Vec<Set> = Vec::new();
    for p in paths {
        let (dir, base, age) = split(p);
        let key = (dir, base);
        match sets.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => {
                if !members.iter().any(|(_, q)| q == p) {
                    members.push((age, p.clone()));
                }
            }
            None => sets.push((key, vec![(age, p.clone())])),
        }
    }
    sets.into_iter()
        .map(|(_, mut members)| {
            members.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            members.into_iter().map(|(_, p)| p).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[test]
    fn rotated_files_group_and_order_oldest_first() {
        let input = [
            p("/var/log/nginx/access.log"),
            p("/var/log/nginx/error.log"),
            p("/var/log/nginx/access.log.2.gz"),
            p("/var/log/nginx/access.log.10.gz"),
            p("/var/log/nginx/access.log.1"),
            p("/other/access.log.1"),
            p("/var/log/syslog-20261124.gz"),
            p("/var/log/syslog"),
            p("/var/log/syslog-20261117"),
        ];
        let sets = rotation_sets(&input);
        assert_eq!(
            sets,
            vec![
                vec![
                    p("/var/log/nginx/access.log.10.gz"),
                    p("/var/log/nginx/access.log.2.gz"),
                    p("/var/log/nginx/access.log.1"),
                    p("/var/log/nginx/access.log"),
                ],
                vec![p("/var/log/nginx/error.log")],
                vec![p("/other/access.log.1")],
                vec![p("/var/log/syslog-20261117"), p("/var/log/syslog-20261124.gz"), p("/var/log/syslog")],
            ]
        );
    }

    #[test]
    fn lone_and_compressed_files_are_sets_of_one() {
        assert_eq!(rotation_sets(&[p("app.log.gz")]), vec![vec![p("app.log.gz")]]);
        let sets = rotation_sets(&[p("app.log.1.gz"), p("app.log"), p("app.log")]);
        assert_eq!(sets, vec![vec![p("app.log.1.gz"), p("app.log")]]);
        assert_eq!(rotation_sets(&[p("a.json")]), vec![vec![p("a.json")]]);
    }
}
