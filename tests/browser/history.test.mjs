// Time travel and sharing: Back returns the DOM to exactly what it showed,
// and a copied link reopens the same state in a fresh browser context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, domNodes, stepUntil, steps, stateJson, WAIT } from './helpers.mjs';

const env = sharedEnv();

const VIEWPORT = { width: 1280, height: 900 };

/** What the page shows: every node's DOM contract and the step/tick readout. */
async function snapshot(page) {
  const readout = await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const [step, tick] = [...root.querySelectorAll('.qs-tp-readout .qs-tp-num')].map((n) => n.textContent);
    const badge = root.querySelector('.qs-tp-readout .qs-tp-past');
    return `step ${step} · tick ${tick}${badge.hidden ? '' : ` · ${badge.textContent}`}`;
  });
  return { nodes: await domNodes(page), readout };
}

/** Waits until the DOM shows the App's current step (renders are synchronous, but be safe). */
async function settled(page) {
  await page.waitForFunction(() => {
    const host = document.querySelector('quorum-scope');
    const { state } = host.cluster;
    const nums = host.shadowRoot.querySelectorAll('.qs-tp-readout .qs-tp-num');
    return nums[0]?.textContent === String(state.step)
      && state.nodes.every((n) => {
        const g = host.shadowRoot.querySelector(`[data-node-id="${n.id}"]`);
        return g && g.dataset.role === n.role && g.dataset.term === String(n.term);
      });
  }, null, WAIT);
}

test('Back returns the DOM to the earlier state', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  // Find a step where some node changes role, then go back to a few steps before it.
  const change = await stepUntil(page, (app, _e) => {
    const roles = app.state.nodes.map((n) => n.role).join();
    const had = window.__roles;
    window.__roles = roles;
    return had !== undefined && had !== roles && app.state.step > 10;
  });
  const K = 6;
  const N = change - 3;
  await page.evaluate((n) => document.querySelector('quorum-scope').cluster.seek(n), 0);
  await steps(page, N);
  await settled(page);
  const atN = await snapshot(page);
  const stateAtN = await stateJson(page);
  assert.match(atN.readout, new RegExp(`^step ${N} · tick \\d+ · 3 ahead$`));

  const host = page.locator('quorum-scope');
  const stepBtn = host.getByRole('button', { name: 'Step: one event' });
  for (let i = 0; i < K; i++) await stepBtn.click();
  await settled(page);
  const ahead = await snapshot(page);
  assert.match(ahead.readout, new RegExp(`^step ${N + K} · tick \\d+$`));
  assert.notDeepEqual(ahead.nodes.map((n) => n.role), atN.nodes.map((n) => n.role), 'a role changed on the way');

  const backBtn = host.getByRole('button', { name: 'Step back' });
  for (let i = 0; i < K; i++) await backBtn.click();
  await settled(page);
  const back = await snapshot(page);
  assert.deepEqual(back.nodes, atN.nodes);
  assert.equal(back.readout, atN.readout.replace(/3 ahead$/, `${K} ahead`), 'same step and tick; the recorded future is kept');
  assert.equal(await stateJson(page), stateAtN);

  // Stepping forward again replays the recorded run to the same picture.
  for (let i = 0; i < K; i++) await stepBtn.click();
  await settled(page);
  assert.deepEqual((await snapshot(page)).nodes, ahead.nodes);
  assert.deepEqual(errors, []);
});

test('a copied link reproduces the same state in a fresh page', async () => {
  const { page, errors, context } = await open(env, '/www/index.html', {
    viewport: VIEWPORT, permissions: ['clipboard-read', 'clipboard-write'],
  });
  let fresh;
  try {
    await ready(page);
    const host = page.locator('quorum-scope');
    await stepUntil(page, (app) => app.state.leader != null);
    await steps(page, 20);
    const victim = await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.leader);
    // Crash the leader from its menu, then write from the transport and run on.
    await settledLeader(page, victim);
    await host.locator(`[data-node-id="${victim}"]`).click();
    await host.getByRole('button', { name: `Crash node ${victim}` }).click();
    await stepUntil(page, (app, _e, old) => app.state.leader != null && app.state.leader !== old, { arg: victim });
    await host.getByRole('button', { name: /Client write/ }).click();
    await steps(page, 40);
    await page.evaluate(() => document.querySelector('quorum-scope').cluster.command({ do: 'cut', from: 1, to: 2 }));
    await steps(page, 25);
    const inputs = await page.evaluate(() => document.querySelector('quorum-scope').cluster.cluster.inputs());
    assert.equal(inputs.length, 3, 'crash, write and cut were recorded');
    // Go back a little: the link must carry the step looked at, not the furthest one.
    await host.getByRole('button', { name: 'Step back' }).click();
    await settled(page);
    const original = await stateJson(page);
    const originalDom = await domNodes(page);

    await host.getByRole('button', { name: 'Copy link' }).click();
    await host.locator('.qs-set-status').getByText('Link copied').waitFor(WAIT);
    const url = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(url.startsWith(`${env.base}/www/index.html#s=`), url);

    fresh = await open(env, url.slice(env.base.length), { viewport: VIEWPORT });
    await ready(fresh.page);
    const step = JSON.parse(original).step;
    await fresh.page.waitForFunction((s) => document.querySelector('quorum-scope').cluster.state.step === s, step, WAIT);
    await settled(fresh.page);
    assert.equal(await stateJson(fresh.page), original);
    assert.deepEqual(await domNodes(fresh.page), originalDom);
    assert.equal(await fresh.page.locator('quorum-scope .qs-error').isVisible(), false);
    assert.deepEqual(fresh.errors, []);
    assert.deepEqual(errors, []);
  } finally {
    await fresh?.context.close();
    await context.close();
  }
});

async function settledLeader(page, id) {
  await page.waitForFunction((id) => document.querySelector('quorum-scope').shadowRoot
    .querySelector(`[data-node-id="${id}"]`)?.dataset.role === 'leader', id, WAIT);
}
