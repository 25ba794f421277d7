//! Leadership transfer and failover (PROTOCOL.md §7): freeze, catch-up,
//! hand over, demote, and the outcome.

use serde::Serialize;

use super::entry::{Index, NodeId, Term};

/// How a handover treats a target that has not caught up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverMode {
    /// Abort at the deadline: writes resume, no term changes.
    Coordinated {
        /// Ticks to wait for the target to reach the frontier.
        deadline_ticks: u64,
    },
    /// Hand over at the timeout anyway, skipping the uncommitted tail.
    Force {
        /// Ticks to wait before handing over regardless.
        timeout_ticks: u64,
    },
    /// A leadership transfer as etcd does it: catch up, hand over, and end
    /// the whole freeze (catch-up and election) within `timeout_ticks`
    /// (one election timeout), leading on if the target has not won.
    Transfer {
        /// Ticks the whole handover may freeze writes for.
        timeout_ticks: u64,
    },
}

impl HandoverMode {
    /// True for `Force`.
    pub fn is_forced(self) -> bool {
        matches!(self, HandoverMode::Force { .. })
    }

    /// Ticks the catch-up may take.
    pub fn limit_ticks(self) -> u64 {
        match self {
            HandoverMode::Coordinated { deadline_ticks } => deadline_ticks,
            HandoverMode::Force { timeout_ticks } | HandoverMode::Transfer { timeout_ticks } => timeout_ticks,
        }
    }
}

/// The four visible phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The leader stops accepting writes and records the frontier.
    Freeze,
    /// The target is replicated to until it reaches the frontier.
    CatchUp,
    /// The target is told to campaign at once.
    HandOver,
    /// The old leader follows the new one.
    Demote,
}

/// A phase change, as an action reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PhaseReport {
    /// The phase entered.
    pub phase: Phase,
    /// The old leader.
    pub from: NodeId,
    /// The target.
    pub to: NodeId,
    /// The old leader's last index at the freeze.
    pub frontier: Index,
    /// The target's match index.
    pub reached: Index,
}

/// How a handover ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverResult {
    /// The target leads.
    Completed,
    /// Called off before the hand-over; writes resumed on the old leader.
    Aborted,
    /// Handed over, but the target did not win (the vote rule refused it).
    Refused,
}

/// Why a handover did not complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverFailure {
    /// The target did not reach the frontier by the deadline.
    CatchUpTimedOut,
    /// The old leader lost leadership before handing over.
    LeadershipLost,
    /// Another node won the election that followed.
    OtherLeaderElected,
    /// No leader emerged in time after the hand-over.
    NoLeaderElected,
    /// The target never stood for election (the hand-over signal was lost
    /// or could not be acted on): the old leader still leads its term and
    /// writes resume.
    TargetDidNotCampaign,
    /// A new transfer to another node replaced this one.
    Superseded,
    /// A transfer to the leader itself called this one off.
    Cancelled,
}

/// The outcome of a handover, with every figure the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct HandoverOutcome {
    /// Completed, aborted or refused.
    pub result: HandoverResult,
    /// Why, when not completed.
    pub failure: Option<HandoverFailure>,
    /// The old leader.
    pub from: NodeId,
    /// The target.
    pub to: NodeId,
    /// Whether the mode was `Force`.
    pub forced: bool,
    /// The term the new leader leads in (completed or refused with a new
    /// leader), else none.
    pub new_term: Option<Term>,
    /// The node leading afterwards, if known.
    pub new_leader: Option<NodeId>,
    /// The old leader's last index at the freeze.
    pub frontier: Index,
    /// The target's match index when handed over (or at the abort).
    pub reached: Index,
    /// Entries past `reached` handed over without: `frontier − reached`
    /// for a completed forced hand-over, else 0.
    pub skipped: Index,
    /// Ticks from the freeze to the hand-over (or abort).
    pub waited: u64,
}

