//! Canonical state keys: each type writes exactly the fields that define
//! its state, field by field, into a [`StateKey`], so that two states with
//! equal keys behave the same from then on. A model checker keys its
//! visited set by them; field order in a struct or its `Debug` text plays
//! no part. Every writer destructures its type in full, so a new field does
//! not compile until someone decides whether it is part of the state.
//!
//! Node ids go through [`StateKey::id`], which renames them: a checker
//! that writes a state once per permutation of interchangeable nodes and
//! keeps the smallest key treats symmetric states as one (symmetry
//! reduction). Collections keyed or ordered by id are written in renamed
//! order for the same reason.

use std::sync::OnceLock;

use super::control_plane::CpEntry;
use super::durable::{DurableState, HardState, Persist, Snapshot};
use super::entry::{Entry, NodeId, Payload};
use super::handover::{Handover, HandoverMode};
use super::membership::Membership;
use super::message::{AppendOutcome, Body, Message};
use super::node::{LeaderState, Node, RoleState, Tally};
use super::node_set::NodeSet;
use super::progress::{Progress, ProgressState};
use super::vote::{Decision, Refusal};

/// Ids a key can rename: the explorer's clusters are far smaller.
const RENAMED_IDS: usize = 16;

/// A 128-bit fingerprint built word by word, with node ids renamed.
#[derive(Clone, Copy, Debug)]
pub struct StateKey {
    /// `rename[id]` is the name `id` is written as, for ids below
    /// `RENAMED_IDS`; the others keep their own. A fixed array, so that a
    /// part keyed on its own (`multiset`) allocates nothing.
    rename: [NodeId; RENAMED_IDS],
    /// `renaming_code`, worked out once: parts keyed under a renaming
    /// (each node's digest) ask for it every time.
    code: Option<u64>,
    a: u64,
    b: u64,
    words: u64,
}

/// The high and low halves of `x · k` folded together: every input bit
/// reaches most output bits, in one multiply.
#[inline]
fn fold(x: u64, k: u64) -> u64 {
    let p = u128::from(x) * u128::from(k);
    (p as u64) ^ ((p >> 64) as u64)
}

