//! quorumscope's core run for real: one process per node, with durable
//! files ([`storage`]), TCP between nodes ([`wire`], [`transport`]), the
//! HTTP client API ([`http`]), all driven by one host loop ([`host`]) that
//! feeds the same `Node::step` the simulator and the page run.
//!
//! Around it: local clusters ([`cluster`]) and a small HTTP client
//! ([`client`]); the crash test and the soak ([`chaos`], [`soak`]) with
//! their linearizability checker ([`linear`]); and the nodes' traces
//! ([`journal`], [`hlc`]), merged and checked ([`merge`]).

#![deny(missing_docs)]

pub mod chaos;
pub mod client;
pub mod cluster;
pub mod hlc;
pub mod host;
pub mod http;
pub mod journal;
pub mod kv;
pub mod linear;
pub mod merge;
pub mod options;
pub mod soak;
pub mod storage;
pub mod transport;
pub mod wire;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::sync::Arc;

/// Runs one node until a durable write fails (the process then exits, as
/// a crash would: nothing after a failed write can be trusted).
pub fn run_node(opts: options::Options) -> Result<(), String> {
    let me = opts.id;
    let addr = opts.peers[&me];
    let listener = TcpListener::bind(addr).map_err(|e| format!("node {me}: peer address {addr}: {e}"))?;
    let others: BTreeMap<_, _> =
        opts.peers.iter().filter(|(&id, _)| id != me).map(|(&id, &a)| (id, a)).collect();
    let cuts: transport::Cuts = Arc::new(others.keys().map(|&id| (id, AtomicBool::new(false))).collect());
    let (tx, rx) = mpsc::channel();
    if let Some(client) = opts.client {
        http::serve(client, tx.clone()).map_err(|e| format!("node {me}: client address {client}: {e}"))?;
    }
    let sender = transport::Transport::start(&others, Arc::clone(&cuts));
    let host =
        host::Host::start(opts.clone(), sender, Arc::clone(&cuts)).map_err(|e| format!("node {me}: {e}"))?;
    let frames = tx.clone();
    transport::listen(me, listener, cuts, move |frame| frames.send(host::Input::Frame(frame)).is_ok());
    eprintln!(
        "node {me}: peers on {addr}, clients on {}",
        opts.client.map_or("(none)".into(), |a| format!("http://{a}"))
    );
    drop(tx);
    host.run(rx).map_err(|e| format!("node {me}: stopping after a failed write: {e}"))
}
