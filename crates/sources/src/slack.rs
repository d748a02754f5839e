//! Slack workspace exports: `users.json`, `channels.json` and one folder per
//! channel holding a `YYYY-MM-DD.json` array of messages per day.

use crate::input::{cap, read_file, TEXT_CAP};
use crate::jsonin::{self, value_text, value_time, Obj};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::SupportMessage;
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static MENTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([@#!])([A-Za-z0-9^._-]+)(?:\|([^>]*))?>").unwrap_or_else(|_| unreachable!()));

static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>").unwrap_or_else(|_| unreachable!()));

fn is_day_file(name: &str) -> bool {
    let b = name.as_bytes();
    name.len() == 15
        && name.ends_with(".json")
        && b.iter().take(10).enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    out.sort();
    Ok(out)
}

fn day_files(channel_dir: &Path) -> Vec<PathBuf> {
    sorted_entries(channel_dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(is_day_file))
        .collect()
}

fn channel_dirs(dir: &Path) -> Vec<PathBuf> {
    sorted_entries(dir).unwrap_or_default().into_iter().filter(|p| p.is_dir()).collect()
}

/// The workspace index files plus at least one channel folder of day files.
pub(crate) fn looks_like(dir: &Path) -> bool {
    let has_index =
        ["users.json", "channels.json", "groups.json", "dms.json", "mpims.json"].iter().any(|f| dir.join(f).is_file());
    has_index && channel_dirs(dir).iter().any(|d| !day_files(d).is_empty())
}

/// User id → display name, from `users.json`.
fn users(dir: &Path, tally: &mut Tally<'_>) -> HashMap<String, String> {
    let path = dir.join("users.json");
    let mut out = HashMap::new();
    let Ok(data) = read_file(&path) else { return out };
    tally.file(path);
    for item in jsonin::items(&data) {
        let Ok(Value::Object(u)) = &item.value else { continue };
        let Some(id) = u.get("id").and_then(Value::as_str) else { continue };
        let o = Obj::new(u);
        let profile = u.get("profile").and_then(Value::as_object);
        let from_profile = |k: &str| profile.and_then(|p| p.get(k)).and_then(value_text);
        let name = o
            .text(&["real_name"])
            .or_else(|| from_profile("real_name"))
            .or_else(|| from_profile("display_name"))
            .or_else(|| o.text(&["name"]));
        if let Some(name) = name {
            out.insert(id.to_string(), name);
        }
    }
    out
}

/// Slack's markup: `<@U123>` mentions, `<#C1|general>` channels, `<url|label>` links, HTML escapes.
fn plain_text(text: &str, users: &HashMap<String, String>) -> String {
    let replaced = MENTION.replace_all(text, |c: &regex::Captures<'_>| {
        let sigil = c.get(1).map_or("", |m| m.as_str());
        let id = c.get(2).map_or("", |m| m.as_str());
        let label = c.get(3).map(|m| m.as_str());
        match sigil {
            "@" => format!("@{}", label.or_else(|| users.get(id).map(String::as_str)).unwrap_or(id)),
            "#" => format!("#{}", label.unwrap_or(id)),
            _ => format!("@{}", label.unwrap_or(id)),
        }
    });
    let linked = LINK.replace_all(&replaced, |c: &regex::Captures<'_>| {
        c.get(2).or_else(|| c.get(1)).map_or(String::new(), |m| m.as_str().to_string())
    });
    linked.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// Message subtypes that are membership noise, not something anyone said.
const NOISE: &[&str] =
    &["channel_join", "channel_leave", "group_join", "group_leave", "channel_purpose", "channel_topic"];

pub(crate) fn parse(dir: &Path, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    if !dir.is_dir() {
        return Err(SourceError::Invalid {
            path: dir.display().to_string(),
            message: "a Slack export is a folder".into(),
        });
    }
    let users = users(dir, tally);
    let mut skipped = 0u64;
    for channel_dir in channel_dirs(dir) {
        let channel = channel_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for file in day_files(&channel_dir) {
            if tally.stopped() {
                return Ok(());
            }
            let data = read_file(&file)?;
            let relative = file.strip_prefix(dir).unwrap_or(&file).to_string_lossy().replace('\\', "/");
            tally.file(file.clone());
            jsonin::for_each_object(&data, &relative, tally, |map, item, tally| {
                if map.get("subtype").and_then(Value::as_str).is_some_and(|s| NOISE.contains(&s)) {
                    skipped += 1;
                    return Ok(true);
                }
                let Some((time, _)) = map.get("ts").and_then(|v| value_time(v, &opts.zone)) else {
                    return tally.unparsed(item.span.line, item.span.offset, item.raw, "message without a readable ts");
                };
                let user_id = map.get("user").and_then(Value::as_str);
                let author = user_id
                    .and_then(|id| users.get(id).cloned())
                    .or_else(|| map.get("user_profile").and_then(value_text))
                    .or_else(|| map.get("username").and_then(value_text))
                    .or_else(|| map.get("bot_profile").and_then(value_text))
                    .or_else(|| user_id.map(str::to_string));
                let text = map.get("text").and_then(Value::as_str).map(|t| plain_text(t, &users)).unwrap_or_default();
                tally.message(SupportMessage {
                    time,
                    author,
                    channel: Some(channel.clone()),
                    subject: None,
                    text: cap(text, TEXT_CAP),
                    file: Some(relative.clone()),
                    span: item.span,
                })
            })?;
        }
    }
    if skipped > 0 {
        tally.note(format!("{skipped} channel join/leave/topic messages skipped"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::testutil::utc;
    use crate::SourceFormat;
    use faultline_model::CollectingSink;

    fn export() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(
            p.join("users.json"),
            r#"[{"id":"U123","name":"maria","real_name":"Maria Lopez","profile":{"real_name":"Maria Lopez","display_name":"maria"}},
                {"id":"U456","name":"sam","profile":{"real_name":"Sam Oncall"}}]"#,
        )
        .unwrap();
        std::fs::write(p.join("channels.json"), r#"[{"id":"C1","name":"support"},{"id":"C2","name":"incidents"}]"#)
            .unwrap();
        std::fs::create_dir(p.join("support")).unwrap();
        std::fs::write(
            p.join("support/2026-11-24.json"),
            r#"[
    {"type": "message", "subtype": "channel_join", "user": "U456", "text": "<@U456> has joined the channel", "ts": "1795500000.000100"},
    {"type": "message", "user": "U123", "text": "checkout is failing for me &amp; my team, <@U456> can you look?", "ts": "1795508823.000200"},
    {"type": "message", "user": "U999", "text": "no ts here"},
    {"type": "message", "bot_id": "B1", "username": "statuspage", "text": "Investigating <https://status.example.com|elevated errors>", "ts": "1795509000.000300"}
]"#,
        )
        .unwrap();
        std::fs::create_dir(p.join("incidents")).unwrap();
        std::fs::write(
            p.join("incidents/2026-11-24.json"),
            r#"[{"type":"message","user":"U456","text":"rolled back the pool change","ts":"1795510920.000100"}]"#,
        )
        .unwrap();
        // Not a day file: ignored.
        std::fs::write(p.join("incidents/canvas.json"), "{}").unwrap();
        dir
    }

    #[test]
    fn slack_export_folder_is_one_source() {
        let dir = export();
        assert_eq!(crate::detect_dir(dir.path()), Some(SourceFormat::SlackExport));
        let mut sink = CollectingSink::default();
        let report = crate::parse(dir.path(), SourceFormat::SlackExport, &Default::default(), &mut sink).unwrap();
        assert_eq!((report.records, report.unparsed), (3, 1));
        assert_eq!(report.files.len(), 3, "{:?}", report.files);
        // Channels in name order: incidents, then support.
        let rollback = &sink.messages[0];
        assert_eq!(rollback.author.as_deref(), Some("Sam Oncall"));
        assert_eq!(rollback.channel.as_deref(), Some("incidents"));
        assert_eq!(rollback.file.as_deref(), Some("incidents/2026-11-24.json"));
        assert_eq!(rollback.time, utc("2026-11-24T09:02:00.0001Z"));
        let m = &sink.messages[1];
        assert_eq!(m.time, utc("2026-11-24T08:27:03.0002Z"));
        assert_eq!(m.author.as_deref(), Some("Maria Lopez"));
        assert_eq!(m.text, "checkout is failing for me & my team, @Sam Oncall can you look?");
        assert_eq!(m.channel.as_deref(), Some("support"));
        assert_eq!(m.span.line, 3);
        assert_eq!(sink.messages[2].author.as_deref(), Some("statuspage"));
        assert_eq!(sink.messages[2].text, "Investigating elevated errors");
        assert_eq!(sink.unparsed[0].0, 4);
        assert!(report.notes.iter().any(|n| n.starts_with("1 channel join")));
    }

    #[test]
    fn ordinary_folders_are_not_slack_exports() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("logs")).unwrap();
        std::fs::write(dir.path().join("logs/2026-11-24.json"), "[]").unwrap();
        assert_eq!(crate::detect_dir(dir.path()), None);
    }
}
