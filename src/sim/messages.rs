//! The `messages` command (SCENARIO.md, Version 2): drop, duplicate, hold,
//! release or deliver particular messages, as etcd's interaction tests do
//! with `deliver-msgs` and `drop`, so that a scenario line (or a click in
//! the page) can set up an exact interleaving; `nth` picks one message,
//! as the model checker (`quorumscope explore`) does at each move.

use super::command::{MessageAction, Target};
use super::narrate::Narration;
use super::network::{insert_by_seq, InFlight, MessageFilter};
use super::trace::TraceBody;
use super::{Sim, SimError};
use crate::core::{MessageKind, NodeId, Term};

impl Sim {
    /// Acts on the messages that match `from`, `to` and `msg`, or with
    /// `nth` on the `nth` of them only (from 0, in send order, among those
    /// the action can reach: held or in flight for `deliver`, in flight for
    /// `drop` and `duplicate`).
    pub(crate) fn messages(
        &mut self,
        action: MessageAction,
        from: Option<Target>,
        to: Option<Target>,
        msg: Option<MessageKind>,
        count: Option<u64>,
        nth: Option<u64>,
    ) -> Result<(), SimError> {
        let mut filter = MessageFilter {
            from: from.map(|t| self.resolve(t)).transpose()?,
            to: to.map(|t| self.resolve(t)).transpose()?,
            msg,
            seq: None,
        };
        if let Some(n) = nth {
            if matches!(action, MessageAction::Hold | MessageAction::Release) || count.is_some() {
                return Err(SimError(
                    "messages: nth names one message in flight (no hold, release or count)".into(),
                ));
            }
            let with_held = action == MessageAction::Deliver;
            let seq = self.network.nth_match(&filter, n, with_held);
            filter.seq =
                Some(seq.ok_or_else(|| SimError(format!("messages: no match number {n} (from 0)")))?);
        }
        match action {
            MessageAction::Drop => {
                for f in self.network.take_in_flight(&filter) {
                    self.dropped_by_script(&f);
                }
                self.network.drop_next(filter, count.unwrap_or(0));
            }
            MessageAction::Duplicate => {
                for (seq, m) in self.network.duplicate_in_flight(&filter) {
                    let (from, to, msg, term) = (m.from, m.to, m.kind(), m.term);
                    let text = Narration::script_duplicated(from, to, msg);
                    self.emit(TraceBody::MessageDuplicated { from, to, msg, term, seq }, text);
                }
            }
            MessageAction::Hold => {
                for f in self.network.hold(filter) {
                    let m = &f.msg;
                    self.emit_held(m.from, m.to, m.kind(), m.term, f.seq);
                }
            }
            MessageAction::Release => {
                for f in self.network.release(&filter, self.now) {
                    let m = &f.msg;
                    let (from, to, msg, term, seq) = (m.from, m.to, m.kind(), m.term, f.seq);
                    let text = format!("{from}→{to} {} is released and goes on its way", msg.name());
                    self.emit(TraceBody::MessageReleased { from, to, msg, term, seq }, text);
                }
            }
            MessageAction::Deliver => {
                let mut due = self.network.take_in_flight(&filter);
                for f in self.network.take_held(&filter) {
                    insert_by_seq(&mut due, f);
                }
                for mut f in due {
                    // Delivered as asked, whatever chance had decided; a cut
                    // link or a crashed receiver still loses it.
                    f.doomed = false;
                    self.deliver(f);
                }
            }
        }
        Ok(())
    }

    fn dropped_by_script(&mut self, f: &InFlight) {
        let m = &f.msg;
        let (from, to, msg, term, seq) = (m.from, m.to, m.kind(), m.term, f.seq);
        let text = Narration::lost(from, to, msg, "the scenario drops it");
        self.emit(TraceBody::MessageDropped { from, to, msg, term, seq, cause: "script".into() }, text);
    }

    /// A message held back from delivery until released.
    pub(crate) fn emit_held(&mut self, from: NodeId, to: NodeId, msg: MessageKind, term: Term, seq: u64) {
        let text = format!("{from}→{to} {} is held: it waits until released", msg.name());
        self.emit(TraceBody::MessageHeld { from, to, msg, term, seq }, text);
    }
}
