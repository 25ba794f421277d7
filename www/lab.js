// The lab module: a second wasm module built from the same crate (cargo
// feature `lab-binding`, src/wasm_lab.rs) with what few readers open: the
// model checker ("Find a run where…"), the Compare view, trace replay and
// Figure 16's trials. The start-up module (www/wasm.js) leaves them out to
// stay small; this fetches and compiles the lab module once, the first time
// one of them is used. Workers get the compiled module by postMessage (a
// WebAssembly.Module can be posted), so that none fetches it again and the
// single-file build, whose wasm is inline, needs no second copy.
import init, * as bindings from '../pkg/quorumscope_lab.js';
import { fetchWasm, wasmFailure } from './load-errors.js';

/** Where the wasm is: a literal `new URL` so bundlers emit (or inline) the file. */
const LAB_URL = new URL('../pkg/quorumscope_lab_bg.wasm', import.meta.url);

let compiled = null;
let ready = null;

/** Resolves to the compiled lab module (a WebAssembly.Module); rejects with a LoadError. */
export function labModule() {
  compiled ??= compile().catch((e) => {
    compiled = null; // a later use may try again
    throw e;
  });
  return compiled;
}

/** Resolves to the lab bindings on this thread (compareScenarios, Replay, …). */
export function loadLab() {
  ready ??= labModule()
    .then((module) => init({ module_or_path: module }))
    .then(() => bindings)
    .catch((e) => {
      ready = null;
      throw e;
    });
  return ready;
}

async function compile() {
  const url = LAB_URL.href;
  const response = await fetchWasm(url, 'The lab module\'s WebAssembly file is missing',
    'Copy the whole quorumscope folder: pkg/ holds quorumscope_lab_bg.wasm beside quorumscope_bg.wasm.');
  try {
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (e) {
    throw wasmFailure(url, e);
  }
}
