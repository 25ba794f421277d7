// The one difference of a comparison: a patch of scenario fields, applied
// to run A's scenario to make run B's. Generic, so that any field the
// scenario reads can be the difference (a switch, a timeout range, a
// member's kind, `cluster.disk_ticks`, …); the core then validates B as it
// validates any file, and its error names the field.
//
// The rules (a JSON merge patch, RFC 7386, plus one for lists of members):
//   - an object merges field by field: {"switches": {"pre_vote": false}};
//   - null removes a field (it takes its default again);
//   - a list of objects merges item by item, {} leaving an item as it is:
//     {"cluster": {"members": [{}, {}, {"kind": "witness"}]}};
//   - anything else replaces: {"cluster": {"election_ticks": [10, 10]}}.

/** Longest patch accepted, in characters (a difference, not a scenario). */
const MAX_PATCH = 20_000;

/** Reads a patch from JSON text or an object: {value} or {error} (a readable message). */
export function readPatch(raw) {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.length > MAX_PATCH) return { error: `The difference is ${raw.length} characters long; at most ${MAX_PATCH}.` };
    if (!raw.trim()) return { error: 'The difference is empty: give the scenario fields B changes, such as {"switches":{"pre_vote":false}}.' };
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return { error: `The difference is not valid JSON (${e.message}).` };
    }
  }
  if (!isObject(value)) return { error: 'The difference must be a JSON object of scenario fields, such as {"switches":{"pre_vote":false}}.' };
  if (!Object.keys(value).length) return { error: 'The difference is {}: it changes nothing.' };
  return { value };
}

/** `base` with `patch` applied (neither is modified). */
export function applyPatch(base, patch) {
  if (Array.isArray(patch) && Array.isArray(base) && patch.every(isObject)) {
    return patch.map((item, i) => (isObject(base[i]) ? applyPatch(base[i], item) : item))
      .concat(base.slice(patch.length));
  }
  if (!isObject(patch)) return patch;
  const out = isObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyPatch(out[key], value);
  }
  return out;
}

/** The patch as `path = value` lines, for a label: "switches.pre_vote = false". */
export function describePatch(patch, path = '') {
  if (Array.isArray(patch) && patch.every(isObject)) {
    return patch.flatMap((item, i) => describePatch(item, `${path}[${i}]`));
  }
  if (!isObject(patch)) return [`${path} = ${JSON.stringify(patch)}`];
  return Object.entries(patch).flatMap(([k, v]) => describePatch(v, path ? `${path}.${k}` : k));
}

/**
 * Differences worth trying on `scenario`, each [label, patch]: every switch
 * flipped, the election timeout without randomness (or back to the
 * default), each member's kind swapped.
 */
export function suggestions(scenario) {
  const out = [];
  for (const [name, on] of Object.entries(scenario.switches ?? {})) {
    out.push([`${name} ${on ? 'off' : 'on'}`, { switches: { [name]: !on } }]);
  }
  const [min, max] = scenario.cluster?.election_ticks ?? [10, 20];
  const ticks = min === max ? [10, 20] : [min, min];
  out.push([`election timeout [${ticks.join(', ')}]${min === max ? '' : ' (no randomness)'}`,
    { cluster: { election_ticks: ticks } }]);
  const members = scenario.cluster?.members ?? [];
  members.forEach((m, i) => {
    const kind = m.kind === 'witness' ? 'data' : 'witness';
    const patch = members.slice(0, i).map(() => ({}));
    patch.push({ kind });
    out.push([`node ${m.id} a ${kind} member`, { cluster: { members: patch } }]);
  });
  return out;
}

function isObject(x) {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
