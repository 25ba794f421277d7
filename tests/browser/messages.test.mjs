// Message-level control in the page (issue 14): a message in flight opens a
// menu on a click or Enter; dropping it is recorded as a `messages` command,
// so a copied link replays it in a fresh page (same trace at the same step)
// and an exported scenario carries it; a hold keeps messages waiting (drawn
// as held) until released.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, stepUntil, steps, WAIT } from './helpers.mjs';

const env = sharedEnv();
const VIEWPORT = { width: 1280, height: 720 };

/** A message in flight far enough from both ends to be clicked: its seq. */
async function midFlight(page) {
  await stepUntil(page, (app) => app.state.messages.some((m) => m.deliver_tick - m.sent_tick >= 3 && app.state.tick - m.sent_tick >= 1
    && app.state.tick < m.deliver_tick - 1));
  return page.evaluate(() => {
    const { state } = document.querySelector('quorum-scope').cluster;
    return state.messages.find((m) => m.deliver_tick - m.sent_tick >= 3 && state.tick - m.sent_tick >= 1 && state.tick < m.deliver_tick - 1).seq;
  });
}

/** The run's trace as text, the step taken, and the recorded inputs. */
function run(page) {
  return page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    return { trace: JSON.stringify(app.cluster.traceFrom(0)), step: app.state.step, inputs: app.cluster.inputs() };
  });
}

test('a clicked message is dropped, recorded, and a copied link replays it', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=first-election', {
    viewport: VIEWPORT, permissions: ['clipboard-read', 'clipboard-write'],
  }, t);
  await ready(page);
  await skipTour(page);
  const host = page.locator('quorum-scope');
  const seq = await midFlight(page);
  await host.locator(`[data-msg-seq="${seq}"]`).click();
  await host.getByRole('button', { name: 'Drop it' }).click();
  const after = await page.evaluate((seq) => {
    const app = document.querySelector('quorum-scope').cluster;
    return { dropped: app.trace.filter((e) => e.kind === 'message_dropped' && e.seq === seq),
      inFlight: app.state.messages.some((m) => m.seq === seq) };
  }, seq);
  assert.equal(after.dropped.length, 1, 'the trace shows the message dropped');
  assert.equal(after.dropped[0].cause, 'script');
  assert.equal(after.inFlight, false);
  await steps(page, 30);
  const original = await run(page);
  assert.equal(original.inputs.length, 1);
  assert.deepEqual(Object.keys(original.inputs[0][1]).sort(), ['action', 'do', 'from', 'msg', 'nth', 'to']);
  assert.equal(original.inputs[0][1].do, 'messages');

  // The exported scenario carries the command as a script line.
  const exported = await page.evaluate(async () => {
    const { scenarioWithActions } = await import('/www/scenario-export.js');
    return scenarioWithActions(document.querySelector('quorum-scope').cluster).script.filter((s) => s.do === 'messages');
  });
  assert.equal(exported.length, 1);
  assert.equal(exported[0].action, 'drop');

  await host.getByRole('button', { name: 'Copy link' }).click();
  await host.locator('.qs-set-status').getByText('Link copied').waitFor(WAIT);
  const url = await page.evaluate(() => navigator.clipboard.readText());
  const fresh = await open(env, url.slice(env.base.length), { viewport: VIEWPORT }, t);
  await ready(fresh.page);
  await fresh.page.waitForFunction((s) => document.querySelector('quorum-scope').cluster.state.step === s, original.step, WAIT);
  const replayed = await run(fresh.page);
  assert.equal(replayed.step, original.step);
  assert.equal(replayed.trace, original.trace, 'the same trace at the same step');
  assert.deepEqual(fresh.errors, []);
  assert.deepEqual(errors, []);
});

