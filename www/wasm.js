// Loads the wasm simulator once per page, however many <quorum-scope>
// elements there are.
import init, * as bindings from '../pkg/quorumscope.js';

let ready = null;

/** Resolves to the bindings (Cluster, electTrial). */
export function loadWasm() {
  ready ??= init({ module_or_path: new URL('../pkg/quorumscope_bg.wasm', import.meta.url) }).then(() => bindings);
  return ready;
}
