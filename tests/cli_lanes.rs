//! `quorumscope run NAME --lanes`: the text sequence diagram draws one line
//! per message outcome the trace states (a delivery, a loss, a message
//! still on its way at the end), from the sender's column to the
//! receiver's; losses end in a cross; refusals carry their reason.

use std::collections::BTreeMap;
use std::process::Command;

use quorumscope::json::{self, Json};

/// A scenario with every kind of message fate: random drops and
/// duplicates, a held append released later, a crash and a partition.
const FATES: &str = r#"{
  "title": "Every fate of a message",
  "explain": "Drops, duplicates, a hold and a release, a crash, a partition.",
  "seed": 11,
  "cluster": {
    "members": [{ "id": 1 }, { "id": 2 }, { "id": 3 }],
    "network": { "delay_ticks": [1, 3], "drop": 0.1, "duplicate": 0.1 }
  },
  "script": [
    { "at": 40, "do": "write", "value": "x=1" },
    { "at": 42, "do": "messages", "action": "hold", "msg": "append", "to": 3 },
    { "at": 44, "do": "write", "value": "y=2" },
    { "at": 55, "do": "messages", "action": "release", "msg": "append", "to": 3 },
    { "at": 70, "do": "crash", "node": 3 },
    { "at": 90, "do": "restart", "node": 3 },
    { "at": 100, "do": "partition", "groups": [[1], [2, 3]] },
    { "at": 130, "do": "heal" }
  ],
  "run_until": 160
}"#;

fn cli(args: &[&str]) -> (String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_quorumscope")).args(args).output().expect("the CLI runs");
    (String::from_utf8(out.stdout).expect("utf-8"), out.status.code())
}

fn fates_file() -> String {
    let path = std::env::temp_dir().join(format!("quorumscope-lanes-{}.json", std::process::id()));
    std::fs::write(&path, FATES).expect("temp file");
    path.to_string_lossy().into_owned()
}

/// How a drawn message ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fate {
    Delivered,
    Dropped,
    OnItsWay,
}

/// A drawn or traced message: sender, receiver, fate.
type Line = (u64, u64, Fate);

/// Where the lanes are: the header's characters between its two `│` (the
/// rows draw lanes with `│` too, so only the header tells the frame).
fn frame(diagram: &str) -> (usize, usize) {
    let header: Vec<char> = diagram.lines().next().expect("a header").chars().collect();
    let start = header.iter().position(|c| *c == '│').expect("a frame") + 1;
    let span = header[start..].iter().position(|c| *c == '│').expect("a frame's end");
    (start, span)
}

/// The lane area of a row.
fn lanes_of(row: &str, (start, span): (usize, usize)) -> Vec<char> {
    row.chars().skip(start).take(span).collect()
}

/// The message lines the diagram draws, read back from the text: the
/// tail (`├`/`┤`) and head (`▶`, `◀`, `×`, `…`) columns mapped to nodes
/// through the header.
fn drawn(diagram: &str) -> (Vec<Line>, u64) {
    let frame = frame(diagram);
    let mut rows = diagram.lines();
    let header = lanes_of(rows.next().expect("a header"), frame);
    let mut column = BTreeMap::new();
    let mut at = 0;
    while at < header.len() {
        if header[at].is_ascii_digit() {
            let id: String = header[at..].iter().take_while(|c| c.is_ascii_digit()).collect();
            column.insert(at, id.parse::<u64>().unwrap());
            at += id.len();
        } else {
            at += 1;
        }
    }
    let (mut lines, mut folded) = (Vec::new(), 0);
    for row in rows {
        let cells = lanes_of(row, frame);
        if let Some(n) = row.split(" heartbeat message").next().filter(|_| row.contains(" folded (")) {
            folded += n.rsplit(' ').next().unwrap().parse::<u64>().unwrap();
            continue;
        }
        let tail = cells.iter().position(|c| *c == '├' || *c == '┤');
        let head = cells.iter().position(|c| matches!(c, '▶' | '◀' | '×' | '…'));
        let (Some(tail), Some(head)) = (tail, head) else { continue };
        let fate = match cells[head] {
            '×' => Fate::Dropped,
            '…' => Fate::OnItsWay,
            _ => Fate::Delivered,
        };
        let node = |i: usize| *column.get(&i).unwrap_or_else(|| panic!("no column at {i} in {row}"));
        lines.push((node(tail), node(head), fate));
    }
    lines.sort();
    (lines, folded)
}

fn field<'a>(event: &'a Json, key: &str) -> Option<&'a Json> {
    match event {
        Json::Object(members) => members.get(key),
        _ => None,
    }
}