/// SplitMix64's finalizer: every input bit reaches every output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl StateKey {
    /// An empty key that writes every id as itself.
    pub fn new() -> StateKey {
        StateKey::renaming(&[])
    }

    /// An empty key that writes id `i` as `rename[i]` (ids past the end of
    /// `rename`, or past 15, as themselves).
    pub fn renaming(rename: &[NodeId]) -> StateKey {
        let mut names: [NodeId; RENAMED_IDS] = std::array::from_fn(|i| i as NodeId);
        for (name, given) in names.iter_mut().zip(rename) {
            *name = *given;
        }
        let code = names
            .iter()
            .enumerate()
            .try_fold(0, |code, (i, name)| (*name < 16).then(|| code | name << (4 * i)));
        StateKey { rename: names, code, a: 0x243F_6A88_85A3_08D3, b: 0x1319_8A2E_0370_7344, words: 0 }
    }

    /// A fresh key with the same renaming (for a part written on its own,
    /// such as one message of a multiset).
    pub fn sibling(&self) -> StateKey {
        StateKey { a: 0x243F_6A88_85A3_08D3, b: 0x1319_8A2E_0370_7344, words: 0, ..*self }
    }

    /// The renaming as one word, four bits a name, when every name is
    /// below 16 (`None` otherwise): [`KeptDigests`] tells renamings apart
    /// by it.
    /// Ids from 16 up are written as themselves under every renaming.
    pub fn renaming_code(&self) -> Option<u64> {
        self.code
    }

    /// The name `id` is written as.
    pub fn name(&self, id: NodeId) -> NodeId {
        usize::try_from(id).ok().and_then(|i| self.rename.get(i)).copied().unwrap_or(id)
    }

    /// Writes one word. Two lanes, each a folded 64×64→128-bit multiply
    /// (as wyhash mixes), with different constants and the word count in
    /// one of them so that lengths are implied; `finish` mixes both fully.
    /// A fold costs a multiply and an exclusive or: a key is thousands of
    /// words, and SplitMix64's finalizer on each lane made writing them
    /// most of the explorer's time.
    #[inline]
    pub fn word(&mut self, v: u64) {
        self.words += 1;
        self.a = fold(self.a ^ v, 0xA076_1D64_78BD_642F);
        self.b = fold(self.b ^ v.rotate_left(29) ^ self.words, 0xE703_7ED1_A0B4_28DB);
    }

    /// Writes a part keyed on its own (with [`StateKey::sibling`]).
    pub fn part(&mut self, key: u128) {
        self.word(key as u64);
        self.word((key >> 64) as u64);
    }

    /// Writes a flag.
    pub fn flag(&mut self, v: bool) {
        self.word(u64::from(v));
    }

    /// Writes a node id, renamed.
    pub fn id(&mut self, id: NodeId) {
        let name = self.name(id);
        self.word(name);
    }

    /// Writes an optional value (a tag, then the value).
    pub fn opt(&mut self, v: Option<u64>) {
        match v {
            None => self.word(0),
            Some(v) => {
                self.word(1);
                self.word(v);
            }
        }
    }

    /// Writes an optional node id, renamed.
    pub fn opt_id(&mut self, id: Option<NodeId>) {
        let name = id.map(|id| self.name(id));
        self.opt(name);
    }

    /// Writes bytes (their length, then eight at a time).
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.word(bytes.len() as u64);
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(w));
        }
    }

    /// Writes a set of ids in renamed order: as one word, a bit per name,
    /// when every name is below 63 and none repeats (a cluster's sets
    /// always); otherwise the count and the sorted names. The first form's
    /// top bit is set, which no count has, so the two never meet.
    pub fn ids(&mut self, ids: impl Iterator<Item = NodeId> + Clone) {
        // A first pass for the bits alone: no buffer to fill or sort.
        let (mut mask, mut len) = (0u64, 0);
        for id in ids.clone() {
            mask |= 1u64.checked_shl(self.name(id) as u32).unwrap_or(0);
            len += 1;
        }
        if mask.count_ones() as usize == len && mask >> 63 == 0 {
            self.word(mask | 1 << 63);
            return;
        }
        let mut names = [0; RENAMED_IDS];
        let mut spilled = Vec::new();
        for (i, id) in ids.enumerate() {
            let name = self.name(id);
            match names.get_mut(i) {
                Some(slot) => *slot = name,
                None => spilled.push(name),
            }
        }
        let mut all: Vec<NodeId>;
        let sorted = if spilled.is_empty() {
            &mut names[..len]
        } else {
            all = names.to_vec();
            all.append(&mut spilled);
            &mut all[..]
        };
        sorted.sort_unstable();
        self.word(len as u64);
        for name in sorted.iter() {
            self.word(*name);
        }
    }

    /// Writes parts each held by a different node (a map keyed by node
    /// id), in the renamed order of their ids: each part's name, then the
    /// part. The same state under any renaming writes the same words, as
    /// a multiset would, without keying every part on its own.
    pub fn by_id<T: Copy>(
        &mut self,
        parts: impl Iterator<Item = (NodeId, T)>,
        write: impl Fn(T, &mut StateKey),
    ) {
        let mut named: Small<(NodeId, Option<T>), RENAMED_IDS> =
            Small { inline: [(0, None); RENAMED_IDS], len: 0, spilled: Vec::new() };
        for (id, part) in parts {
            named.push((self.name(id), Some(part)));
        }
        let all = named.as_mut_slice();
        let len = all.len();
        if !all.windows(2).all(|w| w[0].0 < w[1].0) {
            all.sort_unstable_by_key(|(name, _)| *name);
        }
        if all.windows(2).any(|w| w[0].0 == w[1].0) {
            // Names that tie (a renaming that is not one-to-one, such as
            // the explorer's node signatures, which write every id as 0):
            // their order would follow the ids, so the parts are written
            // as a multiset instead.
            self.multiset(all.iter(), |(name, part), k| {
                k.word(*name);
                write(part.expect("every slot up to len is filled"), k);
            });
            return;
        }
        self.word(len as u64);
        for (name, part) in all.iter() {
            self.word(*name);
            write(part.expect("every slot up to len is filled"), self);
        }
    }

    /// Writes a collection of parts as a multiset: each part keyed on its
    /// own, the part keys sorted. For collections whose order is not part
    /// of the state, or is by id (and so changes under renaming).
    pub fn multiset<T>(&mut self, parts: impl Iterator<Item = T>, write: impl Fn(&T, &mut StateKey)) {
        let mut keys: Small<u128, 8> = Small::default();
        for part in parts {
            let mut k = self.sibling();
            write(&part, &mut k);
            keys.push(k.finish());
        }
        let keys = keys.as_mut_slice();
        keys.sort_unstable();
        self.word(keys.len() as u64);
        for k in keys {
            self.part(*k);
        }
    }

    /// The fingerprint.
    pub fn finish(&self) -> u128 {
        let hi = mix(self.a ^ self.words.rotate_left(17));
        let lo = mix(self.b ^ hi);
        (u128::from(hi) << 64) | u128::from(lo)
    }
}

