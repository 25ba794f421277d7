//! Each teaching switch turned off, one at a time, to show why the
//! mechanism exists (PROTOCOL.md §10).

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
    // The shortest run `quorumscope explore` finds. Native only for now:
    // it put the wasm module 0.3 KB gz over its budget (150 KB then).
    #[cfg(not(target_arch = "wasm32"))]
    ("durable-vote-found", include_str!("durable-vote-found.json")),
];
