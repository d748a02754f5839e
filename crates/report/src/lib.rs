//! Postmortem exporters: Markdown, HTML, JSON, CSV, SVG.
