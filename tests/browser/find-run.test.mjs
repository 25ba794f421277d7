// "Find a run where…": the model checker's panel. It loads (with the lab
// wasm module) only when opened; it finds the shortest durable_vote run on
// three nodes, its progress figures growing as the search goes; the run
// plays in the picture to the violation, whose banner names the property,
// and a Copy link round-trips it; a switch breadth-first search cannot
// reach (log_guards) is found by the deeper search, stage by stage, as the
// CLI finds it; progress comes within a depth too (the
// bar moves); Cancel ends a long search and the page
// stays usable from the keyboard; bad bounds are the core's clear error,
// never markup; it works in the single-file build from file://; axe-core
// finds nothing serious.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sharedEnv, open } from './harness.mjs';
import { ROOT, built, scratch, browserFor, openUrl, serveFor } from './embed-env.mjs';
import { ready, skipTour, shot, WAIT } from './helpers.mjs';

const env = sharedEnv();
const AXE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
/** A search that takes long enough to cancel: three nodes, the default bounds, 250,000 states (the page's most). */
const LONG = { shape: 'three', states: '250000' };

async function seriousViolations(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')}`));
}

/** Opens the panel and waits until its form is filled from the explorer's catalog. */
async function openPanel(page) {
  const panel = page.locator('quorum-scope').locator('details.qs-find');
  await panel.locator('summary').click();
  await panel.locator('.qs-find-search:not([disabled])').waitFor(WAIT);
  return panel;
}

/** A safety violation on three nodes, with switch `off` off. */
async function findViolation(panel, off) {
  await panel.getByLabel('Find').selectOption('');
  await panel.getByLabel('With this switch off').selectOption(off);
  await panel.getByLabel('Cluster').selectOption('three');
}

/** The durable_vote search tests/explore.rs runs natively: 8 moves at depth 8. */
async function fillVoteBug(panel) {
  await findViolation(panel, 'durable_vote');
  for (const [label, value] of [['Moves at most (depth)', '10'], ['Client writes', '0'], ['Dropped messages', '0'],
    ['Duplicated messages', '0'], ['Handovers', '0']]) {
    await panel.getByLabel(label, { exact: true }).fill(value);
  }
}

/** Keeps every value the panel's States figure shows, in order, in window.__states. */
function recordStates(page) {
  return page.evaluate(() => {
    const dd = document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-find-states');
    window.__states = [];
    new MutationObserver(() => window.__states.push(Number(dd.textContent.replace(/,/g, ''))))
      .observe(dd, { childList: true, characterData: true, subtree: true });
  });
}

