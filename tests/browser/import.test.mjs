// Importing scenario files: file text is shown as text, never run as HTML,
// and a broken file gives a readable error while the page keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, WAIT } from './helpers.mjs';

const env = sharedEnv();

const VIEWPORT = { width: 1280, height: 900 };
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

/** Counts <img> elements in the document and in every open shadow root. */
function countImages(page) {
  return page.evaluate(() => {
    let count = 0;
    const walk = (root) => {
      count += root.querySelectorAll('img').length;
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return count;
  });
}

test('an imported scenario with a hostile title renders it as text', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  const scenario = {
    title: HOSTILE,
    explain: `Explained by ${HOSTILE} too.`,
    seed: 7,
    cluster: { members: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    script: [{ at: 40, do: 'write', value: HOSTILE }],
    run_until: 60,
    pauses: [{ on: 'leader_elected', caption: `Caption ${HOSTILE}` }],
  };
  const host = page.locator('quorum-scope');
  await host.locator('input[type="file"]').setInputFiles({
    name: 'hostile.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)),
  });
  await page.waitForFunction((t) => document.querySelector('quorum-scope').cluster.scenario?.title === t, HOSTILE, WAIT);
  // The title shows literally in the header (and the tour's intro card).
  const title = host.locator('.qs-set-title');
  await page.waitForFunction((t) => document.querySelector('quorum-scope').shadowRoot
    .querySelector('.qs-set-title')?.textContent === t, HOSTILE, WAIT);
  assert.equal(await title.textContent(), HOSTILE);
  assert.ok((await host.locator('.qs-set-status').textContent()).includes(HOSTILE), 'the status line names it as text');
  await page.waitForFunction((t) => document.querySelector('quorum-scope').shadowRoot
    .querySelector('.qs-tour-h')?.textContent === t, HOSTILE, WAIT);
  // Run it so the write's value reaches the narration and the logs too.
  await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    for (let i = 0; i < 400; i++) app.step();
  });
  await host.locator('.qs-side').getByText('write "<img src=x onerror=').first().waitFor(WAIT);
  // Nothing was parsed as HTML anywhere, and the handler never ran.
  assert.equal(await countImages(page), 0);
  await page.waitForLoadState('load');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').cluster.scenarioName), null);
  assert.deepEqual(errors, []);
});

test('a malformed file shows a readable error and the page keeps working', async (t) => {
  const { page, errors, context } = await open(env, '/www/index.html', { viewport: VIEWPORT });
  try {
    await ready(page);
    const host = page.locator('quorum-scope');
    const before = await page.evaluate(() => document.querySelector('quorum-scope').cluster.scenario.title);
    const file = host.locator('input[type="file"]');
    const errorBox = host.locator('.qs-error');

    await file.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"title": "half') });
    await errorBox.waitFor({ state: 'visible', ...WAIT });
    assert.match(await errorBox.textContent(), /Could not import “broken\.json”: it is not valid JSON/);

    // Valid JSON that is not a valid scenario: the core's message, as text.
    await file.setInputFiles({ name: 'wrong.json', mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ title: 'no members', cluster: { members: [] } })) });
    await host.locator('.qs-error').filter({ hasText: 'Could not import “wrong.json”' }).waitFor(WAIT);
    const message = await errorBox.textContent();
    assert.ok(message.length > 'Could not import “wrong.json”: '.length + 5, `a reason is given: ${message}`);
    t.diagnostic(`error shown: ${message}`);

    // The loaded scenario is untouched and still steps.
    assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').cluster.scenario.title), before);
    const step = await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.step);
    await host.getByRole('button', { name: 'Step: one event' }).click();
    await page.waitForFunction((s) => document.querySelector('quorum-scope').shadowRoot
      .querySelector('.qs-tp-readout .qs-tp-num')?.textContent === String(s + 1), step, WAIT);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an imported trace file plays on the picture, and a broken one names its line', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  // A simulated run, its trace exported, and what the picture showed at a
  // few steps: the replay must draw the same leader, terms and commits.
  const facts = (s) => ({ leader: s.leader, nodes: s.nodes.map((n) => [n.id, n.role, n.term, n.commit, n.last_index]) });
  const run = await page.evaluate((factsSrc) => {
    const facts = eval(factsSrc);
    const app = document.querySelector('quorum-scope').cluster;
    const seen = {};
    for (let i = 1; i <= 200; i++) {
      app.step();
      if (i % 40 === 0) seen[i] = facts(app.state);
    }
    return { text: app.cluster.exportTrace(), count: app.trace.length, seen };
  }, facts.toString());
  assert.ok(run.count > 50, 'the run produced a trace');
  const host = page.locator('quorum-scope');
  const file = host.locator('input[type="file"]');
  await file.setInputFiles({ name: 'run.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(run.text) });
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.scenario.title.startsWith('Imported trace'), null, WAIT);
  const at = (step) => page.evaluate(([s, factsSrc]) => {
    const app = document.querySelector('quorum-scope').cluster;
    app.seek(s);
    return eval(factsSrc)(app.state);
  }, [step, facts.toString()]);
  for (const [step, expected] of Object.entries(run.seen)) assert.deepEqual(await at(Number(step)), expected, `after ${step} steps`);
  // The transport steps it; the scrubber spans the whole trace from the start.
  await at(0);
  await host.getByRole('button', { name: 'Step: one event' }).click();
  // A step plays the next step that has events: the trace has no line for the others.
  const lines = run.text.trim().split('\n');
  const firstStep = JSON.parse(lines[0]).step + 1;
  await page.waitForFunction((s) => document.querySelector('quorum-scope').cluster.cluster.stepCount() === s, firstStep, WAIT);
  const lastStep = JSON.parse(lines.at(-1)).step + 1;
  assert.equal(await host.locator('.qs-tp-range').getAttribute('max'), String(lastStep));
  const broken = `${run.text.split('\n')[0]}\n{"step": 1}\n`;
  await file.setInputFiles({ name: 'broken.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(broken) });
  const error = host.locator('.qs-error');
  await page.waitForFunction(() => !document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-error').hidden, null, WAIT);
  assert.match(await error.textContent(), /line 2/);
  assert.equal(await countImages(page), 0);
  assert.deepEqual(errors, []);
});
