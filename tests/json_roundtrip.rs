//! Every variant of every wire enum, written by serde and read back by
//! `FromJson`, comes back equal: the two directions of each type's one
//! schema (src/json/from_json.rs) agree on every name.
//!
//! Each enum's cases are listed with [`every_variant!`], which also builds
//! an exhaustive `match` over the enum: a variant added to the product
//! without a case here is a compile error in this test, and each case is
//! checked to be of the variant it is listed under.

use quorumscope::check::Property;
use quorumscope::core::quorum::VoteResult;
use quorumscope::core::{
    CommitRule, ConfigName, ConfigTally, CpEntry, HandoverFailure, HandoverResult, Member, MemberKind,
    Membership, MessageContents, MessageKind, Payload, Phase, ProgressMode, Refusal, RoleCause, Switches,
    VotingState,
};
use quorumscope::json::{self, FromJson};
use quorumscope::scenario::{self, ClusterSpec, Pause, Scenario};
use quorumscope::sim::{
    Command, EntryFacts, FailoverMode, InitialEntry, InitialState, LastEntry, MessageAction, NetworkConfig,
    ScriptStep, Target, TraceBody, TraceEvent, TraceRole, WriteRefusal, COMMAND_NAMES,
};

/// `[(variant name, case)]` for `$ty`: one or more cases per variant,
/// every variant listed (the generated `match` has no wildcard), and each
/// case checked to be of the variant named beside it.
macro_rules! every_variant {
    ($ty:ident { $($variant:ident => [$($case:expr),+ $(,)?]),+ $(,)? }) => {{
        fn variant_of(x: &$ty) -> &'static str {
            match x {
                $($ty::$variant { .. } => stringify!($variant),)+
            }
        }
        let cases: Vec<(&'static str, $ty)> = vec![$($((stringify!($variant), $case),)+)+];
        for (name, case) in &cases {
            assert_eq!(variant_of(case), *name, "a case listed under {name} is a {}", variant_of(case));
        }
        cases.into_iter().map(|(_, case)| case).collect::<Vec<$ty>>()
    }};
}

/// Written by serde (the product's one writer), read by `FromJson`, equal.
fn round_trip<T: serde::Serialize + FromJson + PartialEq + std::fmt::Debug>(value: &T) {
    let written = json::to_string(value).expect("writes");
    let tree = json::parse(&written).unwrap_or_else(|e| panic!("{written}: {e}"));
    let back = T::from_json(&tree, "value").unwrap_or_else(|e| panic!("{written} does not read back: {e}"));
    assert_eq!(&back, value, "{written}");
}

// ---- Plain enums -----------------------------------------------------------

