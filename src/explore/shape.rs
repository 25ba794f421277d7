//! The cluster shapes the explorer knows, which of their nodes are
//! interchangeable, and the operator moves each shape adds.

use crate::core::{Member, NodeId};
use crate::sim::Command;

/// A cluster shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Three voters.
    Three,
    /// Five voters.
    Five,
    /// Two data voters and a witness.
    Witness,
    /// Three voters and a catching-up learner (promoted once caught up).
    Learner,
    /// Three voters and a catching-up fourth node; the voters change from
    /// {1, 2, 3} to {2, 3, 4} through joint consensus.
    Joint,
}

impl Shape {
    /// Every shape's name.
    pub const NAMES: [&'static str; 5] = ["three", "five", "witness", "learner", "joint"];

    /// The shape called `name`.
    pub fn parse(name: &str) -> Result<Shape, String> {
        match name {
            "three" => Ok(Shape::Three),
            "five" => Ok(Shape::Five),
            "witness" => Ok(Shape::Witness),
            "learner" => Ok(Shape::Learner),
            "joint" => Ok(Shape::Joint),
            other => Err(format!("unknown shape {other:?}; shapes: {}", Shape::NAMES.join(", "))),
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Three => "three",
            Shape::Five => "five",
            Shape::Witness => "witness",
            Shape::Learner => "learner",
            Shape::Joint => "joint",
        }
    }

    /// Its members.
    pub fn members(self) -> Vec<Member> {
        match self {
            Shape::Three => (1..=3).map(Member::data).collect(),
            Shape::Five => (1..=5).map(Member::data).collect(),
            Shape::Witness => vec![Member::data(1), Member::data(2), Member::witness(3)],
            Shape::Learner | Shape::Joint => {
                vec![Member::data(1), Member::data(2), Member::data(3), Member::learner(4)]
            }
        }
    }

    /// Groups of interchangeable nodes: renaming nodes within a group maps
    /// every reachable state to a reachable state with the same future.
    /// The joint shape's node 1 leaves and node 4 joins, so only 2 and 3
    /// are alike there.
    pub fn symmetric_groups(self) -> Vec<Vec<NodeId>> {
        match self {
            Shape::Three | Shape::Learner => vec![vec![1, 2, 3]],
            Shape::Five => vec![vec![1, 2, 3, 4, 5]],
            Shape::Witness => vec![vec![1, 2]],
            Shape::Joint => vec![vec![2, 3]],
        }
    }

    /// The membership change this shape explores, once, when a leader can
    /// take it.
    pub fn change(self) -> Option<Command> {
        match self {
            Shape::Joint => Some(Command::ChangeVoters { voters: vec![2, 3, 4] }),
            _ => None,
        }
    }

    /// Whether snapshots are explored by default: where a catching-up node
    /// may need one.
    pub fn snapshots_by_default(self) -> bool {
        matches!(self, Shape::Learner)
    }
}
