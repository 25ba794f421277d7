//! `quorumscope merge DIR...`: the nodes' own traces (`trace.jsonl`, one
//! per data directory) as one trace in SCENARIO.md's format, ordered by
//! hybrid logical clock; and `quorumscope check-trace FILE`: a trace
//! checked against the §9 properties a trace can show.
//!
//! Merging renumbers `step` (one per line), sets `tick` to the
//! milliseconds since the first line divided by the tick length, gives
//! each message one sequence number shared by its send and its delivery,
//! fills in each send's `deliver_tick`, and adds a `crash` line where a
//! node's trace stops before a `restart` (a SIGKILL writes nothing), or
//! stops for good well before the others' end.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use quorumscope::core::{Index, NodeId, Term};
use quorumscope::sim::{import_json_lines, TraceBody, TraceEvent};

use crate::journal::TRACE_FILE;

/// Milliseconds per tick when turning clock readings into ticks: the
/// node's default `--tick-ms`.
const TICK_MS: u64 = crate::options::DEFAULT_TICK_MS;

/// One line of a node's trace, with where it sorts.
struct Line {
    key: (u64, u64, u64, usize),
    value: Value,
}

/// The trace files under each argument: `DIR/trace.jsonl`, or those of
/// `DIR/node-*/` for a directory `cluster up` made.
fn trace_files(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for dir in dirs {
        let own = dir.join(TRACE_FILE);
        if own.is_file() {
            out.push(own);
            continue;
        }
        let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut found: Vec<PathBuf> =
            entries.flatten().map(|e| e.path().join(TRACE_FILE)).filter(|p| p.is_file()).collect();
        if found.is_empty() {
            return Err(format!("{}: no {TRACE_FILE} in it or in its subdirectories", dir.display()));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn stamp(v: &Value) -> Option<(u64, u64)> {
    Some((v["hlc"]["wall_ms"].as_u64()?, v["hlc"]["logical"].as_u64()?))
}

/// Reads one node's file. A last line cut short by a kill is skipped with a
/// warning; a bad line elsewhere is an error naming it.
fn read_node_file(path: &Path, file_no: usize) -> Result<Vec<Line>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out: Vec<Line> = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let parsed = serde_json::from_str::<Value>(raw).ok().and_then(|v| Some((stamp(&v)?, v)));
        let Some(((wall, logical), value)) = parsed else {
            if i + 1 == lines.len() {
                eprintln!(
                    "merge: {}: last line {} is cut short (a kill mid-write); skipped",
                    path.display(),
                    i + 1
                );
                continue;
            }
            return Err(format!("{}: line {}: not a trace line with an hlc", path.display(), i + 1));
        };
        if value["kind"] == "restart" {
            if let Some(last) = out.last() {
                // The node went silent after its last line: that is when it
                // crashed, as far as anyone can tell.
                let crash = crash_after(last, &value["node"], "killed; restarted below");
                out.push(crash);
            }
        }
        out.push(Line { key: (wall, logical, file_no as u64, i), value });
    }
    Ok(out)
}

/// A `crash` line sorting right after `last`, a line of `node`'s trace.
fn crash_after(last: &Line, node: &Value, why: &str) -> Line {
    let crash = json!({ "kind": "crash", "node": node, "step": 0, "tick": 0, "origin": node,
        "hlc": { "wall_ms": last.key.0, "logical": last.key.1 + 1 },
        "text": format!("node {node} stops: its trace ends here ({why})") });
    Line { key: (last.key.0, last.key.1 + 1, last.key.2, last.key.3), value: crash }
}

/// How long before the end of the whole trace a node's own trace may stop
/// without being marked crashed: a live node writes a line at least every
/// heartbeat or election timeout (75 ms and 250-500 ms by default), and
/// `cluster down` stops every node within a few milliseconds.
const SILENT_MS: u64 = 2000;

/// Adds a `crash` line after the last line of each node whose trace stops
/// more than `SILENT_MS` before the others' end (killed and never
/// restarted): without it, a replay draws the node as it last was, a
/// leader perhaps, beside the leader elected after it.
fn mark_silent_ends(lines: &mut Vec<Line>) {
    let Some(end) = lines.iter().map(|l| l.key.0).max() else { return };
    let mut last_of_file: BTreeMap<u64, &Line> = BTreeMap::new();
    for line in lines.iter() {
        last_of_file.insert(line.key.2, line);
    }
    let crashes: Vec<Line> = last_of_file
        .values()
        .filter(|l| l.key.0 + SILENT_MS < end)
        .map(|l| crash_after(l, &l.value["origin"], "killed, or stopped, and not restarted"))
        .collect();
    lines.extend(crashes);
}

/// The merged trace as JSON lines.
pub fn merge(dirs: &[PathBuf]) -> Result<String, String> {
    let mut lines = Vec::new();
    for (n, path) in trace_files(dirs)?.iter().enumerate() {
        lines.extend(read_node_file(path, n)?);
    }
    mark_silent_ends(&mut lines);
    lines.sort_by_key(|l| l.key);
    let first_ms = lines.first().map_or(0, |l| l.key.0);
    // Sends and deliveries share one new sequence number per message.
    let mut seqs: BTreeMap<(u64, u64), u64> = BTreeMap::new();
    let mut delivered_tick: BTreeMap<u64, u64> = BTreeMap::new();
    for (step, line) in lines.iter_mut().enumerate() {
        let tick = (line.key.0 - first_ms) / TICK_MS;
        let v = &mut line.value;
        v["step"] = json!(step);
        v["tick"] = json!(tick);
        let kind = v["kind"].as_str().unwrap_or_default().to_string();
        if kind == "message_sent" || kind == "message_delivered" {
            let key = (v["from"].as_u64().unwrap_or(0), v["seq"].as_u64().unwrap_or(0));
            let next = seqs.len() as u64 + 1;
            let seq = *seqs.entry(key).or_insert(next);
            v["seq"] = json!(seq);
            if kind == "message_delivered" {
                delivered_tick.entry(seq).or_insert(tick);
            }
        }
    }
    let mut out = String::new();
    for line in &mut lines {
        let v = &mut line.value;
        if v["kind"] == "message_sent" {
            let seq = v["seq"].as_u64().unwrap_or(0);
            let sent = v["tick"].as_u64().unwrap_or(0);
            v["deliver_tick"] = json!(delivered_tick.get(&seq).copied().unwrap_or(sent));
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    // What the page's import would say, said now.
    import_json_lines(&out).map_err(|e| format!("the merged trace does not read back: {e}"))?;
    Ok(out)
}

/// `quorumscope merge DIR... [--out FILE]`.
pub fn merge_command(args: &[String]) -> Result<bool, String> {
    let mut dirs = Vec::new();
    let mut out = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--out" {
            i += 1;
            out = Some(args.get(i).ok_or("--out needs a file")?.clone());
        } else {
            dirs.push(PathBuf::from(&args[i]));
        }
        i += 1;
    }
    if dirs.is_empty() {
        return Err("merge needs at least one directory: quorumscope merge DIR... [--out FILE]".into());
    }
    let merged = merge(&dirs)?;
    match out {
        Some(path) => {
            fs::write(&path, &merged).map_err(|e| format!("{path}: {e}"))?;
            eprintln!("merge: {} events into {path}", merged.lines().count());
        }
        None => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(merged.as_bytes());
        }
    }
    Ok(true)
}

