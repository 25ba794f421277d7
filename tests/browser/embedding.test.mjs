// The element as a page author uses it (issue 13): src= and a child JSON
// script, a missing file and a strict CSP each shown inside with its fix,
// properties reflecting attributes, controls changed after load, qs-ready
// and qs-error, removal and re-insertion, lazy start on a tall page, the
// theme attribute, and a warning for an unknown attribute. The pages sit in
// tests/browser/pages/, a sub-folder away from www/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { WAIT } from './helpers.mjs';
import { readFileSync } from 'node:fs';

const env = sharedEnv();
const PAGES = '/tests/browser/pages';

/** Waits until the element matching `sel` has a scenario loaded and nodes drawn. */
function ready(page, sel) {
  return page.waitForFunction((s) => {
    const el = document.querySelector(s);
    return el?.cluster?.scenario && el.shadowRoot.querySelector('[data-node-id]');
  }, sel, WAIT);
}

/** The text of the element's error box ('' when hidden). */
function errorText(page, sel) {
  return page.evaluate((s) => {
    const box = document.querySelector(s).shadowRoot.querySelector('.qs-error');
    return box && !box.hidden ? box.textContent : '';
  }, sel);
}

test('src= loads a file relative to the page, a child script its JSON, and a missing file says so', async (t) => {
  const { page, errors } = await open(env, `${PAGES}/authoring.html`, {}, t);
  await ready(page, '#from-src');
  await ready(page, '#from-child');
  const titles = await page.evaluate(() => ['#from-src', '#from-child']
    .map((s) => document.querySelector(s).cluster.scenario.title));
  assert.deepEqual(titles, ['A scenario from a file', 'A scenario from a child script']);

  await page.waitForFunction(() => document.querySelector('#missing').shadowRoot.querySelector('.qs-error')?.hidden === false, null, WAIT);
  const missing = await errorText(page, '#missing');
  assert.match(missing, /no-such-file\.json is missing \(HTTP 404\)/);
  assert.match(missing, /relative to the page/);
  const box = await page.locator('#missing').boundingBox();
  assert.ok(box.height > 40 && box.width > 100, `the failed embed stays visible (${box.width}x${box.height})`);
  // The 404 itself is the browser's console error; nothing else may be.
  assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
});

test('attributes are properties, observed after load, with qs-ready and qs-error events', async (t) => {
  const { page, errors } = await open(env, `${PAGES}/plain.html`, {}, t);
  await ready(page, 'quorum-scope');
  const props = await page.evaluate(() => {
    const el = document.querySelector('quorum-scope');
    el.part.add('extra'); // the standard Element.part, not shadowed
    return {
      scenario: el.scenario, controls: el.controls, height: el.height, autoplay: el.autoplay, theme: el.theme,
      startStep: el.startStep, part: el.getAttribute('part'),
    };
  });
  assert.deepEqual(props, {
    scenario: 'first-election', controls: 'minimal', height: '300', autoplay: false, theme: 'auto', startStep: null, part: 'extra',
  });

  // Changing controls after load mounts the full explorer (the narration).
  await page.evaluate(() => { document.querySelector('quorum-scope').controls = 'full'; });
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-side').childElementCount > 0, null, WAIT);
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').getAttribute('controls')), 'full');

  // A new scenario on a playing embed loads, keeps playing, and says qs-ready.
  const ready2 = await page.evaluate(async () => {
    const el = document.querySelector('quorum-scope');
    el.controls = 'none';
    el.cluster.play();
    const event = new Promise((done) => el.addEventListener('qs-ready', (e) => done(e.detail), { once: true }));
    el.scenario = 'leader-crash';
    const detail = await event;
    return { detail, playing: el.cluster.playing, name: el.cluster.scenarioName };
  });
  assert.deepEqual(ready2, { detail: { scenario: 'leader-crash', step: 0 }, playing: true, name: 'leader-crash' });

  // A bad scenario: qs-error with the fix, and the message inside.
  const failed = await page.evaluate(async () => {
    const el = document.querySelector('quorum-scope');
    const event = new Promise((done) => el.addEventListener('qs-error', (e) => done(e.detail), { once: true }));
    el.scenario = 'no-such-scenario';
    return event;
  });
  assert.match(failed.message, /scenario="no-such-scenario"/);
  assert.match(failed.fix, /built-in one such as scenario="first-election"/);
  assert.match(await errorText(page, 'quorum-scope'), /no-such-scenario/);
  assert.deepEqual(errors, []);
});

