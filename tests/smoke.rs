mod common;
use common::*;

#[test]
fn five_nodes_elect_and_commit() {
    let mut c = Cluster::new(&data(&[1, 2, 3, 4, 5]), |_| {});
    let leader = c.elect();
    for i in 0..5 {
        c.write(&format!("x={i}"));
    }
    c.run(10);
    for id in 1..=5 {
        assert_eq!(c.applied_writes(id), vec!["x=0", "x=1", "x=2", "x=3", "x=4"], "node {id}");
    }
    assert_eq!(c.leader(), Some(leader));
}
