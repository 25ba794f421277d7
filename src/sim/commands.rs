//! Operator and fault commands: the same functions serve scenario scripts,
//! the CLI and the page.

use crate::core::{Error, Event, HandoverMode, Member, MemberKind, NodeId, NodeSet, VotingState};

use super::command::{Command, FailoverMode, Target};
use super::narrate::{Narration, RestartVote};
use super::trace::{TraceBody, TraceRole, WriteRefusal};
use super::{KvStore, Sim, SimError, SimNode, Transient, MAX_NODES};
use crate::core::{Bytes, DurableState, Node};

impl Sim {
    pub(crate) fn resolve(&self, target: Target) -> Result<NodeId, SimError> {
        match target {
            Target::Leader => {
                self.leader().ok_or_else(|| SimError(format!("no node leads at tick {}", self.now)))
            }
            Target::Node(id) if self.nodes.contains_key(&id) => Ok(id),
            Target::Node(id) => Err(SimError(format!("node {id} is not in the cluster"))),
        }
    }

    fn live(&self, target: Target) -> Result<NodeId, SimError> {
        let id = self.resolve(target)?;
        if self.node(id).is_none() {
            return Err(SimError(format!("node {id} is down")));
        }
        Ok(id)
    }

    fn leader_or_err(&self) -> Result<NodeId, SimError> {
        self.resolve(Target::Leader)
    }

    fn core(&mut self, id: NodeId, event: Event) -> Result<(), SimError> {
        self.step_node(id, event, None).map_err(|e| SimError(format!("node {id} refused: {e}")))
    }

    pub(crate) fn run_command(&mut self, command: &Command) -> Result<(), SimError> {
        match command {
            Command::Write { value, node } => self.write(value, *node),
            Command::Crash { node, after_persist } => {
                let id = self.live(*node)?;
                if *after_persist {
                    super::node_mut(&mut self.nodes, id).expect("resolved").crash_after_persist = true;
                } else {
                    self.crash(id, "operator command");
                }
                Ok(())
            }
            Command::Restart { node } => {
                let id = self.resolve(*node)?;
                if self.node(id).is_some() {
                    return Err(SimError(format!("node {id} is already up")));
                }
                self.restart(id);
                Ok(())
            }
            Command::Partition { groups } => self.partition(groups),
            Command::Messages { action, from, to, msg, count, nth } => {
                self.messages(*action, *from, *to, *msg, *count, *nth)
            }
            Command::Cut { from, to, one_way } => {
                let (a, b) = (self.resolve(*from)?, self.resolve(*to)?);
                if a == b {
                    return Err(SimError(format!("a link needs two different nodes, got {a} twice")));
                }
                self.network.cut(a, b, *one_way);
                let arrow = if *one_way { "→" } else { "↔" };
                let text = format!("link {a}{arrow}{b} is cut: messages across it are lost");
                let groups = vec![vec![a], vec![b]];
                self.emit(TraceBody::Partition { groups }, text);
                Ok(())
            }
            Command::Heal {} => {
                self.network.heal();
                let all: Vec<NodeId> = self.nodes.keys().copied().collect();
                self.emit(TraceBody::Heal { groups: vec![all] }, "every link is restored".to_string());
                Ok(())
            }
            Command::TimeoutNow { node } => {
                let id = self.live(*node)?;
                self.core(id, Event::TimeoutNow)
            }
            // etcd's transfer: writes frozen for at most one election
            // timeout, the longest the target may need to win.
            Command::Transfer { to } => {
                let timeout_ticks = self.config.election_ticks[1];
                self.handover(*to, HandoverMode::Transfer { timeout_ticks })
            }
            Command::Failover { to, mode, deadline_ticks } => {
                let ticks = deadline_ticks.unwrap_or(self.config.election_ticks[1]);
                let mode = match mode {
                    FailoverMode::Coordinated => HandoverMode::Coordinated { deadline_ticks: ticks },
                    FailoverMode::Force => HandoverMode::Force { timeout_ticks: ticks },
                };
                self.handover(*to, mode)
            }
            Command::AddServer { node, kind, state } => self.add_server(*node, *kind, *state),
            Command::RemoveServer { node } => {
                let id = self.resolve(*node)?;
                let leader = self.leader_or_err()?;
                self.core(leader, Event::RemoveServer(id))
            }
            Command::ChangeVoters { voters } => {
                let leader = self.leader_or_err()?;
                let set: NodeSet = voters.iter().copied().collect();
                self.core(leader, Event::ChangeVoters(set))
            }
            Command::CpAppend { entry, node } => self.cp_append(entry, *node),
            Command::Snapshot { node } => {
                let id = self.live(*node)?;
                let n = &self.nodes[&id];
                let index = n.node.as_ref().map_or(0, |x| x.applied_index());
                let data = n.kv.encode();
                self.core(id, Event::Snapshot { index, data })
            }
            Command::SetNetwork { from, to, one_way, delay_ticks, drop, duplicate } => {
                let link = match (from, to) {
                    (Some(a), Some(b)) => Some((self.resolve(*a)?, self.resolve(*b)?)),
                    (None, None) => None,
                    _ => return Err(SimError("set_network: give both from and to, or neither".into())),
                };
                let mut cfg = link.map_or(self.network.config(), |(a, b)| self.network.link_config(a, b));
                cfg.delay_ticks = delay_ticks.unwrap_or(cfg.delay_ticks);
                cfg.drop = drop.unwrap_or(cfg.drop);
                cfg.duplicate = duplicate.unwrap_or(cfg.duplicate);
                cfg.validate("set_network").map_err(SimError)?;
                match link {
                    Some((a, b)) => {
                        self.network.set_link_config(a, b, cfg);
                        if !one_way {
                            self.network.set_link_config(b, a, cfg);
                        }
                    }
                    None => self.network.set_config(cfg),
                }
                Ok(())
            }
        }
    }