test('removed and inserted again, an embed picks up at its step, with the reader\'s commands, and keeps stepping', async (t) => {
  const { page, errors } = await open(env, `${PAGES}/plain.html`, {}, t);
  await ready(page, 'quorum-scope');
  // The reader stepped and crashed node 2: both survive the move.
  const before = await page.evaluate(() => {
    const el = document.querySelector('quorum-scope');
    for (let i = 0; i < 30; i++) el.cluster.step();
    el.cluster.command({ do: 'crash', node: 2 });
    for (let i = 0; i < 10; i++) el.cluster.step();
    return el.cluster.state.step;
  });
  await page.evaluate(() => {
    const el = document.querySelector('quorum-scope');
    el.remove();
    document.querySelector('#elsewhere').append(el);
  });
  await ready(page, '#elsewhere quorum-scope');
  const after = await page.evaluate(() => {
    const el = document.querySelector('#elsewhere quorum-scope');
    const at = el.cluster.state.step;
    el.cluster.step();
    return {
      at, next: el.cluster.state.step, nodes: el.shadowRoot.querySelectorAll('[data-node-id]').length,
      crashed: el.shadowRoot.querySelector('[data-node-id="2"]').dataset.role,
    };
  });
  assert.deepEqual(after, { at: before, next: before + 1, nodes: 5, crashed: 'crashed' });
  assert.deepEqual(errors, []);
});