/// A part's digests (a part keyed on its own, with [`StateKey::sibling`])
/// under the first `SLOTS` renamings it was keyed under, kept beside the
/// part while it does not change: the explorer keys every state it makes,
/// and a move changes one or two of a cluster's nodes and checks. Each slot
/// is set once, so reading one is a load, and threads keying states that
/// share the part need no lock. The owner forgets them (a fresh value) when
/// the part changes.
pub struct KeptDigests<const SLOTS: usize>([OnceLock<(u64, u128)>; SLOTS]);

impl<const SLOTS: usize> Default for KeptDigests<SLOTS> {
    fn default() -> Self {
        KeptDigests(std::array::from_fn(|_| OnceLock::new()))
    }
}

impl<const SLOTS: usize> KeptDigests<SLOTS> {
    /// The digest under `k`'s renaming: kept, or made by `digest` and kept
    /// when a slot is free (never kept under a renaming with no code).
    pub fn get(&self, k: &StateKey, digest: impl FnOnce() -> u128) -> u128 {
        let Some(code) = k.renaming_code() else { return digest() };
        for slot in &self.0 {
            match slot.get() {
                Some((c, d)) if *c == code => return *d,
                Some(_) => {}
                None => {
                    let d = digest();
                    // Another thread may fill the slot first (with its own
                    // renaming's digest): this one is right all the same.
                    let _ = slot.set((code, d));
                    return d;
                }
            }
        }
        digest()
    }
}

/// Values on the stack while they are at most `N` (most collections in a
/// small cluster's state hold a handful), spilled into a vector past that:
/// keying a state allocates nothing in the common case.
pub struct Small<T, const N: usize> {
    inline: [T; N],
    len: usize,
    spilled: Vec<T>,
}

impl<T: Copy + Default, const N: usize> Default for Small<T, N> {
    fn default() -> Self {
        Small { inline: [T::default(); N], len: 0, spilled: Vec::new() }
    }
}

impl<T: Copy, const N: usize> Small<T, N> {
    /// Adds `v` at the end.
    pub fn push(&mut self, v: T) {
        if self.len < N {
            self.inline[self.len] = v;
        } else {
            if self.spilled.is_empty() {
                self.spilled.extend_from_slice(&self.inline);
            }
            self.spilled.push(v);
        }
        self.len += 1;
    }

    /// The values, in the order pushed (to sort in place, say).
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        if self.len <= N {
            &mut self.inline[..self.len]
        } else {
            &mut self.spilled[..]
        }
    }
}

impl Default for StateKey {
    fn default() -> StateKey {
        StateKey::new()
    }
}