fn number(event: &Json, key: &str) -> u64 {
    match field(event, key) {
        Some(Json::Number(n)) => n.as_u64().unwrap_or_else(|| panic!("{key} in {event:?}")),
        _ => panic!("{key} in {event:?}"),
    }
}

/// The same, from the JSON trace: each delivery and loss, and each send
/// neither delivered nor lost.
fn traced(trace: &str) -> Vec<Line> {
    let mut pending = BTreeMap::new();
    let mut lines = Vec::new();
    for text in trace.lines() {
        let event = json::parse(text).expect("a JSON line");
        let ends = |fate| (number(&event, "from"), number(&event, "to"), fate);
        let kind = match field(&event, "kind") {
            Some(Json::String(kind)) => Some(kind.as_str()),
            _ => None,
        };
        match kind {
            Some("message_sent") => {
                pending.insert(number(&event, "seq"), ends(Fate::OnItsWay));
            }
            Some(kind @ ("message_delivered" | "message_dropped")) => {
                pending.remove(&number(&event, "seq"));
                lines.push(ends(if kind == "message_delivered" { Fate::Delivered } else { Fate::Dropped }));
            }
            _ => {}
        }
    }
    lines.extend(pending.into_values());
    lines.sort();
    lines
}

#[test]
fn every_delivery_loss_and_message_in_flight_is_one_line_between_the_right_columns() {
    let file = fates_file();
    let (trace, _) = cli(&["run", &file, "--json"]);
    let (diagram, code) = cli(&["run", &file, "--lanes", "--heartbeats"]);
    assert_eq!(code, Some(0), "{diagram}");
    let expected = traced(&trace);
    let (lines, folded) = drawn(&diagram);
    assert_eq!(folded, 0, "--heartbeats folds nothing");
    for fate in [Fate::Delivered, Fate::Dropped, Fate::OnItsWay] {
        assert!(expected.iter().any(|l| l.2 == fate), "the scenario has a {fate:?} message");
    }
    assert_eq!(lines.len(), expected.len());
    assert_eq!(lines, expected);
    assert!(diagram.contains("duplicate copy"), "a duplicate is marked");
    assert!(
        diagram.lines().any(|l| lanes_of(l, frame(&diagram)).contains(&'‖') && l.contains("is held")),
        "a hold is drawn"
    );
    assert!(
        diagram
            .lines()
            .any(|l| lanes_of(l, frame(&diagram)).contains(&'▷')
                || lanes_of(l, frame(&diagram)).contains(&'◁')),
        "a release is drawn"
    );
    std::fs::remove_file(file).ok();
}

#[test]
fn folded_heartbeats_are_counted_and_the_rest_stay_drawn() {
    let (trace, _) = cli(&["run", "first-election", "--json"]);
    let (diagram, code) = cli(&["run", "first-election", "--lanes"]);
    assert_eq!(code, Some(0));
    let (lines, folded) = drawn(&diagram);
    assert!(folded > 0, "first-election's leader sends heartbeats");
    assert_eq!(lines.len() as u64 + folded, traced(&trace).len() as u64);
    assert!(lines.len() < traced(&trace).len(), "folding shortens the diagram");
}

#[test]
fn a_lost_message_ends_in_a_cross_at_its_receiver() {
    let (diagram, _) = cli(&["run", "minority-partition", "--lanes"]);
    let row = diagram.lines().find(|l| l.contains("5→1 probe lost: the link is cut")).expect("a cut probe");
    let cells = lanes_of(row, frame(&diagram));
    let cross = cells.iter().position(|c| *c == '×').expect("a cross");
    let tail = cells.iter().position(|c| *c == '┤').expect("the sender's end");
    assert!(cross < tail, "node 1's column is left of node 5's: {row}");
    assert!(diagram
        .lines()
        .any(|l| l.contains("the network splits") && lanes_of(l, frame(&diagram)).iter().all(|c| *c == '═')));
}

#[test]
fn a_refusal_shows_its_reason_in_the_voters_column() {
    let (diagram, _) = cli(&["run", "watermark-refusal", "--lanes"]);
    let row = diagram
        .lines()
        .find(|l| l.contains("[watermark_not_covered]"))
        .unwrap_or_else(|| panic!("a watermark refusal:\n{diagram}"));
    assert!(row.contains("refused"), "{row}");
    assert!(lanes_of(row, frame(&diagram)).iter().collect::<String>().contains('✗'), "a refusal mark: {row}");
}

#[test]
fn lanes_refuse_to_mix_with_json() {
    let (_, code) = cli(&["run", "first-election", "--lanes", "--json"]);
    assert_eq!(code, Some(2));
    let (_, code) = cli(&["run", "first-election", "--heartbeats"]);
    assert_eq!(code, Some(2));
}
