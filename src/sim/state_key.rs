//! The simulator's canonical state key (see `crate::core::StateKey`).

use crate::core::{KeptDigests, StateKey};

use super::{PendingWrite, Sim, SimNode};

impl Sim {
    /// Writes everything that decides what the cluster does next and what
    /// the checker will report: every node (live core, disk, application),
    /// the network, the writes pending and acknowledged, the checker's
    /// memory. Left out: the clock and step count (names of moments, not
    /// state: the core has no clock) and the configuration. Messages are
    /// written with how long each has to go when `timing` is true; a model
    /// checker that delivers every message by command passes false. The
    /// script is not written: key a simulator whose script has run out.
    pub fn write_key(&self, k: &mut StateKey, timing: bool) {
        k.by_id(self.nodes.iter().map(|(id, n)| (*id, n)), |n, k| {
            k.part(n.key_digest(k));
            n.writes.write_key(k, self.now);
        });
        self.network.write_key(k, self.now, timing);
        k.multiset(self.pending.iter(), |PendingWrite { node, index, term, value }, k| {
            k.id(*node);
            k.word(*index);
            k.word(*term);
            k.bytes(value.as_bytes());
        });
        k.word(self.acked.len() as u64);
        for write in &self.acked {
            k.word(write.index);
            k.word(write.term);
            k.bytes(write.value.as_bytes());
        }
        self.checker.write_key(k);
        k.flag(self.checking);
        k.word(self.violations);
    }
}

impl SimNode {
    /// Its own state (live core, disk, application, the crash flag) keyed
    /// on its own with `k`'s renaming: everything of the node that does not
    /// depend on the clock (its writes under way are written beside it,
    /// relative to the clock). Cached per renaming: a move changes one or
    /// two nodes, and the others, shared with the state before behind their
    /// `Arc`, are not written again.
    pub fn key_digest(&self, k: &StateKey) -> u128 {
        self.digests.0.get(k, || {
            let SimNode {
                config: _,
                node,
                disk,
                kv,
                crash_after_persist,
                spare_log: _,
                writes: _,
                digests: _,
            } = self;
            let mut k = k.sibling();
            match node {
                None => k.word(0),
                Some(node) => {
                    k.word(1);
                    node.write_key(&mut k);
                }
            }
            disk.write_key(&mut k);
            kv.write_key(&mut k);
            k.flag(*crash_after_persist);
            k.finish()
        })
    }
}

/// Renamings a node's digest is kept under: the explorer keys each node
/// under its signature's renaming (every id as 0) and, nearly always, one
/// order of its group. Held as a [`Transient`](super::Transient): a copy
/// starts empty (a node is copied to be changed), and `node_mut` empties it
/// for a node changed in place.
pub(crate) type NodeDigests = KeptDigests<4>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Command, SimConfig, Target};

    fn key(sim: &Sim, rename: &[u64]) -> u128 {
        let mut k = StateKey::renaming(rename);
        sim.write_key(&mut k, true);
        k.finish()
    }

    /// A cluster keyed (under two renamings) before each command gives
    /// the keys of one that ran the same commands and was never keyed: a
    /// node changed in place (the simulator not cloned, so its `Arc` not
    /// copied) must not keep its old digest, nor a node keyed under one
    /// renaming give that digest under another.
    #[test]
    fn kept_digests_give_the_keys_computed_afresh() {
        let (swap, identity): (&[u64], &[u64]) = (&[0, 2, 1, 3], &[]);
        let config = SimConfig::with_nodes(3, 7);
        let commands = [
            Command::TimeoutNow { node: Target::Node(1) },
            Command::Crash { node: Target::Node(3), after_persist: false },
        ];
        let mut keyed = Sim::new(config.clone()).unwrap();
        let mut keys = vec![key(&keyed, identity), key(&keyed, swap)];
        for (i, command) in commands.iter().enumerate() {
            keyed.command(command).unwrap();
            for rename in [identity, swap] {
                let mut afresh = Sim::new(config.clone()).unwrap();
                for c in &commands[..=i] {
                    afresh.command(c).unwrap();
                }
                let k = key(&keyed, rename);
                assert_eq!(k, key(&afresh, rename), "{command:?}, renaming {rename:?}");
                assert!(!keys.contains(&k), "{command:?} changed the state");
                keys.push(k);
            }
        }
    }
}