test('finds the shortest durable_vote run, with growing progress; it plays to the violation and its link round-trips', async (t) => {
  const viewport = { width: 1280, height: 720 };
  const { page, errors } = await open(env, '/www/index.html',
    { viewport, permissions: ['clipboard-read', 'clipboard-write'] }, t);
  await ready(page);
  await skipTour(page);
  const fetched = () => page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name)
    .filter((n) => /find-run|quorumscope_lab/.test(n)));
  assert.deepEqual(await fetched(), [], 'nothing of the panel or the lab module at start-up');
  const host = page.locator('quorum-scope');
  const panel = await openPanel(page);
  assert.ok((await fetched()).some((n) => n.endsWith('/pkg/quorumscope_lab_bg.wasm')), 'the lab module loads with the panel');
  await fillVoteBug(panel);
  await recordStates(page);
  await panel.getByRole('button', { name: 'Search' }).click();
  await panel.locator('.qs-find-headline').waitFor(WAIT);

  const headline = await panel.locator('.qs-find-headline').textContent();
  assert.equal(headline, 'Found the shortest run (breadth-first): 8 moves, breaking double_vote.');
  assert.equal(await panel.locator('.qs-find-moves li').count(), 8);
  const summary = await panel.locator('.qs-find-summary').textContent();
  const [, states] = /^states=(\d+) depth=8 violations=1 /.exec(summary) ?? [];
  assert.ok(states, summary);
  // The figures grew with the search, depth by depth, up to the report's.
  const seen = await page.evaluate(() => window.__states);
  assert.ok(seen.length >= 3, `progress shown as it went: ${seen}`);
  assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]), `never shrinking: ${seen}`);
  assert.equal(seen.at(-1), Number(states));
  assert.equal(await panel.locator('.qs-find-progress').getAttribute('aria-valuenow') !== '0', true);

  // The run is the picture's scenario now, as an imported file would be.
  const loaded = await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    return { title: app.scenario.title, durable: app.scenario.switches.durable_vote, name: app.scenarioName, step: app.cluster.stepCount() };
  });
  assert.match(loaded.title, /double_vote/);
  assert.deepEqual([loaded.durable, loaded.name, loaded.step], [false, null, 0]);
  assert.match(await panel.locator('.qs-find-explain').textContent(), /8 moves/);
  await shot(page, 'find-run-found', t);
  // Like any loaded scenario, the run is in the address bar: reloading that address reopens it.
  const address = await page.evaluate(() => location.href);
  assert.match(new URL(address).hash, /^#s=/);
  const reloaded = await open(env, address.slice(env.base.length), { viewport }, t);
  await ready(reloaded.page);
  assert.equal(await reloaded.page.evaluate(() => JSON.stringify(document.querySelector('quorum-scope').cluster.scenario)),
    await page.evaluate(() => JSON.stringify(document.querySelector('quorum-scope').cluster.scenario)));
  assert.deepEqual(reloaded.errors, []);

  // Played, it stops at the violation, and the banner names the property.
  await page.evaluate(() => {
    window.__violations = [];
    document.addEventListener('qs-violation', (e) => window.__violations.push(e.detail));
    document.querySelector('quorum-scope').cluster.ticksPerSecond = 32;
  });
  await panel.getByRole('button', { name: 'Play it from the start' }).click();
  await page.waitForFunction(() => window.__violations.length > 0 && !document.querySelector('quorum-scope').cluster.playing, null, WAIT);
  assert.equal(await page.evaluate(() => window.__violations[0].property), 'double_vote');
  await host.locator('.qs-banner').getByText(/double.vote/).first().waitFor({ state: 'visible', ...WAIT });
  const at = await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    return { step: app.cluster.stepCount(), state: JSON.stringify(app.state) };
  });

  // Copy link: a fresh page opens the same run at the same step, the violation shown.
  await host.getByRole('button', { name: 'Copy link' }).click();
  await host.locator('.qs-set-status').getByText('Link copied').waitFor(WAIT);
  const url = await page.evaluate(() => navigator.clipboard.readText());
  const fresh = await open(env, url.slice(env.base.length), { viewport }, t);
  await ready(fresh.page);
  await fresh.page.waitForFunction((s) => document.querySelector('quorum-scope').cluster.cluster?.stepCount() === s, at.step, WAIT);
  assert.equal(await fresh.page.evaluate(() => JSON.stringify(document.querySelector('quorum-scope').cluster.state)), at.state);
  await fresh.page.locator('quorum-scope .qs-banner').getByText(/double.vote/).first().waitFor({ state: 'visible', ...WAIT });

  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(fresh.errors, []);
  assert.deepEqual(errors, []);
});

