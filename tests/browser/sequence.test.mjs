// The sequence diagram panel: loaded only when opened; its arrows are the
// trace's messages (count and endpoints, read from the DOM against the
// exported trace); clicking an arrow or pressing Enter on a mark seeks; a
// refusal's reason shows on keyboard focus; the narration's node filter
// applies; the SVG export escapes text; it stays bounded and quick with 15
// nodes and passes axe-core. Screenshots at 3, 5 and 15 nodes and 390 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sharedEnv, open } from './harness.mjs';
import { join } from 'node:path';
import { ready, skipTour, shot, SHOTS, WAIT } from './helpers.mjs';
import { drawnArrows, tracedArrows } from './sequence-arrows.mjs';

const env = sharedEnv();
const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

/** Every fate of a message: random drops and duplicates, a hold released later, a partition, a crash. */
const FATES = {
  title: 'Every fate of a message',
  explain: 'Drops, duplicates, a hold and a release, a crash, a partition.',
  seed: 11,
  cluster: {
    members: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }],
    network: { delay_ticks: [1, 3], drop: 0.1, duplicate: 0.1 },
  },
  script: [
    { at: 40, do: 'write', value: '<img src=x onerror=alert(1)>' },
    { at: 42, do: 'messages', action: 'hold', msg: 'append', to: 3 },
    { at: 44, do: 'write', value: 'y=2' },
    { at: 55, do: 'messages', action: 'release', msg: 'append', to: 3 },
    { at: 70, do: 'crash', node: 3 },
    { at: 90, do: 'restart', node: 3 },
    { at: 100, do: 'partition', groups: [[1, 2], [3, 4, 5]] },
    { at: 130, do: 'heal' },
  ],
  run_until: 160,
};

/** A cluster of `n` voters, left to elect and replicate a few writes. */
const cluster = (n) => ({
  title: `${n} nodes`,
  explain: 'A plain cluster.',
  seed: 3,
  cluster: { members: Array.from({ length: n }, (_, i) => ({ id: i + 1 })) },
  script: [{ at: 60, do: 'write', value: 'a=1' }, { at: 80, do: 'crash', node: 2 }, { at: 110, do: 'restart', node: 2 }],
  run_until: 300,
});

const host = (page) => page.locator('quorum-scope');

/** Opens the page with `scenario` loaded and run `steps` steps. */
async function withRun(t, scenario, steps, viewport = { width: 1280, height: 900 }) {
  const { page, errors } = await open(env, '/www/index.html', { viewport }, t);
  await ready(page);
  await skipTour(page);
  await page.evaluate(async ({ scenario, steps }) => {
    const app = document.querySelector('quorum-scope').cluster;
    await app.load(scenario);
    for (let i = 0; i < steps; i++) app.step();
  }, { scenario, steps });
  return { page, errors };
}

/** Opens the Sequence panel and waits for the first drawing. */
async function openDiagram(page) {
  await host(page).locator('.qs-seq > summary').click();
  // Drawn once in (or near) view: an open panel scrolled away waits.
  await host(page).locator('.qs-seq').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-lane'), null, WAIT);
}

const setFold = (page, on) => host(page).getByLabel('Fold heartbeats').setChecked(on);

test('the view is fetched only when opened', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 900 } }, t);
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await ready(page);
  await skipTour(page);
  const loaded = () => fetched.filter((u) => /sequence-(view|model|export)\.(js|css)$/.test(u));
  assert.deepEqual(loaded(), [], 'nothing of the diagram before it is opened');
  await openDiagram(page);
  assert.ok(loaded().some((u) => u.endsWith('sequence-view.js')) && loaded().some((u) => u.endsWith('sequence-view.css')), loaded().join());
  assert.deepEqual(errors, []);
});

