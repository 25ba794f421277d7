//! `quorumscope node`'s command line.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use quorumscope::core::{NodeId, Switches};

use crate::storage::Fault;

/// Real time per tick unless `--tick-ms` says otherwise: with the core's
/// default timeouts in ticks, elections time out after 250-500 ms and
/// heartbeats go every 75 ms. Shorter ticks made leaders flap on this
/// loaded 2-core machine while a debug build processed a 64 KiB write.
pub const DEFAULT_TICK_MS: u64 = 25;

/// Usage of `quorumscope node`.
pub const NODE_USAGE: &str = "quorumscope node --id N --peers 1=HOST:PORT,2=HOST:PORT,... --data DIR
    [--client HOST:PORT] [--clients 1=HOST:PORT,...] [--witness] [--witnesses 3,...]
    [--members 1,2,3 | --join] [--tick-ms 25] [--snapshot-threshold N] [--fault fail:N|tear:N|ack-early] [--off SWITCH]...";

/// Everything one node process needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// This node's id.
    pub id: NodeId,
    /// Every member's peer address, this node's included.
    pub peers: BTreeMap<NodeId, SocketAddr>,
    /// Members' client API URLs, for `421` answers.
    pub clients: BTreeMap<NodeId, String>,
    /// Members that are witnesses.
    pub witnesses: Vec<NodeId>,
    /// The data directory.
    pub data: PathBuf,
    /// Where to serve the client API.
    pub client: Option<SocketAddr>,
    /// The initial configuration's members; the default is every peer
    /// (`--peers` is an address book and may list nodes added later), or
    /// every peer but this node with `--join` (a node to be added by an
    /// operator starts outside the configuration).
    pub members: Vec<NodeId>,
    /// Real time per logical tick.
    pub tick: Duration,
    /// The core's snapshot threshold (0: off).
    pub snapshot_threshold: u64,
    /// A fault to inject into the log (tests).
    pub fault: Option<Fault>,
    /// `--fault ack-early`, a bug on purpose for the negative crash test:
    /// a leader acknowledges a write as soon as it has appended it, before
    /// a quorum stores it (so a cut-off or killed leader loses it).
    pub ack_early: bool,
    /// The core's teaching switches (PROTOCOL.md §10); `--off` turns one
    /// off, to show that the crash test catches what it breaks.
    pub switches: Switches,
}

fn value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str, String> {
    *i += 1;
    args.get(*i).map(String::as_str).ok_or_else(|| format!("{flag} needs a value"))
}

fn number(text: &str, flag: &str) -> Result<u64, String> {
    text.parse().map_err(|_| format!("{flag} {text:?}: not a non-negative integer"))
}

/// Parses `1=HOST:PORT,2=HOST:PORT`.
pub fn id_map(text: &str, flag: &str) -> Result<BTreeMap<NodeId, String>, String> {
    let mut out = BTreeMap::new();
    for (i, item) in text.split(',').enumerate() {
        let (id, addr) =
            item.split_once('=').ok_or_else(|| format!("{flag}[{i}] {item:?}: expected ID=HOST:PORT"))?;
        let id = number(id, &format!("{flag}[{i}]"))?;
        if id == 0 || out.insert(id, addr.to_string()).is_some() {
            return Err(format!("{flag}[{i}]: id {id} is zero or listed twice"));
        }
    }
    Ok(out)
}

fn socket(text: &str, flag: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|_| format!("{flag} {text:?}: expected HOST:PORT with an IP address"))
}

