//! Support tickets (CSV exports) and support messages as JSON.

use crate::csvtab::{self, Columns};
use crate::input::{cap, TEXT_CAP};
use crate::jsonin::{self, value_time, Obj};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::SupportMessage;

const CSV_TIME: &[&str] = &[
    "created_at",
    "created",
    "created_on",
    "submitted_at",
    "received_at",
    "opened_at",
    "timestamp",
    "date",
    "time",
    "sent_at",
];
const CSV_AUTHOR: &[&str] = &[
    "requester",
    "requester_name",
    "submitter",
    "from",
    "author",
    "customer",
    "customer_name",
    "user",
    "requester_email",
    "email",
    "contact",
    "name",
];
const SUBJECT: &[&str] = &["subject", "title", "summary", "topic"];
const CSV_TEXT: &[&str] = &["description", "body", "message", "text", "comment", "content", "details", "first_comment"];
const CHANNEL: &[&str] = &["channel", "via", "source", "channel_name", "queue", "medium", "display_recipient"];

const JSON_TIME: &[&str] = &["time", "timestamp", "created_at", "ts", "date", "created", "sent_at", "datetime"];
// A display name before an id: Slack's `user_profile` beside its `user` id, Zulip's `sender_full_name`.
const JSON_AUTHOR: &[&str] = &[
    "user_profile",
    "sender_full_name",
    "user",
    "author",
    "from",
    "username",
    "user_name",
    "sender",
    "requester",
    "name",
];
const JSON_TEXT: &[&str] = &["text", "message", "body", "content", "description"];

/// Columns that say "ticket": someone asked something.
const TICKET_MARKERS: &[&str] =
    &["requester", "requester_name", "requester_email", "submitter", "customer", "customer_name"];

pub(crate) fn csv_is_tickets(cols: &Columns, lenient: bool) -> bool {
    if lenient {
        return cols.has(CSV_TIME) && (cols.has(CSV_TEXT) || cols.has(SUBJECT));
    }
    cols.has(CSV_TIME)
        && !cols.has(crate::deploys::LOG_MARKERS)
        && (cols.has(TICKET_MARKERS) || (cols.has(&["from", "author", "user"]) && cols.has(CSV_TEXT)))
        && (cols.has(CSV_TEXT) || cols.has(SUBJECT))
}

pub(crate) fn json_is_support(obj: &Obj<'_>, lenient: bool) -> bool {
    if lenient {
        return obj.has(JSON_TIME) && obj.has(JSON_TEXT);
    }
    // `message` alone is what every JSON log has; a support message says text/body, or is in a channel.
    obj.has(JSON_TIME)
        && !obj.has(crate::deploys::LOG_MARKERS)
        && obj.has(&["user", "author", "from", "username", "sender", "sender_full_name", "requester"])
        && (obj.has(&["text", "body", "content"]) || (obj.has(&["message"]) && obj.has(&["channel", "subject"])))
}

pub(crate) fn parse_csv(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    csvtab::read_timed(data, label, CSV_TIME, "time", &opts.zone, tally, |cols, row, time, tally| {
        let subject = row.string(cols.find(SUBJECT));
        let text = row.string(cols.find(CSV_TEXT)).or_else(|| subject.clone()).unwrap_or_default();
        tally.message(SupportMessage {
            time,
            author: row.string(cols.find(CSV_AUTHOR)),
            channel: row.string(cols.find(CHANNEL)),
            subject,
            text: cap(text, TEXT_CAP),
            file: None,
            span: row.span,
        })
    })
}