impl Node {
    /// Writes this node's state: durable and volatile, everything that
    /// decides what it does next. Left out: its configuration (fixed for
    /// the node's life), when every election timeout is the same its timer
    /// generator (every draw gives that timeout), and why its role last
    /// changed (the trace's `cause`: it names the past, decides nothing).
    pub fn write_key(&self, k: &mut StateKey) {
        let Node {
            cfg,
            term,
            voted_for,
            log,
            snapshot,
            commit,
            applied,
            membership,
            membership_index,
            leader,
            role,
            election_elapsed,
            election_timeout,
            leader_contact_elapsed,
            rng,
            snapshot_requested,
            handover,
            hard_state_dirty,
            durable_term_vote,
            durable_index,
            role_cause: _,
        } = self;
        k.word(*term);
        k.opt_id(*voted_for);
        k.word(log.snapshot_index());
        k.word(log.snapshot_term());
        k.word(log.entries().len() as u64);
        for e in log.entries() {
            e.write_key(k);
        }
        snapshot.write_key(k);
        k.word(*commit);
        k.word(*applied);
        membership.write_key(k);
        k.word(*membership_index);
        k.opt_id(*leader);
        role.write_key(k);
        k.word(*election_elapsed);
        k.word(*election_timeout);
        k.opt(*leader_contact_elapsed);
        if cfg.election_ticks_min != cfg.election_ticks_max {
            k.word(rng.position());
        }
        k.flag(*snapshot_requested);
        match handover {
            None => k.word(0),
            Some(h) => {
                k.word(1);
                h.write_key(k);
            }
        }
        k.flag(*hard_state_dirty);
        k.word(durable_term_vote.0);
        k.opt_id(durable_term_vote.1);
        k.word(*durable_index);
    }
}

impl RoleState {
    fn write_key(&self, k: &mut StateKey) {
        match self {
            RoleState::Follower { probe: None } => k.word(0),
            RoleState::Follower { probe: Some(tally) } => {
                k.word(1);
                tally.write_key(k);
            }
            RoleState::Candidate { tally } => {
                k.word(2);
                tally.write_key(k);
            }
            RoleState::Leader(state) => {
                k.word(3);
                // Left out: the quorum that elected it (the trace's
                // `leader_elected.quorum`), which decides nothing further.
                let LeaderState {
                    progress,
                    heartbeat_elapsed,
                    term_start_index,
                    settled_membership,
                    elected_by: _,
                } = state.as_ref();
                k.by_id(progress.iter().map(|(id, p)| (*id, p)), |p, k| p.write_key(k));
                k.word(*heartbeat_elapsed);
                k.word(*term_start_index);
                k.word(*settled_membership);
            }
        }
    }
}

impl Tally {
    fn write_key(&self, k: &mut StateKey) {
        k.by_id(self.votes.iter().map(|(id, granted)| (*id, *granted)), |granted, k| k.flag(granted));
    }
}

impl Progress {
    fn write_key(&self, k: &mut StateKey) {
        let Progress { match_index, next_index, state, probe_sent, inflight, silent_ticks } = self;
        k.word(*match_index);
        k.word(*next_index);
        match state {
            ProgressState::Probe => k.word(0),
            ProgressState::Replicate => k.word(1),
            ProgressState::Snapshot { index, ticks } => {
                k.word(2);
                k.word(*index);
                k.word(*ticks);
            }
        }
        k.flag(*probe_sent);
        k.word(inflight.len() as u64);
        for i in inflight {
            k.word(*i);
        }
        k.word(*silent_ticks);
    }
}

impl Handover {
    fn write_key(&self, k: &mut StateKey) {
        let Handover { to, mode, frontier, reached, term, waited, handed_over_at } = self;
        k.id(*to);
        match mode {
            HandoverMode::Coordinated { deadline_ticks } => {
                k.word(0);
                k.word(*deadline_ticks);
            }
            HandoverMode::Force { timeout_ticks } => {
                k.word(1);
                k.word(*timeout_ticks);
            }
            HandoverMode::Transfer { timeout_ticks } => {
                k.word(2);
                k.word(*timeout_ticks);
            }
        }
        k.word(*frontier);
        k.word(*reached);
        k.word(*term);
        k.word(*waited);
        k.opt(*handed_over_at);
    }
}

