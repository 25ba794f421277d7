//! TCP between nodes. Each node dials every peer and only sends on that
//! connection; it only receives on the connections peers dial to it. A
//! lost message is what Raft expects from a network, so a frame that
//! cannot go out now (peer down, link cut) is dropped, not queued: the
//! core resends what matters on its next heartbeat or timeout.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use quorumscope::core::NodeId;

use crate::wire::{self, Frame};

/// The first wait before redialling a peer, doubled after each failure.
const BACKOFF_MIN: Duration = Duration::from_millis(20);
/// The longest wait before redialling.
const BACKOFF_MAX: Duration = Duration::from_millis(500);
/// A dial or a write that takes longer than this has failed.
const IO_TIMEOUT: Duration = Duration::from_millis(500);
/// Frames waiting for one peer's sender thread; beyond it they are dropped.
const QUEUE_MAX: usize = 4096;

/// Per peer: "drop everything to and from it" (an operator's partition).
pub type Cuts = Arc<BTreeMap<NodeId, AtomicBool>>;

/// The sending side: one thread per peer.
pub struct Transport {
    peers: BTreeMap<NodeId, (mpsc::SyncSender<Vec<u8>>, SocketAddr)>,
    cuts: Cuts,
}

impl Transport {
    /// Starts a sender thread for each peer.
    pub fn start(peers: &BTreeMap<NodeId, SocketAddr>, cuts: Cuts) -> Transport {
        let mut out = BTreeMap::new();
        for (&id, &addr) in peers {
            let (tx, rx) = mpsc::sync_channel(QUEUE_MAX);
            let cuts = Arc::clone(&cuts);
            thread::spawn(move || send_loop(id, addr, rx, &cuts));
            out.insert(id, (tx, addr));
        }
        Transport { peers: out, cuts }
    }

    /// Queues a frame for `to`; dropped when the queue is full, the peer is
    /// unknown or the link is cut.
    pub fn send(&self, to: NodeId, frame: &Frame) {
        if is_cut(&self.cuts, to) {
            return;
        }
        if let Some((tx, _)) = self.peers.get(&to) {
            let _ = tx.try_send(wire::encode(frame));
        }
    }
}

/// True when the operator cut the link to `peer`.
pub fn is_cut(cuts: &Cuts, peer: NodeId) -> bool {
    cuts.get(&peer).is_some_and(|c| c.load(Ordering::Relaxed))
}

fn send_loop(peer: NodeId, addr: SocketAddr, rx: Receiver<Vec<u8>>, cuts: &Cuts) {
    let mut conn: Option<TcpStream> = None;
    let mut backoff = BACKOFF_MIN;
    let mut retry_at = Instant::now();
    while let Ok(bytes) = rx.recv() {
        if is_cut(cuts, peer) {
            conn = None; // closing the socket is the partition
            continue;
        }
        if conn.is_none() {
            if Instant::now() < retry_at {
                continue;
            }
            match TcpStream::connect_timeout(&addr, IO_TIMEOUT) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    let _ = s.set_write_timeout(Some(IO_TIMEOUT));
                    conn = Some(s);
                    backoff = BACKOFF_MIN;
                }
                Err(_) => {
                    retry_at = Instant::now() + backoff;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    continue;
                }
            }
        }
        if let Some(s) = conn.as_mut() {
            if s.write_all(&bytes).is_err() {
                conn = None;
            }
        }
    }
}

/// Accepts peers' connections and hands each frame to `deliver` (false:
/// the node is stopping). A frame that does not decode closes its
/// connection, with a line on stderr.
pub fn listen<F>(me: NodeId, listener: TcpListener, cuts: Cuts, deliver: F)
where
    F: Fn(Frame) -> bool + Clone + Send + 'static,
{
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (cuts, deliver) = (Arc::clone(&cuts), deliver.clone());
            thread::spawn(move || receive_loop(me, stream, &cuts, &deliver));
        }
    });
}

fn receive_loop(me: NodeId, mut stream: TcpStream, cuts: &Cuts, deliver: &impl Fn(Frame) -> bool) {
    let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
    loop {
        let frame = match wire::read_frame(&mut stream) {
            Ok(frame) => frame,
            Err(e) => {
                eprintln!("node {me}: closing connection from {peer}: {e}");
                return;
            }
        };
        if frame.msg.to != me || !cuts.contains_key(&frame.msg.from) {
            eprintln!(
                "node {me}: closing connection from {peer}: message from {} to {} is not for this node",
                frame.msg.from, frame.msg.to
            );
            return;
        }
        if is_cut(cuts, frame.msg.from) {
            return; // the partition: drop the connection
        }
        if !deliver(frame) {
            return;
        }
    }
}
