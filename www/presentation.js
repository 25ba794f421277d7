// Presentation mode, for a lecture hall: the stage fills the screen, the
// latest event of note shows as a large caption under the picture, the
// transport stays reachable, and Escape (or the button again) leaves. A
// button on the stage and the P key toggle it.
import { htmlEl } from './svg.js';
import { readable } from './narration.js';

/** Trace kinds too frequent to caption: the picture shows them moving. */
const UNCAPTIONED = new Set(['message_sent', 'message_delivered', 'message_duplicated', 'applied']);

/** Mounts the toggle on the stage; `root` is the element's `.qs-root`. Returns an unmount. */
export function mountPresentation(stage, root, app, host) {
  const button = htmlEl('button', 'cv-present', 'Present', stage);
  button.type = 'button';
  button.setAttribute('aria-pressed', 'false');
  button.setAttribute('aria-keyshortcuts', 'P');
  button.title = 'Presentation mode: the picture fills the screen, with captions (P; Escape leaves)';
  const caption = htmlEl('p', 'qs-caption', null, null);
  caption.hidden = true;
  root.append(caption);
  let captioned = null;

  const on = () => root.classList.contains('qs-present');
  const set = (present) => {
    root.classList.toggle('qs-present', present);
    // The host's `contain: content` would make the fixed stage fill the host, not the screen.
    host.toggleAttribute('data-presenting', present);
    button.setAttribute('aria-pressed', String(present));
    button.textContent = present ? 'Leave presentation (Esc)' : 'Present';
    caption.hidden = !present;
    if (present) showCaption();
  };
  /** The newest event worth a sentence, as the caption (read only while presenting). */
  const showCaption = () => {
    const trace = app.trace;
    let e = null;
    for (let i = trace.length - 1, k = 0; i >= 0 && k < 500; i--, k++) {
      if (!UNCAPTIONED.has(trace[i].kind)) {
        e = trace[i];
        break;
      }
    }
    if (e === captioned) return;
    captioned = e;
    caption.textContent = e ? readable(e.text) : 'Press Play or Step.';
  };
  const onKey = (e) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.composedPath()[0]?.tagName ?? '');
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if ((e.key === 'p' || e.key === 'P') && !e.repeat) {
      e.preventDefault();
      set(!on());
    } else if (e.key === 'Escape' && on()) {
      e.preventDefault();
      set(false);
    }
  };
  button.addEventListener('click', () => set(!on()));
  host.addEventListener('keydown', onKey);
  const off = app.on('update', () => on() && showCaption());
  return () => {
    off();
    host.removeEventListener('keydown', onKey);
    button.remove();
    caption.remove();
    root.classList.remove('qs-present');
    host.removeAttribute('data-presenting');
  };
}
