// The eight teaching switches (PROTOCOL.md §10), as the custom-cluster form
// offers them.

/** The eight teaching switches (PROTOCOL.md §10): label and what turning it off shows. */
export const SWITCHES = [
  ['pre_vote', 'Pre-vote',
    'Off: a node cut off in a minority keeps raising its term and, on heal, deposes a healthy leader.'],
  ['stickiness', 'Leader stickiness',
    'Off: with only one leader–follower link cut, that follower wins; leadership flaps between the two ends of the cut.'],
  ['check_quorum', 'Check quorum',
    'Off: a leader cut off in a minority keeps leading and accepts writes that are never acknowledged.'],
  ['durable_vote', 'Durable vote',
    'Off (vote kept in memory only): crash after voting, restart, vote again: two leaders in one term (election_safety).'],
  ['current_term_commit', 'Current-term commit',
    'Off: Raft\'s Figure 8: an entry of an earlier term is counted as committed, then overwritten.'],
  ['log_guards', 'Log guards',
    'Off (watermark rule and up-to-date check): a lagging node is elected and an acknowledged write disappears.'],
  ['watermark_rule', 'Watermark rule',
    'Off alone: still safe; the up-to-date check refuses instead (log_behind rather than watermark_not_covered).'],
  ['force_respects_vote_rule', 'Force respects vote rule',
    'Off: a forced handover installs a target that lacks committed entries (acked_write_lost).'],
];
