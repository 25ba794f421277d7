//! [`FromJson`] for the core's wire types, whose `Serialize` is in
//! `core/`: the core depends on serde alone (STYLE.md), so its readers live
//! here, one per type, in the order of the files that define them. Unit
//! enums are read by the names serde writes ([`by_name`]); the field names
//! of the others are checked against serde's by `tests/json_roundtrip.rs`.

use super::from_json::{by_name, FromJson};
use super::path::{array, field_path, int, item_path, quote, text, uint, Fields, Int};
use super::Json;
use crate::core::quorum::VoteResult;
use crate::core::{
    CommitRule, ConfigName, ConfigTally, CpEntry, HandoverFailure, HandoverResult, MemberKind,
    MessageContents, MessageKind, NodeId, Phase, ProgressMode, Refusal, RoleCause, VotingState,
};

/// Node ids are small positive integers (the simulator's own limit).
pub const MAX_NODE_ID: u64 = 1000;

/// Any 64-bit count (seeds, epochs, terms).
pub const U64: Int =
    Int { what: "a non-negative integer (at most 64 bits)", min: 0, max: u64::MAX, unit: "" };

/// What a trace's figures hold.
pub const UINT: &str = "a non-negative integer";

/// A node id: 1 to `MAX_NODE_ID`.
pub fn node_id(v: &Json, path: &str) -> Result<NodeId, String> {
    let id = uint(v, path, "a node id (a positive integer)")?;
    match id {
        0 => Err(format!("{path}: node ids start at 1")),
        id if id > MAX_NODE_ID => {
            Err(format!("{path}: node id {id} is not a small integer (at most {MAX_NODE_ID})"))
        }
        id => Ok(id),
    }
}

/// A trace's figure: any non-negative integer.
pub fn number(v: &Json, path: &str) -> Result<u64, String> {
    uint(v, path, UINT)
}

/// A list of a trace's figures (node ids, say), unchecked beyond their type.
pub fn numbers(v: &Json, path: &str) -> Result<Vec<u64>, String> {
    let items = array(v, path, usize::MAX)?;
    items.iter().enumerate().map(|(i, item)| number(item, &item_path(path, i))).collect()
}

// ---- Plain names (serde's) ----------------------------------------------------

impl FromJson for MemberKind {
    fn from_json(v: &Json, path: &str) -> Result<MemberKind, String> {
        by_name(&[MemberKind::Data, MemberKind::Witness], "kind", v, path)
    }
}

impl FromJson for VotingState {
    fn from_json(v: &Json, path: &str) -> Result<VotingState, String> {
        by_name(&[VotingState::Voting, VotingState::CatchingUp], "state", v, path)
    }
}

impl FromJson for MessageKind {
    fn from_json(v: &Json, path: &str) -> Result<MessageKind, String> {
        by_name(&MessageKind::ALL, "kind of message", v, path)
    }
}

impl FromJson for ProgressMode {
    fn from_json(v: &Json, path: &str) -> Result<ProgressMode, String> {
        const ALL: [ProgressMode; 3] = [ProgressMode::Probe, ProgressMode::Replicate, ProgressMode::Snapshot];
        by_name(&ALL, "replication state", v, path)
    }
}

impl FromJson for Phase {
    fn from_json(v: &Json, path: &str) -> Result<Phase, String> {
        const ALL: [Phase; 4] = [Phase::Freeze, Phase::CatchUp, Phase::HandOver, Phase::Demote];
        by_name(&ALL, "phase", v, path)
    }
}

impl FromJson for HandoverResult {
    fn from_json(v: &Json, path: &str) -> Result<HandoverResult, String> {
        const ALL: [HandoverResult; 3] =
            [HandoverResult::Completed, HandoverResult::Aborted, HandoverResult::Refused];
        by_name(&ALL, "result", v, path)
    }
}

