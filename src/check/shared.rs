//! One check's memory, shared between the copies of a checker until a step
//! changes it, with its state-key digests kept beside it.
//!
//! Why: the explorer makes every state by cloning a simulator (its checker
//! with it) and running one move, and a move gives news to one or two of
//! the fourteen checks. Each check behind its own `Arc`, a copy costs a
//! pointer per check, a move copies only the checks it changes, and a state
//! key writes the kept digest of every check the move left alone instead of
//! writing its maps again (as the simulator keeps each node's digest,
//! `SimNode::key_digest`).

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use super::Invariant;
use crate::core::{KeptDigests, StateKey};
use crate::sim::Transient;

/// A check's memory, read through `Deref` and changed through
/// [`Shared::edit`], which copies it first if another checker still shares
/// it and forgets its digests.
#[derive(Clone, Default)]
pub struct Shared<T>(Arc<Kept<T>>);

/// The memory and its digests. A copy (made to be changed) starts with no
/// digest: [`Transient`].
#[derive(Clone, Default)]
struct Kept<T> {
    memory: T,
    digests: Transient<KeyDigests>,
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.memory
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.memory.fmt(f)
    }
}

impl<T: Invariant> Shared<T> {
    /// The memory, to change: copied first if another checker shares it
    /// (copy on write), its digests forgotten. A check calls it only when
    /// it is about to change something, never to read.
    pub(crate) fn edit(&mut self) -> &mut T {
        let kept = Arc::make_mut(&mut self.0);
        kept.digests = Transient::default();
        &mut kept.memory
    }

    /// The memory keyed on its own under `k`'s renaming
    /// ([`Invariant::write_key`] into [`StateKey::sibling`]), kept per
    /// renaming while it does not change.
    pub(crate) fn key_digest(&self, k: &StateKey) -> u128 {
        self.0.digests.0.get(k, || {
            let mut part = k.sibling();
            self.0.memory.write_key(&mut part);
            part.finish()
        })
    }
}

/// Renamings a check's digest is kept under: the explorer keys a state
/// under one renaming nearly always, but a check that seldom changes is
/// shared by many states, each keyed under its own: up to every order of
/// three interchangeable nodes.
type KeyDigests = KeptDigests<6>;
