// What a tour moment points at ("node 2", "message 14", "log 2:5" or
// "banner", read and checked by the core): a ring drawn over that part of
// the page. The ring lives in the element's root, above every view, so
// the views themselves need not know about tours; it follows its target
// when the views redraw or the layout changes.
import { box as el } from './dom.js';

/** A highlight's written form as {kind, node?, seq?, index?}, or null. */
export function readHighlight(text) {
  const m = /^(?:(node|message) (\d+)|log (\d+):(\d+)|(banner))$/.exec(String(text ?? ''));
  if (!m) return null;
  if (m[1] === 'node') return { kind: 'node', node: Number(m[2]) };
  if (m[1] === 'message') return { kind: 'message', seq: Number(m[2]) };
  if (m[3]) return { kind: 'log', node: Number(m[3]), index: Number(m[4]) };
  return { kind: 'banner' };
}

/** The element highlight `text` points at in the shadow root, or null (a message delivered, a log cell out of the window). */
export function targetOf(root, text) {
  const h = readHighlight(text);
  if (!root || !h) return null;
  switch (h.kind) {
    case 'node':
      return root.querySelector(`.cv-nodes [data-node-id="${h.node}"] .cv-body`) ?? root.querySelector(`[data-node-id="${h.node}"]`);
    case 'message':
      return root.querySelector(`.cv-msg[data-msg-seq="${h.seq}"]`);
    case 'log':
      return root.querySelector(`.lv-cell[data-entry="${h.node}:${h.index}"]`);
    default:
      return root.querySelector('.qs-banner .bn-box');
  }
}

/** Words for a highlight: "node 2", "message #14", "node 1's log entry 3", "the banner". */
export function describeHighlight(text) {
  const h = readHighlight(text);
  if (!h) return '';
  if (h.kind === 'node') return `node ${h.node}`;
  if (h.kind === 'message') return `message #${h.seq}`;
  if (h.kind === 'log') return `node ${h.node}'s log entry ${h.index}`;
  return 'the banner';
}

/**
 * A ring for `host` (a <quorum-scope>): `show(text)` points it at a
 * highlight (or hides it for null), `place()` follows the target, `destroy()`.
 */
export function highlightRing(host) {
  const ring = el('div', 'qs-tour-ring');
  ring.setAttribute('aria-hidden', 'true');
  ring.hidden = true;
  let current = null;
  let frame = 0;

  const place = () => {
    frame = 0;
    const root = host.shadowRoot?.querySelector('.qs-root');
    if (!current || !root) {
      ring.hidden = true;
      return;
    }
    if (ring.parentNode !== root) root.append(ring);
    const target = targetOf(host.shadowRoot, current);
    const r = target?.getBoundingClientRect();
    if (!r || (r.width === 0 && r.height === 0)) {
      ring.hidden = true;
      ring.dataset.missing = 'true';
      return;
    }
    const base = root.getBoundingClientRect();
    const pad = 5;
    ring.hidden = false;
    delete ring.dataset.missing;
    ring.style.left = `${r.left - base.left - pad}px`;
    ring.style.top = `${r.top - base.top - pad}px`;
    ring.style.width = `${r.width + 2 * pad}px`;
    ring.style.height = `${r.height + 2 * pad}px`;
    ring.dataset.shape = /^(node|message) /.test(current) ? 'round' : 'box';
  };

  return {
    show(text) {
      current = readHighlight(text) ? text : null;
      ring.dataset.highlight = current ?? '';
      this.place();
    },
    /** Places the ring after the views have drawn this frame. */
    place() {
      if (!current) {
        ring.hidden = true;
        return;
      }
      if (!frame) frame = requestAnimationFrame(place);
    },
    destroy() {
      if (frame) cancelAnimationFrame(frame);
      ring.remove();
    },
  };
}
