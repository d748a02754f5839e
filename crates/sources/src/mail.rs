//! Email: mbox mailboxes and single RFC 822 (`.eml`) messages.

use crate::input::{cap, lines, non_empty, trim_line, TEXT_CAP};
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::time::{parse_instant, Zone};
use faultline_model::{Instant, Span, SupportMessage};
use mailparse::{DispositionType, MailAddr, MailHeaderMap, ParsedMail};
use regex::Regex;
use std::sync::LazyLock;

static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").unwrap_or_else(|_| unreachable!()));
static HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9-]{2,60}:").unwrap_or_else(|_| unreachable!()));

/// An mbox `From ` separator: `From sender@example.com Tue Nov 24 08:27:03 2026`.
/// Only at the start of the file or after a blank line, and with something
/// date-like after it: body lines starting with "From " are escaped to
/// `>From ` by careful writers, but not by all.
fn is_separator(line: &[u8], at_start_or_after_blank: bool) -> bool {
    at_start_or_after_blank
        && line.starts_with(b"From ")
        && line.len() > 10
        && line.windows(4).any(|w| w.iter().all(u8::is_ascii_digit))
}

/// Names of the headers in the block at the start of `sample`, or `None` if a
/// line there is not a header (or the block is empty).
fn header_names(sample: &[u8]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for (_, _, raw) in lines(sample).take(300) {
        let line = trim_line(raw);
        if line.is_empty() {
            break;
        }
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            if names.is_empty() {
                return None;
            }
            continue;
        }
        let text = String::from_utf8_lossy(line);
        if !HEADER.is_match(&text) {
            return None;
        }
        names.push(text.split(':').next().unwrap_or("").to_ascii_lowercase());
    }
    (!names.is_empty()).then_some(names)
}

/// A header block with a sender and a date, and something only mail has.
fn is_mail_headers(names: &[String]) -> bool {
    let has = |n: &str| names.iter().any(|h| h == n);
    has("from")
        && (has("date") || has("subject"))
        && ["to", "subject", "message-id", "received", "mime-version", "return-path", "delivered-to"]
            .iter()
            .any(|n| has(n))
}

pub(crate) fn looks_like_mbox(sample: &[u8]) -> bool {
    let Some((_, _, first)) = lines(sample).next() else { return false };
    if !is_separator(trim_line(first), true) {
        return false;
    }
    let rest = sample.get(first.len() + 1..).unwrap_or(b"");
    header_names(rest).is_some_and(|n| is_mail_headers(&n))
}

pub(crate) fn looks_like_eml(sample: &[u8]) -> bool {
    header_names(sample).is_some_and(|n| is_mail_headers(&n))
}

/// What one message yields.
enum Read {
    Message(SupportMessage),
    Unreadable(&'static str),
}

fn author(mail: &ParsedMail<'_>) -> Option<String> {
    let header = mail.headers.get_first_header("From")?;
    if let Ok(list) = mailparse::addrparse_header(header) {
        if let Some(addr) = list.iter().next() {
            return match addr {
                MailAddr::Single(s) => s.display_name.as_deref().and_then(non_empty).or_else(|| non_empty(&s.addr)),
                MailAddr::Group(g) => non_empty(&g.group_name),
            };
        }
    }
    non_empty(&header.get_value())
}

fn date(mail: &ParsedMail<'_>, zone: &Zone) -> Option<(Instant, u8)> {
    let value = mail.headers.get_first_value("Date")?;
    parse_instant(&value, zone).or_else(|| {
        let secs = mailparse::dateparse(&value).ok()?;
        chrono::DateTime::from_timestamp(secs, 0).map(|t| (t, 0))
    })
}

fn is_attachment(part: &ParsedMail<'_>) -> bool {
    part.get_content_disposition().disposition == DispositionType::Attachment
}

fn find_part<'a>(mail: &'a ParsedMail<'a>, mime: &str) -> Option<&'a ParsedMail<'a>> {
    if mail.subparts.is_empty() {
        return (mail.ctype.mimetype.eq_ignore_ascii_case(mime) && !is_attachment(mail)).then_some(mail);
    }
    mail.subparts.iter().find_map(|p| find_part(p, mime))
}

