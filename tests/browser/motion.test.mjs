// Reduced motion and pausing: under prefers-reduced-motion an autoplay embed
// starts paused with a visible Play; a controls="none" embed pauses and
// resumes on a click or Space (WCAG 2.2.2) and opens no node menu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { WAIT, stepUntil } from './helpers.mjs';

const env = sharedEnv();
const NONE = 'quorum-scope[controls="none"]';

async function loaded(page) {
  await page.waitForFunction((sel) => document.querySelector(sel)?.cluster?.state, NONE, WAIT);
}

test('reduced motion: autoplay embeds start paused, with a visible Play', async (t) => {
  const { page, errors } = await open(env, '/www/embed-example.html', { viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' }, t);
  await loaded(page);
  await page.waitForTimeout(500);
  const state = await page.evaluate(() => [...document.querySelectorAll('quorum-scope')].map((h) => ({
    playing: h.cluster.playing, step: h.cluster.state.step,
  })));
  assert.ok(state.every((s) => !s.playing && s.step === 0), JSON.stringify(state));
  await page.locator(NONE).locator('.cv-resume').click();
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).cluster.playing, NONE), true);
  assert.deepEqual(errors, []);
});

test('controls="none": a click or Space pauses and resumes, and no node menu opens', async (t) => {
  const { page, errors } = await open(env, '/www/embed-example.html', { viewport: { width: 1280, height: 900 } }, t);
  await loaded(page);
  const playing = () => page.evaluate((sel) => document.querySelector(sel).cluster.playing, NONE);
  await page.waitForFunction((sel) => document.querySelector(sel).cluster.playing, NONE, WAIT);
  await page.locator(NONE).locator('[data-node-id="1"]').click();
  assert.equal(await playing(), false, 'a click pauses');
  assert.equal(await page.locator(NONE).locator('.cv-menu').isVisible(), false, 'no node menu without controls');
  await page.locator(NONE).locator('.cv-svg').focus();
  await page.keyboard.press('Space');
  assert.equal(await playing(), true, 'Space resumes');
  await page.keyboard.press('Space');
  assert.equal(await playing(), false, 'Space pauses');
  assert.deepEqual(errors, []);
});

/**
 * Plays the main page from its first messages for 60 frames and returns, for each message and
 * each whole tick it was seen in, how many different places it was drawn at.
 */
async function placesPerTick(reducedMotion, t) {
  const { page, errors } = await open(env, '/www/index.html#scenario=first-election', { viewport: { width: 1280, height: 720 }, reducedMotion }, t);
  await page.waitForFunction(() => document.querySelector('quorum-scope')?.cluster?.state, null, WAIT);
  await page.locator('quorum-scope').locator('.qs-tour-card').getByRole('button', { name: 'Skip' }).click();
  await stepUntil(page, (app) => app.state.messages.length >= 4);
  const places = await page.evaluate(() => new Promise((resolve) => {
    const host = document.querySelector('quorum-scope');
    const app = host.cluster;
    const seen = new Map(); // `${seq}@${tick}` → the set of transforms drawn
    let frames = 0;
    const sample = () => {
      const tick = Math.floor(app.virtualTick);
      for (const g of host.shadowRoot.querySelectorAll('.cv-msg[data-msg-seq]')) {
        const key = `${g.dataset.msgSeq}@${tick}`;
        if (!seen.has(key)) seen.set(key, new Set());
        seen.get(key).add(g.getAttribute('transform'));
      }
      if (++frames < 60) requestAnimationFrame(sample);
      else (app.pause(), resolve([...seen.values()].map((s) => s.size)));
    };
    app.ticksPerSecond = 4; // several frames per tick
    app.play();
    requestAnimationFrame(sample);
  }));
  assert.deepEqual(errors, []);
  return places;
}

test('reduced motion: messages step once per tick instead of gliding', async (t) => {
  const stepped = await placesPerTick('reduce', t);
  const glided = await placesPerTick('no-preference', t);
  t.diagnostic(JSON.stringify({ stepped, glided }));
  assert.ok(stepped.length > 0 && glided.length > 0, 'messages were in flight while sampled');
  assert.ok(stepped.every((n) => n === 1), 'each message stays in one place within a tick');
  // The same run without the preference glides: a message moves within a tick.
  assert.ok(glided.some((n) => n > 1), 'without reduced motion, messages glide');
});