    fn write(&mut self, value: &str, node: Option<Target>) -> Result<(), SimError> {
        let id = self.resolve(node.unwrap_or(Target::Leader))?;
        let value = value.to_string();
        if self.node(id).is_none() {
            let text = format!("write {value:?} to node {id} fails: the node is down");
            self.emit(TraceBody::WriteRejected { reason: WriteRefusal::Crashed, value, node: id }, text);
            return Ok(());
        }
        let data = Bytes::from(value.as_bytes());
        let reason = match self.step_node(id, Event::Propose(data), None) {
            Ok(()) => {
                // A node armed to crash after its next persist is gone now,
                // and its client never hears back.
                if let Some(node) = self.node(id) {
                    let (index, term) = (node.log().last_index(), node.term());
                    self.pending.push(super::PendingWrite { node: id, index, term, value });
                }
                return Ok(());
            }
            Err(Error::NotLeader { leader }) => WriteRefusal::NotLeader { leader },
            Err(Error::HandoverInProgress { to }) => WriteRefusal::HandoverInProgress { to },
            Err(e) => return Err(SimError(e.to_string())),
        };
        let text = match &reason {
            WriteRefusal::NotLeader { leader: Some(l) } => {
                format!("node {id} rejects write {value:?}: only the leader accepts writes; it points to node {l}")
            }
            WriteRefusal::NotLeader { leader: None } => {
                format!(
                    "node {id} rejects write {value:?}: only the leader accepts writes, and none is known"
                )
            }
            WriteRefusal::HandoverInProgress { to } => {
                format!("node {id} rejects write {value:?}: it is frozen while handing over to node {to}")
            }
            WriteRefusal::Crashed => format!("write {value:?} fails: node {id} is down"),
        };
        self.emit(TraceBody::WriteRejected { reason, value, node: id }, text);
        Ok(())
    }

    fn handover(&mut self, to: Target, mode: HandoverMode) -> Result<(), SimError> {
        let to = self.resolve(to)?;
        let leader = self.leader_or_err()?;
        self.core(leader, Event::Handover { to, mode })
    }

    fn add_server(
        &mut self,
        id: NodeId,
        kind: Option<MemberKind>,
        state: Option<VotingState>,
    ) -> Result<(), SimError> {
        if self.nodes.contains_key(&id) {
            return Err(SimError(format!("node {id} already exists")));
        }
        if id == 0 || id > 1000 {
            return Err(SimError(format!("node id {id} must be between 1 and 1000")));
        }
        if self.nodes.len() >= MAX_NODES {
            return Err(SimError(format!("the simulator runs at most {MAX_NODES} nodes")));
        }
        let kind = kind.unwrap_or_default();
        // A data member joins as a catching-up learner unless told otherwise;
        // a witness has nothing to catch up on.
        let state = state.unwrap_or(match kind {
            MemberKind::Data => VotingState::CatchingUp,
            MemberKind::Witness => VotingState::Voting,
        });
        let leader = self.leader_or_err()?;
        self.core(leader, Event::AddServer(Member { id, kind, state }))?;
        let mut config = self.config.node_config(id);
        config.kind = kind;
        let config = std::sync::Arc::new(config);
        let node = Node::new(config.clone()).map_err(|e| SimError(e.to_string()))?;
        let sim_node = SimNode {
            config,
            node: Some(node),
            disk: DurableState::default(),
            kv: KvStore::default(),
            crash_after_persist: false,
            spare_log: Transient::default(),
            writes: super::DiskQueue::default(),
            digests: Default::default(),
        };
        self.nodes.insert(id, std::sync::Arc::new(sim_node));
        Ok(())
    }

