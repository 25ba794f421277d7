//! The node: its state, `step`, and the rules every role shares (term
//! adoption, stale messages, the vote rule); role-specific handling lives in
//! `follower.rs`, `candidate.rs` and `leader.rs`, as in etcd raft.

use std::sync::Arc;

use super::node_map::NodeMap;

use serde::Serialize;

use super::action::Action;
use super::config::{Config, Switches};
use super::durable::{DurableState, HardState, Persist, Snapshot};
use super::entry::{Entry, Index, NodeId, Payload, Term};
use super::error::Error;
use super::event::Event;
use super::handover::Handover;
use super::log::Log;
use super::membership::MemberKind;
use super::membership::Membership;
use super::message::{AppendOutcome, Body, Message};
use super::progress::Progress;
use super::quorum::ConfigTally;
use super::report::VoteReport;
use super::rng::{derive_seed, Rng};
use super::role_cause::RoleCause;
use super::vote::{self, Decision, Refusal, VoteRequest, VoterView};

/// The role a node plays in its term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Follows a leader (or waits for one); may be probing.
    Follower,
    /// Campaigning in its term.
    Candidate,
    /// Leads its term.
    Leader,
}

/// Votes gathered so far in a probe or an election.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) votes: NodeMap<bool>,
}

/// The leader's volatile state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LeaderState {
    pub(crate) progress: NodeMap<Progress>,
    pub(crate) heartbeat_elapsed: u64,
    /// Index of the no-op this leader appended: committing it means the
    /// leader has committed an entry of its own term.
    pub(crate) term_start_index: Index,
    /// The membership index whose commit was last acted on.
    pub(crate) settled_membership: Index,
    /// The per-configuration count that won this term.
    pub(crate) elected_by: Vec<ConfigTally>,
}

/// Role-specific volatile state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RoleState {
    Follower { probe: Option<Tally> },
    Candidate { tally: Tally },
    Leader(Box<LeaderState>),
}

/// A consensus node: sans-I/O and deterministic.
///
/// ```
/// use quorumscope::core::{Action, Config, DurableState, Event, Member, Node, Role};
///
/// // A single-voter cluster elects itself when its timer fires.
/// let mut node = Node::new(Config::new(1, vec![Member::data(1)]))?;
/// let mut actions = Vec::new();
/// // Its host reports each write durable; it counts its own vote (and
/// // then its own copy of its no-op) only once that is so.
/// let mut disk = DurableState::default();
/// while node.role() != Role::Leader {
///     actions = node.step(Event::Tick)?;
///     for action in &actions {
///         if let Action::Persist(write) = action {
///             disk.apply(write);
///         }
///     }
///     if actions.iter().any(|a| matches!(a, Action::Persist(_))) {
///         actions = node.step(Event::Durable(disk.mark()))?;
///     }
/// }
/// // Its vote became durable, so it won, then appended and persisted its no-op.
/// assert!(matches!(actions[0], Action::Persist(_)));
/// assert_eq!(node.term(), 1);
/// # Ok::<(), quorumscope::core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Node {
    /// Shared: fixed for the node's life, and a node is copied on every
    /// change a simulator's clones do not share.
    pub(crate) cfg: Arc<Config>,
    // Durable.
    pub(crate) term: Term,
    pub(crate) voted_for: Option<NodeId>,
    pub(crate) log: Log,
    pub(crate) snapshot: Snapshot,
    pub(crate) commit: Index,
    // Volatile.
    pub(crate) applied: Index,
    pub(crate) membership: Membership,
    pub(crate) membership_index: Index,
    pub(crate) leader: Option<NodeId>,
    pub(crate) role: RoleState,
    /// Why the role (or the node's standing in the configuration) last
    /// changed.
    pub(crate) role_cause: RoleCause,
    pub(crate) election_elapsed: u64,
    pub(crate) election_timeout: u64,
    pub(crate) leader_contact_elapsed: Option<u64>,
    pub(crate) rng: Rng,
    pub(crate) snapshot_requested: bool,
    pub(crate) handover: Option<Handover>,
    pub(crate) hard_state_dirty: bool,
    /// The term and vote the host last reported on disk (`Event::Durable`).
    pub(crate) durable_term_vote: (Term, Option<NodeId>),
    /// How far this node's log is on its disk, as far as the host has
    /// reported: a leader counts its own copy of an entry only up to here.
    pub(crate) durable_index: Index,
}

