// The model checker as the page runs it ("Find a run where…" with its
// defaults and *Search deeper*), timed under node: the lab module
// (pkg/quorumscope_lab, what the panel's worker loads), one thread, each
// unsafe switch off on three nodes. Prints a Markdown table: how the run
// was found, its moves, what is proven of its length, the seconds and the
// wasm memory after the search (memory never shrinks: a row's is the
// largest search's so far, as in a worker that searches again). A benchmark (part of `make bench`), not a
// test: it never fails on a number.
//
//   node tools/page-explore.mjs [--quick]   (--quick: the two short searches only)
//
// Needs the wasm package (make pkg).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import init, { explore, exploreCatalog } from '../pkg/quorumscope_lab.js';

const QUICK = process.argv.includes('--quick') || Boolean(process.env.QUICK);
const SWITCHES = QUICK ? ['durable_vote', 'log_guards']
  : ['durable_vote', 'log_guards', 'force_respects_vote_rule', 'current_term_commit'];

const wasm = readFileSync(fileURLToPath(new URL('../pkg/quorumscope_lab_bg.wasm', import.meta.url)));
const instance = await init({ module_or_path: wasm });
console.log('| switch off, in the page | found | moves | what is proven | s | wasm memory |');
console.log('| --- | --- | ---: | --- | ---: | ---: |');
// The request the panel sends with its defaults (www/find-run.js): the shape's bounds, walks with the default seed.
const seed = exploreCatalog().default_walk_seed;
for (const off of SWITCHES) {
  const request = { shape: 'three', off: [off], walks: { seed } };
  const started = performance.now();
  const report = explore(request, () => true);
  const secs = (performance.now() - started) / 1000;
  const cx = report.counterexample;
  const mb = instance.memory.buffer.byteLength / 1e6;
  console.log(`| \`${off}\` | ${report.found_by ?? 'nothing'} | ${cx ? cx.moves.length : '–'} | `
    + `${report.length_known.join('; ') || '–'} | ${secs.toFixed(1)} | ${mb.toFixed(0)} MB |`);
}
