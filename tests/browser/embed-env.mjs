// Shared by the embedding tests that serve a folder of their own (a Vite
// build, an mdBook, the single-file build): a static server on 127.0.0.1
// for that folder, Debian's Chromium, and a page that records its errors.
import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../tools/serve.mjs';
import { CHROMIUM_ARGS } from './harness.mjs';
import { WAIT } from './helpers.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A build product the Makefile makes before the browser tests, or a clear failure. */
export function built(path, how) {
  const full = join(ROOT, path);
  if (!existsSync(full)) throw new Error(`${path} is missing: run \`${how}\` first (make test-browser does)`);
  return full;
}

/** A fresh temporary folder, removed when the test `t` ends. */
export function scratch(t, prefix) {
  const dir = mkdtempSync(join(tmpdir(), `qs-${prefix}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Chromium for the test `t` (closed when it ends). */
export async function browserFor(t) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  return browser;
}

/** Serves `dir` on 127.0.0.1 for the test `t`; returns its base URL. */
export async function serveFor(t, dir) {
  const server = await serve(0, dir.replace(/\/$/, ''));
  t.after(() => server.close());
  return `http://127.0.0.1:${server.address().port}`;
}

/** Opens `url` in a new context of `browser`; console and page errors are collected. */
export async function openUrl(browser, url, options = {}, init = null) {
  const context = await browser.newContext(options);
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors, context };
}

/**
 * Scrolls to each <quorum-scope> in turn (they start near the viewport),
 * waits until it has a scenario and drawn nodes, and steps it once; returns
 * [{step, playing}] per element, read after its step.
 */
export async function runEach(page, count) {
  const hosts = page.locator('quorum-scope');
  const n = await hosts.count();
  if (n !== count) throw new Error(`expected ${count} <quorum-scope> elements, found ${n}`);
  const out = [];
  for (let i = 0; i < n; i++) {
    await hosts.nth(i).scrollIntoViewIfNeeded();
    await page.waitForFunction((k) => {
      const el = document.querySelectorAll('quorum-scope')[k];
      return el.cluster?.scenario && el.shadowRoot.querySelector('[data-node-id]');
    }, i, WAIT);
    out.push(await page.evaluate((k) => {
      const app = document.querySelectorAll('quorum-scope')[k].cluster;
      const playing = app.playing;
      app.step();
      return { step: app.state.step, playing };
    }, i));
  }
  return out;
}
