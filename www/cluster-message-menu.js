// The message menu: drop, duplicate or hold one message in flight, or
// deliver or release a held one. Each choice is a `messages` command
// (SCENARIO.md, Version 2) run through the App, so the run's inputs carry
// it and a shared link or an exported scenario replays it. The menu is the
// node menu's panel (keyboard, Escape, focus return), with other items.
import { htmlEl } from './svg.js';
import { NodeMenu } from './node-menu.js';

/** Finds a drawn message by its sequence number: {m, held, nth} or null (delivered meanwhile). */
export function findMessage(state, seq) {
  const same = (a, b) => a.from === b.from && a.to === b.to && a.kind === b.kind;
  const flying = state.messages.find((x) => x.seq === seq);
  const held = state.held ?? [];
  const m = flying ?? held.find((x) => x.seq === seq);
  if (!m) return null;
  // `nth` counts matches in send order among those in flight, then the held
  // ones (how the simulator numbers them, src/sim/network.rs nth_match).
  const before = (list) => list.filter((x) => same(x, m) && x.seq < m.seq).length;
  const inFlight = state.messages.filter((x) => same(x, m)).length;
  const nth = flying ? before(state.messages) : inFlight + before(held);
  return { m, held: !flying, nth };
}

export class MessageMenu extends NodeMenu {
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
    const el = this.el;
    el.replaceChildren();
    el.setAttribute('aria-label', `Actions for message ${m.from}→${m.to} ${m.label}`);
    const head = htmlEl('div', 'cv-menu-head', null, el);
    htmlEl('strong', null, `${m.from}→${m.to}`, head);
    htmlEl('span', null, ` ${m.label}${held ? ' (held)' : ''}`, head);
    const x = htmlEl('button', 'cv-menu-close', '×', head);
    x.setAttribute('aria-label', 'Close');
    x.addEventListener('click', () => this.close());
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
