// Guided tours: a scenario's `pauses` ([{at?, on?, node?, step?, caption,
// highlight?}]) become moments. When a moment's event happens (or, for a
// tour written in the page, its step is reached) the simulation pauses
// exactly after it, a card says what to look at and a ring points at what
// the moment highlights. The card is a non-modal dialog: every other
// control keeps working while the tour runs. A reader who dismisses a tour
// is not offered one again unasked in that visit (another scenario loaded
// shows no intro card); the small "Guided tour" button starts it.
import { box as el } from './dom.js';
import { highlightRing } from './tour-highlight.js';
import { readable } from './narration.js';

const NODE_FIELDS = ['from', 'to', 'voter', 'candidate', 'node', 'by', 'nodes'];

function about(e, id) {
  return NODE_FIELDS.some((f) => (Array.isArray(e[f]) ? e[f].includes(id) : e[f] === id));
}

/** Whether event `e` is the moment `p` (a pause with `on`). */
export function matches(p, e) {
  if (p.on && e.kind !== p.on) return false;
  if (p.at != null && e.tick < p.at) return false;
  if (p.node != null && !about(e, p.node)) return false;
  return true;
}


function button(text, cls) {
  const b = el('button', cls, text);
  b.type = 'button';
  return b;
}

let uid = 0;

