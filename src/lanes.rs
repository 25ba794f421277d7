//! `quorumscope run NAME --lanes`: the trace as a text sequence diagram,
//! for a terminal or a code review (in the spirit of etcd raft's
//! interaction scripts). One column per node, time running down; each
//! message a line from its sender's column to its receiver's at the step it
//! arrived (`▶`/`◀`), was lost (`×`), was held (`‖`), was released (`▷`/`◁`)
//! or, at the end of the run, is still on its way (`…`); a duplicate copy is drawn with `═`.
//! Role changes, terms, elections, commits, refusals (with their reason),
//! crashes, handover phases are short marks in the node's column;
//! partitions, heals and violations are rows across every column. Each row
//! ends with the trace's own sentence: nothing here re-derives a protocol
//! fact, it only places what the trace says.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::{MessageContents, MessageKind, NodeId};
use crate::sim::{TraceBody, TraceEvent, TraceRole};

/// How to draw.
#[derive(Clone, Copy, Debug, Default)]
pub struct LanesOptions {
    /// Draw every heartbeat (an append with no entries) and its reply,
    /// instead of folding each quiet run of them into one row.
    pub heartbeats: bool,
}

/// How a message line ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Delivered,
    Dropped,
    Held,
    Released,
    InFlight,
}

/// One row of the diagram.
#[derive(Debug)]
enum Row {
    Message { from: NodeId, to: NodeId, end: End, duplicate: bool },
    Mark { node: NodeId, token: String },
    Across { fill: char },
}

/// A row with its time and its sentence.
struct Line {
    step: u64,
    tick: u64,
    row: Row,
    label: String,
}

/// A message as its send stated it.
struct Sent {
    step: u64,
    text: String,
    heartbeat: bool,
}

/// Heartbeats (and their replies) waiting to be folded into one row.
#[derive(Default)]
struct Fold {
    first: Option<(u64, u64)>,
    last_step: u64,
    delivered: u64,
    dropped: u64,
}

/// Draws `events` as a sequence diagram with one column per node of
/// `members` and of every node the trace names.
pub fn render(events: &[TraceEvent], members: &[NodeId], options: LanesOptions) -> String {
    let lines = layout(events, options);
    let mut nodes: BTreeSet<NodeId> = members.iter().copied().collect();
    for e in events {
        nodes.extend(named_nodes(&e.body));
    }
    draw(&lines, &nodes.into_iter().collect::<Vec<_>>())
}

/// Turns the trace into rows, pairing each delivery or loss with its send.
fn layout(events: &[TraceEvent], options: LanesOptions) -> Vec<Line> {
    let mut sent: BTreeMap<u64, Sent> = BTreeMap::new();
    // (step, receiver, sender) of each heartbeat delivered: the reply the
    // receiver sends back in that step answers a heartbeat.
    let mut heartbeat_deliveries: BTreeSet<(u64, NodeId, NodeId)> = BTreeSet::new();
    let mut lines = Vec::new();
    let mut fold = Fold::default();
    for e in events {
        let (step, tick) = (e.step, e.tick);
        let line = |row, label: String| Line { step, tick, row, label };
        match &e.body {
            TraceBody::MessageSent { from, to, msg, seq, contents, .. } => {
                let heartbeat = match (msg, contents) {
                    (MessageKind::Append, MessageContents::Append { entries, .. }) => *entries == 0,
                    (MessageKind::AppendReply, _) => heartbeat_deliveries.contains(&(step, *from, *to)),
                    _ => false,
                };
                sent.insert(*seq, Sent { step, text: e.text.to_string(), heartbeat });
            }
            TraceBody::MessageDelivered { from, to, seq, .. }
            | TraceBody::MessageDropped { from, to, seq, .. } => {
                let delivered = matches!(e.body, TraceBody::MessageDelivered { .. });
                let end = if delivered { End::Delivered } else { End::Dropped };
                let Some(s) = sent.remove(seq) else {
                    // A copy the network made: it has no send of its own.
                    let row = Row::Message { from: *from, to: *to, end, duplicate: true };
                    push(&mut lines, &mut fold, line(row, format!("duplicate copy: {}", e.text)));
                    continue;
                };
                if s.heartbeat && delivered {
                    heartbeat_deliveries.insert((step, *to, *from));
                }
                if s.heartbeat && !options.heartbeats {
                    fold.add(step, tick, delivered);
                    continue;
                }
                let label = if delivered {
                    format!("{} · sent at step {}", s.text, s.step)
                } else {
                    e.text.to_string()
                };
                let row = Row::Message { from: *from, to: *to, end, duplicate: false };
                push(&mut lines, &mut fold, line(row, label));
            }
            TraceBody::MessageHeld { from, to, .. } | TraceBody::MessageReleased { from, to, .. } => {
                let end =
                    if matches!(e.body, TraceBody::MessageHeld { .. }) { End::Held } else { End::Released };
                let row = Row::Message { from: *from, to: *to, end, duplicate: false };
                push(&mut lines, &mut fold, line(row, e.text.to_string()));
            }
            body => {
                if let Some(row) = mark(body) {
                    let label = match refusal_code(body) {
                        Some(code) => format!("[{code}] {}", e.text),
                        None => e.text.to_string(),
                    };
                    push(&mut lines, &mut fold, line(row, label));
                }
            }
        }
    }
    fold.flush(&mut lines);
    in_flight_at_end(events, sent, &mut lines);
    lines
}

