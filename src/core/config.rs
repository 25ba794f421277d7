//! Node configuration and its validation (PROTOCOL.md §2).

use serde::Serialize;

use super::entry::NodeId;
use super::error::Error;
use super::membership::{Member, MemberKind, Membership};

/// The teaching switches of PROTOCOL.md §10. All on by default; each one
/// turned off disables exactly one safety mechanism.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Switches {
    /// Dry-run probes before a real election (Raft thesis §9.6).
    pub pre_vote: bool,
    /// Voters that heard from a live leader refuse non-forced requests.
    pub stickiness: bool,
    /// A leader without a quorum of contact steps down (thesis §6.2).
    pub check_quorum: bool,
    /// The granted vote is persisted (off: kept in memory only).
    pub durable_vote: bool,
    /// Only entries of the leader's term commit by counting (Raft §5.4.2).
    pub current_term_commit: bool,
    /// The watermark rule and the log-up-to-date check (Raft §5.4.1).
    pub log_guards: bool,
    /// The watermark rule alone.
    pub watermark_rule: bool,
    /// A forced handover still obeys the vote rule.
    pub force_respects_vote_rule: bool,
}

impl Default for Switches {
    fn default() -> Switches {
        Switches {
            pre_vote: true,
            stickiness: true,
            check_quorum: true,
            durable_vote: true,
            current_term_commit: true,
            log_guards: true,
            watermark_rule: true,
            force_respects_vote_rule: true,
        }
    }
}

impl Switches {
    /// The switch names, as scenario files and the CLI spell them.
    pub const NAMES: [&'static str; 8] = [
        "pre_vote",
        "stickiness",
        "check_quorum",
        "durable_vote",
        "current_term_commit",
        "log_guards",
        "watermark_rule",
        "force_respects_vote_rule",
    ];

    /// True when every switch that guards safety is on: with these on, a
    /// committed entry is never lost or overwritten (leader completeness),
    /// whatever the liveness switches (`pre_vote`, `stickiness`,
    /// `check_quorum`) and the redundant `watermark_rule` say. The core
    /// relies on it, and asserts it, only then.
    pub fn keep_committed_safe(&self) -> bool {
        self.durable_vote && self.current_term_commit && self.log_guards && self.force_respects_vote_rule
    }

    /// A mutable reference to the switch called `name`, if there is one.
    pub fn by_name_mut(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "pre_vote" => &mut self.pre_vote,
            "stickiness" => &mut self.stickiness,
            "check_quorum" => &mut self.check_quorum,
            "durable_vote" => &mut self.durable_vote,
            "current_term_commit" => &mut self.current_term_commit,
            "log_guards" => &mut self.log_guards,
            "watermark_rule" => &mut self.watermark_rule,
            "force_respects_vote_rule" => &mut self.force_respects_vote_rule,
            _ => return None,
        })
    }
}

/// The longest timeout a configuration may ask for, in ticks: far beyond
/// any sensible setting, and small enough that tick arithmetic never
/// overflows.
pub const MAX_TICKS: u64 = 1_000_000;

/// Everything a node needs to start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Config {
    /// This node's id.
    pub id: NodeId,
    /// What this node stores, fixed for its whole life: a witness never
    /// applies, snapshots or installs data, whatever configuration it sees
    /// (one that has not reached it yet, or one that removed it).
    /// `Config::new` takes it from `members` when the node is listed there;
    /// a node that joins later is told its kind by its host.
    pub kind: MemberKind,
    /// The initial membership, the same on every node. A node not listed
    /// starts outside the cluster and learns its membership from the leader.
    pub members: Vec<Member>,
    /// Lower bound of the randomized election timeout, in ticks.
    pub election_ticks_min: u64,
    /// Upper bound of the randomized election timeout, in ticks.
    pub election_ticks_max: u64,
    /// Leader heartbeat interval, in ticks.
    pub heartbeat_ticks: u64,
    /// Most entries in one append message.
    pub max_batch: usize,
    /// Most append messages in flight to one follower while streaming.
    pub max_inflight: usize,
    /// Applied entries beyond the snapshot before a snapshot hint; 0 is off.
    pub snapshot_threshold: u64,
    /// Seed of this node's random generator.
    pub seed: u64,
    /// The teaching switches.
    pub switches: Switches,
    /// The Raft paper's timer rule (Figure 2) instead of etcd's: the
    /// election timer restarts only when the node hears the current leader
    /// or grants a vote, not whenever it steps down (a higher term, a lost
    /// election). Off by default; the Figure 16 testbed turns it on.
    #[serde(default)]
    pub paper_timer: bool,
}