/// A handover under way on the old leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Handover {
    /// The target.
    pub to: NodeId,
    /// The mode.
    pub mode: HandoverMode,
    /// The old leader's last index at the freeze.
    pub frontier: Index,
    /// The target's match index so far.
    pub reached: Index,
    /// The term the old leader led in.
    pub term: Term,
    /// Ticks since the freeze.
    pub waited: u64,
    /// Ticks at which the hand-over signal was sent, once it was.
    pub handed_over_at: Option<u64>,
}

impl Handover {
    /// True once the target has been told to campaign.
    pub fn handed_over(&self) -> bool {
        self.handed_over_at.is_some()
    }

    /// The phase report for `phase`.
    pub fn report(&self, phase: Phase, from: NodeId) -> PhaseReport {
        PhaseReport { phase, from, to: self.to, frontier: self.frontier, reached: self.reached }
    }

    /// The outcome with `result`, from the old leader `from`.
    pub fn outcome(
        &self,
        from: NodeId,
        result: HandoverResult,
        failure: Option<HandoverFailure>,
        new_leader: Option<(NodeId, Term)>,
    ) -> HandoverOutcome {
        let waited = self.handed_over_at.unwrap_or(self.waited);
        let forced = self.mode.is_forced();
        let skipped = if forced && self.handed_over() && result == HandoverResult::Completed {
            self.frontier.saturating_sub(self.reached)
        } else {
            0
        };
        HandoverOutcome {
            result,
            failure,
            from,
            to: self.to,
            forced,
            new_term: new_leader.map(|(_, t)| t),
            new_leader: new_leader.map(|(l, _)| l),
            frontier: self.frontier,
            reached: self.reached,
            skipped,
            waited,
        }
    }
}

use super::action::Action;
use super::error::Error;
use super::message::Body;
use super::node::{Node, RoleState};

impl Node {
    /// Freeze: stop accepting writes, record the frontier, then catch the
    /// target up, or hand over at once when it is already there.
    pub(crate) fn start_handover(
        &mut self,
        to: NodeId,
        mode: HandoverMode,
        out: &mut Vec<Action>,
    ) -> Result<(), Error> {
        if !matches!(self.role, RoleState::Leader(_)) {
            return Err(Error::NotLeader { leader: self.leader });
        }
        // As etcd: a handover to the node already targeted goes on as it
        // is; one to another node replaces it; one to the leader itself
        // calls it off.
        if let Some(h) = self.handover {
            if h.to == to {
                return Ok(());
            }
            let failure =
                if to == self.id() { HandoverFailure::Cancelled } else { HandoverFailure::Superseded };
            if to != self.id() && !self.membership.can_stand(to) {
                return Err(Error::InvalidArgument(format!(
                    "node {to} cannot lead: only a voting data member can take over"
                )));
            }
            self.handover = None;
            let outcome = h.outcome(self.id(), HandoverResult::Aborted, Some(failure), None);
            out.push(Action::HandoverOutcome(Box::new(outcome)));
            if to == self.id() {
                return Ok(());
            }
        }
        if to == self.id() {
            return Err(Error::InvalidArgument(format!("node {to} already leads")));
        }
        if !self.membership.can_stand(to) {
            return Err(Error::InvalidArgument(format!(
                "node {to} cannot lead: only a voting data member can take over"
            )));
        }
        let reached = self.progress(to).map_or(0, |p| p.match_index);
        let h = Handover {
            to,
            mode,
            frontier: self.log.last_index(),
            reached,
            term: self.term,
            waited: 0,
            handed_over_at: None,
        };
        self.handover = Some(h);
        out.push(Action::HandoverPhase(h.report(Phase::Freeze, self.id())));
        if reached >= h.frontier {
            self.hand_over(out);
        } else {
            out.push(Action::HandoverPhase(h.report(Phase::CatchUp, self.id())));
            self.send_append(to, true, out);
        }
        Ok(())
    }

