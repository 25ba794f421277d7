// Incremental rendering: the views update what changed instead of redrawing
// (frame budget, performance issue item 4). These tests check that what they
// show is still what a full redraw shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, steps, WAIT } from './helpers.mjs';

const env = sharedEnv();

const VIEWPORT = { width: 1280, height: 900 };

/** The page at `path`, loaded, the guided tour dismissed; closed when the test ends. */
async function openApp(t, path = '/www/index.html') {
  const opened = await open(env, path, { viewport: VIEWPORT }, t);
  await ready(opened.page);
  await skipTour(opened.page);
  return opened;
}

/** The narration as shown: each line's text, whether its tick is written, whether it is lit. */
function narration(page) {
  return page.evaluate(() => [...document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.qs-nar-line')]
    .map((li) => `${li.querySelector('.qs-nar-meta').dataset.same ? '  ' : '@ '}${li.textContent}${li.classList.contains('qs-nar-now') ? ' *' : ''}`));
}

/**
 * Checks the narration against a rebuild from scratch (a filter switched off
 * and on again). The list trims its oldest lines in batches, so it may hold
 * older lines than the rebuild: the rebuild must be its tail (the tail's
 * first line writes its tick in the rebuild only).
 */
async function matchesRedraw(page, what) {
  const shown = await narration(page);
  const chip = page.locator('quorum-scope').locator('.qs-nar-chip[data-group="votes"]');
  await chip.click();
  await chip.click();
  const full = await narration(page);
  assert.ok(full.length > 0 && shown.length >= full.length, `${what}: ${shown.length} lines shown, ${full.length} redrawn`);
  const plainFirst = (lines) => lines.map((line, i) => (i === 0 ? line.slice(2) : line));
  assert.deepEqual(plainFirst(shown.slice(shown.length - full.length)), plainFirst(full), what);
  assert.ok(shown[0].startsWith('@'), `${what}: the first line writes its tick`);
  return shown;
}

test('the narration after steps back, a seek and more steps matches a full redraw', async (t) => {
  const { page, errors } = await openApp(t);
  // Messages shown too, and enough steps that old lines have been dropped from the top.
  await page.locator('quorum-scope').locator('.qs-nar-chip[data-group="messages"]').click();
  await steps(page, 2500);
  const long = await matchesRedraw(page, 'after 2,500 steps');
  assert.ok(long.length >= 400, `the list is full (${long.length} lines)`);

  const back = (n) => page.evaluate((n) => {
    const app = document.querySelector('quorum-scope').cluster;
    for (let i = 0; i < n; i++) app.back();
  }, n);
  await back(7);
  await matchesRedraw(page, 'after 7 steps back');
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.seek(1200));
  await matchesRedraw(page, 'after a seek back to step 1,200');
  await steps(page, 300);
  await matchesRedraw(page, 'after 300 more steps');
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.seek(2400));
  await matchesRedraw(page, 'after a seek forward');
  assert.deepEqual(errors, []);
});

test('lines added while playing fast are all there once paused', async (t) => {
  const { page, errors } = await openApp(t);
  const host = page.locator('quorum-scope');
  await host.locator('.qs-nar-chip[data-group="messages"]').click();
  await page.evaluate(async () => {
    const app = document.querySelector('quorum-scope').cluster;
    app.ticksPerSecond = 64;
    app.play();
    await new Promise((r) => setTimeout(r, 1500));
    app.pause();
  });
  const shown = await matchesRedraw(page, 'after playing');
  const last = await page.evaluate(() => document.querySelector('quorum-scope').cluster.trace.at(-1).text);
  assert.ok(shown.at(-1).includes(last), 'the newest event is the last line');
  assert.deepEqual(errors, []);
});

test('the logs keep the newest entry and every commit watermark in view', async (t) => {
  const { page, errors } = await openApp(t);
  const host = page.locator('quorum-scope');
  await page.waitForFunction(() => {
    const app = document.querySelector('quorum-scope').cluster;
    app.step();
    return app.state.leader != null;
  }, null, WAIT);
  // More entries than the panel is wide, written a few at a time.
  await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    for (let i = 0; i < 60; i++) {
      app.command({ do: 'write', value: `x=${i}` });
      for (let k = 0; k < 6; k++) app.step();
    }
  });
  const seen = await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const box = root.querySelector('.lv-scroll').getBoundingClientRect();
    const inside = (n) => {
      const r = n.getBoundingClientRect();
      return r.right <= box.right + 1 && r.left >= box.left - 1;
    };
    const last = Math.max(...document.querySelector('quorum-scope').cluster.state.nodes.map((n) => n.last_index));
    const cells = [...root.querySelectorAll('.lv-cell .lv-index')].filter((s) => s.textContent === String(last));
    return {
      overflows: root.querySelector('.lv-scroll').scrollWidth > box.width,
      newest: cells.length > 0 && cells.every((s) => inside(s.parentElement)),
      commits: [...root.querySelectorAll('.lv-commit')].length,
      nodes: document.querySelector('quorum-scope').cluster.state.nodes.length,
    };
  });
  assert.ok(seen.overflows, 'the logs are wider than their panel');
  assert.ok(seen.newest, 'the newest index is in view');
  assert.equal(seen.commits, seen.nodes, 'one commit watermark per node');
  // Scrolling back shows older entries.
  await host.locator('.lv-scroll').evaluate((s) => s.scrollBy(-400, 0));
  assert.ok(await host.locator('.lv-scroll').evaluate((s) => s.scrollLeft < 0), 'scrolled back towards older entries');
  assert.deepEqual(errors, []);
});