#[test]
fn every_plain_enum_reads_back_by_the_name_serde_writes() {
    use ConfigName as C;
    use HandoverFailure as F;
    use HandoverResult as H;
    use MessageKind as K;
    use Property as P;
    use RoleCause as R;
    use TraceRole as T;
    let kinds = every_variant!(MessageKind {
        Probe => [K::Probe], ProbeReply => [K::ProbeReply], Vote => [K::Vote], VoteReply => [K::VoteReply],
        Append => [K::Append], AppendReply => [K::AppendReply], Snapshot => [K::Snapshot],
        SnapshotReply => [K::SnapshotReply], TimeoutNow => [K::TimeoutNow],
    });
    kinds.iter().for_each(round_trip);
    assert_eq!(kinds, MessageKind::ALL, "MessageKind::ALL lists every kind");
    every_variant!(MemberKind { Data => [MemberKind::Data], Witness => [MemberKind::Witness] })
        .iter()
        .for_each(round_trip);
    every_variant!(VotingState { Voting => [VotingState::Voting], CatchingUp => [VotingState::CatchingUp] })
        .iter()
        .for_each(round_trip);
    every_variant!(ProgressMode {
        Probe => [ProgressMode::Probe], Replicate => [ProgressMode::Replicate], Snapshot => [ProgressMode::Snapshot],
    })
    .iter()
    .for_each(round_trip);
    every_variant!(Phase {
        Freeze => [Phase::Freeze], CatchUp => [Phase::CatchUp], HandOver => [Phase::HandOver], Demote => [Phase::Demote],
    })
    .iter()
    .for_each(round_trip);
    every_variant!(HandoverResult { Completed => [H::Completed], Aborted => [H::Aborted], Refused => [H::Refused] })
        .iter()
        .for_each(round_trip);
    every_variant!(HandoverFailure {
        CatchUpTimedOut => [F::CatchUpTimedOut], LeadershipLost => [F::LeadershipLost],
        OtherLeaderElected => [F::OtherLeaderElected], NoLeaderElected => [F::NoLeaderElected],
        TargetDidNotCampaign => [F::TargetDidNotCampaign], Superseded => [F::Superseded],
        Cancelled => [F::Cancelled],
    })
    .iter()
    .for_each(round_trip);
    let causes = every_variant!(RoleCause {
        Timeout => [R::Timeout], Won => [R::Won], HigherTerm => [R::HigherTerm], CheckQuorum => [R::CheckQuorum],
        Removed => [R::Removed], Handover => [R::Handover], LeaderSeen => [R::LeaderSeen],
        Restart => [R::Restart], Promoted => [R::Promoted], Joined => [R::Joined],
        Lost => [R::Lost], Crash => [R::Crash],
    });
    causes.iter().for_each(round_trip);
    assert_eq!(causes, RoleCause::ALL, "RoleCause::ALL lists every cause");
    every_variant!(ConfigName { Current => [C::Current], Old => [C::Old], New => [C::New] })
        .iter()
        .for_each(round_trip);
    every_variant!(VoteResult { Won => [VoteResult::Won], Lost => [VoteResult::Lost], Pending => [VoteResult::Pending] })
        .iter()
        .for_each(round_trip);
    every_variant!(TraceRole {
        Follower => [T::Follower], Candidate => [T::Candidate], Leader => [T::Leader],
        Learner => [T::Learner], Witness => [T::Witness], Crashed => [T::Crashed],
    })
    .iter()
    .for_each(round_trip);
    let properties = every_variant!(Property {
        ElectionSafety => [P::ElectionSafety], LeaderAppendOnly => [P::LeaderAppendOnly],
        LogMatching => [P::LogMatching], LeaderCompleteness => [P::LeaderCompleteness],
        StateMachineSafety => [P::StateMachineSafety], AckedWriteLost => [P::AckedWriteLost],
        DoubleVote => [P::DoubleVote], MonotonicState => [P::MonotonicState], IndexOrder => [P::IndexOrder],
        EpochOrder => [P::EpochOrder], AppliedValues => [P::AppliedValues], ApplyOrder => [P::ApplyOrder],
        WitnessData => [P::WitnessData], SnapshotContents => [P::SnapshotContents],
    });
    properties.iter().for_each(round_trip);
    assert_eq!(properties, Property::ALL, "Property::ALL lists every property");
    every_variant!(FailoverMode { Coordinated => [FailoverMode::Coordinated], Force => [FailoverMode::Force] })
        .iter()
        .for_each(round_trip);
    let actions = every_variant!(MessageAction {
        Drop => [MessageAction::Drop], Duplicate => [MessageAction::Duplicate], Hold => [MessageAction::Hold],
        Release => [MessageAction::Release], Deliver => [MessageAction::Deliver],
    });
    actions.iter().for_each(round_trip);
    assert_eq!(actions, MessageAction::ALL, "MessageAction::ALL lists every action");
}

// ---- Commands --------------------------------------------------------------

fn cp_entries() -> Vec<CpEntry> {
    every_variant!(CpEntry {
        Admit => [CpEntry::Admit(4)],
        Remove => [CpEntry::Remove(2)],
        Ownership => [CpEntry::Ownership { range: "users:[0,1000)".into(), owner: 2, epoch: 7 }],
        LeaderConfig => [CpEntry::LeaderConfig { term: 3, leader: 1 }],
    })
}

