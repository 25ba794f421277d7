// The Compare view: run A beside run B (the same scenario and seed with one
// difference), moved by one transport. Its first divergence for
// pre-vote-off against its on-twin is the step `quorumscope diff` reports;
// the link and the `compare` attribute carry the difference; a bad
// difference is a readable error, never markup; axe-core finds nothing
// serious.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedEnv, open } from './harness.mjs';
import { ROOT, built, scratch, browserFor, openUrl } from './embed-env.mjs';
import { shot, frames, SHOTS, WAIT } from './helpers.mjs';

const env = sharedEnv();
const AXE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const TWIN = { switches: { pre_vote: true } };

/** What `quorumscope diff pre-vote-off ON-TWIN.json` says: {step, headline}. */
function cliDivergence() {
  const cli = built('target/debug/quorumscope', 'cargo build --bin quorumscope');
  const off = readFileSync(join(ROOT, 'src/scenario/library/pre-vote-off.json'), 'utf8');
  const on = off.replace('"pre_vote": false', '"pre_vote": true');
  assert.notEqual(on, off);
  const file = join(mkdtempSync(join(tmpdir(), 'qs-compare-')), 'pre-vote-on.json');
  writeFileSync(file, on);
  let out;
  try {
    execFileSync(cli, ['diff', 'pre-vote-off', file], { encoding: 'utf8' });
    assert.fail('runs that differ exit 1');
  } catch (e) {
    assert.equal(e.status, 1, String(e.stderr));
    out = e.stdout;
  }
  const headline = out.split('\n').find((l) => l.startsWith('first divergence: ')).slice('first divergence: '.length);
  return { step: Number(/^step (\d+) /.exec(headline)[1]), headline };
}

function link(state) {
  return `#s=${Buffer.from(JSON.stringify({ v: 1, ...state })).toString('base64url')}`;
}

/** The compare view's facts in the `sel` element: headline, marks, both runs' steps, B's label, error. */
function compareFacts(page, sel = 'quorum-scope') {
  return page.evaluate((sel) => {
    const host = document.querySelector(sel);
    const root = host.shadowRoot;
    const view = root.querySelector('.qs-compare');
    if (!view) return null;
    const stages = [...view.querySelectorAll('.qs-cmp-stage')];
    const terms = (stage) => Object.fromEntries([...stage.querySelectorAll('[data-node-id]')]
      .map((g) => [g.dataset.nodeId, Number(g.dataset.term)]));
    return {
      headline: view.querySelector('.qs-cmp-headline').textContent,
      marks: [...view.querySelectorAll('.qs-cmp-mark')].map((m) => `${m.dataset.run}@${m.dataset.step}`),
      labelB: view.querySelectorAll('.qs-cmp-pane h3')[1].textContent,
      error: view.querySelector('.qs-cmp-error').hidden ? null : view.querySelector('.qs-cmp-error').textContent,
      stepA: host.cluster.cluster.stepCount(),
      termsA: terms(stages[0]),
      termsB: terms(stages[1]),
      summary: [...view.querySelectorAll('.qs-cmp-summary li')].map((li) => li.textContent),
      images: root.querySelectorAll('img').length,
    };
  }, sel);
}

async function seriousViolations(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')}`));
}

const headlineShown = (sel = 'quorum-scope') => (s) => document.querySelector(s)?.shadowRoot
  ?.querySelector('.qs-cmp-headline')?.textContent;

test('a link opens Compare: the first divergence is the CLI\'s, one transport moves both panes', async (t) => {
  const cli = cliDivergence();
  const hash = link({ scenario: 'pre-vote-off', inputs: [], step: 0, compare: TWIN });
  const { page, errors } = await open(env, `/www/index.html${hash}`, { viewport: { width: 1280, height: 720 } }, t);
  await page.waitForFunction(headlineShown(), 'quorum-scope', WAIT);
  const facts = await compareFacts(page);
  assert.equal(facts.headline, cli.headline, 'the page shows what the CLI prints, from the same module');
  assert.deepEqual(facts.marks, [`A@${cli.step}`, `B@${cli.step}`], 'marked on both timelines');
  assert.equal(facts.labelB, 'B: switches.pre_vote = true');
  assert.ok(facts.summary.some((s) => s.startsWith('leaders deposed: A 1 · B 0')), facts.summary.join('\n'));

  // The page's Step button moves both runs.
  const tour = page.locator('quorum-scope .qs-tour-card').getByRole('button', { name: 'Skip' });
  if (await tour.count()) await tour.click();
  const stepB = () => page.evaluate(() => {
    const stages = document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.qs-cmp-stage');
    return stages.length;
  });
  assert.equal(await stepB(), 2);
  const bStep = () => page.evaluate(() => document.querySelector('quorum-scope').compareView && document
    .querySelector('quorum-scope').shadowRoot.querySelector('.qs-cmp-step').textContent);
  await page.locator('quorum-scope').getByRole('button', { name: 'Step: one event' }).click();
  await frames(page);
  assert.match(await bStep(), /^Step 1: before the first divergence/);
  // A seek (the transport's timeline does the same) moves B with A: after
  // the heal, cut-off node 3 has raised its term in A only.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.seek(600));
  await frames(page);
  const after = await compareFacts(page);
  assert.equal(after.stepA, 600);
  assert.match(await bStep(), /^Step 600: after the first divergence/);
  assert.ok(after.termsA['3'] > after.termsB['3'], `node 3's term: A ${after.termsA['3']}, B ${after.termsB['3']}`);
  // Playing moves both too.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.play());
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.cluster.stepCount() > 620, null, WAIT);
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.pause());
  const synced = await page.evaluate(() => {
    const host = document.querySelector('quorum-scope');
    return /^Step (\d+)/.exec(host.shadowRoot.querySelector('.qs-cmp-step').textContent)[1] === String(host.cluster.cluster.stepCount());
  });
  assert.ok(synced, 'B shows the step A is at');

  // The link round-trips: the page's own link carries the difference.
  const own = await page.evaluate(async () => {
    const { hashFor } = await import('/www/share.js');
    return hashFor(document.querySelector('quorum-scope').cluster, 'pre-vote-off');
  });
  const state = JSON.parse(Buffer.from(own.slice(3), 'base64url').toString('utf8'));
  assert.deepEqual(state.compare, TWIN);
  const again = await open(env, `/www/index.html${own}`, { viewport: { width: 1280, height: 720 } }, t);
  await again.page.waitForFunction(headlineShown(), 'quorum-scope', WAIT);
  assert.equal((await compareFacts(again.page)).headline, cli.headline);

  // Back before the divergence for the screenshots and the accessibility check.
  await page.evaluate((s) => document.querySelector('quorum-scope').cluster.seek(s + 1), cli.step);
  await frames(page);
  await page.locator('quorum-scope .qs-compare').scrollIntoViewIfNeeded();
  await shot(page, 'compare-1280', t);
  assert.deepEqual(await seriousViolations(page), []);
  await page.setViewportSize({ width: 390, height: 844 });
  await frames(page);
  await shot(page, 'compare-390', t);
  await page.locator('quorum-scope .qs-compare').screenshot({ path: join(SHOTS, 'compare-390-view.png') });
  assert.deepEqual(errors, []);
});

