// What the picture reads from the tail of the trace: recent refusals, lost
// messages and the last violation. Bounded scans, so a long trace never
// stalls a frame.
/** How many ticks a refusal callout stays (tied to simulated time, not the wall clock). */
const CALLOUT_TICKS = 5;
/** How many refusals are marked at once (newest first; one of them gets a callout). */
const CALLOUT_MAX = 3;
/** How many ticks the ✕ of a dropped message stays visible. */
export const DROP_TICKS = 2;
/** Bound on the backwards trace scans, so a huge trace never stalls a frame. */
const SCAN_MAX = 4000;

/** Reads what the picture needs from the tail of the trace, within a few ticks of now. */
export function readTrace(app, state) {
  const trace = app.trace ?? [];
  const now = state.tick;
  const refusals = [];
  const drops = [];
  const seen = new Set();
  let elected = null;
  for (let i = trace.length - 1, k = 0; i >= 0 && k < SCAN_MAX; i--, k++) {
    const e = trace[i];
    if (e.tick < now - CALLOUT_TICKS) break;
    if (e.kind === 'leader_elected' && !elected) elected = e;
    if ((e.kind === 'vote_refused' || e.kind === 'probe_refused') && refusals.length < CALLOUT_MAX) {
      const key = `${e.voter}>${e.candidate}`;
      if (!seen.has(key)) (seen.add(key), refusals.push(e));
    }
    if (e.kind === 'message_dropped' && e.tick >= app.virtualTick - DROP_TICKS) drops.push(e);
  }
  // A new leader is the moment: refusals older than its election are old news.
  const current = elected ? refusals.filter((e) => e.step > elected.step) : refusals;
  return { refusals: current, drops, elected, violation: lastViolation(app) };
}

/** The last violation in the trace; cached per trace array (seek and load replace the array). */
const violationCache = new WeakMap();
function lastViolation(app) {
  const trace = app.trace ?? [];
  let c = violationCache.get(trace);
  if (!c) violationCache.set(trace, (c = { scanned: 0, last: null }));
  if (c.scanned > trace.length) (c.scanned = 0), (c.last = null);
  for (; c.scanned < trace.length; c.scanned++) if (trace[c.scanned].kind === 'violation') c.last = trace[c.scanned];
  return c.last;
}
