//! The leader: its no-op, heartbeats, check quorum, replication to each
//! follower and the commit rule (Raft §5.3, §5.4.2, §8; thesis §6.2).

use super::node_map::NodeMap;

use super::action::Action;
use super::durable::Persist;
use super::entry::{Entry, Index, NodeId, Payload};
use super::error::Error;
use super::message::{AppendOutcome, Body};
use super::node::{LeaderState, Node, RoleState};
use super::progress::{Progress, ProgressState};
use super::report::{CommitReport, CommitRule, ProgressMode};
use super::role_cause::RoleCause;

impl Node {
    /// Takes office: progress for every member, then the no-op of this term
    /// so that it can commit (Raft §8).
    pub(crate) fn become_leader(&mut self, out: &mut Vec<Action>) {
        // The count that won, kept for the leader's term: the trace's
        // `leader_elected` states it per configuration.
        let elected_by = self.election_tally().map(|t| t.quorums).unwrap_or_default();
        let last = self.log.last_index();
        let progress: NodeMap<Progress> = self
            .membership
            .members()
            .into_iter()
            .filter(|id| *id != self.id())
            .map(|id| (id, Progress::new(last)))
            .collect();
        self.role = RoleState::Leader(Box::new(LeaderState {
            progress,
            heartbeat_elapsed: 0,
            term_start_index: last + 1,
            settled_membership: Index::MAX,
            elected_by,
        }));
        self.leader = Some(self.id());
        self.leader_contact_elapsed = Some(0);
        self.role_cause = RoleCause::Won;
        self.append_entries(vec![Payload::Noop], out);
    }

    pub(crate) fn leader_state(&mut self) -> Option<&mut LeaderState> {
        match &mut self.role {
            RoleState::Leader(l) => Some(l),
            _ => None,
        }
    }

    pub(crate) fn tick_leader(&mut self, out: &mut Vec<Action>) {
        let (hb_min, election_min) = (self.cfg.heartbeat_ticks, self.cfg.election_ticks_min);
        let Some(l) = self.leader_state() else { return };
        l.heartbeat_elapsed += 1;
        for p in l.progress.values_mut() {
            p.silent_ticks += 1;
            if let ProgressState::Snapshot { ticks, .. } = &mut p.state {
                *ticks += 1;
            }
        }
        let heartbeat_due = l.heartbeat_elapsed >= hb_min;
        if !self.check_quorum(election_min) {
            return;
        }
        if heartbeat_due {
            if let Some(l) = self.leader_state() {
                l.heartbeat_elapsed = 0;
            }
            self.heartbeat(out);
            self.promote_caught_up_learners(out);
        }
    }

    /// Check quorum (thesis §6.2), at every tick: a leader that has not
    /// heard from a quorum within the minimum election timeout steps down.
    /// Returns false when it stepped down.
    fn check_quorum(&mut self, election_min: u64) -> bool {
        let enabled = self.switches().check_quorum;
        let me = self.id();
        // Borrows the role and the membership side by side: this runs at
        // every tick, too often to copy the membership.
        let RoleState::Leader(l) = &self.role else { return false };
        let heard = |id| l.progress.get(&id).is_some_and(|p| p.silent_ticks < election_min);
        let active = self.membership.has_quorum(|id| id == me || heard(id));
        if enabled && !active {
            let term = self.term;
            self.become_follower(term, None, RoleCause::CheckQuorum);
            return false;
        }
        true
    }

    fn heartbeat(&mut self, out: &mut Vec<Action>) {
        let election_min = self.cfg.election_ticks_min;
        let Some(l) = self.leader_state() else { return };
        for (id, p) in l.progress.iter_mut() {
            match p.state {
                // Resume a probe whose answer may have been lost.
                ProgressState::Probe => p.probe_sent = false,
                // Resend a snapshot that has gone unanswered for too long.
                ProgressState::Snapshot { ticks, .. } if ticks >= election_min => {
                    p.become_probe();
                    p.report_change(*id, ProgressMode::Snapshot, out);
                }
                _ => {}
            }
        }
        self.send_append_all(true, out);
    }

    /// The follower after `after` in id order (0: the first), without
    /// collecting them: `send_append` needs `&mut self` between two.
    pub(crate) fn next_follower(&self, after: NodeId) -> Option<NodeId> {
        match &self.role {
            RoleState::Leader(l) => l.progress.next_key_after(after),
            _ => None,
        }
    }

