// The URL hash: how a page is shared.
//
//   #scenario=NAME   a built-in scenario (NAME: lower-case letters, digits, '-').
//   #s=BASE64URL     the whole state: base64url of the UTF-8 JSON
//                    {v: 1, scenario: NAME | {scenario object},
//                     inputs: [[step, command], ...], step: N,
//                     compare: {scenario fields}}
//                    (`compare`, optional: the Compare view open, run B
//                    being the scenario with these fields changed; see
//                    www/compare-patch.js)
//                    where `inputs` are the operator's commands with the step
//                    each preceded (app.cluster.inputs()) and `step` is the
//                    step the sender was looking at.
//
// readHash never throws and never builds HTML: anything wrong comes back as
// {error: 'a readable message'}. applyHash replays the commands at their
// steps on the deterministic core, so the receiver sees exactly what the
// sender saw at the same step.

/** Largest hash accepted, in characters. */
export const MAX_HASH = 200_000;
/** Highest step a link may name (replaying more would freeze the tab). */
export const MAX_STEP = 1e7;
/** Most operator commands a link may carry. */
const MAX_INPUTS = 5000;

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const KEYS = new Set(['v', 'scenario', 'inputs', 'step', 'compare']);

/** The last problem reading or applying a hash, until settings.js shows it (see takeHashProblem). */
let lastProblem = null;

/** Returns and forgets the last problem with a link (a message) or null. */
export function takeHashProblem() {
  const p = lastProblem;
  lastProblem = null;
  return p;
}

/** Parses a location hash: null (nothing to do), {value} or {error}. */
export function readHash(hash) {
  let result;
  try {
    result = parse(hash);
  } catch (e) {
    result = { error: `This link could not be read (${e?.message ?? 'unknown error'}).` };
  }
  lastProblem = result?.error ?? null;
  return result;
}

function parse(hash) {
  if (typeof hash !== 'string') return null;
  let h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h) return null;
  if (h.length > MAX_HASH) {
    return { error: `This link is too long (${Math.round(h.length / 1000)} KB; at most ${MAX_HASH / 1000} KB).` };
  }
  const eq = h.indexOf('=');
  const key = eq < 0 ? h : h.slice(0, eq);
  const raw = eq < 0 ? '' : h.slice(eq + 1);
  if (key === 'scenario') {
    let name;
    try {
      name = decodeURIComponent(raw);
    } catch {
      return { error: 'This link names a scenario with a malformed escape.' };
    }
    if (!NAME.test(name)) {
      return { error: `This link names a scenario "${clip(name)}", which is not a valid scenario name.` };
    }
    return { value: { scenario: name, inputs: [], step: 0 } };
  }
  if (key === 's') return parseState(raw);
  return { error: `This link's hash "#${clip(key)}" is not one quorumscope knows (expected #scenario=NAME or #s=…).` };
}

function parseState(raw) {
  if (!raw) return { error: 'This link holds an empty state.' };
  if (!BASE64URL.test(raw)) return { error: 'This link is damaged: its state is not valid base64url text.' };
  let text;
  try {
    text = fromBase64url(raw);
  } catch {
    return { error: 'This link is damaged: its state is not valid base64url text.' };
  }
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return { error: `This link is damaged: its state is not valid JSON (${e.message}).` };
  }
  if (!isPlainObject(obj)) return { error: 'This link is damaged: its state is not a JSON object.' };
  for (const k of Object.keys(obj)) {
    if (!KEYS.has(k)) return { error: `This link holds an unknown field "${clip(k)}".` };
  }
  if (obj.v !== 1) return { error: `This link has version ${clip(JSON.stringify(obj.v) ?? 'none')}; this page reads version 1.` };
  const { scenario } = obj;
  if (typeof scenario === 'string') {
    if (!NAME.test(scenario)) return { error: `This link names a scenario "${clip(scenario)}", which is not a valid scenario name.` };
  } else if (!isPlainObject(scenario)) {
    return { error: 'This link\'s "scenario" must be a scenario name or a scenario object.' };
  }
  const step = obj.step ?? 0;
  if (!isStep(step)) return { error: `This link's "step" must be a whole number from 0 to ${MAX_STEP}.` };
  const inputs = obj.inputs ?? [];
  if (!Array.isArray(inputs)) return { error: 'This link\'s "inputs" must be a list of [step, command] pairs.' };
  if (inputs.length > MAX_INPUTS) return { error: `This link carries ${inputs.length} commands; at most ${MAX_INPUTS}.` };
  let last = 0;
  for (let i = 0; i < inputs.length; i++) {
    const pair = inputs[i];
    if (!Array.isArray(pair) || pair.length !== 2) return { error: `This link's inputs[${i}] must be a [step, command] pair.` };
    const [at, command] = pair;
    if (!isStep(at)) return { error: `This link's inputs[${i}]: the step must be a whole number from 0 to ${MAX_STEP}.` };
    if (at < last) return { error: `This link's inputs[${i}]: steps must not go backwards (${at} after ${last}).` };
    if (at > step) return { error: `This link's inputs[${i}]: step ${at} is after the link's step ${step}.` };
    if (!isPlainObject(command) || typeof command.do !== 'string') {
      return { error: `This link's inputs[${i}]: the command must be an object with a "do" field.` };
    }
    last = at;
  }
  if (obj.compare !== undefined && !isPlainObject(obj.compare)) {
    return { error: 'This link\'s "compare" must be an object of scenario fields, such as {"switches":{"pre_vote":false}}.' };
  }
  return { value: { scenario, inputs, step, compare: obj.compare } };
}

