//! The fundamentals: elections, refusals, failures, handovers, membership,
//! snapshots and the control plane, with every safety mechanism on.
//!
//! Each file's teaching point is asserted from its trace in
//! `tests/scenarios_fundamentals.rs`.

/// (name, file) pairs, in the order a guided tour takes them.
pub const FUNDAMENTALS: &[(&str, &str)] = &[
    ("first-election", include_str!("first-election.json")),
    ("split-vote", include_str!("split-vote.json")),
    ("leader-crash", include_str!("leader-crash.json")),
    ("minority-partition", include_str!("minority-partition.json")),
    ("check-quorum", include_str!("check-quorum.json")),
    ("watermark-refusal", include_str!("watermark-refusal.json")),
    ("vote-from-disk", include_str!("vote-from-disk.json")),
    ("coordinated-failover", include_str!("coordinated-failover.json")),
    ("failover-aborted", include_str!("failover-aborted.json")),
    ("forced-failover-skip", include_str!("forced-failover-skip.json")),
    ("forced-failover-refused", include_str!("forced-failover-refused.json")),
    ("witness-tiebreaker", include_str!("witness-tiebreaker.json")),
    ("learner-promoted", include_str!("learner-promoted.json")),
    ("add-remove-server", include_str!("add-remove-server.json")),
    ("joint-consensus", include_str!("joint-consensus.json")),
    ("snapshot-catch-up", include_str!("snapshot-catch-up.json")),
    ("control-plane", include_str!("control-plane.json")),
    ("figure-7", include_str!("figure-7.json")),
    ("figure-8", include_str!("figure-8.json")),
    ("flow-control", include_str!("flow-control.json")),
];
