//! Golden interaction scripts in the manner of etcd raft's `testdata/`: every
//! `tests/testdata/*.txt` is a list of commands, each followed by `----` and
//! the exact lines it must produce (each node's actions, described), then a
//! blank line. Lines starting with `#` are comments. Run with
//! `UPDATE_GOLDEN=1` to rewrite the expected output, then review the diff.
//!
//! Commands:
//! - `cluster <n> [<switch>=off ...]`: a fresh cluster of data members 1..=n
//! - `tick [<n>]`: n rounds of (tick every node, deliver everything)
//! - `deliver`: deliver every queued message and what it causes
//! - `propose <id> <value>`, `campaign <id>`: a client write, an operator timeout
//! - `handover <from> <to> coordinated|force <ticks>`
//! - `isolate <id>`, `cut <a> <b>`, `heal`, `crash <id>`, `restart <id>`
//! - `status`: one line per node; `applied`: the writes each node applied

mod common;
use common::*;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use quorumscope::core::{Event, HandoverMode, NodeId, Role, Switches};

/// One item of a script: a comment line, or a command and its output.
enum Item {
    Comment(String),
    Command { line: usize, cmd: String, expected: Vec<String> },
}

fn parse(text: &str, path: &Path) -> Vec<Item> {
    let mut items = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with('#') {
            items.push(Item::Comment(line.to_string()));
            continue;
        }
        let sep = lines.next().map(|(_, l)| l);
        assert_eq!(sep, Some("----"), "{}:{}: `{line}` must be followed by ----", path.display(), n + 1);
        let mut expected = Vec::new();
        while let Some((_, l)) = lines.next_if(|(_, l)| !l.is_empty()) {
            expected.push(l.to_string());
        }
        items.push(Item::Command { line: n + 1, cmd: line.to_string(), expected });
    }
    items
}

/// Runs one command on the cluster and returns its output lines.
fn run(cluster: &mut Option<Cluster>, cmd: &str) -> Result<Vec<String>, String> {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let id = |i: usize| -> Result<NodeId, String> {
        words.get(i).and_then(|w| w.parse().ok()).ok_or_else(|| format!("argument {i} must be a node id"))
    };
    if words[0] == "cluster" {
        let n: NodeId = id(1)?;
        let mut off = Vec::new();
        for w in &words[2..] {
            let name = w.strip_suffix("=off").ok_or_else(|| format!("expected <switch>=off, got {w}"))?;
            if !Switches::NAMES.contains(&name) {
                return Err(format!("unknown switch {name}"));
            }
            off.push(name.to_string());
        }
        let ids: Vec<NodeId> = (1..=n).collect();
        *cluster = Some(Cluster::new(&data(&ids), |cfg| {
            for name in &off {
                *cfg.switches.by_name_mut(name).expect("a known switch") = false;
            }
        }));
        return Ok(vec!["ok".into()]);
    }
    let c = cluster.as_mut().ok_or("no cluster yet: start with `cluster <n>`")?;
    let mark = c.history.len();
    let mut extra = Vec::new();
    let event = |c: &mut Cluster, id: NodeId, e: Event, extra: &mut Vec<String>| {
        if let Err(e) = c.step(id, e) {
            extra.push(format!("{id}: error: {e}"));
        }
    };
    match words[0] {
        "tick" => c.run(words.get(1).map_or(Ok(1), |w| w.parse()).map_err(|_| "tick <n>")?),
        "deliver" => c.deliver_all(),
        "propose" => {
            let value = words.get(2).ok_or("propose <id> <value>")?;
            event(c, id(1)?, Event::Propose(bytes(value)), &mut extra);
        }
        "campaign" => event(c, id(1)?, Event::TimeoutNow, &mut extra),
        "handover" => {
            let ticks: u64 = words.get(4).and_then(|w| w.parse().ok()).ok_or("handover: <ticks>")?;
            let mode = match words.get(3) {
                Some(&"coordinated") => HandoverMode::Coordinated { deadline_ticks: ticks },
                Some(&"force") => HandoverMode::Force { timeout_ticks: ticks },
                _ => return Err("handover <from> <to> coordinated|force <ticks>".into()),
            };
            event(c, id(1)?, Event::Handover { to: id(2)?, mode }, &mut extra);
        }
        "isolate" => c.isolate(id(1)?),
        "cut" => c.cut_link(id(1)?, id(2)?),
        "heal" => c.heal(),
        "crash" => c.crash(id(1)?),
        "restart" => c.restart(id(1)?),
        "status" => extra = status(c),
        "applied" => {
            let ids: Vec<NodeId> = c.nodes.keys().copied().collect();
            extra = ids.iter().map(|id| format!("{id}: {}", c.applied_writes(*id).join(", "))).collect();
        }
        other => return Err(format!("unknown command {other}")),
    }
    let mut out: Vec<String> = c.history[mark..].to_vec();
    out.extend(extra);
    if out.is_empty() {
        out.push("ok".into());
    }
    Ok(out)
}

fn status(c: &Cluster) -> Vec<String> {
    c.nodes
        .iter()
        .map(|(id, n)| {
            let role = match n.role() {
                _ if c.crashed.contains(id) => "crashed",
                Role::Leader => "leader",
                Role::Candidate => "candidate",
                Role::Follower => "follower",
            };
            let mut line = format!(
                "{id}: {role}, term {}, last {}@t{}, commit {}",
                n.term(),
                n.log().last_index(),
                n.log().last_term(),
                n.commit_index()
            );
            if let Some(l) = n.leader().filter(|l| l != id) {
                let _ = write!(line, ", follows {l}");
            }
            line
        })
        .collect()
}

/// Runs one script; returns the rewritten text and the mismatches found.
fn check(path: &Path) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("readable script");
    let mut cluster = None;
    let (mut rewritten, mut mismatches) = (String::new(), Vec::new());
    for item in parse(&text, path) {
        match item {
            Item::Comment(c) => {
                rewritten.push_str(&c);
                rewritten.push('\n');
            }
            Item::Command { line, cmd, expected } => {
                let actual = run(&mut cluster, &cmd).unwrap_or_else(|e| vec![format!("script error: {e}")]);
                if actual != expected {
                    mismatches.push(format!(
                        "{}:{line}: `{cmd}`\n--- expected\n{}\n+++ actual\n{}",
                        path.display(),
                        expected.join("\n"),
                        actual.join("\n")
                    ));
                }
                let _ = writeln!(rewritten, "{cmd}\n----\n{}\n", actual.join("\n"));
            }
        }
    }
    (rewritten, mismatches)
}

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/testdata exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// Golden scripts replay exactly: a seed and events reproduce a run (PROTOCOL.md §2, STYLE.md).
#[test]
fn golden_scripts() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let files = scripts();
    assert!(!files.is_empty(), "no scripts in tests/testdata");
    let mut failures = Vec::new();
    for path in files {
        let (rewritten, mismatches) = check(&path);
        if update {
            std::fs::write(&path, rewritten).expect("writable script");
        } else {
            failures.extend(mismatches);
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches (UPDATE_GOLDEN=1 rewrites):\n\n{}",
        failures.join("\n\n")
    );
}