fn commands() -> Vec<Command> {
    use Target::{Leader, Node};
    let targets = every_variant!(Target { Node => [Node(3)], Leader => [Leader] });
    let [node, leader] = [targets[0], targets[1]];
    let mut cases = every_variant!(Command {
        Write => [
            Command::Write { value: "x=1".into(), node: None },
            Command::Write { value: "quote \" and é".into(), node: Some(node) },
        ],
        Crash => [
            Command::Crash { node: leader, after_persist: false },
            Command::Crash { node, after_persist: true },
        ],
        Restart => [Command::Restart { node }],
        Partition => [Command::Partition { groups: vec![vec![1, 2], vec![3]] }],
        Cut => [
            Command::Cut { from: node, to: leader, one_way: false },
            Command::Cut { from: Node(1), to: Node(2), one_way: true },
        ],
        Heal => [Command::Heal {}],
        TimeoutNow => [Command::TimeoutNow { node }],
        Transfer => [Command::Transfer { to: node }],
        Failover => [
            Command::Failover { to: node, mode: FailoverMode::Coordinated, deadline_ticks: None },
            Command::Failover { to: node, mode: FailoverMode::Force, deadline_ticks: Some(40) },
        ],
        AddServer => [
            Command::AddServer { node: 4, kind: None, state: None },
            Command::AddServer { node: 5, kind: Some(MemberKind::Witness), state: Some(VotingState::Voting) },
            Command::AddServer { node: 6, kind: Some(MemberKind::Data), state: Some(VotingState::CatchingUp) },
        ],
        RemoveServer => [Command::RemoveServer { node: leader }],
        ChangeVoters => [Command::ChangeVoters { voters: vec![1, 2, 4] }],
        CpAppend => [Command::CpAppend { entry: CpEntry::Admit(4), node: Some(leader) }],
        Snapshot => [Command::Snapshot { node }],
        SetNetwork => [
            Command::SetNetwork { from: None, to: None, one_way: false, delay_ticks: None, drop: None, duplicate: None },
            Command::SetNetwork {
                from: Some(Node(1)),
                to: Some(Node(2)),
                one_way: true,
                delay_ticks: Some([2, 9]),
                drop: Some(0.05),
                duplicate: Some(0.25),
            },
        ],
        Messages => [
            Command::Messages { action: MessageAction::Hold, from: None, to: None, msg: None, count: None, nth: None },
            Command::Messages {
                action: MessageAction::Drop,
                from: Some(Node(1)),
                to: Some(leader),
                msg: Some(MessageKind::AppendReply),
                count: Some(3),
                nth: Some(0),
            },
        ],
    });
    // Every control-plane entry, inside the command that carries one.
    cases.extend(cp_entries().into_iter().map(|entry| Command::CpAppend { entry, node: None }));
    // Every action and every kind of message, as a filter.
    for action in MessageAction::ALL {
        cases.push(Command::Messages { action, from: None, to: None, msg: None, count: None, nth: None });
    }
    for msg in MessageKind::ALL {
        cases.push(Command::Messages {
            action: MessageAction::Release,
            from: None,
            to: None,
            msg: Some(msg),
            count: None,
            nth: None,
        });
    }
    cases
}

#[test]
fn every_command_reads_back_alone_and_as_a_script_step() {
    for (i, command) in commands().into_iter().enumerate() {
        round_trip(&command);
        // `Command::name` spells `do` as serde writes it.
        let written = json::to_string(&command).unwrap();
        assert!(written.starts_with(&format!("{{\"do\":\"{}\"", command.name())), "{written}");
        round_trip(&ScriptStep { at: i as u64 * 7, command });
    }
    cp_entries().iter().for_each(round_trip);
    // The names an unknown `do` error lists are every command's, once.
    let mut names: Vec<&str> = Vec::new();
    for command in commands() {
        if !names.contains(&command.name()) {
            names.push(command.name());
        }
    }
    assert_eq!(names, COMMAND_NAMES, "COMMAND_NAMES lists every command, in declaration order");
}

