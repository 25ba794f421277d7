// Screenshots of every built-in guided tour's moments, for people to look
// at (issue: "look at each tour moment at 1280×720, 1920×1080 and 390 px"):
//
//   node tools/tour-shots.mjs [OUT_DIR] [--sizes 1280,1920,390] [--only NAME,...]
//   (OUT_DIR defaults to /tmp/quorumscope-shots/tours)
//
// Needs the wasm package (make pkg) and Debian's Chromium, as the browser
// tests do. Each moment is reached by stepping (not by playing in real
// time), so the whole library takes a minute or two.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { start } from '../tests/browser/harness.mjs';
import { stepToMoment } from '../tests/browser/helpers.mjs';

const args = process.argv.slice(2);
const option = (flag) => (args.includes(flag) ? args.splice(args.indexOf(flag), 2)[1] : null);
const sizesWanted = option('--sizes')?.split(',');
const only = option('--only')?.split(',');
const out = args[0] ?? join(tmpdir(), 'quorumscope-shots', 'tours');
mkdirSync(out, { recursive: true });
const SIZES = [[1280, 720, '1280'], [1920, 1080, '1920'], [390, 844, '390']].filter(([, , tag]) => !sizesWanted || sizesWanted.includes(tag));
const env = await start();
try {
  for (const [width, height, tag] of SIZES) {
    const mobile = width < 500 ? { isMobile: true, hasTouch: true } : {};
    const context = await env.browser.newContext({ viewport: { width, height }, ...mobile });
    const page = await context.newPage();
    await page.goto(`${env.base}/www/index.html`);
    await page.waitForFunction(() => document.querySelector('quorum-scope')?.cluster?.state);
    const tours = await page.evaluate(async () => (await document.querySelector('quorum-scope').cluster.library())
      .filter((s) => s.pauses.length).map((s) => [s.name, s.pauses.length]))
      .then((list) => list.filter(([name]) => !only || only.includes(name)));
    for (const [name, count] of tours) {
      await page.evaluate((n) => {
        location.hash = `#scenario=${n}`;
      }, name);
      await page.waitForFunction((n) => document.querySelector('quorum-scope').cluster.scenarioName === n, name);
      for (let i = 1; i <= count; i += 1) {
        const reached = await stepToMoment(page, i, { max: 200_000 });
        if (!reached) {
          console.log(`${name}: moment ${i} not reached`);
          break;
        }
        await page.waitForTimeout(400); // the moment's rewind, the ring and a smooth scroll land
        const file = join(out, `${name}-${i}-${tag}.png`);
        await page.screenshot({ path: file });
        console.log(file);
      }
    }
    await context.close();
  }
} finally {
  await env.close();
}