impl FromJson for HandoverFailure {
    fn from_json(v: &Json, path: &str) -> Result<HandoverFailure, String> {
        const ALL: [HandoverFailure; 7] = [
            HandoverFailure::CatchUpTimedOut,
            HandoverFailure::LeadershipLost,
            HandoverFailure::OtherLeaderElected,
            HandoverFailure::NoLeaderElected,
            HandoverFailure::TargetDidNotCampaign,
            HandoverFailure::Superseded,
            HandoverFailure::Cancelled,
        ];
        by_name(&ALL, "failure", v, path)
    }
}

impl FromJson for RoleCause {
    fn from_json(v: &Json, path: &str) -> Result<RoleCause, String> {
        by_name(&RoleCause::ALL, "cause", v, path)
    }
}

impl FromJson for ConfigName {
    fn from_json(v: &Json, path: &str) -> Result<ConfigName, String> {
        by_name(&[ConfigName::Current, ConfigName::Old, ConfigName::New], "configuration", v, path)
    }
}

impl FromJson for VoteResult {
    fn from_json(v: &Json, path: &str) -> Result<VoteResult, String> {
        by_name(&[VoteResult::Won, VoteResult::Lost, VoteResult::Pending], "vote result", v, path)
    }
}

// ---- Control-plane entries (core/control_plane.rs) ---------------------------

const ENTRY_FORMS: &str =
    "{\"admit\": id}, {\"remove\": id}, {\"ownership\": {\"range\", \"owner\", \"epoch\"}} \
     or {\"leader_config\": {\"term\", \"leader\"}}";

/// A control-plane entry: exactly one of the four forms (serde's externally
/// tagged enum). Its single key is the entry's kind, not room for extra
/// fields; inside `ownership` and `leader_config` extra fields are ignored
/// as anywhere else. No form holds user data (PROTOCOL.md §8).
impl FromJson for CpEntry {
    fn from_json(v: &Json, path: &str) -> Result<CpEntry, String> {
        let map = match v {
            Json::Object(map) if map.len() == 1 => map,
            Json::Object(map) => {
                let keys: Vec<String> = map.iter().take(4).map(|(k, _)| quote(k)).collect();
                let keys = keys.join(", ");
                return Err(format!(
                    "{path}: has {} keys ({keys}); expected exactly one of {ENTRY_FORMS}",
                    map.len()
                ));
            }
            other => return Err(super::path::expected(path, &format!("one of {ENTRY_FORMS}"), other)),
        };
        let Some((kind, body)) = map.iter().next() else {
            return Err(format!("{path}: expected one of {ENTRY_FORMS}"));
        };
        let body_path = field_path(path, kind);
        let u64_field = |v: &Json, path: &str| int(v, path, &U64);
        match kind {
            "admit" => node_id(body, &body_path).map(CpEntry::Admit),
            "remove" => node_id(body, &body_path).map(CpEntry::Remove),
            "ownership" => {
                let f = Fields::of(body, &body_path)?;
                Ok(CpEntry::Ownership {
                    range: f.required("range", "a string", text)?,
                    owner: f.required("owner", "a node id", node_id)?,
                    epoch: f.required("epoch", U64.what, u64_field)?,
                })
            }
            "leader_config" => {
                let f = Fields::of(body, &body_path)?;
                Ok(CpEntry::LeaderConfig {
                    term: f.required("term", U64.what, u64_field)?,
                    leader: f.required("leader", "a node id", node_id)?,
                })
            }
            other => Err(format!("{path}: unknown entry {}, expected one of {ENTRY_FORMS}", quote(other))),
        }
    }
}

// ---- Votes (core/vote.rs) -----------------------------------------------------