test("the arrows are the trace's deliveries, losses and messages on their way: count and endpoints", async (t) => {
  const { page, errors } = await withRun(t, FATES, 700);
  await openDiagram(page);
  await setFold(page, false);
  const drawn = await drawnArrows(page);
  const traced = await tracedArrows(page, { exported: true });
  assert.ok(traced.some((l) => l.includes(':dropped@')) && traced.some((l) => l.includes(':flight@')), 'the run has losses and messages on their way');
  assert.equal(drawn.length, traced.length, 'one arrow per message outcome');
  assert.deepEqual(drawn.map((d) => d.line).sort(), traced.sort());
  assert.deepEqual(drawn.filter((d) => !d.onLanes), [], 'every line runs from its sender lane to its receiver lane');
  assert.ok(drawn.filter((d) => d.line.includes(':dropped@')).every((d) => d.cross), 'every loss ends in a cross');
  assert.ok(drawn.some((d) => d.duplicate), 'a duplicate copy is marked');
  assert.ok(drawn.some((d) => d.held), 'a held message is marked');
  // Folded, heartbeats leave the arrows and become bands that count them.
  await setFold(page, true);
  const folded = await drawnArrows(page);
  const beats = await page.evaluate(() => [...document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.qs-seq-beats')].length);
  assert.ok(folded.length < drawn.length && beats > 0, `${folded.length} arrows and ${beats} heartbeat bands, against ${drawn.length}`);
  await shot(page, 'sequence-5-nodes-fates', t);
  assert.deepEqual(errors, []);
});

test("an arrow's label starts past its sender's mark at that step: none is covered", async (t) => {
  // Five nodes' first election: refusals and grants marked on the lanes that then send replies.
  const { page, errors } = await withRun(t, 'leader-crash', 60);
  await openDiagram(page);
  const found = await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const marks = new Map([...root.querySelectorAll('.qs-seq-mark')]
      .map((g) => [`${g.dataset.eventStep} ${g.dataset.node}`, g.querySelector('rect').getBBox()]));
    const beside = [];
    for (const g of root.querySelectorAll('.qs-seq-arrow')) {
      const label = g.querySelector('.qs-seq-msg');
      const mark = label && marks.get(`${g.dataset.sendStep} ${g.dataset.from}`);
      if (!mark) continue;
      const b = label.getBBox();
      const overlap = Math.min(b.x + b.width, mark.x + mark.width) - Math.max(b.x, mark.x) > 0.5
        && Math.min(b.y + b.height, mark.y + mark.height) - Math.max(b.y, mark.y) > 0.5;
      beside.push({ label: label.textContent, step: g.dataset.sendStep, from: g.dataset.from, overlap });
    }
    return beside;
  });
  assert.ok(found.length >= 5, `labels sent from a node with a mark at that step: ${found.length}`);
  assert.deepEqual(found.filter((f) => f.overlap), [], 'no label under its sender\'s mark');
  assert.deepEqual(errors, []);
});