impl Config {
    /// A configuration with the documented defaults: election timeout
    /// `[10, 20]`, heartbeat 3, batches of 64, snapshots off.
    pub fn new(id: NodeId, members: Vec<Member>) -> Config {
        let kind = members.iter().find(|m| m.id == id).map_or(MemberKind::Data, |m| m.kind);
        Config {
            id,
            kind,
            members,
            election_ticks_min: 10,
            election_ticks_max: 20,
            heartbeat_ticks: 3,
            max_batch: 64,
            max_inflight: 64,
            snapshot_threshold: 0,
            seed: 0,
            switches: Switches::default(),
            paper_timer: false,
        }
    }

    /// Checks every field and returns the initial membership.
    pub fn validate(&self) -> Result<Membership, Error> {
        if self.id == 0 {
            return Err(Error::config("id", "node ids start at 1"));
        }
        if self.election_ticks_min == 0 {
            return Err(Error::config("election_ticks_min", "must be at least 1"));
        }
        if self.election_ticks_min > self.election_ticks_max {
            return Err(Error::config(
                "election_ticks_min",
                format!("{} exceeds election_ticks_max {}", self.election_ticks_min, self.election_ticks_max),
            ));
        }
        if self.election_ticks_max > MAX_TICKS {
            return Err(Error::config(
                "election_ticks_max",
                format!("{} exceeds the limit of {MAX_TICKS} ticks", self.election_ticks_max),
            ));
        }
        if self.heartbeat_ticks == 0 || self.heartbeat_ticks.saturating_mul(2) > self.election_ticks_min {
            return Err(Error::config(
                "heartbeat_ticks",
                format!(
                    "{} must be at least 1 and at most half of election_ticks_min {}",
                    self.heartbeat_ticks, self.election_ticks_min
                ),
            ));
        }
        if self.max_batch == 0 {
            return Err(Error::config("max_batch", "must be greater than 0"));
        }
        if self.max_inflight == 0 {
            return Err(Error::config("max_inflight", "must be greater than 0"));
        }
        let membership = Membership::from_members(&self.members)?;
        if self.members.iter().any(|m| m.id == self.id && m.kind != self.kind) {
            return Err(Error::config("kind", "differs from this node's kind in members"));
        }
        Ok(membership)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Config {
        Config::new(1, vec![Member::data(1), Member::data(2), Member::witness(3)])
    }

    type Mutation = fn(&mut Config);

    #[test]
    fn each_invalid_field_is_named() {
        let cases: Vec<(Mutation, &str)> = vec![
            (|c| c.election_ticks_min = 30, "election_ticks_min"),
            (|c| c.heartbeat_ticks = 6, "heartbeat_ticks"),
            (|c| c.heartbeat_ticks = 0, "heartbeat_ticks"),
            (|c| c.max_batch = 0, "max_batch"),
            (|c| c.id = 0, "id"),
            (|c| c.members.push(Member::data(2)), "members[3].id"),
            (|c| c.members = vec![Member::witness(1)], "members"),
        ];
        for (mutate, field) in cases {
            let mut c = base();
            mutate(&mut c);
            match c.validate() {
                Err(Error::Config { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected an error on {field}, got {other:?}"),
            }
        }
        assert!(base().validate().is_ok());
        let mut equal = base();
        equal.election_ticks_max = equal.election_ticks_min;
        assert!(equal.validate().is_ok(), "equal bounds mean no randomness, which is allowed");
    }
}
