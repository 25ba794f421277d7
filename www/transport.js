// The transport bar: play/pause, step, tick, back, speed, a timeline you
// can scrub (with markers for elections, refusals, handovers and
// violations, timeline-markers.js), "pause on" switches, a client write and
// the step/tick readout. Seeking forward replays deterministically, so the
// recorded future stays scrubbable until an operator command in the past
// forks it.
import { messageOf } from './app.js';
import { el, setText } from './dom.js';
import { markerLegend, timelineMarkers } from './timeline-markers.js';

/** Playback speeds offered, in ticks per second. */
export const SPEEDS = [1, 2, 4, 8, 16, 32, 64];

const PAUSE_GROUPS = [
  ['refusal', 'refusal', 'a vote or probe is refused'],
  ['leader', 'leader change', 'a leader is elected or deposed'],
  ['handover', 'handover phase', 'a handover moves to its next phase or ends'],
  ['violation', 'violation', 'a safety property is broken'],
];

const writeCounters = new WeakMap();

/**
 * Sends one client write `you=N` to the leader, N counting from 1 per
 * scenario: the user's own key, so the first write is `you=1` whatever the
 * script wrote (a scripted `x=1` made it `x=2`, which read as a mistake).
 */
export function clientWrite(app) {
  let entry = writeCounters.get(app);
  if (!entry || entry.scenario !== app.scenario) {
    entry = { scenario: app.scenario, n: 1 };
    writeCounters.set(app, entry);
  }
  const events = app.command({ do: 'write', value: `you=${entry.n}` });
  entry.n += 1;
  return events;
}

/** Sets the playback speed and tells the other controls (`qs-speed` on the host). */
export function setSpeed(app, host, ticksPerSecond) {
  app.ticksPerSecond = ticksPerSecond;
  host.dispatchEvent(new CustomEvent('qs-speed', { detail: ticksPerSecond }));
}

/** The next faster (`dir` 1) or slower (-1) speed from the list. */
export function nextSpeed(current, dir) {
  if (dir > 0) return SPEEDS.find((s) => s > current) ?? SPEEDS[SPEEDS.length - 1];
  return [...SPEEDS].reverse().find((s) => s < current) ?? SPEEDS[0];
}

const SVG = 'http://www.w3.org/2000/svg';
const ICON_PATHS = {
  play: 'M4 2.5v11l9-5.5z',
  pause: 'M3.5 2.5h3.2v11H3.5zM9.3 2.5h3.2v11H9.3z',
  step: 'M2.5 2.5v11l7.5-5.5zM11 2.5h2.5v11H11z',
  back: 'M13.5 2.5v11L6 8zM2.5 2.5H5v11H2.5z',
  write: 'M2 11.5V14h2.5l7.4-7.4-2.5-2.5zM13.7 4.8a.7.7 0 0 0 0-1l-1.5-1.5a.7.7 0 0 0-1 0L10 3.5 12.5 6z',
};

/** A 16×16 icon drawn with a path (fonts lack some media glyphs). */
function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'qs-tp-icon');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICON_PATHS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

/**
 * Runs control actions, showing a failure with `host.showError` and
 * taking that message down again after the next success or once the
 * simulation moves on. Returns {run(fn), off()}.
 */
export function errorReporter(app, host) {
  let shown = null; // {message, step}
  const box = () => host.shadowRoot?.querySelector('.qs-error');
  const clear = () => {
    if (shown && box()?.textContent === shown.message) host.showError(null);
    shown = null;
  };
  const off = app.on('update', (state) => {
    if (shown && state?.step !== shown.step) clear();
  });
  return {
    run(fn, ...args) {
      try {
        const result = fn(...args);
        clear();
        return result;
      } catch (e) {
        const message = messageOf(e);
        host.showError(message);
        shown = { message, step: app.state?.step };
        return undefined;
      }
    },
    off,
  };
}

