// Keyboard: Space plays and pauses, ? opens the shortcuts overlay, Escape closes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, WAIT } from './helpers.mjs';

const env = sharedEnv();

const playing = (page) => page.evaluate(() => document.querySelector('quorum-scope').cluster.playing);

test('Space toggles play; ? opens the help overlay and Escape closes it', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 900 } }, t);
  await ready(page);
  const host = page.locator('quorum-scope');
  await host.focus();
  assert.equal(await playing(page), false);

  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.playing, null, WAIT);
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.state.step > 0, null, WAIT);
  assert.equal(await host.getByRole('button', { name: 'Play' }).getAttribute('aria-pressed'), 'true');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !document.querySelector('quorum-scope').cluster.playing, null, WAIT);
  assert.equal(await host.getByRole('button', { name: 'Play' }).getAttribute('aria-pressed'), 'false');

  // Arrow keys step, as the overlay says.
  const step = await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.step);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((s) => document.querySelector('quorum-scope').cluster.state.step === s + 1, step, WAIT);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((s) => document.querySelector('quorum-scope').cluster.state.step === s, step, WAIT);

  const dialog = host.getByRole('dialog', { name: 'Keyboard shortcuts' });
  assert.equal(await dialog.isVisible(), false);
  await page.keyboard.press('?');
  await dialog.waitFor({ state: 'visible', ...WAIT });
  assert.ok((await dialog.textContent()).includes('Space'));
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden', ...WAIT });
  assert.equal(await playing(page), false);
  // Focus comes back into the visualizer, so the shortcuts keep working.
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.playing, null, WAIT);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !document.querySelector('quorum-scope').cluster.playing, null, WAIT);
  assert.deepEqual(errors, []);
});
