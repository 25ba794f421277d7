//! The built-in, narrated scenario library: the fundamentals first, then
//! the teaching switches turned off one at a time (PROTOCOL.md §10).

mod fundamentals;
mod switches_off;

use super::{parse, Scenario};

/// Every built-in scenario: (name, file contents), in library order.
pub fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    fundamentals::FUNDAMENTALS.iter().chain(switches_off::SWITCHES_OFF.iter())
}

/// The names of the built-in scenarios, in library order.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    entries().map(|(name, _)| *name)
}

/// The built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<Scenario> {
    let (_, text) = entries().find(|(n, _)| *n == name)?;
    parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_names_are_unique() {
        let mut names = std::collections::BTreeSet::new();
        for (name, text) in entries() {
            assert!(names.insert(*name), "duplicate scenario name {name}");
            let s = parse(text).unwrap_or_else(|e| panic!("built-in {name}: {e}"));
            assert!(!s.title.is_empty() && !s.explain.is_empty(), "{name} needs a title and an explanation");
        }
    }
}
