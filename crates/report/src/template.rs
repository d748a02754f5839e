//! Rendering the view model through minijinja: the environment whose
//! escaping follows the output format, the filters templates may use, the
//! built-in and user templates, and the HTML export's Content-Security-Policy.

use crate::{chart, markdown, view, Format, ReportError, TemplateChoice, BUILTIN_TEMPLATES};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, State};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

const MARKDOWN: AutoEscape = AutoEscape::Custom("markdown");

/// The template environment of one export. Escaping is decided by `format`
/// alone: a template's name (`x.md.j2` in an HTML export) or an
/// `{% autoescape false %}` block never turns HTML escaping off.
fn environment(format: Format) -> Environment<'static> {
    let html_output = format == Format::Html;
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // Markdown gets escaped too: a log line is not allowed to open a code
    // block, a table cell or an HTML tag in the document.
    env.set_auto_escape_callback(move |_| if html_output { AutoEscape::Html } else { MARKDOWN });
    env.set_formatter(move |out, state, value| {
        if value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        if html_output {
            if value.is_undefined() || value.is_none() {
                return Ok(());
            }
            let text = value.as_str().map(Cow::Borrowed).unwrap_or_else(|| Cow::Owned(value.to_string()));
            return out.write_str(&html_prose(&text)).map_err(minijinja::Error::from);
        }
        if state.auto_escape() == MARKDOWN {
            if value.is_undefined() || value.is_none() {
                return Ok(());
            }
            let text = value.as_str().map(Cow::Borrowed).unwrap_or_else(|| Cow::Owned(value.to_string()));
            return out.write_str(&markdown::escape_prose(&text)).map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    let is_html = move |state: &State| html_output || state.auto_escape() == AutoEscape::Html;
    env.add_filter("code", move |state: &State, v: Value| filter_code(is_html(state), v));
    env.add_filter("fence", move |state: &State, v: Value, lang: Option<String>| filter_fence(is_html(state), v, lang));
    env.add_filter("cite", move |state: &State, v: Value| filter_cite(is_html(state), v));
    env.add_filter("md", move |state: &State, v: Value| filter_md(is_html(state), v));
    for (name, src) in BUILTIN_TEMPLATES {
        // Built-ins are compiled into the binary and covered by the tests.
        if let Err(e) = env.add_template(name, src) {
            panic!("built-in template {name} does not compile: {e}");
        }
    }
    env
}

/// The policy every HTML export carries: no script, no remote load.
pub const HTML_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Puts the export's Content-Security-Policy first in the document (after a
/// doctype), so it governs everything a user template wrote after it. A
/// template's own, weaker policy cannot loosen it: browsers enforce every policy.
fn with_csp(doc: String) -> String {
    let meta = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{HTML_CSP}\">\n");
    let trimmed = doc.trim_start();
    let lead = doc.len() - trimmed.len();
    let doctype_end = trimmed
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("<!doctype"))
        .and_then(|_| trimmed.find('>'))
        .map(|i| lead + i + 1);
    match doctype_end {
        Some(end) => {
            let (head, tail) = doc.split_at(end);
            format!("{head}\n{meta}{}", tail.trim_start_matches(['\r', '\n']))
        }
        None => format!("{meta}{doc}"),
    }
}

fn value_text(v: &Value) -> String {
    if v.is_none() || v.is_undefined() {
        String::new()
    } else {
        v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
    }
}

fn html(s: &str) -> String {
    chart::xml_escape(s)
}

/// HTML-escaped prose in which balanced `backtick` spans (how the correlator
/// quotes files and signatures) become `<code>`, as they do in Markdown.
fn html_prose(s: &str) -> String {
    let Some(parts) = markdown::backtick_spans(s) else {
        return html(s);
    };
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 && !p.is_empty() { format!("<code>{}</code>", html(p)) } else { html(p) })
        .collect()
}

