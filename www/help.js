// Keyboard shortcuts on the <quorum-scope> element, and the "?" overlay
// that lists them. Keys are ignored while typing in a field.
import { errorReporter } from './transport.js';
import { mountShortcuts } from './shortcuts.js';
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


let uid = 0;

export function mountHelp(container, app, host) {
  const offs = [];
  const id = `qs-help-${(uid += 1)}`;
  const errors = errorReporter(app, host);
  offs.push(errors.off);

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
    'Click a timeline marker (its key is under the scrubber), or focus the strip and use the arrow keys, to jump there. Scrubbing back lets you replay; acting in the past starts a new future. '
    + 'Events are numbered from 0, as in the trace, while the step counter by the controls counts steps taken: the event at step 21 shows once it reads 22.');
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
  offs.push(mountShortcuts(app, host, {
    commands: true,
    errors,
    onKey(ev) {
      if (ev.key === 'Escape' && dialog.open) {
        ev.preventDefault();
        hide();
        return true;
      }
      if (ev.key === '?') {
        ev.preventDefault();
        toggle();
        return true;
      }
      return dialog.open; // the list is open: no other key acts behind it
    },
  }));

  return () => {
    for (const off of offs) off();
    if (dialog.open) dialog.close();
    container.replaceChildren();
  };
}
