//! The `messages` script command (SCENARIO.md, Version 2): drop, duplicate,
//! hold, release and deliver messages that match a filter; each action is
//! visible in the trace, and bad values get field-path errors.

use quorumscope::scenario::parse;
use quorumscope::sim::{MessageAction, TraceBody, TraceEvent};

fn scenario(script: &str) -> String {
    format!(
        r#"{{"seed": 5, "cluster": {{"members": [{{"id": 1}}, {{"id": 2}}, {{"id": 3}}],
            "election_ticks": [10, 20], "network": {{"delay_ticks": [2, 2]}}}},
            "script": {script}, "run_until": 120}}"#
    )
}

fn trace_of(text: &str) -> Vec<TraceEvent> {
    let s = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = s.build().unwrap();
    let events = sim.run_until_tick(s.run_until, 100_000);
    assert_eq!(sim.violations(), 0);
    events
}

/// Node 1's append replies to the leader (node 3, for this seed) are held
/// from tick 40 to tick 80: the leader hears nothing from it meanwhile,
/// writes still commit with node 2, and once released the replies arrive.
#[test]
fn held_replies_wait_until_released() {
    let text = scenario(
        r#"[{"at": 40, "do": "messages", "action": "hold", "from": 1, "to": "leader", "msg": "append_reply"},
            {"at": 45, "do": "write", "value": "x=1"},
            {"at": 80, "do": "messages", "action": "release", "from": 1}]"#,
    );
    let trace = trace_of(&text);
    let held: Vec<u64> = trace
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::MessageHeld { from: 1, to: 3, seq, .. } => Some(seq),
            _ => None,
        })
        .collect();
    assert!(!held.is_empty(), "replies sent while the hold stands are held");
    let delivered_at = |seq| {
        trace.iter().find_map(|e| match e.body {
            TraceBody::MessageDelivered { seq: s, .. } if s == seq => Some(e.tick),
            _ => None,
        })
    };
    for seq in &held {
        let tick = delivered_at(*seq).expect("delivered once released");
        assert!(tick >= 80, "held message {seq} delivered at tick {tick}");
    }
    assert!(trace.iter().any(|e| matches!(e.body, TraceBody::MessageReleased { from: 1, .. })));
    assert!(trace.iter().any(|e| matches!(e.body, TraceBody::WriteAcked { .. })), "a quorum without node 1");
    // Replies sent after the release are no longer held.
    let last_hold =
        trace.iter().filter(|e| matches!(e.body, TraceBody::MessageHeld { .. })).map(|e| e.tick).max();
    assert!(last_hold.unwrap() < 80);
}

#[test]
fn drop_loses_what_is_in_flight_and_the_next_count_sent() {
    let text = scenario(
        r#"[{"at": 50, "do": "messages", "action": "drop", "from": "leader", "msg": "append", "count": 4}]"#,
    );
    let trace = trace_of(&text);
    let dropped: Vec<&TraceEvent> = trace
        .iter()
        .filter(|e| matches!(&e.body, TraceBody::MessageDropped { cause, msg, .. } if cause == "script" && msg.name() == "append"))
        .collect();
    let in_flight_at_50 = dropped.iter().filter(|e| e.tick == 50).count();
    assert_eq!(dropped.len() - in_flight_at_50, 4, "then exactly the next 4 sent: {dropped:?}");
    assert!(dropped.iter().all(|e| e.text.to_string().contains("the scenario drops it")));
}

#[test]
fn deliver_sends_held_messages_now_in_send_order() {
    // Hold every vote request from the start, then deliver node 2's.
    let text = scenario(
        r#"[{"at": 0, "do": "messages", "action": "hold", "msg": "vote"},
            {"at": 60, "do": "messages", "action": "deliver", "to": 2}]"#,
    );
    let trace = trace_of(&text);
    let delivered: Vec<(u64, u64)> = trace
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::MessageDelivered { to: 2, seq, msg, .. } if msg.name() == "vote" => {
                Some((e.tick, seq))
            }
            _ => None,
        })
        .collect();
    assert!(!delivered.is_empty(), "held votes to node 2 are delivered");
    assert!(delivered.iter().all(|(tick, _)| *tick == 60), "{delivered:?}");
    assert!(delivered.windows(2).all(|w| w[0].1 < w[1].1), "in send order: {delivered:?}");
    // No vote reached node 1 or 3: their requests are still held.
    assert!(!trace.iter().any(
        |e| matches!(e.body, TraceBody::MessageDelivered { to, msg, .. } if to != 2 && msg.name() == "vote")
    ));
}