impl Node {
    /// A fresh node with an empty log and the configuration's membership.
    pub fn new(cfg: impl Into<Arc<Config>>) -> Result<Node, Error> {
        let cfg = cfg.into();
        let membership = cfg.validate()?;
        let snapshot = Snapshot { membership, ..Snapshot::default() };
        Ok(Node::assemble(cfg, HardState::default(), snapshot, Vec::new()))
    }

    /// A node rebuilt from what it persisted, as after a crash. Returns the
    /// actions that rebuild its state machine: restore the snapshot, then
    /// apply the committed entries after it.
    pub fn restart(cfg: impl Into<Arc<Config>>, durable: DurableState) -> Result<(Node, Vec<Action>), Error> {
        let cfg = cfg.into();
        let membership = cfg.validate()?;
        let snapshot = durable.snapshot.unwrap_or(Snapshot { membership, ..Snapshot::default() });
        let mut node = Node::assemble(cfg, durable.hard_state, snapshot, durable.entries);
        let mut out = Vec::new();
        if node.snapshot.index > 0 && node.is_data_member() {
            out.push(Action::RestoreSnapshot(Box::new(node.snapshot.clone())));
        }
        node.apply_committed(&mut out);
        Ok((node, out))
    }

    fn assemble(cfg: Arc<Config>, hs: HardState, snapshot: Snapshot, entries: Vec<Entry>) -> Node {
        let log = Log::from_parts(snapshot.index, snapshot.term, entries);
        // The seed mixes in what this incarnation persisted, so a restarted
        // node does not replay its first life's timer draws.
        let stream = cfg.id ^ (hs.term << 20) ^ (log.last_index() << 40);
        let mut node = Node {
            rng: Rng::new(derive_seed(cfg.seed, stream)),
            term: hs.term,
            voted_for: hs.voted_for,
            commit: hs.commit.max(snapshot.index).min(log.last_index()),
            applied: snapshot.index,
            membership: snapshot.membership.clone(),
            membership_index: snapshot.index,
            log,
            snapshot,
            leader: None,
            role: RoleState::Follower { probe: None },
            role_cause: RoleCause::Restart,
            election_elapsed: 0,
            election_timeout: 0,
            leader_contact_elapsed: None,
            snapshot_requested: false,
            handover: None,
            hard_state_dirty: false,
            // What a node starts or restarts from is on its disk.
            durable_term_vote: (hs.term, hs.voted_for),
            durable_index: 0,
            cfg,
        };
        node.durable_index = node.log.last_index();
        node.reload_membership();
        node.reset_election_timer();
        node
    }

    /// Feeds one event and returns the actions to perform, in order. On
    /// error the node is unchanged.
    pub fn step(&mut self, event: Event) -> Result<Vec<Action>, Error> {
        let mut out = Vec::new();
        self.step_into(event, &mut out)?;
        Ok(out)
    }

    /// `step`, appending the actions to `out` (a host reuses one buffer).
    pub fn step_into(&mut self, event: Event, out: &mut Vec<Action>) -> Result<(), Error> {
        let start = out.len();
        let r = self.step_inner(event, out);
        if r.is_err() {
            out.truncate(start);
        }
        r
    }

    fn step_inner(&mut self, event: Event, out: &mut Vec<Action>) -> Result<(), Error> {
        let before = self.invariant_snapshot();
        match event {
            Event::Tick => self.tick(out),
            Event::Message(m) => self.on_message(m, out),
            Event::Propose(data) => self.propose(vec![Payload::Write(data)], out)?,
            Event::ProposeBatch(batch) => self.propose_writes(batch, out)?,
            Event::ControlPlane(entry) => self.append_control_plane(entry, out)?,
            Event::AddServer(member) => self.add_server(member, out)?,
            Event::RemoveServer(id) => self.remove_server(id, out)?,
            Event::ChangeVoters(voters) => self.change_voters(&voters, out)?,
            Event::Handover { to, mode } => self.start_handover(to, mode, out)?,
            Event::Durable(mark) => self.on_durable(mark, out),
            Event::TimeoutNow => self.operator_timeout(out)?,
            Event::Snapshot { index, data } => self.take_snapshot(index, data, out)?,
        }
        self.settle_handover(out);
        self.flush_hard_state(out);
        self.check_invariants(before);
        Ok(())
    }

