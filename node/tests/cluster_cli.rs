//! `quorumscope cluster up/down`, the client API as SCENARIO.md states it,
//! bad frames on the peer port, `merge` and `check-trace`, end to end with
//! real processes. About 10 s.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use quorumscope_node::client::{self, Response};

const EXE: &str = env!("CARGO_BIN_EXE_quorumscope-node");

fn run(args: &[&str]) -> Output {
    Command::new(EXE).args(args).output().unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stops the cluster in `dir` when dropped, even after a failed assert.
struct Down(PathBuf);

impl Drop for Down {
    fn drop(&mut self) {
        let _ = run(&["cluster", "down", "--dir", &self.0.to_string_lossy()]);
    }
}

/// The addresses `cluster up` printed: `node N client http://ADDR` and
/// `node N peer ADDR ...`.
fn addresses(out: &str, what: &str) -> Vec<SocketAddr> {
    out.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("node") && words.nth(1) == Some(what)).then(|| words.next())?
        })
        .filter_map(|a| a.trim_start_matches("http://").parse().ok())
        .collect()
}

fn call(addr: SocketAddr, method: &str, path: &str, body: &str) -> Response {
    client::request(addr, method, path, body, Duration::from_secs(4)).unwrap()
}

fn leader_of(clients: &[SocketAddr]) -> SocketAddr {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        for &c in clients {
            if call(c, "GET", "/status", "").body["role"] == "leader" {
                return c;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no leader within 10 s");
}

/// PUTs at the current leader until it answers other than 503 (at most
/// five tries); the answer and the leader that gave it.
fn put_until_answered(clients: &[SocketAddr], path: &str, body: &str) -> (Response, SocketAddr) {
    for _ in 0..4 {
        let leader = leader_of(clients);
        let answer = call(leader, "PUT", path, body);
        if answer.status != 503 {
            return (answer, leader);
        }
    }
    let leader = leader_of(clients);
    (call(leader, "PUT", path, body), leader)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_cluster_comes_up_serves_the_client_api_and_goes_down() {
    let dir = scratch("cli");
    let d = dir.to_string_lossy().to_string();
    let up = run(&["cluster", "up", "3", "--dir", &d]);
    let _down = Down(dir.clone());
    let out = text(&up);
    assert!(up.status.success(), "{out}{}", String::from_utf8_lossy(&up.stderr));
    let clients = addresses(&out, "client");
    let peers = addresses(&out, "peer");
    assert_eq!((clients.len(), peers.len()), (3, 3), "{out}");
    let leader = leader_of(&clients);
    let follower = *clients.iter().find(|&&c| c != leader).unwrap();

    // Writes and reads on the leader; a follower names the leader.
    let put = call(leader, "PUT", "/kv/greeting%20x", "héllo");
    assert_eq!(put.status, 200, "{put:?}");
    assert!(put.body["index"].as_u64().unwrap() >= 2 && put.body["term"].as_u64().unwrap() >= 1);
    assert_eq!(call(leader, "GET", "/kv/greeting%20x", "").body["value"], "héllo");
    assert_eq!(
        call(leader, "GET", "/kv/nothing", ""),
        Response { status: 404, body: serde_json::json!({"error": "absent"}) }
    );
    let redirect = call(follower, "PUT", "/kv/a", "1");
    assert_eq!(redirect.status, 421);
    assert_eq!(redirect.body["error"], "not_leader");
    assert_eq!(redirect.body["leader"], format!("http://{leader}"));
    assert_eq!(call(follower, "GET", "/kv/a", "").status, 421);
    let status = call(follower, "GET", "/status", "").body;
    for field in ["id", "role", "term", "leader", "commit", "last_index"] {
        assert!(status.get(field).is_some(), "status lacks {field}: {status}");
    }
    // Limits: key 256 bytes, value 64 KiB.
    assert_eq!(call(leader, "PUT", &format!("/kv/{}", "k".repeat(257)), "v").status, 413);
    assert_eq!(call(leader, "PUT", "/kv/big", &"v".repeat(64 * 1024 + 1)).status, 413);
    // A value of exactly the limit is accepted. The write is big for a
    // debug build on a shared machine: if leadership moves meanwhile the
    // answer is 503 (may or may not have taken effect), and a client asks
    // the current leader again, as any client of a real cluster would.
    let (fits, at) = put_until_answered(&clients, "/kv/fits", &"v".repeat(64 * 1024));
    assert_eq!(fits.status, 200, "{fits:?}");
    assert_eq!(call(at, "GET", "/kv/fits", "").body["value"].as_str().map(str::len), Some(64 * 1024));

    // Garbage, an unknown version and an oversized length on a peer port:
    // the node closes the connection and keeps serving.
    for junk in [
        &b"GET / HTTP/1.1\r\n\r\n"[..],
        &[9, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 4],
        &[1, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0],
    ] {
        let mut s = TcpStream::connect(peers[0]).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        s.write_all(junk).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(s.read(&mut buf).unwrap_or(0), 0, "the connection is closed");
    }
    assert_eq!(call(clients[0], "GET", "/status", "").status, 200);

    // An operator transfer moves leadership.
    let target = peers.len() as u64; // node 3, unless it leads already
    let target = if call(leader, "GET", "/status", "").body["id"] == target { 1 } else { target };
    let moved = call(leader, "POST", &format!("/admin/transfer?to={target}"), "");
    assert_eq!(moved.status, 202, "{moved:?}");
    let end = Instant::now() + Duration::from_secs(5);
    while call(clients[target as usize - 1], "GET", "/status", "").body["role"] != "leader" {
        assert!(Instant::now() < end, "node {target} never took over");
        std::thread::sleep(Duration::from_millis(50));
    }

    let down = run(&["cluster", "down", "--dir", &d]);
    assert!(text(&down).contains("stopped 3 nodes"), "{}", text(&down));
    assert!(client::request(clients[0], "GET", "/status", "", Duration::from_millis(500)).is_err());

    // The nodes' traces merge into one the checker passes.
    let merged = dir.join("merged.jsonl");
    let m = run(&["merge", &d, "--out", &merged.to_string_lossy()]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let check = run(&["check-trace", &merged.to_string_lossy()]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(text(&check).contains("violations=0"));
    version_2_facts(&std::fs::read_to_string(&merged).unwrap());
    let _ = std::fs::remove_dir_all(Path::new(&dir));
}

/// The merged trace carries the facts SCENARIO.md's "Version 2" adds, as
/// the core reported them: a role change's cause, the winning tally, the
/// commit rule, an appended entry's contents, a judged request's terms and
/// each message's contents.
fn version_2_facts(trace: &str) {
    let events: Vec<serde_json::Value> = trace.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let of = |kind: &'static str| events.iter().filter(move |e| e["kind"] == kind);
    let has = |e: &serde_json::Value, field: &str| e.get(field).is_some_and(|v| !v.is_null());
    for (kind, fields) in [
        ("role_changed", &["cause"][..]),
        ("leader_elected", &["quorum"]),
        ("commit_advanced", &["rule"]),
        ("entry_appended", &["entry"]),
        ("vote_granted", &["asked_term", "last_index", "last_term"]),
    ] {
        assert!(of(kind).count() > 0, "no {kind} in the trace");
        for e in of(kind) {
            for field in fields {
                assert!(has(e, field), "{kind} lacks {field}: {e}");
            }
        }
    }
    for e in of("leader_elected") {
        let tally = &e["quorum"][0];
        let granted = tally["granted"].as_array().map_or(0, Vec::len) as u64;
        assert!(granted >= tally["needed"].as_u64().unwrap_or(u64::MAX), "a leader without a quorum: {e}");
    }
    assert!(of("entry_appended").any(|e| e["entry"]["kind"] == "write"), "no write entry");
    assert!(of("commit_advanced").any(|e| e["rule"] == "current_term"), "no leader commit");
    assert!(of("commit_advanced").any(|e| e["rule"] == "leader"), "no follower commit");
    let append = of("message_sent").find(|e| e["msg"] == "append").expect("an append is sent");
    assert!(has(append, "prev_index") && has(append, "commit"), "{append}");
    assert!(of("progress_changed").count() > 0, "no progress_changed");
}

#[test]
fn bad_command_lines_exit_2_with_a_message() {
    for args in [
        &["cluster", "up", "4"][..],
        &["node", "--id", "1"],
        &["merge"],
        &["check-trace"],
        &["cluster", "down", "--dir", "/nonexistent/qs"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

/// Kills `child` when dropped, even after a failed assert.
struct Reap(std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_single(dir: &Path, peer: SocketAddr, client: SocketAddr, fault: Option<&str>) -> Reap {
    let mut cmd = Command::new(EXE);
    cmd.args(["node", "--id", "1", "--peers", &format!("1={peer}"), "--client", &client.to_string()]);
    cmd.arg("--data").arg(dir);
    if let Some(f) = fault {
        cmd.args(["--fault", f]);
    }
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.with_extension("log")).unwrap();
    Reap(cmd.stderr(log).spawn().unwrap())
}

fn wait_leading(client: SocketAddr) {
    let end = Instant::now() + Duration::from_secs(10);
    while client::request(client, "GET", "/status", "", Duration::from_millis(300))
        .map_or(true, |r| r.body["role"] != "leader")
    {
        assert!(Instant::now() < end, "the node never led");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A write torn on disk (injected at the 4th log record) stops the node
/// before it answers; on restart the torn tail is cut and reported, and
/// every acknowledged write is still there.
#[test]
fn a_torn_write_stops_the_node_and_recovery_cuts_it_keeping_every_acked_write() {
    let dir = scratch("torn");
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("node-1");
    let addrs = quorumscope_node::cluster::free_addrs(2).unwrap();
    let mut node = start_single(&data, addrs[0], addrs[1], Some("tear:4"));
    wait_leading(addrs[1]);
    let mut acked = Vec::new();
    for i in 0..10 {
        match client::request(addrs[1], "PUT", &format!("/kv/k{i}"), &format!("v{i}"), Duration::from_secs(3))
        {
            Ok(r) if r.status == 200 => acked.push(i),
            _ => break,
        }
    }
    // The no-op is record 1, so writes 0 to 1 went out and write 2 tore.
    assert_eq!(acked, vec![0, 1], "the torn write is never acknowledged");
    let end = Instant::now() + Duration::from_secs(5);
    while node.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < end, "the node keeps running after a failed write");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(node);
    let restarted = start_single(&data, addrs[0], addrs[1], None);
    wait_leading(addrs[1]);
    for i in &acked {
        let r = client::request(addrs[1], "GET", &format!("/kv/k{i}"), "", Duration::from_secs(3)).unwrap();
        assert_eq!(r.body["value"], format!("v{i}"), "acked write k{i}");
    }
    drop(restarted);
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap();
    assert!(log.contains("injected torn write at record 4"), "{log}");
    assert!(log.contains("3 log records intact; cut a"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An operator adds a fourth node (started with `--join`, the others with
/// `--members 1,2,3`): it catches up as a learner, is promoted, and is
/// removed again.
#[test]
fn an_operator_adds_and_removes_a_member() {
    let dir = scratch("add");
    let exe = PathBuf::from(EXE);
    let mut c = quorumscope_node::cluster::Cluster::plan(&exe, &dir, 4, false, &[]).unwrap();
    for id in 1..=3 {
        c.start_with(id, &["--members", "1,2,3"]).unwrap();
    }
    c.start_with(4, &["--join"]).unwrap();
    let leader = c.wait_for_leader(Duration::from_secs(10)).expect("a leader");
    assert_ne!(leader, 4, "a node outside the configuration never leads");
    let put = call(c.members[&leader].client, "PUT", "/kv/before", "4 joins");
    assert_eq!(put.status, 200, "{put:?}");
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let r = c.admin(leader, "add?id=4").expect("an answer");
        if r.status == 202 {
            break;
        }
        // The leader must first commit an entry of its term (409) .
        assert!(Instant::now() < end, "add refused: {r:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let s = c.status(4).unwrap_or_default();
        if s["role"] == "follower" && s["applied"].as_u64() >= put.body["index"].as_u64() {
            break;
        }
        assert!(Instant::now() < end, "node 4 never caught up and was promoted: {s}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let end = Instant::now() + Duration::from_secs(10);
    while c.admin(leader, "remove?id=4").is_none_or(|r| r.status != 202) {
        assert!(Instant::now() < end, "remove refused");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(c);
    let _ = std::fs::remove_dir_all(&dir);
}