#[test]
fn duplicate_copies_what_is_in_flight() {
    let text = scenario(r#"[{"at": 50, "do": "messages", "action": "duplicate", "msg": "append"}]"#);
    let trace = trace_of(&text);
    let copies = trace
        .iter()
        .filter(|e| e.tick == 50 && matches!(e.body, TraceBody::MessageDuplicated { .. }))
        .count();
    assert!(copies > 0);
}

#[test]
fn bad_messages_commands_name_the_field() {
    let cases = [
        (r#"{"at": 1, "do": "messages"}"#, "script[0].action: missing"),
        (r#"{"at": 1, "do": "messages", "action": "smash"}"#, "script[0].action: unknown action \"smash\""),
        (
            r#"{"at": 1, "do": "messages", "action": "drop", "msg": "apend"}"#,
            "script[0].msg: unknown kind of message",
        ),
        (
            r#"{"at": 1, "do": "messages", "action": "hold", "count": 2}"#,
            "script[0].count: only drop takes a count",
        ),
        (r#"{"at": 1, "do": "messages", "action": "drop", "count": -1}"#, "script[0].count:"),
        (
            r#"{"at": 1, "do": "messages", "action": "release", "nth": 0}"#,
            "script[0].nth: hold and release act on every match",
        ),
        (r#"{"at": 1, "do": "messages", "action": "drop", "from": 9}"#, "script[0].from: node 9"),
    ];
    for (step, want) in cases {
        let e = parse(&scenario(&format!("[{step}]"))).expect_err(step);
        assert!(e.starts_with(want), "{step}: got {e:?}, want {want:?}");
    }
}

#[test]
fn every_action_survives_a_round_trip() {
    for action in MessageAction::ALL {
        let name = quorumscope::json::to_string(&action).unwrap();
        let count = match action {
            MessageAction::Drop => r#", "count": 2"#,
            MessageAction::Hold | MessageAction::Release => "",
            _ => r#", "nth": 1"#,
        };
        let text = scenario(&format!(
            r#"[{{"at": 3, "do": "messages", "action": {name}, "from": "leader", "to": 2, "msg": "append_reply"{count}}}]"#
        ));
        let s = parse(&text).unwrap();
        assert_eq!(parse(&s.to_json()).unwrap(), s, "{name}");
    }
}

/// `nth` (beyond SCENARIO.md, what the model checker writes) acts on one
/// message only: the nth match from 0 in send order, held ones included for
/// `deliver`; a position past the matches skips the command with a reason.
#[test]
fn nth_delivers_one_message_in_send_order() {
    let text = scenario(
        r#"[{"at": 0, "do": "messages", "action": "hold", "msg": "vote"},
            {"at": 60, "do": "messages", "action": "deliver", "msg": "vote", "nth": 1},
            {"at": 61, "do": "messages", "action": "deliver", "msg": "vote", "nth": 1000}]"#,
    );
    let trace = trace_of(&text);
    let mut held: Vec<u64> = trace
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::MessageHeld { seq, .. } if e.tick < 60 => Some(seq),
            _ => None,
        })
        .collect();
    held.sort_unstable();
    assert!(held.len() >= 2, "votes held before tick 60: {held:?}");
    let delivered: Vec<u64> = trace
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::MessageDelivered { seq, msg, .. } if msg.name() == "vote" => Some(seq),
            _ => None,
        })
        .collect();
    assert_eq!(delivered, vec![held[1]], "only the second held vote, by sequence number");
    let skipped = trace.iter().find_map(|e| match &e.body {
        TraceBody::CommandSkipped { reason, .. } if e.tick == 61 => Some(reason.clone()),
        _ => None,
    });
    assert!(skipped.as_ref().is_some_and(|r| r.contains("no match number 1000")), "{skipped:?}");
}

/// The picture's state lists held messages apart from those in flight
/// (the page draws them waiting at their sender), and empties the list on
/// release.
#[test]
fn the_view_lists_held_messages_until_released() {
    let text = scenario(
        r#"[{"at": 40, "do": "messages", "action": "hold", "from": 1, "msg": "append_reply"},
            {"at": 80, "do": "messages", "action": "release", "from": 1}]"#,
    );
    let s = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = s.build().unwrap();
    sim.run_until_tick(60, 100_000);
    let held = quorumscope::sim::view(&sim).held;
    assert!(!held.is_empty(), "node 1's replies wait");
    assert!(held.iter().all(|m| m.from == 1 && m.kind == "append_reply"));
    let view = quorumscope::sim::view(&sim);
    assert!(view.messages.iter().all(|m| !held.iter().any(|h| h.seq == m.seq)), "not also in flight");
    sim.run_until_tick(81, 100_000);
    assert!(quorumscope::sim::view(&sim).held.is_empty());
}

/// Each step of a run: the tick before it, the tick after it, its events.
fn stepped(s: &quorumscope::scenario::Scenario) -> Vec<(u64, u64, Vec<TraceEvent>)> {
    let mut sim = s.build().unwrap_or_else(|e| panic!("{e}"));
    let mut steps = Vec::new();
    while sim.now() < s.run_until {
        let before = sim.now();
        let events = sim.step();
        steps.push((before, sim.now(), events));
    }
    steps
}