/// A vote or probe refusal: `{"code": ..., figures}`.
impl FromJson for Refusal {
    fn from_json(v: &Json, path: &str) -> Result<Refusal, String> {
        let f = Fields::of(v, path)?;
        let n = |key| f.required(key, UINT, number);
        Ok(match f.required("code", "a refusal code", text)?.as_str() {
            "watermark_not_covered" => Refusal::WatermarkNotCovered {
                candidate_lsn: n("candidate_lsn")?,
                watermark: n("watermark")?,
            },
            "stale_term" => {
                Refusal::StaleTerm { candidate_term: n("candidate_term")?, voter_term: n("voter_term")? }
            }
            "log_behind" => Refusal::LogBehind {
                candidate_last_term: n("candidate_last_term")?,
                candidate_last_index: n("candidate_last_index")?,
                voter_last_term: n("voter_last_term")?,
                voter_last_index: n("voter_last_index")?,
            },
            "already_voted" => Refusal::AlreadyVoted { term: n("term")?, voted_for: n("voted_for")? },
            "leader_active" => Refusal::LeaderActive { leader: n("leader")? },
            "not_voter" => Refusal::NotVoter,
            other => return Err(format!("{}: unknown code {}", f.path("code"), quote(other))),
        })
    }
}

// ---- Reports (core/report.rs) -------------------------------------------------

/// A commit's rule, flattened into a `commit_advanced` line (`f`): `rule`
/// and, for `current_term`, `carried`; `None` when the line has no rule (a
/// trace from before version 2).
pub fn commit_rule(f: &Fields) -> Result<Option<CommitRule>, String> {
    let Some(rule) = f.optional("rule", text)? else { return Ok(None) };
    Ok(Some(match rule.as_str() {
        "current_term" => CommitRule::CurrentTerm { carried: f.required("carried", UINT, number)? },
        "earlier_term" => CommitRule::EarlierTerm,
        "leader" => CommitRule::Leader,
        other => return Err(format!("{}: unknown rule {}", f.path("rule"), quote(other))),
    }))
}

// ---- Messages (core/message.rs) -----------------------------------------------

/// A message's contents, flattened into a message line (`f`) and told
/// apart by its kind (serde writes them untagged); traces written before
/// version 2 have none.
pub fn message_contents(f: &Fields, msg: MessageKind) -> Result<MessageContents, String> {
    use MessageContents as C;
    let n = |key| f.required(key, UINT, number);
    let has = |key| f.present(key).is_some();
    Ok(match msg {
        MessageKind::Append if has("prev_index") => C::Append {
            prev_index: n("prev_index")?,
            prev_term: n("prev_term")?,
            entries: n("entries")?,
            commit: n("commit")?,
        },
        MessageKind::AppendReply => match f.optional("success", super::path::flag)? {
            Some(true) => C::AppendAccepted { success: true, match_index: n("match_index")? },
            Some(false) => C::AppendRejected {
                success: false,
                rejected: n("rejected")?,
                hint_index: n("hint_index")?,
                hint_term: f.optional("hint_term", number)?,
            },
            None => C::Plain,
        },
        MessageKind::Probe | MessageKind::Vote if has("last_index") => {
            C::Ask { last_index: n("last_index")?, last_term: n("last_term")? }
        }
        MessageKind::Snapshot if has("index") => {
            C::Snapshot { index: n("index")?, index_term: n("index_term")? }
        }
        _ => C::Plain,
    })
}

// ---- Quorums (core/quorum.rs) -------------------------------------------------

/// One configuration's count: `{"config", "members", "granted", "refused",
/// "needed", "result"}`.
impl FromJson for ConfigTally {
    fn from_json(v: &Json, path: &str) -> Result<ConfigTally, String> {
        let f = Fields::of(v, path)?;
        let ids = |key| f.required(key, "a list of node ids", numbers);
        Ok(ConfigTally {
            config: f.required("config", "a configuration", ConfigName::from_json)?,
            members: ids("members")?,
            granted: ids("granted")?,
            refused: f.optional("refused", numbers)?.unwrap_or_default(),
            needed: f.required("needed", UINT, number)? as usize,
            result: f.required("result", "a vote result", VoteResult::from_json)?,
        })
    }
}
