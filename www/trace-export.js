// Exporting a whole run's trace. The page keeps only the newest events (a
// memory bound, see app.js and wasm.rs); when older ones have gone, the run
// is replayed on a second simulator from the same scenario with the same
// operator commands at the same steps (replay is deterministic), and each
// slice's events are collected before they leave that simulator's window.
// Loaded on demand by share-actions.js (a short run exports at once).

/** Steps per slice: a step makes a few events and the window holds 30,000, so no event leaves before it is collected. */
const SLICE_STEPS = 500;
/** Time the replay may take before the page gets a frame. */
const SLICE_MS = 30;

/**
 * The whole trace of `app`'s run up to its current step, as JSON lines.
 * `progress(done, total)` is called between slices; `stopped()` returning
 * true abandons the export (resolves to null).
 */
export async function wholeTrace(app, { progress = () => {}, stopped = () => false } = {}) {
  const page = app.cluster;
  const target = page.stepCount();
  const events = page.traceLength();
  const inputs = page.inputs();
  const copy = app.bindings.Cluster.fromScenario(JSON.stringify(app.scenario));
  const parts = [];
  let taken = 0;
  const collect = () => {
    if (copy.traceBase() > taken) throw new Error('the replay outran its trace window (a bug: please report it)');
    // One line per event, as the core's exportTrace writes them (the test
    // compares the two).
    for (const e of copy.traceFrom(taken)) parts.push(`${JSON.stringify(e)}\n`);
    taken = copy.traceLength();
  };
  try {
    let next = 0;
    let sliceStart = performance.now();
    for (;;) {
      // An operator command runs before the step it was given at; one given
      // at the page's step counts only if the page shows its events.
      while (next < inputs.length && inputs[next][0] === copy.stepCount()
        && (copy.stepCount() < target || copy.traceLength() < events)) {
        copy.command(inputs[next][1]);
        next += 1;
      }
      const at = copy.stepCount();
      if (at >= target) break;
      const until = next < inputs.length ? Math.min(inputs[next][0], target) : target;
      copy.runSteps(Math.min(SLICE_STEPS, until - at));
      collect();
      if (performance.now() - sliceStart > SLICE_MS) {
        progress(copy.stepCount(), target);
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (stopped()) return null;
        sliceStart = performance.now();
      }
    }
    collect();
  } finally {
    copy.free();
  }
  if (taken !== events) throw new Error(`the replay made ${taken} events where the run made ${events}`);
  return parts.join('');
}