export function mountTransport(container, app, host) {
  const minimal = host.controlsLevel === 'minimal';
  const offs = [];
  const errors = errorReporter(app, host);
  offs.push(errors.off);
  const guard = (fn) => (...args) => errors.run(fn, ...args);

  const listen = (node, type, fn) => {
    node.addEventListener(type, fn);
    offs.push(() => node.removeEventListener(type, fn));
  };

  // --- buttons -------------------------------------------------------
  const playBtn = el('button', { type: 'button', class: 'qs-tp-play', 'aria-label': 'Play', 'aria-pressed': 'false',
    title: 'Play / pause (Space)' });
  const playIcon = icon('play');
  const pauseIcon = icon('pause');
  const playText = el('span', { class: 'qs-tp-label' });
  playBtn.append(playIcon, pauseIcon, playText);
  const stepBtn = el('button', { type: 'button', title: 'One step: a timer tick or one message delivery (→)' },
    icon('step'), el('span', { class: 'qs-tp-label', text: 'Step' }));
  stepBtn.setAttribute('aria-label', 'Step: one event');
  const tickBtn = el('button', { type: 'button', title: 'Run until the clock advances one tick (Shift+→)' },
    el('span', { class: 'qs-tp-label', text: '+1 tick' }));
  const backBtn = el('button', { type: 'button', title: 'One step back (←)' },
    icon('back'), el('span', { class: 'qs-tp-label', text: 'Back' }));
  backBtn.setAttribute('aria-label', 'Step back');

  const speedSel = el('select', { class: 'qs-tp-speed', title: 'Playback speed (+ / −)' });
  for (const s of SPEEDS) speedSel.append(el('option', { value: String(s), text: `${s} tick${s === 1 ? '' : 's'}/s` }));
  const speedLabel = el('label', { class: 'qs-tp-speedlabel' }, el('span', { text: 'Speed' }), speedSel);

  const writeBtn = el('button', { type: 'button', class: 'qs-tp-write', title: 'Send a client write you=N to the leader (w)' },
    icon('write'), el('span', { class: 'qs-tp-label', text: 'Client write' }));
  const helpBtn = el('button', { type: 'button', class: 'qs-tp-keys', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts' },
    el('span', { 'aria-hidden': 'true', text: '⌨ ?' }));

  const readStep = el('span', { class: 'qs-tp-num' });
  const readTick = el('span', { class: 'qs-tp-num' });
  const pastBadge = el('span', { class: 'qs-tp-past', hidden: true });
  const readout = el('div', { class: 'qs-tp-readout',
    title: 'Steps taken so far. Events are numbered from 0, as in the trace: the event at step N shows once this reads N + 1.' },
  'step ', readStep, el('span', { class: 'qs-tp-dot', text: ' · ' }), 'tick ', readTick, pastBadge);

  const buttons = el('div', { class: 'qs-tp-buttons', role: 'group', 'aria-label': 'Playback' }, playBtn, stepBtn);
  if (!minimal) buttons.append(tickBtn);
  buttons.append(backBtn);

  const bar = el('div', { class: 'qs-tp-bar' }, buttons);
  if (!minimal) bar.append(speedLabel, writeBtn);
  bar.append(readout);
  if (!minimal) bar.append(helpBtn);

  // --- timeline ------------------------------------------------------
  const range = el('input', { type: 'range', class: 'qs-tp-range', min: '0', max: '0', value: '0', step: '1',
    'aria-label': 'Timeline (step)' });
  let maxStep = 0;
  const markers = timelineMarkers(app, {
    recordedSteps: () => maxStep,
    seek: guard((step) => {
      app.pause();
      app.seekGradually(step);
    }),
    listen,
  });
  const timeline = el('div', { class: 'qs-tp-timeline' }, markers.box, range);
  const legend = markerLegend();
  if (!minimal) offs.push(markers.observeWidth(timeline));

  const pauseBox = el('fieldset', { class: 'qs-tp-pauseon' }, el('legend', { text: 'Pause on' }));
  const pauseChecks = new Map();
  for (const [group, label, why] of PAUSE_GROUPS) {
    const box = el('input', { type: 'checkbox', checked: app.pauseOn.has(group) });
    box.dataset.group = group;
    pauseChecks.set(group, box);
    pauseBox.append(el('label', { title: `Pause when ${why}` }, box, el('span', { text: label })));
  }

  const root = el('div', { class: 'qs-tp' }, bar);
  if (!minimal) root.append(timeline, el('div', { class: 'qs-tp-under' }, legend, pauseBox));
  container.replaceChildren(root);

  // --- model ----------------------------------------------------------
  let scenario = null;
  let inputsSig = null;

  const curStep = () => app.state?.step ?? 0;

  const inputsSignature = () => {
    try {
      return JSON.stringify(app.cluster?.inputs() ?? []);
    } catch {
      return null;
    }
  };

  const reset = () => {
    scenario = app.scenario;
    maxStep = curStep();
    markers.rebuild();
    inputsSig = null;
    for (const [group, box] of pauseChecks) box.checked = app.pauseOn.has(group);
  };

  // --- rendering ------------------------------------------------------
  let buttonsKey = '';
  const renderButtons = () => {
    const playing = app.playing;
    const ready = !!app.cluster;
    // Playback calls this on every frame; the buttons change far less often.
    const key = `${playing}|${ready}|${curStep() === 0}`;
    if (key === buttonsKey) return;
    buttonsKey = key;
    playBtn.setAttribute('aria-pressed', String(playing));
    playIcon.style.display = playing ? 'none' : '';
    pauseIcon.style.display = playing ? '' : 'none';
    playText.textContent = playing ? 'Pause' : 'Play';
    for (const b of [playBtn, stepBtn, tickBtn, backBtn, writeBtn]) b.disabled = !ready;
    backBtn.disabled = !ready || curStep() === 0;
  };

  const renderSpeed = () => {
    const v = String(app.ticksPerSecond);
    if (![...speedSel.options].some((o) => o.value === v)) {
      speedSel.append(el('option', { value: v, text: `${v} ticks/s` }));
    }
    speedSel.value = v;
  };

  const renderTimeline = () => {
    if (minimal) return;
    const step = curStep();
    range.max = String(Math.max(1, maxStep));
    range.value = String(step);
    range.setAttribute('aria-valuetext', `step ${step} of ${maxStep} recorded, tick ${app.state?.tick ?? 0}`);
    const now = String(step / Math.max(1, maxStep));
    if (range.style.getPropertyValue('--qs-tp-now') !== now) range.style.setProperty('--qs-tp-now', now);
    markers.render();
  };

  const render = () => {
    const s = app.state;
    setText(readStep, String(s?.step ?? 0));
    setText(readTick, String(s?.tick ?? 0));
    const ahead = s ? maxStep - s.step : 0;
    pastBadge.hidden = ahead <= 0;
    if (ahead > 0) {
      pastBadge.textContent = `${ahead} ahead`;
      pastBadge.title = `The run is recorded ${ahead} step${ahead === 1 ? '' : 's'} further: Step and Play replay it. `
        + 'A command here starts a new future instead (the recorded steps are dropped).';
    }
    renderButtons();
    renderTimeline();
  };

  // --- model updates --------------------------------------------------
  offs.push(app.on('events', (events) => {
    if (app.scenario !== scenario) return; // handled by the update that follows
    markers.add(events, maxStep);
  }));

  offs.push(app.on('update', () => {
    if (app.scenario !== scenario) reset();
    const step = curStep();
    if (step < maxStep) {
      const sig = inputsSignature();
      if (inputsSig !== null && sig !== null && sig !== inputsSig) {
        // An operator command in the past: the recorded future is gone.
        maxStep = step;
        markers.rebuild();
      }
      inputsSig = sig;
    } else {
      inputsSig = null;
    }
    maxStep = Math.max(maxStep, step);
    render();
  }));

  offs.push(app.on('seek', (count) => {
    if (app.scenario !== scenario) reset();
    if (count > maxStep) {
      markers.add(app.trace, maxStep);
      maxStep = count;
    }
    inputsSig = count < maxStep ? inputsSignature() : null;
  }));

  offs.push(app.on('play', renderButtons));

  // A long replay (App.seekGradually): how far it got, and a way to stop it.
  let replayBox = null;
  offs.push(app.on('replay', (p) => {
    if (!replayBox && p) {
      const meter = el('progress', { class: 'qs-tp-replaybar', max: '1', value: '0', 'aria-label': 'Replay progress' });
      const text = el('span', { class: 'qs-tp-replaytext' });
      const cancel = el('button', { type: 'button', class: 'qs-tp-replaycancel', text: 'Cancel' });
      cancel.addEventListener('click', () => app.stopReplay());
      replayBox = { row: el('div', { class: 'qs-tp-replay', role: 'status' }, text, meter, cancel), meter, text };
      root.insertBefore(replayBox.row, bar.nextSibling);
    }
    if (!replayBox) return;
    replayBox.row.hidden = !p;
    if (!p) return;
    replayBox.meter.value = p.total ? p.done / p.total : 0;
    setText(replayBox.text, `Replaying history to step ${p.target}: ${Math.floor((100 * p.done) / Math.max(1, p.total))}%`);
  }));

  const onSpeed = () => renderSpeed();
  host.addEventListener('qs-speed', onSpeed);
  offs.push(() => host.removeEventListener('qs-speed', onSpeed));

  // --- controls ---------------------------------------------------------

  listen(playBtn, 'click', guard(() => (app.playing ? app.pause() : app.play())));
  listen(stepBtn, 'click', guard(() => {
    app.pause();
    app.step();
  }));
  listen(tickBtn, 'click', guard(() => {
    app.pause();
    app.stepTick();
  }));
  listen(backBtn, 'click', guard(() => {
    app.pause();
    app.back();
  }));
  listen(speedSel, 'change', guard(() => setSpeed(app, host, Number(speedSel.value))));
  listen(writeBtn, 'click', guard(() => clientWrite(app)));
  listen(helpBtn, 'click', () => host.dispatchEvent(new CustomEvent('qs-help-toggle')));
  listen(range, 'input', guard(() => {
    app.pause();
    app.seekGradually(Number(range.value));
  }));
  for (const box of pauseChecks.values()) {
    listen(box, 'change', () => {
      if (box.checked) app.pauseOn.add(box.dataset.group);
      else app.pauseOn.delete(box.dataset.group);
    });
  }

  renderSpeed();
  if (app.state) reset();
  render();

  return () => {
    for (const off of offs) off();
    container.replaceChildren();
  };
}