test('a switch breadth-first search cannot reach: the deeper search says each stage and writes the library\'s log_guards run, proven shortest within narrower bounds', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await skipTour(page);
  const panel = await openPanel(page);
  await findViolation(panel, 'log_guards');
  // Breadth-first alone, within the page's state limit, finds nothing: the run is 12 moves deep.
  await panel.getByLabel(/Search deeper/).uncheck();
  await panel.getByRole('button', { name: 'Search' }).click();
  await panel.locator('.qs-find-headline', { hasText: 'No violation within the bounds.' }).waitFor({ timeout: 120_000 });
  assert.match(await panel.locator('.qs-find-result').textContent(), /stopped at the limit of 50,000 states/);

  // Every stage the search passes is named as it runs; the later ones have no known end, and the bar says so.
  await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const stage = root.querySelector('.qs-find-stage');
    const bar = root.querySelector('.qs-find-progress');
    window.__stages = [];
    new MutationObserver(() => window.__stages.push({ stage: stage.textContent, known: bar.hasAttribute('aria-valuenow') }))
      .observe(stage, { childList: true, characterData: true, subtree: true });
  });
  await panel.getByLabel(/Search deeper/).check();
  await panel.getByRole('button', { name: 'Search' }).click();
  await panel.locator('.qs-find-headline', { hasText: /^Found/ }).waitFor({ timeout: 240_000 });
  assert.equal(await panel.locator('.qs-find-headline').textContent(),
    'Found the shortest run (breadth-first): 12 moves, breaking leader_completeness.');
  assert.deepEqual(await panel.locator('.qs-find-known li').allTextContents(), ['Proven shortest within: depth 12, '
    + 'writes 0, crashes 0, drops 0, duplicates 0, handovers 1, snapshots 0, in flight 5, term 1.']);
  // The narrow bounds' search, counted as the CLI counts it (src/explore/narrow.rs: found at 261,278 states).
  assert.match(await panel.locator('.qs-find-result').textContent(),
    /Searches for a shorter run \(narrower bounds, then the run's own\): 261,278 states\./);
  const stages = await page.evaluate(() => window.__stages);
  const names = [...new Set(stages.map((s) => s.stage))];
  assert.deepEqual(names, ['breadth-first, every run within the bounds',
    'every run within narrower bounds (no fault, one handover)', 'finished'], JSON.stringify(stages));
  assert.ok(stages.some((s) => s.stage.startsWith('breadth') && s.known), 'breadth-first search measures its progress');
  assert.ok(stages.some((s) => s.stage.includes('narrower') && !s.known), 'the narrow search has no known end');
  assert.equal(await panel.locator('.qs-find-progress').getAttribute('aria-valuenow'), '100');

  // The run in the picture is the library's log-guards-found, move for move, as `quorumscope explore` writes it.
  const script = () => page.evaluate(() => JSON.stringify(document.querySelector('quorum-scope').cluster.scenario.script));
  const found = await script();
  const library = await open(env, '/www/index.html#scenario=log-guards-found', { viewport: { width: 1280, height: 720 } }, t);
  await ready(library.page);
  assert.equal(found, await library.page.evaluate(() => JSON.stringify(document.querySelector('quorum-scope').cluster.scenario.script)));
  await shot(page, 'find-run-deeper', t);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(library.errors, []);
  assert.deepEqual(errors, []);
});

