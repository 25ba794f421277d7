// Calm key moments and membership on the picture: at most one refusal
// callout at a time (the others are marks on their links), a highlight on a
// new leader, and in a joint configuration the tally per configuration, as
// the core counts it ("old 3/3 ✓ · new 1/2 ✗").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, SHOTS } from './helpers.mjs';

const env = sharedEnv();
const VIEWPORT = { width: 1280, height: 720 };

for (const name of ['first-election', 'leader-crash']) {
  test(`${name}: never more than one callout, and a new leader is highlighted`, async (t) => {
    const { page, errors } = await open(env, `/www/index.html#scenario=${name}`, { viewport: VIEWPORT }, t);
    await ready(page);
    await skipTour(page);
    const seen = await page.evaluate(() => {
      const host = document.querySelector('quorum-scope');
      const app = host.cluster;
      const root = host.shadowRoot;
      let most = 0;
      let marksWithOneCallout = 0;
      let highlighted = 0;
      for (let i = 0; i < 1500; i++) {
        const events = app.step();
        const callouts = root.querySelectorAll('.cv-callout').length;
        most = Math.max(most, callouts);
        if (callouts === 1 && root.querySelectorAll('.cv-refusal-mark').length > 1) marksWithOneCallout += 1;
        if (events.some((e) => e.kind === 'leader_elected')) {
          const leader = events.find((e) => e.kind === 'leader_elected').node;
          if (root.querySelector(`[data-node-id="${leader}"]`).classList.contains('elected')) highlighted += 1;
        }
      }
      return { most, marksWithOneCallout, highlighted };
    });
    t.diagnostic(JSON.stringify(seen));
    assert.ok(seen.most <= 1, `at most one callout at a time, saw ${seen.most}`);
    assert.ok(seen.highlighted >= 1, 'the new leader is highlighted when elected');
    assert.deepEqual(errors, []);
  });
}

test('a joint configuration shows one tally per configuration, from the core', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  await skipTour(page);
  const scenario = {
    title: 'Joint, new side down', seed: 1,
    cluster: { members: [1, 2, 3, 4, 5].map((id) => ({ id })) },
    script: [
      { at: 40, do: 'change_voters', voters: [3, 4, 5] },
      { at: 43, do: 'crash', node: 4 }, { at: 43, do: 'crash', node: 5 },
      { at: 44, do: 'crash', node: 'leader' },
    ],
    run_until: 400,
  };
  const shown = await page.evaluate(async (scenario) => {
    const host = document.querySelector('quorum-scope');
    const app = host.cluster;
    await app.load(scenario);
    for (let i = 0; i < 5000; i++) {
      app.step();
      const node = app.state.nodes.find((n) => n.tally?.quorums.length === 2);
      if (node) {
        const labels = host.shadowRoot.querySelector(`[data-labels-of="${node.id}"]`);
        return { text: labels.querySelector('.cv-probing').textContent, tally: node.tally,
          standings: Object.fromEntries(app.state.nodes.map((n) => [n.id, n.standing])) };
      }
    }
    return null;
  }, scenario);
  await page.screenshot({ path: join(SHOTS, 'joint-tally.png') });
  assert.ok(shown, 'a node campaigned in the joint configuration');
  const [old, neu] = shown.tally.quorums;
  const want = `old ${old.granted.length}/${old.needed} ${old.granted.length >= old.needed ? '✓' : '✗'}`
    + ` · new ${neu.granted.length}/${neu.needed} ✗`;
  assert.ok(shown.text.includes(want), `"${shown.text}" shows "${want}"`);
  assert.deepEqual([old.needed, neu.needed], [3, 2]);
  assert.deepEqual(shown.standings, { 1: 'old_only', 2: 'old_only', 3: 'old_and_new', 4: 'old_and_new', 5: 'old_and_new' });
  assert.deepEqual(errors, []);
});

test('the narration names message kinds in words ("append reply"), while the trace keeps their names', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: VIEWPORT }, t);
  await ready(page);
  await skipTour(page);
  // A lossy, duplicating network: the sentences of lost and copied messages name their kind.
  const scenario = {
    title: 'Lossy', seed: 5,
    cluster: { members: [1, 2, 3].map((id) => ({ id })), network: { drop: 0.2, duplicate: 0.1 } },
    run_until: 600,
  };
  const seen = await page.evaluate(async (scenario) => {
    const host = document.querySelector('quorum-scope');
    const app = host.cluster;
    await app.load(scenario);
    // Every kind of event shown, messages included.
    for (const chip of host.shadowRoot.querySelectorAll('.qs-nar-chip[aria-pressed="false"]')) chip.click();
    for (let i = 0; i < 400; i += 1) app.step();
    app.pause(); // lines held back while playing are added
    const named = /\b(probe_reply|vote_reply|append_reply|snapshot_reply|timeout_now)\b/;
    return {
      traceNames: app.trace.filter((e) => named.test(e.text ?? '')).length,
      lines: [...host.shadowRoot.querySelectorAll('.qs-nar-text')].map((l) => l.textContent),
      named: named.source,
    };
  }, scenario);
  const named = new RegExp(seen.named);
  t.diagnostic(`${seen.traceNames} trace sentences name a kind with an underscore; ${seen.lines.length} narration lines`);
  assert.ok(seen.traceNames > 0, 'the trace keeps the kinds\' names (the contract)');
  assert.ok(seen.lines.some((l) => /\b(append|vote|probe) reply\b/.test(l)), 'the narration names a reply in words');
  assert.deepEqual(seen.lines.filter((l) => named.test(l)), [], 'no kind written with an underscore in the narration');
  assert.deepEqual(errors, []);
});
