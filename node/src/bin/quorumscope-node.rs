//! `quorumscope-node`: the real-cluster commands. The `quorumscope` CLI
//! runs this binary for `node`, `cluster`, `merge` and `check-trace`, so
//! that its own build (and the wasm build) never links the crates these
//! need.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use quorumscope_node::cluster::Cluster;
use quorumscope_node::options::{Options, NODE_USAGE};
use quorumscope_node::{cluster, merge, run_node, soak};

const USAGE: &str = "usage:
  quorumscope node --id N --peers 1=HOST:PORT,... --data DIR [--client HOST:PORT] [--witness] ...
  quorumscope cluster up 3|5 [--witness] [--dir D]
  quorumscope cluster down [--dir D]
  quorumscope merge DIR... [--out FILE]
  quorumscope check-trace FILE
  quorumscope-node soak [--seconds N] [--nodes 3|5] [--clients C]";

const DEFAULT_DIR: &str = "quorumscope-cluster";

/// Exit codes: 0 done, 1 a check found a violation, 2 bad input or failure.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("node") => Options::parse(&args[1..])
            .map_err(|e| format!("{e}\nusage: {NODE_USAGE}"))
            .and_then(run_node)
            .map(|()| true),
        Some("cluster") => cluster_command(&args[1..]),
        Some("merge") => merge::merge_command(&args[1..]),
        Some("check-trace") => merge::check_trace_command(&args[1..]),
        Some("soak") => soak::soak_command(&args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("quorumscope: {message}");
            ExitCode::from(2)
        }
    }
}

fn cluster_command(args: &[String]) -> Result<bool, String> {
    let mut dir = PathBuf::from(DEFAULT_DIR);
    let (mut size, mut witness) = (None, false);
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--dir" => {
                i += 1;
                dir = PathBuf::from(args.get(i).ok_or("--dir needs a directory")?);
            }
            "--witness" => witness = true,
            n if size.is_none() && args[0] == "up" => {
                size = Some(
                    n.parse::<u64>()
                        .ok()
                        .filter(|n| [3, 5].contains(n))
                        .ok_or(format!("cluster size {n:?}: 3 or 5"))?,
                )
            }
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
        i += 1;
    }
    match args.first().map(String::as_str) {
        Some("up") => up(&dir, size.ok_or("cluster up needs a size: 3 or 5")?, witness),
        Some("down") => {
            let n = cluster::down(&dir)?;
            let _ = writeln!(std::io::stdout(), "stopped {n} nodes of {}", dir.display());
            Ok(true)
        }
        _ => Err(format!("cluster: up or down\n{USAGE}")),
    }
}

fn up(dir: &std::path::Path, n: u64, witness: bool) -> Result<bool, String> {
    if dir.join(cluster::CLUSTER_FILE).exists() {
        return Err(format!(
            "a cluster is already up in {} (quorumscope cluster down --dir {0})",
            dir.display()
        ));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut c = Cluster::plan(&exe, dir, n, witness, &[]).map_err(|e| format!("{}: {e}", dir.display()))?;
    c.start_all().map_err(|e| format!("starting nodes: {e}"))?;
    let leader = c.wait_for_leader(Duration::from_secs(10));
    let mut lines: Vec<String> =
        c.members.values().map(|m| format!("node {} client http://{}", m.id, m.client)).collect();
    for m in c.members.values() {
        let kind = if witness && m.id == n { " (witness)" } else { "" };
        lines.push(format!("node {} peer {} data {}{kind}", m.id, m.peer, c.data_dir(m.id).display()));
    }
    lines.push(match leader {
        Some(id) => format!("leader: node {id}"),
        None => format!("no leader yet; see {}/node-N.log", dir.display()),
    });
    lines.push(format!("stop with: quorumscope cluster down --dir {}", dir.display()));
    // Recorded before anything is printed, so that `cluster down` finds the
    // nodes even if printing fails (say, `| head -1` closed the pipe).
    c.detach().map_err(|e| e.to_string())?;
    let mut out = std::io::stdout();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    Ok(true)
}
