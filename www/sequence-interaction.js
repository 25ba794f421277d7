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
 * Returns {rove(fromY, yOf), hideTip()}: `rove` is called after each
 * redraw, with the y of a drawn item's step (from the layout: reading it
 * back from the SVG would force a layout in the middle of a frame).
 */
export function wireSequenceInteraction({ app, body, root, tip, listen }) {
  let ordered = []; // the drawn items, in time order (keyboard moves)
  let roveKey = null; // the item that holds the diagram's Tab stop

  /**
   * One Tab stop for the whole diagram (a roving tabindex): the item last
   * focused, else the first at or below `fromY` (less a little, so an item
   * half scrolled out still counts), else the first drawn.
   */
  function rove(fromY, yOf) {
    const step = (n) => Number(n.dataset.eventStep);
    ordered = [...body.querySelectorAll('[role="button"]')].sort((p, q) => step(p) - step(q));
    const inView = (n) => yOf(step(n)) >= fromY - 40;
    const current = ordered.find((n) => n.dataset.key === roveKey) ?? ordered.find(inView) ?? ordered[0];
    if (current) current.tabIndex = 0;
  }

  function moveFocus(from, key) {
    const i = ordered.indexOf(from);
    const next = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: ordered.length - 1 }[key];
    const to = ordered[Math.max(0, Math.min(ordered.length - 1, next))];
    if (!to || to === from) return;
    from.tabIndex = -1;
    to.tabIndex = 0;
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

  const showTip = (ev) => {
    const t = ev.target.closest?.('[data-tip]');
    if (!t) return;
    tip.textContent = t.dataset.tip;
    tip.hidden = false;
    const box = t.getBoundingClientRect();
    const rootBox = root.getBoundingClientRect();
    const left = Math.min(Math.max(0, box.left - rootBox.left), Math.max(0, rootBox.width - 320));
    tip.style.left = `${left}px`;
    tip.style.top = `${box.bottom - rootBox.top + 4}px`;
    t.setAttribute('aria-describedby', tip.id);
  };
  const hideTip = () => {
    tip.hidden = true;
  };
  listen(body, 'pointerover', showTip);
  listen(body, 'pointerout', hideTip);
  listen(body, 'focusin', showTip);
  listen(body, 'focusout', hideTip);
  return { rove, hideTip };
}