    /// The target acknowledged more of the log.
    pub(crate) fn on_follower_progress(&mut self, from: NodeId, out: &mut Vec<Action>) {
        self.maybe_promote(from, out);
        let matched = self.progress(from).map_or(0, |p| p.match_index);
        let me = self.id();
        let Some(h) = self.handover.as_mut().filter(|h| h.to == from && !h.handed_over()) else {
            return;
        };
        h.reached = matched;
        let h = *h;
        out.push(Action::HandoverPhase(h.report(Phase::CatchUp, me)));
        if h.reached >= h.frontier {
            self.hand_over(out);
        }
    }

    fn hand_over(&mut self, out: &mut Vec<Action>) {
        let me = self.id();
        let Some(h) = self.handover.as_mut() else { return };
        h.handed_over_at = Some(h.waited);
        let h = *h;
        out.push(Action::HandoverPhase(h.report(Phase::HandOver, me)));
        let term = self.term;
        let force = h.mode.is_forced();
        self.send(h.to, term, Body::TimeoutNow { force }, out);
    }

    /// Deadlines: abort a coordinated handover or a transfer, force a
    /// forced one, and give up waiting for a new leader after two maximum
    /// election timeouts (a transfer: at its timeout, counted from the
    /// freeze).
    pub(crate) fn tick_handover(&mut self, out: &mut Vec<Action>) {
        let wait_limit = 2 * self.cfg.election_ticks_max;
        let leading = matches!(self.role, RoleState::Leader(_));
        let me = self.id();
        let Some(h) = self.handover.as_mut() else { return };
        h.waited += 1;
        let h = *h;
        let waited_enough = |at: u64| match h.mode {
            HandoverMode::Transfer { timeout_ticks } => h.waited >= timeout_ticks.max(at + 1),
            _ => h.waited - at >= wait_limit,
        };
        match h.handed_over_at {
            None if leading && h.waited >= h.mode.limit_ticks() => match h.mode {
                HandoverMode::Coordinated { .. } | HandoverMode::Transfer { .. } => {
                    self.handover = None;
                    let outcome =
                        h.outcome(me, HandoverResult::Aborted, Some(HandoverFailure::CatchUpTimedOut), None);
                    out.push(Action::HandoverOutcome(Box::new(outcome)));
                }
                HandoverMode::Force { .. } => self.hand_over(out),
            },
            Some(at) if waited_enough(at) => {
                self.handover = None;
                // Still leading the term it handed over from: the target
                // never campaigned (its signal was lost), so no election
                // follows and writes simply resume here.
                let outcome = if leading && self.term == h.term {
                    h.outcome(me, HandoverResult::Aborted, Some(HandoverFailure::TargetDidNotCampaign), None)
                } else {
                    h.outcome(me, HandoverResult::Refused, Some(HandoverFailure::NoLeaderElected), None)
                };
                out.push(Action::HandoverOutcome(Box::new(outcome)));
            }
            _ => {}
        }
    }

    /// Run after every step: ends the handover once its fate is known.
    pub(crate) fn settle_handover(&mut self, out: &mut Vec<Action>) {
        let me = self.id();
        let Some(h) = self.handover else { return };
        if !h.handed_over() {
            if !matches!(self.role, RoleState::Leader(_)) {
                self.handover = None;
                let outcome =
                    h.outcome(me, HandoverResult::Aborted, Some(HandoverFailure::LeadershipLost), None);
                out.push(Action::HandoverOutcome(Box::new(outcome)));
            }
            return;
        }
        let Some(leader) = self.leader.filter(|_| self.term > h.term) else {
            return;
        };
        self.handover = None;
        let new_leader = Some((leader, self.term));
        if leader == h.to {
            out.push(Action::HandoverPhase(h.report(Phase::Demote, me)));
            out.push(Action::HandoverOutcome(Box::new(h.outcome(
                me,
                HandoverResult::Completed,
                None,
                new_leader,
            ))));
        } else {
            let failure = Some(HandoverFailure::OtherLeaderElected);
            out.push(Action::HandoverOutcome(Box::new(h.outcome(
                me,
                HandoverResult::Refused,
                failure,
                new_leader,
            ))));
        }
    }
}