/// `{{ x|md }}`: Markdown-escaped prose, for templates that turn auto-escaping
/// off. Still HTML-escaped in an HTML template: a filter must never be a way
/// around escaping.
fn filter_md(html_output: bool, v: Value) -> Value {
    let t = value_text(&v);
    Value::from_safe_string(if html_output { html(&t) } else { markdown::escape_prose(&t) })
}

/// `{{ x|code }}`: inline code, verbatim (Markdown code span or HTML `<code>`).
fn filter_code(html_output: bool, v: Value) -> Value {
    let t = value_text(&v);
    if t.is_empty() {
        return Value::from_safe_string(String::new());
    }
    Value::from_safe_string(if html_output { format!("<code>{}</code>", html(&t)) } else { markdown::code_span(&t) })
}

/// `{{ x|fence }}` / `{{ x|fence("python") }}`: a verbatim block.
fn filter_fence(html_output: bool, v: Value, lang: Option<String>) -> Value {
    let t = value_text(&v);
    Value::from_safe_string(if html_output {
        format!("<pre><code>{}</code></pre>", html(&t))
    } else {
        markdown::fenced_block(&t, lang.as_deref().unwrap_or(""))
    })
}

/// `{{ e.citation|cite }}`: ` (`file:line`)` after a claim, nothing without one.
fn filter_cite(html_output: bool, v: Value) -> Value {
    let t = value_text(&v);
    if t.is_empty() {
        return Value::from_safe_string(String::new());
    }
    Value::from_safe_string(if html_output {
        format!(" <span class=\"cite\">(<code>{}</code>)</span>", html(&t))
    } else {
        format!(" ({})", markdown::code_span(&t))
    })
}

fn builtin_name(choice: &TemplateChoice) -> &'static str {
    match choice {
        TemplateChoice::GoogleSre => "google-sre.md.j2",
        TemplateChoice::Atlassian => "atlassian.md.j2",
        TemplateChoice::PagerDuty => "pagerduty.md.j2",
        TemplateChoice::Seed | TemplateChoice::File(_) => "seed.md.j2",
    }
}

pub(crate) fn render(view: &view::View, format: Format, choice: &TemplateChoice) -> Result<String, ReportError> {
    let mut env = environment(format);
    let name: String = match (choice, format) {
        (TemplateChoice::File(path), _) => load_user_template(&mut env, path)?,
        (_, Format::Html) => "report.html.j2".into(),
        (c, _) => builtin_name(c).into(),
    };
    let label = match choice {
        TemplateChoice::File(p) => p.display().to_string(),
        _ => name.clone(),
    };
    let tmpl = env.get_template(&name).map_err(|e| template_error(&label, &e))?;
    let out = tmpl.render(view).map_err(|e| template_error(&label, &e))?;
    // The built-in HTML template carries the policy in its own head.
    let user_html = format == Format::Html && matches!(choice, TemplateChoice::File(_));
    Ok(if user_html { with_csp(out) } else { out })
}

fn load_user_template(env: &mut Environment<'static>, path: &Path) -> Result<String, ReportError> {
    let src = std::fs::read_to_string(path)
        .map_err(|source| ReportError::TemplateRead { path: path.to_path_buf(), source })?;
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "template.md.j2".into());
    // Namespaced so a copy named like a built-in can still include the built-in partials.
    let name = format!("user/{file}");
    env.add_template_owned(name.clone(), src).map_err(|e| template_error(&path.display().to_string(), &e))?;
    Ok(name)
}

fn template_error(label: &str, e: &minijinja::Error) -> ReportError {
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let _ = write!(detail, ": {s}");
        src = s.source();
    }
    ReportError::Template { template: label.to_string(), detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_prose_turns_quoted_names_into_code_and_escapes_the_rest() {
        assert_eq!(
            html_prose("`config/a.py` <b> appears (`<img src=x onerror=alert(1)>`)"),
            "<code>config/a.py</code> &lt;b&gt; appears (<code>&lt;img src=x onerror=alert(1)&gt;</code>)"
        );
        assert_eq!(html_prose("odd ` <i>"), "odd ` &lt;i&gt;");
    }
}
