// Runs one model-checker search ("Find a run where…", www/find-run.js) off
// the page's thread: the explorer's breadth-first search, on one thread, in
// the lab module. Receives {module, request}: the compiled lab module
// (posted by the page, so the worker fetches nothing) and the search as
// src/wasm_lab.rs's `explore` reads it. Posts {type:'progress', progress}
// after each depth the explorer finishes and every 2,048 states within one,
// {type:'found', report} for each run the search holds before it ends (the
// walks' run, before the slower searches for a shorter one), then
// {type:'done', report} or {type:'error', message}. The page cancels by
// terminating the worker, and keeps the last run found so far.
import init, { explore } from '../pkg/quorumscope_lab.js';

self.onmessage = async ({ data }) => {
  try {
    await init({ module_or_path: data.module });
    const report = explore(data.request, (progress) => {
      self.postMessage({ type: 'progress', progress });
    }, (report) => self.postMessage({ type: 'found', report }));
    self.postMessage({ type: 'done', report });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.message ?? e) });
  }
};
