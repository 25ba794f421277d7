// Shared set-up for the browser tests: a static server on 127.0.0.1 and
// Debian's Chromium driven by playwright-core (no browser download).
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { serve } from '../../tools/serve.mjs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts the server and the browser; returns {base, browser, close}. */
export async function start() {
  const server = await serve(0, root.replace(/\/$/, ''));
  const { port } = server.address();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    base: `http://127.0.0.1:${port}`,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/**
 * The server and browser a test file shares: started before its first test
 * and closed after its last (the returned object is filled in once started).
 */
export function sharedEnv() {
  const env = {};
  before(async () => Object.assign(env, await start()));
  after(async () => env.close?.());
  return env;
}

/**
 * Opens `path` in a fresh page, collecting console errors and page errors.
 * `options` are the browser context's (viewport, permissions, ...), plus
 * `init`: a function or source to run before the page's own scripts
 * (context.addInitScript). Given the test's context `t`, the page closes
 * when the test ends, pass or fail.
 */
export async function open(env, path, { init, ...options } = {}, t = undefined) {
  const context = await env.browser.newContext(options);
  t?.after(() => context.close());
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(env.base + path);
  return { page, errors, context };
}
