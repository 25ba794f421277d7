//! A path of moves as a counterexample: a scenario that replays it.

use crate::scenario::Scenario;
use crate::sim::{ScriptStep, SimConfig};

use super::model::Move;
use super::Options;

/// A path to a violation (or a goal).
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The property broken, or the goal's name.
    pub property: String,
    /// The moves, each with the tick it ran at.
    pub moves: Vec<(u64, Move)>,
    /// The path as a scenario file that replays it.
    pub scenario: Scenario,
}

impl Counterexample {
    /// The scenario for `moves`, which end at tick `end`. A command run at
    /// tick `T` is a script step `{"at": T}`: the simulator runs the steps
    /// due in order, each delivery its own step, the others at the start
    /// of the step they fall in; the clock moves once none is left (no
    /// message is due by itself: every one is held back). So the replay
    /// passes through every state the explorer's moves made, a step per
    /// delivery or tick. A replay that ends with commands runs one tick
    /// past them, so that its checker looks at the state they made.
    /// `by_walk`: a random walk's run, shrunk, which its explanation does
    /// not call the shortest.
    pub fn new(
        options: &Options,
        config: &SimConfig,
        property: String,
        moves: Vec<(u64, Move)>,
        end: u64,
        by_walk: bool,
    ) -> Counterexample {
        let script = moves
            .iter()
            .flat_map(|(tick, mv)| {
                mv.commands().into_owned().into_iter().map(|command| ScriptStep { at: *tick, command })
            })
            .collect();
        let what = match options.goal {
            Some(goal) => format!("reaches {}", goal.describe()),
            None => format!("breaks {property}"),
        };
        let title = format!(
            "Model checker: {property} ({} cluster, {})",
            options.shape.name(),
            options.describe_switches()
        );
        let (shape, n) = (options.shape.name(), moves.len());
        let found = if by_walk {
            format!("A run that {what}, found by the random walks of `quorumscope explore {shape}` and shrunk to {n} moves.")
        } else {
            format!("The shortest run `quorumscope explore {shape}` found ({n} moves) that {what}.")
        };
        let explain = format!(
            "{found} Every message is held back and moves only when the script says: \
             each `messages` line delivers, drops or copies one message."
        );
        let run_until = if matches!(moves.last(), Some((_, Move::Tick))) { end } else { end + 1 };
        let scenario = Scenario::from_run(title, explain, config, script, run_until);
        Counterexample { property, moves, scenario }
    }
}

/// One line per move, for the summary.
pub fn describe_move(tick: u64, mv: &Move) -> String {
    match mv {
        Move::Tick => format!("tick {tick}: one tick passes"),
        Move::Do(command) => {
            let json = serde_json::to_string(command).unwrap_or_else(|_| command.name().to_string());
            format!("tick {tick}: {json}")
        }
        Move::Reboot(id) => format!("tick {tick}: crash node {id} and restart it at once"),
    }
}
