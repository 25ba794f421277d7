// The sequence diagram on a long run (the lecture-hall issue's budget with
// the diagram open): at 15 nodes past 50,000 steps, reached by seeking, and
// then moving on as the page drops its oldest events, the diagram draws a
// bounded number of elements and holds only the page's kept window; after a
// seek back into history the page re-derives, it draws that history's
// arrows, not the ones it held before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, shot, WAIT } from './helpers.mjs';
import { drawnArrows, tracedArrows } from './sequence-arrows.mjs';

const env = sharedEnv();
const NODES = 15;

/** 15 voters on a lossy network, a crash and a restart every 400 ticks, a write every 50. */
function longRun() {
  const script = [];
  for (let at = 50; at <= 20_000; at += 50) script.push({ at, do: 'write', value: `k${at}=1` });
  for (let at = 400, i = 0; at <= 20_000; at += 400, i += 1) {
    const node = (i % NODES) + 1;
    script.push({ at, do: 'crash', node }, { at: at + 100, do: 'restart', node });
  }
  script.sort((a, b) => a.at - b.at);
  return {
    title: 'Long run, 15 nodes',
    seed: 7,
    cluster: { members: Array.from({ length: NODES }, (_, i) => ({ id: i + 1 })), network: { drop: 0.02, delay_ticks: [1, 4] } },
    script,
    run_until: 1_000_000,
  };
}

const host = (page) => page.locator('quorum-scope');

/** What the diagram shows now, once it has drawn the current step. */
async function diagramNow(page) {
  await page.waitForFunction(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const step = document.querySelector('quorum-scope').cluster.state.step;
    return root.querySelector('.qs-seq-playhead')?.getAttribute('data-step') === String(step);
  }, null, WAIT);
  return page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const app = document.querySelector('quorum-scope').cluster;
    const [, held, first] = root.querySelector('.qs-seq-status').textContent.match(/^(\d+) messages, steps (\d+)/) ?? [];
    return {
      step: app.state.step,
      elements: root.querySelectorAll('.qs-seq-view svg *').length,
      arrows: root.querySelectorAll('.qs-seq-arrow').length,
      held: Number(held),
      first: Number(first),
      traceFirst: app.trace[0].step,
      // Sends, deliveries, losses, copies, holds: more than the arrows they make.
      traceMessageEvents: app.trace.filter((e) => e.kind.startsWith('message_')).length,
    };
  });
}

/**
 * Every drawn arrow that has ended, against the page's trace: the trace
 * must hold its delivery or loss (same message, endpoints and step).
 * Returns the arrows drawn and those the trace does not hold.
 */
function checkDrawnAgainstTrace(page) {
  return page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const ends = new Map();
    for (const e of document.querySelector('quorum-scope').cluster.trace) {
      if (e.kind === 'message_delivered' || e.kind === 'message_dropped') {
        ends.set(`${e.seq}@${e.step}`, `${e.from}>${e.to}:${e.kind === 'message_delivered' ? 'delivered' : 'dropped'}`);
      }
    }
    const drawn = [...root.querySelectorAll('.qs-seq-arrow:not(.fate-flight)')];
    const wrong = drawn.map((g) => ({ key: `${g.dataset.seq}@${g.dataset.endStep}`, line: `${g.dataset.from}>${g.dataset.to}:${g.dataset.fate}` }))
      .filter((a) => ends.get(a.key) !== a.line);
    return { drawn: drawn.length, wrong: wrong.slice(0, 5), steps: drawn.map((g) => Number(g.dataset.endStep)) };
  });
}