/// Adds a row after any heartbeats folded before it.
fn push(lines: &mut Vec<Line>, fold: &mut Fold, line: Line) {
    fold.flush(lines);
    lines.push(line);
}

impl Fold {
    fn add(&mut self, step: u64, tick: u64, delivered: bool) {
        self.first.get_or_insert((step, tick));
        self.last_step = step;
        if delivered {
            self.delivered += 1;
        } else {
            self.dropped += 1;
        }
    }

    fn flush(&mut self, lines: &mut Vec<Line>) {
        let Some((step, tick)) = self.first.take() else { return };
        let total = self.delivered + self.dropped;
        let dropped = if self.dropped > 0 { format!(", {} lost", self.dropped) } else { String::new() };
        let steps = if self.last_step == step {
            format!("step {step}")
        } else {
            format!("steps {step}–{}", self.last_step)
        };
        let plural = if total == 1 { "" } else { "s" };
        let label =
            format!("{total} heartbeat message{plural} folded ({steps}{dropped}); --heartbeats draws each");
        lines.push(Line { step, tick, row: Row::Across { fill: '┄' }, label });
        *self = Fold::default();
    }
}

/// Sends never delivered nor lost by the end: drawn as still on their way.
fn in_flight_at_end(events: &[TraceEvent], sent: BTreeMap<u64, Sent>, lines: &mut Vec<Line>) {
    let Some(last) = events.last() else { return };
    for e in events {
        if let TraceBody::MessageSent { from, to, seq, .. } = &e.body {
            if let Some(s) = sent.get(seq) {
                let row = Row::Message { from: *from, to: *to, end: End::InFlight, duplicate: false };
                let label = format!("still on its way at the end: {} · sent at step {}", s.text, s.step);
                lines.push(Line { step: last.step, tick: last.tick, row, label });
            }
        }
    }
}

/// The refusal code a vote or probe refusal names, for the row's label.
fn refusal_code(body: &TraceBody) -> Option<&'static str> {
    match body {
        TraceBody::VoteRefused { reason, .. } | TraceBody::ProbeRefused { reason, .. } => Some(reason.code()),
        _ => None,
    }
}

/// The mark an event leaves in a node's column (or across all), if it is
/// one the diagram shows.
fn mark(body: &TraceBody) -> Option<Row> {
    let on = |node: &NodeId, token: &str| Some(Row::Mark { node: *node, token: token.to_string() });
    match body {
        TraceBody::RoleChanged { node, role, term, .. } => match role_letter(*role) {
            Some(letter) => on(node, &format!("{letter}{term}")),
            None => None, // `crash` marks it
        },
        TraceBody::TermChanged { node, term } => on(node, &format!("t{term}")),
        TraceBody::LeaderElected { node, .. } => on(node, "WON"),
        TraceBody::LeaderDeposed { node, .. } => on(node, "OUT"),
        TraceBody::VoteGranted { voter, .. } => on(voter, "V✓"),
        TraceBody::VoteRefused { voter, .. } => on(voter, "V✗"),
        TraceBody::ProbeGranted { voter, .. } => on(voter, "P✓"),
        TraceBody::ProbeRefused { voter, .. } => on(voter, "P✗"),
        TraceBody::CommitAdvanced { node, index, .. } => on(node, &format!("c{index}")),
        TraceBody::WriteAcked { node, .. } => on(node, "ack"),
        TraceBody::WriteRejected { node, .. } => on(node, "rej"),
        TraceBody::Crash { node } => on(node, "DOWN"),
        TraceBody::Restart { node } => on(node, "UP"),
        TraceBody::HandoverPhase { from, .. } | TraceBody::HandoverOutcome { from, .. } => on(from, "HO"),
        TraceBody::MembershipChanged { node, .. } => on(node, "cfg"),
        TraceBody::SnapshotTaken { node, .. } | TraceBody::SnapshotInstalled { node, .. } => on(node, "snap"),
        TraceBody::Partition { .. } | TraceBody::Heal { .. } => Some(Row::Across { fill: '═' }),
        TraceBody::Violation { .. } => Some(Row::Across { fill: '!' }),
        _ => None,
    }
}