test('a new entry or commit touches only its own log cells, and the result matches a full redraw', async (t) => {
  const { page, errors } = await openApp(t);
  await page.waitForFunction(() => {
    const app = document.querySelector('quorum-scope').cluster;
    app.step();
    return app.state.leader != null;
  }, null, WAIT);
  // Cells as the page shows them: per node, each cell's entry, column, classes and text, in document order.
  const describe = () => [...document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.lv-row')]
    .map((row) => [...row.querySelectorAll('.lv-cell')]
      .map((c) => `${c.dataset.entry} col ${c.style.gridColumn} ${c.className} ${c.textContent} ${c.title}`));
  const result = await page.evaluate(async (describeSrc) => {
    const describeCells = eval(describeSrc); // eslint-disable-line no-eval
    const app = document.querySelector('quorum-scope').cluster;
    const root = document.querySelector('quorum-scope').shadowRoot;
    app.command({ do: 'write', value: 'a=1' });
    for (let k = 0; k < 12; k++) app.step();
    const first = root.querySelector('.lv-cell[data-entry="1:1"]');
    let added = 0;
    let removed = 0;
    const watch = new MutationObserver((records) => {
      for (const r of records) {
        added += [...r.addedNodes].filter((n) => n.classList?.contains('lv-cell')).length;
        removed += [...r.removedNodes].filter((n) => n.classList?.contains('lv-cell')).length;
      }
    });
    watch.observe(root.querySelector('.lv-grid'), { childList: true, subtree: true });
    // One more write, replicated and committed everywhere.
    app.command({ do: 'write', value: 'b=2' });
    for (let k = 0; k < 12; k++) app.step();
    await new Promise((r) => setTimeout(r, 0));
    watch.disconnect();
    const nodes = app.state.nodes.length;
    const incremental = describeCells();
    const sameFirst = first !== null && first === root.querySelector('.lv-cell[data-entry="1:1"]');
    // The same state drawn from nothing: step back and forward again redraws every row.
    const step = app.state.step;
    app.seek(0);
    app.seek(step);
    return { sameFirst, added, removed, nodes, incremental, redrawn: describeCells() };
  }, `(${describe.toString()})`);
  assert.ok(result.sameFirst, 'an entry that did not change keeps its cell');
  // Each node gains the new entry's cell; a cell whose commit state changed is replaced. Never the whole row.
  assert.ok(result.added >= result.nodes && result.added <= 3 * result.nodes, `${result.added} cells added for ${result.nodes} nodes`);
  assert.ok(result.removed <= 2 * result.nodes, `${result.removed} cells removed`);
  assert.deepEqual(result.incremental, result.redrawn, 'updated in place, the logs read as a full redraw does');
  assert.deepEqual(errors, []);
});

test('timeline markers stay at their steps while the run grows', async (t) => {
  const { page, errors } = await openApp(t);
  // Five nodes whose leader keeps crashing: elections (and refusals) all along the run.
  await page.evaluate(async () => {
    const members = [1, 2, 3, 4, 5].map((id) => ({ id, kind: 'data', state: 'voting' }));
    const script = [];
    for (let i = 0; i < 100; i++) script.push({ at: 30 * (i + 1), do: i % 2 ? 'restart' : 'crash', node: 1 + (Math.floor(i / 2) % 5) });
    const app = document.querySelector('quorum-scope').cluster;
    await app.load({ title: 'Markers', seed: 3, cluster: { members }, script, run_until: 5000 });
  });
  /**
   * How far each marker's centre is from (its step / steps recorded) of the
   * track: a marker for one event sits on its step; one standing for a few
   * nearby events sits on the first of them, within 18 px of the one named.
   */
  const misplaced = () => page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const track = root.querySelector('.qs-tp-range').getBoundingClientRect();
    const max = Number(root.querySelector('.qs-tp-range').max);
    const worst = { one: 0, many: 0, count: 0 };
    for (const m of root.querySelectorAll('.qs-tp-markers .qs-tp-mk')) {
      const r = m.getBoundingClientRect();
      const want = track.left + 8 + (Math.min(Number(m.dataset.step), max) / max) * (track.width - 16);
      const kind = m.dataset.many ? 'many' : 'one';
      worst[kind] = Math.max(worst[kind], Math.abs((r.left + r.right) / 2 - want));
      worst.count += 1;
    }
    return worst;
  });
  let seen = 0;
  for (const n of [40, 200, 800, 3000]) {
    await steps(page, n);
    const worst = await misplaced();
    seen = Math.max(seen, worst.count);
    assert.ok(worst.one <= 1.5, `after ${n} more steps a marker is ${worst.one.toFixed(1)} px from its step`);
    assert.ok(worst.many <= 19.5, `after ${n} more steps a grouped marker is ${worst.many.toFixed(1)} px from its step`);
  }
  assert.ok(seen >= 6, `markers were drawn (${seen})`);
  // Late in a long run a step moves no marker by a pixel: the strip is not
  // rewritten on every step (that laid it out and repainted it on every frame).
  const writes = await page.evaluate(async () => {
    const app = document.querySelector('quorum-scope').cluster;
    app.seek(app.state.step + 20_000);
    const strip = document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tp-markers');
    let count = 0;
    const watch = new MutationObserver((records) => { count += records.length; });
    watch.observe(strip, { subtree: true, childList: true, attributes: true });
    for (let i = 0; i < 60; i++) app.step();
    await new Promise((r) => setTimeout(r, 0));
    watch.disconnect();
    return count;
  });
  assert.ok(writes <= 15, `${writes} changes to the markers strip in 60 steps at step 24,000`);
  assert.ok((await misplaced()).one <= 1.5, 'markers still on their steps');
  assert.deepEqual(errors, []);
});

