// Every way loading an embed can fail, as a LoadError whose message says
// what happened and whose `fix` says what the page's author does about it.
// The element shows both inside itself (never as HTML) and sends them in
// its qs-error event.

export class LoadError extends Error {
  /** @param {string} message what went wrong  @param {string} fix what to do */
  constructor(message, fix) {
    super(message);
    this.fix = fix;
  }
}

/** The LoadError for a failed fetch or instantiation of the wasm at `url`. */
export function wasmFailure(url, cause) {
  const text = String(cause?.message ?? cause);
  if (/unsafe-eval|Content Security Policy|CSP/i.test(text)) {
    return new LoadError('The page\'s Content-Security-Policy does not allow WebAssembly.',
      'Add \'wasm-unsafe-eval\' to the policy\'s script-src (not \'unsafe-eval\', which allows far more).');
  }
  if (location.protocol === 'file:' || url.startsWith('file:')) return fileFailure();
  return new LoadError(`The simulator's WebAssembly file could not be loaded from ${url} (${text}).`,
    'Check that pkg/quorumscope_bg.wasm was copied along with www/, and that the server sends .wasm files.');
}

/**
 * Fetches a wasm file; resolves to the response, or rejects with the
 * LoadError for a network failure or for `missing` (an HTTP error: what is
 * missing, and `fix`, where it belongs).
 */
export async function fetchWasm(url, missing, fix) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw wasmFailure(url, e);
  }
  if (!response.ok) throw new LoadError(`${missing}: ${url} answered HTTP ${response.status}.`, fix);
  return response;
}

/** The LoadError for a page opened from the disk, where browsers refuse modules and fetches. */
export function fileFailure() {
  return new LoadError('This page was opened from a file (file://), where browsers block the files quorumscope loads.',
    'Serve the folder over HTTP (for example `python3 -m http.server`), or use the single-file build (`make dist-single`).');
}

/** The LoadError for a stylesheet that did not load (the element would be unstyled and very tall). */
export function missingStylesheet(url) {
  return new LoadError(`The stylesheet ${url} is missing.`,
    'Copy the whole www/ folder: the element loads its .css files from beside quorum-scope.js.');
}

/** Fetches a scenario file named by `src`, relative to the page; resolves to its text. */
export async function fetchScenario(src) {
  const url = new URL(src, document.baseURI).href;
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    if (location.protocol === 'file:') throw fileFailure();
    throw new LoadError(`The scenario file ${url} could not be fetched (${e?.message ?? e}).`,
      'Check the src attribute: it is a path relative to the page.');
  }
  if (!response.ok) {
    throw new LoadError(`The scenario file ${url} is missing (HTTP ${response.status}).`,
      `Check the src attribute ("${src}"): it is a path relative to the page, not to the script.`);
  }
  return response.text();
}

/** The LoadError for a scenario that loaded but did not parse or validate. */
export function scenarioFailure(where, cause) {
  return new LoadError(`${where}: ${String(cause?.message ?? cause)}`,
    'Fix the scenario (the format is in SCENARIO.md), or name a built-in one such as scenario="first-election".');
}