    // ---- Accessors --------------------------------------------------------

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.cfg.id
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Current term.
    pub fn term(&self) -> Term {
        self.term
    }

    /// Vote granted in the current term.
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    /// Current role.
    pub fn role(&self) -> Role {
        match self.role {
            RoleState::Follower { .. } => Role::Follower,
            RoleState::Candidate { .. } => Role::Candidate,
            RoleState::Leader(_) => Role::Leader,
        }
    }

    /// Why the role, or the node's standing in the configuration (voter,
    /// learner, outside), last changed.
    pub fn role_cause(&self) -> RoleCause {
        self.role_cause
    }

    /// While leading: the per-configuration count of votes that won the term.
    pub fn elected_by(&self) -> Option<&[ConfigTally]> {
        match &self.role {
            RoleState::Leader(l) => Some(&l.elected_by),
            _ => None,
        }
    }

    /// True while a follower is probing (pre-vote) for the next term.
    pub fn is_probing(&self) -> bool {
        matches!(self.role, RoleState::Follower { probe: Some(_) })
    }

    /// The leader this node knows of.
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    /// The commit watermark as this node knows it.
    pub fn commit_index(&self) -> Index {
        self.commit
    }

    /// Highest applied index.
    pub fn applied_index(&self) -> Index {
        self.applied
    }

    /// The log.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// The log, what is left of a node that is dropped (a crash): a host
    /// may reuse its memory for the log a restart reads back from disk.
    pub fn into_log(self) -> Log {
        self.log
    }

    /// The latest snapshot (index 0 when none was taken).
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The membership in effect (the latest in the log).
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// Ticks since the election timer was reset, and its current timeout.
    pub fn election_timer(&self) -> (u64, u64) {
        (self.election_elapsed, self.election_timeout)
    }

    /// The leader's progress toward `id`, when this node leads.
    pub fn progress(&self, id: NodeId) -> Option<&Progress> {
        match &self.role {
            RoleState::Leader(l) => l.progress.get(&id),
            _ => None,
        }
    }

    /// The handover under way on this node, if any.
    pub fn handover(&self) -> Option<&Handover> {
        self.handover.as_ref()
    }

    /// The hard state as it should be persisted.
    pub fn hard_state(&self) -> HardState {
        HardState {
            term: self.term,
            // With `durable_vote` off the vote lives in memory only, which is
            // exactly the bug the switch demonstrates.
            voted_for: self.voted_for.filter(|_| self.cfg.switches.durable_vote),
            commit: self.commit,
        }
    }

    pub(crate) fn switches(&self) -> &Switches {
        &self.cfg.switches
    }

    /// True unless this node is a witness: its kind, fixed when it was
    /// created, not what the configuration it holds says (a witness added
    /// by the leader is not in its own configuration until that arrives,
    /// and one that was removed is in none).
    pub(crate) fn is_data_member(&self) -> bool {
        self.cfg.kind == MemberKind::Data
    }

    /// True when this node may stand for election: a voting data member of
    /// its latest configuration, or of the committed one while a newer
    /// configuration that leaves it out is pending. Raft thesis §4.2.2: a
    /// server not in its latest configuration may still be needed until
    /// that configuration commits, so it may campaign and lead (its own
    /// vote not counted) until then; otherwise nodes that hold the new
    /// configuration may refuse every candidate they could elect.
    pub(crate) fn may_stand(&self) -> bool {
        if !self.is_data_member() {
            return false;
        }
        if self.membership.can_stand(self.id()) {
            return true;
        }
        self.membership_index > self.commit && self.membership_at(self.commit).can_stand(self.id())
    }

    // ---- Shared machinery -------------------------------------------------

    /// Queues a message; a pending hard-state write is flushed first so that
    /// nothing is ever sent that depends on an unpersisted term or vote.
    pub(crate) fn send(&mut self, to: NodeId, term: Term, body: Body, out: &mut Vec<Action>) {
        self.flush_hard_state(out);
        out.push(Action::Send(Message { from: self.id(), to, term, body }));
    }