test('a focused timeline marker keeps focus, and its place in the arrow-key order, while the run grows', async (t) => {
  const { page, errors } = await openApp(t, '/www/index.html#scenario=leader-crash');
  const host = page.locator('quorum-scope');
  await steps(page, 600);
  const focus = () => page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const markers = [...root.querySelectorAll('.qs-tp-markers .qs-tp-mk')];
    return { at: markers.indexOf(root.activeElement), stops: markers.filter((m) => m.tabIndex === 0).length, count: markers.length };
  });
  await host.locator('.qs-tp-markers .qs-tp-mk[tabindex="0"]').focus();
  await page.keyboard.press('ArrowRight');
  const before = await focus();
  assert.ok(before.count >= 2 && before.at === 1, `the second marker has focus (${JSON.stringify(before)})`);
  await steps(page, 30);
  assert.deepEqual(await focus(), before, 'same marker focused, one tab stop');
  assert.deepEqual(errors, []);
});

test('five-digit ticks stay in their column, on a wide page and a phone', async () => {
  const scenario = {
    title: 'long run', seed: 3, cluster: { members: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    run_until: 12_000, script: [{ at: 10_000, do: 'crash', node: 'leader' }],
  };
  for (const width of [1280, 390]) {
    const { page, context } = await open(env, '/www/index.html', { viewport: { width, height: 900 } });
    await ready(page);
    await page.evaluate((s) => document.querySelector('quorum-scope').cluster.load(JSON.stringify(s)), scenario);
    await page.evaluate(() => {
      const app = document.querySelector('quorum-scope').cluster;
      while (app.state.tick < 10_030) app.step();
    });
    const placed = await page.evaluate(() => {
      const root = document.querySelector('quorum-scope').shadowRoot;
      const meta = [...root.querySelectorAll('.qs-nar-meta:not([data-same])')].at(-1);
      const text = meta.closest('.qs-nar-line').querySelector('.qs-nar-text');
      // The text's own box, not the grid cell's: overflow spills out of the cell.
      const range = document.createRange();
      range.selectNodeContents(meta);
      const ink = range.getBoundingClientRect();
      const cell = meta.getBoundingClientRect();
      return { tick: meta.textContent, left: text.getBoundingClientRect().left, right: ink.right, inside: ink.left >= cell.left - 0.5 };
    });
    assert.match(placed.tick, /^tick 1\d{4}$/, `${width}px: the newest written tick`);
    assert.ok(placed.right <= placed.left, `${width}px: "${placed.tick}" ends at ${placed.right}, its text starts at ${placed.left}`);
    assert.ok(placed.inside, `${width}px: "${placed.tick}" spills out of its column`);
    await context.close();
  }
});
