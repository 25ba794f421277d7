// Long runs: a long seek replays in slices with progress and a Cancel that
// leaves the page at a consistent step; exporting a trace exports the whole
// run, re-deriving by replay the events the page no longer keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, WAIT } from './helpers.mjs';

const env = sharedEnv();
const VIEWPORT = { viewport: { width: 1280, height: 720 } };

test('a long seek shows its progress, keeps the page responsive and can be cancelled at a consistent step', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', VIEWPORT, t);
  await ready(page);
  await skipTour(page);
  const host = page.locator('quorum-scope');
  await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    window.__frames = 0;
    const count = () => {
      window.__frames += 1;
      requestAnimationFrame(count);
    };
    requestAnimationFrame(count);
    window.__seek = app.seekGradually(3_000_000);
  });
  const progress = host.locator('.qs-tp-replay');
  await progress.waitFor({ state: 'visible', ...WAIT });
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tp-replaybar').value > 0.01, null, WAIT);
  const during = await page.evaluate(() => ({
    text: document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tp-replaytext').textContent,
    frames: window.__frames,
  }));
  t.diagnostic(JSON.stringify(during));
  assert.match(during.text, /^Replaying history to step 3000000: \d+%$/);
  assert.ok(during.frames >= 3, `the page kept drawing frames during the replay (${during.frames})`);
  await progress.getByRole('button', { name: 'Cancel' }).click();
  const after = await page.evaluate(async () => {
    const host = document.querySelector('quorum-scope');
    const app = host.cluster;
    const reached = await window.__seek;
    return {
      reached,
      step: app.state.step,
      core: app.cluster.stepCount(),
      shown: host.shadowRoot.querySelector('.qs-tp-readout .qs-tp-num').textContent,
      range: Number(host.shadowRoot.querySelector('.qs-tp-range').value),
      lastEvent: app.trace.at(-1)?.step,
      traceEnd: app.traceEnd,
      coreEnd: app.cluster.traceLength(),
      hidden: host.shadowRoot.querySelector('.qs-tp-replay').hidden,
    };
  });
  t.diagnostic(JSON.stringify(after));
  assert.equal(after.reached, false, 'the seek reports it was cancelled');
  assert.ok(after.step > 0 && after.step < 3_000_000, `stopped part way: ${after.step}`);
  assert.equal(after.core, after.step, 'the picture shows the core\'s step');
  assert.equal(after.shown, String(after.step), 'the readout too');
  assert.equal(after.range, after.step, 'and the timeline');
  assert.ok(after.lastEvent < after.step, 'the narration ends before it');
  assert.equal(after.traceEnd, after.coreEnd, 'the page\'s trace ends where the core\'s does');
  assert.equal(after.hidden, true, 'the progress goes away');
  // Playing on from there works.
  const next = await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    app.step();
    return app.state.step;
  });
  assert.equal(next, after.step + 1);

  // A far seek back, left to finish, lands exactly, with the narration
  // up to there (the page's window was all after it).
  const back = await page.evaluate(async (to) => {
    const app = document.querySelector('quorum-scope').cluster;
    const reached = await app.seekGradually(to);
    return { reached, step: app.state.step, last: app.trace.at(-1)?.step };
  }, Math.floor(after.step / 3));
  assert.deepEqual([back.reached, back.step], [true, Math.floor(after.step / 3)]);
  assert.ok(back.last < back.step);
  assert.deepEqual(errors, []);
});

/** Clicks Export trace and returns the downloaded text. */
async function exportTrace(page) {
  const download = page.waitForEvent('download', WAIT);
  await page.locator('quorum-scope').getByRole('button', { name: 'Export trace' }).click();
  return readFileSync(await (await download).path(), 'utf8');
}

test('Export trace exports the whole run, older events re-derived by replay', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { ...VIEWPORT, acceptDownloads: true }, t);
  await ready(page);
  await skipTour(page);
  // A short run: what the page holds, as it is.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.seek(1500));
  const short = await exportTrace(page);
  assert.equal(short, await page.evaluate(() => document.querySelector('quorum-scope').cluster.cluster.exportTrace()));

  // A long run with an operator's command: more events than the page keeps.
  const info = await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    app.seek(400);
    app.command({ do: 'crash', node: 2 });
    app.seek(60_000);
    return { base: app.cluster.traceBase(), length: app.cluster.traceLength(), kept: app.cluster.exportTrace() };
  });
  t.diagnostic(`run of ${info.length} events; the page keeps those from ${info.base}`);
  assert.ok(info.base > 0, 'the page no longer holds the oldest events');
  const whole = await exportTrace(page);
  const lines = whole.trimEnd().split('\n');
  assert.equal(lines.length, info.length, 'every event of the run');
  assert.ok(whole.endsWith(info.kept), 'the newest events are those the page keeps');
  const crash = lines.map((l) => JSON.parse(l)).find((e) => e.kind === 'crash');
  assert.deepEqual([crash?.node, crash?.step], [2, 400], 'the operator\'s command, at its step');
  // The older events are the run's own: the same as a fresh run's first ones.
  const fresh = await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    const copy = app.bindings.Cluster.fromScenario(JSON.stringify(app.scenario));
    copy.runSteps(300);
    const text = copy.exportTrace();
    copy.free();
    return text;
  });
  assert.ok(whole.startsWith(fresh), 'the first 300 steps match a fresh replay');
  const status = await page.locator('quorum-scope').locator('.qs-set-status').textContent();
  assert.match(status, new RegExp(`Exported the whole run: ${info.length} events, steps 0 to 60000`));
  assert.deepEqual(errors, []);
});

test('a link to another scenario after a run with timeline markers opens cleanly', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', VIEWPORT, t);
  await ready(page);
  await skipTour(page);
  // An election and its refusals put markers on the timeline.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.seek(600));
  assert.ok(await page.locator('quorum-scope').locator('.qs-tp-mk').count() > 0);
  await page.evaluate(() => {
    location.hash = '#scenario=leader-crash';
  });
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.scenarioName === 'leader-crash', null, WAIT);
  await page.waitForTimeout(200);
  const error = await page.evaluate(() => {
    const box = document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-error');
    return box.hidden ? '' : box.textContent;
  });
  assert.equal(error, '', 'no error box');
  assert.deepEqual(errors, []);
});
