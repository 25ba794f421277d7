// The narration's lines: the newest `cap` visible events of the trace (up to
// a quarter more between trims), kept in step with the trace incrementally.
// Playback appends at the bottom; a step back removes the last lines and
// tops the list up with older ones. Neither rebuilds the list: a rebuild at
// step 10,000 made one step back cost ~50 ms, most of it laying out 400 new
// lines.

export class TraceLines {
  /**
   * @param {HTMLElement} list the <ol> the lines live in
   * @param {{cap: number, visible: (e) => boolean, lineFor: (e) => {li: HTMLElement, meta: HTMLElement}}} how
   */
  constructor(list, { cap, visible, lineFor }) {
    this.list = list;
    this.cap = cap;
    this.visible = visible;
    this.lineFor = lineFor;
    /** {li, meta, step, tick, index}, oldest first; `index` is the event's place in the trace. */
    this.lines = [];
    // The lines are exactly the visible events of trace[from, to).
    this.from = 0;
    this.to = 0;
  }

  /** Rebuilds from scratch (a new scenario, or the filter changed). */
  reset(trace) {
    for (const { li } of this.lines) li.remove();
    this.lines = [];
    this.from = this.to = trace.length;
    this.topUp(trace);
  }

  /**
   * Catches up with `trace`, whose first `to` events are those already
   * shown (the trace only grows, or is cut back by a seek). Returns how
   * many lines were added at the bottom.
   */
  sync(trace) {
    const n = trace.length;
    if (n < this.to) return this.cutTo(n, trace);
    // A long jump forward shows only its last events: build those, not all.
    if (n - this.to > 4 * this.cap) {
      this.reset(trace);
      return this.lines.length;
    }
    const frag = document.createDocumentFragment();
    const start = this.lines.length;
    for (let i = this.to; i < n; i += 1) if (this.visible(trace[i])) frag.append(this.add(trace[i], i, this.lines.length));
    this.to = n;
    const added = this.lines.length - start;
    if (!added) return 0;
    this.list.append(frag);
    this.markTicks(start, this.lines.length);
    this.trim();
    return added;
  }

  /** A step back: drops the lines of undone steps, then refills from older events. */
  cutTo(n, trace) {
    let keep = this.lines.length;
    while (keep > 0 && this.lines[keep - 1].index >= n) keep -= 1;
    for (const { li } of this.lines.splice(keep)) li.remove();
    this.to = n;
    this.from = Math.min(this.from, n);
    this.topUp(trace);
    return 0;
  }

  /** Prepends older visible events until the list holds `cap` lines or the trace's start is reached. */
  topUp(trace) {
    const older = [];
    let i = this.from - 1;
    for (; i >= 0 && this.lines.length + older.length < this.cap; i -= 1) {
      if (this.visible(trace[i])) older.push(i);
    }
    this.from = i + 1;
    if (!older.length) return;
    const frag = document.createDocumentFragment();
    const head = [];
    for (const k of older.reverse()) frag.append(this.add(trace[k], k, head.length, head));
    this.lines = head.concat(this.lines);
    this.list.prepend(frag);
    // The new lines, and the old first line that now has one above it.
    this.markTicks(0, head.length + 1);
  }

  /** Builds one line into `into` at `at` and returns its element. */
  add(e, index, at, into = this.lines) {
    const { li, meta } = this.lineFor(e);
    into[at] = { li, meta, step: e.step, tick: e.tick, index };
    return li;
  }

  /**
   * Drops the oldest lines beyond the cap, in batches: removing lines at the
   * top moves every other line, and a moved line is painted again, so most
   * frames should only add lines at the bottom.
   */
  trim() {
    if (this.lines.length <= this.cap * 1.25) return;
    const extra = this.lines.length - this.cap;
    for (const { li } of this.lines.splice(0, extra)) li.remove();
    this.from = this.lines[0].index;
    this.markTicks(0, 1);
  }

  /**
   * The tick is written on the first line of each tick; the lines after it
   * in the same tick show a faint bar, so runs of one tick read as a block.
   * Marks lines [start, end), each against its neighbour above.
   */
  markTicks(start, end) {
    for (let i = start; i < Math.min(end, this.lines.length); i += 1) {
      if (i > 0 && this.lines[i - 1].tick === this.lines[i].tick) this.lines[i].meta.dataset.same = 'true';
      else delete this.lines[i].meta.dataset.same;
    }
  }
}
