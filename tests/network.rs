//! The network model: per-link conditions, one-way cuts, and a partition
//! that lets groups talk only among themselves.

use quorumscope::scenario;
use quorumscope::sim::{Command, Sim, SimConfig, Target, TraceBody, TraceEvent};

fn sends(events: &[TraceEvent], from: u64, to: u64) -> Vec<(u64, u64)> {
    events
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::MessageSent { from: f, to: t, deliver_tick, .. } if f == from && t == to => {
                Some((e.tick, deliver_tick))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_slow_link_delays_only_its_own_messages() {
    let mut sim = Sim::new(SimConfig::with_nodes(3, 5)).unwrap();
    let slow = Command::SetNetwork {
        from: Some(Target::Node(1)),
        to: Some(Target::Node(2)),
        one_way: true,
        delay_ticks: Some([40, 40]),
        drop: None,
        duplicate: None,
    };
    sim.command(&slow).unwrap();
    let events = sim.run_until_tick(200, 1_000_000);
    let slow_sends = sends(&events, 1, 2);
    assert!(!slow_sends.is_empty(), "node 1 sends to node 2");
    assert!(slow_sends.iter().all(|(at, arrives)| arrives - at == 40), "{slow_sends:?}");
    let back = sends(&events, 2, 1);
    assert!(back.iter().all(|(at, arrives)| (1..=3).contains(&(arrives - at))), "the reverse link keeps 1–3");
    assert!(sends(&events, 1, 3).iter().all(|(at, arrives)| (1..=3).contains(&(arrives - at))));
}

#[test]
fn a_one_way_cut_drops_one_direction_only() {
    let mut sim = Sim::new(SimConfig::with_nodes(3, 6)).unwrap();
    sim.command(&Command::Cut { from: Target::Node(1), to: Target::Node(2), one_way: true }).unwrap();
    let events = sim.run_until_tick(150, 1_000_000);
    let dropped = |from, to| {
        events.iter().any(|e| {
            matches!(&e.body, TraceBody::MessageDropped { from: f, to: t, cause, .. }
                if *f == from && *t == to && cause == "cut")
        })
    };
    let delivered = |from, to| {
        events.iter().any(
            |e| matches!(e.body, TraceBody::MessageDelivered { from: f, to: t, .. } if f == from && t == to),
        )
    };
    assert!(!delivered(1, 2), "nothing crosses the cut direction");
    assert!(dropped(1, 2) || sends(&events, 1, 2).is_empty());
    assert!(delivered(2, 1), "the other direction still works");
}

#[test]
fn set_network_needs_both_ends_or_neither() {
    let text = r#"{"cluster": {"members": [{"id": 1}, {"id": 2}]},
        "script": [{"at": 5, "do": "set_network", "from": 1, "drop": 0.5}]}"#;
    let err = scenario::parse(text).unwrap_err();
    assert!(err.starts_with("script[0]"), "{err}");
    let text = r#"{"cluster": {"members": [{"id": 1}, {"id": 2}]},
        "script": [{"at": 5, "do": "set_network", "from": 1, "to": 9, "drop": 0.5}]}"#;
    let err = scenario::parse(text).unwrap_err();
    assert!(err.starts_with("script[0].to"), "{err}");
}
