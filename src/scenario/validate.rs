//! The rules of a scenario that span fields, checked on the typed scenario
//! once its shape is known to be right (`parse.rs`): timing, membership, and
//! every node a script step names.
//!
//! Script steps are checked in the order the simulator runs them (by `at`,
//! ties in file order, as `Sim::set_schedule` sorts), so a node is known from
//! the step that adds it on; errors still name the step's index in the file.
//! A node stays known after `remove_server`: the simulator keeps it, and a
//! command naming it is skipped at run time with a trace line saying why.

use super::{Highlight, Scenario};
use crate::core::{Member, MemberKind, NodeId, NodeMap, NodeSet, VotingState};
use crate::sim::{run_order, Command, MessageAction, ScriptStep, Target, MAX_NODES};

const WITNESS_CATCHING_UP: &str = "a witness holds no data to catch up on; it joins voting";

/// Checks the cross-field rules; the error names the field path.
pub(super) fn check(scenario: &Scenario) -> Result<(), String> {
    check_members(&scenario.cluster.members)?;
    check_timing(scenario)?;
    super::initial::check_nodes(&scenario.initial, &scenario.cluster.members)?;
    let added = check_script(scenario)?;
    check_pauses(scenario, &added)?;
    // The simulator's own check, last, as a backstop: its messages name the
    // `cluster.` path too.
    scenario.sim_config().validate()
}

fn check_members(members: &[Member]) -> Result<(), String> {
    let mut seen = NodeSet::default();
    for (i, m) in members.iter().enumerate() {
        if !seen.insert(m.id) {
            return Err(format!("cluster.members[{i}].id: node {} appears twice", m.id));
        }
        if m.kind == MemberKind::Witness && m.state == VotingState::CatchingUp {
            return Err(format!("cluster.members[{i}].state: {WITNESS_CATCHING_UP}"));
        }
    }
    // A witness never leads and a learner never votes, so someone must do
    // both (PROTOCOL.md, witnesses).
    if !members.iter().any(|m| m.kind == MemberKind::Data && m.state == VotingState::Voting) {
        return Err("cluster.members: at least one voting data member is required".into());
    }
    Ok(())
}

fn check_timing(scenario: &Scenario) -> Result<(), String> {
    let c = &scenario.cluster;
    // A leader must be heard at least twice per shortest election timeout,
    // or followers time out under a healthy leader.
    let election_min = c.election_ticks[0];
    if c.heartbeat_ticks.saturating_mul(2) > election_min {
        return Err(format!(
            "cluster.heartbeat_ticks: {} is more than half of the minimum election timeout ({election_min} ticks)",
            c.heartbeat_ticks
        ));
    }
    for (id, [own_min, _]) in &c.member_election_ticks {
        if c.heartbeat_ticks.saturating_mul(2) > *own_min {
            let i = c.members.iter().position(|m| m.id == *id).unwrap_or_default();
            return Err(format!(
                "cluster.members[{i}].election_ticks: a minimum of {own_min} ticks is less than twice the heartbeat ({} ticks)",
                c.heartbeat_ticks
            ));
        }
    }
    Ok(())
}

/// The nodes known so far as the script runs, and where each added one
/// came from.
struct Known {
    nodes: NodeSet,
    /// Node → (file index, tick) of the step that adds it.
    added: NodeMap<(usize, u64)>,
}

impl Known {
    fn require(&self, id: NodeId, path: &str, script: &[ScriptStep]) -> Result<(), String> {
        if self.nodes.contains(&id) {
            return Ok(());
        }
        // A node added later (or at the same tick, further down the file)
        // deserves a hint: the order is the likely mistake.
        let later = script
            .iter()
            .enumerate()
            .find(|(_, s)| matches!(s.command, Command::AddServer { node, .. } if node == id));
        match later {
            Some((j, s)) => {
                Err(format!("{path}: node {id} is not a member yet (script[{j}] adds it at tick {})", s.at))
            }
            None => Err(format!("{path}: node {id} is not a member")),
        }
    }

    fn require_target(&self, target: Target, path: &str, script: &[ScriptStep]) -> Result<(), String> {
        match target {
            Target::Node(id) => self.require(id, path, script),
            Target::Leader => Ok(()),
        }
    }
}

/// Checks every step; returns the nodes the script adds.
fn check_script(scenario: &Scenario) -> Result<NodeSet, String> {
    let script = &scenario.script;
    let mut known =
        Known { nodes: scenario.cluster.members.iter().map(|m| m.id).collect(), added: NodeMap::default() };
    for i in run_order(script) {
        check_step(i, script, &mut known)?;
    }
    Ok(known.added.keys().copied().collect())
}

