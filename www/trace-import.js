// A trace file (a simulated run exported, or a real cluster's merged by
// `quorumscope merge`) read back by the core's own reader, which names the
// line that is wrong, and played on the picture with the transport: the
// app drives a replay of it (www/trace-replay.js, loaded on demand) in
// place of a simulator.

/** Traces are longer than scenarios: a 10,000-step run is a few megabytes. */
const MAX_TRACE_BYTES = 20_000_000;

/** Returns `importTrace(file, label)`, which puts the trace on the picture. */
export function mountTraceImport(ctx) {
  const { app, host, say, fail } = ctx;
  return async (file, label) => {
    if (file.size > MAX_TRACE_BYTES) {
      fail(`Could not import ${label}: it is ${Math.round(file.size / 1e6)} MB; a trace file is at most ${MAX_TRACE_BYTES / 1e6} MB.`);
      return;
    }
    let replay;
    try {
      const { replayTrace } = await import('./trace-replay.js');
      replay = await replayTrace(await file.text(), `Imported trace ${label}`);
    } catch (e) {
      fail(`Could not import ${label}: ${e?.message ?? e}`);
      return;
    }
    app.adopt(replay);
    // The transport scrubs over the steps a run has reached: visit the end
    // once, so that the whole trace is on the scrubber from the start.
    app.seek(replay.lastStep());
    app.seek(0);
    host.showError(null);
    say(`Imported ${label}: ${replay.events.length} trace events. Play, step or scrub to watch it; it takes no commands.`);
  };
}