    pub(crate) fn flush_hard_state(&mut self, out: &mut Vec<Action>) {
        if self.hard_state_dirty {
            self.hard_state_dirty = false;
            out.push(Action::Persist(Persist::HardState(self.hard_state())));
        }
    }

    pub(crate) fn reset_election_timer(&mut self) {
        self.election_elapsed = 0;
        self.election_timeout =
            self.rng.range_inclusive(self.cfg.election_ticks_min, self.cfg.election_ticks_max);
    }

    /// Steps down to follower in `term`, for `cause`. A higher term clears
    /// the vote.
    pub(crate) fn become_follower(&mut self, term: Term, leader: Option<NodeId>, cause: RoleCause) {
        self.role_cause = cause;
        if term > self.term {
            self.term = term;
            self.voted_for = None;
            self.hard_state_dirty = true;
        }
        let was_leader = matches!(self.role, RoleState::Leader(_));
        self.role = RoleState::Follower { probe: None };
        self.leader = leader;
        if leader.is_some() {
            self.leader_contact_elapsed = Some(0);
        }
        // As etcd does, any step down restarts the timer with a fresh draw.
        // The paper's rule (Figure 2, `paper_timer`) restarts it only on
        // hearing the leader (or granting a vote, `on_vote`): a node that
        // adopts a higher term or loses an election keeps its running
        // timer. A leader had none running, so it starts one.
        if !self.cfg.paper_timer || leader.is_some() || was_leader {
            self.reset_election_timer();
        }
    }

    /// A leader this node heard from within the minimum election timeout
    /// (a leader counts itself).
    pub(crate) fn live_leader(&self) -> Option<NodeId> {
        if matches!(self.role, RoleState::Leader(_)) {
            return Some(self.id());
        }
        let recent = self.leader_contact_elapsed.is_some_and(|t| t < self.cfg.election_ticks_min);
        self.leader.filter(|_| recent)
    }

    /// Re-derives the membership from the latest configuration entry in the
    /// log, or from the snapshot (Raft thesis §4.1: the latest, committed or
    /// not, is in effect).
    pub(crate) fn reload_membership(&mut self) {
        let latest = self.log.entries().iter().rev().find_map(|e| match &e.payload {
            Payload::Config(m) => Some((e.index, (**m).clone())),
            _ => None,
        });
        let (index, membership) = latest.unwrap_or((self.snapshot.index, self.snapshot.membership.clone()));
        self.membership_index = index;
        self.membership = membership;
    }