impl Options {
    /// Parses `quorumscope node`'s arguments.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let (mut id, mut peers, mut data) = (None, None, None);
        let mut o = Options {
            id: 0,
            peers: BTreeMap::new(),
            clients: BTreeMap::new(),
            witnesses: Vec::new(),
            data: PathBuf::new(),
            client: None,
            members: Vec::new(),
            tick: Duration::from_millis(DEFAULT_TICK_MS),
            snapshot_threshold: 0,
            fault: None,
            ack_early: false,
            switches: Switches::default(),
        };
        let (mut witness, mut join) = (false, false);
        let mut i = 0;
        while i < args.len() {
            let flag = args[i].as_str();
            match flag {
                "--id" => id = Some(number(value(args, &mut i, flag)?, flag)?),
                "--peers" => peers = Some(value(args, &mut i, flag)?.to_string()),
                "--data" => data = Some(PathBuf::from(value(args, &mut i, flag)?)),
                "--client" => o.client = Some(socket(value(args, &mut i, flag)?, flag)?),
                "--clients" => {
                    let map = id_map(value(args, &mut i, flag)?, flag)?;
                    o.clients = map.into_iter().map(|(id, a)| (id, format!("http://{a}"))).collect();
                }
                "--witness" => witness = true,
                "--witnesses" => {
                    for w in value(args, &mut i, flag)?.split(',') {
                        o.witnesses.push(number(w, flag)?);
                    }
                }
                "--join" => join = true,
                "--members" => {
                    for m in value(args, &mut i, flag)?.split(',') {
                        o.members.push(number(m, flag)?);
                    }
                }
                "--tick-ms" => {
                    o.tick = Duration::from_millis(number(value(args, &mut i, flag)?, flag)?.max(1))
                }
                "--snapshot-threshold" => o.snapshot_threshold = number(value(args, &mut i, flag)?, flag)?,
                "--fault" => match value(args, &mut i, flag)? {
                    "ack-early" => o.ack_early = true,
                    fault => o.fault = Some(Fault::parse(fault)?),
                },
                "--off" => {
                    let name = value(args, &mut i, flag)?;
                    let known = Switches::NAMES.join(", ");
                    *o.switches
                        .by_name_mut(name)
                        .ok_or(format!("--off {name:?}: not a switch ({known})"))? = false;
                }
                other => return Err(format!("unknown option {other:?}\nusage: {NODE_USAGE}")),
            }
            i += 1;
        }
        o.id = id.ok_or("--id is required")?;
        o.data = data.ok_or("--data is required")?;
        for (peer, addr) in id_map(&peers.ok_or("--peers is required")?, "--peers")? {
            o.peers.insert(peer, socket(&addr, &format!("--peers {peer}"))?);
        }
        if !o.peers.contains_key(&o.id) {
            return Err(format!("--peers: this node's id {} is not listed", o.id));
        }
        if o.members.is_empty() {
            o.members = o.peers.keys().copied().filter(|&id| !(join && id == o.id)).collect();
        }
        if let Some(m) = o.members.iter().find(|m| !o.peers.contains_key(m)) {
            return Err(format!("--members: node {m} is not in --peers"));
        }
        if witness && !o.witnesses.contains(&o.id) {
            o.witnesses.push(o.id);
        }
        if let Some(w) = o.witnesses.iter().find(|w| !o.peers.contains_key(w)) {
            return Err(format!("--witnesses: node {w} is not in --peers"));
        }
        if let (Some(addr), false) = (o.client, o.clients.contains_key(&o.id)) {
            o.clients.insert(o.id, format!("http://{addr}"));
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn a_full_command_line_parses() {
        let o = Options::parse(&args(
            "--id 2 --peers 1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003 --data /tmp/x --client 127.0.0.1:8002 --witnesses 3 --fault tear:4",
        ))
        .unwrap();
        assert_eq!(o.id, 2);
        assert_eq!(o.peers.len(), 3);
        assert_eq!(o.witnesses, vec![3]);
        assert_eq!(o.clients.get(&2).map(String::as_str), Some("http://127.0.0.1:8002"));
        assert_eq!(o.fault, Some(Fault::TearAt(4)));
        assert_eq!(o.members, vec![1, 2, 3]);
        let joining =
            Options::parse(&args("--id 4 --peers 1=127.0.0.1:1,4=127.0.0.1:4 --data d --join")).unwrap();
        assert_eq!(joining.members, vec![1]);
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        let cases = [
            ("--peers 1=127.0.0.1:1 --data d", "--id is required"),
            ("--id 2 --peers 1=127.0.0.1:1 --data d", "this node's id 2 is not listed"),
            ("--id 1 --peers 1=nowhere --data d", "--peers 1 \"nowhere\""),
            ("--id 1 --peers 1=127.0.0.1:1,1=127.0.0.1:2 --data d", "listed twice"),
            ("--id 1 --peers 1=127.0.0.1:1 --data d --fault melt:3", "unknown fault"),
            ("--id 1 --peers 1=127.0.0.1:1 --data d --witnesses 4", "node 4 is not in --peers"),
            ("--id 1 --peers 1=127.0.0.1:1 --data d --members 1,5", "--members: node 5 is not in --peers"),
            ("--id 1 --peers 1=127.0.0.1:1 --data d --off safety", "--off \"safety\": not a switch"),
        ];
        for (line, want) in cases {
            let err = Options::parse(&args(line)).unwrap_err();
            assert!(err.contains(want), "{line}: {err}");
        }
    }
}
