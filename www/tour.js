// Guided tours: a scenario's `pauses` ([{at?, on?, node?, caption}]) become
// moments. When a moment's event happens the simulation pauses exactly
// after it and a card says what to look at. The card is a non-modal dialog:
// every other control keeps working while the tour runs.

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

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
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
  caption.setAttribute('aria-live', 'polite');
  const event = el('p', 'qs-tour-event');
  const dots = el('div', 'qs-tour-dots');
  dots.setAttribute('aria-hidden', 'true');
  const actions = el('div', 'qs-tour-actions');
  const primary = button('', 'qs-tour-primary');
  const secondary = button('', 'qs-tour-secondary');
  const close = button('×', 'qs-tour-close');
  close.setAttribute('aria-label', 'Exit tour');
  close.title = 'Exit tour';
  actions.append(primary, secondary);
  card.append(close, kicker, heading, caption, event, dots, actions);

  // A one-line status while the tour waits for its next moment.
  const pill = el('div', 'qs-tour-pill');
  pill.hidden = true;
  const pillText = el('span', 'qs-tour-pilltext');
  const pillExit = button('Exit tour', 'qs-tour-pillexit');
  pill.append(el('span', 'qs-tour-pilldot'), pillText, pillExit);
  pill.setAttribute('role', 'status');

  container.replaceChildren(card, pill);

  // --- state ---------------------------------------------------------------
  let scenario = null;
  let pauses = [];
  let mode = 'off'; // off | intro | running | moment
  let next = 0; // index of the next moment to watch for
  let matchedAt = []; // step of the event that matched moment i
  let shown = -1; // moment on the card

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

  // Places the card over the top of the narration panel (the newest lines,
  // at its bottom, stay visible) or, without one, over the foot of the stage.
  const place = () => {
    const shadow = host.shadowRoot;
    const side = shadow?.querySelector('.qs-side');
    const stage = shadow?.querySelector('.qs-stage');
    const base = container.getBoundingClientRect();
    const sideRect = side?.getBoundingClientRect();
    const target = sideRect && sideRect.width > 0 && sideRect.height > 0 ? sideRect : stage?.getBoundingClientRect();
    const ref = pill.hidden ? card : pill;
    if (!target || target.width === 0) {
      ref.style.left = '12px';
      ref.style.top = '12px';
      ref.style.width = '';
      return;
    }
    const width = Math.min(target.width - 12, 440);
    ref.style.width = `${Math.max(220, width)}px`;
    if (target === sideRect) {
      ref.style.left = `${target.right - base.left - Math.max(220, width) - 6}px`;
      ref.style.top = `${target.top - base.top + 6}px`;
    } else {
      ref.style.left = `${target.left - base.left + 6}px`;
      const h = ref.offsetHeight;
      ref.style.top = `${Math.max(6, target.bottom - base.top - h - 6)}px`;
    }
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
    if (r.bottom > window.innerHeight || r.top < 0) card.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  };

  const render = () => {
    card.hidden = !(mode === 'intro' || mode === 'moment');
    pill.hidden = mode !== 'running';
    watchLayout(mode !== 'off');
    container.dataset.mode = mode;
    if (mode === 'intro') {
      kicker.textContent = `Guided tour · ${total()} moment${total() === 1 ? '' : 's'}`;
      heading.textContent = scenario?.title ?? 'Guided tour';
      caption.textContent = scenario?.explain ?? '';
      event.textContent = 'The simulation will pause at each moment and say what to look at. You can use every control at any time.';
      event.dataset.kind = 'hint';
      primary.textContent = 'Start tour ▶';
      secondary.textContent = 'Skip';
      renderDots(-1);
    } else if (mode === 'moment') {
      const p = pauses[shown];
      kicker.textContent = `Moment ${shown + 1} of ${total()}`;
      heading.textContent = scenario?.title ?? 'Guided tour';
      caption.textContent = p?.caption ?? '';
      event.textContent = momentEvent ? momentEvent.text : '';
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
    if (mode === 'moment') reveal();
    else if (mode !== 'off') place();
  };

  let momentEvent = null;

  const reset = () => {
    scenario = app.scenario;
    pauses = Array.isArray(scenario?.pauses) ? scenario.pauses.filter((p) => p && (p.on || p.at != null)) : [];
    next = 0;
    matchedAt = [];
    shown = -1;
    momentEvent = null;
    mode = pauses.length ? 'intro' : 'off';
    render();
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

  /** Stops at moment `i`, which the event `e` (or the clock) reached at `step`. */
  const hit = (i, e, step) => {
    matchedAt[i] = step;
    next = i + 1;
    shown = i;
    momentEvent = e;
    mode = 'moment';
    app.pause();
    // Rewind to just after the event: the frame that found it may have run
    // a few steps further. Deferred so every listener sees this batch first.
    const target = step + 1;
    queueMicrotask(() => {
      if (app.state && app.state.step > target && mode === 'moment' && shown === i) {
        try {
          app.seek(target);
        } catch {
          /* the view stays where it is */
        }
      }
    });
    render();
  };

  const check = (events) => {
    if (mode === 'off') return;
    if (next >= total()) return;
    const p = pauses[next];
    if (p.on) {
      const e = events.find((ev) => matches(p, ev));
      if (e) {
        // Playing without pressing Start joins the tour.
        hit(next, e, e.step);
      }
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
    if (mode === 'running' && next < total() && pauses[next].on == null) check([]);
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
    } else exit();
  });
  listen(close, 'click', exit);
  listen(pillExit, 'click', exit);
  listen(card, 'keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.stopPropagation();
      exit();
    }
  });

  if (app.state) reset();

  return () => {
    for (const off of offs) off();
    watchLayout(false);
    container.replaceChildren();
  };
}
