// A trace file read back (by the core's own reader, which names the line
// that is wrong) and shown read-only as narration lines under the header.
import { el } from './dom.js';

/** Traces are longer than scenarios: a 10,000-step run is a few megabytes. */
const MAX_TRACE_BYTES = 20_000_000;
/** Lines the trace viewer renders (the count of the rest is shown). */
const TRACE_LINES_SHOWN = 2000;

/** Returns `importTrace(file, label)`, showing the trace in `ctx.container`. */
export function mountTraceImport(ctx) {
  const { app, host, container, listen, say, fail } = ctx;
  let traceView = null;
  const importTrace = async (file, label) => {
    if (file.size > MAX_TRACE_BYTES) {
      fail(`Could not import ${label}: it is ${Math.round(file.size / 1e6)} MB; a trace file is at most ${MAX_TRACE_BYTES / 1e6} MB.`);
      return;
    }
    let events;
    try {
      // The core's own reader validates every line (kind, fields) and names
      // the line that is wrong.
      events = app.bindings.importTrace(await file.text());
    } catch (e) {
      fail(`Could not import ${label}: ${e?.message ?? e}`);
      return;
    }
    traceView?.remove();
    const close = el('button', { type: 'button', text: 'Close' });
    const list = el('ol', { class: 'qs-set-trace-lines' });
    for (const e of events.slice(0, TRACE_LINES_SHOWN)) {
      list.append(el('li', { text: `step ${e.step} · tick ${e.tick} · ${e.text}` }));
    }
    const more = events.length > TRACE_LINES_SHOWN ? ` (the first ${TRACE_LINES_SHOWN} shown)` : '';
    traceView = el('section', { class: 'qs-set-trace', 'aria-label': 'Imported trace' },
      el('div', { class: 'qs-set-trace-head' },
        el('strong', { text: `Imported trace ${label}: ${events.length} events${more}` }), close),
      list);
    container.append(traceView);
    listen(close, 'click', () => {
      traceView?.remove();
      traceView = null;
    });
    host.showError(null);
    say(`Imported ${label}: ${events.length} trace events, shown read-only below the header.`);
  };

  // ---- Back and forward through scenarios --------------------------------
  return importTrace;
}
