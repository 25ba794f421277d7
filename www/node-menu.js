// The node menu: operator commands for one node (crash, restart, time out,
// transfer, failover, isolate, cut or heal a link), keyboard-operable.
import { htmlEl } from './svg.js';
import { toggleLink } from './cluster-links.js';

/** A small HTML panel next to the node; arrows move, Escape closes, focus returns to the node. */
export class NodeMenu {
  constructor(root, app, host, hooks) {
    this.root = root;
    this.app = app;
    this.host = host;
    this.hooks = hooks;
    this.id = null;
    this.el = htmlEl('div', 'cv-menu', null, root);
    this.el.setAttribute('role', 'dialog');
    this.el.hidden = true;
    this.onKey = (e) => this.key(e);
    this.onOutside = (e) => {
      if (this.id != null && !e.composedPath().includes(this.el)) this.close(false);
    };
    this.el.addEventListener('keydown', this.onKey);
    this.scope = root.getRootNode();
    this.scope.addEventListener('pointerdown', this.onOutside);
  }

  open(id) {
    this.id = id;
    this.sig = '';
    this.refresh(this.app.state);
    this.el.hidden = false;
    this.place();
    this.hooks.onSelect(id);
    this.el.querySelector('.cv-menu-item')?.focus(); // the first action, not the close button
  }

  close(returnFocus = true) {
    const id = this.id;
    this.id = null;
    this.el.hidden = true;
    this.hooks.onSelect(null);
    if (returnFocus && id != null) this.hooks.onClose(id);
  }

  /** Rebuilds only when what the menu shows changes, so focus survives playback frames. */
  refresh(state) {
    if (this.id == null || !state) return;
    const node = state.nodes.find((n) => n.id === this.id);
    if (!node) return this.close(false);
    const sig = `${node.role}|${node.term}|${state.nodes.length}`;
    if (sig === this.sig) return;
    this.sig = sig;
    const keepDeadline = this.el.querySelector('input')?.value;
    this.build(node, state, keepDeadline);
  }

  build(node, state, keepDeadline) {
    const id = node.id;
    const el = this.el;
    const hadFocus = el.contains(this.root.getRootNode().activeElement);
    this.head(`Actions for node ${id}`, `Node ${id}`, ` ${node.role}, term ${node.term}`);
    const crashed = node.role === 'crashed';
    this.item(crashed ? `Restart node ${id}` : `Crash node ${id}`, { do: crashed ? 'restart' : 'crash', node: id });
    this.item('Time out now (campaign)', { do: 'timeout_now', node: id });
    this.item('Transfer leadership here', { do: 'transfer', to: id });
    const row = htmlEl('label', 'cv-menu-row', 'Deadline ', el);
    const input = htmlEl('input', null, null, row);
    Object.assign(input, { type: 'number', min: 1, max: 10000, value: keepDeadline ?? state.election_ticks?.[1] ?? 20 });
    input.setAttribute('aria-label', 'Failover deadline in ticks');
    htmlEl('span', null, ' ticks', row);
    const deadline = () => Math.max(1, Number(input.value) || 1);
    this.item('Coordinated failover here', () => ({ do: 'failover', to: id, mode: 'coordinated', deadline_ticks: deadline() }));
    this.item('Forced failover here', () => ({ do: 'failover', to: id, mode: 'force', deadline_ticks: deadline() }));
    const others = state.nodes.map((n) => n.id).filter((k) => k !== id);
    this.item(`Isolate node ${id}`, { do: 'partition', groups: [[id], others] });
    this.cutRow(id, others);
    this.item('Heal all links', { do: 'heal' });
    if (hadFocus) el.querySelector('.cv-menu-item')?.focus();
  }

  /** Empties the panel and starts it with its name, a heading and a close button. */
  head(label, title, detail) {
    const el = this.el;
    el.replaceChildren();
    el.setAttribute('aria-label', label);
    const head = htmlEl('div', 'cv-menu-head', null, el);
    htmlEl('strong', null, title, head);
    htmlEl('span', null, detail, head);
    const x = htmlEl('button', 'cv-menu-close', '×', head);
    x.setAttribute('aria-label', 'Close');
    x.addEventListener('click', () => this.close());
  }

  /** Keyboard route to cutting or healing one link (the links themselves are mouse targets only). */
  cutRow(id, others) {
    const row = htmlEl('div', 'cv-menu-row', null, this.el);
    const select = htmlEl('select', null, null, row);
    select.setAttribute('aria-label', `A link of node ${id}`);
    const isCut = (k) => this.app.state.cuts.some(([a, b]) => (a === id && b === k) || (a === k && b === id));
    for (const k of others) {
      const o = htmlEl('option', null, `link ${id}–${k}${isCut(k) ? ' (cut)' : ''}`, select);
      o.value = String(k);
    }
    const b = htmlEl('button', null, 'Cut', row);
    const sync = () => (b.textContent = isCut(Number(select.value)) ? 'Heal' : 'Cut');
    select.addEventListener('change', sync);
    sync();
    b.addEventListener('click', () => {
      if (toggleLink(this.app, this.host, [id, Number(select.value)])) this.close();
    });
  }

  item(text, command) {
    const b = htmlEl('button', 'cv-menu-item', text, this.el);
    b.addEventListener('click', () => this.run(typeof command === 'function' ? command() : command));
    return b;
  }

  run(command) {
    try {
      this.app.command(command);
      this.host.showError?.(null);
      this.close();
    } catch (e) {
      this.host.showError?.(e.message);
    }
  }

  focusables() {
    return [...this.el.querySelectorAll('button, input, select')];
  }

  key(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      return this.close();
    }
    const list = this.focusables();
    const i = list.indexOf(this.root.getRootNode().activeElement);
    const typing = e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT';
    let next = null;
    if (e.key === 'ArrowDown' && !typing) next = i + 1;
    else if (e.key === 'ArrowUp' && !typing) next = i - 1;
    else if (e.key === 'Tab') next = e.shiftKey ? i - 1 : i + 1; // keep focus inside the menu
    else if (e.key === 'Home' && !typing) next = 0;
    else if (e.key === 'End' && !typing) next = list.length - 1;
    if (next == null) return;
    e.preventDefault();
    e.stopPropagation();
    list[(next + list.length) % list.length]?.focus();
  }

  /** Beside the node, flipped to whichever side has room, clamped inside the stage. */
  place() {
    const a = this.hooks.anchorOf(this.id);
    if (!a) return;
    const W = this.root.clientWidth;
    const H = this.root.clientHeight;
    const w = this.el.offsetWidth || 230;
    const h = this.el.offsetHeight || 300;
    let left = a.x + a.r + 14;
    if (left + w > W - 4) left = a.x - a.r - 14 - w;
    left = Math.max(4, Math.min(W - w - 4, left));
    const top = Math.max(4, Math.min(H - h - 4, a.y - h / 3));
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }

  destroy() {
    this.el.removeEventListener('keydown', this.onKey);
    this.scope.removeEventListener('pointerdown', this.onOutside);
    this.el.remove();
  }
}