pub(crate) fn parse_json(
    data: &[u8],
    label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    jsonin::for_each_record(
        data,
        label,
        |o| o.has(JSON_TIME) && o.has(JSON_TEXT),
        tally,
        |map, item, tally| {
            let obj = Obj::new(map);
            let Some((time, flags)) = obj.get(JSON_TIME).and_then(|v| value_time(v, &opts.zone)) else {
                return tally.unparsed(item.span.line, item.span.offset, item.raw, "no readable time");
            };
            tally.dst(flags);
            let subject = obj.text(SUBJECT);
            let text = obj.text(JSON_TEXT).or_else(|| subject.clone()).unwrap_or_default();
            tally.message(SupportMessage {
                time,
                author: obj.text(JSON_AUTHOR),
                channel: obj.text(CHANNEL),
                subject,
                text: cap(text, TEXT_CAP),
                file: None,
                span: item.span,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;

    /// Zendesk's export layout (trimmed to the columns that matter).
    const ZENDESK: &str = "\
\u{feff}\"Id\",\"Requester\",\"Requester email\",\"Subject\",\"Description\",\"Status\",\"Priority\",\"Via\",\"Created at\",\"Updated at\"
\"4711\",\"Maria Lopez\",\"maria@example.com\",\"Checkout fails\",\"Clicking Pay shows 'Something went wrong'.
Tried twice, card is fine.\",\"open\",\"high\",\"Web form\",\"2026-11-24 11:22:10\",\"2026-11-24 12:00:00\"
\"4712\",\"Tom\",\"tom@example.com\",\"Can't pay\",\"\",\"new\",\"normal\",\"Email\",\"2026-11-24T08:24:00Z\",\"\"
\"4713\",\"Ann\",\"ann@example.com\",\"Hello\",\"hi\",\"new\",\"low\",\"Chat\",\"\",\"\"
";

    #[test]
    fn zendesk_export_reads_multiline_descriptions() {
        let (sink, report) = run(ZENDESK, SourceFormat::TicketsCsv, &zone("+03:00"));
        assert_eq!((report.records, report.unparsed), (2, 1));
        let m = &sink.messages[0];
        assert_eq!(m.time, utc("2026-11-24T08:22:10Z"));
        assert_eq!(m.author.as_deref(), Some("Maria Lopez"));
        assert_eq!(m.subject.as_deref(), Some("Checkout fails"));
        assert_eq!(m.text, "Clicking Pay shows 'Something went wrong'.\nTried twice, card is fine.");
        assert_eq!(m.channel.as_deref(), Some("Web form"));
        assert_eq!((m.span.line, m.span.lines), (2, 2));
        // No description: the subject is the text.
        assert_eq!(sink.messages[1].text, "Can't pay");
        assert_eq!(sink.messages[1].time, utc("2026-11-24T08:24:00Z"));
        assert_eq!(sink.unparsed[0].0, 5);
    }

    #[test]
    fn support_json_lines() {
        let data = r#"{"timestamp":"2026-11-24T08:25:00Z","user":"@maria_l","text":"Is checkout down? I keep getting an error","channel":"twitter"}
{"created_at":1795508823000,"from":{"name":"Tom"},"body":"payment page spins forever"}
{"user":"x","text":"no time"}
"#;
        let (sink, report) = run(data, SourceFormat::SupportJson, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (2, 1));
        assert_eq!(sink.messages[0].channel.as_deref(), Some("twitter"));
        assert_eq!(sink.messages[0].author.as_deref(), Some("@maria_l"));
        assert_eq!(sink.messages[1].time, utc("2026-11-24T08:27:03Z"));
        assert_eq!(sink.messages[1].author.as_deref(), Some("Tom"));
        assert_eq!(sink.messages[1].text, "payment page spins forever");
        assert_eq!(sink.messages[1].span.line, 2);
    }

    /// Slack's `conversations.history` response, as `curl` saves it.
    const SLACK_HISTORY: &str = r#"{
    "ok": true,
    "messages": [
        {
            "type": "message",
            "user": "U061F7AUR",
            "text": "Checkout is failing for me: \"Something went wrong\"",
            "ts": "1795508823.000200"
        },
        {
            "type": "message",
            "user": "U0G9QF9C6",
            "user_profile": {"real_name": "Maria Lopez", "display_name": "maria"},
            "text": "same here, since a few minutes",
            "ts": "1795508900.000300",
            "reactions": [{"name": "+1", "users": ["U1", "U2"], "count": 2}]
        },
        {"type": "message", "subtype": "channel_join", "user": "U3", "text": "<@U3> has joined the channel"}
    ],
    "has_more": false,
    "pin_count": 0,
    "response_metadata": {"next_cursor": ""}
}
"#;

    #[test]
    fn a_chat_api_response_wrapping_its_messages_is_read() {
        let (sink, report) = run(SLACK_HISTORY, SourceFormat::SupportJson, &zone("UTC"));
        // The join notice has no time: counted unparsed, with its line.
        assert_eq!((report.records, report.unparsed), (2, 1));
        assert_eq!(sink.messages[0].time, utc("2026-11-24T08:27:03.000200Z"));
        assert_eq!(sink.messages[0].text, "Checkout is failing for me: \"Something went wrong\"");
        assert_eq!((sink.messages[0].span.line, sink.messages[0].span.lines), (4, 6));
        assert_eq!(sink.messages[1].time, utc("2026-11-24T08:28:20.000300Z"));
        assert_eq!(sink.messages[1].author.as_deref(), Some("Maria Lopez"), "the profile's name before the id");
        assert_eq!(sink.unparsed[0].0, 18);
    }

    #[test]
    fn a_message_holding_a_list_is_one_message_not_a_wrapper() {
        let data = r#"{"created_at":"2026-11-24T08:27:03Z","user":"maria","text":"checkout fails","attachments":[],"data":[{"k":1}]}"#;
        let (sink, report) = run(data, SourceFormat::SupportJson, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (1, 0));
        assert_eq!(sink.messages[0].text, "checkout fails");
    }

    #[test]
    fn zulip_messages_name_their_sender_and_topic() {
        let data = r#"{"result":"success","msg":"","messages":[{"id":42,"sender_full_name":"Iago","sender_email":"iago@example.com","timestamp":1795508823,"subject":"checkout","content":"Is checkout down?","display_recipient":"support"}],"found_newest":true}"#;
        let (sink, report) = run(data, SourceFormat::SupportJson, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (1, 0));
        let m = &sink.messages[0];
        assert_eq!((m.time, m.author.as_deref()), (utc("2026-11-24T08:27:03Z"), Some("Iago")));
        assert_eq!((m.subject.as_deref(), m.text.as_str()), (Some("checkout"), "Is checkout down?"));
    }
}
