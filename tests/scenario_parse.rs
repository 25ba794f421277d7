//! Scenario files (SCENARIO.md) are a public interface: the contract's example
//! parses with every documented default, a bad file is rejected with an
//! error naming the field path, extra fields are ignored (except among the
//! switches), a scenario survives a round trip, and no input, however
//! mangled, makes the parser or the simulator behind it panic.

use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use quorumscope::core::rng::Rng;
use quorumscope::core::{CpEntry, Member, MemberKind, Switches, VotingState};
use quorumscope::scenario::{entries, parse, Scenario};
use quorumscope::sim::{Command, FailoverMode, NetworkConfig, Target, COMMAND_NAMES};
use serde_json::{json, Value};

/// The example of SCENARIO.md, verbatim.
const CONTRACT_EXAMPLE: &str = r#"{
  "title": "Watermark refusal",
  "explain": "Why a lagging replica cannot become leader.",
  "seed": 7,
  "cluster": {
    "members": [
      { "id": 1 },
      { "id": 2 },
      { "id": 3, "kind": "witness" },
      { "id": 4, "state": "catching_up" }
    ],
    "election_ticks": [10, 20],
    "heartbeat_ticks": 3,
    "max_batch": 64,
    "snapshot_threshold": 0,
    "network": { "delay_ticks": [1, 3], "drop": 0.0, "duplicate": 0.0 }
  },
  "switches": { "pre_vote": false },
  "script": [
    { "at": 30, "do": "write", "value": "x=1" },
    { "at": 40, "do": "crash", "node": 2 },
    { "at": 90, "do": "restart", "node": 2 }
  ],
  "run_until": 400
}"#;

/// Every command of the contract, each form of control-plane entry, every
/// optional field.
const EVERY_COMMAND: &str = r#"{
  "title": "Every command",
  "seed": 3,
  "cluster": {
    "members": [
      { "id": 1 }, { "id": 2 }, { "id": 3 },
      { "id": 4, "kind": "witness" }, { "id": 5, "kind": "data", "state": "catching_up" }
    ],
    "election_ticks": [12, 24], "heartbeat_ticks": 4, "max_batch": 8, "snapshot_threshold": 20,
    "network": { "delay_ticks": [1, 4], "drop": 0.05, "duplicate": 0.05 }
  },
  "switches": { "pre_vote": true, "stickiness": false, "check_quorum": true },
  "script": [
    { "at": 30, "do": "write", "value": "x=1" },
    { "at": 31, "do": "write", "value": "y=2", "node": 2 },
    { "at": 32, "do": "write", "value": "z=3", "node": "leader" },
    { "at": 35, "do": "cp_append", "entry": { "admit": 7 } },
    { "at": 36, "do": "cp_append", "entry": { "ownership": { "range": "users:[0,1000)", "owner": 7, "epoch": 1 } },
      "node": "leader" },
    { "at": 37, "do": "cp_append", "entry": { "remove": 7 } },
    { "at": 38, "do": "cp_append", "entry": { "leader_config": { "term": 2, "leader": 1 } } },
    { "at": 40, "do": "snapshot", "node": "leader" },
    { "at": 45, "do": "add_server", "node": 6 },
    { "at": 46, "do": "add_server", "node": 7, "kind": "witness", "state": "voting" },
    { "at": 60, "do": "change_voters", "voters": [1, 2, 3, 6, 7] },
    { "at": 80, "do": "transfer", "to": 2 },
    { "at": 100, "do": "failover", "to": 3, "mode": "coordinated", "deadline_ticks": 30 },
    { "at": 130, "do": "failover", "to": 1, "mode": "force" },
    { "at": 150, "do": "crash", "node": 2 },
    { "at": 151, "do": "crash", "node": "leader", "after_persist": true },
    { "at": 160, "do": "restart", "node": 2 },
    { "at": 170, "do": "partition", "groups": [[1, 2], [3, 4, 5]] },
    { "at": 180, "do": "heal" },
    { "at": 185, "do": "cut", "from": 1, "to": 2, "one_way": true },
    { "at": 190, "do": "timeout_now", "node": 3 },
    { "at": 200, "do": "remove_server", "node": 5 },
    { "at": 210, "do": "set_network", "delay_ticks": [1, 2], "drop": 0.0, "duplicate": 0.1 }
  ],
  "run_until": 260,
  "pauses": [
    { "at": 30, "caption": "A write." },
    { "on": "leader_elected", "node": 1, "caption": "A leader." }
  ]
}"#;

fn ok(text: &str) -> Scenario {
    parse(text).unwrap_or_else(|e| panic!("expected this file to parse, got `{e}`:\n{text}"))
}

// ---- The contract's example and its defaults --------------------------------

