//! A linearizability checker for the key-value history clients observe
//! (Herlihy & Wing 1990; the search is Wing & Gong's, with the memo of
//! Lowe's "just-in-time linearization" as in the porcupine checker).
//!
//! Each key is a register and is checked on its own (linearizability is
//! compositional). A history is linearizable when its operations can be put
//! in one order that respects real time (an operation that completed before
//! another was invoked comes first) in which every read returns the latest
//! write. A write whose outcome the client never learnt (timeout, 503,
//! lost connection) may take effect at any time after its invocation, or
//! never; a read without an answer says nothing and is left out.

use std::collections::{BTreeMap, BTreeSet, HashSet};

/// What a client did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Wrote this value.
    Put(String),
    /// Read this (`None`: the key was absent).
    Get(Option<String>),
}

/// One operation, with its real-time interval in nanoseconds since a
/// common origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    /// The key.
    pub key: String,
    /// What was done.
    pub kind: Kind,
    /// When the client sent it.
    pub invoked: u64,
    /// When the client got its answer; `None` when it never learnt the
    /// outcome (only meaningful for writes).
    pub completed: Option<u64>,
}

/// Why a history is not linearizable, or could not be decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The key whose history fails.
    pub key: String,
    /// What is wrong.
    pub detail: String,
}

/// The most search steps spent on one key before giving up.
pub const SEARCH_STEPS_MAX: u64 = 20_000_000;

/// Checks a whole history, key by key.
pub fn check(history: &[Op]) -> Result<(), Failure> {
    // A write of unknown outcome whose value no read returned can be left
    // out: in any order that places it, nothing reads it before the next
    // write, so the order without it is as good. Left in, each one would
    // multiply the orders to try (clients write unique values).
    let seen: BTreeSet<(&str, &str)> = history
        .iter()
        .filter_map(|op| match &op.kind {
            Kind::Get(Some(v)) => Some((op.key.as_str(), v.as_str())),
            _ => None,
        })
        .collect();
    let mut by_key: BTreeMap<&str, Vec<&Op>> = BTreeMap::new();
    for op in history {
        let keep = match (&op.kind, op.completed) {
            (_, Some(_)) => true,
            (Kind::Put(v), None) => seen.contains(&(op.key.as_str(), v.as_str())),
            (Kind::Get(_), None) => false,
        };
        if keep {
            by_key.entry(&op.key).or_default().push(op);
        }
    }
    for (key, ops) in by_key {
        check_register(&ops).map_err(|detail| Failure { key: key.to_string(), detail })?;
    }
    Ok(())
}

/// The search over one key's operations.
struct Search<'a> {
    ops: Vec<&'a Op>,
    /// Memo of (linearized set, current writer) already explored.
    seen: HashSet<(Vec<u64>, Option<usize>)>,
    steps: u64,
}

fn check_register(ops: &[&Op]) -> Result<(), String> {
    let mut ops = ops.to_vec();
    ops.sort_by_key(|op| op.invoked);
    let mut search = Search { ops, seen: HashSet::new(), steps: 0 };
    let words = search.ops.len().div_ceil(64);
    let mut done = vec![0u64; words];
    match search.explore(&mut done, None) {
        Some(true) => Ok(()),
        Some(false) => Err(search.explain()),
        None => {
            Err(format!("undecided after {SEARCH_STEPS_MAX} search steps ({} operations)", search.ops.len()))
        }
    }
}