/// A property a trace broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The §9 property's trace name.
    pub property: &'static str,
    /// The step where it showed.
    pub step: u64,
    /// The figures.
    pub detail: String,
}

/// What the checker remembers while reading a trace.
#[derive(Default)]
struct TraceState {
    leader_of_term: BTreeMap<Term, NodeId>,
    vote_of: BTreeMap<(NodeId, Term), NodeId>,
    term_of: BTreeMap<NodeId, Term>,
    commit_of: BTreeMap<NodeId, Index>,
    /// Each node's log as its `entry_appended` lines tell it.
    logs: BTreeMap<NodeId, BTreeMap<Index, Term>>,
    /// The term applied at each index, by whoever applied it first.
    applied: BTreeMap<Index, (Term, NodeId)>,
    acked: BTreeMap<Index, Term>,
}

/// Checks a trace against the §9 properties it can show: election safety,
/// one vote per term (`double_vote`), terms and (within one run of a node)
/// commit indexes never going back (`monotonic_state`), every node applying
/// the same entry at each index (`state_machine_safety`), and acknowledged
/// writes staying what every node applies (`acked_write_lost`).
pub fn check(events: &[TraceEvent]) -> Vec<Finding> {
    let mut st = TraceState::default();
    let mut out = Vec::new();
    for e in events {
        let mut find = |property, detail: String| out.push(Finding { property, step: e.step, detail });
        match &e.body {
            TraceBody::LeaderElected { node, term, .. } => {
                if let Some(other) = st.leader_of_term.insert(*term, *node).filter(|o| o != node) {
                    find("election_safety", format!("nodes {other} and {node} both lead term {term}"));
                }
            }
            TraceBody::VoteGranted { voter, candidate, term, .. } => {
                if let Some(other) = st.vote_of.insert((*voter, *term), *candidate).filter(|o| o != candidate)
                {
                    find(
                        "double_vote",
                        format!("node {voter} voted for {other} and {candidate} in term {term}"),
                    );
                }
            }
            TraceBody::TermChanged { node, term } => {
                if let Some(old) = st.term_of.insert(*node, *term).filter(|old| old > term) {
                    find("monotonic_state", format!("node {node}'s term went back from {old} to {term}"));
                }
            }
            TraceBody::Restart { node } => {
                st.commit_of.remove(node);
            }
            TraceBody::CommitAdvanced { node, index, .. } => {
                if let Some(old) = st.commit_of.insert(*node, *index).filter(|old| old > index) {
                    find("monotonic_state", format!("node {node}'s commit went back from {old} to {index}"));
                }
            }
            TraceBody::EntryAppended { node, index, term, .. } => {
                let log = st.logs.entry(*node).or_default();
                log.split_off(index);
                log.insert(*index, *term);
            }
            TraceBody::WriteAcked { index, node, .. } => {
                if let Some(&term) = st.logs.get(node).and_then(|l| l.get(index)) {
                    st.acked.insert(*index, term);
                }
            }
            TraceBody::Applied { node, index } => {
                let Some(&term) = st.logs.get(node).and_then(|l| l.get(index)) else { continue };
                if let Some(&(first, by)) = st.applied.get(index).filter(|(t, _)| *t != term) {
                    find(
                        "state_machine_safety",
                        format!("index {index}: node {by} applied term {first}, node {node} term {term}"),
                    );
                }
                st.applied.entry(*index).or_insert((term, *node));
                if let Some(&acked) = st.acked.get(index).filter(|&&t| t != term) {
                    find(
                        "acked_write_lost",
                        format!("index {index} was acked in term {acked}; node {node} applies term {term}"),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

/// `quorumscope check-trace FILE`: exit 1 when a property broke.
pub fn check_trace_command(args: &[String]) -> Result<bool, String> {
    let [path] = args else { return Err("usage: quorumscope check-trace FILE".into()) };
    let text = fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let events = import_json_lines(&text).map_err(|e| format!("{path}: {e}"))?;
    let findings = check(&events);
    for f in &findings {
        println!("violation: {} at step {}: {}", f.property, f.step, f.detail);
    }
    let leaders: std::collections::BTreeSet<_> = events
        .iter()
        .filter_map(|e| if let TraceBody::LeaderElected { term, .. } = e.body { Some(term) } else { None })
        .collect();
    println!("events={} leaders={} violations={}", events.len(), leaders.len(), findings.len());
    Ok(findings.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("qs-merge-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn line(wall: u64, logical: u64, body: Value) -> String {
        let mut v = body;
        v["hlc"] = json!({ "wall_ms": wall, "logical": logical });
        v["step"] = json!(0);
        v["tick"] = json!(0);
        v["text"] = json!("t");
        v.to_string()
    }

    fn write(dir: &Path, node: u64, lines: &[String]) {
        let d = dir.join(format!("node-{node}"));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join(TRACE_FILE), lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn merging_orders_by_clock_pairs_messages_and_marks_the_crash() {
        let dir = scratch("order");
        let sent = json!({ "kind": "message_sent", "from": 1, "to": 2, "msg": "append", "term": 1, "seq": 900, "deliver_tick": 0 });
        let got = json!({ "kind": "message_delivered", "from": 1, "to": 2, "msg": "append", "term": 1, "seq": 900 });
        write(
            &dir,
            1,
            &[
                line(1000, 0, json!({ "kind": "leader_elected", "node": 1, "term": 1 })),
                line(1000, 1, sent),
                line(1050, 0, json!({ "kind": "restart", "node": 1 })),
                "{\"kind\": \"appl".to_string(), // cut by the kill
            ],
        );
        // Node 2's wall clock is behind, but its clock passed the stamp it got.
        write(
            &dir,
            2,
            &[
                line(1000, 2, got),
                line(1000, 3, json!({ "kind": "entry_appended", "node": 2, "index": 1, "term": 1 })),
            ],
        );
        let merged = merge(std::slice::from_ref(&dir)).unwrap();
        let kinds: Vec<Value> = merged.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let names: Vec<&str> = kinds.iter().map(|v| v["kind"].as_str().unwrap()).collect();
        // The crash sits right after node 1's last line.
        assert_eq!(
            names,
            ["leader_elected", "message_sent", "crash", "message_delivered", "entry_appended", "restart"]
        );
        assert_eq!(kinds[1]["seq"], kinds[3]["seq"]);
        assert_eq!(kinds[1]["seq"], 1);
        assert_eq!(kinds[1]["deliver_tick"], 0);
        assert_eq!(kinds[5]["tick"], 50 / TICK_MS);
        assert_eq!(kinds[2]["node"], 1);
        let steps: Vec<u64> = kinds.iter().map(|v| v["step"].as_u64().unwrap()).collect();
        assert_eq!(steps, [0, 1, 2, 3, 4, 5]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_node_whose_trace_stops_long_before_the_others_is_marked_crashed() {
        let dir = scratch("silent");
        let elected = |node: u64, term: u64| json!({ "kind": "leader_elected", "node": node, "term": term, "origin": node });
        write(&dir, 1, &[line(1000, 0, elected(1, 1))]);
        write(&dir, 2, &[line(1500, 0, elected(2, 2)), line(1000 + SILENT_MS + 1, 0, elected(2, 2))]);
        // Node 3 stops within SILENT_MS of the end, as `cluster down` stops them all.
        write(&dir, 3, &[line(1000 + SILENT_MS - 100, 0, elected(3, 2))]);
        let merged = merge(std::slice::from_ref(&dir)).unwrap();
        let lines: Vec<Value> = merged.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let crashes: Vec<(u64, u64)> = lines
            .iter()
            .enumerate()
            .filter(|(_, v)| v["kind"] == "crash")
            .map(|(i, v)| (i as u64, v["node"].as_u64().unwrap()))
            .collect();
        assert_eq!(crashes, [(1, 1)], "node 1 alone, right after its last line");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_line_before_the_end_is_an_error_naming_it() {
        let dir = scratch("bad");
        write(&dir, 1, &["garbage".into(), line(1, 0, json!({ "kind": "restart", "node": 1 }))]);
        let err = merge(std::slice::from_ref(&dir)).unwrap_err();
        assert!(err.contains("line 1: not a trace line"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    fn events(lines: &[Value]) -> Vec<TraceEvent> {
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut v = v.clone();
                v["step"] = json!(i);
                v["tick"] = json!(i);
                v["text"] = json!("t");
                v.to_string() + "\n"
            })
            .collect();
        import_json_lines(&text).unwrap()
    }

    #[test]
    fn the_trace_checker_finds_each_property_it_checks() {
        let ok = events(&[
            json!({ "kind": "leader_elected", "node": 1, "term": 1 }),
            json!({ "kind": "entry_appended", "node": 1, "index": 1, "term": 1 }),
            json!({ "kind": "write_acked", "node": 1, "index": 1, "value": "a" }),
            json!({ "kind": "applied", "node": 1, "index": 1 }),
            json!({ "kind": "entry_appended", "node": 2, "index": 1, "term": 1 }),
            json!({ "kind": "applied", "node": 2, "index": 1 }),
        ]);
        assert_eq!(check(&ok), vec![]);
        let cases = [
            (
                "election_safety",
                vec![
                    json!({ "kind": "leader_elected", "node": 1, "term": 2 }),
                    json!({ "kind": "leader_elected", "node": 3, "term": 2 }),
                ],
            ),
            (
                "double_vote",
                vec![
                    json!({ "kind": "vote_granted", "voter": 1, "candidate": 2, "term": 2 }),
                    json!({ "kind": "vote_granted", "voter": 1, "candidate": 3, "term": 2 }),
                ],
            ),
            (
                "monotonic_state",
                vec![
                    json!({ "kind": "term_changed", "node": 1, "term": 5 }),
                    json!({ "kind": "term_changed", "node": 1, "term": 4 }),
                ],
            ),
            (
                "state_machine_safety",
                vec![
                    json!({ "kind": "entry_appended", "node": 1, "index": 1, "term": 1 }),
                    json!({ "kind": "applied", "node": 1, "index": 1 }),
                    json!({ "kind": "entry_appended", "node": 2, "index": 1, "term": 2 }),
                    json!({ "kind": "applied", "node": 2, "index": 1 }),
                ],
            ),
            (
                "acked_write_lost",
                vec![
                    json!({ "kind": "entry_appended", "node": 1, "index": 1, "term": 1 }),
                    json!({ "kind": "write_acked", "node": 1, "index": 1, "value": "a" }),
                    json!({ "kind": "entry_appended", "node": 2, "index": 1, "term": 2 }),
                    json!({ "kind": "applied", "node": 2, "index": 1 }),
                ],
            ),
        ];
        for (property, lines) in cases {
            let found = check(&events(&lines));
            assert!(found.iter().any(|f| f.property == property), "{property}: {found:?}");
        }
    }
}
