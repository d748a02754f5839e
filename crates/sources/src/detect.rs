//! Which format a file or folder is, from its content.

use crate::jsonin::{first_enveloped, first_object, Obj};
use crate::{alerts, csvtab, deploys, gitlog, gitrepo, mail, slack, support, SourceFormat};
use faultline_model::SourceKind;
use std::path::Path;

/// A git repository (work tree or bare) or a Slack export folder; `None` otherwise.
pub fn detect_dir(path: &Path) -> Option<SourceFormat> {
    if !path.is_dir() {
        return None;
    }
    if gitrepo::looks_like(path) {
        return Some(SourceFormat::GitRepo);
    }
    if slack::looks_like(path) {
        return Some(SourceFormat::SlackExport);
    }
    None
}

/// The format of a file from the start of its (decompressed) content, or
/// `None` when it is not a deploy/support/alert format, so the caller can
/// try log formats. Strict: a JSON-lines or CSV log is never claimed.
pub fn detect_file(sample: &[u8]) -> Option<SourceFormat> {
    detect(sample, None)
}

/// Like [`detect_file`], when the user has said what the file is evidence
/// of (`--deploys file.csv`): any CSV with a time column, any JSON object
/// with a time, is taken as that kind's format. `None` for
/// [`SourceKind::Log`], and when nothing of the kind fits.
pub fn detect_as(sample: &[u8], kind: SourceKind) -> Option<SourceFormat> {
    if kind == SourceKind::Log {
        return None;
    }
    detect(sample, Some(kind)).filter(|f| f.kind() == kind)
}

