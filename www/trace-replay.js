// A recorded trace (a real cluster's, merged by `quorumscope merge`) played
// on the picture with the simulator's interface, so that the app, the
// transport and the narration drive it as they drive a simulation. The
// picture at each position is folded from the trace's facts by the core's
// `Replay` (src/sim/replay.rs), in the lab module (www/lab.js); this module
// only groups events into steps. Loaded on demand, the first time a trace
// is imported, with the lab module.
import { loadLab } from './lab.js';

/** What the node menu and the operator controls are told. */
const RECORD_ONLY = 'An imported trace is a record of what happened: it plays back but takes no commands. Load a scenario to experiment.';

/** The first index in `events` (sorted by step) whose step is at least `step`. */
function firstAtOrAfter(events, step) {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].step < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A replay of `text` (JSON lines; a bad line throws, naming it) titled `title`. */
export async function replayTrace(text, title) {
  return new TraceReplay(await loadLab(), text, title);
}

export class TraceReplay {
  /**
   * @param {object} bindings the lab module's bindings (its `Replay` class)
   * @param {string} text the trace, JSON lines; a bad line throws, naming it
   * @param {string} title shown as the scenario's title
   */
  constructor(bindings, text, title) {
    this.replay = bindings.Replay.fromTrace(text);
    this.events = this.replay.events();
    this.text = text;
    /** Events played: the picture is the one after `events[pos - 1]`. */
    this.pos = 0;
    this.title = title;
    this.explain = `A recorded trace of ${this.events.length} events: play, step and scrub through it. `
      + 'The picture shows what its lines state (roles, terms, logs, commits, messages, crashes); it cannot be changed.';
  }

  scenario() {
    return { title: this.title, explain: this.explain, pauses: [] };
  }

  /** The number of steps played: one past the last played event's step. */
  stepCount() {
    return this.pos === 0 ? 0 : this.events[this.pos - 1].step + 1;
  }

  /** The events of the next step (one step may hold several), played. */
  step() {
    if (this.pos >= this.events.length) return [];
    const { step } = this.events[this.pos];
    let end = this.pos;
    while (end < this.events.length && this.events[end].step === step) end += 1;
    const played = this.events.slice(this.pos, end);
    this.moveTo(end);
    return played;
  }

  /** Plays steps until the clock moves (or `maxSteps`). */
  stepTick(maxSteps) {
    const start = this.pos;
    const tick = this.events[this.pos]?.tick;
    for (let n = 0; n < maxSteps && this.pos < this.events.length; n++) {
      if (this.events[this.pos].tick !== tick) break;
      this.step();
    }
    return this.events.slice(start, this.pos);
  }

  /** The tick of the next step; past the end, never. */
  nextStepTick() {
    return this.events[this.pos]?.tick ?? Infinity;
  }

  seek(step) {
    this.moveTo(firstAtOrAfter(this.events, step));
  }

  moveTo(pos) {
    this.pos = pos;
    this.replay.seek(pos);
  }

  state() {
    return this.replay.state();
  }

  traceFrom(from) {
    return this.events.slice(from, this.pos);
  }

  traceLength() {
    return this.pos;
  }

  traceBase() {
    return 0;
  }

  /** The last step of the trace, for scrubbing to the end. */
  lastStep() {
    return this.events.length ? this.events[this.events.length - 1].step + 1 : 0;
  }

  inputs() {
    return [];
  }

  command() {
    throw new Error(RECORD_ONLY);
  }

  exportTrace() {
    return this.text;
  }

  free() {
    this.replay.free();
  }
}
