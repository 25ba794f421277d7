// Loads the wasm simulator once per page, however many <quorum-scope>
// elements there are. The wasm file is fetched here, not by the
// wasm-bindgen glue, so that a missing file, a file:// page or a strict
// Content-Security-Policy each come back as an error naming its fix
// (www/load-errors.js) rather than the browser's own wording.
import init, * as bindings from '../pkg/quorumscope.js';
import { fetchWasm, wasmFailure } from './load-errors.js';

/** Where the wasm is: a literal `new URL` so bundlers emit the file. */
const WASM_URL = new URL('../pkg/quorumscope_bg.wasm', import.meta.url);

let ready = null;

/** Resolves to the start-up bindings (Cluster, majorityNeeded); rejects with a LoadError. The lab module's are www/lab.js's. */
export function loadWasm() {
  ready ??= fetchAndInit().catch((e) => {
    ready = null; // a later element may try again (say, once the file is there)
    throw e;
  });
  return ready;
}

async function fetchAndInit() {
  const url = WASM_URL.href;
  const response = await fetchWasm(url, 'The simulator\'s WebAssembly file is missing',
    'Copy the whole quorumscope folder (www/ and pkg/ side by side) and load quorum-scope.js from it.');
  try {
    await init({ module_or_path: response });
  } catch (e) {
    throw wasmFailure(url, e);
  }
  return bindings;
}
