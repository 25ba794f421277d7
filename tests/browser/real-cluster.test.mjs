// A real cluster's trace in the page: three `quorumscope-node` processes on
// 127.0.0.1, a few writes, the leader killed with SIGKILL and a new one
// elected, the nodes' traces merged, and the merged file imported through
// the page's file input like any trace, and played: stepping to a line of
// the trace draws what that line says. Needs the binary built
// (`cargo build -p quorumscope-node`, which `make test-browser` does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedEnv, open } from './harness.mjs';
import { ready, WAIT } from './helpers.mjs';

const env = sharedEnv();
const root = fileURLToPath(new URL('../../', import.meta.url));
const NODE_BIN = process.env.QS_NODE_BIN ?? join(root, 'target/debug/quorumscope-node');
const run = (...args) => execFileSync(NODE_BIN, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });

async function status(url) {
  try {
    const r = await fetch(`${url}/status`, { signal: AbortSignal.timeout(1000) });
    return await r.json();
  } catch {
    return null;
  }
}

async function leaderOf(urls) {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    for (const url of urls) if ((await status(url))?.role === 'leader') return url;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no leader within 10 s');
}

test('a real cluster\'s merged trace imports into the page', { timeout: 60_000 }, async (t) => {
  assert.ok(existsSync(NODE_BIN), `${NODE_BIN} is built (cargo build -p quorumscope-node)`);
  const dir = mkdtempSync(join(tmpdir(), 'qs-real-'));
  t.after(() => {
    try { run('cluster', 'down', '--dir', dir); } catch { /* already down */ }
    rmSync(dir, { recursive: true, force: true });
  });
  const up = run('cluster', 'up', '3', '--dir', dir);
  const urls = [...up.matchAll(/^node \d+ client (http:\S+)$/gm)].map((m) => m[1]);
  assert.equal(urls.length, 3, up);
  let leader = await leaderOf(urls);
  for (let i = 1; i <= 3; i++) {
    const r = await fetch(`${leader}/kv/x`, { method: 'PUT', body: `v${i}` });
    assert.equal(r.status, 200);
  }
  // kill -9 the leader; the other two elect a new one and take a write.
  const nodes = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')).nodes;
  process.kill(nodes.find((n) => n.client === leader).pid, 'SIGKILL');
  leader = await leaderOf(urls.filter((u) => u !== leader));
  assert.equal((await fetch(`${leader}/kv/x`, { method: 'PUT', body: 'after' })).status, 200);
  run('cluster', 'down', '--dir', dir);
  const merged = join(dir, 'merged.jsonl');
  run('merge', dir, '--out', merged);
  assert.match(run('check-trace', merged), /violations=0/);
  const text = readFileSync(merged, 'utf8');
  const count = text.trim().split('\n').length;
  assert.ok((text.match(/"kind":"leader_elected"/g) ?? []).length >= 2, 'two elections, before and after the kill');

  // What the trace says, read here independently of the page: the node
  // that became leader after the kill, and the last commit it reports.
  const events = text.trim().split('\n').map((l) => JSON.parse(l));
  const elected = events.filter((e) => e.kind === 'role_changed' && e.role === 'leader').at(-1);
  const commit = events.filter((e) => e.kind === 'commit_advanced' && e.node === elected.node).at(-1);
  assert.ok(commit && commit.step > elected.step, 'the new leader commits');

  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 900 } }, t);
  await ready(page);
  const host = page.locator('quorum-scope');
  await host.locator('input[type="file"]').setInputFiles({
    name: 'real-cluster.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(text),
  });
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.scenario.title.includes('real-cluster.jsonl'), null, WAIT);
  const seek = (step) => page.evaluate((s) => document.querySelector('quorum-scope').cluster.seek(s), step);
  // The new leader's node in the picture: role, term and label as drawn.
  const drawn = (id) => page.evaluate((id) => {
    const nodes = document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.cv-node');
    const g = [...nodes].find((n) => n.getAttribute('aria-label')?.startsWith(`node ${id},`));
    return g && { role: g.dataset.role, term: Number(g.dataset.term), label: g.getAttribute('aria-label') };
  }, id);
  // Just before the line that makes it leader, it is drawn as something
  // else; one step on (the transport's Step button), as leader, in its term.
  await seek(elected.step);
  assert.notEqual((await drawn(elected.node)).role, 'leader');
  await host.getByRole('button', { name: 'Step: one event' }).click();
  await page.waitForFunction(([id, term]) => {
    const nodes = document.querySelector('quorum-scope').shadowRoot.querySelectorAll('.cv-node');
    const g = [...nodes].find((n) => n.getAttribute('aria-label')?.startsWith(`node ${id},`));
    return g?.dataset.role === 'leader' && g.dataset.term === String(term);
  }, [elected.node, elected.term], WAIT);
  const state = await page.evaluate(() => document.querySelector('quorum-scope').cluster.state);
  assert.equal(state.leader, elected.node, 'the cluster\'s leader: the one of the highest term');
  // The commit the trace reports is drawn at its step, not before.
  await seek(commit.step);
  assert.doesNotMatch((await drawn(commit.node)).label, new RegExp(`commit ${commit.index},`));
  await seek(commit.step + 1);
  assert.match((await drawn(commit.node)).label, new RegExp(`commit ${commit.index},`));
  assert.deepEqual(errors, []);
});
