//! One shared copy of each distinct string.

use std::collections::HashSet;
use std::sync::Arc;

/// Hands out one `Arc<str>` per distinct string. A day's errors repeat a few
/// file names, endpoints and hosts and some hundreds of clients tens of
/// thousands of times: a copy per record made them megabytes.
#[derive(Debug, Default)]
pub struct Interner(HashSet<Arc<str>, foldhash::fast::RandomState>);

impl Interner {
    /// The shared copy of `s`.
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(a.clone());
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_copy() {
        let mut i = Interner::default();
        let a = i.get("/logs/access.log");
        let b = i.get(&String::from("/logs/access.log"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &i.get("/logs/error.log")));
    }
}