#[test]
fn the_contract_example_parses_as_written() {
    let s = ok(CONTRACT_EXAMPLE);
    assert_eq!(s.title, "Watermark refusal");
    assert_eq!(s.seed, 7);
    assert_eq!(
        s.cluster.members,
        vec![
            Member::data(1),
            Member::data(2),
            Member { id: 3, kind: MemberKind::Witness, state: VotingState::Voting },
            Member { id: 4, kind: MemberKind::Data, state: VotingState::CatchingUp },
        ]
    );
    assert!(!s.switches.pre_vote);
    assert_eq!(s.switches, Switches { pre_vote: false, ..Switches::default() });
    assert_eq!(s.script.len(), 3);
    assert_eq!(s.script[1].at, 40);
    assert_eq!(s.script[1].command, Command::Crash { node: Target::Node(2), after_persist: false });
    assert_eq!(s.script[0].command, Command::Write { value: "x=1".into(), node: None });
    assert_eq!(s.run_until, 400);
    assert!(s.build().is_ok());
}

#[test]
fn absent_fields_take_the_documented_defaults() {
    let s = ok(r#"{ "cluster": { "members": [{ "id": 1 }, { "id": 2, "kind": "witness" }, { "id": 3 }] } }"#);
    assert_eq!(s.cluster.members[0], Member::data(1));
    assert_eq!(s.cluster.members[1].state, VotingState::Voting);
    assert_eq!(s.cluster.election_ticks, [10, 20]);
    assert_eq!(s.cluster.heartbeat_ticks, 3);
    assert_eq!(s.cluster.max_batch, 64);
    assert_eq!(s.cluster.snapshot_threshold, 0);
    assert_eq!(s.cluster.network, NetworkConfig { delay_ticks: [1, 3], drop: 0.0, duplicate: 0.0 });
    let every_switch_on = Switches {
        pre_vote: true,
        stickiness: true,
        check_quorum: true,
        durable_vote: true,
        current_term_commit: true,
        log_guards: true,
        watermark_rule: true,
        force_respects_vote_rule: true,
    };
    assert_eq!(s.switches, every_switch_on);
    assert_eq!(s.run_until, 300);
    assert_eq!((s.seed, s.title.as_str(), s.explain.as_str()), (0, "", ""));
    assert!(s.script.is_empty() && s.pauses.is_empty());
}

#[test]
fn null_reads_as_absent_for_optional_fields() {
    let with_nulls =
        ok(r#"{ "title": null, "seed": null, "switches": null, "run_until": null, "pauses": null,
        "cluster": { "members": [{ "id": 1, "kind": null, "state": null }], "election_ticks": null,
                     "network": { "delay_ticks": null, "drop": null } },
        "script": [{ "at": 5, "do": "write", "value": "v", "node": null },
                   { "at": 6, "do": "crash", "node": 1, "after_persist": null }] }"#);
    let without = ok(r#"{ "cluster": { "members": [{ "id": 1 }], "network": {} },
        "script": [{ "at": 5, "do": "write", "value": "v" }, { "at": 6, "do": "crash", "node": 1 }] }"#);
    assert_eq!(with_nulls, without);
}

#[test]
fn every_command_of_the_contract_parses_and_runs() {
    let s = ok(EVERY_COMMAND);
    assert_eq!(s.script.len(), 23);
    assert_eq!(
        s.script[4].command,
        Command::CpAppend {
            entry: CpEntry::Ownership { range: "users:[0,1000)".into(), owner: 7, epoch: 1 },
            node: Some(Target::Leader),
        }
    );
    assert_eq!(
        s.script[12].command,
        Command::Failover { to: Target::Node(3), mode: FailoverMode::Coordinated, deadline_ticks: Some(30) }
    );
    let mut sim = s.build().expect("a parsed scenario builds");
    sim.run_until_tick(s.run_until, 100_000);
    assert!(sim.now() >= s.run_until);
}

// ---- Bad files name the field path --------------------------------------------

/// A three-node cluster with these script steps.
fn steps(steps: &str) -> String {
    format!(
        r#"{{ "cluster": {{ "members": [{{ "id": 1 }}, {{ "id": 2 }}, {{ "id": 3 }}] }}, "script": [{steps}] }}"#
    )
}

/// A cluster with these members and other cluster fields.
fn cluster(fields: &str) -> String {
    format!(r#"{{ "cluster": {{ {fields} }} }}"#)
}

/// Three members plus these cluster fields.
fn cluster3(fields: &str) -> String {
    cluster(&format!(r#""members": [{{ "id": 1 }}, {{ "id": 2 }}, {{ "id": 3 }}], {fields}"#))
}

/// Three members plus these top-level fields.
fn root(fields: &str) -> String {
    format!(r#"{{ "cluster": {{ "members": [{{ "id": 1 }}, {{ "id": 2 }}, {{ "id": 3 }}] }}, {fields} }}"#)
}

fn members(n: u64) -> String {
    let list: Vec<String> = (1..=n).map(|id| format!(r#"{{ "id": {id} }}"#)).collect();
    format!(r#""members": [{}]"#, list.join(", "))
}

fn bad_files() -> Vec<(String, &'static str)> {
    let s = |text: &str| text.to_string();
    vec![
        // The file as a whole.
        (s(""), "scenario: the file is empty"),
        (s(" \n\t"), "scenario: the file is empty"),
        (s("{"), "scenario: invalid JSON: EOF while parsing an object at line 1 column 1"),
        (
            s("{\"cluster\": {\"members\": [{\"id\": 1}]},}"),
            "scenario: invalid JSON: trailing comma at line 1",
        ),
        (s("[]"), "scenario: expected an object, got an array"),
        (s("\"scenario\""), "scenario: expected an object, got \"scenario\""),
        (s("{}"), "cluster: missing; expected an object with members"),
        (s(r#"{"cluster": null}"#), "cluster: expected an object, got null"),
        (root(r#""title": 5"#), "title: expected a string, got 5"),
        (root(r#""seed": -1"#), "seed: expected a non-negative integer (at most 64 bits), got -1"),
        (
            root(r#""seed": 18446744073709551616"#),
            "seed: expected a non-negative integer (at most 64 bits), got 18446744073709551616",
        ),
        (
            root(r#""run_until": "forever""#),
            "run_until: expected a tick (a non-negative integer), got \"forever\"",
        ),
        (root(r#""run_until": 1e3"#), "run_until: expected a tick (a non-negative integer), got 1e3"),
        (root(r#""run_until": 2000000"#), "run_until: 2000000 is above the limit of 1000000 ticks"),
        // The cluster.
        (cluster(""), "cluster.members: missing"),
        (cluster(r#""members": {}"#), "cluster.members: expected an array, got an object"),
        (cluster(r#""members": []"#), "cluster.members: 0 members; the simulator runs 1 to 15"),
        (cluster(&members(16)), "cluster.members: 16 members; the simulator runs 1 to 15"),
        (cluster(r#""members": [3]"#), "cluster.members[0]: expected an object, got 3"),
        (cluster(r#""members": [{ "kind": "data" }]"#), "cluster.members[0].id: missing"),
        (cluster(r#""members": [{ "id": 0 }]"#), "cluster.members[0].id: node ids start at 1"),
        (cluster(r#""members": [{ "id": 1 }, { "id": -2 }]"#), "cluster.members[1].id: expected a node id"),
        (
            cluster(r#""members": [{ "id": 1.5 }]"#),
            "cluster.members[0].id: expected a node id (a positive integer), got 1.5",
        ),
        (
            cluster(r#""members": [{ "id": "1" }]"#),
            "cluster.members[0].id: expected a node id (a positive integer), got \"1\"",
        ),
        (
            cluster(r#""members": [{ "id": 1001 }]"#),
            "cluster.members[0].id: node id 1001 is not a small integer",
        ),
        (
            cluster(r#""members": [{ "id": 1 }, { "id": 2 }, { "id": 3, "kind": "wizard" }]"#),
            r#"cluster.members[2].kind: unknown kind "wizard", expected "data" or "witness""#,
        ),
        (
            cluster(r#""members": [{ "id": 1, "kind": 2 }]"#),
            r#"cluster.members[0].kind: expected "data" or "witness", got 2"#,
        ),
        (
            cluster(r#""members": [{ "id": 1, "state": "asleep" }]"#),
            r#"cluster.members[0].state: unknown state "asleep""#,
        ),
        (cluster(r#""members": [{ "id": 1 }, { "id": 1 }]"#), "cluster.members[1].id: node 1 appears twice"),
        (
            cluster(r#""members": [{ "id": 1 }, { "id": 2, "kind": "witness", "state": "catching_up" }]"#),
            "cluster.members[1].state: a witness holds no data to catch up on",
        ),
        (
            cluster(r#""members": [{ "id": 1, "kind": "witness" }, { "id": 2, "state": "catching_up" }]"#),
            "cluster.members: at least one voting data member is required",
        ),
        (cluster3(r#""election_ticks": [30, 20]"#), "cluster.election_ticks: minimum 30 exceeds maximum 20"),
        (cluster3(r#""election_ticks": [10]"#), "cluster.election_ticks: expected [minimum, maximum]"),
        (cluster3(r#""election_ticks": 10"#), "cluster.election_ticks: expected [minimum, maximum]"),
        (
            cluster3(r#""election_ticks": [0, 5]"#),
            "cluster.election_ticks[0]: 0 is below the minimum of 1 ticks",
        ),
        (
            cluster3(r#""election_ticks": [10, 2000000]"#),
            "cluster.election_ticks[1]: 2000000 is above the limit",
        ),
        (
            cluster3(r#""heartbeat_ticks": 6"#),
            "cluster.heartbeat_ticks: 6 is more than half of the minimum election",
        ),
        (cluster3(r#""heartbeat_ticks": 0"#), "cluster.heartbeat_ticks: 0 is below the minimum of 1 ticks"),
        (
            cluster3(r#""heartbeat_ticks": 18446744073709551615"#),
            "cluster.heartbeat_ticks: 18446744073709551615 is above",
        ),
        (cluster3(r#""max_batch": 0"#), "cluster.max_batch: 0 is below the minimum of 1 entries"),
        (cluster3(r#""max_batch": true"#), "cluster.max_batch: expected a positive integer, got true"),
        (
            cluster3(r#""snapshot_threshold": -1"#),
            "cluster.snapshot_threshold: expected a non-negative integer, got -1",
        ),
        (cluster3(r#""network": "fast""#), "cluster.network: expected an object, got \"fast\""),
        (cluster3(r#""network": { "drop": 1.0 }"#), "cluster.network.drop: 1.0 would lose every message"),
        (
            cluster3(r#""network": { "drop": 1.5 }"#),
            "cluster.network.drop: 1.5 is not a probability between 0 and 1",
        ),
        (
            cluster3(r#""network": { "duplicate": -0.1 }"#),
            "cluster.network.duplicate: -0.1 is not a probability",
        ),
        (cluster3(r#""network": { "duplicate": "x" }"#), "cluster.network.duplicate: expected a probability"),
        (
            cluster3(r#""network": { "delay_ticks": [3, 1] }"#),
            "cluster.network.delay_ticks: minimum 3 exceeds maximum 1",
        ),
        (
            cluster3(r#""network": { "delay_ticks": [1, 20000] }"#),
            "cluster.network.delay_ticks[1]: 20000 is above the limit of 10000 ticks",
        ),
        // Switches: only the known names, only booleans.
        (
            root(r#""switches": { "pre_vote": "no" }"#),
            "switches.pre_vote: expected true or false, got \"no\"",
        ),
        (root(r#""switches": { "pre_vote": null }"#), "switches.pre_vote: expected true or false, got null"),
        (
            root(r#""switches": { "prevote": false }"#),
            "switches.prevote: unknown switch (known: pre_vote, stickiness, ",
        ),
        (root(r#""switches": { "pre vote": false }"#), "switches[\"pre vote\"]: unknown switch"),
        (root(r#""switches": []"#), "switches: expected an object, got an array"),
        // The script: shapes.
        (root(r#""script": {}"#), "script: expected an array, got an object"),
        (steps("1"), "script[0]: expected an object, got 1"),
        (
            steps(r#"{ "at": 1, "do": "explode" }"#),
            r#"script[0].do: unknown command "explode" (known: write, crash,"#,
        ),
        (steps(r#"{ "at": 1 }"#), "script[0].do: missing; expected a command name"),
        (steps(r#"{ "at": 1, "do": 5 }"#), "script[0].do: expected a command name such as \"write\", got 5"),
        (steps(r#"{ "do": "heal" }"#), "script[0].at: missing; expected a tick"),
        (
            steps(r#"{ "at": 1, "do": "heal" }, { "at": "ten", "do": "heal" }"#),
            "script[1].at: expected a tick (a non-negative integer), got \"ten\"",
        ),
        (
            steps(r#"{ "at": -1, "do": "heal" }"#),
            "script[0].at: expected a tick (a non-negative integer), got -1",
        ),
        (
            steps(r#"{ "at": 2.5, "do": "heal" }"#),
            "script[0].at: expected a tick (a non-negative integer), got 2.5",
        ),
        (
            steps(r#"{ "at": 1000001, "do": "heal" }"#),
            "script[0].at: 1000001 is above the limit of 1000000 ticks",
        ),
        (steps(r#"{ "at": 1, "do": "write" }"#), "script[0].value: missing; expected a string for write"),
        (steps(r#"{ "at": 1, "do": "write", "value": 5 }"#), "script[0].value: expected a string, got 5"),
        (
            steps(r#"{ "at": 1, "do": "crash" }"#),
            "script[0].node: missing; expected a node id or \"leader\" for crash",
        ),
        (
            steps(r#"{ "at": 1, "do": "crash", "node": "boss" }"#),
            "script[0].node: expected a node id (a positive integer) or \"leader\", got \"boss\"",
        ),
        (steps(r#"{ "at": 1, "do": "restart", "node": 0 }"#), "script[0].node: node ids start at 1"),
        (
            steps(r#"{ "at": 1, "do": "cut", "from": 1, "to": 2, "one_way": "yes" }"#),
            "script[0].one_way: expected true or false",
        ),
        (
            steps(r#"{ "at": 1, "do": "partition", "groups": [1, 2] }"#),
            "script[0].groups[0]: expected an array, got 1",
        ),
        (
            steps(r#"{ "at": 1, "do": "change_voters", "voters": [] }"#),
            "script[0].voters: expected at least one voter",
        ),
        (steps(r#"{ "at": 1, "do": "failover", "to": 2 }"#), "script[0].mode: missing"),
        (
            steps(r#"{ "at": 1, "do": "failover", "to": 2, "mode": "gentle" }"#),
            r#"script[0].mode: unknown mode "gentle", expected "coordinated" or "force""#,
        ),
        (
            steps(r#"{ "at": 1, "do": "failover", "to": 2, "mode": "force", "deadline_ticks": -3 }"#),
            "script[0].deadline_ticks: expected a tick",
        ),
        (
            steps(r#"{ "at": 1, "do": "add_server", "node": "leader" }"#),
            "script[0].node: expected a node id (a positive integer), got \"leader\"",
        ),
        (
            steps(r#"{ "at": 1, "do": "add_server", "node": 4, "kind": "wizard" }"#),
            "script[0].kind: unknown kind \"wizard\"",
        ),
        (
            steps(r#"{ "at": 1, "do": "cp_append", "entry": "admit" }"#),
            "script[0].entry: expected one of {\"admit\": id}",
        ),
        (
            steps(r#"{ "at": 1, "do": "cp_append", "entry": { "grant": 1 } }"#),
            "script[0].entry: unknown entry \"grant\"",
        ),
        (steps(r#"{ "at": 1, "do": "cp_append", "entry": {} }"#), "script[0].entry: has 0 keys"),
        (
            steps(r#"{ "at": 1, "do": "cp_append", "entry": { "admit": 1, "remove": 2 } }"#),
            "script[0].entry: has 2 keys (\"admit\", \"remove\"); expected exactly one of",
        ),
        (
            steps(r#"{ "at": 1, "do": "cp_append", "entry": { "admit": 0 } }"#),
            "script[0].entry.admit: node ids start at 1",
        ),
        (
            steps(
                r#"{ "at": 1, "do": "cp_append", "entry": { "ownership": { "range": "r", "owner": 1 } } }"#,
            ),
            "script[0].entry.ownership.epoch: missing",
        ),
        (
            steps(
                r#"{ "at": 1, "do": "cp_append", "entry": { "ownership": { "range": 5, "owner": 1, "epoch": 1 } } }"#,
            ),
            "script[0].entry.ownership.range: expected a string, got 5",
        ),
        (
            steps(
                r#"{ "at": 1, "do": "cp_append", "entry": { "leader_config": { "term": -1, "leader": 1 } } }"#,
            ),
            "script[0].entry.leader_config.term: expected a non-negative integer",
        ),
        (
            steps(r#"{ "at": 1, "do": "set_network", "drop": 1 }"#),
            "script[0].drop: 1.0 would lose every message",
        ),
        (
            steps(r#"{ "at": 1, "do": "set_network", "delay_ticks": [5, 2] }"#),
            "script[0].delay_ticks: minimum 5 exceeds maximum 2",
        ),
        // The script: the nodes it names, in run order.
        (
            steps(
                r#"{ "at": 1, "do": "heal" }, { "at": 2, "do": "heal" }, { "at": 3, "do": "heal" },
                   { "at": 4, "do": "crash", "node": 9 }"#,
            ),
            "script[3].node: node 9 is not a member",
        ),
        (
            steps(r#"{ "at": 1, "do": "write", "value": "v", "node": 9 }"#),
            "script[0].node: node 9 is not a member",
        ),
        (steps(r#"{ "at": 1, "do": "transfer", "to": 4 }"#), "script[0].to: node 4 is not a member"),
        (steps(r#"{ "at": 1, "do": "cut", "from": 9, "to": 2 }"#), "script[0].from: node 9 is not a member"),
        (
            steps(r#"{ "at": 1, "do": "cut", "from": 2, "to": 2 }"#),
            "script[0].to: a link needs two different nodes",
        ),
        (
            steps(r#"{ "at": 1, "do": "partition", "groups": [[1, 9]] }"#),
            "script[0].groups[0][1]: node 9 is not a member",
        ),
        (
            steps(r#"{ "at": 1, "do": "partition", "groups": [[1, 2], [2, 3]] }"#),
            "script[0].groups[1][0]: node 2 is already in groups[0]",
        ),
        (
            steps(r#"{ "at": 1, "do": "change_voters", "voters": [1, 4] }"#),
            "script[0].voters[1]: node 4 is not a member",
        ),
        (
            steps(r#"{ "at": 1, "do": "change_voters", "voters": [1, 1] }"#),
            "script[0].voters[1]: node 1 appears twice",
        ),
        (
            steps(r#"{ "at": 1, "do": "add_server", "node": 2 }"#),
            "script[0].node: node 2 is already a member",
        ),
        (
            steps(
                r#"{ "at": 1, "do": "add_server", "node": 4 }, { "at": 2, "do": "add_server", "node": 4 }"#,
            ),
            "script[1].node: node 4 is already added by script[0] at tick 1",
        ),
        (
            steps(r#"{ "at": 1, "do": "add_server", "node": 4, "kind": "witness", "state": "catching_up" }"#),
            "script[0].state: a witness holds no data",
        ),
        (
            format!(
                r#"{{ "cluster": {{ {} }}, "script": [{{ "at": 1, "do": "add_server", "node": 16 }}] }}"#,
                members(15)
            ),
            "script[0].node: the cluster would grow to 16 nodes; the simulator runs at most 15",
        ),
        (
            steps(r#"{ "at": 10, "do": "crash", "node": 4 }, { "at": 20, "do": "add_server", "node": 4 }"#),
            "script[0].node: node 4 is not a member yet (script[1] adds it at tick 20)",
        ),
        // Pauses.
        (root(r#""pauses": [{}]"#), "pauses[0].caption: missing"),
        (root(r#""pauses": [{ "caption": 3 }]"#), "pauses[0].caption: expected a string, got 3"),
        (root(r#""pauses": [{ "caption": "x", "at": -1 }]"#), "pauses[0].at: expected a tick"),
        (root(r#""pauses": [{ "caption": "x", "node": 9 }]"#), "pauses[0].node: node 9 is not a member"),
    ]
}

#[test]
fn bad_files_are_rejected_naming_the_field_path() {
    let mut failures = Vec::new();
    for (text, want) in bad_files() {
        match parse(&text) {
            Err(e) if e.starts_with(want) => {}
            Err(e) => failures.push(format!("file: {text}\n  want: {want}…\n  got:  {e}")),
            Ok(_) => failures.push(format!("file: {text}\n  want: {want}…\n  got:  Ok")),
        }
    }
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn size_limits_are_errors_not_slow_runs() {
    let step = r#"{ "at": 1, "do": "heal" }"#;
    let at_limit = steps(&vec![step; 10_000].join(","));
    assert_eq!(ok(&at_limit).script.len(), 10_000);
    let over = steps(&vec![step; 10_001].join(","));
    assert_eq!(parse(&over).unwrap_err(), "script: 10001 items; the limit is 10000");
    let huge = root(&format!(r#""title": "{}""#, "x".repeat(5 << 20)));
    assert!(parse(&huge).unwrap_err().starts_with("scenario: the file is "));
}

// ---- Order, extra fields, round trips -----------------------------------------

#[test]
fn script_order_is_by_tick_not_by_place_in_the_file() {
    // Listed first, but runs after the step that adds node 4.
    let s =
        ok(&steps(r#"{ "at": 20, "do": "crash", "node": 4 }, { "at": 10, "do": "add_server", "node": 4 }"#));
    assert_eq!(s.script.len(), 2);
    // At the same tick, file order decides (as the simulator runs them).
    ok(&steps(r#"{ "at": 10, "do": "add_server", "node": 4 }, { "at": 10, "do": "crash", "node": 4 }"#));
    let err = parse(&steps(
        r#"{ "at": 10, "do": "crash", "node": 4 }, { "at": 10, "do": "add_server", "node": 4 }"#,
    ));
    assert!(err.unwrap_err().starts_with("script[0].node: node 4 is not a member yet"));
    // A removed node stays known: commands naming it are skipped at run time.
    ok(&steps(r#"{ "at": 1, "do": "remove_server", "node": 3 }, { "at": 2, "do": "restart", "node": 3 }"#));
}

#[test]
fn steps_beyond_run_until_are_accepted_and_do_not_run() {
    let s = ok(&root(r#""run_until": 50, "script": [{ "at": 500, "do": "crash", "node": 1 }]"#));
    let mut sim = s.build().expect("builds");
    sim.run_until_tick(s.run_until, 10_000);
    assert!(sim.node(1).is_some(), "the crash at tick 500 must not have run by tick 50");
}

/// Adds an unknown field to every object of a scenario except the switches
/// and a control-plane entry's single key.
fn add_extra_fields(v: &mut Value, key: Option<&str>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                add_extra_fields(child, Some(k));
            }
            if !matches!(key, Some("switches" | "entry")) {
                map.insert("x_extra".into(), json!({ "nested": [1, "two", null], "do": "explode" }));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| add_extra_fields(item, key)),
        _ => {}
    }
}

#[test]
fn extra_fields_are_ignored_everywhere_but_among_the_switches() {
    for text in [CONTRACT_EXAMPLE, EVERY_COMMAND] {
        let mut value: Value = serde_json::from_str(text).expect("json");
        add_extra_fields(&mut value, None);
        let extended = serde_json::to_string(&value).expect("json");
        assert!(extended.matches("x_extra").count() >= 8, "{extended}");
        assert_eq!(ok(&extended), ok(text), "extra fields changed the meaning of:\n{extended}");
    }
    let err = parse(&root(r#""switches": { "pre_vote": true, "x_extra": true }"#)).unwrap_err();
    assert!(err.starts_with("switches.x_extra: unknown switch"), "{err}");
}

#[test]
fn parse_then_to_json_then_parse_gives_the_same_scenario() {
    let mut texts = vec![CONTRACT_EXAMPLE, EVERY_COMMAND];
    texts.extend(entries().map(|(_, text)| *text));
    for text in texts {
        let first = ok(text);
        let again = ok(&first.to_json());
        assert_eq!(first, again, "round trip changed:\n{}", first.to_json());
    }
}

#[test]
fn every_builtin_scenario_parses() {
    for (name, text) in entries() {
        assert!(parse(text).is_ok(), "built-in {name}: {:?}", parse(text).err());
    }
}

// ---- Fuzzing --------------------------------------------------------------------

/// The seed of the fuzzing run; a failure prints it with the case number.
/// `QUORUMSCOPE_FUZZ_SEED=N` replays (or explores) another seed.
const FUZZ_SEED: u64 = 0x5CE7_A210;
/// Mutated files tried per run (`QUORUMSCOPE_FUZZ_CASES=N` for a longer one).
const FUZZ_CASES: u64 = 4_000;
/// Parsed files also run in the simulator, at most this share of the cases
/// (the slow part).
const FUZZ_SIM_RUNS_PER_CASE: f64 = 1.0 / 16.0;
/// Longest a parse may take in a debug build, in this thread's CPU time.
const PARSE_TIME_LIMIT: Duration = Duration::from_secs(2);

/// The CPU time this thread has run, where Linux tells it
/// (`/proc/thread-self/schedstat`), else the wall clock since the first
/// call: on a loaded machine a parse's wall time says more about the other
/// processes than about the parser.
fn thread_time() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
    ns.map_or_else(|| START.get_or_init(Instant::now).elapsed(), Duration::from_nanos)
}

/// Words a mutation may put where a string was.
const WORDS: [&str; 10] =
    ["leader", "witness", "catching_up", "voting", "data", "force", "coordinated", "", "é\u{0}\"", "admit"];

/// Fragments spliced into the text.
const FRAGMENTS: [&str; 22] = [
    "\"leader\"",
    "null",
    "-1",
    "0",
    "1e400",
    "18446744073709551616",
    "0.5",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "{}",
    "[]",
    "[[[[",
    "]]]",
    "\"do\": \"heal\", ",
    ", \"x\": 1",
    "\"at\": ",
    "{\"at\": 0, \"do\": \"add_server\", \"node\": 9},",
    "{\"at\": 5, \"do\": \"change_voters\", \"voters\": [1]},",
    "{\"at\": 3, \"do\": \"partition\", \"groups\": [[1], [2, 3]]},",
    "\u{feff}",
    "\\",
    "\"",
];

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.range_inclusive(0, items.len() as u64 - 1) as usize]
}

fn index(rng: &mut Rng, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        rng.range_inclusive(0, len as u64 - 1) as usize
    }
}

/// A random JSON value of any type, sometimes nested.
fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.range_inclusive(0, 11) {
        0 => Value::Null,
        1 => Value::Bool(rng.next_u64().is_multiple_of(2)),
        2 => json!(rng.range_inclusive(0, 20)),
        3 => json!(-(rng.range_inclusive(1, 1000) as i64)),
        4 => json!(u64::MAX - rng.range_inclusive(0, 2)),
        5 => json!(rng.range_inclusive(0, 2000) as f64 / 7.0),
        6 => json!(1e300),
        7 => json!(pick(rng, &WORDS)),
        8 => json!(pick(rng, &COMMAND_NAMES)),
        9 if depth < 3 => {
            Value::Array((0..rng.range_inclusive(0, 3)).map(|_| random_value(rng, depth + 1)).collect())
        }
        10 if depth < 3 => json!({ "admit": random_value(rng, depth + 1) }),
        _ => json!({}),
    }
}

/// How many values a tree holds.
fn count_values(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_values).sum(),
        Value::Object(map) => map.values().map(count_values).sum(),
        _ => 0,
    }
}

/// The `k`-th value of a tree, in pre-order.
fn nth_value<'v>(v: &'v mut Value, k: &mut usize) -> Option<&'v mut Value> {
    if *k == 0 {
        return Some(v);
    }
    *k -= 1;
    match v {
        Value::Array(items) => items.iter_mut().find_map(|item| nth_value(item, k)),
        Value::Object(map) => map.values_mut().find_map(|child| nth_value(child, k)),
        _ => None,
    }
}

/// A structural mutation: one value replaced, renumbered, removed or
/// duplicated. Keeps the file JSON, so it reaches the deeper checks.
fn mutate_value(rng: &mut Rng, text: &str) -> String {
    let Ok(mut root) = serde_json::from_str::<Value>(text) else { return text.to_string() };
    let mut k = index(rng, count_values(&root));
    let choice = rng.range_inclusive(0, 5);
    if let Some(target) = nth_value(&mut root, &mut k) {
        match (choice, &mut *target) {
            // Renumber: ids, ticks and counts within reach of the rules.
            (0 | 1, Value::Number(_)) => *target = json!(rng.range_inclusive(0, 9)),
            (2, Value::String(_)) => *target = json!(pick(rng, &COMMAND_NAMES)),
            (3, Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().nth(index(rng, map.len())).cloned().unwrap_or_default();
                map.remove(&key);
            }
            (3 | 4, Value::Array(items)) if !items.is_empty() => {
                let i = index(rng, items.len());
                if choice == 3 {
                    items.remove(i);
                } else {
                    let copy = items[i].clone();
                    items.insert(index(rng, items.len() + 1), copy);
                }
            }
            _ => *target = random_value(rng, 0),
        }
    }
    root.to_string()
}

/// A textual mutation: characters deleted, duplicated, replaced, or a
/// fragment (of the palette or of another file) spliced in.
fn mutate_text(rng: &mut Rng, text: &str, corpus: &[String]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = index(rng, chars.len() + 1);
    let len = rng.range_inclusive(1, 8) as usize;
    let end = (at + len).min(chars.len());
    match rng.range_inclusive(0, 4) {
        0 => {
            chars.drain(at..end);
        }
        1 => {
            let copy: Vec<char> = chars[at..end].to_vec();
            chars.splice(at..at, copy);
        }
        2 if at < chars.len() => {
            chars[at] =
                *pick(rng, &['{', '}', '[', ']', '"', ',', ':', '0', '9', '-', '.', 'e', ' ', 'é', '\0'])
        }
        3 => {
            chars.splice(at..at, pick(rng, &FRAGMENTS).chars());
        }
        _ => {
            let donor: Vec<char> = pick(rng, corpus).chars().collect();
            let from = index(rng, donor.len());
            let to = (from + rng.range_inclusive(1, 60) as usize).min(donor.len());
            chars.splice(at..at, donor[from..to].iter().copied());
        }
    }
    chars.into_iter().collect()
}

/// Inputs no mutation is likely to reach: absurd nesting, odd encodings.
fn pathological_inputs(base: &str) -> Vec<String> {
    let deep = "[".repeat(100_000);
    vec![
        deep.clone(),
        format!("{deep}{}", "]".repeat(100_000)),
        "{\"a\":".repeat(50_000),
        base.replacen("\"title\": \"", &format!("\"title\": {deep}"), 1),
        base.replacen("{", &format!("{{\"x_extra\": {}1{},", "[".repeat(120), "]".repeat(120)), 1),
        base.replacen("{", &format!("{{\"x_extra\": {}1{},", "[".repeat(1000), "]".repeat(1000)), 1),
        "\u{feff}{}".into(),
        "null".into(),
        "0".into(),
        "\"\\ud800\\udc00\"".into(),
        "{\"cluster\": {\"members\": [{\"id\": 1e999}]}}".into(),
        "{\"cluster\": {\"members\": [{\"id\": 1}]}, \"title\": \"\\uDEAD\"}".into(),
        format!("{{\"cluster\": {{\"members\": [{{\"id\": {}}}]}}}}", "9".repeat(5000)),
        "{\"cluster\": {\"members\": [{\"id\": 1}]}, \"run_until\": 0}".into(),
        "\0".into(),
    ]
}

/// One fuzzing run: its seed, and how many simulator runs it may still make.
struct Fuzz {
    seed: u64,
    sim_runs_left: u64,
}

impl Fuzz {
    /// Parses one input; if it parses, builds it and (while the budget
    /// lasts) runs it a little. Panics, naming the seed and the case, on a
    /// panic, a slow parse, or a parsed file that does not build. Returns
    /// whether it parsed.
    fn exercise(&mut self, text: &str, case: &str) -> bool {
        let seed = self.seed;
        let started = thread_time();
        let parsed = panic::catch_unwind(|| parse(text));
        let elapsed = thread_time() - started;
        let shown: String = text.chars().take(3000).collect();
        let parsed =
            parsed.unwrap_or_else(|_| panic!("parse panicked ({case}, seed {seed:#x}) on:\n{shown}"));
        assert!(elapsed < PARSE_TIME_LIMIT, "parse took {elapsed:?} ({case}, seed {seed:#x}) on:\n{shown}");
        let Ok(scenario) = parsed else { return false };
        let mut sim = scenario
            .build()
            .unwrap_or_else(|e| panic!("parsed but did not build: {e} ({case}, seed {seed:#x}):\n{shown}"));
        if self.sim_runs_left > 0 {
            self.sim_runs_left -= 1;
            let until = scenario.run_until.min(200);
            let run = panic::catch_unwind(AssertUnwindSafe(|| sim.run_until_tick(until, 20_000)));
            assert!(
                run.is_ok(),
                "the simulator panicked ({case}, seed {seed:#x}) on:\n{}",
                scenario.to_json()
            );
        }
        true
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[test]
fn mutated_files_never_panic_and_those_that_parse_run() {
    let seed = env_u64("QUORUMSCOPE_FUZZ_SEED").unwrap_or(FUZZ_SEED);
    let cases = env_u64("QUORUMSCOPE_FUZZ_CASES").unwrap_or(FUZZ_CASES);
    let sim_budget = (cases as f64 * FUZZ_SIM_RUNS_PER_CASE) as u64;
    let mut fuzz = Fuzz { seed, sim_runs_left: sim_budget };
    let mut corpus: Vec<String> = vec![CONTRACT_EXAMPLE.into(), EVERY_COMMAND.into()];
    corpus.extend(entries().map(|(_, text)| text.to_string()));
    for (i, text) in pathological_inputs(EVERY_COMMAND).iter().enumerate() {
        fuzz.exercise(text, &format!("pathological input {i}"));
    }
    let mut rng = Rng::new(seed);
    let mut parsed_ok = 0;
    for case in 0..cases {
        let mut text = pick(&mut rng, &corpus).clone();
        // Up to three mutations stacked; structural ones keep the file JSON.
        for _ in 0..rng.range_inclusive(1, 3) {
            text = if rng.next_u64().is_multiple_of(3) {
                mutate_text(&mut rng, &text, &corpus)
            } else {
                mutate_value(&mut rng, &text)
            };
        }
        parsed_ok += u64::from(fuzz.exercise(&text, &format!("case {case}")));
    }
    let sim_runs = sim_budget - fuzz.sim_runs_left;
    println!("fuzz seed {seed:#x}: {parsed_ok} of {cases} mutants parsed, {sim_runs} simulator runs");
    // The mutations must reach past the first error often enough to test
    // the simulator behind the parser.
    assert!(parsed_ok >= cases / 20, "only {parsed_ok} of {cases} mutants parsed (seed {seed:#x})");
    assert!(sim_runs >= sim_budget / 2, "only {sim_runs} simulator runs (seed {seed:#x})");
}
