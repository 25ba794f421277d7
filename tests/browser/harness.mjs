// Shared set-up for the browser tests: a static server on 127.0.0.1 and
// Debian's Chromium driven by playwright-core (no browser download).
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

/** Opens `path` in a fresh page, collecting console errors and page errors. */
export async function open(env, path, options = {}) {
  const context = await env.browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(env.base + path);
  return { page, errors, context };
}