test('the Compare button opens the view on demand, and a preset difference runs', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=watermark-rule-off', { viewport: { width: 1280, height: 720 } }, t);
  await page.waitForFunction(() => document.querySelector('quorum-scope')?.cluster?.state, null, WAIT);
  const loaded = () => page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/compare-view.js')));
  assert.equal(await loaded(), false, 'not loaded at start-up');
  await page.locator('quorum-scope').getByRole('button', { name: 'Compare with a variant…' }).click();
  await page.locator('quorum-scope .qs-compare').waitFor(WAIT);
  assert.equal(await loaded(), true);
  assert.equal(await page.locator('quorum-scope .qs-cmp-panes').isHidden(), true, 'no B pane before a difference');
  await page.locator('quorum-scope').getByRole('combobox', { name: 'Try a difference' }).selectOption({ label: 'watermark_rule on' });
  await page.waitForFunction(headlineShown(), 'quorum-scope', WAIT);
  const facts = await compareFacts(page);
  assert.match(facts.headline, /refuses it in A: log_behind and refuses it in B: watermark_not_covered/);
  assert.equal(facts.labelB, 'B: switches.watermark_rule = true');
  assert.deepEqual(errors, []);
});

test('the compare attribute works in an embed; a bad difference is a readable error, never markup', async (t) => {
  const cli = cliDivergence();
  const { page, errors } = await open(env, '/tests/browser/pages/compare.html', { viewport: { width: 1280, height: 720 } }, t);
  const reach = async (id) => {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => {
      const v = document.querySelector(s)?.shadowRoot?.querySelector('.qs-compare');
      return v && (v.querySelector('.qs-cmp-headline').textContent || !v.querySelector('.qs-cmp-error').hidden);
    }, `#${id}`, WAIT);
    return compareFacts(page, `#${id}`);
  };
  const twin = await reach('twin');
  assert.equal(twin.headline, cli.headline);
  assert.deepEqual(twin.marks, [`A@${cli.step}`, `B@${cli.step}`]);

  const badJson = await reach('bad-json');
  assert.match(badJson.error, /^The difference is not valid JSON/);
  const markup = await reach('markup');
  assert.match(markup.error, /not valid JSON/);
  assert.equal(markup.images, 0, 'the attribute is never inserted as HTML');
  assert.equal(await page.evaluate(() => window.injected), undefined);
  const badField = await reach('bad-field');
  assert.match(badField.error, /^B is not a valid scenario: cluster\.members\[2\]\.kind/);
  const noChange = await reach('no-change');
  assert.match(noChange.error, /switchez\.pre_vote = false changes no field the scenario reads/);

  // Changing the attribute recomputes; removing it closes the view.
  await page.evaluate(() => document.querySelector('#twin').setAttribute('compare', '{"cluster":{"election_ticks":[10,10]}}'));
  await page.waitForFunction(() => document.querySelector('#twin').shadowRoot.querySelectorAll('.qs-cmp-pane h3')[1]
    .textContent === 'B: cluster.election_ticks = [10,10]', null, WAIT);
  await page.evaluate(() => document.querySelector('#twin').removeAttribute('compare'));
  assert.equal(await page.evaluate(() => document.querySelector('#twin').shadowRoot.querySelector('.qs-compare')), null);
  assert.deepEqual(errors, []);
});

test('Compare works in the single-file build, from file:// (its module is bundled in)', async (t) => {
  const cli = cliDivergence();
  const dir = scratch(t, 'compare-single');
  copyFileSync(built('dist/quorumscope.single.js', 'make dist-single'), join(dir, 'quorumscope.single.js'));
  writeFileSync(join(dir, 'page.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>single</title>
<script src="quorumscope.single.js"></script></head><body>
<quorum-scope scenario="pre-vote-off" controls="minimal" compare='${JSON.stringify(TWIN)}'></quorum-scope></body></html>`);
  const browser = await browserFor(t);
  const { page, errors } = await openUrl(browser, pathToFileURL(join(dir, 'page.html')).href);
  await page.waitForFunction(headlineShown(), 'quorum-scope', WAIT);
  assert.equal((await compareFacts(page)).headline, cli.headline);
  assert.deepEqual(errors, []);
});
