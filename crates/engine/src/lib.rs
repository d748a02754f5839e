//! The facade the CLI and the desktop call: ingest into a case, analyze, search, export.