// ---- Traces ----------------------------------------------------------------

fn refusals() -> Vec<Refusal> {
    every_variant!(Refusal {
        WatermarkNotCovered => [Refusal::WatermarkNotCovered { candidate_lsn: 3, watermark: 5 }],
        StaleTerm => [Refusal::StaleTerm { candidate_term: 2, voter_term: 4 }],
        LogBehind => [Refusal::LogBehind {
            candidate_last_term: 1,
            candidate_last_index: 4,
            voter_last_term: 2,
            voter_last_index: 3,
        }],
        AlreadyVoted => [Refusal::AlreadyVoted { term: 4, voted_for: 2 }],
        LeaderActive => [Refusal::LeaderActive { leader: 1 }],
        NotVoter => [Refusal::NotVoter],
    })
}

/// Each message contents with a kind that carries it.
fn contents() -> Vec<(MessageKind, MessageContents)> {
    use MessageContents as C;
    let cases = every_variant!(MessageContents {
        Append => [
            C::Append { prev_index: 4, prev_term: 2, entries: 3, commit: 4 },
            C::Append { prev_index: 0, prev_term: 0, entries: 0, commit: 0 },
        ],
        AppendAccepted => [C::AppendAccepted { success: true, match_index: 7 }],
        AppendRejected => [
            C::AppendRejected { success: false, rejected: 6, hint_index: 3, hint_term: Some(2) },
            C::AppendRejected { success: false, rejected: 6, hint_index: 5, hint_term: None },
        ],
        Ask => [C::Ask { last_index: 9, last_term: 3 }],
        Snapshot => [C::Snapshot { index: 40, index_term: 5 }],
        Plain => [C::Plain],
    });
    let mut pairs = Vec::new();
    for c in cases {
        match c {
            C::Append { .. } => pairs.push((MessageKind::Append, c)),
            C::AppendAccepted { .. } | C::AppendRejected { .. } => pairs.push((MessageKind::AppendReply, c)),
            C::Ask { .. } => pairs.extend([(MessageKind::Probe, c), (MessageKind::Vote, c)]),
            C::Snapshot { .. } => pairs.push((MessageKind::Snapshot, c)),
            // Replies to probes and votes, snapshot replies and hand-over
            // signals carry nothing, as do lines from before version 2.
            C::Plain => pairs.extend(MessageKind::ALL.map(|kind| (kind, c))),
        }
    }
    pairs
}

fn payloads() -> Vec<Payload> {
    let joint = Membership {
        voters: [1, 2, 4].into_iter().collect(),
        outgoing: Some([1, 2, 3].into_iter().collect()),
        learners: [5].into_iter().collect(),
        witnesses: [4].into_iter().collect(),
    };
    let mut cases = every_variant!(Payload {
        Noop => [Payload::Noop],
        Write => [Payload::Write(b"x=1".as_slice().into()), Payload::Write(b"".as_slice().into())],
        Config => [
            Payload::Config(Box::new(joint)),
            Payload::Config(Box::new(Membership { voters: [1, 2, 3].into_iter().collect(), ..Membership::default() })),
        ],
        ControlPlane => [Payload::ControlPlane(Box::new(CpEntry::Remove(3)))],
        Elided => [Payload::Elided],
    });
    cases.extend(cp_entries().into_iter().map(|e| Payload::ControlPlane(Box::new(e))));
    cases
}

