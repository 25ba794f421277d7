//! The interim `make demo`: a five-node cluster in memory elects a leader
//! and commits a few writes, printing every action's description.

use std::collections::VecDeque;

use quorumscope::core::{Action, Bytes, Config, Event, Member, Node, Role};

fn main() -> Result<(), quorumscope::core::Error> {
    let members: Vec<Member> = (1..=5).map(Member::data).collect();
    let mut nodes = Vec::new();
    for id in 1..=5 {
        let mut cfg = Config::new(id, members.clone());
        cfg.seed = 7;
        nodes.push(Node::new(cfg)?);
    }
    let mut queue = VecDeque::new();
    let mut writes = vec!["x=1", "y=2", "z=3"];
    for tick in 1..=80u64 {
        for node in nodes.iter_mut() {
            let actions = node.step(Event::Tick)?;
            show(tick, node.id(), &actions, &mut queue);
        }
        while let Some(m) = queue.pop_front() {
            let node = &mut nodes[(m.to - 1) as usize];
            let actions = node.step(Event::Message(m))?;
            show(tick, node.id(), &actions, &mut queue);
        }
        if let Some(leader) = nodes.iter_mut().find(|n| n.role() == Role::Leader) {
            if leader.commit_index() > 0 {
                if let Some(value) = writes.pop() {
                    println!("[tick {tick}] client writes {value:?} to node {}", leader.id());
                    let actions = leader.step(Event::Propose(Bytes::from(value.as_bytes())))?;
                    show(tick, leader.id(), &actions, &mut queue);
                }
            }
        }
    }
    for n in &nodes {
        println!(
            "node {}: {:?} in term {}, commit {}, last index {}",
            n.id(),
            n.role(),
            n.term(),
            n.commit_index(),
            n.log().last_index()
        );
    }
    Ok(())
}

fn show(tick: u64, id: u64, actions: &[Action], queue: &mut VecDeque<quorumscope::core::Message>) {
    for a in actions {
        // Heartbeats and their answers would drown the story.
        let noisy = matches!(a, Action::Send(m) if m.to_string().contains("heartbeat")
            || m.to_string().contains("append accepted"));
        if !noisy {
            println!("[tick {tick}] node {id}: {a}");
        }
        if let Action::Send(m) = a {
            queue.push_back(m.clone());
        }
    }
}