test('from the keyboard: hold a message, see it waiting, release it', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=first-election', { viewport: VIEWPORT }, t);
  await ready(page);
  await skipTour(page);
  const host = page.locator('quorum-scope');
  const seq = await midFlight(page);
  const m = await page.evaluate((seq) => document.querySelector('quorum-scope').cluster.state.messages.find((x) => x.seq === seq), seq);
  await host.locator(`[data-msg-seq="${seq}"]`).focus();
  await page.keyboard.press('Enter');
  await host.getByRole('button', { name: /^Hold / }).click();
  const held = await page.evaluate((seq) => {
    const host = document.querySelector('quorum-scope');
    const el = host.shadowRoot.querySelector(`[data-msg-seq="${seq}"]`);
    return { state: host.cluster.state.held.map((x) => x.seq), drawn: el?.classList.contains('held'),
      label: el?.querySelector('.cv-msg-label').textContent, mark: el?.querySelector('.cv-held-mark')?.getBoundingClientRect().width > 0 };
  }, seq);
  assert.deepEqual(held.state, [seq], 'the core holds it');
  assert.equal(held.drawn, true, 'drawn as held');
  assert.ok(held.mark && held.label.startsWith('⏸'), `marked as waiting: ${JSON.stringify(held)}`);
  // It waits: past its delivery tick it is still held, not delivered.
  await stepUntil(page, (app, _e, m) => app.state.tick > m.deliver_tick + 2, { arg: m });
  assert.equal(await page.evaluate((seq) => document.querySelector('quorum-scope').cluster.state.held.some((x) => x.seq === seq), seq), true);

  await host.locator(`[data-msg-seq="${seq}"]`).focus();
  await page.keyboard.press('Enter');
  await host.getByRole('button', { name: /^Release held/ }).click();
  const released = await page.evaluate((seq) => {
    const app = document.querySelector('quorum-scope').cluster;
    return { held: app.state.held.length, event: app.trace.some((e) => e.kind === 'message_released' && e.seq === seq),
      inputs: app.cluster.inputs().map(([, c]) => c.action) };
  }, seq);
  assert.deepEqual(released, { held: 0, event: true, inputs: ['hold', 'release'] });
  assert.deepEqual(errors, []);
});

test('the messages are one Tab stop, and the arrow keys move between them', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=first-election', { viewport: VIEWPORT }, t);
  await ready(page);
  await skipTour(page);
  await stepUntil(page, (app) => app.state.messages.length >= 4);
  const stops = () => page.evaluate(() => [...document.querySelector('quorum-scope').shadowRoot.querySelectorAll('[data-msg-seq]')]
    .filter((g) => g.getAttribute('tabindex') === '0').map((g) => g.dataset.msgSeq));
  const first = await stops();
  assert.equal(first.length, 1, 'one Tab stop among the messages');
  const host = page.locator('quorum-scope');
  await host.locator(`[data-msg-seq="${first[0]}"]`).focus();
  await page.keyboard.press('ArrowRight');
  const focused = await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.activeElement?.dataset.msgSeq);
  assert.notEqual(focused, first[0], 'the arrow moved to another message');
  assert.deepEqual(await stops(), [focused], 'and the Tab stop moved with it');
  assert.deepEqual(errors, []);
});

test('a held message is delivered now from its menu, and a duplicate is recorded too', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=first-election', { viewport: VIEWPORT }, t);
  await ready(page);
  await skipTour(page);
  const host = page.locator('quorum-scope');
  const seq = await midFlight(page);
  await host.locator(`[data-msg-seq="${seq}"]`).click();
  await host.getByRole('button', { name: 'Duplicate it' }).click();
  const other = await midFlight(page);
  await host.locator(`[data-msg-seq="${other}"]`).focus();
  await page.keyboard.press('Enter');
  await host.getByRole('button', { name: /^Hold / }).click();
  await host.locator(`[data-msg-seq="${other}"]`).focus();
  await page.keyboard.press('Enter');
  await host.getByRole('button', { name: 'Deliver it now' }).click();
  const seen = await page.evaluate(({ seq, other }) => {
    const app = document.querySelector('quorum-scope').cluster;
    return { duplicated: app.trace.some((e) => e.kind === 'message_duplicated' && e.seq === seq),
      delivered: app.trace.some((e) => e.kind === 'message_delivered' && e.seq === other),
      held: app.state.held.some((m) => m.seq === other), inputs: app.cluster.inputs().map(([, c]) => c.action) };
  }, { seq, other });
  assert.deepEqual(seen, { duplicated: true, delivered: true, held: false, inputs: ['duplicate', 'hold', 'deliver'] });
  assert.deepEqual(errors, []);
});