/** Loads the scenario, replays the operator's commands at their steps, and stops at the link's step. */
export async function applyHash(app, value) {
  try {
    await replay(app, value);
    lastProblem = null;
  } catch (e) {
    lastProblem = `This link could not be opened: ${e.message}`;
    throw new Error(lastProblem);
  }
}

// Long replays go in slices with progress (App.seekGradually); stopped by
// the reader, the page stays where the replay got, without the later commands.
async function replay(app, { scenario, inputs = [], step = 0, compare = null }) {
  await app.load(typeof scenario === 'string' ? scenario : JSON.stringify(scenario));
  for (let i = 0; i < inputs.length; i++) {
    const [at, command] = inputs[i];
    if (!(await app.seekGradually(at))) return;
    try {
      app.command(command);
    } catch (e) {
      throw new Error(`its command ${i + 1} (${command.do} at step ${at}) failed: ${e.message}`);
    }
  }
  await app.seekGradually(step);
  app.compare = compare; // the element opens the Compare view with it
}

/** The hash that reproduces what `app` shows now: scenario, commands and step. */
export function hashFor(app, scenarioName) {
  const state = {
    v: 1,
    scenario: scenarioName ?? app.scenario,
    inputs: app.cluster.inputs(),
    step: app.cluster.stepCount(),
  };
  if (app.compare) state.compare = app.compare;
  return `#s=${toBase64url(JSON.stringify(state))}`;
}

/** Longest scenario hash a loaded scenario puts in the address bar (browsers and chat tools cut longer ones). */
const ADDRESS_BAR_CHARS = 8_000;
/** Each element's way to write the address bar (settings.js registers it: it owns the bar). */
const addressBars = new WeakMap();

export function ownAddressBar(host, setHash) {
  addressBars.set(host, setHash);
}

/**
 * Puts a newly loaded scenario in the address bar, so a reload or a shared
 * link reopens it; a large one stays out (a link that long would be
 * refused on reload and lose it anyway). Returns null, or the sentence that
 * says why there is no link.
 */
export function showInAddressBar(host, scenario) {
  const hash = hashForScenario(scenario);
  if (hash.length > ADDRESS_BAR_CHARS) {
    return `Too large for a link (${Math.round(hash.length / 1000)} KB): share it with Export scenario.`;
  }
  addressBars.get(host)?.(hash);
  return null;
}

/** The hash that opens a scenario at step 0 with no commands. */
export function hashForScenario(scenario) {
  if (typeof scenario === 'string') return `#scenario=${scenario}`;
  return `#s=${toBase64url(JSON.stringify({ v: 1, scenario, inputs: [], step: 0 }))}`;
}

/**
 * A full URL (this page, with the state in its hash) for the Copy link
 * button. `host` is the <quorum-scope> element; a built-in scenario is named
 * rather than copied.
 */
export async function linkFor(app, host) {
  const name = await builtinName(app);
  const url = new URL(location.href);
  url.hash = '';
  return url.href.replace(/#$/, '') + hashFor(app, name);
}

/** The built-in name of the loaded scenario, or null if it is custom or edited. */
export async function builtinName(app) {
  if (!app.scenario || !app.bindings) return null;
  const lib = await app.library();
  const own = JSON.stringify(app.scenario);
  for (const entry of lib) {
    if (entry.title !== app.scenario.title) continue;
    let c;
    try {
      c = app.bindings.Cluster.builtin(entry.name);
      if (JSON.stringify(c.scenario()) === own) return entry.name;
    } catch {
      // not comparable; keep looking
    } finally {
      c?.free();
    }
  }
  return null;
}

export function toBase64url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(raw) {
  const b64 = raw.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function isStep(n) {
  return Number.isInteger(n) && n >= 0 && n <= MAX_STEP;
}

function isPlainObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function clip(s) {
  const t = String(s);
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}
