//! Deploy history, support messages and alert exports: git repositories, git log text, CSV/JSON exports, Slack, mbox.
