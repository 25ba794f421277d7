#!/usr/bin/env bash
# Model checker speed for `make bench`: `quorumscope explore` breadth-first
# on each shape (every switch on, fixed depth, one run each), then
# stateright's own Raft example (`examples/raft.rs` of the crates.io
# package, fetched through benches/explore and built from the cargo
# registry) in the same run, `check 3 10`, alternated with ours at about
# the same size. Markdown rows on stdout, build output on stderr. QUICK=1 (or --quick) shrinks the depths.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${QUICK:-}
[ "${1:-}" = "--quick" ] && quick=1
bin=target/release/quorumscope
cargo build --release --bin quorumscope >&2

# Runs a command with its stdout and stderr in $out, and its wall clock
# and CPU seconds (user + system) in $wall and $cpu: the machine is
# shared, so unique states per CPU second is the steadier figure; wall
# clock is printed too.
timed() {
  local t o
  t=$(mktemp)
  o=$(mktemp)
  /usr/bin/time -f "%e %U %S" -o "$t" "$@" >"$o" 2>&1 || true
  read -r wall user sys <"$t"
  out=$(cat "$o")
  rm -f "$t" "$o"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.01) }'; }

echo "| model checker | shape | depth | unique states | transitions | seconds | unique states/s | CPU s | unique states/CPU s |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for run in "three 8" "five 5" "witness 8" "learner 7" "joint 7"; do
  set -- $run
  depth=$2
  [ -n "$quick" ] && depth=$((depth - 2))
  timed "$bin" explore "$1" --bfs-only --depth "$depth" --out /dev/null
  states=$(sed -n 's/^states=\([0-9]*\) depth=\([0-9]*\).*/\1/p' <<<"$out")
  reached=$(sed -n 's/^states=\([0-9]*\) depth=\([0-9]*\).*/\2/p' <<<"$out")
  trans=$(sed -n 's/^time=\([0-9.]*\)s transitions=\([0-9]*\) unique_states_per_sec=\([0-9]*\)$/\2/p' <<<"$out")
  echo "| quorumscope explore (real core) | $1 | $reached | $states | $trans | $wall | $(rate "$states" "$wall") | $cpu | $(rate "$states" "$cpu") |"
done

# stateright's toy Raft, built from its own package in the registry, beside
# ours at about the same size: `three` to depth 10 (902,912 states) against
# `check 3 10` (about 814,000 unique), alternated twice (A B A B) so that
# the shared machine's load falls on both alike. QUICK: depth 8 for both.
cargo fetch >&2
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/stateright-0.31.* | head -1)
(cd "$src" && cargo build --release --example raft --target-dir "$OLDPWD/target/stateright") >&2
depth=10
[ -n "$quick" ] && depth=8
echo
echo "| model checker, alternated | run | depth | unique states | transitions | seconds | unique states/s | CPU s | unique states/CPU s |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
ratios=()
for round in 1 2; do
  timed "$bin" explore three --bfs-only --depth "$depth" --max-states 2000000 --out /dev/null
  ours=$(sed -n 's/^states=\([0-9]*\) depth=.*/\1/p' <<<"$out")
  trans=$(sed -n 's/^time=\([0-9.]*\)s transitions=\([0-9]*\) unique_states_per_sec=\([0-9]*\)$/\2/p' <<<"$out")
  ours_rate=$(rate "$ours" "$wall")
  echo "| quorumscope explore (real core) | three, round $round | $depth | $ours | $trans | $wall | $ours_rate | $cpu | $(rate "$ours" "$cpu") |"
  timed target/stateright/release/examples/raft check 3 "$depth"
  line=$(grep '^Done\.' <<<"$out")
  states=$(sed -n 's/.*states=\([0-9]*\), unique=\([0-9]*\), depth=\([0-9]*\), sec=\([0-9]*\).*/\1/p' <<<"$line")
  unique=$(sed -n 's/.*states=\([0-9]*\), unique=\([0-9]*\), depth=\([0-9]*\), sec=\([0-9]*\).*/\2/p' <<<"$line")
  reached=$(sed -n 's/.*states=\([0-9]*\), unique=\([0-9]*\), depth=\([0-9]*\), sec=\([0-9]*\).*/\3/p' <<<"$line")
  sr_rate=$(rate "$unique" "$wall")
  echo "| stateright examples/raft.rs (toy model) | check 3 $depth, round $round | $reached | $unique | $states | $wall | $sr_rate | $cpu | $(rate "$unique" "$cpu") |"
  ratios+=("$(awk -v a="$ours_rate" -v b="$sr_rate" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }')")
done
echo
echo "ours / stateright, unique states per wall-clock second, each round: ${ratios[*]}"
echo

# Each unsafe switch off, default bounds and search (breadth-first, then
# walks): what is found, how, in how many moves and seconds (target: each
# found within 10 minutes). Skipped with QUICK=1.
if [ -z "$quick" ]; then
  echo
  echo "| switch off | found | how | moves | seconds |"
  echo "| --- | --- | --- | ---: | ---: |"
  tmp=$(mktemp -d)
  for sw in durable_vote log_guards force_respects_vote_rule current_term_commit watermark_rule; do
    start=$(date +%s)
    out=$(timeout 900 "$bin" explore three --off "$sw" --out "$tmp/$sw.json" 2>/dev/null || true)
    secs=$(($(date +%s) - start))
    line=$(grep -E "^(the shortest run|a random walk's run)" <<<"$out" || true)
    proven=$(sed -n 's/^proven shortest within: //p' <<<"$out")
    if [ -z "$line" ]; then
      echo "| \`$sw\` | nothing | breadth-first then walks | – | $secs |"
      continue
    fi
    how="breadth-first"
    grep -q "random walk" <<<"$line" && how="walk, shrunk"
    if [ -n "$proven" ]; then how="$how; shortest within $proven"; else how="$how; not proven shortest"; fi
    moves=$(sed -n 's/.*: \([0-9]*\) moves, breaking \(.*\):$/\1/p' <<<"$line")
    prop=$(sed -n 's/.*: \([0-9]*\) moves, breaking \(.*\):$/\2/p' <<<"$line")
    echo "| \`$sw\` | \`$prop\` | $how | $moves | $secs |"
  done
  rm -rf "$tmp"
fi