/// Deliveries in a step's events (a message lost at its receiver counts:
/// the network's delivery of it is a step too).
fn deliveries(events: &[TraceEvent]) -> usize {
    events
        .iter()
        .filter(|e| match &e.body {
            TraceBody::MessageDelivered { .. } => true,
            TraceBody::MessageDropped { cause, .. } => cause != "script",
            _ => false,
        })
        .count()
}

/// SCENARIO.md: one step is one tick or one message delivery, and a
/// scripted `deliver` is a delivery. Two at one tick are two steps, each
/// with its own delivery, and the clock stands until the last; a command
/// that delivers nothing (the crash, the restart) runs at the start of the
/// step it falls in. Before, the whole tick's script was one step: the
/// page's tour then showed the picture after all of it at every moment.
#[test]
fn each_scripted_delivery_is_a_step_of_its_own() {
    // Messages wait until the script delivers them; every timer fires at
    // tick 2 (the model checker's cluster).
    let text = r#"{"seed": 0, "cluster": {"members": [{"id": 1}, {"id": 2}, {"id": 3}],
        "election_ticks": [2, 2], "heartbeat_ticks": 1, "max_batch": 1,
        "network": {"delay_ticks": [10000, 10000]}},
        "script": [
          {"at": 2, "do": "crash", "node": 3},
          {"at": 2, "do": "messages", "action": "deliver", "msg": "vote", "nth": 0},
          {"at": 2, "do": "messages", "action": "deliver", "from": 1, "to": 2, "msg": "probe", "nth": 0},
          {"at": 2, "do": "messages", "action": "deliver", "from": 2, "to": 1, "msg": "probe", "nth": 0},
          {"at": 2, "do": "restart", "node": 3}],
        "run_until": 4}"#;
    let steps = stepped(&parse(text).unwrap_or_else(|e| panic!("{e}")));
    let step_of = |pred: &dyn Fn(&TraceBody) -> bool| {
        let at = steps.iter().position(|(_, _, events)| events.iter().any(|e| pred(&e.body)));
        at.unwrap_or_else(|| panic!("no such event: {steps:?}"))
    };
    let crash = step_of(&|b| matches!(b, TraceBody::Crash { node: 3 }));
    let first = step_of(&|b| matches!(b, TraceBody::MessageDelivered { from: 1, to: 2, .. }));
    let second = step_of(&|b| matches!(b, TraceBody::MessageDelivered { from: 2, to: 1, .. }));
    let restart = step_of(&|b| matches!(b, TraceBody::Restart { node: 3 }));
    // No vote is in flight yet: that `deliver` delivers nothing, so it is
    // no step of its own.
    let skipped = step_of(&|b| matches!(b, TraceBody::CommandSkipped { .. }));
    // Steps 0 and 1 tick to 2, where the timers send the probes.
    assert_eq!(
        (crash, skipped, first, second, restart),
        (2, 2, 2, 3, 4),
        "crash, a delivery of nothing and the first delivery; the second; the restart"
    );
    for (i, (before, after, events)) in steps.iter().enumerate() {
        assert!(deliveries(events) <= 1, "step {i} delivers {}", deliveries(events));
        assert!(events.iter().all(|e| e.step == i as u64), "step {i}'s events carry its number");
        let ticked = after > before;
        assert!(!(ticked && deliveries(events) > 0), "step {i} both ticks and delivers");
    }
    // The clock stands through both deliveries; the restart's step ticks.
    assert_eq!(steps[2].1..=steps[3].1, 2..=2);
    assert_eq!((steps[3].1, steps[4].0, steps[4].1), (2, 2, 3), "tick 3 after the last delivery");
}

/// The rule moves no step of a run without scripted deliveries: every
/// step still ticks or delivers one message, and the library's
/// leader-crash (a write, a crash and a restart on the script) keeps the
/// step numbers of its golden trace (`tests/testdata`, older than the
/// rule): the crash in step 240, the restart in step 557.
#[test]
fn commands_that_deliver_nothing_keep_their_step() {
    let s = quorumscope::scenario::builtin("leader-crash").expect("built in");
    assert!(!s.to_json().contains("\"deliver\""), "no scripted delivery");
    let steps = stepped(&s);
    for (i, (before, after, events)) in steps.iter().enumerate() {
        let ticked = *after == before + 1;
        assert!(ticked != (deliveries(events) == 1), "step {i}: one tick or one delivery, {events:?}");
    }
    let step_of =
        |kind: &str| steps.iter().position(|(_, _, events)| events.iter().any(|e| e.body.kind() == kind));
    assert_eq!((step_of("crash"), step_of("restart")), (Some(240), Some(557)));
}