test('clicking an arrow seeks to its delivery; Enter on a mark seeks to it', async (t) => {
  const { page, errors } = await withRun(t, cluster(5), 400);
  await openDiagram(page);
  await host(page).locator('.qs-seq').scrollIntoViewIfNeeded();
  // A delivered arrow whose middle is not under another one: clicked there, as a reader would.
  const hit = await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    for (const g of root.querySelectorAll('.qs-seq-arrow.fate-delivered')) {
      const box = g.querySelector('.qs-seq-shaft').getBoundingClientRect();
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      if (y > 0 && y < innerHeight && root.elementFromPoint(x, y)?.closest('.qs-seq-arrow') === g) {
        return { x, y, end: Number(g.dataset.endStep) };
      }
    }
    return null;
  });
  assert.ok(hit, 'an arrow to click');
  const { end } = hit;
  await page.mouse.click(hit.x, hit.y);
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.step), end + 1);
  assert.equal(await host(page).locator('.qs-tp-readout').textContent().then((s) => s.match(/step (\d+)/)[1]), String(end + 1));
  const playhead = Number(await host(page).locator('.qs-seq-playhead').getAttribute('data-step'));
  assert.equal(playhead, end + 1, 'the playhead moved with it');
  // What follows the playhead is still drawn (the run replays the same), dimmed.
  assert.ok(await host(page).locator('.qs-seq-arrow.future').count() > 0);
  const mark = host(page).locator('.qs-seq-mark.future').first();
  const markStep = Number(await mark.getAttribute('data-event-step'));
  await mark.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.step), markStep + 1);
  // One Tab stop for the diagram; the arrow keys walk its items in time order.
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.activeElement?.matches('.qs-seq-body [role="button"]'), null, WAIT);
  assert.equal(await host(page).locator('.qs-seq-body [tabindex="0"]').count(), 1);
  const focused = () => page.evaluate(() => {
    const node = document.querySelector('quorum-scope').shadowRoot.activeElement;
    return { key: node?.dataset.key, step: Number(node?.dataset.eventStep) };
  });
  const before = await focused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const after = await focused();
  assert.ok(after.key !== before.key && after.step >= before.step, `ArrowDown moves forward in time (${JSON.stringify(before)} → ${JSON.stringify(after)})`);
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.step), markStep + 1, 'moving focus does not step');
  // A command here starts a new future: the old one is no longer drawn.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.command({ do: 'crash', node: 1 }));
  await page.waitForFunction(() => !document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-body .future'), null, WAIT);
  await shot(page, 'sequence-5-nodes-seeked', t);
  assert.deepEqual(errors, []);
});

test("a refusal's reason shows on keyboard focus; the narration's node filter and kinds apply", async (t) => {
  const { page, errors } = await withRun(t, 'first-election', 120);
  await openDiagram(page);
  const refusal = host(page).locator('.qs-seq-mark.refusal').first();
  await refusal.focus();
  const tip = host(page).locator('.qs-seq-tip');
  await tip.waitFor({ state: 'visible' });
  const reason = await refusal.getAttribute('data-reason');
  assert.ok(reason, 'a refusal names its reason');
  assert.match(await tip.textContent(), new RegExp(`refused.*\\[${reason}\\]`));
  assert.match(await refusal.getAttribute('aria-label'), new RegExp(reason));
  // Node 2 only: every arrow touches node 2, and its lane is highlighted.
  await host(page).locator('.qs-nar-node').selectOption('2');
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-lanesel'), null, WAIT);
  const ends = await host(page).locator('.qs-seq-arrow').evaluateAll((gs) => gs.map((g) => [g.dataset.from, g.dataset.to]));
  assert.ok(ends.length > 0 && ends.every(([a, b]) => a === '2' || b === '2'), JSON.stringify(ends));
  assert.equal(await host(page).locator('.qs-seq-mark:not([data-node="2"])').count(), 0);
  // Turning off "Votes & probes" hides the vote marks.
  await host(page).locator('.qs-nar-node').selectOption('');
  await host(page).locator('.qs-nar-chip[data-group="votes"]').click();
  await page.waitForFunction(() => ![...document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.qs-seq-mark')]
    .some((m) => /vote_|probe_/.test(m.dataset.kinds)), null, WAIT);
  // The node selected in the picture (its menu open) highlights its lane.
  await host(page).locator('[data-node-id="3"]').first().click();
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-lanesel'), null, WAIT);
  const [lit, lane3] = await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const box = root.querySelector('.qs-seq-lanesel');
    return [Number(box.getAttribute('x')) + Number(box.getAttribute('width')) / 2, Number(root.querySelector('.qs-seq-lane[data-lane="3"]').getAttribute('x1'))];
  });
  assert.equal(lit, lane3, "node 3's lane is the one highlighted");
  assert.deepEqual(errors, []);
});

