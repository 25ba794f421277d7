// The model side of the page: one simulator (the real Rust core in wasm),
// its trace, playback, and the commands the controls send. Renderers
// subscribe to `update`; nothing here touches the DOM beyond dispatching
// events on the host element.
import { loadWasm } from './wasm.js';

/** Event kinds that are worth marking on the timeline and pausing on. */
export const PAUSE_KINDS = {
  refusal: ['vote_refused', 'probe_refused'],
  leader: ['leader_elected', 'leader_deposed'],
  handover: ['handover_phase', 'handover_outcome'],
  violation: ['violation'],
};

/** Most steps one animation frame may take, so a frame stays short. */
const MAX_STEPS_PER_FRAME = 2000;
/**
 * Trace events the page keeps, the newest: enough for the narration, the
 * tour and the picture's marks, and a bound on the JS heap however long a
 * run plays. The core keeps more and re-derives older ones when a seek
 * goes back to them (see `seek`).
 */
export const TRACE_WINDOW = 20_000;
/**
 * Replays longer than this many steps run in slices between frames, with
 * progress and a Cancel (`seekGradually`): at about 10 µs a step on a small
 * cluster, shorter ones stay under a frame's budget or near it.
 */
export const LONG_REPLAY_STEPS = 5_000;
/** Time one slice of a long replay may take before the page gets a frame. */
const SLICE_MS = 30;

export class App {
  /**
   * @param {HTMLElement} host element that receives qs-* DOM events
   */
  constructor(host) {
    this.host = host;
    this.cluster = null;
    this.bindings = null;
    this.state = null;
    /** The newest events (at most about 1.5 × TRACE_WINDOW), in order. */
    this.trace = [];
    /** Events the run has produced up to the current step: the position just after `trace`'s last. */
    this.traceEnd = 0;
    this.scenario = null;
    /** The built-in scenario's name, or null for a custom or imported one. */
    this.scenarioName = null;
    this.playing = false;
    this.ticksPerSecond = 8;
    this.virtualTick = 0;
    this.pauseOn = new Set(['violation']);
    this.listeners = new Map();
    this.frame = 0;
    this.lastFrameTime = 0;
    this.error = null;
    /** A long replay under way ({target}; see seekGradually), or null. */
    this.replay = null;
    /** Scrolled out of view (set by the element): playing, but no frames run. */
    this.offscreen = false;
    this.onVisibility = () => {
      if (document.hidden) this.stopLoop();
      else if (this.playing) this.startLoop();
    };
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  /** Subscribes `fn` to `name` (`update`, `events`, `error`, `play`); returns an unsubscribe. */
  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
    return () => this.listeners.get(name).delete(fn);
  }

  emit(name, payload) {
    for (const fn of this.listeners.get(name) ?? []) fn(payload);
  }

  /** Loads a built-in scenario by name, or a scenario object / JSON text. Throws a readable Error. */
  async load(source) {
    this.bindings ??= await loadWasm();
    const { Cluster } = this.bindings;
    let cluster;
    const builtin = typeof source === 'string' && !source.trim().startsWith('{');
    try {
      if (builtin) cluster = Cluster.builtin(source);
      else cluster = Cluster.fromScenario(typeof source === 'string' ? source : JSON.stringify(source));
    } catch (e) {
      throw new Error(messageOf(e));
    }
    this.adopt(cluster, builtin ? source : null);
    return this.scenario;
  }

  /**
   * Puts `cluster` in charge: a simulator, or anything with its methods
   * (a recorded trace's replay, www/trace-replay.js). `name` is the
   * built-in scenario's.
   */
  adopt(cluster, name = null) {
    this.pause();
    this.stopReplay();
    this.cluster?.free();
    this.cluster = cluster;
    this.scenario = cluster.scenario();
    this.scenarioName = name;
    this.trace = [];
    this.traceEnd = 0;
    this.virtualTick = 0;
    this.refresh([]);
  }

  /** The built-in library: [{name, title, explain, pauses}]. */
  async library() {
    this.bindings ??= await loadWasm();
    return this.bindings.Cluster.library();
  }

  refresh(events) {
    this.state = this.cluster.state();
    if (events.length) {
      this.appendTrace(events);
      for (const e of events) this.dispatch(e);
      this.emit('events', events);
    }
    this.emit('update', this.state);
  }

  /** The run-wide position of `trace[0]`: it moves when old events leave the window. */
  get traceStart() {
    return this.traceEnd - this.trace.length;
  }

  /**
   * Adds events to the kept window, one by one: a spread of a long list
   * (a far jump) would exceed the call stack. Past the window, the oldest
   * go in one batch and `trim` tells readers that positions moved.
   */
  appendTrace(events) {
    for (const e of events) this.trace.push(e);
    this.traceEnd += events.length;
    if (this.trace.length > TRACE_WINDOW * 1.5) {
      this.trace = this.trace.slice(-TRACE_WINDOW);
      this.emit('trim');
    }
  }

  dispatch(e) {
    const fire = (type) => this.host.dispatchEvent(new CustomEvent(type, { detail: e, bubbles: true, composed: true }));
    fire('qs-event');
    if (e.kind === 'violation') fire('qs-violation');
    if (e.kind === 'leader_elected') fire('qs-leader');
  }

  /** One step (a tick or a delivery). */
  step() {
    this.stopReplay();
    const events = this.cluster.step();
    this.virtualTick = this.cluster.state().tick;
    this.refresh(events);
    return events;
  }

  /** Steps until the clock moves one tick. */
  stepTick() {
    this.stopReplay();
    const events = this.cluster.stepTick(MAX_STEPS_PER_FRAME);
    this.refresh(events);
    this.virtualTick = this.state.tick;
    return events;
  }

