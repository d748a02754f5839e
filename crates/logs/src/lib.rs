//! Line-oriented log formats: detection, parsing, multi-line records, gzip and rotated sets.
