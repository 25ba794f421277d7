//! Scenario files (SCENARIO.md): the format users write and share, its
//! validation, and the built-in narrated library.

mod initial;
mod library;
mod parse;
mod pause;
mod validate;

use serde::Serialize;

pub use library::{builtin, builtin_names, entries};
pub use parse::parse;
pub use pause::{Highlight, Pause, MAX_CAPTION_CHARS};

use crate::core::NodeId;
use crate::core::{Member, MemberKind, Switches, VotingState};
use crate::sim::{InitialState, NetworkConfig, ScriptStep, Sim, SimConfig, SimError};

/// `run_until` when a file does not say.
pub const RUN_UNTIL_DEFAULT: u64 = 300;

/// A scenario: a cluster, a seed, switches, a script and how long to run.
/// Read by [`parse`]; written in the same shape.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Short title.
    pub title: String,
    /// What it teaches.
    pub explain: String,
    /// The seed.
    pub seed: u64,
    /// The cluster.
    pub cluster: ClusterSpec,
    /// Teaching switches (all on unless said).
    pub switches: Switches,
    /// Commands and the ticks they run at.
    pub script: Vec<ScriptStep>,
    /// Tick to run until.
    pub run_until: u64,
    /// Moments worth pausing on, for guided tours.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<Pause>,
    /// The durable state nodes start from (version 2); the others start
    /// empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub initial: Vec<InitialState>,
}

/// The cluster section of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterSpec {
    /// Members: `{ "id": 1 }`, with optional `kind` and `state`.
    pub members: Vec<Member>,
    /// Election timeout range.
    pub election_ticks: [u64; 2],
    /// Members with a range of their own (`members[].election_ticks`).
    pub member_election_ticks: Vec<(NodeId, [u64; 2])>,
    /// Heartbeat interval.
    pub heartbeat_ticks: u64,
    /// Most entries per append.
    pub max_batch: usize,
    /// Snapshot threshold; 0 is off.
    pub snapshot_threshold: u64,
    /// Network behaviour.
    pub network: NetworkConfig,
    /// How long a durable write takes; `[0, 0]` is instant.
    pub disk_ticks: [u64; 2],
}

impl ClusterSpec {
    /// These members with every documented default (SCENARIO.md).
    pub fn with_members(members: Vec<Member>) -> ClusterSpec {
        ClusterSpec {
            members,
            election_ticks: [10, 20],
            member_election_ticks: Vec::new(),
            heartbeat_ticks: 3,
            max_batch: 64,
            snapshot_threshold: 0,
            network: NetworkConfig::default(),
            disk_ticks: [0, 0],
        }
    }
}

/// Written in the file's shape: a member's own timeout range inside its
/// entry of `members`.
impl Serialize for ClusterSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct MemberOut {
            id: NodeId,
            kind: MemberKind,
            state: VotingState,
            #[serde(skip_serializing_if = "Option::is_none")]
            election_ticks: Option<[u64; 2]>,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            members: Vec<MemberOut>,
            election_ticks: [u64; 2],
            heartbeat_ticks: u64,
            max_batch: usize,
            snapshot_threshold: u64,
            network: &'a NetworkConfig,
            #[serde(skip_serializing_if = "is_instant")]
            disk_ticks: [u64; 2],
        }
        fn is_instant(range: &[u64; 2]) -> bool {
            *range == [0, 0]
        }
        let own = |id| self.member_election_ticks.iter().find(|(n, _)| *n == id).map(|(_, r)| *r);
        let mut members = Vec::with_capacity(self.members.len());
        for m in &self.members {
            members.push(MemberOut { id: m.id, kind: m.kind, state: m.state, election_ticks: own(m.id) });
        }
        Out {
            members,
            election_ticks: self.election_ticks,
            heartbeat_ticks: self.heartbeat_ticks,
            max_batch: self.max_batch,
            snapshot_threshold: self.snapshot_threshold,
            network: &self.network,
            disk_ticks: self.disk_ticks,
        }
        .serialize(serializer)
    }
}

impl Scenario {
    /// The simulator configuration this scenario describes.
    pub fn sim_config(&self) -> SimConfig {
        SimConfig {
            seed: self.seed,
            members: self.cluster.members.clone(),
            election_ticks: self.cluster.election_ticks,
            member_election_ticks: self.cluster.member_election_ticks.clone(),
            heartbeat_ticks: self.cluster.heartbeat_ticks,
            max_batch: self.cluster.max_batch,
            snapshot_threshold: self.cluster.snapshot_threshold,
            network: self.cluster.network,
            disk_ticks: self.cluster.disk_ticks,
            paper_timer: false,
            switches: self.switches,
        }
    }

    /// The scenario that runs `config` with `script` until `run_until`: how
    /// the campaign and the model checker write a run out for `run` to replay.
    pub fn from_run(
        title: String,
        explain: String,
        config: &SimConfig,
        script: Vec<ScriptStep>,
        run_until: u64,
    ) -> Scenario {
        Scenario {
            title,
            explain,
            seed: config.seed,
            cluster: ClusterSpec {
                members: config.members.clone(),
                election_ticks: config.election_ticks,
                member_election_ticks: config.member_election_ticks.clone(),
                heartbeat_ticks: config.heartbeat_ticks,
                max_batch: config.max_batch,
                snapshot_threshold: config.snapshot_threshold,
                network: config.network,
                disk_ticks: config.disk_ticks,
            },
            switches: config.switches,
            script,
            run_until,
            pauses: Vec::new(),
            initial: Vec::new(),
        }
    }

    /// A simulator loaded with the cluster and the script.
    pub fn build(&self) -> Result<Sim, SimError> {
        let mut sim = Sim::new(self.sim_config())?;
        sim.load_initial(&self.initial)?;
        sim.set_schedule(self.script.clone());
        Ok(sim)
    }

    /// The scenario as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
