// Keyboard shortcuts on the <quorum-scope> element, and the "?" overlay
// that lists them. Keys are ignored while typing in a field.
import { clientWrite, errorReporter, nextSpeed, setSpeed } from './transport.js';
import { box as el } from './dom.js';

/** The shortcuts, as shown in the overlay. */
export const SHORTCUTS = [
  [['Space'], 'Play / pause'],
  [['→'], 'Step: one event (a tick or a delivery)'],
  [['Shift', '+', '→'], 'Run until the clock advances one tick'],
  [['←'], 'Step back'],
  [['+', '/', '−'], 'Faster / slower'],
  [['1', '…', '9'], 'Focus node N (then Tab through its controls)'],
  [['w'], 'Client write you=N to the leader'],
  [['?'], 'Show / hide this list'],
  [['Esc'], 'Close this list'],
];

/** Separators between keys in SHORTCUTS (at odd positions). */
const isSeparator = (keys, i) => keys.length === 3 && i === 1;


const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

let uid = 0;

export function mountHelp(container, app, host) {
  const offs = [];
  const id = `qs-help-${(uid += 1)}`;
  const errors = errorReporter(app, host);
  offs.push(errors.off);

  if (!host.hasAttribute('tabindex')) host.tabIndex = 0;

  // --- overlay ---------------------------------------------------------------
  const dialog = el('dialog', 'qs-help-dialog');
  dialog.setAttribute('aria-labelledby', `${id}-h`);
  const head = el('div', 'qs-help-head');
  const h = el('h2', 'qs-help-h', 'Keyboard shortcuts');
  h.id = `${id}-h`;
  const close = el('button', 'qs-help-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Close');
  head.append(h, close);
  const table = el('dl', 'qs-help-list');
  for (const [keys, what] of SHORTCUTS) {
    const dt = el('dt');
    keys.forEach((key, i) => dt.append(isSeparator(keys, i) ? el('span', 'qs-help-sep', key) : el('kbd', '', key)));
    table.append(dt, el('dd', '', what));
  }
  const note = el('p', 'qs-help-note',
    'Shortcuts work once the visualizer has focus: click anywhere in it or Tab into it. They are off while you type in a field.');
  const tips = el('p', 'qs-help-note',
    'On the timeline, markers show elections (★), refusals (✕), handovers (⇄) and violations (!). Click one, or focus the strip and use the arrow keys, to jump there. Scrubbing back lets you replay; acting in the past starts a new future.');
  dialog.append(head, table, tips, note);

  const open = el('button', 'qs-help-open');
  open.type = 'button';
  open.append(el('kbd', '', '?'), el('span', '', ' Keyboard shortcuts'));
  container.replaceChildren(open, dialog);

  let returnTo = null;
  const activeInside = () => host.shadowRoot?.activeElement ?? null;

  const show = () => {
    if (dialog.open) return;
    returnTo = activeInside() ?? (document.activeElement === host ? host : document.activeElement);
    try {
      dialog.showModal();
    } catch {
      dialog.setAttribute('open', '');
    }
    close.focus();
  };
  const hide = () => {
    if (!dialog.open) return;
    dialog.close();
  };
  const toggle = () => (dialog.open ? hide() : show());

  const listen = (node, type, fn) => {
    node.addEventListener(type, fn);
    offs.push(() => node.removeEventListener(type, fn));
  };
  listen(dialog, 'close', () => {
    const target = returnTo;
    returnTo = null;
    if (target && target.isConnected !== false && typeof target.focus === 'function') target.focus();
    else host.focus();
  });
  listen(dialog, 'click', (ev) => {
    if (ev.target === dialog) hide(); // a click on the backdrop
  });
  listen(close, 'click', hide);
  listen(open, 'click', show);
  listen(host, 'qs-help-toggle', toggle);

  // --- keys ------------------------------------------------------------------
  const run = (fn) => errors.run(fn);

  const onKey = (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.composedPath()[0];
    if (target && (TYPING.has(target.tagName) || target.isContentEditable)) return;
    const inDialog = dialog.open;
    if (ev.key === 'Escape' && inDialog) {
      ev.preventDefault();
      hide();
      return;
    }
    if (ev.key === '?') {
      ev.preventDefault();
      toggle();
      return;
    }
    if (inDialog || !app.cluster) return;
    const onButton = target && (target.tagName === 'BUTTON' || target.getAttribute?.('role') === 'button');
    switch (ev.key) {
      case ' ':
      case 'Spacebar':
        if (onButton) return; // the button's own activation
        ev.preventDefault();
        run(() => (app.playing ? app.pause() : app.play()));
        return;
      case 'ArrowRight':
        ev.preventDefault();
        run(() => {
          app.pause();
          if (ev.shiftKey) app.stepTick();
          else app.step();
        });
        return;
      case 'ArrowLeft':
        if (ev.shiftKey) return;
        ev.preventDefault();
        run(() => {
          app.pause();
          app.back();
        });
        return;
      case '+':
      case '=':
        ev.preventDefault();
        setSpeed(app, host, nextSpeed(app.ticksPerSecond, 1));
        return;
      case '-':
      case '_':
        ev.preventDefault();
        setSpeed(app, host, nextSpeed(app.ticksPerSecond, -1));
        return;
      case 'w':
      case 'W':
        ev.preventDefault();
        run(() => clientWrite(app));
        return;
      default:
        if (/^[1-9]$/.test(ev.key)) {
          const node = host.shadowRoot?.querySelector(`[data-node-id="${ev.key}"]`);
          if (node) {
            ev.preventDefault();
            if (!node.hasAttribute('tabindex') && node.tabIndex < 0) node.setAttribute('tabindex', '-1');
            node.focus();
          }
        }
    }
  };
  listen(host, 'keydown', onKey);

  return () => {
    for (const off of offs) off();
    if (dialog.open) dialog.close();
    container.replaceChildren();
  };
}