    /// The membership in effect at `index`.
    pub(crate) fn membership_at(&self, index: Index) -> Membership {
        self.log
            .range(self.log.snapshot_index() + 1, index)
            .iter()
            .rev()
            .find_map(|e| match &e.payload {
                Payload::Config(m) => Some((**m).clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.snapshot.membership.clone())
    }

    /// Applies committed entries in order, each exactly once.
    pub(crate) fn apply_committed(&mut self, out: &mut Vec<Action>) {
        // The committed entries not yet applied, as one slice of the log (it
        // stops early where the log does): a restart applies its whole
        // committed log here, and extending by a slice sizes `out` once.
        let pending =
            self.log.entries_from(self.applied + 1, self.commit.saturating_sub(self.applied) as usize);
        // A witness holds metadata only and never applies.
        if self.is_data_member() {
            out.extend(pending.iter().cloned().map(Action::Apply));
        }
        self.applied += pending.len() as Index;
        self.after_apply(out);
    }

    fn after_apply(&mut self, out: &mut Vec<Action>) {
        self.maybe_snapshot_hint(out);
        self.after_commit_reconfigure(out);
    }

    // ---- Ticks --------------------------------------------------------------

    fn tick(&mut self, out: &mut Vec<Action>) {
        self.tick_handover(out);
        if let Some(t) = self.leader_contact_elapsed.as_mut() {
            *t = t.saturating_add(1);
        }
        if matches!(self.role, RoleState::Leader(_)) {
            self.tick_leader(out);
            return;
        }
        self.election_elapsed += 1;
        if self.election_elapsed >= self.election_timeout {
            if self.may_stand() {
                self.campaign(false, false, out);
            } else {
                self.reset_election_timer();
            }
        }
    }

    fn operator_timeout(&mut self, out: &mut Vec<Action>) -> Result<(), Error> {
        if !self.may_stand() {
            return Err(Error::InvalidArgument(format!(
                "node {} cannot stand for election: only voting data members campaign",
                self.id()
            )));
        }
        if matches!(self.role, RoleState::Leader(_)) {
            return Err(Error::InvalidArgument(format!("node {} already leads", self.id())));
        }
        self.campaign(false, false, out);
        Ok(())
    }

    // ---- Messages: the shared rules -----------------------------------------

    fn on_message(&mut self, m: Message, out: &mut Vec<Action>) {
        if m.to != self.id() {
            return;
        }
        match m.body {
            // Probes change no term on either side (PROTOCOL.md §3.2).
            Body::Probe { last_index, last_term } => return self.on_probe(&m, last_index, last_term, out),
            Body::ProbeReply { ref decision } => {
                // A refusal that reveals a later term than ours (the voter
                // voted in it, or is in it) is news like any higher term:
                // without it a stale prober and a voter a term ahead could
                // refuse each other forever.
                let revealed = match decision {
                    Decision::Refused(Refusal::AlreadyVoted { term, .. }) => *term,
                    Decision::Refused(Refusal::StaleTerm { voter_term, .. }) => *voter_term,
                    _ => 0,
                };
                if revealed > self.term {
                    return self.become_follower(revealed, None, RoleCause::HigherTerm);
                }
                return self.on_probe_reply(m.from, m.term, decision.is_granted(), out);
            }
            _ => {}
        }
        if m.term > self.term {
            match m.body {
                Body::Vote { transfer, .. } => {
                    // Stickiness: a voter that heard from a live leader never
                    // adopts the term of a non-forced request.
                    // The live leader itself asking is no disruption (and
                    // the vote rule grants it), so its term is adopted.
                    let sticky = self.switches().stickiness
                        && !transfer
                        && self.live_leader().is_some_and(|l| l != m.from);
                    if !sticky {
                        let cause = self.higher_term_cause();
                        self.become_follower(m.term, None, cause);
                    }
                }
                Body::Append { .. } | Body::Snapshot { .. } | Body::TimeoutNow { .. } => {
                    let cause = self.higher_term_cause();
                    self.become_follower(m.term, Some(m.from), cause)
                }
                _ => {
                    let cause = self.higher_term_cause();
                    self.become_follower(m.term, None, cause)
                }
            }
        } else if m.term < self.term {
            match m.body {
                Body::Vote { .. } => {}
                // Answer a stale leader with our term so that it steps down.
                Body::Append { prev_index, .. } => {
                    let outcome = AppendOutcome::Rejected {
                        rejected: prev_index,
                        hint_index: self.log.last_index() + 1,
                        hint_term: None,
                    };
                    return self.send(m.from, self.term, Body::AppendReply { outcome }, out);
                }
                Body::Snapshot { .. } => {
                    let index = self.commit;
                    return self.send(m.from, self.term, Body::SnapshotReply { index }, out);
                }
                _ => return,
            }
        }
        self.dispatch(m, out);
    }

    /// The cause of stepping down to a higher term: part of a handover when
    /// this leader has handed over (the new term is its target's), else
    /// the plain higher-term rule.
    fn higher_term_cause(&self) -> RoleCause {
        let handing_over = self.handover.is_some_and(|h| h.handed_over());
        if handing_over && matches!(self.role, RoleState::Leader(_)) {
            RoleCause::Handover
        } else {
            RoleCause::HigherTerm
        }
    }

    fn dispatch(&mut self, m: Message, out: &mut Vec<Action>) {
        let from = m.from;
        match m.body {
            Body::Vote { last_index, last_term, transfer, force } => {
                let req = VoteRequest {
                    term: m.term,
                    candidate: from,
                    last_index,
                    last_term,
                    probe: false,
                    transfer,
                    force,
                };
                self.on_vote(req, out);
            }
            Body::VoteReply { decision } => self.on_vote_reply(from, decision.is_granted(), out),
            Body::Append { prev_index, prev_term, entries, commit } => {
                self.on_append(from, prev_index, prev_term, entries, commit, out)
            }
            Body::AppendReply { outcome } => self.on_append_reply(from, outcome, out),
            Body::Snapshot { snapshot } => self.on_install_snapshot(from, *snapshot, out),
            Body::SnapshotReply { index } => self.on_snapshot_reply(from, index, out),
            Body::TimeoutNow { force } => self.on_timeout_now(force, out),
            Body::Probe { .. } | Body::ProbeReply { .. } => {}
        }
    }

    /// What the vote rule sees for `req`. A learner (or a node outside the
    /// configuration) whose log is behind the candidate's may have been
    /// promoted in entries it has not received yet: the candidate asks only
    /// nodes its own configuration counts as voters. Refusing it then could
    /// deadlock a joint change whose new voters never heard of it, so such a
    /// node votes by the ordinary rules; granting an extra vote is always
    /// safe, since the candidate counts only its own voters (etcd does the
    /// same).
    fn voter_view_for(&self, req: &VoteRequest) -> VoterView {
        let mut view = self.voter_view();
        if !view.is_voter && (req.last_term, req.last_index) > (view.last_term, view.last_index) {
            view.is_voter = true;
        }
        view
    }

    fn voter_view(&self) -> VoterView {
        VoterView {
            is_voter: self.membership.is_voter(self.id()),
            term: self.term,
            voted_for: self.voted_for,
            last_index: self.log.last_index(),
            last_term: self.log.last_term(),
            watermark: self.commit,
            live_leader: self.live_leader(),
        }
    }

    fn on_probe(&mut self, m: &Message, last_index: Index, last_term: Term, out: &mut Vec<Action>) {
        let req = VoteRequest {
            term: m.term,
            candidate: m.from,
            last_index,
            last_term,
            probe: true,
            transfer: false,
            force: false,
        };
        let decision = vote::decide(&self.voter_view_for(&req), &req, self.switches());
        out.push(Action::Voted(self.vote_report(&req)));
        // The reply echoes the proposed term: nothing changed here.
        self.send(m.from, m.term, Body::ProbeReply { decision }, out);
    }

    fn on_vote(&mut self, req: VoteRequest, out: &mut Vec<Action>) {
        let decision = vote::decide(&self.voter_view_for(&req), &req, self.switches());
        if decision == Decision::Granted {
            debug_assert_eq!(req.term, self.term, "a vote granted for a term not adopted");
            self.voted_for = Some(req.candidate);
            self.hard_state_dirty = true;
            self.reset_election_timer();
        }
        out.push(Action::Voted(self.vote_report(&req)));
        // `send` persists the grant before the reply leaves.
        self.send(req.candidate, self.term, Body::VoteReply { decision }, out);
    }

    /// The facts of a judged request, for the host's trace.
    fn vote_report(&self, req: &VoteRequest) -> VoteReport {
        VoteReport {
            candidate: req.candidate,
            probe: req.probe,
            asked_term: req.term,
            last_index: req.last_index,
            last_term: req.last_term,
            guarded: vote::log_guards_apply(req, self.switches()),
            forced_past_guards: req.force
                && self.switches().log_guards
                && !self.switches().force_respects_vote_rule,
        }
    }

    // ---- Invariants ---------------------------------------------------------

    fn invariant_snapshot(&self) -> (Term, Option<NodeId>, Index) {
        (self.term, self.voted_for, self.commit)
    }

    /// Debug assertions after every step (TigerBeetle style). Checks that a
    /// teaching switch deliberately breaks are skipped while it is off.
    fn check_invariants(&self, before: (Term, Option<NodeId>, Index)) {
        if !cfg!(debug_assertions) {
            return;
        }
        let (term, vote, commit) = before;
        assert!(self.term >= term, "term went back");
        if self.term == term && vote.is_some() {
            assert_eq!(self.voted_for, vote, "vote changed within term {term}");
        }
        assert!(self.commit >= commit, "commit went back");
        assert!(self.log.snapshot_index() <= self.applied, "snapshot beyond applied");
        assert!(self.applied <= self.commit, "applied beyond commit");
        if self.switches().keep_committed_safe() {
            assert!(self.commit <= self.log.last_index(), "commit beyond the log");
        }
    }
}
