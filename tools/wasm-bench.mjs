// The simulator in wasm under node (performance issue, item 5): replays the
// fault scenarios the native bench ran (benches/sim, `--json FILE`) through
// the bindings the page uses and prints Markdown rows with the wasm/native
// ratio, in the peer bench's columns.
//
//   node tools/wasm-bench.mjs NATIVE.json [--rows-only] [--native-rows ROWS.md]
//
// Two figures per cluster size: `step()` once per step, as the page's
// stepping does (each call builds its events as JS objects), and
// `runUntilKind` with a kind that never happens, 1,000 steps per call,
// which leaves less of the bindings' overhead in the figure. Both go
// through the bindings' Timeline (trace and checkpoints kept), which the
// native figure does not; there is no binding that steps the bare core.
//
// A third, `runSteps`, 1,000 steps per call with no events converted to
// JS, is the nearest thing to the core: its ratio is given against the
// native figure and, with `--native-rows` (the simbench's Markdown rows),
// against the native "simulator steps/s through a Timeline" row, which is
// the like-for-like comparison (both keep trace and checkpoints).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BATCH = 1000;
const TARGET = "wasm ≥ 0.6× native";

const args = process.argv.slice(2);
const rowsAt = args.indexOf("--native-rows");
const rowsPath = rowsAt >= 0 ? args[rowsAt + 1] : undefined;
const nativePath = args.find((a, i) => !a.startsWith("--") && !(rowsAt >= 0 && i === rowsAt + 1));
if (!nativePath) {
  console.error("usage: node tools/wasm-bench.mjs NATIVE.json [--rows-only] [--native-rows ROWS.md]");
  process.exit(2);
}
const native = JSON.parse(readFileSync(nativePath, "utf8"));
/** Native Timeline steps/s by cluster size, from the simbench's rows. */
const timelineNative = {};
if (rowsPath) {
  for (const line of readFileSync(rowsPath, "utf8").split("\n")) {
    const m = line.match(/^\| simulator steps\/s through a Timeline[^|]*?, (\d+) nodes,[^|]*\| ([\d,]+) \|/);
    if (m) timelineNative[m[1]] = Number(m[2].replaceAll(",", ""));
  }
}
const { initSync, Cluster } = await import(join(root, "pkg", "quorumscope.js"));
initSync({ module: readFileSync(join(root, "pkg", "quorumscope_bg.wasm")) });

/** Steps/s for `steps` steps of `scenario`, `advance(cluster)` at a time. */
function stepsPerSecond(scenario, steps, advance) {
  const cluster = Cluster.fromScenario(JSON.stringify(scenario));
  const start = performance.now();
  while (cluster.stepCount() < steps) advance(cluster);
  const secs = (performance.now() - start) / 1000;
  const rate = cluster.stepCount() / secs;
  cluster.free();
  return rate;
}

const group = (n) => Math.round(n).toLocaleString("en-US");

function row(figure, ours, ratio, target) {
  console.log(`| ${figure} | ${ours} | | ${ratio} | ${target} |`);
}

if (!args.includes("--rows-only")) {
  console.log("| figure | quorumscope | raft-rs | ratio | target |");
  console.log("| --- | ---: | ---: | ---: | --- |");
}
const ways = [
  ["step() per step", (c) => c.step()],
  [`runUntilKind, ${group(BATCH)} steps per call`, (c) => c.runUntilKind(["never"], BATCH)],
  [`runSteps, ${group(BATCH)} steps per call`, (c) => c.runSteps(BATCH), true],
];
// The row compared with the native Timeline takes the fastest of three
// runs, as the native figures do: a shared machine only ever adds time.
// The others (several seconds each) run once.
const bestOf = (runs, measure) => Math.max(...Array.from({ length: runs }, measure));
for (const [nodes, scenario] of Object.entries(native.scenarios)) {
  for (const [how, advance, vsTimeline] of ways) {
    const rate = bestOf(vsTimeline ? 3 : 1, () => stepsPerSecond(scenario, native.steps, advance));
    let ratio = `${(rate / native.native[nodes]).toFixed(2)}× native`;
    if (vsTimeline && timelineNative[nodes]) {
      ratio += `, ${(rate / timelineNative[nodes]).toFixed(2)}× native Timeline`;
    }
    const figure = `wasm (node ${process.versions.node}) steps/s, ${nodes} nodes, faults, ${how}`;
    row(figure, group(rate), ratio, TARGET);
  }
}