    fn cp_append(&mut self, entry: &crate::core::CpEntry, node: Option<Target>) -> Result<(), SimError> {
        let id = self.live(node.unwrap_or(Target::Leader))?;
        let result = self.step_node(id, Event::ControlPlane(entry.clone()), None);
        let entry = entry.clone();
        match result {
            Ok(()) => {
                let index = self.node(id).map_or(0, |n| n.log().last_index());
                let text = format!("leader {id} appends control-plane entry {index}: {entry}");
                self.emit(TraceBody::CpAppended { node: id, index, entry }, text);
            }
            Err(e) => {
                let leader = match e {
                    Error::NotLeader { leader } => leader,
                    _ => None,
                };
                let text = format!("node {id} refuses control-plane entry \"{entry}\": {e}");
                let reason = e.to_string();
                self.emit(TraceBody::CpRefused { node: id, leader, entry, reason }, text);
            }
        }
        Ok(())
    }

    fn partition(&mut self, groups: &[Vec<NodeId>]) -> Result<(), SimError> {
        let mut seen = NodeSet::default();
        for (g, group) in groups.iter().enumerate() {
            for id in group {
                if !self.nodes.contains_key(id) {
                    return Err(SimError(format!("groups[{g}]: node {id} is not in the cluster")));
                }
                if !seen.insert(*id) {
                    return Err(SimError(format!("groups[{g}]: node {id} is in two groups")));
                }
            }
        }
        let all: Vec<NodeId> = self.nodes.keys().copied().collect();
        self.network.partition(groups, &all);
        let shown: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
        let text = format!("the network splits into {}: messages between groups are lost", shown.join(" | "));
        self.emit(TraceBody::Partition { groups: groups.to_vec() }, text);
        Ok(())
    }

    /// Crashes node `id`: volatile state is lost, the disk stays.
    pub(crate) fn crash(&mut self, id: NodeId, why: &'static str) {
        self.touch(id);
        let Some(n) = super::node_mut(&mut self.nodes, id) else { return };
        let term = n.node.as_ref().map_or(0, |x| x.term());
        if let Some(lost) = n.node.take() {
            n.spare_log = Transient(lost.into_log().into_entries());
        }
        n.crash_after_persist = false;
        // Writes not yet durable are lost, and the replies waiting on them.
        n.writes = super::DiskQueue::default();
        // A client of a crashed leader never hears back.
        self.pending.retain(|w| w.node != id);
        self.emit(TraceBody::Crash { node: id }, Narration::crashes(id, why));
        let text = Narration::down(id);
        let cause = Some(crate::core::RoleCause::Crash);
        self.emit(TraceBody::RoleChanged { node: id, role: TraceRole::Crashed, term, cause }, text);
    }

    /// Restarts node `id` from its disk alone.
    pub(crate) fn restart(&mut self, id: NodeId) {
        let n = super::node_mut(&mut self.nodes, id).expect("exists");
        let disk = n.disk.copy_for_restart(std::mem::take(&mut n.spare_log).0);
        let Ok((node, actions)) = Node::restart(n.config.clone(), disk) else { return };
        let (role, term) = (super::narrate::trace_role(&node), node.term());
        let n = super::node_mut(&mut self.nodes, id).expect("exists");
        n.node = Some(node);
        n.kv = KvStore::default();
        self.restarted_now.push(id);
        let disk = &self.nodes[&id].disk;
        let vote = match disk.hard_state.voted_for {
            Some(v) => RestartVote::For(v),
            None if !self.config.switches.durable_vote => RestartVote::NotKept,
            None => RestartVote::None,
        };
        self.emit(TraceBody::Restart { node: id }, Narration::restarts(id, term, vote));
        self.emit(
            TraceBody::RoleChanged { node: id, role, term, cause: Some(crate::core::RoleCause::Restart) },
            Narration::back(id, role),
        );
        // The replay emits an event and an applied entry per action: room
        // for a whole log's worth at once, not by repeated doubling.
        self.events.reserve(actions.len());
        self.applied_now.reserve(actions.len());
        self.perform(id, actions, false);
    }
}
