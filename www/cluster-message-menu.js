// The message menu: drop, duplicate or hold one message in flight, or
// deliver or release a held one. Each choice is a `messages` command
// (SCENARIO.md, Version 2) run through the App, so the run's inputs carry
// it and a shared link or an exported scenario replays it. The menu is the
// node menu's panel (keyboard, Escape, focus return), with other items.
import { NodeMenu } from './node-menu.js';

/** Finds a drawn message by its sequence number: {m, held, nth} or null (delivered meanwhile). */
export function findMessage(state, seq) {
  const all = [...state.messages, ...(state.held ?? [])];
  const i = all.findIndex((x) => x.seq === seq);
  const m = all[i];
  // `nth` counts the matches before it in the simulator's order: those in
  // flight (by arrival), then the held ones (src/sim/network.rs nth_match).
  const nth = all.slice(0, i).filter((x) => x.from === m?.from && x.to === m.to && x.kind === m.kind).length;
  return m ? { m, held: i >= state.messages.length, nth } : null;
}

/** The menu for the picture `view` (cluster-view.js), placed by the message it acts on. */
export function messageMenuFor(view, app, host) {
  const el = (seq) => view.messages.querySelector(`[data-msg-seq="${seq}"]`);
  return new MessageMenu(view.root, app, host, {
    anchorOf: (seq) => {
      const r = el(seq)?.getBoundingClientRect();
      const base = view.root.getBoundingClientRect();
      return r && { x: r.left + r.width / 2 - base.left, y: r.top + r.height / 2 - base.top, r: 12 };
    },
    onClose: (seq) => (el(seq) ?? view.svg).focus(),
    onSelect: () => {},
  });
}

class MessageMenu extends NodeMenu {
  /** Opens on message `seq`; the run pauses, so the message is still there when an action is chosen. */
  open(seq) {
    this.app.pause();
    if (findMessage(this.app.state, seq)) super.open(seq);
  }

  refresh(state) {
    if (this.id == null || !state) return;
    const found = findMessage(state, this.id);
    if (!found) return this.close(false);
    const sig = `${found.held}|${found.nth}`;
    if (sig === this.sig) return;
    this.sig = sig;
    this.buildFor(found);
  }

  buildFor({ m, held, nth }) {
    this.head(`Actions for message ${m.from}→${m.to} ${m.label}`, `${m.from}→${m.to}`, ` ${m.label}${held ? ' (held)' : ''}`);
    const which = { from: m.from, to: m.to, msg: m.kind };
    const kind = m.kind.replace(/_/g, ' ');
    if (held) {
      this.item('Deliver it now', { do: 'messages', action: 'deliver', ...which, nth });
      this.item(`Release held ${m.from}→${m.to} ${kind} messages`, { do: 'messages', action: 'release', ...which });
    } else {
      this.item('Drop it', { do: 'messages', action: 'drop', ...which, nth });
      this.item('Duplicate it', { do: 'messages', action: 'duplicate', ...which, nth });
      // A hold stands until released: it keeps this message and later ones alike (SCENARIO.md).
      this.item(`Hold ${m.from}→${m.to} ${kind} messages (this one and later ones)`, { do: 'messages', action: 'hold', ...which });
    }
  }
}