  /** One step back (restores a checkpoint and replays). */
  back() {
    this.seek(Math.max(0, this.cluster.stepCount() - 1));
  }

  /** Moves to the state after `step` steps. */
  seek(step) {
    this.stopReplay();
    this.cluster.seek(step);
    const count = this.cluster.stepCount();
    const end = this.cluster.traceLength();
    // Keep what is still before `count`; read the rest (at most the window) from the core.
    let keep = this.trace.length;
    while (keep > 0 && this.trace[keep - 1].step >= count) keep -= 1;
    // The position just after what is kept; with nothing kept (a jump back
    // before the whole window), everything is read anew.
    const have = keep ? this.traceStart + keep : -1;
    const from = Math.max(have, end - TRACE_WINDOW, this.cluster.traceBase());
    // Always a new array: readers tell a seek's trace from a grown one by identity.
    const trace = from > have ? [] : this.trace.slice(0, keep);
    for (const e of this.cluster.traceFrom(from)) trace.push(e);
    this.trace = trace.length > TRACE_WINDOW ? trace.slice(-TRACE_WINDOW) : trace;
    this.traceEnd = end;
    this.state = this.cluster.state();
    this.virtualTick = this.state.tick;
    this.emit('seek', count);
    this.emit('update', this.state);
  }

  /**
   * Moves to the state after `step` steps as `seek` does, but a long replay
   * (history re-derived from a checkpoint, or a run far ahead) goes in
   * slices between frames, emitting `replay` ({done, total, target}, then
   * null at the end) so that the page stays responsive, shows progress and
   * can stop it (`stopReplay`). Resolves to true once there, false when
   * stopped first (by Cancel, another seek, a step, a command or a new
   * scenario); the page is at a consistent step either way.
   */
  async seekGradually(step) {
    this.stopReplay();
    const cluster = this.cluster;
    // Back: restore the checkpoint at or before `step`; the rest is replay.
    if (step < cluster.stepCount()) cluster.rewind(step);
    const start = cluster.stepCount();
    if (step - start <= LONG_REPLAY_STEPS) {
      this.seek(step);
      return true;
    }
    this.pause();
    const job = { target: step };
    this.replay = job;
    let batch = 500;
    for (;;) {
      const at = cluster.stepCount();
      this.emit('replay', { done: at - start, total: step - start, target: step });
      if (at >= step) break;
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.replay !== job || this.cluster !== cluster) return false;
      const t0 = performance.now();
      cluster.runSteps(Math.min(batch, step - at));
      // Slices sized to take about SLICE_MS, whatever the cluster's size.
      const took = Math.max(1, performance.now() - t0);
      batch = Math.round(Math.min(100_000, Math.max(50, (batch * SLICE_MS) / took)));
    }
    this.stopReplay();
    return true;
  }

  /** Stops a long replay where it got (the picture, trace and timeline follow the core there). */
  stopReplay() {
    if (!this.replay) return;
    this.replay = null;
    this.emit('replay', null);
    if (this.cluster) this.seek(this.cluster.stepCount());
  }

  /** Runs an operator command (`{do: 'crash', node: 2}`); throws a readable Error and changes nothing on failure. */
  command(command) {
    this.stopReplay();
    let events;
    try {
      events = this.cluster.command(command);
    } catch (e) {
      const error = new Error(messageOf(e));
      this.emit('error', error);
      throw error;
    }
    this.refresh(events);
    this.emit('command', command);
    return events;
  }

  play() {
    if (this.playing || !this.cluster) return;
    this.stopReplay();
    this.playing = true;
    this.emit('play', true);
    this.startLoop();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.stopLoop();
    this.emit('play', false);
  }

  /** The element scrolled out of view (true) or back (false): frames stop and resume, `playing` stays. */
  setOffscreen(offscreen) {
    this.offscreen = offscreen;
    if (offscreen) this.stopLoop();
    else if (this.playing) this.startLoop();
  }

  /** Schedules the next frame; `fresh` restarts the clock (after a pause), while a running loop keeps it so that each frame's own work time counts. */
  startLoop(fresh = true) {
    if (this.frame || document.hidden || this.offscreen) return;
    if (fresh) this.lastFrameTime = performance.now();
    this.frame = requestAnimationFrame((t) => this.tickFrame(t));
  }

  stopLoop() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  /** Advances virtual time by the frame's share and steps the simulator up to it. */
  tickFrame(now) {
    this.frame = 0;
    if (!this.playing) return;
    const dt = Math.min(0.25, (now - this.lastFrameTime) / 1000);
    this.lastFrameTime = now;
    this.virtualTick += dt * this.ticksPerSecond;
    const events = [];
    let steps = 0;
    while (steps < MAX_STEPS_PER_FRAME && this.cluster.nextStepTick() <= this.virtualTick) {
      const stepEvents = this.cluster.step();
      for (const e of stepEvents) events.push(e);
      steps += 1;
      if (stepEvents.some((e) => this.shouldPauseOn(e))) {
        this.playing = false;
        break;
      }
    }
    this.refresh(events);
    if (this.playing) this.startLoop(false);
    else this.emit('play', false);
  }

  shouldPauseOn(e) {
    for (const group of this.pauseOn) if (PAUSE_KINDS[group]?.includes(e.kind)) return true;
    return false;
  }

  /** Releases the simulator and listeners. */
  destroy() {
    this.pause();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.cluster?.free();
    this.cluster = null;
    this.listeners.clear();
  }
}

/** The message of a thrown wasm error or JS error, as plain text. */
export function messageOf(e) {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return String(e?.message ?? e);
}
