// Strips what a browser does not need from the page's JS and CSS for
// `make dist` (and for `tools/size.sh`, which budgets what dist ships):
// comments that fill whole lines, blank lines, and the indentation of code
// lines. Nothing else changes: no renaming, no joining of lines, and a
// comment after code on the same line stays. The sources in www/ stay as
// they are; this runs on the copies.
//
//   node tools/strip-comments.mjs --in-place FILE...   rewrite the files
//   node tools/strip-comments.mjs --stdout FILE...     print them, concatenated
//
// A small lexer tracks strings, template literals and regular expressions,
// so that a line inside a multi-line template literal is never touched. The
// output of every .js file is checked to still parse before it is written.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** The characters after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set([...'(,=:[!&|?{};+-*%<>~^', '']);

/** Strips a JS file: whole-line `//` and `/* … *\/` comments, blank lines, indentation. */
export function stripJs(text) {
  const out = [];
  let state = 'code'; // code | block | template | '\'' | '"'
  const templateDepth = []; // brace depth at each `${` inside template literals
  let braces = 0;
  let prev = ''; // last non-space character of code, to tell a regex from a division
  let blockStartsLine = false;
  for (const line of text.split('\n')) {
    const startState = state;
    const trimmed = line.trimStart();
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      const next = line[i + 1];
      if (state === 'block') {
        if (c === '*' && next === '/') (state = 'code'), i++;
      } else if (state === '\'' || state === '"') {
        if (c === '\\') i++;
        else if (c === state) state = 'code';
      } else if (state === 'template') {
        if (c === '\\') i++;
        else if (c === '`') (state = 'code'), (prev = '`');
        else if (c === '$' && next === '{') (templateDepth.push(braces), (braces += 1), (state = 'code'), i++);
      } else if (c === '/' && next === '/') {
        break; // a line comment: the rest of the line
      } else if (c === '/' && next === '*') {
        if (i === line.length - trimmed.length) blockStartsLine = true;
        (state = 'block'), i++;
      } else if (c === '/' && BEFORE_REGEX.has(prev)) {
        // A regular expression: skip to its closing slash (not one in a class).
        let inClass = false;
        for (i++; i < line.length; i++) {
          if (line[i] === '\\') i++;
          else if (line[i] === '[') inClass = true;
          else if (line[i] === ']') inClass = false;
          else if (line[i] === '/' && !inClass) break;
        }
        prev = '/';
      } else if (c === '\'' || c === '"') {
        (state = c), (prev = c);
      } else if (c === '`') {
        (state = 'template'), (prev = '`');
      } else if (c === '{') {
        (braces += 1), (prev = c);
      } else if (c === '}') {
        braces -= 1;
        if (templateDepth.length && templateDepth[templateDepth.length - 1] === braces) {
          templateDepth.pop();
          state = 'template';
        }
        prev = c;
      } else if (c.trim()) {
        prev = /[\w$)\].]/.test(c) ? 'x' : c;
      }
    }
    if (state === '\'' || state === '"') state = 'code'; // a string never spans lines
    if (startState === 'code') {
      if (trimmed === '' || trimmed.startsWith('//')) continue;
      if (blockStartsLine && state === 'block') continue; // a comment block begins here
      if (blockStartsLine && /^\/\*.*\*\/$/.test(trimmed)) {
        blockStartsLine = false;
        continue; // a one-line comment block
      }
      out.push(trimmed);
    } else if (startState === 'block' && blockStartsLine) {
      if (state !== 'block') {
        blockStartsLine = false;
        const rest = line.slice(line.indexOf('*/') + 2).trim();
        if (rest) out.push(rest);
      }
    } else {
      out.push(line); // inside a template literal or a comment after code: as it is
    }
    blockStartsLine = blockStartsLine && state === 'block';
  }
  return `${out.join('\n')}\n`;
}

/** Strips a CSS file: every comment, blank lines and indentation. */
export function stripCss(text) {
  return `${text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')}\n`;
}

function strip(file) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.css')) return stripCss(text);
  if (!file.endsWith('.js')) throw new Error(`${file}: neither .js nor .css`);
  const out = stripJs(text);
  // Refuse to ship anything that no longer parses.
  execFileSync(process.execPath, ['--input-type=module', '--check'], { input: out, stdio: ['pipe', 'ignore', 'pipe'] });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, ...files] = process.argv.slice(2);
  if (!['--in-place', '--stdout'].includes(mode) || !files.length) {
    console.error('usage: node tools/strip-comments.mjs --in-place|--stdout FILE...');
    process.exit(2);
  }
  for (const file of files) {
    let out;
    try {
      out = strip(file);
    } catch (e) {
      console.error(`strip-comments: ${file}: ${e.stderr?.toString().trim() || e.message}`);
      process.exit(1);
    }
    if (mode === '--in-place') writeFileSync(file, out);
    else process.stdout.write(out);
  }
}