impl Entry {
    /// Writes index, term and payload.
    pub fn write_key(&self, k: &mut StateKey) {
        let Entry { index, term, payload } = self;
        k.word(*index);
        k.word(*term);
        match payload {
            Payload::Noop => k.word(0),
            Payload::Write(bytes) => {
                k.word(1);
                k.bytes(bytes);
            }
            Payload::Config(m) => {
                k.word(2);
                m.write_key(k);
            }
            Payload::ControlPlane(cp) => {
                k.word(3);
                cp.write_key(k);
            }
            Payload::Elided => k.word(4),
        }
    }
}

impl CpEntry {
    fn write_key(&self, k: &mut StateKey) {
        match self {
            CpEntry::Admit(id) => {
                k.word(0);
                k.id(*id);
            }
            CpEntry::Remove(id) => {
                k.word(1);
                k.id(*id);
            }
            CpEntry::Ownership { range, owner, epoch } => {
                k.word(2);
                k.bytes(range.as_bytes());
                k.id(*owner);
                k.word(*epoch);
            }
            CpEntry::LeaderConfig { term, leader } => {
                k.word(3);
                k.word(*term);
                k.id(*leader);
            }
        }
    }
}

impl NodeSet {
    /// Writes the set in renamed order.
    pub fn write_key(&self, k: &mut StateKey) {
        k.ids(self.iter().copied());
    }
}

impl Membership {
    /// Writes voters, the outgoing voters while joint, learners, witnesses.
    pub fn write_key(&self, k: &mut StateKey) {
        let Membership { voters, outgoing, learners, witnesses } = self;
        voters.write_key(k);
        match outgoing {
            None => k.word(0),
            Some(old) => {
                k.word(1);
                old.write_key(k);
            }
        }
        learners.write_key(k);
        witnesses.write_key(k);
    }
}

impl Snapshot {
    /// Writes index, term, membership, ownership epochs and the data.
    pub fn write_key(&self, k: &mut StateKey) {
        let Snapshot { index, term, membership, epochs, data } = self;
        k.word(*index);
        k.word(*term);
        membership.write_key(k);
        k.word(epochs.len() as u64);
        for (range, epoch) in epochs {
            k.bytes(range.as_bytes());
            k.word(*epoch);
        }
        k.bytes(data);
    }
}

impl HardState {
    /// Writes term, vote and commit.
    pub fn write_key(&self, k: &mut StateKey) {
        let HardState { term, voted_for, commit } = self;
        k.word(*term);
        k.opt_id(*voted_for);
        k.word(*commit);
    }
}

impl Persist {
    /// Writes which kind of write it is and what it stores (a simulated
    /// disk's writes under way are part of the state).
    pub fn write_key(&self, k: &mut StateKey) {
        match self {
            Persist::HardState(hs) => {
                k.word(0);
                hs.write_key(k);
            }
            Persist::Entries(entries) => {
                k.word(1);
                k.word(entries.len() as u64);
                for e in entries {
                    e.write_key(k);
                }
            }
            Persist::Snapshot(s) => {
                k.word(2);
                s.write_key(k);
            }
        }
    }
}

impl DurableState {
    /// Writes what a disk holds.
    pub fn write_key(&self, k: &mut StateKey) {
        let DurableState { hard_state, snapshot, entries } = self;
        hard_state.write_key(k);
        match snapshot {
            None => k.word(0),
            Some(s) => {
                k.word(1);
                s.write_key(k);
            }
        }
        k.word(entries.len() as u64);
        for e in entries {
            e.write_key(k);
        }
    }
}

impl Message {
    /// Writes sender, receiver, term and body.
    pub fn write_key(&self, k: &mut StateKey) {
        let Message { from, to, term, body } = self;
        k.id(*from);
        k.id(*to);
        k.word(*term);
        body.write_key(k);
    }
}

