//! Each teaching switch turned off, one at a time, to show why the
//! mechanism exists (PROTOCOL.md §10), then the shortest run the model
//! checker finds for each unsafe switch (`*-found`).

/// (name, file) pairs.
pub const SWITCHES_OFF: &[(&str, &str)] = &[
    ("pre-vote-off", include_str!("pre-vote-off.json")),
    ("stickiness-off", include_str!("stickiness-off.json")),
    ("check-quorum-off", include_str!("check-quorum-off.json")),
    ("durable-vote-off", include_str!("durable-vote-off.json")),
    ("current-term-commit-off", include_str!("current-term-commit-off.json")),
    ("log-guards-off", include_str!("log-guards-off.json")),
    ("watermark-rule-off", include_str!("watermark-rule-off.json")),
    ("force-vote-rule-off", include_str!("force-vote-rule-off.json")),
    // The model checker's shortest runs (`quorumscope explore`), one per
    // unsafe switch, each with the command that finds it in its `explain`.
    ("durable-vote-found", include_str!("durable-vote-found.json")),
    ("current-term-commit-found", include_str!("current-term-commit-found.json")),
    ("log-guards-found", include_str!("log-guards-found.json")),
    ("force-vote-rule-found", include_str!("force-vote-rule-found.json")),
];