fn tallies() -> Vec<ConfigTally> {
    vec![
        ConfigTally {
            config: ConfigName::Current,
            members: vec![1, 2, 3],
            granted: vec![1, 3],
            refused: vec![2],
            needed: 2,
            result: VoteResult::Won,
        },
        ConfigTally {
            config: ConfigName::Old,
            members: vec![1, 2],
            granted: vec![1],
            refused: vec![],
            needed: 2,
            result: VoteResult::Pending,
        },
        ConfigTally {
            config: ConfigName::New,
            members: vec![3, 4, 5],
            granted: vec![],
            refused: vec![3, 4],
            needed: 2,
            result: VoteResult::Lost,
        },
    ]
}

fn trace_bodies() -> Vec<TraceBody> {
    use TraceBody as B;
    let log = Some(LastEntry { last_index: 5, last_term: 2 });
    let (kind, append) = contents()[0];
    let mut cases = every_variant!(TraceBody {
        MessageSent => [B::MessageSent { from: 1, to: 2, msg: kind, term: 2, seq: 9, deliver_tick: 14, contents: append }],
        MessageDelivered => [B::MessageDelivered { from: 1, to: 2, msg: kind, term: 2, seq: 9, contents: append }],
        MessageDropped => [B::MessageDropped { from: 1, to: 2, msg: kind, term: 2, seq: 9, cause: "partition".into() }],
        MessageDuplicated => [B::MessageDuplicated { from: 1, to: 2, msg: kind, term: 2, seq: 9 }],
        MessageWaiting => [B::MessageWaiting { from: 2, to: 1, msg: MessageKind::VoteReply, term: 3 }],
        WriteStarted => [B::WriteStarted { node: 2, term: 3, last_index: 7, done_tick: 40 }],
        WriteDurable => [B::WriteDurable { node: 2, term: 3, last_index: 7, released: 2 }],
        MessageHeld => [B::MessageHeld { from: 2, to: 1, msg: MessageKind::AppendReply, term: 2, seq: 10 }],
        MessageReleased => [B::MessageReleased { from: 2, to: 1, msg: MessageKind::AppendReply, term: 2, seq: 10 }],
        ProbeGranted => [
            B::ProbeGranted { voter: 2, candidate: 1, term: 1, asked_term: Some(2), log },
            B::ProbeGranted { voter: 2, candidate: 1, term: 1, asked_term: None, log: None },
        ],
        ProbeRefused => [B::ProbeRefused {
            voter: 2,
            candidate: 1,
            term: 3,
            asked_term: Some(2),
            log,
            reason: Refusal::NotVoter,
        }],
        VoteGranted => [B::VoteGranted { voter: 3, candidate: 1, term: 2, asked_term: Some(2), log }],
        VoteRefused => [B::VoteRefused {
            voter: 3,
            candidate: 1,
            term: 2,
            asked_term: None,
            log: None,
            reason: Refusal::LeaderActive { leader: 2 },
        }],
        TermChanged => [B::TermChanged { node: 1, term: 2 }],
        RoleChanged => [
            B::RoleChanged { node: 1, role: TraceRole::Leader, term: 2, cause: Some(RoleCause::Won) },
            B::RoleChanged { node: 1, role: TraceRole::Follower, term: 2, cause: None },
        ],
        LeaderElected => [
            B::LeaderElected { node: 1, term: 2, quorum: tallies() },
            B::LeaderElected { node: 1, term: 2, quorum: Vec::new() },
        ],
        LeaderDeposed => [B::LeaderDeposed { node: 1, by: 2, term: 3 }],
        EntryAppended => [B::EntryAppended { node: 1, index: 3, term: 2, entry: None }],
        CommitAdvanced => [
            B::CommitAdvanced { node: 1, index: 3, rule: Some(CommitRule::CurrentTerm { carried: 2 }) },
            B::CommitAdvanced { node: 1, index: 3, rule: None },
        ],
        ProgressChanged => [B::ProgressChanged {
            leader: 1,
            follower: 2,
            state: ProgressMode::Replicate,
            match_index: 4,
            next_index: 5,
        }],
        Applied => [B::Applied { node: 2, index: 3 }],
        WriteAcked => [B::WriteAcked { index: 3, value: "x=1".into(), node: 1 }],
        WriteRejected => [B::WriteRejected { reason: WriteRefusal::Crashed, value: "x=1".into(), node: 2 }],
        Crash => [B::Crash { node: 2 }],
        Restart => [B::Restart { node: 2 }],
        Partition => [B::Partition { groups: vec![vec![1, 2], vec![3]] }],
        Heal => [B::Heal { groups: vec![] }],
        HandoverPhase => [B::HandoverPhase { phase: Phase::CatchUp, from: 1, to: 2, frontier: 9, reached: 7 }],
        HandoverOutcome => [
            B::HandoverOutcome {
                result: HandoverResult::Completed,
                failure: None,
                from: 1,
                to: 2,
                new_term: Some(3),
                new_leader: Some(2),
                frontier: 9,
                reached: 9,
                skipped: 0,
                waited: 12,
                forced: false,
            },
            B::HandoverOutcome {
                result: HandoverResult::Aborted,
                failure: Some(HandoverFailure::CatchUpTimedOut),
                from: 1,
                to: 2,
                new_term: None,
                new_leader: None,
                frontier: 9,
                reached: 4,
                skipped: 5,
                waited: 40,
                forced: true,
            },
        ],
        MembershipChanged => [
            B::MembershipChanged { node: 1, voters: vec![1, 2, 4], learners: vec![5], witnesses: vec![4], joint: Some(vec![1, 2, 3]) },
            B::MembershipChanged { node: 1, voters: vec![1], learners: vec![], witnesses: vec![], joint: None },
        ],
        SnapshotTaken => [B::SnapshotTaken { node: 1, index: 40, term: 3 }],
        SnapshotInstalled => [B::SnapshotInstalled { node: 2, index: 40, term: 3 }],
        CpAppended => [B::CpAppended { node: 1, index: 4, entry: CpEntry::Admit(4) }],
        CpRefused => [
            B::CpRefused { node: 2, leader: Some(1), entry: CpEntry::Remove(3), reason: "not the leader".into() },
            B::CpRefused { node: 2, leader: None, entry: CpEntry::Remove(3), reason: "no leader".into() },
        ],
        Violation => [B::Violation { property: Property::ElectionSafety, nodes: vec![1, 2], detail: "two leaders".into() }],
        CommandSkipped => [B::CommandSkipped { command: "transfer".into(), reason: "no leader".into() }],
    });
    // Every nested enum, in the variant that carries it.
    for (msg, contents) in contents() {
        cases.push(B::MessageSent { from: 1, to: 2, msg, term: 2, seq: 1, deliver_tick: 3, contents });
        cases.push(B::MessageDelivered { from: 1, to: 2, msg, term: 2, seq: 1, contents });
    }
    for reason in refusals() {
        let (voter, candidate, term) = (2, 1, 3);
        cases.push(B::ProbeRefused { voter, candidate, term, asked_term: None, log, reason: reason.clone() });
        cases.push(B::VoteRefused { voter, candidate, term, asked_term: Some(3), log, reason });
    }
    let rules = every_variant!(CommitRule {
        CurrentTerm => [CommitRule::CurrentTerm { carried: 0 }],
        EarlierTerm => [CommitRule::EarlierTerm],
        Leader => [CommitRule::Leader],
    });
    cases.extend(rules.into_iter().map(|rule| B::CommitAdvanced { node: 2, index: 5, rule: Some(rule) }));
    for payload in payloads() {
        cases.push(B::EntryAppended { node: 1, index: 3, term: 2, entry: Some(EntryFacts(payload)) });
    }
    let write_refusals = every_variant!(WriteRefusal {
        NotLeader => [WriteRefusal::NotLeader { leader: Some(1) }, WriteRefusal::NotLeader { leader: None }],
        HandoverInProgress => [WriteRefusal::HandoverInProgress { to: 2 }],
        Crashed => [WriteRefusal::Crashed],
    });
    for reason in write_refusals {
        cases.push(B::WriteRejected { reason, value: "y=2".into(), node: 3 });
    }
    for cause in RoleCause::ALL {
        cases.push(B::RoleChanged { node: 2, role: TraceRole::Candidate, term: 4, cause: Some(cause) });
    }
    cases.extend(Property::ALL.map(|property| B::Violation {
        property,
        nodes: vec![],
        detail: String::new(),
    }));
    cases
}