fn role_letter(role: TraceRole) -> Option<&'static str> {
    match role {
        TraceRole::Follower => Some("F"),
        TraceRole::Candidate => Some("C"),
        TraceRole::Leader => Some("L"),
        TraceRole::Learner => Some("Ln"),
        TraceRole::Witness => Some("W"),
        TraceRole::Crashed => None,
    }
}

/// Every node an event names, so that a node added mid-run gets a column.
fn named_nodes(body: &TraceBody) -> Vec<NodeId> {
    match body {
        TraceBody::MessageSent { from, to, .. }
        | TraceBody::MessageDelivered { from, to, .. }
        | TraceBody::MessageDropped { from, to, .. }
        | TraceBody::MessageDuplicated { from, to, .. }
        | TraceBody::MessageHeld { from, to, .. }
        | TraceBody::MessageReleased { from, to, .. }
        | TraceBody::HandoverPhase { from, to, .. } => vec![*from, *to],
        TraceBody::Partition { groups } | TraceBody::Heal { groups } => {
            groups.iter().flatten().copied().collect()
        }
        other => match mark(other) {
            Some(Row::Mark { node, .. }) => vec![node],
            _ => Vec::new(),
        },
    }
}

/// Prints the rows under a header naming each column.
fn draw(lines: &[Line], nodes: &[NodeId]) -> String {
    let longest = lines
        .iter()
        .filter_map(|l| match &l.row {
            Row::Mark { token, .. } => Some(token.chars().count()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let width = (longest + 2).max(nodes.iter().map(|n| n.to_string().len() + 2).max().unwrap_or(0)).max(5);
    let column: BTreeMap<NodeId, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i * width + width / 2)).collect();
    let span = nodes.len() * width;
    let mut header = vec![' '; span];
    for (node, at) in &column {
        put(&mut header, *at, &node.to_string());
    }
    let mut out = format!("{:>6} {:>6} │{}│ what\n", "step", "tick", header.iter().collect::<String>());
    let mut down: BTreeSet<NodeId> = BTreeSet::new();
    for line in lines {
        if let Row::Mark { node, token } = &line.row {
            match token.as_str() {
                "DOWN" => down.insert(*node),
                "UP" => down.remove(node),
                _ => false,
            };
        }
        let mut cells = vec![' '; span];
        for (node, at) in &column {
            cells[*at] = if down.contains(node) { '┆' } else { '│' };
        }
        paint(&mut cells, &column, &line.row);
        let cells: String = cells.into_iter().collect();
        out.push_str(&format!("{:>6} {:>6} │{cells}│ {}\n", line.step, line.tick, line.label));
    }
    out
}

/// Draws one row's figure over the lanes.
fn paint(cells: &mut [char], column: &BTreeMap<NodeId, usize>, row: &Row) {
    match row {
        Row::Mark { node, token } => {
            if let Some(at) = column.get(node) {
                put(cells, *at, token);
            }
        }
        Row::Across { fill } => cells.iter_mut().for_each(|c| *c = *fill),
        Row::Message { from, to, end, duplicate } => {
            let (Some(&a), Some(&b)) = (column.get(from), column.get(to)) else { return };
            let right = b > a;
            let shaft = match (end, duplicate) {
                (End::Held | End::Released | End::InFlight, _) => '┄',
                (_, true) => '═',
                _ => '─',
            };
            let (lo, hi) = if right { (a, b) } else { (b, a) };
            cells[lo..=hi].iter_mut().for_each(|c| *c = shaft);
            cells[a] = if right { '├' } else { '┤' };
            cells[b] = match end {
                End::Delivered if right => '▶',
                End::Delivered => '◀',
                End::Released if right => '▷',
                End::Released => '◁',
                End::Dropped => '×',
                End::Held => '‖',
                End::InFlight => '…',
            };
        }
    }
}

/// Writes `token` centred on column `at`, clipped to the row.
fn put(cells: &mut [char], at: usize, token: &str) {
    let len = token.chars().count();
    let start = at.saturating_sub(len.saturating_sub(1) / 2);
    for (i, c) in token.chars().enumerate() {
        if let Some(cell) = cells.get_mut(start + i) {
            *cell = c;
        }
    }
}
