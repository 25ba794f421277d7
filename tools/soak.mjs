// The soak run (README, "Long runs"): an embed left playing at the fastest
// speed (64 ticks/s) with 15 nodes, for 10 minutes (1 with --quick or
// QUICK=1), printing per minute the wasm memory, the JS heap after a
// garbage collection, the steps reached and the frames per second, as
// Markdown rows. A benchmark, part of `make bench`, not a test: it never
// fails on a number.
//
// With --metrics it also prints, per minute, what a frame cost the renderer
// (script, style and layout from Chromium's counters) and the DOM nodes
// alive; --profile-at 2,10 records, at the end of those minutes, a 5-second
// trace and CPU profile summed by event and by function (tools/frame-trace.mjs):
// what tells a page that slows down from one that is merely busy.
// --sequence opens the sequence diagram before playing and keeps it open (and
// following the playhead) for the whole soak; each row then also gives the
// elements the diagram holds in its SVG.
//
//   node tools/soak.mjs [--quick] [--rows-only] [--minutes N] [--metrics] [--profile-at M,...] [--sequence]
import { start } from '../tests/browser/harness.mjs';
import { instrument } from '../tests/browser/helpers.mjs';
import { TRACE_CATEGORIES, formatMetrics, startCpuProfile, startMetrics, summarizeTrace } from './frame-trace.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick') || Boolean(process.env.QUICK);
const ROWS_ONLY = args.includes('--rows-only');
const valueOf = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const MINUTES = Number(valueOf('--minutes') ?? (QUICK ? 1 : 10));
const METRICS = args.includes('--metrics');
const SEQUENCE = args.includes('--sequence');
const PROFILE_AT = new Set((valueOf('--profile-at') ?? '').split(',').filter(Boolean).map(Number));
const PROFILE_MS = 5000;
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
  // A write every 50 ticks for the whole run, each with a key of its own:
  // the logs and the state machines grow with the run.
  const writes = Math.ceil(((MINUTES + 1) * 60 * 64) / 50);
  const script = Array.from({ length: writes }, (_, i) => ({ at: 50 * (i + 1), do: 'write', value: `k${i}=1` }));
  await page.evaluate(async (s) => {
    const host = document.querySelector('quorum-scope');
    host.shadowRoot.querySelector('.qs-tour-card button:last-of-type')?.click();
    const app = host.cluster;
    await app.load(s);
    app.pauseOn.clear();
    app.ticksPerSecond = 64;
  }, { title: `Soak: ${NODES} nodes`, seed: 5, cluster: { members }, script, run_until: 1_000_000 });
  if (SEQUENCE) {
    // Opened, and scrolled into the page's view: a diagram out of view draws nothing.
    await page.locator('quorum-scope').locator('.qs-seq > summary').click();
    await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-lane'), null, { timeout: 30_000 });
    await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-scroll').scrollIntoView({ block: 'end' }));
  }
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.play());
  const cdp = await context.newCDPSession(page);
  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const page_ = await page.evaluate(async () => ({
      wasm: (await (await import('/pkg/quorumscope.js')).default()).memory.buffer.byteLength,
      step: document.querySelector('quorum-scope').cluster.state.step,
      runs: window.__qsCounts.rafRuns,
      at: performance.now(),
      diagram: document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.qs-seq-view svg *').length,
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
    const metricsDone = METRICS ? await startMetrics(cdp) : null;
    await page.waitForTimeout(60_000);
    const now = await sample();
    const frames = now.runs - last.runs;
    const fps = (frames * 1000) / (now.at - last.at);
    const diagram = SEQUENCE ? `, ${now.diagram.toLocaleString('en')} diagram elements` : '';
    console.log(`| soak, ${NODES} nodes at 64 ticks/s${SEQUENCE ? ', sequence diagram open' : ''}, minute ${minute} (step ${now.step.toLocaleString('en')}) `
      + `| ${fps.toFixed(0)} frames/s, ${(now.wasm / MB).toFixed(1)} MB wasm, ${(now.heap / MB).toFixed(1)} MB JS heap${diagram} `
      + '|  |  | ≤ 64 MB wasm, ≤ 64 MB heap, flat frames/s |');
    if (metricsDone) for (const line of formatMetrics(await metricsDone(), frames)) console.log(`  ${line}`);
    if (PROFILE_AT.has(minute)) await profile(page, cdp, env.browser);
    last = await sample();
  }
} finally {
  await env.close();
}

/** Five seconds of the playing page, traced and sampled, summed per frame. */
async function profile(page, cdp, browser) {
  const frames = () => page.evaluate(() => window.__qsCounts.rafRuns);
  const cpuDone = await startCpuProfile(cdp);
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const before = await frames();
  await page.waitForTimeout(PROFILE_MS);
  const n = (await frames()) - before;
  const trace = JSON.parse((await browser.stopTracing()).toString());
  for (const line of [...summarizeTrace(trace, n), ...(await cpuDone(n))]) console.log(`  ${line}`);
}