#[test]
fn every_trace_event_reads_back() {
    for (i, body) in trace_bodies().into_iter().enumerate() {
        let text = format!("event {i}: {}", body.kind());
        let event = TraceEvent { step: i as u64, tick: i as u64 / 2, body, text: text.into() };
        round_trip(&event);
        // `TraceBody::kind` spells `kind` as serde writes it.
        let line = event.to_json_line();
        assert!(line.contains(&format!(",\"kind\":\"{}\",", event.body.kind())), "{line}");
    }
}

#[test]
fn a_whole_trace_reads_back_through_the_importer() {
    use quorumscope::sim::{export_json_lines, import_json_lines};
    let trace: Vec<TraceEvent> = trace_bodies()
        .into_iter()
        .enumerate()
        .map(|(i, body)| TraceEvent { step: i as u64, tick: 0, body, text: String::from("t").into() })
        .collect();
    let back = import_json_lines(&export_json_lines(&trace)).expect("reads back");
    assert_eq!(back.len(), trace.len());
    for (read, written) in back.iter().zip(&trace) {
        assert_eq!(read, written, "{}", written.to_json_line());
    }
}

// ---- Scenario files --------------------------------------------------------

/// A scenario with every field set away from its default.
fn full_scenario() -> Scenario {
    let mut cluster = ClusterSpec::with_members(vec![
        Member::data(1),
        Member::data(2),
        Member::witness(3),
        Member::learner(4),
    ]);
    cluster.election_ticks = [12, 30];
    cluster.member_election_ticks = vec![(2, [5, 6])];
    cluster.heartbeat_ticks = 4;
    cluster.max_batch = 16;
    cluster.snapshot_threshold = 50;
    cluster.disk_ticks = [3, 8];
    cluster.network = NetworkConfig { delay_ticks: [2, 5], drop: 0.1, duplicate: 0.05 };
    let initial = vec![
        InitialState {
            node: 1,
            term: 3,
            voted_for: Some(1),
            commit: 1,
            log: vec![
                InitialEntry { term: 1, kind: "write", value: Some("a=1".into()) },
                InitialEntry { term: 3, kind: "noop", value: None },
            ],
        },
        InitialState { node: 2, term: 1, voted_for: None, commit: 0, log: vec![] },
    ];
    Scenario {
        title: "Everything".into(),
        explain: "Every field \"set\".".into(),
        seed: 42,
        cluster,
        switches: Switches { pre_vote: false, ..Switches::default() },
        script: commands()
            .into_iter()
            .enumerate()
            .map(|(i, command)| ScriptStep { at: i as u64, command })
            .collect(),
        run_until: 900,
        pauses: vec![
            Pause {
                at: Some(10),
                on: None,
                node: None,
                step: None,
                caption: "At ten.".into(),
                highlight: None,
            },
            Pause {
                at: None,
                on: Some("leader_elected".into()),
                node: Some(2),
                step: None,
                caption: "Node 2 leads.".into(),
                highlight: None,
            },
            Pause {
                at: None,
                on: None,
                node: None,
                step: Some(42),
                caption: "A moment written in the page.".into(),
                highlight: Some("log 2:5".into()),
            },
        ],
        initial,
    }
}