impl Body {
    fn write_key(&self, k: &mut StateKey) {
        match self {
            Body::Probe { last_index, last_term } => {
                k.word(0);
                k.word(*last_index);
                k.word(*last_term);
            }
            Body::ProbeReply { decision } => {
                k.word(1);
                decision.write_key(k);
            }
            Body::Vote { last_index, last_term, transfer, force } => {
                k.word(2);
                k.word(*last_index);
                k.word(*last_term);
                k.flag(*transfer);
                k.flag(*force);
            }
            Body::VoteReply { decision } => {
                k.word(3);
                decision.write_key(k);
            }
            Body::Append { prev_index, prev_term, entries, commit } => {
                k.word(4);
                k.word(*prev_index);
                k.word(*prev_term);
                k.word(entries.len() as u64);
                for e in entries {
                    e.write_key(k);
                }
                k.word(*commit);
            }
            Body::AppendReply { outcome } => {
                k.word(5);
                match outcome {
                    AppendOutcome::Accepted { match_index } => {
                        k.word(0);
                        k.word(*match_index);
                    }
                    AppendOutcome::Rejected { rejected, hint_index, hint_term } => {
                        k.word(1);
                        k.word(*rejected);
                        k.word(*hint_index);
                        k.opt(*hint_term);
                    }
                }
            }
            Body::Snapshot { snapshot } => {
                k.word(6);
                snapshot.write_key(k);
            }
            Body::SnapshotReply { index } => {
                k.word(7);
                k.word(*index);
            }
            Body::TimeoutNow { force } => {
                k.word(8);
                k.flag(*force);
            }
        }
    }
}

impl Decision {
    fn write_key(&self, k: &mut StateKey) {
        match self {
            Decision::Granted => k.word(0),
            Decision::Refused(r) => {
                k.word(1);
                match *r {
                    Refusal::WatermarkNotCovered { candidate_lsn, watermark } => {
                        k.word(0);
                        k.word(candidate_lsn);
                        k.word(watermark);
                    }
                    Refusal::StaleTerm { candidate_term, voter_term } => {
                        k.word(1);
                        k.word(candidate_term);
                        k.word(voter_term);
                    }
                    Refusal::LogBehind {
                        candidate_last_term,
                        candidate_last_index,
                        voter_last_term,
                        voter_last_index,
                    } => {
                        k.word(2);
                        k.word(candidate_last_term);
                        k.word(candidate_last_index);
                        k.word(voter_last_term);
                        k.word(voter_last_index);
                    }
                    Refusal::AlreadyVoted { term, voted_for } => {
                        k.word(3);
                        k.word(term);
                        k.id(voted_for);
                    }
                    Refusal::LeaderActive { leader } => {
                        k.word(4);
                        k.id(leader);
                    }
                    Refusal::NotVoter => k.word(5),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(rename: &[NodeId], write: impl Fn(&mut StateKey)) -> u128 {
        let mut k = StateKey::renaming(rename);
        write(&mut k);
        k.finish()
    }

    #[test]
    fn id_sets_and_maps_by_id_are_written_in_renamed_order() {
        // A set: the order given does not matter, the members do.
        let set = |ids: &'static [NodeId]| key(&[], move |k| k.ids(ids.iter().copied()));
        assert_eq!(set(&[1, 3]), set(&[3, 1]));
        assert_ne!(set(&[1, 3]), set(&[1, 2]));
        assert_ne!(set(&[1]), set(&[1, 1]), "a repeat is written, not folded away");
        // A map by id renamed by swapping 1 and 2 is the swapped map.
        let map = |rename: &[NodeId], parts: [(NodeId, u64); 2]| {
            key(rename, move |k| k.by_id(parts.into_iter(), |v, k| k.word(v)))
        };
        assert_eq!(map(&[0, 2, 1], [(1, 10), (2, 20)]), map(&[], [(1, 20), (2, 10)]));
        assert_ne!(map(&[], [(1, 10), (2, 20)]), map(&[], [(1, 20), (2, 10)]));
        // Every id written as 0 (a signature): the parts as a multiset.
        assert_eq!(map(&[0, 0, 0], [(1, 10), (2, 20)]), map(&[0, 0, 0], [(1, 20), (2, 10)]));
        assert_ne!(map(&[0, 0, 0], [(1, 10), (2, 20)]), map(&[0, 0, 0], [(1, 10), (2, 10)]));
    }
}