export function mountTour(container, app, host) {
  const offs = [];
  const id = `qs-tour-${(uid += 1)}`;

  // --- DOM ---------------------------------------------------------------
  const card = el('section', 'qs-tour-card');
  card.setAttribute('role', 'dialog');
  card.setAttribute('aria-modal', 'false');
  card.setAttribute('aria-labelledby', `${id}-h`);
  card.hidden = true;
  const kicker = el('div', 'qs-tour-kicker');
  const heading = el('h2', 'qs-tour-h');
  heading.id = `${id}-h`;
  const caption = el('p', 'qs-tour-caption');
  caption.tabIndex = 0; // it scrolls when long: keyboard users must reach it (axe: scrollable-region-focusable)
  caption.setAttribute('aria-live', 'polite');
  const event = el('p', 'qs-tour-event');
  const eventText = el('span', 'qs-tour-eventtext');
  event.append(eventText);
  const dots = el('div', 'qs-tour-dots');
  dots.setAttribute('aria-hidden', 'true');
  const actions = el('div', 'qs-tour-actions');
  const primary = button('', 'qs-tour-primary');
  const secondary = button('', 'qs-tour-secondary');
  const close = button('×', 'qs-tour-close');
  close.setAttribute('aria-label', 'Exit tour');
  close.title = 'Exit tour';
  actions.append(primary, secondary, dots);
  card.append(close, kicker, heading, caption, event, actions);

  // A one-line status while the tour waits for its next moment.
  const pill = el('div', 'qs-tour-pill');
  pill.hidden = true;
  const pillText = el('span', 'qs-tour-pilltext');
  const pillExit = button('Exit tour', 'qs-tour-pillexit');
  pill.append(el('span', 'qs-tour-pilldot'), pillText, pillExit);
  pill.setAttribute('role', 'status');

  // Once the tour is dismissed (or over), the way back to it.
  const reopen = button('Guided tour ▶', 'qs-tour-reopen');
  reopen.title = 'Start this scenario\'s guided tour from its beginning';
  reopen.hidden = true;

  container.replaceChildren(card, pill, reopen);
  const ring = highlightRing(host);

  // --- state ---------------------------------------------------------------
  let scenario = null;
  let pauses = [];
  let mode = 'off'; // off | intro | running | moment
  let next = 0; // index of the next moment to watch for
  let matchedAt = []; // step of the event that matched moment i
  let shown = -1; // moment on the card
  let dismissed = false; // the reader closed a tour: no intro card unasked for the rest of the visit

  const total = () => pauses.length;

  const renderDots = (current) => {
    const frag = document.createDocumentFragment();
    for (let i = 0; i < total(); i += 1) {
      const d = el('span', 'qs-tour-dot');
      if (i < current) d.dataset.state = 'done';
      if (i === current) d.dataset.state = 'now';
      frag.append(d);
    }
    dots.replaceChildren(frag);
  };

  // Places the card beside the ring, in the stage's free column or over the
  // logs (tour-place.js); where neither has room, over the top of the narration's list
  // (its newest lines, at the foot, stay visible; so do its filters) or,
  // without a narration, over the foot of the stage.
  const inFlow = host.controlsLevel !== 'full';
  let placer = null; // tour-place.js, or the promise of it
  if (inFlow) container.dataset.flow = 'true';
  const place = () => {
    ring.place();
    if (inFlow) return; // laid out in the flow, under the stage (tour.css)
    const shadow = host.shadowRoot;
    const visibleRect = (node) => {
      const r = node?.getBoundingClientRect();
      return r && r.width > 0 && r.height > 0 ? r : null;
    };
    const base = container.getBoundingClientRect();
    const body = visibleRect(shadow?.querySelector('.qs-nar-body'));
    const side = visibleRect(shadow?.querySelector('.qs-side'));
    const target = body ?? side ?? visibleRect(shadow?.querySelector('.qs-stage'));
    const ref = !reopen.hidden ? reopen : pill.hidden ? card : pill;
    if (ref === reopen) {
      // Small, beside the narration's title (over nothing), else in the stage's top left corner.
      const title = visibleRect(shadow?.querySelector('.qs-nar-title'));
      const at = title ? { left: title.right + 10, top: title.top + title.height / 2 - 11 } : { left: (target?.left ?? base.left) + 6, top: (target?.top ?? base.top) + 6 };
      ref.style.left = `${at.left - base.left}px`;
      ref.style.top = `${at.top - base.top}px`;
      return;
    }
    if (!target) {
      ref.style.left = '12px';
      ref.style.top = '12px';
      ref.style.width = '';
      return;
    }
    const width = Math.max(220, Math.min(target.width - 12, 440));
    // Never taller than the narration panel beside the picture (a long
    // explanation scrolls). Stacked under the picture (a phone), the card
    // takes the height its caption needs: a caption cut mid-sentence, with
    // a scroll bar a thumb cannot find, teaches nothing.
    const stage = visibleRect(shadow?.querySelector('.qs-stage'));
    const beside = side && stage && side.left >= stage.right - 1;
    if (beside && !placer) {
      // Loaded the first time a card shows beside the picture (start-up's
      // budget is full); placed again then, and hidden until then, so that it
      // is never seen, or clicked, where it will not stay.
      placer = import('./tour-place.js').then((m) => (placer = m), () => (placer = {})).then(place);
    }
    ref.style.visibility = beside && placer instanceof Promise ? 'hidden' : '';
    if (ref.style.visibility) return;
    if (!(beside && placer.placeBeside?.(ref, card, shadow, base))) {
      ref.style.width = `${width}px`;
      card.style.maxHeight = beside ? `${Math.max(160, side.height - 12)}px` : '';
      // Held to the panel's height, the caption gets the room first (tour-place.js).
      placer?.fitCaption?.(card, beside);
      const h = ref.offsetHeight;
      if (side) {
        // Below the narration's filters if it fits there; else higher up, but
        // never past the panel's foot (the transport is below it).
        const top = Math.max(side.top + 6, Math.min(target.top + 6, side.bottom - h - 6));
        ref.style.left = `${target.right - base.left - width - 6}px`;
        ref.style.top = `${top - base.top}px`;
      } else {
        ref.style.left = `${target.left - base.left + 6}px`;
        ref.style.top = `${Math.max(6, target.bottom - base.top - h - 6)}px`;
      }
    }
    caption.dataset.more = String(caption.scrollHeight > caption.clientHeight + 2);
  };

  // Whether the scenario's explanation is already on screen (the header may
  // show it); then the intro card does not repeat it.
  const explainShown = () => {
    const text = scenario?.explain;
    if (!text) return false;
    for (const sel of ['.qs-header', '.qs-banner']) {
      const node = host.shadowRoot?.querySelector(sel);
      if (!node || node.offsetParent === null || !node.textContent.includes(text)) continue;
      // The innermost element holding the whole text, and whether it shows all of it.
      let holder = node;
      for (let inner = holder; inner; ) {
        holder = inner;
        inner = [...holder.children].find((c) => c.textContent.includes(text));
      }
      if (holder.offsetParent !== null && holder.scrollHeight <= holder.clientHeight + 2) return true;
    }
    return false;
  };

  let observer = null;
  const watchLayout = (on) => {
    if (on && !observer && typeof ResizeObserver === 'function') {
      observer = new ResizeObserver(() => place());
      const r = host.shadowRoot?.querySelector('.qs-root');
      if (r) observer.observe(r);
    } else if (!on && observer) {
      observer.disconnect();
      observer = null;
    }
  };

  const reveal = () => {
    place();
    const r = card.getBoundingClientRect();
    if (r.bottom > window.innerHeight || r.top < 0) {
      const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
      card.scrollIntoView?.({ block: 'nearest', behavior: still ? 'auto' : 'smooth' });
    }
  };

  const render = () => {
    card.hidden = !(mode === 'intro' || mode === 'moment');
    pill.hidden = mode !== 'running';
    // Embeds lay the tour out in their flow: a button there would take a row of its own.
    reopen.hidden = !(mode === 'off' && total() > 0 && !inFlow);
    watchLayout(mode !== 'off' || !reopen.hidden);
    container.dataset.mode = mode;
    if (mode === 'intro') {
      kicker.textContent = `Guided tour · ${total()} moment${total() === 1 ? '' : 's'}`;
      heading.textContent = scenario?.title ?? 'Guided tour';
      const repeat = explainShown();
      caption.textContent = repeat ? '' : scenario?.explain ?? '';
      caption.hidden = repeat || !scenario?.explain;
      eventText.textContent = `The run stops at ${total() === 1 ? 'one moment' : `${total()} moments`} to say what to look at. Every control keeps working meanwhile.`;
      event.dataset.kind = 'hint';
      primary.textContent = 'Start tour ▶';
      secondary.textContent = 'Skip';
      renderDots(-1);
    } else if (mode === 'moment') {
      const p = pauses[shown];
      kicker.textContent = `Guided tour · ${scenario?.title ?? ''}`;
      heading.textContent = `Moment ${shown + 1} of ${total()}`;
      caption.hidden = false;
      caption.textContent = p?.caption ?? '';
      eventText.textContent = momentEvent ? readable(momentEvent.text) : '';
      event.dataset.kind = 'event';
      event.hidden = !momentEvent;
      const last = shown === total() - 1;
      primary.textContent = last ? 'Finish & keep playing ▶' : 'Continue ▶';
      secondary.textContent = last ? 'Replay tour ⟲' : 'Exit tour';
      renderDots(shown);
    } else if (mode === 'running') {
      pillText.textContent = `Guided tour: watching for moment ${next + 1} of ${total()}`;
    }
    if (mode === 'intro') event.hidden = false;
    ring.show(mode === 'moment' ? pauses[shown]?.highlight : null);
    if (mode === 'moment') reveal();
    else if (mode !== 'off' || !reopen.hidden) place();
  };

  let momentEvent = null;

  const reset = () => {
    scenario = app.scenario;
    pauses = Array.isArray(scenario?.pauses) ? scenario.pauses.filter((p) => p && (p.on || p.at != null || p.step != null)) : [];
    next = 0;
    matchedAt = [];
    shown = -1;
    momentEvent = null;
    mode = pauses.length && !dismissed ? 'intro' : 'off';
    // After the other views have drawn this scenario (see explainShown).
    queueMicrotask(() => {
      if (scenario === app.scenario) render();
    });
  };

  const start = () => {
    next = 0;
    matchedAt = [];
    mode = 'running';
    render();
  };

  const exit = () => {
    mode = 'off';
    render();
  };
  /** The reader closed the tour (Skip, ×, Escape, Exit tour). */
  const dismiss = () => {
    dismissed = true;
    exit();
  };
  /** Asked for (the Guided tour button, a tour just written): the intro card, from the run's start. */
  const offer = () => {
    dismissed = false;
    if (!total()) return;
    app.pause();
    if ((app.state?.step ?? 0) > 0) app.seek(0);
    next = 0;
    matchedAt = [];
    shown = -1;
    momentEvent = null;
    mode = 'intro';
    render();
    primary.focus({ preventScroll: true });
  };

  /**
   * Stops at moment `i`, which the event `e` (or the clock) reached at
   * `step`.
   */
  const hit = (i, e, step) => {
    matchedAt[i] = step;
    next = i + 1;
    shown = i;
    momentEvent = e;
    mode = 'moment';
    app.pause();
    // The frame that found the event may have run a few steps further:
    // rewind to just after the event, so that the picture, the highlighted
    // narration line and the caption agree (and a next moment in those
    // steps is met again on the way). Deferred so every listener sees this
    // batch first.
    queueMicrotask(() => {
      if (mode === 'moment' && shown === i && app.state && app.state.step > step + 1) {
        try {
          app.seek(step + 1);
        } catch {
          /* the view stays where it is */
        }
      }
    });
    render();
  };

  // The next moment may already be in the past: its event came in the
  // same step as the one just shown. Then it is shown straight away.
  const caughtUp = () => {
    const p = pauses[next];
    if (!p?.on || next === 0) return false;
    const from = momentEvent ? app.trace.lastIndexOf(momentEvent) : -1;
    const begin = from >= 0 ? from + 1 : app.trace.findIndex((ev) => ev.step > matchedAt[next - 1]);
    if (begin < 0) return false;
    for (let k = begin; k < app.trace.length; k += 1) {
      if (matches(p, app.trace[k])) {
        hit(next, app.trace[k], app.trace[k].step);
        return true;
      }
    }
    return false;
  };

  /** The last event of the steps before `count` still in the page's trace (what the step before the moment did). */
  const lastEventBefore = (count) => {
    for (let k = app.trace.length - 1; k >= 0; k -= 1) if (app.trace[k].step < count) return app.trace[k];
    return null;
  };

  const check = (events) => {
    if (mode === 'off') return;
    if (next >= total()) return;
    const p = pauses[next];
    if (p.step != null) {
      // A moment written in the page: after exactly `step` steps.
      if (app.state && app.state.step >= p.step) hit(next, lastEventBefore(p.step), p.step - 1);
    } else if (p.on) {
      const at = events.findIndex((ev) => matches(p, ev));
      if (at >= 0) hit(next, events[at], events[at].step);
    } else if (app.state && app.state.tick >= p.at) {
      hit(next, null, Math.max(0, app.state.step - 1));
    }
  };

  offs.push(app.on('events', (events) => {
    if (app.scenario !== scenario) return;
    if (mode === 'intro' && !app.playing) return;
    check(events);
  }));
  offs.push(app.on('update', () => {
    if (app.scenario !== scenario) {
      reset();
      return;
    }
    if (mode === 'running' && next < total() && (pauses[next].on == null || pauses[next].step != null)) check([]);
    if (mode === 'moment') ring.place();
  }));
  offs.push(app.on('seek', (count) => {
    if (app.scenario !== scenario || mode === 'off' || mode === 'intro') return;
    // Going back before a moment makes it the next one again.
    let i = 0;
    while (i < total() && matchedAt[i] !== undefined && matchedAt[i] < count) i += 1;
    if (i < next) {
      next = i;
      matchedAt.length = i;
      if (mode === 'moment' && shown >= i) {
        mode = 'running';
        render();
      } else if (mode === 'running') render();
    }
  }));
  offs.push(app.on('play', (playing) => {
    if (!playing) return;
    if (mode === 'intro') {
      start();
    } else if (mode === 'moment') {
      mode = next >= total() ? 'off' : 'running';
      render();
    }
  }));

  const listen = (node, type, fn) => {
    node.addEventListener(type, fn);
    offs.push(() => node.removeEventListener(type, fn));
  };
  listen(primary, 'click', () => {
    if (mode === 'intro') {
      start();
      app.play();
    } else if (mode === 'moment') {
      if (caughtUp()) return;
      mode = next >= total() ? 'off' : 'running';
      render();
      app.play();
    }
  });
  listen(secondary, 'click', () => {
    if (mode === 'moment' && next >= total()) {
      // Replay: back to the start, watching for the first moment again.
      app.pause();
      app.seek(0);
      start();
      app.play();
    } else dismiss();
  });
  listen(close, 'click', dismiss);
  listen(host, 'qs-tour-exit', exit); // the tour writer opens where the card would be
  listen(host, 'qs-tour-start', offer); // a tour written in the page is played
  listen(pillExit, 'click', dismiss);
  listen(reopen, 'click', offer);
  listen(card, 'keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.stopPropagation();
      dismiss();
    }
  });

  if (app.state) reset();

  return () => {
    for (const off of offs) off();
    watchLayout(false);
    ring.destroy();
    container.replaceChildren();
  };
}