#[test]
fn a_scenario_with_every_field_reads_back() {
    round_trip(&full_scenario());
    round_trip(&full_scenario().cluster);
    // Each switch alone, so that no two switch names can be swapped.
    for name in Switches::NAMES {
        let mut switches = Switches::default();
        *switches.by_name_mut(name).expect("a switch") = false;
        round_trip(&switches);
    }
    // An empty scenario's defaults are written out and read back.
    let bare = Scenario { script: Vec::new(), pauses: Vec::new(), initial: Vec::new(), ..full_scenario() };
    round_trip(&bare);
}

#[test]
fn every_builtin_scenario_reads_back_from_what_it_writes() {
    for name in scenario::builtin_names() {
        let s = scenario::builtin(name).expect("listed");
        assert_eq!(scenario::parse(&s.to_json()).as_ref(), Ok(&s), "{name}");
    }
}

// ---- The real cluster's frames and disk ----------------------------------

/// The real node (node/) reads its frames and its disk with serde's
/// derived readers, from the same derive as the writers: every message
/// body and every entry payload comes back equal.
#[test]
fn every_message_and_entry_reads_back_as_the_real_node_reads_it() {
    use quorumscope::core::{AppendOutcome, Body, Decision, Entry, HardState, Message, Snapshot};
    fn serde_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
        value: &T,
    ) {
        let written = serde_json::to_string(value).expect("writes");
        let back: T = serde_json::from_str(&written).unwrap_or_else(|e| panic!("{written}: {e}"));
        assert_eq!(&back, value, "{written}");
    }
    let entries: Vec<Entry> =
        payloads().into_iter().zip(1..).map(|(payload, index)| Entry { index, term: 2, payload }).collect();
    entries.iter().for_each(serde_trip);
    let snapshot = Snapshot {
        index: 40,
        term: 3,
        membership: Membership { voters: [1, 2, 3].into_iter().collect(), ..Membership::default() },
        epochs: [("users:[0,1000)".to_string(), 7)].into_iter().collect(),
        data: b"{\"x\":\"1\"}".as_slice().into(),
    };
    serde_trip(&snapshot);
    serde_trip(&HardState { term: 3, voted_for: Some(2), commit: 9 });
    serde_trip(&HardState::default());
    let mut decisions = Vec::new();
    for reason in refusals() {
        decisions.extend(every_variant!(Decision { Granted => [Decision::Granted], Refused => [Decision::Refused(reason)] }));
    }
    let outcomes = every_variant!(AppendOutcome {
        Accepted => [AppendOutcome::Accepted { match_index: 4 }],
        Rejected => [
            AppendOutcome::Rejected { rejected: 5, hint_index: 3, hint_term: Some(1) },
            AppendOutcome::Rejected { rejected: 5, hint_index: 3, hint_term: None },
        ],
    });
    let mut bodies = every_variant!(Body {
        Probe => [Body::Probe { last_index: 4, last_term: 2 }],
        ProbeReply => [Body::ProbeReply { decision: Decision::Granted }],
        Vote => [Body::Vote { last_index: 4, last_term: 2, transfer: true, force: false }],
        VoteReply => [Body::VoteReply { decision: Decision::Granted }],
        Append => [
            Body::Append { prev_index: 3, prev_term: 2, entries: entries.clone(), commit: 3 },
            Body::Append { prev_index: 0, prev_term: 0, entries: Vec::new(), commit: 0 },
        ],
        AppendReply => [Body::AppendReply { outcome: AppendOutcome::Accepted { match_index: 1 } }],
        Snapshot => [Body::Snapshot { snapshot: Box::new(snapshot) }],
        SnapshotReply => [Body::SnapshotReply { index: 40 }],
        TimeoutNow => [Body::TimeoutNow { force: true }],
    });
    for decision in decisions {
        bodies.push(Body::ProbeReply { decision: decision.clone() });
        bodies.push(Body::VoteReply { decision });
    }
    bodies.extend(outcomes.into_iter().map(|outcome| Body::AppendReply { outcome }));
    for body in bodies {
        serde_trip(&Message { from: 1, to: 2, term: 3, body });
    }
}
