// The page's frame budget (performance issue, item 4), measured in Debian's
// Chromium through playwright-core (tests/browser/harness.mjs). A benchmark,
// not a test: it prints Markdown rows in the peer bench's columns and never
// fails on a missed target.
//
//   node tools/frame-bench.mjs [--quick] [--rows-only] [--sequence]      (QUICK=1 also works)
//          [--metrics] [--trace FILE] [--cpu] [--root DIR]
//
// --sequence measures with the sequence diagram panel open (drawn beside the
// picture on every update).
// Where the time goes (tools/frame-trace.mjs; printed to stderr, per frame):
// --metrics the renderer's counters over the window (script, style
// recalculation, layout: cheap, so the figures above hardly move), --trace
// FILE a timeline trace of the window written to FILE and summed by event,
// forced layouts apart (use with --quick: a 20 s trace is large), --cpu a
// sampled profile of the script by function. --hide SELECTOR,... hides parts
// of the element (display: none) to see what they cost, --css RULES adds
// rules to its shadow root (to try one before editing). --fixed makes every
// frame advance the run by exactly one tick (64 ticks/s at 64 frames/s),
// whatever the machine's speed: each frame then does the same work, so the
// CPU time per frame (--trace) compares between runs on a loaded machine,
// where frames per second do not. --root DIR serves another
// checkout (its www/ and pkg/) to compare against, e.g. a `git worktree` of
// an older commit.
//
// Loads a 9-node cluster with faults (drop 0.02, delay 1-5 ticks, a crash,
// restart, partition or heal every 40 ticks over 20,000 ticks) into
// /www/index.html, skips the tour, plays at the fastest speed (64 ticks/s)
// for 20 s (5 s quick), and measures inside the page with the Performance
// API:
//   - frames per second: requestAnimationFrame callbacks run, counted by a
//     wrapper installed before the page's scripts;
//   - p95 time per frame in simulation + rendering: App.prototype.tickFrame
//     wrapped with performance.now() (renderers run synchronously on
//     'update', inside tickFrame, so this covers both);
//   - one step back at step >= 10,000 (App.back(), which seeks to the step
//     before: checkpoint restore, replay and re-render), median of 5;
//   - frames and timers scheduled in 2 s paused, and in 2 s hidden while
//     playing (should both be 0).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, start } from '../tests/browser/harness.mjs';
import { instrument } from '../tests/browser/helpers.mjs';
import { serve } from './serve.mjs';
import { TRACE_CATEGORIES, formatMetrics, startCpuProfile, startMetrics, summarizeTrace } from './frame-trace.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick') || Boolean(process.env.QUICK);
const ROWS_ONLY = args.includes('--rows-only');
const SEQUENCE = args.includes('--sequence');
const METRICS = args.includes('--metrics');
const CPU = args.includes('--cpu');
const valueOf = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : null);
const TRACE = valueOf('--trace');
const ROOT = valueOf('--root');
const HIDE = valueOf('--hide');
const FIXED = args.includes('--fixed');
const CSS = [HIDE && `${HIDE} { display: none !important; }`, valueOf('--css')].filter(Boolean).join('\n');
const PLAY_MS = QUICK ? 5_000 : 20_000;
const IDLE_MS = 2_000;
const NODES = 9;
const BACK_AT = 10_000;

/** 9 data members, a lossy network and a fault every ~40 ticks. */
function scenario() {
  const members = Array.from({ length: NODES }, (_, i) => ({ id: i + 1, kind: 'data', state: 'voting' }));
  const script = [];
  let crashed = 0;
  for (let at = 40, i = 0; at <= 20_000; at += 40, i++) {
    const node = (i % NODES) + 1;
    switch (i % 4) {
      case 0:
        crashed = node;
        script.push({ at, do: 'crash', node });
        break;
      case 1:
        script.push({ at, do: 'restart', node: crashed });
        break;
      case 2: {
        const ids = members.map((m) => m.id);
        const cut = 1 + (i % (NODES - 1));
        script.push({ at, do: 'partition', groups: [ids.slice(0, cut), ids.slice(cut)] });
        break;
      }
      default:
        script.push({ at, do: 'heal' });
    }
  }
  return {
    title: 'Frame bench: 9 nodes, faults',
    seed: 11,
    cluster: { members, network: { drop: 0.02, delay_ticks: [1, 5] } },
    script,
    run_until: 100_000,
  };
}

