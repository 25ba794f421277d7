// A disk that takes time, on the picture: with `cluster.disk_ticks` above
// zero a node with a durable write under way shows a disk badge (the tick
// it is done at) and the replies waiting on it, its accessible name says
// so, the badge keeps clear of the other labels, and both go once the
// write is durable. axe-core finds no serious violation meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, stepUntil, SHOTS } from './helpers.mjs';

const env = sharedEnv();
const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

const SCENARIO = {
  title: 'Slow disks', seed: 4,
  cluster: { members: [1, 2, 3].map((id) => ({ id })), disk_ticks: [5, 5] },
  run_until: 2000,
};

/** What node `id` shows of its disk: the badge's text and box, its name, and the other labels' boxes. */
function diskShown(page, id) {
  return page.evaluate((id) => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const badge = root.querySelector(`[data-labels-of="${id}"] .cv-disk`);
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none';
    const box = (el) => { const r = el.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom, text: el.textContent }; };
    const others = [...root.querySelectorAll('.cv-term-chip, .cv-voted, .cv-probing, .cv-disk, .cv-crown')]
      .filter((el) => el !== badge && shown(el) && (el.tagName !== 'text' || el.textContent.trim())).map(box);
    return {
      shown: shown(badge),
      box: box(badge),
      writing: badge.querySelector('.cv-disk-writing').textContent,
      waiting: badge.querySelector('.cv-disk-waiting').textContent,
      name: root.querySelector(`.cv-nodes > [data-node-id="${id}"]`).getAttribute('aria-label'),
      others,
    };
  }, id);
}

const overlaps = (a, list) => list.filter((o) => Math.min(a.r, o.r) - Math.max(a.l, o.l) > 1 && Math.min(a.b, o.b) - Math.max(a.t, o.t) > 1);

test('a write under way shows a disk badge and the replies waiting on it, gone once durable', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await skipTour(page);
  await page.evaluate((s) => document.querySelector('quorum-scope').cluster.load(s), SCENARIO);

  // The first write: a badge with the tick it is done at, in the picture and in the node's name.
  await stepUntil(page, (app, events) => events.some((e) => e.kind === 'write_started'));
  const started = await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    const n = app.state.nodes.find((n) => n.write_done != null);
    return { id: n.id, done: n.write_done };
  });
  let seen = await diskShown(page, started.id);
  assert.ok(seen.shown, `node ${started.id}'s disk badge shows while its write is under way`);
  assert.match(seen.writing, new RegExp(`t${started.done}\\b`));
  assert.match(seen.name, new RegExp(`writing to disk until tick ${started.done}`));

  // A reply held back by the write: counted at its sender, named in its accessible name.
  await stepUntil(page, (app) => app.state.nodes.some((n) => n.waiting?.length > 0));
  const held = await page.evaluate(() => {
    const n = document.querySelector('quorum-scope').cluster.state.nodes.find((n) => n.waiting?.length > 0);
    return { id: n.id, k: n.waiting.length, first: n.waiting[0] };
  });
  seen = await diskShown(page, held.id);
  assert.ok(seen.shown, `node ${held.id}'s badge shows with a reply waiting`);
  assert.match(seen.waiting, new RegExp(`${held.k} (reply waits|replies wait|wait)`));
  assert.match(seen.name, new RegExp(`${held.k} repl(y waits|ies wait) for it \\(${held.first[1].replace(/_/g, ' ')} to ${held.first[0]}`));
  assert.deepEqual(overlaps(seen.box, seen.others), [], 'the badge covers no other label');
  await page.screenshot({ path: join(SHOTS, 'disk.png') });

  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes[0]?.target)}`));
  assert.deepEqual(violations, [], 'no serious axe-core violation with a badge showing');

  // Durable: the replies leave and, the disk idle, the badge and the words go.
  await stepUntil(page, (app, events, id) => events.some((e) => e.kind === 'write_durable' && e.node === id)
    && app.state.nodes.find((n) => n.id === id).write_done == null, { arg: held.id });
  seen = await diskShown(page, held.id);
  assert.ok(!seen.shown, 'no badge once the write is durable');
  assert.doesNotMatch(seen.name, /disk|wait/);
  assert.deepEqual(errors, []);
});

test('in a busy 15-node picture every write under way keeps a badge: its glyph alone where no text fits', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await skipTour(page);
  const fifteen = {
    title: 'Fifteen slow disks', seed: 3,
    cluster: { members: Array.from({ length: 15 }, (_, i) => ({ id: i + 1 })), disk_ticks: [4, 6] },
    run_until: 400,
  };
  const seen = await page.evaluate(async (s) => {
    const host = document.querySelector('quorum-scope');
    const app = host.cluster;
    await app.load(s);
    const root = host.shadowRoot;
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none';
    let writing = 0;
    let glyphOnly = 0;
    const missing = [];
    for (let i = 0; i < 600 && missing.length < 3; i += 1) {
      app.step();
      for (const n of app.state.nodes) {
        if (n.write_done == null) continue;
        writing += 1;
        const badge = root.querySelector(`[data-labels-of="${n.id}"] .cv-disk`);
        if (!shown(badge)) missing.push(`step ${app.state.step}: node ${n.id}`);
        else if (!shown(badge.querySelector('.cv-disk-text'))) glyphOnly += 1;
      }
    }
    return { writing, glyphOnly, missing };
  }, fifteen);
  t.diagnostic(JSON.stringify(seen));
  await page.screenshot({ path: join(SHOTS, 'disk-15.png') });
  assert.ok(seen.writing > 0, 'writes were under way');
  assert.deepEqual(seen.missing, [], 'every node writing shows its badge');
  assert.deepEqual(errors, []);
});
