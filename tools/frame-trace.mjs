// Where a page's frame time goes, read through the Chrome DevTools Protocol
// (tools/frame-bench.mjs --profile): the renderer's own counters
// (Performance.getMetrics: script, style recalculation, layout), a
// timeline trace summed by event (self time, so that nested events are not
// counted twice; a layout or style recalculation run from inside a script is
// a forced synchronous one, and is counted apart with the script line that
// forced it), and a sampled CPU profile of the script summed by function.
// Times are the thread's own CPU time (a trace event's `tdur`), not wall
// time, so that a shared machine's load moves them less.
// Diagnostics for a person reading them, never assertions.

/** Renderer counters worth comparing between two runs. */
const METRICS = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration', 'RecalcStyleCount', 'LayoutCount', 'Nodes', 'JSHeapUsedSize'];

/** Starts the renderer's counters; returns a function that reads them again and gives the differences. */
export async function startMetrics(cdp) {
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await read();
  return async () => {
    const after = await read();
    const out = {};
    for (const k of METRICS) out[k] = k === 'Nodes' || k === 'JSHeapUsedSize' ? after[k] : after[k] - before[k];
    return out;
  };
}

/** The counters as one line per figure, per frame where that is what matters. */
export function formatMetrics(m, frames) {
  const ms = (s) => `${((s * 1000) / frames).toFixed(2)} ms/frame`;
  return [
    `task ${ms(m.TaskDuration)}, script ${ms(m.ScriptDuration)}, style ${ms(m.RecalcStyleDuration)}, layout ${ms(m.LayoutDuration)}`,
    `style recalculations ${(m.RecalcStyleCount / frames).toFixed(2)}/frame, layouts ${(m.LayoutCount / frames).toFixed(2)}/frame`,
    `DOM nodes ${m.Nodes}, JS heap ${(m.JSHeapUsedSize / 1e6).toFixed(1)} MB`,
  ];
}

/** Trace categories: the timeline, the stacks of forced layouts, and frames. */
export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.stack', ...(process.env.QS_INVALIDATIONS ? ['disabled-by-default-devtools.timeline.invalidationTracking'] : [])];

/** Events inside which a layout or style recalculation is forced by script. */
const SCRIPT = new Set(['FunctionCall', 'EvaluateScript', 'v8.callFunction', 'V8.Execute', 'RunMicrotasks', 'FireAnimationFrame', 'TimerFire']);
const LAYOUTISH = new Set(['Layout', 'UpdateLayoutTree', 'RecalculateStyles']);

/**
 * Sums a trace (`{traceEvents}`) on the busiest renderer main thread: self
 * time by event name, and the layouts and style recalculations forced from
 * script with the frames that forced them. Returns printable lines.
 */
export function summarizeTrace(trace, frames) {
  const events = trace.traceEvents ?? trace;
  const names = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') names.set(`${e.pid}:${e.tid}`, true);
  const byThread = new Map();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!names.has(key) || e.ph !== 'X' || typeof e.dur !== 'number') continue;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  let main = [];
  for (const list of byThread.values()) if (list.reduce((s, e) => s + e.dur, 0) > main.reduce((s, e) => s + e.dur, 0)) main = list;
  main.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const forced = new Map();
  const stack = [];
  const cpu = (e) => e.tdur ?? e.dur;
  for (const e of main) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) parent.child = (parent.child ?? 0) + cpu(e);
    if (LAYOUTISH.has(e.name) && stack.some((s) => SCRIPT.has(s.name))) {
      const where = forcedBy(e);
      const f = forced.get(`${e.name} ← ${where}`) ?? { n: 0, us: 0 };
      f.n += 1;
      f.us += cpu(e);
      forced.set(`${e.name} ← ${where}`, f);
    }
    stack.push(e);
  }
  for (const e of main) {
    const s = self.get(e.name) ?? { n: 0, us: 0 };
    s.n += 1;
    s.us += cpu(e) - (e.child ?? 0);
    self.set(e.name, s);
  }
  const per = (us) => `${(us / 1000 / frames).toFixed(3)} ms/frame`;
  const total = main.filter((e) => e.name === 'RunTask').reduce((t, e) => t + cpu(e), 0);
  const lines = [`trace: renderer main thread busy ${per(total)} (CPU time); self time by event (top 16)`];
  for (const [name, s] of [...self].sort((a, b) => b[1].us - a[1].us).slice(0, 16)) {
    lines.push(`  ${name.padEnd(28)} ${per(s.us).padStart(18)}  ${(s.n / frames).toFixed(2).padStart(6)}/frame`);
  }
  // Counts hardly move with the machine's load, unlike times: what a change did shows best here.
  const sum = (name, field) => main.filter((e) => e.name === name).reduce((s, e) => s + (field(e) ?? 0), 0);
  const count = (name) => main.filter((e) => e.name === name).length;
  lines.push(`trace: per frame, ${(sum('Layout', (e) => e.args?.beginData?.dirtyObjects) / frames).toFixed(0)} objects laid out, `
    + `${(sum('UpdateLayoutTree', (e) => e.args?.elementCount) / frames).toFixed(0)} elements restyled, `
    + `${(count('SvgTextLayoutAlgorithm::Layout') / frames).toFixed(1)} SVG texts laid out, `
    + `${(count('InlineNode::ShapeTextIncludingFirstLine') / frames).toFixed(1)} texts shaped, ${(count('EventDispatch') / frames).toFixed(1)} events dispatched`);
  const painted = new Map();
  for (const e of main) {
    if (e.name !== 'Paint') continue;
    const what = String(e.args?.data?.nodeName ?? '?').replace(/\d+/g, '#');
    const p = painted.get(what) ?? { n: 0, us: 0 };
    p.n += 1;
    p.us += cpu(e);
    painted.set(what, p);
  }
  lines.push('trace: painted, by layer or element (top 6)');
  for (const [what, p] of [...painted].sort((a, b) => b[1].us - a[1].us).slice(0, 6)) {
    lines.push(`  ${(p.n / frames).toFixed(2)}/frame ${per(p.us)}  ${what}`);
  }
  lines.push(`trace: layouts and style recalculations forced from script: ${[...forced.values()].reduce((s, f) => s + f.n, 0)}`);
  for (const [what, f] of [...forced].sort((a, b) => b[1].us - a[1].us).slice(0, 12)) {
    lines.push(`  ${f.n}× ${(f.us / 1000).toFixed(1)} ms  ${what}`);
  }
  return lines;
}

/** The script frame that forced a layout, when the trace has the stack. */
function forcedBy(e) {
  const st = e.args?.beginData?.stackTrace ?? e.args?.data?.stackTrace;
  const top = Array.isArray(st) ? st[0] : null;
  if (!top) return '(no stack)';
  return `${top.functionName || '(anonymous)'} ${String(top.url).split('/').pop()}:${top.lineNumber}`;
}

/** Starts sampling the page's script; returns a function that stops it and gives lines (self time by function). */
export async function startCpuProfile(cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async (frames) => {
    const { profile } = await cdp.send('Profiler.stop');
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < profile.samples.length; i += 1) {
      const n = byId.get(profile.samples[i]);
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`.trim();
      self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
    }
    const lines = ['cpu profile: self time by function (top 25)'];
    for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      lines.push(`  ${(us / 1000 / frames).toFixed(3).padStart(7)} ms/frame  ${key}`);
    }
    return lines;
  };
}
