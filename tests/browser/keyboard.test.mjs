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

test('embeds without the full controls keep the shortcuts: Space, arrows, speed; no write without controls', async (t) => {
  const { page, errors } = await open(env, '/www/embed-example.html', { viewport: { width: 1280, height: 900 } }, t);
  for (const sel of ['quorum-scope[controls="minimal"]', 'quorum-scope[controls="none"]']) {
    await page.waitForFunction((s) => document.querySelector(s)?.cluster?.playing, sel, WAIT);
    const app = (fn) => page.evaluate(({ s, src }) => (0, eval)(`(${src})`)(document.querySelector(s).cluster), { s: sel, src: fn.toString() });
    // Focus where a keyboard reader lands: the element itself (minimal), or its picture (none).
    if (sel.includes('minimal')) await page.locator(sel).focus();
    else await page.locator(sel).locator('.cv-svg').focus();
    await page.keyboard.press('Space');
    assert.equal(await app((a) => a.playing), false, `${sel}: Space pauses`);
    const step = await app((a) => a.state.step);
    await page.keyboard.press('ArrowRight');
    assert.equal(await app((a) => a.state.step), step + 1, `${sel}: → steps`);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await app((a) => a.state.step), step, `${sel}: ← steps back`);
    const speed = await app((a) => a.ticksPerSecond);
    await page.keyboard.press('+');
    assert.ok(await app((a) => a.ticksPerSecond) > speed, `${sel}: + speeds up`);
    // A leader to write to, so that only the controls decide.
    await app((a) => {
      for (let i = 0; i < 5000 && !a.state.nodes.some((n) => n.role === 'leader'); i += 1) a.step();
    });
    const inputs = await app((a) => a.cluster.inputs().length);
    await page.keyboard.press('w');
    const wrote = (await app((a) => a.cluster.inputs().length)) > inputs;
    assert.equal(wrote, sel.includes('minimal'), `${sel}: w writes only where the controls allow commands`);
    await page.keyboard.press('Space');
    assert.equal(await app((a) => a.playing), true, `${sel}: Space resumes`);
  }
  assert.deepEqual(errors, []);
});
