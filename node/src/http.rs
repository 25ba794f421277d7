//! The client API over HTTP/JSON (SCENARIO.md, "The real cluster's client
//! API"), and the operator commands, on tiny_http's blocking server: a
//! request is parsed and checked here, then answered by the host loop.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use serde_json::json;
use tiny_http::{Header, Method, Response, Server};

use quorumscope::core::{HandoverMode, NodeId};

use crate::host::{Input, Reply, Request, COMMIT_WAIT};
use crate::kv::{MAX_KEY_BYTES, MAX_VALUE_BYTES};

/// Threads answering requests; each blocks while its request waits for a
/// commit, so this bounds the requests in flight on one node.
const WORKERS: usize = 16;
/// Ticks a transfer's catch-up may take, unless the request says.
const HANDOVER_TICKS: u64 = 100;

/// Serves the API on `addr` until the process ends.
pub fn serve(addr: SocketAddr, inputs: Sender<Input>) -> std::io::Result<()> {
    let server = Arc::new(Server::http(addr).map_err(std::io::Error::other)?);
    for _ in 0..WORKERS {
        let (server, inputs) = (Arc::clone(&server), inputs.clone());
        thread::spawn(move || {
            while let Ok(mut rq) = server.recv() {
                let reply = answer(&mut rq, &inputs);
                let header = Header::from_bytes("Content-Type", "application/json").expect("a valid header");
                // Always a Content-Length, never chunked: bodies are small
                // and whole, and simple clients need not decode chunks.
                let response = Response::from_string(reply.body.to_string())
                    .with_status_code(reply.status)
                    .with_header(header)
                    .with_chunked_threshold(usize::MAX);
                let _ = rq.respond(response);
            }
        });
    }
    Ok(())
}

fn answer(rq: &mut tiny_http::Request, inputs: &Sender<Input>) -> Reply {
    let request = match parse(rq) {
        Ok(request) => request,
        Err(reply) => return reply,
    };
    let (tx, rx) = mpsc::channel();
    if inputs.send(Input::Client(request, tx)).is_err() {
        return Reply { status: 503, body: json!({ "error": "the node is stopping" }) };
    }
    // The host answers within COMMIT_WAIT; the margin covers a busy loop.
    rx.recv_timeout(COMMIT_WAIT + Duration::from_secs(1))
        .unwrap_or(Reply { status: 503, body: json!({ "error": "no answer in time" }) })
}

fn bad(status: u16, text: String) -> Reply {
    Reply { status, body: json!({ "error": text }) }
}

/// The request a client sent, or the error to answer it with.
fn parse(rq: &mut tiny_http::Request) -> Result<Request, Reply> {
    let url = rq.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let method = rq.method().clone();
    if let Some(raw) = path.strip_prefix("/kv/") {
        let key = percent_decode(raw).map_err(|e| bad(400, format!("key: {e}")))?;
        if key.len() > MAX_KEY_BYTES {
            return Err(bad(413, format!("key: {} bytes, the limit is {MAX_KEY_BYTES}", key.len())));
        }
        if key.is_empty() {
            return Err(bad(400, "key: empty".into()));
        }
        return match method {
            Method::Get => Ok(Request::Get { key }),
            Method::Put => Ok(Request::Put { key, value: body(rq)? }),
            other => Err(bad(405, format!("{other} is not allowed on /kv/KEY (GET or PUT)"))),
        };
    }
    match (method, path) {
        (Method::Get, "/status") => Ok(Request::Status),
        (Method::Post, admin) if admin.starts_with("/admin/") => operator(&admin["/admin/".len()..], query),
        (method, path) => Err(bad(404, format!("no route for {method} {path}"))),
    }
}

/// The body as UTF-8 text within the value limit.
fn body(rq: &mut tiny_http::Request) -> Result<String, Reply> {
    let mut bytes = Vec::new();
    let read = rq.as_reader().take(MAX_VALUE_BYTES as u64 + 1).read_to_end(&mut bytes);
    read.map_err(|e| bad(400, format!("body: {e}")))?;
    if bytes.len() > MAX_VALUE_BYTES {
        return Err(bad(413, format!("value: longer than the limit of {MAX_VALUE_BYTES} bytes")));
    }
    String::from_utf8(bytes).map_err(|_| bad(400, "value: not UTF-8 text".into()))
}

/// `POST /admin/COMMAND?...`.
fn operator(command: &str, query: &str) -> Result<Request, Reply> {
    let param =
        |name: &str| query.split('&').find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')));
    let id = |name: &str| -> Result<NodeId, Reply> {
        let raw = param(name).ok_or_else(|| bad(400, format!("{command}: ?{name}=N is required")))?;
        raw.parse().map_err(|_| bad(400, format!("{name}: {raw:?} is not a node id")))
    };
    let ticks = |default: u64| -> Result<u64, Reply> {
        param("ticks")
            .map_or(Ok(default), |t| t.parse().map_err(|_| bad(400, format!("ticks: {t:?} is not a number"))))
    };
    match command {
        "transfer" => Ok(Request::Handover {
            to: id("to")?,
            mode: HandoverMode::Coordinated { deadline_ticks: ticks(HANDOVER_TICKS)? },
        }),
        "failover" => {
            let to = id("to")?;
            let mode = match param("mode").unwrap_or("force") {
                "force" => HandoverMode::Force { timeout_ticks: ticks(HANDOVER_TICKS)? },
                "coordinated" => HandoverMode::Coordinated { deadline_ticks: ticks(HANDOVER_TICKS)? },
                other => return Err(bad(400, format!("mode: {other:?} (force or coordinated)"))),
            };
            Ok(Request::Handover { to, mode })
        }
        "add" => Ok(Request::Add { id: id("id")?, witness: param("kind") == Some("witness") }),
        "remove" => Ok(Request::Remove { id: id("id")? }),
        "cut" => {
            let raw = param("peers").ok_or_else(|| bad(400, "cut: ?peers=2,3 is required".into()))?;
            let peers = raw
                .split(',')
                .map(|p| p.parse().map_err(|_| bad(400, format!("peers: {p:?} is not a node id"))));
            Ok(Request::Cut { peers: peers.collect::<Result<_, _>>()? })
        }
        "heal" => Ok(Request::Heal),
        other => Err(bad(
            404,
            format!("unknown operator command {other:?} (transfer, failover, add, remove, cut, heal)"),
        )),
    }
}

/// `%XX` escapes to bytes, which must then be UTF-8.
fn percent_decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3).ok_or("a % escape is cut short")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("%{hex} is not an escape"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_decode_and_bad_ones_are_errors() {
        assert_eq!(percent_decode("a%20b%C3%A9").unwrap(), "a bé");
        assert!(percent_decode("a%2").is_err());
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%ff").is_err());
    }

    #[test]
    fn operator_commands_parse_and_name_what_is_missing() {
        assert_eq!(operator("remove", "id=3").unwrap(), Request::Remove { id: 3 });
        assert_eq!(operator("cut", "peers=1,2").unwrap(), Request::Cut { peers: vec![1, 2] });
        assert_eq!(
            operator("failover", "to=2&mode=coordinated&ticks=7").unwrap(),
            Request::Handover { to: 2, mode: HandoverMode::Coordinated { deadline_ticks: 7 } }
        );
        assert!(operator("transfer", "").unwrap_err().body["error"]
            .as_str()
            .unwrap()
            .contains("?to=N is required"));
        assert_eq!(operator("explode", "").unwrap_err().status, 404);
    }
}