    /// `send_append` to every follower.
    pub(crate) fn send_append_all(&mut self, heartbeat: bool, out: &mut Vec<Action>) {
        let mut id = 0;
        while let Some(next) = self.next_follower(id) {
            self.send_append(next, heartbeat, out);
            id = next;
        }
    }

    /// Accepts client writes: the leader appends them and sends them on.
    pub(crate) fn propose(&mut self, payloads: Vec<Payload>, out: &mut Vec<Action>) -> Result<(), Error> {
        self.check_can_write()?;
        if payloads.is_empty() {
            return Err(Error::InvalidArgument("a batch needs at least one write".into()));
        }
        self.append_entries(payloads, out);
        Ok(())
    }

    /// Writes are accepted only by a leader that is not handing over and
    /// belongs to its latest configuration. A leader outside it leads only
    /// to commit that configuration (thesis §4.2.2) and then steps down;
    /// were it to append writes meanwhile, those could end up on a witness
    /// alone, which no remaining data voter could then be elected past (a
    /// witness refuses a candidate whose log is behind its own, and cannot
    /// stand itself): the cluster would never elect again.
    pub(crate) fn check_can_write(&self) -> Result<(), Error> {
        if !matches!(self.role, RoleState::Leader(_)) {
            return Err(Error::NotLeader { leader: self.leader });
        }
        if !self.membership.is_voter(self.id()) {
            return Err(Error::NotLeader { leader: None });
        }
        if let Some(h) = &self.handover {
            return Err(Error::HandoverInProgress { to: h.to });
        }
        Ok(())
    }

    /// Client writes, appended without an intermediate payload vector.
    pub(crate) fn propose_writes(
        &mut self,
        batch: Vec<super::entry::Bytes>,
        out: &mut Vec<Action>,
    ) -> Result<(), Error> {
        self.check_can_write()?;
        if batch.is_empty() {
            return Err(Error::InvalidArgument("a batch needs at least one write".into()));
        }
        self.append_entries(batch.into_iter().map(Payload::Write), out);
        Ok(())
    }

    /// Appends entries of the current term, persists them, sends them to
    /// every follower that is not paused, and commits where a quorum allows.
    pub(crate) fn append_entries(
        &mut self,
        payloads: impl IntoIterator<Item = Payload>,
        out: &mut Vec<Action>,
    ) {
        let first = self.log.last_index() + 1;
        let term = self.term;
        let entries: Vec<Entry> = payloads
            .into_iter()
            .enumerate()
            .map(|(i, payload)| Entry { index: first + i as Index, term, payload })
            .collect();
        for e in &entries {
            self.log.push(e.clone());
        }
        out.push(Action::Persist(Persist::Entries(entries)));
        self.send_append_all(false, out);
        self.maybe_commit(out);
    }

    /// Sends `to` what it needs next: entries from its next index, or the
    /// snapshot when those are compacted. A heartbeat goes out even to a
    /// follower with nothing new, carrying the commit watermark.
    pub(crate) fn send_append(&mut self, to: NodeId, heartbeat: bool, out: &mut Vec<Action>) {
        let (max_inflight, max_batch) = (self.cfg.max_inflight, self.cfg.max_batch);
        let Some(p) = self.progress(to) else { return };
        let paused = p.is_paused(max_inflight);
        let next = p.next_index;
        let streaming = p.state == ProgressState::Replicate;
        if paused && !(heartbeat && streaming) {
            return;
        }
        let prev_index = next - 1;
        let Some(prev_term) = self.log.term_at(prev_index) else {
            // Past the end of our log can only mean a follower that holds
            // more than we do (a teaching switch let a lagging node lead):
            // nothing to send until its answers move `next` back.
            if prev_index < self.log.snapshot_index() {
                self.send_snapshot(to, out);
            }
            return;
        };
        let has_new = next <= self.log.last_index();
        if !has_new && !heartbeat {
            return;
        }
        let entries: Vec<Entry> = if paused {
            Vec::new()
        } else if self.membership.is_witness(to) {
            self.log.entries_from(next, max_batch).iter().map(Entry::for_witness).collect()
        } else {
            self.log.entries_from(next, max_batch).to_vec()
        };
        let last = prev_index + entries.len() as Index;
        let carried = !entries.is_empty();
        let body = Body::Append { prev_index, prev_term, entries, commit: self.commit };
        let term = self.term;
        self.send(to, term, body, out);
        if let Some(l) = self.leader_state() {
            if let Some(p) = l.progress.get_mut(&to) {
                p.sent(last, carried);
            }
        }
    }