test('the SVG export is the rows in view, with text escaped', async (t) => {
  const { page, errors } = await withRun(t, FATES, 700);
  await openDiagram(page);
  // Scroll to the acknowledged write whose value looks like markup (marks are drawn
  // with the rows around the view, so step through until it is).
  await page.evaluate(async () => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const scroller = root.querySelector('.qs-seq-scroll');
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let top = 0; top < scroller.scrollHeight; top += 200) {
      scroller.scrollTop = top;
      await frames();
      const ack = root.querySelector('.qs-seq-mark[data-kinds~="write_acked"]');
      if (ack) {
        scroller.scrollTop += ack.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 80;
        await frames();
        return;
      }
    }
  });
  const [download] = await Promise.all([page.waitForEvent('download'), host(page).getByRole('button', { name: 'Export SVG' }).click()]);
  assert.match(download.suggestedFilename(), /^quorumscope-sequence-steps-\d+-\d+\.svg$/);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(text.includes('qs-seq-arrow'), 'arrows are in it');
  assert.ok(text.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the markup-like value is in it, escaped');
  assert.ok(!/<img|<script/i.test(text), 'no live markup');
  // In the page, too, it is only ever text.
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.qs-seq-view img').length), 0);
  assert.deepEqual(errors, []);
});

test('with 15 nodes the diagram stays bounded, and passes axe-core', async (t) => {
  const { page, errors } = await withRun(t, cluster(15), 3000);
  await openDiagram(page);
  // Scrolling through the whole run: the drawn elements stay bounded (only the rows in
  // view and a margin). The time a frame takes is reported, not asserted: the
  // machine is shared, and the element count is what a full redraw would break.
  const scroll = await page.evaluate(async () => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const scroller = root.querySelector('.qs-seq-scroll');
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const t0 = performance.now();
    let most = 0;
    let frames = 0;
    for (let top = 0; top < scroller.scrollHeight; top += 150, frames += 1) {
      scroller.scrollTop = top;
      await frame();
      most = Math.max(most, root.querySelector('.qs-seq-body').querySelectorAll('*').length);
    }
    return { ms: (performance.now() - t0) / frames, most, frames, height: scroller.scrollHeight,
      arrows: document.querySelector('quorum-scope').cluster.trace.filter((e) => e.kind === 'message_sent').length };
  });
  t.diagnostic(`15 nodes: ${scroll.frames} scroll frames over ${scroll.height} px, ${scroll.ms.toFixed(1)} ms each, at most ${scroll.most} SVG elements (${scroll.arrows} messages in the run)`);
  assert.ok(scroll.most < 6000, `${scroll.most} SVG elements drawn at once`);
  assert.equal(await host(page).locator('.qs-seq-lane').count(), 15);
  await page.evaluate(() => {
    const s = document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-scroll');
    s.scrollTop = s.scrollHeight;
  });
  await host(page).locator('.qs-seq').scrollIntoViewIfNeeded();
  await shot(page, 'sequence-15-nodes', t);
  await page.addScriptTag({ content: AXE });
  const serious = await page.evaluate(async () => (await window.axe.run(document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq'),
    { resultTypes: ['violations'] })).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')}`));
  assert.deepEqual(serious, []);
  assert.deepEqual(errors, []);
});

test('screenshots: 3 nodes, and a phone 390 px wide where the lanes scroll', async (t) => {
  const three = await withRun(t, cluster(3), 500);
  await openDiagram(three.page);
  await host(three.page).locator('.qs-seq').scrollIntoViewIfNeeded();
  await shot(three.page, 'sequence-3-nodes', t);
  const phone = await withRun(t, cluster(7), 800, { width: 390, height: 844 });
  await openDiagram(phone.page);
  await host(phone.page).locator('.qs-seq').scrollIntoViewIfNeeded();
  const wide = await phone.page.evaluate(() => {
    const s = document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-seq-scroll');
    return { scroll: s.scrollWidth, client: s.clientWidth, page: document.documentElement.scrollWidth };
  });
  assert.ok(wide.scroll > wide.client, 'the lanes scroll sideways inside the panel');
  assert.ok(wide.page <= 390, `the page itself does not scroll sideways (${wide.page} px)`);
  await shot(phone.page, 'sequence-phone-390', t);
  await host(phone.page).locator('.qs-seq').screenshot({ path: join(SHOTS, 'sequence-phone-390-panel.png') });
  assert.deepEqual([...three.errors, ...phone.errors], []);
});
