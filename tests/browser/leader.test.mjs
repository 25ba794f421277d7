// The page loads cleanly, elects a leader that the DOM contract reflects, and
// crashing that leader from its node menu brings a new leader in a higher term.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, domNodes, stepUntil, steps, frames, shot, WAIT } from './helpers.mjs';

const env = sharedEnv();

const VIEWPORT = { width: 1280, height: 900 };

test('the page loads and runs a few hundred steps with no console error', async (t) => {
  const { page, errors, context } = await open(env, '/www/index.html', { viewport: VIEWPORT });
  try {
    await ready(page);
    const step = await steps(page, 300);
    assert.equal(step, 300);
    // Let every view draw the last update, and play a little too.
    await page.evaluate(() => document.querySelector('quorum-scope').cluster.play());
    await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.state.step > 300, null, WAIT);
    await page.evaluate(() => document.querySelector('quorum-scope').cluster.pause());
    await frames(page);
    assert.equal(await page.locator('quorum-scope .qs-error').isVisible(), false, 'no error box');
    await shot(page, 'light', t);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a leader appears and the DOM contract reflects it', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  await page.evaluate(() => {
    window.__leaders = [];
    document.addEventListener('qs-leader', (e) => window.__leaders.push(e.detail));
  });
  // Play with the Play button; the guided tour stops at its moments:
  // continue past each until a leader is elected.
  const host = page.locator('quorum-scope');
  await host.getByRole('button', { name: 'Play' }).click();
  const continueBtn = host.locator('.qs-tour-card .qs-tour-primary');
  for (let round = 0; ; round++) {
    assert.ok(round < 10, 'a leader within a few tour moments');
    await page.waitForFunction(() => {
      const app = document.querySelector('quorum-scope').cluster;
      return app.state.leader != null || !app.playing;
    }, null, WAIT);
    if (await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.leader != null)) break;
    await continueBtn.click();
  }
  // Stop (the tour stops at the election moment; pause in case it did not).
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.pause());
  await page.waitForFunction(() => {
    const host = document.querySelector('quorum-scope');
    const { state } = host.cluster;
    const leaders = host.shadowRoot.querySelectorAll('[data-role="leader"]');
    return leaders.length === 1 && Number(leaders[0].dataset.nodeId) === state.leader;
  }, null, WAIT);
  const { leader, nodes } = await page.evaluate(() => document.querySelector('quorum-scope').cluster.state);
  const dom = await domNodes(page);
  const leaders = dom.filter((n) => n.role === 'leader');
  assert.equal(leaders.length, 1);
  assert.equal(leaders[0].id, leader);
  assert.equal(leaders[0].term, nodes.find((n) => n.id === leader).term);
  assert.ok(leaders[0].term >= 1);
  // Every node's attributes agree with the state.
  assert.deepEqual(dom, nodes.map((n) => ({ id: n.id, role: n.role, term: n.term })).sort((a, b) => a.id - b.id));
  const fired = await page.evaluate(() => window.__leaders);
  assert.ok(fired.length >= 1, 'a qs-leader event fired');
  assert.equal(fired.at(-1).kind, 'leader_elected');
  assert.equal(fired.at(-1).node, leader);
  assert.deepEqual(errors, []);
});

test('crashing the leader from its menu leads to a new leader in a higher term', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  await stepUntil(page, (app) => app.state.leader != null);
  const before = await page.evaluate(() => {
    const { state } = document.querySelector('quorum-scope').cluster;
    return { leader: state.leader, term: state.nodes.find((n) => n.id === state.leader).term };
  });
  const host = page.locator('quorum-scope');
  const leaderNode = host.locator(`[data-node-id="${before.leader}"]`);
  await page.waitForFunction((id) => document.querySelector('quorum-scope').shadowRoot
    .querySelector(`[data-node-id="${id}"]`)?.dataset.role === 'leader', before.leader, WAIT);
  await leaderNode.click();
  const menu = host.getByRole('dialog', { name: `Actions for node ${before.leader}` });
  await menu.waitFor({ state: 'visible', ...WAIT });
  await menu.getByRole('button', { name: `Crash node ${before.leader}` }).click();
  await menu.waitFor({ state: 'hidden', ...WAIT });
  await page.waitForFunction((id) => document.querySelector('quorum-scope').shadowRoot
    .querySelector(`[data-node-id="${id}"]`)?.dataset.role === 'crashed', before.leader, WAIT);
  await stepUntil(page, (app, _e, old) => app.state.leader != null && app.state.leader !== old.leader, { arg: before });
  await page.waitForFunction(() => {
    const host = document.querySelector('quorum-scope');
    const leaders = host.shadowRoot.querySelectorAll('[data-role="leader"]');
    return leaders.length === 1 && Number(leaders[0].dataset.nodeId) === host.cluster.state.leader;
  }, null, WAIT);
  const dom = await domNodes(page);
  const newLeader = dom.find((n) => n.role === 'leader');
  assert.notEqual(newLeader.id, before.leader);
  assert.ok(newLeader.term > before.term, `new term ${newLeader.term} > old term ${before.term}`);
  assert.equal(dom.find((n) => n.id === before.leader).role, 'crashed');
  const inputs = await page.evaluate(() => document.querySelector('quorum-scope').cluster.cluster.inputs());
  assert.deepEqual(inputs.map(([, c]) => c), [{ do: 'crash', node: before.leader }]);
  assert.deepEqual(errors, []);
});
