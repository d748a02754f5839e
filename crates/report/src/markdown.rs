//! Keeping log-derived text from breaking a Markdown document.
//!
//! Log lines carry every character Markdown gives meaning to: `*` and `_` in
//! identifiers, `|` in shell pipelines, `<tag>` in HTML payloads, backticks in
//! Python reprs. Prose gets backslash escapes (valid CommonMark for any ASCII
//! punctuation), raw records get code spans or fences long enough that no run
//! of backticks inside can close them.

/// Escapes text for use inside a Markdown paragraph, list item or table cell.
/// Line breaks become spaces: a newline inside a list item or table row would
/// end it. Balanced `backtick` spans (how the correlator quotes file names,
/// modules and signatures in its sentences) become real code spans; their
/// content is shown verbatim, so nothing inside them can become markup. With
/// an odd number of backticks everything is escaped as plain text.
pub(crate) fn escape_prose(s: &str) -> String {
    let flat = flatten(s);
    let Some(parts) = backtick_spans(&flat) else {
        return escape_plain(&flat);
    };
    let mut out = String::with_capacity(flat.len() + 8);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && !part.is_empty() {
            out.push_str(&code_span(part));
        } else if i == 0 {
            out.push_str(&escape_plain(part));
        } else {
            // Not at the start of the line: no list/heading markers to defuse.
            out.push_str(&escape_plain(&format!("x{part}"))[1..]);
        }
    }
    out
}

/// `s` split at its backticks when they pair up (the odd-numbered parts are
/// the quoted spans); `None` when there are none or one is unpaired. Shared by
/// the Markdown and HTML renderings so both quote the same spans.
pub(crate) fn backtick_spans(s: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = s.split('`').collect();
    (parts.len() >= 3 && parts.len() % 2 == 1).then_some(parts)
}

/// Escapes already flattened text.
fn escape_plain(flat: &str) -> String {
    let chars: Vec<char> = flat.chars().collect();
    let mut out = String::with_capacity(flat.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i == 0 { None } else { chars.get(i - 1).copied() };
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '~' | '&' => true,
            // Intraword underscores never start emphasis (`session_id`), so
            // only escape the ones at a word edge, which keeps identifiers readable.
            '_' => !(prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric)),
            // Line-start markers: a heading or a list item (both need a space after).
            '#' | '+' | '-' if i == 0 => matches!(next, None | Some(' ') | Some('#')),
            '!' => next == Some('['),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    // `1. foo` / `1) foo` at the start of a line would become an ordered list.
    if let Some(pos) = out.find(|c: char| !c.is_ascii_digit()) {
        let marker = matches!(out.as_bytes().get(pos), Some(b'.') | Some(b')'));
        let then_space = matches!(out.as_bytes().get(pos + 1), None | Some(b' '));
        if pos > 0 && marker && then_space {
            out.insert(pos, '\\');
        }
    }
    // A line of only `=` or `-` would turn the line above into a heading.
    if out.len() > 1 && (out.bytes().all(|b| b == b'=') || out.bytes().all(|b| b == b'-')) {
        out.insert(0, '\\');
    }
    out
}

/// An inline code span that shows `s` verbatim, whatever backticks it holds.
pub(crate) fn code_span(s: &str) -> String {
    let flat = flatten(s);
    if flat.is_empty() {
        return String::new();
    }
    let fence = "`".repeat(longest_backtick_run(&flat) + 1);
    // A span that starts or ends with a backtick needs a space so the fence
    // is not read as longer; CommonMark strips exactly one space on each side.
    if flat.starts_with('`') || flat.ends_with('`') || (flat.starts_with(' ') && flat.ends_with(' ')) {
        format!("{fence} {flat} {fence}")
    } else {
        format!("{fence}{flat}{fence}")
    }
}

/// A fenced code block holding `s` verbatim.
pub(crate) fn fenced_block(s: &str, lang: &str) -> String {
    let body = s.replace("\r\n", "\n").replace('\r', "\n");
    let body = body.trim_end_matches('\n');
    let fence = "`".repeat((longest_backtick_run(body) + 1).max(3));
    let lang: String = lang.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("{fence}{lang}\n{body}\n{fence}")
}

fn flatten(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

fn longest_backtick_run(s: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_names_become_code_spans_and_stay_inert() {
        let s = escape_prose("`config/auth_settings.py`, changed by this push, appears in 3 tracebacks (first: `<img src=x onerror=alert(1)>`)");
        assert_eq!(s, "`config/auth_settings.py`, changed by this push, appears in 3 tracebacks (first: `<img src=x onerror=alert(1)>`)");
        // An odd backtick: everything escaped, nothing live.
        assert_eq!(escape_prose("a ` <b>"), "a \\` \\<b\\>");
        assert_eq!(escape_prose("evidence: `x` and *y*"), "evidence: `x` and \\*y\\*");
    }

    use super::*;

    #[test]
    fn prose_escaping_neutralizes_markup_but_keeps_identifiers() {
        assert_eq!(escape_prose("KeyError: 'session_id'"), "KeyError: 'session_id'");
        assert_eq!(escape_prose("*bold* | <b>x</b>"), "\\*bold\\* \\| \\<b\\>x\\</b\\>");
        assert_eq!(escape_prose("# not a heading"), "\\# not a heading");
        assert_eq!(escape_prose("1. not a list"), "1\\. not a list");
        assert_eq!(escape_prose("line one\nline two"), "line one line two");
        assert_eq!(escape_prose("_private"), "\\_private");
        assert_eq!(escape_prose("![x](y)"), "\\!\\[x\\](y)");
        // Numbers, negative durations and versions stay as they are.
        assert_eq!(escape_prose("1.5"), "1.5");
        assert_eq!(escape_prose("-2 min"), "-2 min");
        assert_eq!(escape_prose("- item"), "\\- item");
        assert_eq!(escape_prose("==="), "\\===");
    }

    #[test]
    fn code_spans_and_fences_survive_backticks() {
        assert_eq!(code_span("app.log:12"), "`app.log:12`");
        assert_eq!(code_span("a `b` c"), "``a `b` c``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        let block = fenced_block("x = ```y```\n", "");
        assert!(block.starts_with("````\n"), "{block}");
        assert!(block.ends_with("\n````"), "{block}");
        assert_eq!(fenced_block("plain", "text"), "```text\nplain\n```");
    }
}