/// The readable body: the text/plain part, else the HTML part without tags.
fn body(mail: &ParsedMail<'_>) -> String {
    if let Some(plain) = find_part(mail, "text/plain") {
        return plain.get_body().unwrap_or_default().trim().to_string();
    }
    if let Some(html) = find_part(mail, "text/html") {
        let text = TAG.replace_all(&html.get_body().unwrap_or_default(), " ").into_owned();
        let text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        return text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    if mail.subparts.is_empty() {
        return mail.get_body().unwrap_or_default().trim().to_string();
    }
    String::new()
}

fn read_message(raw: &[u8], span: Span, zone: &Zone, fallback: Option<(Instant, u8)>) -> Read {
    let Ok(mail) = mailparse::parse_mail(raw) else { return Read::Unreadable("unreadable message") };
    let Some((time, _)) = date(&mail, zone).or(fallback) else {
        return Read::Unreadable("message without a readable Date");
    };
    let subject = mail.headers.get_first_value("Subject").and_then(|s| non_empty(&s));
    Read::Message(SupportMessage {
        time,
        author: author(&mail),
        channel: Some("email".into()),
        subject,
        text: cap(body(&mail), TEXT_CAP),
        file: None,
        span,
    })
}

/// mboxrd escapes body lines `From ` as `>From `, `>From ` as `>>From `…: undo one level.
fn unescape_from(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for (_, _, line) in lines(raw) {
        let gt = line.iter().take_while(|b| **b == b'>').count();
        if gt > 0 && line.get(gt..).is_some_and(|r| r.starts_with(b"From ")) {
            out.extend_from_slice(line.get(1..).unwrap_or(b""));
        } else {
            out.extend_from_slice(line);
        }
        out.push(b'\n');
    }
    out
}

/// The date on the separator line (`From addr Tue Nov 24 08:27:03 2026`),
/// used when a message has no Date header.
fn separator_date(line: &[u8], zone: &Zone) -> Option<(Instant, u8)> {
    let text = String::from_utf8_lossy(line);
    let mut words = text.split_whitespace().skip(2);
    let rest: Vec<&str> = words.by_ref().collect();
    parse_instant(&rest.join(" "), zone)
}

pub(crate) fn parse_mbox(data: &[u8], opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    // (first line number, offset, separator line) of each message.
    let mut starts: Vec<(u64, usize, &[u8])> = Vec::new();
    let mut prev_blank = true;
    let mut last_line = 0u64;
    for (number, offset, raw) in lines(data) {
        let line = trim_line(raw);
        if is_separator(line, prev_blank) {
            starts.push((number, offset, line));
        } else if starts.is_empty() && !line.is_empty() {
            tally.unparsed(number, offset as u64, line, "not part of a message")?;
        }
        prev_blank = line.is_empty();
        last_line = number;
    }
    let mut fell_back = 0u64;
    for (i, (line, offset, separator)) in starts.iter().enumerate() {
        if tally.stopped() {
            break;
        }
        let (end, end_line) = starts.get(i + 1).map_or((data.len(), last_line + 1), |n| (n.1, n.0));
        let whole = data.get(*offset..end).unwrap_or(b"");
        let body_start = separator.len() + 1;
        let message = unescape_from(whole.get(body_start.min(whole.len())..).unwrap_or(b""));
        let trimmed_len = whole.len() - whole.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
        let span =
            Span { line: *line, offset: *offset as u64, len: trimmed_len as u64, lines: (end_line - line) as u32 };
        let fallback = separator_date(separator, &opts.zone);
        let has_date =
            mailparse::parse_headers(&message).ok().is_some_and(|(h, _)| h.get_first_value("Date").is_some());
        match read_message(&message, span, &opts.zone, fallback) {
            Read::Message(m) => {
                if !has_date {
                    fell_back += 1;
                }
                tally.message(m)?;
            }
            Read::Unreadable(reason) => {
                tally.unparsed(*line, *offset as u64, separator, reason)?;
            }
        }
    }
    if fell_back > 0 {
        tally.note(format!("{fell_back} messages had no Date header: the mbox separator line's date was used"));
    }
    Ok(())
}

pub(crate) fn parse_eml(
    data: &[u8],
    _label: &str,
    opts: &SourceOptions,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let trimmed_len = data.len() - data.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
    let line_count = lines(data).count() as u32;
    let span = Span { line: 1, offset: 0, len: trimmed_len as u64, lines: line_count };
    match read_message(data, span, &opts.zone, None) {
        Read::Message(m) => {
            tally.message(m)?;
        }
        Read::Unreadable(reason) => {
            let first = lines(data).next().map_or(&b""[..], |l| l.2);
            tally.unparsed(1, 0, first, reason)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;

    const MBOX: &str = "\
From maria@example.com Tue Nov 24 08:27:03 2026
Return-Path: <maria@example.com>
From: Maria Lopez <maria@example.com>
To: support@shop.example
Subject: Checkout broken
Date: Tue, 24 Nov 2026 11:27:03 +0300
Message-ID: <1@example.com>

Hi, I get an error when paying.
>From now on I will use another shop.

From tom@example.com Tue Nov 24 08:40:00 2026
From: \"Tom\" <tom@example.com>
To: support@shop.example
Subject: =?UTF-8?Q?Zahlung_fehlgeschlagen_=E2=9C=97?=
Date: Tue, 24 Nov 2026 08:40:00 +0000 (UTC)
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=\"b1\"

--b1
Content-Type: text/html; charset=utf-8

<p>HTML version</p>
--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Payment failed tw=
ice.
--b1--

From ops@example.com Tue Nov 24 09:10:00 2026
From: ops@example.com
To: support@shop.example
Subject: Resolved

Fixed now.
";

    #[test]
    fn mbox_with_three_messages_one_multipart() {
        let (sink, report) = run(MBOX, SourceFormat::Mbox, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (3, 0));
        let m = &sink.messages[0];
        assert_eq!(m.time, utc("2026-11-24T08:27:03Z"));
        assert_eq!(m.author.as_deref(), Some("Maria Lopez"));
        assert_eq!(m.subject.as_deref(), Some("Checkout broken"));
        assert_eq!(m.text, "Hi, I get an error when paying.\nFrom now on I will use another shop.");
        assert_eq!(m.channel.as_deref(), Some("email"));
        assert_eq!((m.span.line, m.span.lines), (1, 11));
        let t = &sink.messages[1];
        assert_eq!(t.span.line, 12);
        assert_eq!(t.time, utc("2026-11-24T08:40:00Z"));
        assert_eq!(t.author.as_deref(), Some("Tom"));
        assert_eq!(t.subject.as_deref(), Some("Zahlung fehlgeschlagen ✗"));
        // The text/plain part wins over HTML, quoted-printable decoded.
        assert_eq!(t.text, "Payment failed twice.");
        // No Date header: the separator line's date stands in, and a note says so.
        let o = &sink.messages[2];
        assert_eq!(o.time, utc("2026-11-24T09:10:00Z"));
        assert_eq!(o.author.as_deref(), Some("ops@example.com"));
        assert_eq!(o.span.line, 32);
        assert!(report.notes.iter().any(|n| n.starts_with("1 messages had no Date header")), "{:?}", report.notes);
    }

    #[test]
    fn single_eml_and_html_only_bodies() {
        let eml = "\
Received: from mx.example.com by mail.shop.example
From: Ann <ann@example.com>
To: support@shop.example
Subject: Order stuck
Date: Tue, 24 Nov 2026 11:00:00 +0100
Content-Type: text/html; charset=utf-8

<html><body><p>My order is <b>stuck</b> &amp; unpaid</p></body></html>
";
        let (sink, report) = run(eml, SourceFormat::Eml, &zone("UTC"));
        assert_eq!(report.records, 1);
        let m = &sink.messages[0];
        assert_eq!(m.time, utc("2026-11-24T10:00:00Z"));
        assert_eq!(m.author.as_deref(), Some("Ann"));
        assert_eq!(m.text, "My order is stuck & unpaid");
        assert_eq!(m.span.line, 1);

        let (_, report) = run("From: a@b\nSubject: no date\n\nbody\n", SourceFormat::Eml, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (0, 1));
    }

    #[test]
    fn mail_detection() {
        assert!(looks_like_mbox(MBOX.as_bytes()));
        assert!(!looks_like_eml(MBOX.as_bytes()));
        assert!(looks_like_eml(b"From: a@b\nTo: c@d\nDate: Tue, 24 Nov 2026 11:00:00 +0100\n\nhi\n"));
        assert!(!looks_like_eml(b"Error: something failed\nCaused by: x\n"));
        assert!(!looks_like_mbox(b"From the start of time\nnothing\n"));
    }
}
