//! Finding the level word and the logger name after a timestamp.

use faultline_model::Level;

/// Characters that wrap or follow a level word (`[ERROR]`, `<warn>`, `INFO:`, `- INFO -`).
fn is_wrap(c: char) -> bool {
    matches!(c, '[' | ']' | '(' | ')' | '<' | '>' | ':' | '|' | ',' | '-')
}

/// Byte ranges of the first whitespace-separated tokens of `s`.
pub(crate) fn tokens(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
            i += 1;
        }
        Some((start, i))
    })
}

/// A level word among the first `max` tokens of `s`; returns the level, the
/// token's index and the byte index just past it.
///
/// To keep message words (`config`, `fine`, `alert`) from passing for a
/// level, a word counts only when it is upper case, wrapped (`[warn]`,
/// `info:`), or the first token. One-letter levels (`D`, `E`) count only at
/// the token detection learned (`letter_at`).
pub(crate) fn find_level(s: &str, max: usize, letter_at: Option<u8>) -> Option<(Level, usize, usize)> {
    for (idx, (start, end)) in tokens(s).take(max).enumerate() {
        let tok = s.get(start..end)?;
        let word = tok.trim_matches(is_wrap);
        if word.is_empty() || word.len() > 11 {
            continue;
        }
        if word.len() == 1 {
            if letter_at == Some(idx as u8) && word.as_bytes()[0].is_ascii_uppercase() {
                if let Some(l) = Level::parse(word) {
                    return Some((l, idx, end));
                }
            }
            continue;
        }
        if !word.bytes().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let upper = word.bytes().all(|c| c.is_ascii_uppercase());
        if upper || idx == 0 || word.len() != tok.len() {
            if let Some(l) = Level::parse(word) {
                return Some((l, idx, end));
            }
        }
    }
    None
}

/// The token index of a one-letter logcat-style level (`V D I W E F`) among the first tokens.
pub(crate) fn letter_level_index(s: &str) -> Option<u8> {
    for (idx, (start, end)) in tokens(s).take(4).enumerate() {
        if end - start == 1 && matches!(s.as_bytes().get(start), Some(b'V' | b'D' | b'I' | b'W' | b'E' | b'F')) {
            return Some(idx as u8);
        }
    }
    None
}

/// After the level: a logger name (`name:` or `[name]`) and where the message starts.
/// `s[from..]` is the text after the level token.
pub(crate) fn logger_and_message(s: &str, from: usize) -> (Option<(usize, usize)>, usize) {
    let rest = match s.get(from..) {
        Some(r) => r,
        None => return (None, s.len()),
    };
    let mut bracketed = None;
    for (start, end) in tokens(rest).take(2) {
        let tok = &rest[start..end];
        if tok == "-" || tok == ":" {
            continue;
        }
        if tok.len() > 1 && tok.ends_with(':') && !tok.contains('=') && !tok.starts_with('"') {
            return (Some((from + start, from + end - 1)), skip_separators(s, from + end));
        }
        if tok.len() > 2 && tok.starts_with('[') && tok.ends_with(']') {
            bracketed = Some((from + start + 1, from + end - 1, from + end));
            continue;
        }
        break;
    }
    if let Some((a, b, end)) = bracketed {
        return (Some((a, b)), skip_separators(s, end));
    }
    (None, skip_separators(s, from))
}

/// Skips blanks and a `-` / `:` separator before a message.
pub(crate) fn skip_separators(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i < b.len() && (b[i] == b'-' || b[i] == b':') && b.get(i + 1).copied().unwrap_or(b' ') == b' ' {
            i += 1;
            continue;
        }
        return i.min(s.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_words_are_found_only_where_a_logger_writes_them() {
        assert_eq!(find_level("INFO [main] x", 4, None).map(|l| l.0), Some(Level::Info));
        assert_eq!(find_level("- WARN  [Q] - x", 4, None).map(|l| l.0), Some(Level::Warn));
        assert_eq!(find_level("[error] 12#0: x", 4, None).map(|l| l.0), Some(Level::Error));
        assert_eq!(find_level("25746 WARNING nova x", 4, None).map(|l| l.0), Some(Level::Warn));
        assert_eq!(find_level(" 1702  2395 D WindowManager: x", 4, Some(2)).map(|l| l.0), Some(Level::Debug));
        assert_eq!(find_level(" 1702  2395 D WindowManager: x", 4, None), None);
        assert_eq!(find_level("Starting config reload", 4, None), None);
        assert_eq!(find_level("worker alert sent", 4, None), None);
    }

    #[test]
    fn logger_is_the_colon_or_bracket_token() {
        let s = "INFO [main] org.apache.App: Created x";
        let (l, m) = logger_and_message(s, 4);
        let (a, b) = l.unwrap();
        assert_eq!(&s[a..b], "org.apache.App");
        assert_eq!(&s[m..], "Created x");
        let s = "ERROR [app.views] Unhandled";
        let (l, m) = logger_and_message(s, 5);
        let (a, b) = l.unwrap();
        assert_eq!((&s[a..b], &s[m..]), ("app.views", "Unhandled"));
        let s = "INFO nothing here";
        assert_eq!(logger_and_message(s, 4), (None, 5));
    }
}
