//! The simulator's canonical state key (see `crate::core::StateKey`).

use crate::core::StateKey;

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
            let SimNode { config: _, node, disk, kv, crash_after_persist, spare_log: _, writes } = &**n;
            match node {
                None => k.word(0),
                Some(node) => {
                    k.word(1);
                    node.write_key(k);
                }
            }
            disk.write_key(k);
            kv.write_key(k);
            k.flag(*crash_after_persist);
            writes.write_key(k, self.now);
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