const group = (n) => Math.round(n).toLocaleString('en-US');
const row = (figure, ours, target) => console.log(`| ${figure} | ${ours} |  |  | ${target} |`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The browser and a server of `dir` (another checkout) instead of this one. */
async function startAt(dir) {
  const server = await serve(0, resolve(dir));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

const env = ROOT ? await startAt(ROOT) : await start();
try {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${env.base}/www/index.html`);
  await page.waitForFunction(() => document.querySelector('quorum-scope')?.cluster?.state, null, { timeout: 30_000 });

  // The tour card, if any, would stop the run: skip it.
  const skip = page.locator('quorum-scope').locator('.qs-tour-card').getByRole('button', { name: 'Skip' });
  if (await skip.count()) await skip.first().click();
  if (CSS) {
    await page.evaluate((css) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      const root = document.querySelector('quorum-scope').shadowRoot;
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    }, CSS);
  }
  if (SEQUENCE) {
    await page.locator('quorum-scope').locator('.qs-seq > summary').click();
    await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-lane'), null, { timeout: 30_000 });
  }

  await page.evaluate(async ({ s, fixed }) => {
    const app = document.querySelector('quorum-scope').cluster;
    app.pause();
    await app.load(JSON.stringify(s));
    const { App } = await import('/www/app.js');
    const times = [];
    window.__fbFrameTimes = times;
    const tickFrame = App.prototype.tickFrame;
    App.prototype.tickFrame = function wrapped(now) {
      const t0 = performance.now();
      if (fixed) this.lastFrameTime = now - 1000 / this.ticksPerSecond;
      try {
        return tickFrame.call(this, now);
      } finally {
        times.push(performance.now() - t0);
      }
    };
  }, { s: scenario(), fixed: FIXED });

  // Play at the fastest speed and count frames over the window.
  const cdp = METRICS || CPU ? await context.newCDPSession(page) : null;
  const metricsDone = METRICS ? await startMetrics(cdp) : null;
  const cpuDone = CPU ? await startCpuProfile(cdp) : null;
  if (TRACE) await env.browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const play = await page.evaluate(async ({ ms, ticks }) => {
    const app = document.querySelector('quorum-scope').cluster;
    app.ticksPerSecond = 64;
    window.__fbFrameTimes.length = 0;
    const runs0 = window.__qsCounts.rafRuns;
    const t0 = performance.now();
    app.play();
    // Fixed work: until the run has played `ticks` ticks (one a frame), however long that takes.
    if (ticks) {
      await new Promise((resolve) => {
        const off = app.on('update', (state) => state.tick >= ticks && (off(), resolve()));
      });
    }
    else await new Promise((r) => setTimeout(r, ms));
    const secs = (performance.now() - t0) / 1000;
    const frames = window.__qsCounts.rafRuns - runs0;
    const times = [...window.__fbFrameTimes].sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
    return {
      fps: frames / secs,
      p50: at(0.5),
      p95: at(0.95),
      max: times.at(-1),
      frames: times.length,
      playing: app.playing,
      steps: app.cluster.stepCount(),
      tick: app.state.tick,
      tps: app.ticksPerSecond,
      vt: app.virtualTick,
      title: app.scenario.title,
    };
  }, { ms: PLAY_MS, ticks: FIXED ? (PLAY_MS / 1000) * 64 : 0 });
  const diagnostics = [];
  if (metricsDone) diagnostics.push(...formatMetrics(await metricsDone(), play.frames));
  if (cpuDone) diagnostics.push(...(await cpuDone(play.frames)));
  if (TRACE) {
    const buffer = await env.browser.stopTracing();
    writeFileSync(TRACE, buffer);
    diagnostics.push(`trace written to ${TRACE}`, ...summarizeTrace(JSON.parse(buffer.toString()), play.frames));
  }

  // Hidden while playing: no frames, no timers.
  await page.evaluate(() => window.__qsSetHidden(true));
  const h0 = await page.evaluate(() => ({ ...window.__qsCounts }));
  await sleep(IDLE_MS);
  const h1 = await page.evaluate(() => ({ ...window.__qsCounts }));
  await page.evaluate(() => window.__qsSetHidden(false));

  // Paused: no frames, no timers.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.pause());
  await sleep(100); // let a frame already requested before the pause run out
  const p0 = await page.evaluate(() => ({ ...window.__qsCounts }));
  await sleep(IDLE_MS);
  const p1 = await page.evaluate(() => ({ ...window.__qsCounts }));

  // Step back at step >= 10,000: top up with runSteps, bring the page's
  // trace up to date (untimed), then time one App.back().
  const back = await page.evaluate((target) => {
    const app = document.querySelector('quorum-scope').cluster;
    const have = app.cluster.stepCount();
    if (have < target) app.cluster.runSteps(target - have);
    app.seek(app.cluster.stepCount());
    const from = app.cluster.stepCount();
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      app.back();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { ms: times[2], max: times[4], from, to: app.cluster.stepCount() };
  }, BACK_AT + 5);

  const delta = (a, b) => ({
    frames: b.raf - a.raf + (b.rafRuns - a.rafRuns),
    timers: b.timeouts - a.timeouts + (b.intervals - a.intervals),
  });
  const paused = delta(p0, p1);
  const hidden = delta(h0, h1);

  if (!ROWS_ONLY) {
    console.log('| figure | quorumscope |  |  | target |');
    console.log('| --- | ---: | ---: | ---: | --- |');
  }
  const what = `${NODES} nodes, faults, ${FIXED ? 'one tick a frame' : '64 ticks/s'}, ${PLAY_MS / 1000} s${SEQUENCE ? ', sequence diagram open' : ''}`;
  const missed = (ok) => (ok ? '' : ' (missed)');
  row(`page frames/s, ${what} (Chromium headless)`, play.fps.toFixed(1), `≥ 55 fps${missed(play.fps >= 55)}`);
  row(
    `page time per frame in simulation + rendering, p95 (p50 / max), ${what}, ${group(play.frames)} frames`,
    `${play.p95.toFixed(2)} ms (${play.p50.toFixed(2)} / ${play.max.toFixed(1)} ms)`,
    `≤ 8 ms${missed(play.p95 <= 8)}`,
  );
  row(
    `page step back at step ${group(back.from)}, median (max) of 5`,
    `${back.ms.toFixed(1)} ms (${back.max.toFixed(1)} ms)`,
    `≤ 50 ms${missed(back.ms <= 50)}`,
  );
  row(
    `page frames / timers scheduled in ${IDLE_MS / 1000} s paused; in ${IDLE_MS / 1000} s hidden`,
    `${paused.frames} / ${paused.timers}; ${hidden.frames} / ${hidden.timers}`,
    `0 while paused or hidden${missed(!paused.frames && !paused.timers && !hidden.frames && !hidden.timers)}`,
  );
  const notes = [];
  if (!play.playing) notes.push('playback stopped itself before the end of the window');
  if (back.to !== back.from - 5) notes.push(`five steps back went to ${back.to}, not ${back.from - 5}`);
  if (errors.length) notes.push(`page errors: ${errors.join('; ')}`);
  for (const n of notes) console.error(`frame-bench: ${n}`);
  for (const line of diagnostics) console.error(`frame-bench: ${line}`);
  if (!ROWS_ONLY) console.error(`frame-bench: played ${group(play.steps)} steps to tick ${group(play.tick)} (virtual ${play.vt?.toFixed(1)}) at ${play.tps} ticks/s, ${play.title}`);
} finally {
  await env.close();
}
