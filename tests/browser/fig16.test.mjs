// The Figure 16 panel is fetched only when the reader opens it (lazy-panel.js)
// and then runs its trials on the real core in a worker: progress reaches
// the page, and Cancel stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, WAIT } from './helpers.mjs';

const env = sharedEnv();
const host = (page) => page.locator('quorum-scope');

test('the Figure 16 panel loads when opened, runs in a worker and cancels', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 900 } }, t);
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await ready(page);
  await skipTour(page);
  const loaded = () => fetched.filter((u) => /fig16(-worker)?\.(js|css)$/.test(u));
  assert.deepEqual(loaded(), [], 'nothing of the panel before it is opened');
  const root = host(page);
  await root.locator('details.qs-f16 > summary').click();
  const run = root.locator('.qs-f16-run');
  await run.waitFor(WAIT);
  assert.ok(loaded().some((u) => u.endsWith('/fig16.js')) && loaded().some((u) => u.endsWith('/fig16.css')), loaded().join());
  await run.click();
  const progress = root.locator('.qs-f16-progress');
  await page.waitForFunction(
    () => Number(document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-f16-progress').getAttribute('aria-valuetext')?.split(' ')[0]) > 0,
    null, { timeout: 60_000 });
  assert.match(await progress.getAttribute('aria-valuetext'), /^\d+ of 700 trials$/);
  await root.getByRole('button', { name: 'Cancel' }).click();
  await assert.doesNotReject(root.locator('.qs-f16-status', { hasText: /^Cancel/ }).waitFor(WAIT));
  assert.equal(await run.isDisabled(), false, 'Run is offered again');
  assert.deepEqual(errors, []);
});
