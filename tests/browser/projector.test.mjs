// Projector scale: at 1280×720 the ring, the logs and the transport fit one
// screen with no scrolling and no picture text under 14 px; nodes grow at
// 1920×1080; presentation mode fills the screen with captions and leaves on
// Escape. Screenshots go to SHOTS for people to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, stepUntil, SHOTS } from './helpers.mjs';

const env = sharedEnv();
mkdirSync(SHOTS, { recursive: true });

/** Boxes of the parts that must be on screen, and the smallest text drawn in the picture (CSS px). */
function measure(page) {
  return page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const box = (sel) => {
      const r = root.querySelector(sel).getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    };
    let smallest = Infinity;
    let where = '';
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none'
      && getComputedStyle(el).visibility !== 'hidden' && el.textContent.trim() !== '';
    for (const t of root.querySelectorAll('.cv-svg text')) {
      if (!visible(t)) continue;
      const px = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
      if (px < smallest) (smallest = px), (where = `${t.getAttribute('class')}: ${t.textContent}`);
    }
    for (const el of root.querySelectorAll('.cv-root :is(.cv-legend, .cv-callout, .cv-key summary, .cv-violation) *, .cv-key summary')) {
      if (!visible(el)) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < smallest) (smallest = px), (where = `${el.className}: ${el.textContent}`);
    }
    const node = root.querySelector('.cv-node .cv-body').getBoundingClientRect();
    return {
      scrollHeight: document.scrollingElement.scrollTop,
      stage: box('.qs-stage'), logs: box('.qs-logs'), play: box('.qs-tp-play'), timeline: box('.qs-tp-range'),
      smallest, where, nodeWidth: node.width,
      chipFill: getComputedStyle(root.querySelector('.cv-term-chip')).fill,
    };
  });
}

/** Runs first-election to its election, messages in flight and a tally drawn. */
async function toElection(page) {
  await stepUntil(page, (app) => app.state.nodes.some((n) => n.tally && !n.tally.probe) && app.state.messages.length > 2);
}

test('at 1280x720 the ring, the logs and the transport fit one screen with no picture text under 14 px', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  // Clicked as a reader does where it stands: Playwright's click would first
  // scroll the button into view itself, and the assertion below is about
  // what the page does on dismissal.
  await page.locator('quorum-scope').locator('.qs-tour-card').getByRole('button', { name: 'Skip' }).dispatchEvent('click');
  await toElection(page);
  const m = await measure(page);
  await page.screenshot({ path: join(SHOTS, 'projector-1280.png') });
  t.diagnostic(JSON.stringify(m));
  assert.equal(m.scrollHeight, 0, 'dismissing the tour did not scroll the page');
  for (const part of ['stage', 'logs', 'play', 'timeline']) {
    assert.ok(m[part].bottom <= 720 && m[part].top >= 0, `${part} is on screen: ${JSON.stringify(m[part])}`);
  }
  assert.ok(m.logs.left >= m.stage.right - 1, 'the logs sit beside the ring');
  assert.ok(m.smallest >= 14, `smallest picture text ${m.smallest.toFixed(1)} px (${m.where})`);
  assert.notEqual(m.chipFill, 'rgb(0, 0, 0)', 'the term chip takes its term colour');
  assert.deepEqual(errors, []);
});

test('nodes grow with the screen at 1920x1080', async (t) => {
  const sizes = [];
  for (const [width, height] of [[1280, 720], [1920, 1080]]) {
    const { page } = await open(env, '/www/index.html', { viewport: { width, height } }, t);
    await ready(page);
    await skipTour(page);
    await toElection(page);
    const m = await measure(page);
    sizes.push(m.nodeWidth);
    assert.ok(m.smallest >= 14, `${width}: smallest picture text ${m.smallest.toFixed(1)} px (${m.where})`);
    assert.ok(m.timeline.bottom <= height, `${width}: Play and the timeline are on screen`);
    await page.screenshot({ path: join(SHOTS, `projector-${width}.png`) });
  }
  assert.ok(sizes[1] > sizes[0] * 1.2, `node ${sizes[0].toFixed(0)} px at 1280, ${sizes[1].toFixed(0)} px at 1920`);
});

test('presentation mode: P fills the screen with captions and keeps the transport; Escape leaves', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await skipTour(page);
  await toElection(page);
  // Keys reach the element once something in it has focus (the page's shortcuts live there).
  await page.locator('quorum-scope').locator('.qs-tp-play').focus();
  await page.keyboard.press('p');
  const on = await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const stage = root.querySelector('.qs-stage').getBoundingClientRect();
    const caption = root.querySelector('.qs-caption');
    const play = root.querySelector('.qs-tp-play').getBoundingClientRect();
    return { present: root.querySelector('.qs-root').classList.contains('qs-present'), stageH: stage.height,
      caption: caption.textContent, captionPx: parseFloat(getComputedStyle(caption).fontSize), playBottom: play.bottom,
      header: root.querySelector('.qs-header').getClientRects().length };
  });
  await page.screenshot({ path: join(SHOTS, 'presentation-1280.png') });
  assert.ok(on.present && on.stageH >= 720 * 0.55, JSON.stringify(on));
  assert.ok(on.caption.length > 10 && on.captionPx >= 20, JSON.stringify(on));
  assert.ok(on.playBottom <= 720, 'the transport stays reachable');
  assert.equal(on.header, 0, 'the header steps aside');
  await page.keyboard.press('Escape');
  const off = await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-root').classList.contains('qs-present'));
  assert.equal(off, false);
  assert.deepEqual(errors, []);
});