fn detect(sample: &[u8], kind: Option<SourceKind>) -> Option<SourceFormat> {
    // Read as it will be parsed (UTF-16 transcoded).
    let decoded = faultline_input::decode_sample(sample);
    let sample = &decoded[..];
    // Binary content (or UTF-16 it could not transcode) is none of these formats.
    if faultline_input::looks_binary(sample) {
        return None;
    }
    let wants = |k: SourceKind| kind.is_none() || kind == Some(k);
    let lenient = kind.is_some();
    if wants(SourceKind::Deploys) && gitlog::looks_like(sample) {
        return Some(SourceFormat::GitLog);
    }
    if wants(SourceKind::Support) {
        if mail::looks_like_mbox(sample) {
            return Some(SourceFormat::Mbox);
        }
        if mail::looks_like_eml(sample) {
            return Some(SourceFormat::Eml);
        }
    }
    // CD and change-management exports name themselves by their structure, before the generic deploy shapes.
    if wants(SourceKind::Deploys) {
        if let Some(f) = crate::cd::detect(sample) {
            return Some(f);
        }
    }
    let of_unknown_shape = |map: &serde_json::Map<String, serde_json::Value>| {
        let obj = Obj::new(map);
        match kind {
            None if deploys::json_is_deploys(&obj, false) => Some(SourceFormat::DeploysJson),
            None if support::json_is_support(&obj, false) => Some(SourceFormat::SupportJson),
            Some(SourceKind::Deploys) if deploys::json_is_deploys(&obj, true) => Some(SourceFormat::DeploysJson),
            Some(SourceKind::Support) if support::json_is_support(&obj, true) => Some(SourceFormat::SupportJson),
            _ => None,
        }
    };
    let top = first_object(sample);
    if let Some(map) = &top {
        if alerts::json_is_alertmanager(map) {
            return wants(SourceKind::Alerts).then_some(SourceFormat::Alertmanager);
        }
        if let Some(f) = of_unknown_shape(map) {
            return Some(f);
        }
    }
    // An API response wraps its list (`{"ok": true, "messages": [{…}]}`), and
    // a sample of a big one ends before the wrapper does.
    if let Some(map) = first_enveloped(sample) {
        return of_unknown_shape(&map);
    }
    if top.is_some() {
        return None;
    }
    let cols = csvtab::header(sample)?;
    // Incidents before tickets: both have a status and a priority, only
    // incidents have triggered/acknowledged/resolved times and urgencies.
    let candidates = [
        (
            SourceKind::Alerts,
            alerts::csv_is_incidents as fn(&csvtab::Columns, bool) -> bool,
            SourceFormat::IncidentsCsv,
        ),
        (SourceKind::Deploys, deploys::csv_is_deploys, SourceFormat::DeploysCsv),
        (SourceKind::Support, support::csv_is_tickets, SourceFormat::TicketsCsv),
    ];
    candidates.iter().find(|(k, test, _)| wants(*k) && test(&cols, lenient)).map(|(_, _, f)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_format_is_recognized_from_content() {
        let cases: &[(&str, SourceFormat)] = &[
            ("commit 8d3c1f0a9b7e\nAuthor: Jane <j@x>\nDate:   Tue Nov 24 11:20:03 2026 +0300\n\n    msg\n", SourceFormat::GitLog),
            ("commit 8d3c1f0a9b7e\nMerge: 1111111 2222222\nAuthor: Jane <j@x>\n", SourceFormat::GitLog),
            ("deploy_id,service,deployed_at,deployer\nd1,api,2026-11-24 10:00,al\n", SourceFormat::DeploysCsv),
            ("timestamp,service,version,author\n2026-11-24,api,v2,al\n", SourceFormat::DeploysCsv),
            ("[{\"id\": 1, \"sha\": \"9fceb02\", \"created_at\": \"2026-11-24T08:00:00Z\"}]", SourceFormat::DeploysJson),
            ("{\"deploy_id\":\"r7\",\"timestamp\":\"2026-11-24T10:00:00Z\",\"service\":\"billing\"}\n", SourceFormat::DeploysJson),
            ("\"Id\",\"Requester\",\"Subject\",\"Description\",\"Status\",\"Priority\",\"Via\",\"Created at\"\n", SourceFormat::TicketsCsv),
            ("created,from,message,channel\n2026-11-24,bob,help,chat\n", SourceFormat::TicketsCsv),
            ("From maria@example.com Tue Nov 24 08:27:03 2026\nFrom: Maria <maria@example.com>\nDate: Tue, 24 Nov 2026 11:27:03 +0300\nSubject: x\n\nbody\n", SourceFormat::Mbox),
            ("Return-Path: <a@b>\nFrom: a@b\nTo: c@d\nSubject: x\nDate: Tue, 24 Nov 2026 11:27:03 +0300\n\nbody\n", SourceFormat::Eml),
            ("{\"timestamp\":\"2026-11-24T08:25:00Z\",\"user\":\"@maria\",\"text\":\"checkout down?\"}\n", SourceFormat::SupportJson),
            ("[{\"type\":\"message\",\"user\":\"U1\",\"text\":\"hi\",\"ts\":\"1795508823.000200\"}]", SourceFormat::SupportJson),
            ("{\"receiver\":\"pd\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\"},\"startsAt\":\"2026-11-24T08:00:00Z\"}]}\n", SourceFormat::Alertmanager),
            ("[\n  {\n    \"labels\": {\"alertname\": \"X\"},\n    \"startsAt\": \"2026-11-24T08:00:00Z\"\n  }\n]", SourceFormat::Alertmanager),
            ("Incident ID,Title,Urgency,Service,Created On,Resolved On,Assigned To\n", SourceFormat::IncidentsCsv),
            ("TinyId,Alias,Message,Status,CreatedAt,Priority,Owner\n", SourceFormat::IncidentsCsv),
        ];
        for (sample, want) in cases {
            assert_eq!(detect_file(sample.as_bytes()), Some(*want), "{sample}");
        }
    }

    #[test]
    fn ordinary_logs_are_not_claimed() {
        let logs: &[&str] = &[
            // JSON-lines application logs, with and without a user field.
            "{\"timestamp\":\"2026-11-24T08:27:03Z\",\"level\":\"error\",\"message\":\"payment failed\",\"user\":\"u1\"}\n",
            "{\"time\":\"2026-11-24T08:27:03Z\",\"msg\":\"GET /pay\",\"status\":500,\"method\":\"GET\"}\n",
            "{\"ts\":1795508823.1,\"logger\":\"app\",\"message\":\"started\",\"service\":\"api\",\"version\":\"1.2\"}\n",
            // A JSON log with an id and a message but nothing deploy-ish.
            "{\"id\":\"req-1\",\"timestamp\":\"2026-11-24T08:27:03Z\",\"message\":\"request done\"}\n",
            // nginx combined.
            "203.0.113.7 - - [24/Nov/2026:11:27:03 +0300] \"GET /checkout HTTP/1.1\" 500 512 \"-\" \"Mozilla/5.0\"\n",
            // Python logging, syslog.
            "2026-11-24 08:27:03,123 ERROR [checkout] payment failed\nTraceback (most recent call last):\n",
            "Nov 24 08:27:03 web1 sshd[123]: Failed password for root from 10.0.0.1 port 22 ssh2\n",
            // A CSV of metrics is not a deploy history; a CSV log with a user is no ticket export.
            "timestamp,host,cpu,mem\n2026-11-24T08:00:00Z,web1,0.5,0.7\n",
            "timestamp,level,user,message\n2026-11-24T08:00:00Z,ERROR,bob,payment failed\n",
            "timestamp,level,service,version,message\n2026-11-24T08:00:00Z,INFO,api,1.2,started\n",
            // Binary.
            "\0\0\0\x01binary",
            "",
        ];
        for sample in logs {
            assert_eq!(detect_file(sample.as_bytes()), None, "{sample}");
        }
    }

    #[test]
    fn forced_kinds_are_lenient_within_the_kind_only() {
        let csv = b"when,what\n2026-11-24 10:00,deployed api\n";
        assert_eq!(detect_file(csv), None);
        // `when` is no time column we know: still nothing.
        assert_eq!(detect_as(csv, SourceKind::Deploys), None);
        let csv = b"date,note\n2026-11-24,deployed api\n";
        assert_eq!(detect_file(csv), None);
        assert_eq!(detect_as(csv, SourceKind::Deploys), Some(SourceFormat::DeploysCsv));
        assert_eq!(detect_as(b"date,text\n2026-11-24,help\n", SourceKind::Support), Some(SourceFormat::TicketsCsv));
        assert_eq!(
            detect_as(b"date,title\n2026-11-24,disk full\n", SourceKind::Alerts),
            Some(SourceFormat::IncidentsCsv)
        );
        let json = b"{\"time\":\"2026-11-24T08:00:00Z\",\"message\":\"deployed\",\"level\":\"info\"}\n";
        assert_eq!(detect_file(json), None);
        assert_eq!(detect_as(json, SourceKind::Deploys), Some(SourceFormat::DeploysJson));
        assert_eq!(detect_as(json, SourceKind::Support), Some(SourceFormat::SupportJson));
        assert_eq!(detect_as(json, SourceKind::Alerts), None);
        assert_eq!(detect_as(json, SourceKind::Log), None);
        // A chat API's response wraps its messages; found with or without `--support`.
        let slack = b"{\"ok\": true, \"messages\": [{\"type\": \"message\", \"user\": \"U1\", \"text\": \"is pay down?\", \"ts\": \"1795508823.000200\"}], \"has_more\": false}";
        assert_eq!(detect_file(slack), Some(SourceFormat::SupportJson));
        assert_eq!(detect_as(slack, SourceKind::Support), Some(SourceFormat::SupportJson));
        let zulip = b"{\"result\":\"success\",\"messages\":[{\"timestamp\":1795508823,\"sender_full_name\":\"Iago\",\"content\":\"down?\"}";
        assert_eq!(detect_as(zulip, SourceKind::Support), Some(SourceFormat::SupportJson), "a cut sample");
        // A git log forced as support is not support.
        assert_eq!(detect_as(b"commit abcdef1\nAuthor: a\n", SourceKind::Support), None);
        assert_eq!(detect_as(b"commit abcdef1\nAuthor: a\n", SourceKind::Deploys), Some(SourceFormat::GitLog));
    }
}