test('at 15 nodes past 50,000 steps the diagram stays bounded, holds only the kept window, and draws the right arrows after seeking back', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 900 } }, t);
  await ready(page);
  await skipTour(page);
  await page.evaluate(async (s) => {
    const app = document.querySelector('quorum-scope').cluster;
    await app.load(s);
    app.pauseOn.clear();
  }, longRun());
  await host(page).locator('.qs-seq > summary').click();
  await host(page).locator('.qs-seq').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-lane'), null, WAIT);
  // Every message drawn (heartbeats unfolded): a diagram that drew all it holds would draw thousands.
  await host(page).getByLabel('Fold heartbeats').setChecked(false);

  await page.evaluate(() => document.querySelector('quorum-scope').cluster.seek(50_000));
  const samples = [await diagramNow(page)];
  // On from there in jumps of 600 steps: each one drops the page's oldest events (a trim).
  for (let i = 0; i < 12; i += 1) {
    await page.evaluate(() => {
      const app = document.querySelector('quorum-scope').cluster;
      app.seek(app.state.step + 600);
    });
    samples.push(await diagramNow(page));
  }
  // And played at the fastest speed for a few seconds, redrawn as it follows the playhead.
  await page.evaluate(async () => {
    const app = document.querySelector('quorum-scope').cluster;
    app.ticksPerSecond = 64;
    app.play();
    await new Promise((r) => setTimeout(r, 3000));
    app.pause();
  });
  samples.push(await diagramNow(page));
  const last = samples.at(-1);
  t.diagnostic(`${samples.length} samples from step ${samples[0].step} to ${last.step}: at most ${Math.max(...samples.map((s) => s.elements))} SVG elements `
    + `and ${Math.max(...samples.map((s) => s.arrows))} arrows drawn; the diagram holds ${last.held} messages from step ${last.first} `
    + `(the page's trace: ${last.traceMessageEvents} message events from step ${last.traceFirst})`);
  assert.ok(last.step >= 57_000, `reached step ${last.step}`);
  assert.ok(last.traceFirst > samples[0].traceFirst, 'the page dropped old events along the way');
  for (const s of samples) {
    assert.ok(s.elements <= 6000, `${s.elements} SVG elements at step ${s.step}`);
    assert.ok(s.arrows > 0 && s.arrows <= 700, `${s.arrows} arrows drawn at step ${s.step}`);
    // What the diagram holds is what the page keeps, no more: it forgets as the page does.
    assert.equal(s.first, s.traceFirst, `at step ${s.step} the diagram starts where the page's trace does`);
    assert.ok(s.held <= s.traceMessageEvents, `at step ${s.step}: ${s.held} messages held, ${s.traceMessageEvents} message events in the page's trace`);
  }
  const played = await checkDrawnAgainstTrace(page);
  assert.deepEqual(played.wrong, [], 'every arrow drawn is a delivery or loss of the trace');

  // Back to step 30,000, older than anything the page or the diagram kept: re-derived, and drawn around the playhead.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.seek(30_000));
  const back = await diagramNow(page);
  assert.equal(back.first, back.traceFirst, 'the diagram draws the re-derived history, not the run it held');
  assert.ok(back.traceFirst < 30_000, `the page's trace starts at ${back.traceFirst}`);
  const around = await checkDrawnAgainstTrace(page);
  assert.deepEqual(around.wrong, [], 'every arrow drawn after the seek back is in the re-derived trace');
  assert.ok(around.steps.some((s) => s >= 29_950 && s <= 30_000), 'arrows arriving just before the playhead are drawn');
  assert.equal(await host(page).locator('.qs-seq-body .future').count(), 0, 'nothing of the later run is drawn as still to come');
  await shot(page, 'sequence-15-nodes-after-seek-back', t);

  // Back to step 400: the whole history there, every arrow, scrolled through.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.seek(400));
  await diagramNow(page);
  // Zoomed in to the tallest rows, so that a view's worth of rows has fewer arrows than are drawn at once.
  const zoomIn = host(page).getByRole('button', { name: 'Zoom in (taller rows)' });
  while (await zoomIn.isEnabled()) await zoomIn.click();
  const drawn = (await drawnArrows(page)).map((d) => d.line).sort();
  const traced = (await tracedArrows(page)).sort();
  const traceStart = await page.evaluate(() => document.querySelector('quorum-scope').cluster.traceStart);
  assert.equal(traceStart, 0, "the page's trace from the run's first event is re-derived");
  assert.ok(traced.length > 100, `${traced.length} messages by step 400`);
  assert.deepEqual(drawn, traced, 'after seeking back to step 400, the arrows are those of steps 0 to 400');
  assert.deepEqual(errors, []);
});
