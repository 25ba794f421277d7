//! Trace version 2 reads back: every new field and kind survives export and
//! import exactly, and a version 1 line (without them) still imports.

use quorumscope::core::{CommitRule, MessageContents, Payload};
use quorumscope::scenario::parse;
use quorumscope::sim::{export_json_lines, import_json_lines, EntryFacts, TraceBody, TraceEvent};

/// A run that shows every new field: a witness (elided entries), a learner
/// added by configuration, a control-plane entry, a snapshot sent to a
/// lagging node, held and released replies, rejections, probes and votes.
const SHOWCASE: &str = r#"{
  "seed": 11,
  "cluster": {"members": [{"id": 1}, {"id": 2}, {"id": 3, "kind": "witness"}], "snapshot_threshold": 5},
  "script": [
    {"at": 30, "do": "crash", "node": 1},
    {"at": 32, "do": "write", "value": "a=1"},
    {"at": 34, "do": "write", "value": "b=2"},
    {"at": 36, "do": "write", "value": "c=3"},
    {"at": 38, "do": "write", "value": "d=4"},
    {"at": 40, "do": "write", "value": "e=5"},
    {"at": 42, "do": "write", "value": "f=6"},
    {"at": 50, "do": "restart", "node": 1},
    {"at": 60, "do": "messages", "action": "hold", "from": 3, "msg": "append_reply"},
    {"at": 70, "do": "messages", "action": "release"},
    {"at": 80, "do": "add_server", "node": 4},
    {"at": 90, "do": "cp_append", "entry": {"admit": 4}}
  ],
  "run_until": 160
}"#;

fn showcase() -> Vec<TraceEvent> {
    let s = parse(SHOWCASE).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = s.build().unwrap();
    sim.run_until_tick(s.run_until, 100_000)
}

#[test]
fn every_new_field_and_kind_survives_a_round_trip() {
    let trace = showcase();
    let back = import_json_lines(&export_json_lines(&trace)).expect("round trip");
    assert_eq!(back, trace);
    let has = |f: &dyn Fn(&TraceBody) -> bool| trace.iter().any(|e| f(&e.body));
    let sent = |want: fn(&MessageContents) -> bool| {
        has(&|b| matches!(b, TraceBody::MessageSent { contents, .. } if want(contents)))
    };
    assert!(sent(|c| matches!(c, MessageContents::Append { .. })));
    assert!(sent(|c| matches!(c, MessageContents::AppendAccepted { .. })));
    assert!(sent(|c| matches!(c, MessageContents::AppendRejected { .. })));
    assert!(sent(|c| matches!(c, MessageContents::Ask { .. })));
    assert!(sent(|c| matches!(c, MessageContents::Snapshot { .. })));
    assert!(sent(|c| matches!(c, MessageContents::Plain)));
    let entry = |want: fn(&Payload) -> bool| {
        has(&|b| matches!(b, TraceBody::EntryAppended { entry: Some(EntryFacts(p)), .. } if want(p)))
    };
    assert!(entry(|p| matches!(p, Payload::Noop)));
    assert!(entry(|p| matches!(p, Payload::Write(_))));
    assert!(entry(|p| matches!(p, Payload::Elided)), "a witness stores metadata only");
    assert!(entry(|p| matches!(p, Payload::Config(_))));
    assert!(entry(|p| matches!(p, Payload::ControlPlane(_))));
    assert!(has(&|b| matches!(
        b,
        TraceBody::CommitAdvanced { rule: Some(CommitRule::CurrentTerm { .. }), .. }
    )));
    assert!(has(&|b| matches!(b, TraceBody::CommitAdvanced { rule: Some(CommitRule::Leader), .. })));
    assert!(has(&|b| matches!(b, TraceBody::ProgressChanged { .. })));
    assert!(has(&|b| matches!(b, TraceBody::MessageHeld { .. })));
    assert!(has(&|b| matches!(b, TraceBody::MessageReleased { .. })));
    assert!(has(&|b| matches!(b, TraceBody::VoteGranted { asked_term: Some(_), log: Some(_), .. })));
}

#[test]
fn a_version_1_line_still_imports_without_the_new_fields() {
    let v1 = r#"{"step":3,"tick":2,"kind":"commit_advanced","node":1,"index":2,"text":"t"}
{"step":3,"tick":2,"kind":"entry_appended","node":1,"index":2,"term":1,"text":"t"}
{"step":3,"tick":2,"kind":"vote_granted","voter":1,"candidate":2,"term":1,"text":"t"}
{"step":3,"tick":2,"kind":"message_sent","from":1,"to":2,"msg":"append","term":1,"seq":4,"deliver_tick":5,"text":"t"}"#;
    let events = import_json_lines(v1).expect("version 1 imports");
    assert!(matches!(events[0].body, TraceBody::CommitAdvanced { rule: None, .. }));
    assert!(matches!(events[1].body, TraceBody::EntryAppended { entry: None, .. }));
    assert!(matches!(events[2].body, TraceBody::VoteGranted { asked_term: None, log: None, .. }));
    assert!(matches!(events[3].body, TraceBody::MessageSent { contents: MessageContents::Plain, .. }));
    // And writes back as it was.
    assert_eq!(export_json_lines(&events), format!("{v1}\n"));
}

#[test]
fn bad_new_fields_name_the_line_and_field() {
    let cases = [
        (
            r#"{"step":0,"tick":0,"kind":"commit_advanced","node":1,"index":2,"rule":"magic","text":"t"}"#,
            "line 1: event.rule: unknown rule",
        ),
        (
            r#"{"step":0,"tick":0,"kind":"commit_advanced","node":1,"index":2,"rule":"current_term","text":"t"}"#,
            "line 1: event.carried: missing",
        ),
        (
            r#"{"step":0,"tick":0,"kind":"entry_appended","node":1,"index":2,"term":1,"entry":{"kind":"blob"},"text":"t"}"#,
            "line 1: event.entry.kind: unknown kind",
        ),
        (
            r#"{"step":0,"tick":0,"kind":"progress_changed","leader":1,"follower":2,"state":"racing","match":0,"next":1,"text":"t"}"#,
            "line 1: event.state: unknown replication state",
        ),
    ];
    for (line, want) in cases {
        let e = import_json_lines(line).unwrap_err();
        assert!(e.starts_with(want), "got {e:?}, want {want:?}");
    }
}
