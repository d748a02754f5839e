//! Numbers, durations and sentences as a postmortem writes them.

/// `45 s`, `7 min 30 s`, `67 min`, `2 h 38 min`, `3 d 4 h`: the units a
/// postmortem reader thinks in, exact to the minute where it matters.
pub(crate) fn human_duration(secs: i64) -> String {
    if secs < 0 {
        return format!("-{}", human_duration(secs.saturating_neg()));
    }
    let (d, h, s) = (secs / 86_400, (secs % 86_400) / 3600, secs % 60);
    if secs < 60 {
        format!("{s} s")
    } else if secs < 600 {
        if s == 0 {
            format!("{} min", secs / 60)
        } else {
            format!("{} min {s} s", secs / 60)
        }
    } else if secs < 90 * 60 {
        format!("{} min", (secs + 30) / 60)
    } else if secs < 48 * 3600 {
        // Rounded to the minute: 2 h 37 min 57 s is reported as 2 h 38 min.
        let total_min = (secs + 30) / 60;
        let (hours, m) = (total_min / 60, total_min % 60);
        if m == 0 {
            format!("{hours} h")
        } else {
            format!("{hours} h {m} min")
        }
    } else if h == 0 {
        format!("{d} d")
    } else {
        format!("{d} d {h} h")
    }
}

pub(crate) fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS.get(u).copied().unwrap_or("B"))
    }
}

/// `1,234`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

pub(crate) fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// A sentence without its final full stop, so it can be embedded.
pub(crate) fn sentence_body(s: &str) -> String {
    s.trim().trim_end_matches('.').to_string()
}

/// The first letter lower-cased when it starts an ordinary word, so
/// "At 13:45, the servers…" reads well but acronyms (`API`, `SRE`) stay.
pub(crate) fn continue_sentence(s: &str) -> String {
    let body = sentence_body(s);
    let mut chars = body.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            let mut out: String = a.to_lowercase().collect();
            out.push_str(body.get(a.len_utf8()..).unwrap_or_default());
            out
        }
        _ => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_postmortem() {
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(450), "7 min 30 s");
        assert_eq!(human_duration(67 * 60), "67 min");
        assert_eq!(human_duration(2 * 3600 + 38 * 60), "2 h 38 min");
        assert_eq!(human_duration(3 * 3600), "3 h");
        assert_eq!(human_duration(2 * 3600 + 37 * 60 + 57), "2 h 38 min");
        assert_eq!(human_duration(3 * 86_400 + 4 * 3600 + 5), "3 d 4 h");
        assert_eq!(human_duration(-120), "-2 min");
    }

    #[test]
    fn numbers_and_sentences() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(continue_sentence("The servers are restarted."), "the servers are restarted");
        assert_eq!(continue_sentence("API keys rotated"), "API keys rotated");
        assert_eq!(human_bytes(2048), "2.0 KiB");
    }
}
