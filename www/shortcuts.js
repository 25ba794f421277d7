// The keyboard shortcuts on a <quorum-scope> element (the list is in
// help.js, which adds `?` for it on a full page). Every controls level gets
// them, so a reader can pause any embed from the keyboard (WCAG 2.1.1,
// 2.2.2); without controls there are no commands (no client write). Keys
// are ignored while typing in a field.
import { clientWrite, errorReporter, nextSpeed, setSpeed } from './transport.js';

const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/**
 * Listens for the shortcuts on `host`. `commands`: whether keys may change
 * the run (a client write); `onKey(ev)`: a first look at each key, true
 * when it handled it; `errors`: an errorReporter to share. Returns an
 * unmount.
 */
export function mountShortcuts(app, host, { commands = false, onKey: first = () => false, errors = null } = {}) {
  const own = errors ? null : errorReporter(app, host);
  const run = (fn) => (errors ?? own).run(fn);
  // The element takes focus itself where nothing inside it would (a page
  // with no controls keeps its own focusable picture).
  if (host.controlsLevel !== 'none' && !host.hasAttribute('tabindex')) host.tabIndex = 0;

  const onKey = (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.composedPath()[0];
    if (target && (TYPING.has(target.tagName) || target.isContentEditable)) return;
    if (first(ev) || !app.cluster) return;
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
        if (!commands) return;
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
  host.addEventListener('keydown', onKey);
  return () => {
    host.removeEventListener('keydown', onKey);
    own?.off();
  };
}
