// Long runs: seeking works at any step (no stack overflow, the picture
// follows the core), and a long run at 15 nodes stays within the page's
// memory budget (README, "Long runs": 64 MB of wasm memory, 64 MB of JS heap).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, WAIT } from './helpers.mjs';

const env = sharedEnv();
const VIEWPORT = { width: 1280, height: 720 };
const MB = 1024 * 1024;
const WASM_BUDGET = 64 * MB;
const HEAP_BUDGET = 64 * MB;

/** The wasm module's memory (init returns the already-initialised instance). */
const WASM_BYTES = async () => (await (await import('/pkg/quorumscope.js')).default()).memory.buffer.byteLength;

test('seeking to step 500,000 and back works, and the picture follows the core', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  await skipTour(page);
  const result = await page.evaluate(() => {
    const host = document.querySelector('quorum-scope');
    const app = host.cluster;
    const readout = () => host.shadowRoot.querySelector('.qs-tp-readout .qs-tp-num').textContent;
    app.seek(500_000);
    const far = { step: app.state.step, shown: readout(), kept: app.trace.length, last: app.trace.at(-1).step };
    app.seek(0);
    const start = { step: app.state.step, kept: app.trace.length };
    app.seek(499_999);
    app.back();
    const back = { step: app.state.step, shown: readout(), last: app.trace.at(-1).step, end: app.traceEnd };
    return { far, start, back, window: 20_000 };
  });
  assert.deepEqual([result.far.step, result.far.shown], [500_000, '500000']);
  assert.ok(result.far.kept <= result.window * 1.5 && result.far.last < 500_000, JSON.stringify(result.far));
  assert.deepEqual(result.start, { step: 0, kept: 0 });
  assert.deepEqual([result.back.step, result.back.shown], [499_998, '499998']);
  assert.ok(result.back.last < 499_998 && result.back.end > 500_000, JSON.stringify(result.back));
  assert.deepEqual(errors, []);
});

test('a long run at 15 nodes stays within the memory budget', async (t) => {
  const { page, errors, context } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  await skipTour(page);
  const members = Array.from({ length: 15 }, (_, i) => ({ id: i + 1 }));
  // The events go into the page's kept window as when playing (App.appendTrace),
  // with a redraw of every renderer each 100 ticks (drawing every tick is what
  // makes real playback slow; it holds nothing that grows), and a write every
  // 50 ticks so that the logs grow too. 200,000 steps: the old page held
  // 235 MB of wasm memory by then.
  const ran = await page.evaluate(async ({ members }) => {
    const app = document.querySelector('quorum-scope').cluster;
    await app.load({ title: 'Fifteen nodes', seed: 3, cluster: { members }, run_until: 1_000_000 });
    const t0 = performance.now();
    let tick = 0;
    // The time bound only keeps a broken page from hanging the suite: about
    // 15 s on a quiet machine, four times that when the machine is shared.
    while (app.cluster.stepCount() < 200_000 && performance.now() - t0 < 240_000) {
      app.appendTrace(app.cluster.stepTick(2000));
      tick += 1;
      if (tick % 50 === 0 && app.state.leader) app.appendTrace(app.cluster.command({ do: 'write', value: `k${tick}=1` }));
      if (tick % 100 === 0) app.refresh([]);
    }
    app.refresh([]);
    return { steps: app.state.step, ticks: app.state.tick, ms: performance.now() - t0, end: app.traceEnd };
  }, { members });
  t.diagnostic(`ran ${ran.steps} steps (${ran.ticks} ticks, ${ran.end} events) in ${Math.round(ran.ms)} ms`);
  assert.ok(ran.steps >= 200_000, `only ${ran.steps} steps in the time allowed`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(WASM_BYTES);
  t.diagnostic(`wasm memory ${(wasm / MB).toFixed(1)} MB, JS heap ${(usedSize / MB).toFixed(1)} MB`);
  assert.ok(wasm <= WASM_BUDGET, `wasm memory ${(wasm / MB).toFixed(1)} MB over ${WASM_BUDGET / MB} MB`);
  assert.ok(usedSize <= HEAP_BUDGET, `JS heap ${(usedSize / MB).toFixed(1)} MB over ${HEAP_BUDGET / MB} MB`);
  assert.deepEqual(errors, []);
});
