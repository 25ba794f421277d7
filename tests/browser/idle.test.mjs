// Zero idle cost: once paused (or while the tab is hidden) the page
// schedules no animation frames and no timers, the sequence diagram open or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { instrument, ready, skipTour, WAIT } from './helpers.mjs';

const env = sharedEnv();

const counts = (page) => page.evaluate(() => ({ ...window.__qsCounts, pending: window.__qsPending() }));
const appState = (page) => page.evaluate(() => {
  const app = document.querySelector('quorum-scope').cluster;
  return { playing: app.playing, step: app.state.step };
});

test('pausing stops every animation frame and timer; hiding the page stops the loop', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', {
    viewport: { width: 1280, height: 900 }, init: instrument,
  }, t);
  await ready(page);
  const host = page.locator('quorum-scope');
  // No guided tour stopping the run; then play with the Play button.
  await skipTour(page);
  const play = host.getByRole('button', { name: 'Play' });
  await play.click();
  const c0 = await counts(page);
  await page.waitForFunction((n) => window.__qsCounts.rafRuns > n + 10
    && document.querySelector('quorum-scope').cluster.state.step > 20, c0.rafRuns, WAIT);

  // Pause: from this moment no frame is requested.
  await play.click();
  const paused = await counts(page);
  const pausedState = await appState(page);
  assert.equal(pausedState.playing, false);
  await page.waitForTimeout(1000);
  const later = await counts(page);
  assert.equal(later.raf, paused.raf, 'no requestAnimationFrame after pause');
  assert.equal((await appState(page)).step, pausedState.step);

  // Timers: the only ones are one-shots that end by themselves (a screen
  // reader announcement's cooldown); once they are done nothing new comes.
  // Polled on a timer, not by animation frame (Playwright's default), so
  // that the wait itself adds no requestAnimationFrame to the count.
  await page.waitForFunction(() => window.__qsPending() === 0, null, { timeout: 8000, polling: 100 });
  const quiet = await counts(page);
  await page.waitForTimeout(1000);
  const quietLater = await counts(page);
  assert.deepEqual(quietLater, quiet, 'nothing scheduled while paused');
  assert.equal(quietLater.intervals, 0, 'no setInterval at all');
  assert.equal(quietLater.raf, paused.raf);

  // Hidden tab: still "playing", but the loop stops until the page shows again.
  await play.click();
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.playing, null, WAIT);
  const resumed = await counts(page);
  await page.waitForFunction((n) => window.__qsCounts.rafRuns > n + 5, resumed.rafRuns, WAIT);
  await page.evaluate(() => window.__qsSetHidden(true));
  const hidden = await counts(page);
  const hiddenState = await appState(page);
  assert.equal(hiddenState.playing, true, 'hiding does not pause the run, only its loop');
  await page.waitForTimeout(1000);
  const hiddenLater = await counts(page);
  assert.equal(hiddenLater.raf, hidden.raf, 'no requestAnimationFrame while hidden');
  assert.equal(hiddenLater.intervals, 0);
  assert.equal((await appState(page)).step, hiddenState.step, 'no steps while hidden');

  await page.evaluate(() => window.__qsSetHidden(false));
  await page.waitForFunction((s) => document.querySelector('quorum-scope').cluster.state.step > s, hiddenState.step, WAIT);
  assert.ok((await counts(page)).raf > hiddenLater.raf, 'the loop resumes when shown');
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.pause());
  assert.deepEqual(errors, []);
});

test('with the sequence diagram open, a hidden page schedules no frame and a shown one draws again', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', {
    viewport: { width: 1280, height: 900 }, init: instrument,
  }, t);
  await ready(page);
  await skipTour(page);
  const host = page.locator('quorum-scope');
  await host.locator('.qs-seq > summary').click();
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-lane'), null, WAIT);
  await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    app.ticksPerSecond = 64;
    app.play();
  });
  // Playing redraws the diagram at most every 250 ms, on a timer then a frame.
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.state.step > 100, null, WAIT);
  // Hidden straight after a frame: the diagram's redraw timer is pending and fires while hidden.
  const hidden = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => {
    window.__qsSetHidden(true);
    resolve({ ...window.__qsCounts });
  })));
  await page.waitForTimeout(1000);
  const later = await counts(page);
  assert.equal(later.raf - hidden.raf, 0, 'no requestAnimationFrame while hidden');
  assert.equal(later.rafRuns - hidden.rafRuns, 0, 'no frame ran while hidden');
  // Shown again: the diagram catches up with the step.
  await page.evaluate(() => {
    window.__qsSetHidden(false);
    document.querySelector('quorum-scope').cluster.pause();
  });
  await page.waitForFunction(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const head = root.querySelector('.qs-seq-playhead');
    return head && Number(head.dataset.step) === document.querySelector('quorum-scope').cluster.state.step;
  }, null, WAIT);
  assert.deepEqual(errors, []);
});