fn is_set(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

fn flip(bits: &mut [u64], i: usize) {
    bits[i / 64] ^= 1 << (i % 64);
}

impl Search<'_> {
    /// True when the operations not in `done` can follow, the register
    /// holding the value of the write `writer` (`None`: absent). `None`
    /// when the step budget ran out.
    fn explore(&mut self, done: &mut Vec<u64>, writer: Option<usize>) -> Option<bool> {
        self.steps += 1;
        if self.steps > SEARCH_STEPS_MAX {
            return None;
        }
        let open: Vec<usize> = (0..self.ops.len()).filter(|&i| !is_set(done, i)).collect();
        if open.iter().all(|&i| self.ops[i].completed.is_none()) {
            return Some(true); // writes of unknown outcome may never happen
        }
        if !self.seen.insert((done.clone(), writer)) {
            return Some(false);
        }
        // Only an operation invoked before every open one completed can be
        // next: anything else would come after an operation it followed.
        let horizon = open.iter().filter_map(|&i| self.ops[i].completed).min().unwrap_or(u64::MAX);
        for i in open {
            if self.ops[i].invoked > horizon {
                continue;
            }
            let next = match &self.ops[i].kind {
                Kind::Put(_) => Some(i),
                Kind::Get(seen) if *seen == self.value(writer) => writer,
                Kind::Get(_) => continue,
            };
            flip(done, i);
            let found = self.explore(done, next);
            flip(done, i);
            if found != Some(false) {
                return found;
            }
        }
        Some(false)
    }

    fn value(&self, writer: Option<usize>) -> Option<String> {
        writer.and_then(|w| match &self.ops[w].kind {
            Kind::Put(v) => Some(v.clone()),
            Kind::Get(_) => None,
        })
    }

    /// A read no order explains, for the failure message: the first read
    /// of a value never written, else the number of operations.
    fn explain(&self) -> String {
        let written: HashSet<&str> = self
            .ops
            .iter()
            .filter_map(|op| if let Kind::Put(v) = &op.kind { Some(v.as_str()) } else { None })
            .collect();
        for op in &self.ops {
            if let Kind::Get(Some(v)) = &op.kind {
                if !written.contains(v.as_str()) {
                    return format!("a read at {} ns returned {v:?}, which no client wrote", op.invoked);
                }
            }
        }
        format!(
            "no order of these {} operations respects real time with every read returning the latest write",
            self.ops.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(v: &str, from: u64, to: Option<u64>) -> Op {
        Op { key: "k".into(), kind: Kind::Put(v.into()), invoked: from, completed: to }
    }

    fn get(v: Option<&str>, from: u64, to: u64) -> Op {
        Op { key: "k".into(), kind: Kind::Get(v.map(String::from)), invoked: from, completed: Some(to) }
    }

    #[test]
    fn a_sequential_history_passes() {
        let h = [
            get(None, 0, 1),
            put("a", 2, Some(3)),
            get(Some("a"), 4, 5),
            put("b", 6, Some(7)),
            get(Some("b"), 8, 9),
        ];
        assert_eq!(check(&h), Ok(()));
    }

    #[test]
    fn a_stale_read_after_a_completed_write_is_rejected() {
        let h = [put("a", 0, Some(1)), put("b", 2, Some(3)), get(Some("a"), 4, 5)];
        let f = check(&h).unwrap_err();
        assert_eq!(f.key, "k");
        assert!(f.detail.contains("no order of these 3 operations"), "{}", f.detail);
    }

    #[test]
    fn a_read_of_a_value_nobody_wrote_is_rejected() {
        let f = check(&[put("a", 0, Some(1)), get(Some("z"), 2, 3)]).unwrap_err();
        assert!(f.detail.contains("\"z\", which no client wrote"), "{}", f.detail);
    }

    #[test]
    fn reads_that_go_back_in_time_are_rejected_even_when_each_overlaps_the_write() {
        // Both reads overlap the write, so each alone could see either
        // value; but the second starts after the first saw "b".
        let h = [put("a", 0, Some(1)), put("b", 2, Some(10)), get(Some("b"), 3, 4), get(Some("a"), 5, 6)];
        assert!(check(&h).is_err());
    }

    #[test]
    fn overlapping_operations_may_take_effect_in_either_order() {
        assert_eq!(check(&[put("a", 0, Some(10)), get(None, 1, 2)]), Ok(()));
        assert_eq!(check(&[put("a", 0, Some(10)), get(Some("a"), 1, 2)]), Ok(()));
        let h = [put("a", 0, Some(10)), put("b", 1, Some(11)), get(Some("a"), 12, 13)];
        assert_eq!(check(&h), Ok(()), "b may have taken effect before a");
    }

    #[test]
    fn a_write_of_unknown_outcome_may_happen_later_or_never_but_not_before_it_was_sent() {
        assert_eq!(check(&[put("a", 0, None), get(None, 5, 6)]), Ok(()));
        assert_eq!(check(&[put("a", 0, None), get(None, 5, 6), get(Some("a"), 50, 51)]), Ok(()));
        assert!(check(&[get(Some("a"), 0, 1), put("a", 5, None)]).is_err());
        // Once seen, it cannot be unseen.
        assert!(check(&[put("a", 0, None), get(Some("a"), 5, 6), get(None, 7, 8)]).is_err());
    }

    #[test]
    fn many_writes_of_unknown_outcome_nobody_read_are_checked_quickly() {
        let mut h: Vec<Op> = (0..400).map(|i| put(&format!("u{i}"), i, None)).collect();
        h.push(put("a", 500, Some(501)));
        h.push(get(Some("a"), 502, 503));
        h.push(put("u7", 600, None)); // seen below: this one stays in
        h.push(get(Some("u7"), 601, 602));
        let started = std::time::Instant::now();
        assert_eq!(check(&h), Ok(()));
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        // And a stale read among them is still caught.
        h.push(get(Some("a"), 700, 701));
        assert!(check(&h).is_err());
    }

    #[test]
    fn keys_are_independent_registers() {
        let mut other = put("a", 0, Some(1));
        other.key = "j".into();
        assert_eq!(check(&[other, get(None, 2, 3)]), Ok(()));
    }
}
