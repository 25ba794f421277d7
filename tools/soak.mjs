// The soak run (README, "Long runs"): an embed left playing at the fastest
// speed (64 ticks/s) with 15 nodes, for 10 minutes (1 with --quick or
// QUICK=1), printing per minute the wasm memory, the JS heap after a
// garbage collection, the steps reached and the frames per second, as
// Markdown rows. A benchmark, part of `make bench`, not a test: it never
// fails on a number.
//
//   node tools/soak.mjs [--quick] [--rows-only]
import { start } from '../tests/browser/harness.mjs';
import { instrument } from '../tests/browser/helpers.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick') || Boolean(process.env.QUICK);
const ROWS_ONLY = args.includes('--rows-only');
const MINUTES = QUICK ? 1 : 10;
const NODES = 15;
const MB = 1024 * 1024;

const env = await start();
try {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  await page.goto(`${env.base}/www/index.html`);
  await page.waitForFunction(() => document.querySelector('quorum-scope')?.cluster?.state, null, { timeout: 60_000 });
  const members = Array.from({ length: NODES }, (_, i) => ({ id: i + 1 }));
  // A write every 50 ticks for the whole run, so that the logs grow too.
  const script = Array.from({ length: 1200 }, (_, i) => ({ at: 50 * (i + 1), do: 'write', value: `k${i}=1` }));
  await page.evaluate(async (s) => {
    const host = document.querySelector('quorum-scope');
    host.shadowRoot.querySelector('.qs-tour-card button:last-of-type')?.click();
    const app = host.cluster;
    await app.load(s);
    app.pauseOn.clear();
    app.ticksPerSecond = 64;
    app.play();
  }, { title: `Soak: ${NODES} nodes`, seed: 5, cluster: { members }, script, run_until: 1_000_000 });
  const cdp = await context.newCDPSession(page);
  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const page_ = await page.evaluate(async () => ({
      wasm: (await (await import('/pkg/quorumscope.js')).default()).memory.buffer.byteLength,
      step: document.querySelector('quorum-scope').cluster.state.step,
      runs: window.__qsCounts.rafRuns,
      at: performance.now(),
    }));
    return { ...page_, heap: usedSize };
  };
  // Rows in the bench table's columns (figure | quorumscope | raft-rs | ratio | target).
  if (!ROWS_ONLY) {
    console.log('| figure | quorumscope |  |  | target |');
    console.log('| --- | ---: | ---: | ---: | --- |');
  }
  let last = await sample();
  for (let minute = 1; minute <= MINUTES; minute++) {
    await page.waitForTimeout(60_000);
    const now = await sample();
    const fps = ((now.runs - last.runs) * 1000) / (now.at - last.at);
    console.log(`| soak, ${NODES} nodes at 64 ticks/s, minute ${minute} (step ${now.step.toLocaleString('en')}) `
      + `| ${fps.toFixed(0)} frames/s, ${(now.wasm / MB).toFixed(1)} MB wasm, ${(now.heap / MB).toFixed(1)} MB JS heap `
      + '|  |  | ≤ 64 MB wasm, ≤ 64 MB heap, flat frames/s |');
    last = now;
  }
} finally {
  await env.close();
}
