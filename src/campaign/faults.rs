//! The campaign's random choices: which fault, command or write comes
//! next, drawn from the seed alone so that a run replays exactly.

use crate::core::rng::Rng;
use crate::core::{CpEntry, MemberKind, NodeId, VotingState};
use crate::sim::{Command, FailoverMode, Sim, Target};

/// Most nodes a campaign's cluster grows to by adding servers: room for
/// joint changes among several members, well under the simulator's limit.
const MAX_CAMPAIGN_NODES: usize = 8;

/// Ranges whose ownership the control-plane appends move around.
const RANGES: [&str; 2] = ["users:[0,1000)", "orders:[0,500)"];

/// The campaign's random choices and what it remembers between them.
pub(super) struct Faults {
    pub(super) rng: Rng,
    writes: u64,
    /// The next fault is cutting the leader off (the reactive nemesis).
    pub(super) isolate_next: bool,
    /// The highest ownership epoch handed out per range (index of RANGES).
    epochs: [u64; 2],
}

impl Faults {
    pub(super) fn new(rng: Rng) -> Faults {
        Faults { rng, writes: 0, isolate_next: false, epochs: [0; 2] }
    }

    fn pick<'a>(&mut self, ids: &'a [NodeId]) -> &'a NodeId {
        &ids[self.rng.range_inclusive(0, ids.len() as u64 - 1) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.range_inclusive(0, 99) < percent
    }

    /// Two groups: at random, or the leader alone, or the leader with one
    /// follower (the minorities that Figure 8 and check quorum are about).
    pub(super) fn split(&mut self, ids: &[NodeId], leader: Option<NodeId>) -> Vec<Vec<NodeId>> {
        let mut groups = vec![Vec::new(), Vec::new()];
        let (leader, buddy) = match leader {
            Some(l) => (l, *self.pick(ids)),
            None => (0, 0),
        };
        let shape = self.rng.range_inclusive(0, 2);
        for id in ids {
            let side = match shape {
                0 if leader != 0 => usize::from(*id != leader),
                1 if leader != 0 => usize::from(*id != leader && *id != buddy),
                _ => self.rng.range_inclusive(0, 1) as usize,
            };
            groups[side].push(*id);
        }
        groups
    }

    /// The next command; `basic` leaves out membership changes, snapshots
    /// and control-plane appends.
    pub(super) fn next(&mut self, sim: &Sim, basic: bool) -> Command {
        let ids: Vec<NodeId> = sim.nodes().keys().copied().collect();
        let down: Vec<NodeId> =
            sim.nodes().iter().filter(|(_, n)| n.node.is_none()).map(|(id, _)| *id).collect();
        if std::mem::take(&mut self.isolate_next) {
            return Command::Partition { groups: self.split(&ids, sim.leader()) };
        }
        let roll = self.rng.range_inclusive(0, if basic { 99 } else { 119 });
        let may_crash = down.len() * 2 + 2 < ids.len();
        match roll {
            0..=34 => self.write(),
            35..=44 => Command::Partition { groups: self.split(&ids, sim.leader()) },
            45..=49 => {
                let a = *self.pick(&ids);
                let b = *self.pick(&ids);
                let one_way = self.rng.range_inclusive(0, 1) == 1;
                if a == b {
                    Command::Heal {}
                } else {
                    Command::Cut { from: Target::Node(a), to: Target::Node(b), one_way }
                }
            }
            50..=57 => Command::Heal {},
            // Crashes right after a persist are where durability bugs live.
            58..=65 if may_crash => {
                let after_persist = self.rng.range_inclusive(0, 2) == 0;
                Command::Crash { node: Target::Node(*self.pick(&ids)), after_persist }
            }
            // Crashing leaders mid-replication is what Figure 8 needs.
            66..=71 if may_crash && sim.leader().is_some() => {
                let after_persist = self.rng.range_inclusive(0, 3) == 0;
                Command::Crash { node: Target::Leader, after_persist }
            }
            58..=81 if !down.is_empty() => Command::Restart { node: Target::Node(*self.pick(&down)) },
            58..=81 => Command::Write { value: format!("w{}", self.writes), node: None },
            82..=85 => self.network(&ids),
            86..=94 => self.handover(&ids, basic),
            95..=99 => Command::TimeoutNow { node: Target::Node(*self.pick(&ids)) },
            100..=109 => self.membership(sim),
            110..=113 => {
                let live: Vec<NodeId> = ids.iter().copied().filter(|id| !down.contains(id)).collect();
                match live.is_empty() {
                    true => self.write(),
                    false => Command::Snapshot { node: Target::Node(*self.pick(&live)) },
                }
            }
            _ => self.control_plane(&ids),
        }
    }

    fn write(&mut self) -> Command {
        self.writes += 1;
        Command::Write { value: format!("k{}={}", self.writes % 7, self.writes), node: None }
    }

    fn network(&mut self, ids: &[NodeId]) -> Command {
        let drop = self.rng.range_inclusive(0, 10) as f64 / 100.0;
        let duplicate = self.rng.range_inclusive(0, 5) as f64 / 100.0;
        let high = self.rng.range_inclusive(1, 8);
        // Half the time one link only: a slow or lossy link among healthy
        // ones.
        let (a, b) = (*self.pick(ids), *self.pick(ids));
        let link = (a != b && self.rng.range_inclusive(0, 1) == 0).then_some((a, b));
        Command::SetNetwork {
            from: link.map(|(a, _)| Target::Node(a)),
            to: link.map(|(_, b)| Target::Node(b)),
            one_way: false,
            delay_ticks: Some([1, high]),
            drop: Some(drop),
            duplicate: Some(duplicate),
        }
    }

    /// A failover of either mode, or (unless `basic`) a plain transfer,
    /// which may redirect or cancel one under way.
    fn handover(&mut self, ids: &[NodeId], basic: bool) -> Command {
        let to = Target::Node(*self.pick(ids));
        match self.rng.range_inclusive(u64::from(basic), 2) {
            0 => Command::Transfer { to },
            kind => {
                let mode = if kind == 1 { FailoverMode::Coordinated } else { FailoverMode::Force };
                let deadline_ticks = Some(self.rng.range_inclusive(0, 40));
                Command::Failover { to, mode, deadline_ticks }
            }
        }
    }

    /// Adds a data member (a learner, or now and then straight in as a
    /// voter) or a witness, removes a member, or starts a joint change,
    /// which may leave the leader out.
    fn membership(&mut self, sim: &Sim) -> Command {
        let Some(config) = sim.leader().and_then(|l| sim.node(l)).map(|n| n.membership().clone()) else {
            return self.write();
        };
        let members: Vec<NodeId> = config.members().into_iter().collect();
        let next_id = sim.nodes().keys().max().copied().unwrap_or(0) + 1;
        let room = sim.nodes().len() < MAX_CAMPAIGN_NODES;
        match self.rng.range_inclusive(0, 3) {
            0 if room => {
                let (kind, state) = match self.rng.range_inclusive(0, 3) {
                    0 => (MemberKind::Witness, VotingState::Voting),
                    1 => (MemberKind::Data, VotingState::Voting),
                    _ => (MemberKind::Data, VotingState::CatchingUp),
                };
                Command::AddServer { node: next_id, kind: Some(kind), state: Some(state) }
            }
            0 | 1 => Command::RemoveServer { node: Target::Node(*self.pick(&members)) },
            _ => {
                // A random subset of the members, never empty.
                let mut voters: Vec<NodeId> = members.iter().copied().filter(|_| self.chance(60)).collect();
                if voters.is_empty() {
                    voters.push(*self.pick(&members));
                }
                Command::ChangeVoters { voters }
            }
        }
    }

    /// A control-plane append: ownership moves with a fresh epoch, now and
    /// then a stale one (which the leader must refuse), admits and leader
    /// records.
    fn control_plane(&mut self, ids: &[NodeId]) -> Command {
        let entry = match self.rng.range_inclusive(0, 5) {
            0 => CpEntry::Admit(*self.pick(ids)),
            1 => CpEntry::LeaderConfig { term: self.rng.range_inclusive(1, 20), leader: *self.pick(ids) },
            r => {
                let k = (r % 2) as usize;
                let stale = self.epochs[k] > 1 && self.chance(15);
                let epoch = if stale {
                    self.epochs[k] - 1
                } else {
                    self.epochs[k] += 1;
                    self.epochs[k]
                };
                CpEntry::Ownership { range: RANGES[k].to_string(), owner: *self.pick(ids), epoch }
            }
        };
        Command::CpAppend { entry, node: None }
    }
}
