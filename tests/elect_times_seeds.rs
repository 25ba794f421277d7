//! The Figure 16 experiment gives the same numbers on the command line and
//! in the page: both seed trial k with `elect_times::trial_seed(k)` (the
//! page through the wasm `electTrial`, checked in `tests/wasm.rs`).

use quorumscope::elect_times::{trial, trial_seed, Outcome, Testbed, TimeoutRange, CAP_MS};

#[test]
fn the_cli_draws_its_trials_from_trial_seed() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quorumscope"))
        .args(["elect-times", "--trials", "6", "--csv"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut cli: Vec<u64> = text
        .lines()
        .filter(|l| l.starts_with("150-155,"))
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let range = TimeoutRange { min: 150, max: 155 };
    let mut page: Vec<u64> = (0..6)
        .filter_map(|k| match trial(&Testbed::PAPER, range, trial_seed(k), true) {
            Outcome::Elected(ms) => Some(ms),
            Outcome::NoLeader => Some(CAP_MS),
            Outcome::NeverLed => None,
        })
        .collect();
    cli.sort_unstable();
    page.sort_unstable();
    assert_eq!(cli, page, "the page's trial k (trial_seed(k)) is the CLI's trial k");
}
