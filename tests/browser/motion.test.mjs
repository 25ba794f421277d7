// Reduced motion and pausing: under prefers-reduced-motion an autoplay embed
// starts paused with a visible Play; a controls="none" embed pauses and
// resumes on a click or Space (WCAG 2.2.2) and opens no node menu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { WAIT } from './helpers.mjs';

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
