//! Two variants of a scenario side by side: run both in lockstep, find the
//! first step where their traces differ and explain it from the events'
//! own fields, and summarize what differs by the end (leaders and terms,
//! commits, acknowledged writes, violations).
//!
//! The one place this is worked out: `quorumscope diff` prints it and the
//! page's Compare view shows it (through `wasm.rs`). Neither run keeps its
//! trace: each step's events are compared and tallied as they come, so a
//! comparison costs two runs' time and almost no memory.

use serde::Serialize;

use crate::scenario::Scenario;
use crate::sim::{Sim, TraceBody, TraceEvent};

/// Steps a comparison takes at most per tick of the horizon (with a floor),
/// as `quorumscope run` bounds a run: a pathological file cannot loop.
const STEPS_PER_TICK_MAX: u64 = 10_000;

/// The result of comparing run A with run B.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The tick both runs went to.
    pub until: u64,
    /// The first step where the traces differ; `None` if they never do.
    pub divergence: Option<Divergence>,
    /// What each run did, topic by topic, A beside B.
    pub summary: Vec<SummaryRow>,
    /// The steps each run took to reach `until`: A's, then B's.
    pub steps: [u64; 2],
}

/// The first step at which the two traces differ.
#[derive(Clone, Debug, Serialize)]
pub struct Divergence {
    /// The step (the same number in both runs: every step before it matched).
    pub step: u64,
    /// The tick of that step in A (in B when A had ended).
    pub tick: u64,
    /// One line naming what happened differently, from the events' fields.
    pub headline: String,
    /// A's events at that step that B does not have, in order.
    pub only_a: Vec<TraceEvent>,
    /// B's events at that step that A does not have, in order.
    pub only_b: Vec<TraceEvent>,
}

/// One topic of the summary: what A did, what B did, and whether it is the
/// same.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryRow {
    /// `leaders`, `highest term`, `commit`, `acknowledged writes`, ...
    pub topic: &'static str,
    /// Run A, as text.
    pub a: String,
    /// Run B, as text.
    pub b: String,
    /// Whether the two are the same.
    pub same: bool,
}

/// The tick a comparison runs to unless told: the longer of the two
/// scenarios' `run_until`, so that neither run is cut short.
pub fn default_until(a: &Scenario, b: &Scenario) -> u64 {
    a.run_until.max(b.run_until)
}

/// Runs `a` and `b` until tick `until` and compares them. The error is a
/// scenario that cannot be built (its message names the field).
pub fn compare(a: &Scenario, b: &Scenario, until: u64) -> Result<Comparison, String> {
    let mut run_a = Run::new(a)?;
    let mut run_b = Run::new(b)?;
    let max_steps = until.saturating_mul(STEPS_PER_TICK_MAX).max(1_000_000);
    let mut divergence = None;
    let (mut events_a, mut events_b) = (Vec::new(), Vec::new());
    while run_a.going(until, max_steps) || run_b.going(until, max_steps) {
        let step = run_a.sim.step_count().max(run_b.sim.step_count());
        run_a.step(until, max_steps, &mut events_a);
        run_b.step(until, max_steps, &mut events_b);
        if divergence.is_none() {
            let (lines_a, lines_b) = (json_lines(&events_a), json_lines(&events_b));
            if lines_a != lines_b {
                divergence = Some(explain(step, &events_a, &lines_a, &events_b, &lines_b));
            }
        }
        events_a.clear();
        events_b.clear();
    }
    let steps = [run_a.sim.step_count(), run_b.sim.step_count()];
    Ok(Comparison { until, divergence, summary: run_a.tally.rows(&run_b.tally), steps })
}

/// One of the two runs, with its running tally.
struct Run {
    sim: Sim,
    tally: Tally,
}

impl Run {
    fn new(scenario: &Scenario) -> Result<Run, String> {
        Ok(Run { sim: scenario.build().map_err(|e| e.0)?, tally: Tally::default() })
    }

    fn going(&self, until: u64, max_steps: u64) -> bool {
        self.sim.now() < until && self.sim.step_count() < max_steps
    }

