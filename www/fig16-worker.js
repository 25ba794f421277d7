// Runs the Figure 16 trials off the main thread: for each timeout range,
// `trials` elections on the real core, each a fresh five-node cluster whose
// leader crashes. The trials are in the lab module (www/lab.js), which the
// page compiles and posts with the request, so the worker fetches nothing.
// Posts {type:'progress'|'range'|'done'|'error'}.
import init, { electTrial } from '../pkg/quorumscope_lab.js';

self.onmessage = async (event) => {
  const { module, ranges, trials, paper } = event.data ?? {};
  try {
    await init({ module_or_path: module });
    const total = ranges.length * trials;
    let done = 0;
    let lastPost = 0;
    for (let index = 0; index < ranges.length; index++) {
      const [min, max] = ranges[index];
      const times = [];
      for (let i = 0; i < trials; i++) {
        // Trial i: seeded by the core exactly as `quorumscope elect-times` seeds its trial i.
        // -1: no leader within the cap (null); -2: never led, kept as -2.
        const ms = electTrial(min, max, i, Boolean(paper));
        times.push(ms === -1 ? null : ms);
        done += 1;
        const now = performance.now();
        if (now - lastPost > 80) {
          lastPost = now;
          self.postMessage({ type: 'progress', done, total, index, partial: times.length });
        }
      }
      self.postMessage({ type: 'range', index, times, done, total });
    }
    self.postMessage({ type: 'done', done, total });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.message ?? e) });
  }
};