test('Cancel during the searches for a shorter run keeps the run the walks found, and says it is not proven shortest', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=first-election', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await skipTour(page);
  const panel = await openPanel(page);
  await findViolation(panel, 'current_term_commit');
  // Seed 3's walks reach Figure 8 within a few hundred walks (`quorumscope explore three --off current_term_commit --walk 3`).
  await panel.getByLabel('Random walk seed').fill('3');
  await panel.getByRole('button', { name: 'Search' }).click();
  const stage = panel.locator('.qs-find-stage');
  await stage.filter({ hasText: /found run's own bounds|ruling out shorter runs/ }).waitFor({ timeout: 240_000 });
  const during = await stage.textContent();
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await panel.locator('.qs-find-status', { hasText: /^Cancelled during / }).waitFor(WAIT);
  assert.match(await panel.locator('.qs-find-status').textContent(),
    new RegExp(`^Cancelled during ${during}\\. Kept the run found so far: leader_completeness in (\\d+) moves\\. The run is loaded`));
  const headline = await panel.locator('.qs-find-headline').textContent();
  const [, moves] = /^Found a random walk's run, shrunk: (\d+) moves, breaking leader_completeness\.$/.exec(headline) ?? [];
  assert.ok(moves, headline);
  assert.deepEqual(await panel.locator('.qs-find-known li').allTextContents(),
    ['Not proven shortest: the search was stopped before its searches for a shorter run ended.']);
  assert.equal(await panel.locator('.qs-find-moves li').count(), Number(moves));
  assert.equal(await stage.textContent(), 'cancelled');
  assert.match(await panel.locator('.qs-find-explain').textContent(),
    new RegExp(`^A run that breaks leader_completeness, found by the random walks of \`quorumscope explore three\` and shrunk to ${moves} moves\\.`));
  // The run is in the picture in place of the scenario that was there, and the search stopped: its figures no
  // longer change.
  const picture = await page.evaluate(() => {
    const { scenario, scenarioName } = document.querySelector('quorum-scope').cluster;
    return { scenarioName, off: !scenario.switches.current_term_commit, script: scenario.script.length };
  });
  assert.ok(picture.scenarioName !== 'first-election' && picture.off && picture.script > 20, JSON.stringify(picture));
  const shown = await panel.locator('.qs-find-states').textContent();
  await page.waitForTimeout(1500);
  assert.equal(await panel.locator('.qs-find-states').textContent(), shown);
  assert.equal(await panel.getByRole('button', { name: 'Search' }).isDisabled(), false, 'Search is offered again');
  await shot(page, 'find-run-cancel-kept', t);
  assert.deepEqual(errors, []);
});

test('Cancel ends a long search from the keyboard, on a phone, and the page stays usable', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=first-election',
    { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, t);
  await ready(page);
  await skipTour(page);
  const host = page.locator('quorum-scope');
  const panel = host.locator('details.qs-find');
  await panel.locator('summary').focus();
  await page.keyboard.press('Enter');
  await panel.locator('.qs-find-search:not([disabled])').waitFor(WAIT);
  await panel.getByLabel('Cluster').selectOption(LONG.shape);
  await panel.getByLabel('Unique states at most').fill(LONG.states);
  await recordStates(page);
  // Progress arrives (depth 1, 2, …) while the search goes on, and within a depth too: three nodes'
  // depth 6 has 5,466 states to expand, reported after 2,048 and 4,096, and the bar moves with each.
  await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const status = root.querySelector('.qs-find-status');
    const bar = root.querySelector('.qs-find-progress');
    window.__within = [];
    new MutationObserver(() => {
      const m = /^Depth (\d+): ([\d,]+) of [\d,]+ states expanded, ([\d,]+) states/.exec(status.textContent);
      if (m) window.__within.push({ depth: Number(m[1]), expanded: Number(m[2].replace(/,/g, '')),
        states: Number(m[3].replace(/,/g, '')), bar: bar.getAttribute('aria-valuetext'), pct: Number(bar.getAttribute('aria-valuenow')) });
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
  await panel.getByRole('button', { name: 'Search' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__states.filter((n) => n > 1).length >= 2, null, { timeout: 60_000 });
  await page.waitForFunction(() => window.__within.some((a, i) => window.__within.slice(i + 1).some((b) => b.depth === a.depth)),
    null, { timeout: 180_000 });
  const within = await page.evaluate(() => window.__within);
  const [first, second] = within.filter((w) => w.depth === within.find((a) => within.some((b) => b !== a && b.depth === a.depth)).depth);
  assert.ok(second.expanded > first.expanded && second.states > first.states, `two reports within one depth: ${JSON.stringify(within)}`);
  assert.ok(second.pct >= first.pct && second.bar !== first.bar, `the bar moved within the depth: ${JSON.stringify(within)}`);
  const cancel = panel.getByRole('button', { name: 'Cancel' });
  assert.equal(await cancel.evaluate((b) => b.matches(':focus')), true, 'focus moved to Cancel');
  // The picture answers while the worker searches.
  const before = await page.evaluate(() => document.querySelector('quorum-scope').cluster.cluster.stepCount());
  await host.getByRole('button', { name: 'Step: one event' }).click();
  await page.waitForFunction((b) => document.querySelector('quorum-scope').cluster.cluster.stepCount() > b, before, WAIT);
  await cancel.focus();
  await page.keyboard.press('Enter');
  await panel.locator('.qs-find-status', { hasText: /^Cancelled/ }).waitFor(WAIT);
  const search = panel.getByRole('button', { name: 'Search' });
  assert.equal(await search.isDisabled(), false, 'Search is offered again');
  assert.equal(await search.evaluate((b) => b.matches(':focus')), true, 'and has the focus back');
  assert.equal(await panel.locator('.qs-find-result').isHidden(), true, 'nothing found, nothing loaded');
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').cluster.scenarioName), 'first-election');
  // The terminated worker reports nothing more.
  const shown = await panel.locator('.qs-find-states').textContent();
  await page.waitForTimeout(1500);
  assert.equal(await panel.locator('.qs-find-states').textContent(), shown);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone: ${width}px`);
  await shot(page, 'find-run-phone', t);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(errors, []);
});

test('bad bounds are the explorer\'s clear error, never markup', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await skipTour(page);
  const panel = await openPanel(page);
  const depth = panel.getByLabel('Moves at most (depth)', { exact: true });
  const error = panel.locator('.qs-find-error');
  await depth.fill('0');
  await panel.getByRole('button', { name: 'Search' }).click();
  await error.waitFor({ state: 'visible', ...WAIT });
  assert.equal(await error.textContent(), 'bounds.depth: 0 is below the minimum of 1 moves');
  assert.equal(await depth.getAttribute('aria-invalid'), '', 'the field is marked');
  await depth.fill('<img src=x onerror="window.injected=1">');
  await panel.getByRole('button', { name: 'Search' }).click();
  await error.getByText(/^bounds\.depth: expected a number of moves/).waitFor(WAIT);
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.querySelectorAll('img').length), 0);
  assert.equal(await page.evaluate(() => window.injected), undefined);
  // The deeper search's seed is read the same way, and its field marked.
  await panel.getByRole('button', { name: 'Default bounds' }).click();
  assert.notEqual(await depth.inputValue(), '0');
  const seed = panel.getByLabel('Random walk seed');
  await seed.fill('-3');
  await panel.getByRole('button', { name: 'Search' }).click();
  await error.getByText(/^walks\.seed: /).waitFor(WAIT);
  assert.equal(await seed.getAttribute('aria-invalid'), '', 'the seed is marked');
  assert.equal(await depth.getAttribute('aria-invalid'), null, 'and the depth no longer');
  await panel.getByRole('button', { name: 'Default bounds' }).click();
  assert.equal(await seed.inputValue(), '8');
  assert.deepEqual(errors, []);
});

test('the panel works in the single-file build, from file:// (the lab module and the workers are inside), Figure 16 too', async (t) => {
  const dir = scratch(t, 'find-run-single');
  copyFileSync(built('dist/quorumscope.single.js', 'make dist-single'), join(dir, 'quorumscope.single.js'));
  writeFileSync(join(dir, 'page.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>single</title>
<script src="quorumscope.single.js"></script></head><body><main>
<quorum-scope scenario="first-election" controls="full"></quorum-scope></main></body></html>`);
  const browser = await browserFor(t);
  const { page, errors } = await openUrl(browser, pathToFileURL(join(dir, 'page.html')).href, { viewport: { width: 1280, height: 720 } });
  await ready(page);
  await skipTour(page);
  const panel = await openPanel(page);
  await fillVoteBug(panel);
  await panel.getByRole('button', { name: 'Search' }).click();
  await panel.locator('.qs-find-headline').waitFor(WAIT);
  assert.match(await panel.locator('.qs-find-headline').textContent(), /8 moves, breaking double_vote/);
  assert.match(await page.evaluate(() => document.querySelector('quorum-scope').cluster.scenario.title), /double_vote/);
  // Figure 16's trials run in their own inlined worker on the same lab module.
  const fig16 = page.locator('quorum-scope').locator('details.qs-f16');
  await fig16.locator('summary').click();
  await fig16.locator('.qs-f16-run').click();
  await page.waitForFunction(() => Number(document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-f16-progress')
    .getAttribute('aria-valuetext')?.split(' ')[0]) > 0, null, { timeout: 60_000 });
  await fig16.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(errors, []);
});

test('under a Content-Security-Policy that forbids blob: workers, the single file\'s panel says why the search cannot start', async (t) => {
  const dir = scratch(t, 'find-run-csp');
  copyFileSync(built('dist/quorumscope.single.js', 'make dist-single'), join(dir, 'quorumscope.single.js'));
  // Everything the element needs (README, Embedding) but worker-src blob:.
  writeFileSync(join(dir, 'page.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' data:; img-src data:; connect-src 'self' data:">
<title>strict policy</title><script src="quorumscope.single.js"></script></head><body><main>
<quorum-scope scenario="first-election" controls="full"></quorum-scope></main></body></html>`);
  const base = await serveFor(t, dir);
  const browser = await browserFor(t);
  const { page } = await openUrl(browser, `${base}/page.html`, { viewport: { width: 1280, height: 720 } });
  await ready(page);
  await skipTour(page);
  const panel = await openPanel(page);
  await fillVoteBug(panel);
  await panel.getByRole('button', { name: 'Search' }).click();
  const error = panel.locator('.qs-find-error');
  await error.waitFor({ state: 'visible', ...WAIT });
  assert.match(await error.textContent(), /worker could not start.*worker-src blob:/);
  assert.equal(await panel.locator('.qs-find-status').textContent(), 'The search did not run.');
  assert.equal(await panel.getByRole('button', { name: 'Search' }).isDisabled(), false, 'Search is offered again');
});
