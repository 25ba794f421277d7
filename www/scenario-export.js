// Files out of the page: the scenario with the operator's actions folded
// into its script, and a download helper.

/**
 * The loaded scenario with the operator's commands appended as script
 * steps at the tick each was given (found by replaying a copy of the run).
 * A command given between deliveries of a tick runs at the start of that
 * tick when the file is replayed.
 */
export function scenarioWithActions(app) {
  const scenario = structuredClone(app.scenario);
  const inputs = app.cluster.inputs();
  if (!inputs.length) return scenario;
  const copy = app.bindings.Cluster.fromScenario(JSON.stringify(app.scenario));
  const steps = [];
  try {
    for (const [at, command] of inputs) {
      copy.seek(at);
      const { tick } = copy.state();
      copy.command(command);
      steps.push({ at: tick, ...command });
    }
  } finally {
    copy.free();
  }
  const script = [...(scenario.script ?? []), ...steps];
  // Stable by tick: the scenario's own steps first at equal ticks, as they ran.
  scenario.script = script.map((s, i) => [s, i]).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map(([s]) => s);
  const lastTick = steps[steps.length - 1].at;
  scenario.run_until = Math.max(scenario.run_until ?? 0, lastTick + 100);
  return scenario;
}

/** A file-name-safe form of a title. */
export function slug(text) {
  const s = String(text ?? 'scenario').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  return s || 'scenario';
}

/** Offers `text` as a download named `filename`. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
