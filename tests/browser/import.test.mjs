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

test('an imported trace file is shown as narration, and a broken one names its line', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  const trace = await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    for (let i = 0; i < 200; i++) app.step();
    return { text: app.cluster.exportTrace(), count: app.trace.length };
  });
  assert.ok(trace.count > 50, 'the run produced a trace');
  const host = page.locator('quorum-scope');
  const file = host.locator('input[type="file"]');
  await file.setInputFiles({ name: 'run.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(trace.text) });
  const view = host.locator('.qs-set-trace');
  await view.waitFor(WAIT);
  assert.match(await view.locator('strong').textContent(), new RegExp(`${trace.count} events`));
  assert.equal(await view.locator('li').count(), Math.min(trace.count, 2000));
  const broken = `${trace.text.split('\n')[0]}\n{"step": 1}\n`;
  await file.setInputFiles({ name: 'broken.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(broken) });
  const error = host.locator('.qs-error');
  await page.waitForFunction(() => !document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-error').hidden, null, WAIT);
  assert.match(await error.textContent(), /line 2/);
  assert.equal(await countImages(page), 0);
  assert.deepEqual(errors, []);
});