fn check_step(i: usize, script: &[ScriptStep], known: &mut Known) -> Result<(), String> {
    let path = format!("script[{i}]");
    let step = &script[i];
    match &step.command {
        Command::Write { node, .. } | Command::CpAppend { node, .. } => {
            node.map_or(Ok(()), |t| known.require_target(t, &format!("{path}.node"), script))
        }
        Command::Crash { node, .. }
        | Command::Restart { node }
        | Command::TimeoutNow { node }
        | Command::RemoveServer { node }
        | Command::Snapshot { node } => known.require_target(*node, &format!("{path}.node"), script),
        Command::Transfer { to } | Command::Failover { to, .. } => {
            known.require_target(*to, &format!("{path}.to"), script)
        }
        Command::Cut { from, to, .. } => {
            known.require_target(*from, &format!("{path}.from"), script)?;
            known.require_target(*to, &format!("{path}.to"), script)?;
            match (from, to) {
                (Target::Node(a), Target::Node(b)) if a == b => {
                    Err(format!("{path}.to: a link needs two different nodes, got node {a} twice"))
                }
                _ => Ok(()),
            }
        }
        Command::Partition { groups } => check_groups(groups, &path, script, known),
        Command::ChangeVoters { voters } => check_voters(voters, &path, script, known),
        Command::AddServer { node, kind, state } => {
            if *kind == Some(MemberKind::Witness) && *state == Some(VotingState::CatchingUp) {
                return Err(format!("{path}.state: {WITNESS_CATCHING_UP}"));
            }
            add(*node, (i, step.at), &format!("{path}.node"), known)
        }
        Command::SetNetwork { from, to, .. } => {
            if from.is_some() != to.is_some() {
                return Err(format!(
                    "{path}: set_network takes both from and to (one link), or neither (every link)"
                ));
            }
            for (name, end) in [("from", from), ("to", to)] {
                if let Some(t) = end {
                    known.require_target(*t, &format!("{path}.{name}"), script)?;
                }
            }
            Ok(())
        }
        Command::Messages { action, from, to, count, nth, .. } => {
            if count.is_some() && *action != MessageAction::Drop {
                return Err(format!("{path}.count: only drop takes a count (of messages sent later)"));
            }
            if nth.is_some() && matches!(action, MessageAction::Hold | MessageAction::Release) {
                return Err(format!("{path}.nth: hold and release act on every match, not on one"));
            }
            if nth.is_some() && count.is_some() {
                return Err(format!("{path}.nth: a drop of one message in flight takes no count"));
            }
            for (name, end) in [("from", from), ("to", to)] {
                if let Some(t) = end {
                    known.require_target(*t, &format!("{path}.{name}"), script)?;
                }
            }
            Ok(())
        }
        Command::Heal {} => Ok(()),
    }
}

fn add(id: NodeId, source: (usize, u64), path: &str, known: &mut Known) -> Result<(), String> {
    if let Some((j, at)) = known.added.get(&id) {
        return Err(format!("{path}: node {id} is already added by script[{j}] at tick {at}"));
    }
    if known.nodes.contains(&id) {
        return Err(format!("{path}: node {id} is already a member"));
    }
    if known.nodes.len() >= MAX_NODES {
        let n = known.nodes.len() + 1;
        return Err(format!(
            "{path}: the cluster would grow to {n} nodes; the simulator runs at most {MAX_NODES}"
        ));
    }
    known.nodes.insert(id);
    known.added.insert(id, source);
    Ok(())
}

fn check_groups(
    groups: &[Vec<NodeId>],
    path: &str,
    script: &[ScriptStep],
    known: &Known,
) -> Result<(), String> {
    let mut group_of = NodeMap::default();
    for (g, group) in groups.iter().enumerate() {
        for (k, id) in group.iter().enumerate() {
            let item = format!("{path}.groups[{g}][{k}]");
            known.require(*id, &item, script)?;
            if let Some(other) = group_of.insert(*id, g) {
                return Err(format!("{item}: node {id} is already in groups[{other}]"));
            }
        }
    }
    Ok(())
}

fn check_voters(voters: &[NodeId], path: &str, script: &[ScriptStep], known: &Known) -> Result<(), String> {
    let mut seen = NodeSet::default();
    for (k, id) in voters.iter().enumerate() {
        let item = format!("{path}.voters[{k}]");
        known.require(*id, &item, script)?;
        if !seen.insert(*id) {
            return Err(format!("{item}: node {id} appears twice"));
        }
    }
    Ok(())
}

/// A pause about a node must name one that exists at some point of the run.
fn check_pauses(scenario: &Scenario, added: &NodeSet) -> Result<(), String> {
    let members: NodeSet = scenario.cluster.members.iter().map(|m| m.id).collect();
    for (i, pause) in scenario.pauses.iter().enumerate() {
        let lit = match pause.highlight.as_deref().and_then(Highlight::read) {
            Some(Highlight::Node(id) | Highlight::Log(id, _)) => Some(id),
            _ => None,
        };
        for (id, field) in [(pause.node, "node"), (lit, "highlight")] {
            if let Some(id) = id.filter(|id| !members.contains(id) && !added.contains(id)) {
                return Err(format!("pauses[{i}].{field}: node {id} is not a member"));
            }
        }
    }
    Ok(())
}
