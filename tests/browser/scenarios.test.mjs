// Built-in scenarios picked from the header or named in the URL: the
// watermark refusal is explained in words, a switched-off safety mechanism
// ends in a violation that pauses the run and names the property, and a
// coordinated failover shows its handover banner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, stepUntil, shot, WAIT } from './helpers.mjs';

const env = sharedEnv();

const VIEWPORT = { width: 1280, height: 900 };
const REFUSAL = 'below my commit watermark';

/** Runs to the first watermark refusal and checks that the page explains it in words. */
async function runToRefusal(page) {
  await stepUntil(page, (app, events) => events.some((e) => e.reason?.code === 'watermark_not_covered'), { max: 3000 });
  const host = page.locator('quorum-scope');
  // The narration panel lists the refusal's sentence…
  await host.locator('.qs-side').getByText(REFUSAL).first().waitFor({ state: 'visible', ...WAIT });
  // …and the picture's callout says it too.
  await host.locator('.qs-stage .cv-callout').filter({ hasText: REFUSAL }).first().waitFor({ state: 'visible', ...WAIT });
  const side = await host.locator('.qs-side').textContent();
  assert.match(side, /below my commit watermark \d+/);
}

test('the watermark-refusal scenario, picked in the header, shows the refusal text', async (t) => {
  const { page, errors, context } = await open(env, '/www/index.html', { viewport: VIEWPORT });
  try {
    await ready(page);
    const select = page.locator('quorum-scope .qs-header select');
    await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot
      .querySelector('.qs-header select option[value="watermark-refusal"]'), null, WAIT);
    await select.selectOption('watermark-refusal');
    await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.scenarioName === 'watermark-refusal', null, WAIT);
    assert.equal(new URL(page.url()).hash, '#scenario=watermark-refusal');
    await host(page).locator('.qs-set-title').filter({ hasText: 'Watermark refusal' }).waitFor(WAIT);
    await runToRefusal(page);
    await shot(page, 'refusal', t);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('#scenario=watermark-refusal in the URL opens that scenario', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=watermark-refusal', { viewport: VIEWPORT }, t);
  await ready(page);
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.scenarioName === 'watermark-refusal', null, WAIT);
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot
    .querySelector('.qs-header select')?.value === 'watermark-refusal', null, WAIT);
  await runToRefusal(page);
  assert.deepEqual(errors, []);
});

test('a switched-off mechanism ends in a violation: the run pauses and the banner names the property', async (t) => {
  const { page, errors, context } = await open(env, '/www/index.html', { viewport: VIEWPORT });
  try {
    await ready(page);
    await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot
      .querySelector('.qs-header select option[value="durable-vote-off"]'), null, WAIT);
    await host(page).locator('.qs-header select').selectOption('durable-vote-off');
    await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.scenarioName === 'durable-vote-off', null, WAIT);
    await page.evaluate(() => {
      window.__violations = [];
      document.addEventListener('qs-violation', (e) => window.__violations.push({ ...e.detail, playing: e.target.cluster.playing }));
    });
    // Skip the guided tour (it would stop at its earlier moments), then play fast.
    await skipTour(page);
    await page.evaluate(() => {
      const app = document.querySelector('quorum-scope').cluster;
      app.ticksPerSecond = 32;
    });
    await host(page).getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => window.__violations.length > 0, null, WAIT);
    // The run pauses on the violation (pause on violation is on by default).
    await page.waitForFunction(() => !document.querySelector('quorum-scope').cluster.playing, null, WAIT);
    const v = await page.evaluate(() => window.__violations[0]);
    assert.equal(v.kind, 'violation');
    assert.match(v.property, /election_safety|double_vote/);
    const banner = host(page).locator('.qs-banner');
    await banner.getByText(/election.safety|double.vote/).first().waitFor({ state: 'visible', ...WAIT });
    assert.match(await banner.textContent(), /election_safety|double_vote|election safety|double vote/);
    // Still paused a moment later, with the violation in the state.
    const state = await page.evaluate(() => {
      const app = document.querySelector('quorum-scope').cluster;
      return { playing: app.playing, violations: app.state.violations };
    });
    assert.equal(state.playing, false);
    assert.ok(state.violations >= 1, 'the state counts the violation');
    await shot(page, 'violation', t);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a coordinated failover shows the handover banner', async (t) => {
  const { page, errors, context } = await open(env, '/www/index.html', { viewport: VIEWPORT });
  try {
    await ready(page);
    await stepUntil(page, (app) => app.state.leader != null);
    // Let the followers catch up a little so the handover has a target in step.
    await stepUntil(page, (app) => app.state.nodes.every((n) => n.commit >= 1), { max: 2000 });
    const target = await page.evaluate(() => {
      const app = document.querySelector('quorum-scope').cluster;
      const to = app.state.nodes.find((n) => n.id !== app.state.leader && n.role === 'follower').id;
      app.command({ do: 'failover', to, mode: 'coordinated', deadline_ticks: 60 });
      return to;
    });
    await stepUntil(page, (app, events) => events.some((e) => e.kind === 'handover_phase')
      || app.trace.some((e) => e.kind === 'handover_phase'), { max: 2000 });
    const banner = host(page).locator('.qs-banner');
    await banner.getByText(new RegExp(`Handover \\d+ → ${target}`)).waitFor({ state: 'visible', ...WAIT });
    await shot(page, 'mid-handover', t);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

function host(page) {
  return page.locator('quorum-scope');
}
