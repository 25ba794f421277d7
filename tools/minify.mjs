// Minifies the page's JS and CSS for `make dist` (and for `tools/size.sh`,
// which budgets what dist ships). JS goes through oxc's minifier (rolldown's,
// pinned in package.json): comments and white space go, and names that are
// not exported are shortened (12 % of the start-up JS, gzipped); compression
// stays off, so statements, the `new URL('./x.css', import.meta.url)`
// references (which bundlers follow), exported names and error messages
// stay as written. CSS goes through lightningcss (pinned too) with
// no browser targets, so no rule is rewritten for older browsers
// (`light-dark()`, `:host`, `::part` stay). The sources in www/ stay as they
// are; this runs on the copies.
//
//   node tools/minify.mjs --in-place FILE...   rewrite the files
//   node tools/minify.mjs --stdout FILE...     print them, concatenated
//
// The output of every .js file is checked to still parse as a module
// before it is written.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { transform } from 'lightningcss';
import { minifySync } from 'rolldown/experimental';

/** A JS module without its comments and white space, its local names shortened. */
export function minifyJs(text, filename) {
  const { code, errors } = minifySync(filename, text, { compress: false, mangle: true });
  if (errors?.length) throw new Error(errors.map((e) => e.message).join('; '));
  return `${code}\n`;
}

/** A stylesheet, minified. */
export function minifyCss(text, filename) {
  return `${transform({ filename, code: Buffer.from(text), minify: true }).code.toString()}\n`;
}

function minify(file) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.css')) return minifyCss(text, file);
  if (!file.endsWith('.js')) throw new Error(`${file}: neither .js nor .css`);
  const out = minifyJs(text, file);
  // Refuse to ship anything that no longer parses.
  execFileSync(process.execPath, ['--input-type=module', '--check'], { input: out, stdio: ['pipe', 'ignore', 'pipe'] });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, ...files] = process.argv.slice(2);
  if (!['--in-place', '--stdout'].includes(mode) || !files.length) {
    console.error('usage: node tools/minify.mjs --in-place|--stdout FILE...');
    process.exit(2);
  }
  for (const file of files) {
    let out;
    try {
      out = minify(file);
    } catch (e) {
      console.error(`minify: ${file}: ${e.stderr?.toString().trim() || e.message}`);
      process.exit(1);
    }
    if (mode === '--in-place') writeFileSync(file, out);
    else process.stdout.write(out);
  }
}