    /// One step's events into `events` (none once the run has ended).
    fn step(&mut self, until: u64, max_steps: u64, events: &mut Vec<TraceEvent>) {
        if self.going(until, max_steps) {
            self.sim.step_into(events);
            for e in events.iter() {
                self.tally.add(e);
            }
        }
    }
}

/// Events as their JSON lines: two events are the same when their lines
/// are (kind, fields, tick and sentence). Comparing text rather than
/// deriving `PartialEq` for every trace type keeps the wasm module small:
/// the page already carries the JSON writer.
fn json_lines(events: &[TraceEvent]) -> Vec<String> {
    events.iter().map(TraceEvent::to_json_line).collect()
}

/// The first step's difference, as a headline and the unmatched events.
fn explain(
    step: u64,
    a: &[TraceEvent],
    lines_a: &[String],
    b: &[TraceEvent],
    lines_b: &[String],
) -> Divergence {
    let only_a = unmatched(a, lines_a, lines_b);
    let only_b = unmatched(b, lines_b, lines_a);
    let tick = a.first().or(b.first()).map_or(0, |e| e.tick);
    let what = match (only_a.first(), only_b.first()) {
        (Some(x), _) => headline(x, "A", counterpart(x, &only_b), "B"),
        (None, Some(y)) => headline(y, "B", None, "A"),
        // Every event matched: the same events in another order.
        (None, None) => "the same events, in another order".into(),
    };
    let headline = format!("step {step} (tick {tick}): {what}");
    Divergence { step, tick, headline, only_a, only_b }
}

/// Events of `mine` whose line has no equal in `theirs` (each of theirs
/// matches one of mine at most), in order.
fn unmatched(mine: &[TraceEvent], mine_lines: &[String], theirs: &[String]) -> Vec<TraceEvent> {
    let mut used = vec![false; theirs.len()];
    let mut out = Vec::new();
    for (e, line) in mine.iter().zip(mine_lines) {
        match theirs.iter().enumerate().position(|(i, t)| !used[i] && t == line) {
            Some(i) => used[i] = true,
            None => out.push(e.clone()),
        }
    }
    out
}

/// The other run's first unmatched event about the same node, else its
/// first unmatched event.
fn counterpart<'a>(x: &TraceEvent, others: &'a [TraceEvent]) -> Option<&'a TraceEvent> {
    let node = subject(&x.body);
    others.iter().find(|y| node.is_some() && subject(&y.body) == node).or(others.first())
}

/// The node an event is about: the voter of a decision, the receiver of a
/// delivery, the sender of other messages, the leader of a progress change.
fn subject(body: &TraceBody) -> Option<u64> {
    use TraceBody as B;
    Some(match body {
        B::MessageDelivered { to, .. } | B::MessageDropped { to, .. } => *to,
        B::MessageSent { from, .. }
        | B::MessageDuplicated { from, .. }
        | B::MessageHeld { from, .. }
        | B::MessageReleased { from, .. } => *from,
        B::ProbeGranted { voter, .. }
        | B::ProbeRefused { voter, .. }
        | B::VoteGranted { voter, .. }
        | B::VoteRefused { voter, .. } => *voter,
        B::ProgressChanged { leader, .. } => *leader,
        B::TermChanged { node, .. }
        | B::RoleChanged { node, .. }
        | B::LeaderElected { node, .. }
        | B::LeaderDeposed { node, .. }
        | B::EntryAppended { node, .. }
        | B::CommitAdvanced { node, .. }
        | B::Applied { node, .. }
        | B::WriteAcked { node, .. }
        | B::WriteRejected { node, .. }
        | B::Crash { node }
        | B::Restart { node }
        | B::MembershipChanged { node, .. }
        | B::SnapshotTaken { node, .. }
        | B::SnapshotInstalled { node, .. }
        | B::CpAppended { node, .. }
        | B::CpRefused { node, .. } => *node,
        _ => return None,
    })
}

