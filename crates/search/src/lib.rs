//! Regex search over the raw input files with grep-searcher.
