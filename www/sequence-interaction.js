// What the reader does with the sequence diagram's drawn items (arrows,
// marks and bands, each a `role="button"` with `data-step`, drawn by
// sequence-draw.js): a click, Enter or Space seeks the element to that
// step; the arrow keys, Home and End move the focus through them in time
// order behind one Tab stop; hovering or focusing one shows its full
// sentence in a tooltip.

const MOVE_KEYS = ['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight', 'Home', 'End'];

/**
 * Listens on `body` (the diagram's SVG) with `listen(node, type, fn)`, which
 * the caller undoes on unmount; `tip` is the tooltip element inside `root`.
 * Returns {rove(fromY, yOf), scrolled()}: `rove` is called after each
 * redraw, with the y of a drawn item's step (from the layout: reading it
 * back from the SVG would force a layout in the middle of a frame);
 * `scrolled` on each scroll of the diagram.
 */
export function wireSequenceInteraction({ app, body, root, tip, listen }) {
  let roveKey = null; // the item that holds the diagram's Tab stop
  let stop = null; // the element that has tabindex 0

  const items = () => [...body.querySelectorAll('[role="button"]')];
  const stepOf = (n) => Number(n.dataset.eventStep);

  /**
   * One Tab stop for the whole diagram (a roving tabindex): the item last
   * focused, else the earliest at or below `fromY` (less a little, so an
   * item half scrolled out still counts), else the earliest drawn. Drawn
   * items are kept between redraws: the one that had the stop gives it up.
   */
  function rove(fromY, yOf) {
    let current = null;
    let earliest = null;
    for (const n of items()) {
      if (n.dataset.key === roveKey) {
        current = n;
        break;
      }
      if (!earliest || stepOf(n) < stepOf(earliest)) earliest = n;
      if (yOf(stepOf(n)) >= fromY - 40 && (!current || stepOf(n) < stepOf(current))) current = n;
    }
    current ??= earliest;
    if (stop && stop !== current && stop.tabIndex !== -1) stop.tabIndex = -1;
    if (current && current.tabIndex !== 0) current.tabIndex = 0;
    stop = current;
  }

  function moveFocus(from, key) {
    // Time order, read when a key asks for it (not on every redraw).
    const ordered = items().sort((p, q) => stepOf(p) - stepOf(q));
    const i = ordered.indexOf(from);
    const next = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: ordered.length - 1 }[key];
    const to = ordered[Math.max(0, Math.min(ordered.length - 1, next))];
    if (!to || to === from) return;
    from.tabIndex = -1;
    to.tabIndex = 0;
    stop = to;
    to.focus();
  }

  const seekTo = (node) => {
    const step = Number(node.dataset.step);
    if (!Number.isFinite(step)) return;
    app.pause();
    app.seek(step);
  };
  const target = (ev) => ev.target.closest?.('[data-step][role="button"]');
  listen(body, 'click', (ev) => {
    const t = target(ev);
    if (t) seekTo(t);
  });
  listen(body, 'keydown', (ev) => {
    const t = target(ev);
    if (!t) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      seekTo(t);
    } else if (MOVE_KEYS.includes(ev.key)) {
      ev.preventDefault();
      moveFocus(t, ev.key);
    }
  });
  listen(body, 'focusin', (ev) => {
    const t = target(ev);
    if (t) roveKey = t.dataset.key;
  });

  let tipFor = null; // the item whose sentence the tooltip shows
  /** Shows `t`'s sentence just below it. */
  const placeTip = (t) => {
    tipFor = t;
    tip.textContent = t.dataset.tip;
    tip.hidden = false;
    const box = t.getBoundingClientRect();
    const rootBox = root.getBoundingClientRect();
    const left = Math.min(Math.max(0, box.left - rootBox.left), Math.max(0, rootBox.width - 320));
    tip.style.left = `${left}px`;
    tip.style.top = `${box.bottom - rootBox.top + 4}px`;
    t.setAttribute('aria-describedby', tip.id);
  };
  const itemOf = (node) => node?.closest?.('[data-tip]') ?? null;
  const showTip = (ev) => {
    const t = itemOf(ev.target);
    if (t) placeTip(t);
  };
  const hideTip = () => {
    tip.hidden = true;
    tipFor = null;
  };
  /** Hidden when the pointer or the focus leaves the item it shows (not when it leaves another one). */
  const leave = (ev) => {
    const t = itemOf(ev.target);
    if (t && t === tipFor && itemOf(ev.relatedTarget) !== t) hideTip();
  };
  /**
   * The diagram scrolled: a pointer's tip no longer sits under it, but the
   * focused item's moves with it (focusing an item out of view scrolls it in,
   * and drawn items stay across redraws: nothing else would show it again).
   */
  const scrolled = () => {
    if (tip.hidden) return;
    const focused = itemOf(body.getRootNode().activeElement);
    if (focused && body.contains(focused)) placeTip(focused);
    else hideTip();
  };
  listen(body, 'pointerover', showTip);
  listen(body, 'pointerout', leave);
  listen(body, 'focusin', showTip);
  listen(body, 'focusout', leave);
  return { rove, scrolled };
}