/// A vote or probe decision: (what, voter, candidate, refusal code if any).
fn decision(body: &TraceBody) -> Option<(&'static str, u64, u64, Option<&'static str>)> {
    use TraceBody as B;
    match body {
        B::ProbeGranted { voter, candidate, .. } => Some(("probe request", *voter, *candidate, None)),
        B::ProbeRefused { voter, candidate, reason, .. } => {
            Some(("probe request", *voter, *candidate, Some(reason.code())))
        }
        B::VoteGranted { voter, candidate, .. } => Some(("vote request", *voter, *candidate, None)),
        B::VoteRefused { voter, candidate, reason, .. } => {
            Some(("vote request", *voter, *candidate, Some(reason.code())))
        }
        _ => None,
    }
}

/// The headline, after `step S (tick T): `: the same decision answered
/// differently is said as such ("node 3 answers node 2's vote request
/// differently: grants it in A and refuses it in B: log_behind"); anything
/// else by the events' own sentences.
fn headline(x: &TraceEvent, x_run: &str, y: Option<&TraceEvent>, y_run: &str) -> String {
    let answer = |code: Option<&str>, run: &str| match code {
        None => format!("grants it in {run}"),
        Some(code) => format!("refuses it in {run}: {code}"),
    };
    let dx = decision(&x.body);
    let dy = y.and_then(|y| decision(&y.body));
    match (dx, dy, y) {
        (Some((what, voter, candidate, cx)), Some((_, _, _, cy)), _)
            if dy.is_some_and(|d| (d.0, d.1, d.2) == (what, voter, candidate)) =>
        {
            let same = if cx == cy { " (with other figures)" } else { "" };
            format!(
                "node {voter} answers node {candidate}'s {what} differently: {} and {}{same}",
                answer(cx, x_run),
                answer(cy, y_run)
            )
        }
        (_, _, Some(y)) => format!("in {x_run}, {}; in {y_run}, {}", x.text, y.text),
        (_, _, None) => format!("only in {x_run}: {}", x.text),
    }
}

/// What a run did, counted as its events pass.
#[derive(Default)]
struct Tally {
    /// `node@tTERM` for each election won, in order.
    leaders: Vec<String>,
    deposed: u64,
    highest_term: u64,
    /// The highest commit watermark any node reached.
    commit: u64,
    /// `index=value` of each acknowledged write, in order.
    acked: Vec<String>,
    rejected: u64,
    /// `property at step S` for each violation.
    violations: Vec<String>,
}

impl Tally {
    fn add(&mut self, e: &TraceEvent) {
        match &e.body {
            TraceBody::LeaderElected { node, term, .. } => self.leaders.push(format!("{node}@t{term}")),
            TraceBody::LeaderDeposed { .. } => self.deposed += 1,
            TraceBody::TermChanged { term, .. } => self.highest_term = self.highest_term.max(*term),
            TraceBody::CommitAdvanced { index, .. } => self.commit = self.commit.max(*index),
            TraceBody::WriteAcked { index, value, .. } => self.acked.push(format!("{value}@{index}")),
            TraceBody::WriteRejected { .. } => self.rejected += 1,
            TraceBody::Violation { property, .. } => {
                self.violations.push(format!("{} at step {}", property.name(), e.step))
            }
            _ => {}
        }
    }

    /// The summary rows, this run as A and `b` as B.
    fn rows(&self, b: &Tally) -> Vec<SummaryRow> {
        let rows = TOPICS.iter().zip(self.texts()).zip(b.texts());
        rows.map(|((topic, a), b)| SummaryRow { topic, same: a == b, a, b }).collect()
    }

    /// This run's value for each of [`TOPICS`]. Never inlined: one copy
    /// of the formatting for both runs keeps the wasm module smaller.
    #[inline(never)]
    fn texts(&self) -> [String; 7] {
        [
            list(&self.leaders),
            self.deposed.to_string(),
            self.highest_term.to_string(),
            self.commit.to_string(),
            list(&self.acked),
            self.rejected.to_string(),
            list(&self.violations),
        ]
    }
}

/// The summary's topics, in the order [`Tally::texts`] gives them.
const TOPICS: [&str; 7] = [
    "leaders (node@term)",
    "leaders deposed",
    "highest term",
    "highest commit",
    "acknowledged writes (value@index)",
    "rejected writes",
    "violations",
];

/// `none`, or how many and the items.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        format!("{}: {}", items.len(), items.join(", "))
    }
}