    pub(crate) fn on_append_reply(&mut self, from: NodeId, outcome: AppendOutcome, out: &mut Vec<Action>) {
        let resume = self.resume_point(&outcome);
        let Some(l) = self.leader_state() else { return };
        let Some(p) = l.progress.get_mut(&from) else { return };
        p.silent_ticks = 0;
        let before = ProgressMode::of(&p.state);
        match outcome {
            AppendOutcome::Accepted { match_index } => {
                let news = p.on_accepted(match_index);
                p.report_change(from, before, out);
                if news {
                    self.maybe_commit(out);
                    self.on_follower_progress(from, out);
                }
            }
            AppendOutcome::Rejected { rejected, .. } => {
                if !p.on_rejected(rejected, resume) {
                    return;
                }
                p.report_change(from, before, out);
            }
        }
        self.send_pending(from, out);
    }

    /// Sends `to` what it can take now: one probe, or, while streaming, as
    /// many appends as the in-flight window allows (pipelining, §4).
    pub(crate) fn send_pending(&mut self, to: NodeId, out: &mut Vec<Action>) {
        let max_inflight = self.cfg.max_inflight;
        self.send_append(to, false, out);
        // Bounded by the window: each pass puts one more append in flight.
        for _ in 1..max_inflight {
            let last = self.log.last_index();
            let more = self.progress(to).is_some_and(|p| {
                p.state == ProgressState::Replicate && !p.is_paused(max_inflight) && p.next_index <= last
            });
            if !more {
                break;
            }
            self.send_append(to, false, out);
        }
    }

    /// Where to resume after a rejection: skip the follower's whole
    /// conflicting term (Raft thesis §5.3), or to where its log ends.
    fn resume_point(&self, outcome: &AppendOutcome) -> Index {
        match *outcome {
            AppendOutcome::Rejected { hint_index, hint_term: Some(term), .. } => {
                match self.log.last_index_of_term(term) {
                    Some(i) => i + 1,
                    None => hint_index,
                }
            }
            AppendOutcome::Rejected { hint_index, .. } => hint_index,
            AppendOutcome::Accepted { match_index } => match_index + 1,
        }
    }

    /// Advances the commit watermark to the highest index stored on a
    /// quorum, but only to an entry of the current term (Raft §5.4.2, the
    /// Figure 8 rule); earlier entries commit with it.
    pub(crate) fn maybe_commit(&mut self, out: &mut Vec<Action>) {
        let me = self.id();
        // Its own copy counts only as far as it is durable (thesis §10.2.1).
        let own = self.own_match();
        let RoleState::Leader(l) = &self.role else { return };
        let quorum_index = self.membership.committed_index(|id| {
            if id == me {
                own
            } else {
                l.progress.get(&id).map_or(0, |p| p.match_index)
            }
        });
        if quorum_index <= self.commit || quorum_index == Index::MAX {
            return;
        }
        let current_term = self.log.term_at(quorum_index) == Some(self.term);
        if !current_term && self.switches().current_term_commit {
            return;
        }
        let rule = if current_term {
            // Terms never decrease along the log: the earlier-term entries
            // this advance commits are those before its first entry of this
            // term. Walks only the newly committed entries.
            let mut own_from = quorum_index;
            while own_from > self.commit + 1 && self.log.term_at(own_from - 1) == Some(self.term) {
                own_from -= 1;
            }
            CommitRule::CurrentTerm { carried: own_from - (self.commit + 1) }
        } else {
            CommitRule::EarlierTerm
        };
        out.push(Action::Committed(CommitReport { index: quorum_index, rule }));
        self.commit = quorum_index;
        self.hard_state_dirty = true;
        self.apply_committed(out);
        // Tell followers at once rather than at the next heartbeat.
        self.send_append_all(true, out);
    }
}