test('an embed 5,000 px down fetches nothing until scrolled to, and pauses when scrolled away', async (t) => {
  const context = await env.browser.newContext({ viewport: { width: 1000, height: 700 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const requests = [];
  context.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${env.base}${PAGES}/tall.html`);
  await page.waitForFunction(() => customElements.get('quorum-scope'), null, WAIT);
  await page.waitForTimeout(500);
  const early = requests.filter((p) => /\.(wasm|css|json)$/.test(p));
  assert.deepEqual(early, [], 'nothing fetched for the embed while it is far below');
  assert.equal(await page.evaluate(() => document.querySelector('#lower').cluster), null);

  await page.locator('#lower').scrollIntoViewIfNeeded();
  await ready(page, '#lower');
  assert.ok(requests.some((p) => p.endsWith('/pkg/quorumscope_bg.wasm')));
  assert.ok(requests.some((p) => p.endsWith('/from-file.json')));
  await page.waitForFunction(() => document.querySelector('#lower').cluster.state.step > 0, null, WAIT);

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => document.querySelector('#lower').cluster.frame === 0, null, WAIT);
  const a = await page.evaluate(() => document.querySelector('#lower').cluster.state.step);
  await page.waitForTimeout(400);
  const b = await page.evaluate(() => ({ step: document.querySelector('#lower').cluster.state.step, playing: document.querySelector('#lower').cluster.playing }));
  assert.deepEqual(b, { step: a, playing: true }, 'off-screen: still "playing", but no steps run');
  assert.deepEqual(errors, []);
});

test('a strict Content-Security-Policy shows the fix inside the element', async (t) => {
  const { page, context } = await open(env, `${PAGES}/csp.html`, {}, t);
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-error')?.hidden === false, null, WAIT);
  const text = await errorText(page, 'quorum-scope');
  assert.match(text, /Content-Security-Policy does not allow WebAssembly/);
  assert.match(text, /'wasm-unsafe-eval'/);
  await context.close();
});

test('the same policy with \'wasm-unsafe-eval\' runs the embed without a console error', async (t) => {
  const { page, errors } = await open(env, `${PAGES}/csp-wasm.html`, {}, t);
  await ready(page, 'quorum-scope');
  assert.equal(await errorText(page, 'quorum-scope'), '');
  const side = await page.evaluate(() => getComputedStyle(document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-error')).borderTopStyle);
  assert.equal(side, 'solid', 'the stylesheets loaded under style-src \'self\'');
  assert.deepEqual(errors, []);
});

test('theme="dark" makes the element dark on a light system, and an unknown attribute is a warning', async (t) => {
  const { page, errors } = await open(env, `${PAGES}/plain.html`, { colorScheme: 'light' }, t);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await ready(page, 'quorum-scope');
  const bg = () => page.evaluate(() => getComputedStyle(document.querySelector('quorum-scope')).backgroundColor);
  assert.equal(await bg(), 'rgb(255, 255, 255)');
  await page.evaluate(() => { document.querySelector('quorum-scope').theme = 'dark'; });
  assert.equal(await bg(), 'rgb(20, 23, 30)');
  // bad/good/warn follow the theme too (the hidden error box is drawn in --qs-bad).
  const bad = () => page.evaluate(() => getComputedStyle(document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-error')).color);
  assert.equal(await bad(), 'rgb(255, 107, 107)');
  await page.evaluate(() => { document.querySelector('quorum-scope').theme = 'light'; });
  assert.equal(await bad(), 'rgb(198, 40, 40)');
  await page.evaluate(() => {
    document.querySelector('quorum-scope').setAttribute('controls', 'tiny');
    const el = document.createElement('quorum-scope');
    el.setAttribute('colour', 'red');
    document.body.append(el);
  });
  await page.waitForTimeout(50);
  assert.ok(warnings.some((w) => /unknown attribute "colour"/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /controls="tiny" is not one of full, minimal, none/.test(w)), warnings.join('\n'));
  assert.deepEqual(errors, []);
});

test('state= reopens a share link\'s payload, start-step opens at a step, and loop starts again at run_until', async (t) => {
  const { page, errors } = await open(env, `${PAGES}/plain.html`, {}, t);
  await ready(page, 'quorum-scope');
  // A payload from a share link: a crash at step 30, looked at at step 55.
  const payload = await page.evaluate(async () => {
    const { hashFor } = await import('/www/share.js');
    const app = document.querySelector('quorum-scope').cluster;
    app.seek(30);
    app.command({ do: 'crash', node: 2 });
    app.seek(55);
    return hashFor(app, 'first-election').slice('#s='.length);
  });
  const opened = await page.evaluate(async (state) => {
    const el = document.createElement('quorum-scope');
    el.state = state;
    el.controls = 'none';
    const ready = new Promise((done) => el.addEventListener('qs-ready', (e) => done(e.detail), { once: true }));
    document.body.prepend(el);
    const detail = await ready;
    return { detail, crashed: el.shadowRoot.querySelector('[data-node-id="2"]')?.dataset.role };
  }, payload);
  assert.deepEqual(opened, { detail: { scenario: 'first-election', step: 55 }, crashed: 'crashed' });

  const atStep = await page.evaluate(async () => {
    const el = document.createElement('quorum-scope');
    el.setAttribute('start-step', '25');
    el.setAttribute('scenario', 'leader-crash');
    const ready = new Promise((done) => el.addEventListener('qs-ready', (e) => done(e.detail), { once: true }));
    document.body.prepend(el);
    return { detail: await ready, startStep: el.startStep };
  });
  assert.deepEqual(atStep, { detail: { scenario: 'leader-crash', step: 25 }, startStep: 25 });
  // Changed after load, start-step moves the embed there.
  const moved = await page.evaluate(() => {
    const el = document.querySelector('quorum-scope');
    el.startStep = 12;
    return el.cluster.state.step;
  });
  assert.equal(moved, 12);

  // loop: a scenario that ends at tick 20, played fast, comes back to tick 0
  // (the element seeks inside the update that reaches tick 20, and a frame may
  // cover several ticks, so the last tick seen here is a little under 20).
  const looped = await page.evaluate(async () => {
    const el = document.createElement('quorum-scope');
    el.setAttribute('controls', 'none');
    el.loop = true;
    el.autoplay = true;
    const script = document.createElement('script');
    script.type = 'application/json';
    script.textContent = JSON.stringify({ title: 'Short', seed: 3, cluster: { members: [{ id: 1 }, { id: 2 }, { id: 3 }] }, run_until: 20 });
    el.append(script);
    document.body.prepend(el);
    await new Promise((done) => el.addEventListener('qs-ready', done, { once: true }));
    el.cluster.ticksPerSecond = 64;
    let highest = 0;
    return new Promise((done) => {
      const off = el.cluster.on('update', (s) => {
        if (s.tick < highest) {
          off();
          done({ highest, after: s.tick, playing: el.cluster.playing });
        }
        highest = Math.max(highest, s.tick);
      });
    });
  });
  assert.ok(looped.highest >= 15 && looped.after < 5 && looped.playing, JSON.stringify(looped));
  assert.deepEqual(errors, []);
});

test('the README\'s own-scenario snippet runs as written', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const snippet = readme.match(/```html\n(<quorum-scope controls="minimal">\n {2}<script type="application\/json">[\s\S]*?<\/quorum-scope>)\n```/);
  assert.ok(snippet, 'the snippet is in the README');
  const { page, errors } = await open(env, `${PAGES}/plain.html`, {}, t);
  await page.evaluate((html) => document.querySelector('#elsewhere').insertAdjacentHTML('beforeend', html), snippet[1]);
  await ready(page, '#elsewhere quorum-scope');
  assert.equal(await page.evaluate(() => document.querySelector('#elsewhere quorum-scope').cluster.scenario.title), 'Three nodes, one crash');
  assert.deepEqual(errors, []);
});