test('a refusal callout grows with the picture but keeps its shape: no taller against the nodes at 1920x1080 than at 1280x720', async (t) => {
  const boxes = [];
  for (const [width, height] of [[1280, 720], [1920, 1080]]) {
    const { page, errors } = await open(env, '/www/index.html#scenario=first-election', { viewport: { width, height } }, t);
    await ready(page);
    await skipTour(page);
    await stepUntil(page, (app) => app.trace.some((e) => e.kind === 'vote_refused' || e.kind === 'probe_refused'), { max: 3000 });
    // Callouts are stacked once laid out (cluster-view.js): two frames.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const m = await page.evaluate(() => {
      const root = document.querySelector('quorum-scope').shadowRoot;
      const c = root.querySelector('.cv-callout')?.getBoundingClientRect();
      const node = root.querySelector('.cv-node .cv-body').getBoundingClientRect();
      // What it must never cover: the crowns and the term chips.
      const covered = [...root.querySelectorAll('.cv-crown, .cv-term-chip')].filter((el) => {
        const r = el.getBoundingClientRect();
        return c && r.width > 0 && Math.min(r.right, c.right) - Math.max(r.left, c.left) > 1 && Math.min(r.bottom, c.bottom) - Math.max(r.top, c.top) > 1;
      }).length;
      const px = parseFloat(getComputedStyle(root.querySelector('.cv-callout')).fontSize);
      return c && { w: c.width, h: c.height, px, node: node.width, covered, text: root.querySelector('.cv-callout').textContent };
    });
    assert.ok(m, `${width}: a callout shows`);
    t.diagnostic(`${width}: ${JSON.stringify(m)}`);
    boxes.push(m);
    await page.screenshot({ path: join(SHOTS, `callout-${width}.png`) });
    assert.deepEqual(errors, []);
  }
  const [small, large] = boxes;
  assert.equal(small.text, large.text, 'the same refusal at both sizes');
  for (const m of boxes) assert.equal(m.covered, 0, 'the callout covers no crown and no term chip');
  // The column beside the ring is narrower in the picture's units at 1920:
  // the callout keeps its 1280 shape rather than its text growing into a
  // tower there. Against a node, it is no taller than at 1280, and its text
  // is larger than at 1280 (it still grows with the picture).
  const tall = (m) => m.h / m.node;
  assert.ok(tall(large) <= tall(small), `callout ${tall(large).toFixed(2)} node diameters tall at 1920, ${tall(small).toFixed(2)} at 1280`);
  assert.ok(large.px > small.px && small.px >= 14, `callout text ${small.px} px at 1280, ${large.px} px at 1920`);
});

/**
 * With a banner shown, every part of the transport (Play, Step, the
 * scrubber) is still on a 1280×720 screen without scrolling: the stage
 * gives the banner its height instead of the banner pushing them down.
 */
for (const { name, banner } of [
  { name: 'coordinated-failover', banner: (app) => app.trace.some((e) => /handover/.test(e.kind)) },
  { name: 'durable-vote-off', banner: (app) => app.trace.some((e) => e.kind === 'violation') },
]) {
  test(`at 1280x720 with ${name}'s banner shown, Play, Step and the scrubber stay on screen`, async (t) => {
    const { page, errors } = await open(env, `/www/index.html#scenario=${name}`, { viewport: { width: 1280, height: 720 } }, t);
    await ready(page);
    await skipTour(page);
    await stepUntil(page, banner, { max: 20_000 });
    await page.locator('quorum-scope').locator('.bn-box').first().waitFor({ state: 'visible' });
    // The stage answers the banner's size once laid out.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const m = await page.evaluate(() => {
      const root = document.querySelector('quorum-scope').shadowRoot;
      const box = (sel) => {
        const r = root.querySelector(sel).getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, height: r.height };
      };
      return { scroll: document.scrollingElement.scrollTop, banner: box('.bn'), play: box('.qs-tp-play'),
        step: box('[aria-label="Step: one event"]'), scrubber: box('.qs-tp-range'), stage: box('.qs-stage') };
    });
    await page.screenshot({ path: join(SHOTS, `banner-fit-${name}-1280.png`) });
    t.diagnostic(JSON.stringify(m));
    assert.ok(m.banner.height > 20, `a banner shows: ${JSON.stringify(m.banner)}`);
    assert.equal(m.scroll, 0);
    for (const part of ['play', 'step', 'scrubber']) {
      assert.ok(m[part].top >= 0 && m[part].bottom <= 720, `${part} is on screen: ${JSON.stringify(m[part])}`);
    }
    assert.ok(m.stage.height >= 240, `the picture keeps room: ${m.stage.height}px`);
    assert.deepEqual(errors, []);
  });
}
