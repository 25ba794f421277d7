// What the sequence diagram lets through: the narration's kind chips and
// node filter, and the node selected in the picture (its lane is
// highlighted). Read from those controls themselves, which live in the same
// shadow root, so the diagram keeps no second copy of the page's filters.

/** The narration's filters and the picture's selection, read from the controls under `scope`. */
export function readFilter(scope) {
  const chips = [...(scope.querySelectorAll?.('.qs-nar-chip[data-group]') ?? [])];
  const groups = chips.length ? new Set(chips.filter((c) => c.getAttribute('aria-pressed') === 'true').map((c) => c.dataset.group)) : null;
  const value = scope.querySelector?.('.qs-nar-node')?.value;
  const selected = scope.querySelector?.('.cv-node.selected')?.getAttribute('data-node-id');
  return { groups, node: value ? Number(value) : null, selected: selected != null ? Number(selected) : null };
}

/** Equal for filters that let the same things through (a re-layout is needed only when it changes). */
export const filterKey = (f) => `${f.groups ? [...f.groups].sort().join() : '*'}|${f.node}|${f.selected}`;

const showsGroup = (filter, group) => !filter.groups || filter.groups.has(group);

/** The parts of a mark (several things can happen to a node in one step) whose kind is shown. */
export const markItems = (filter, m) => m.items.filter((i) => showsGroup(filter, i.group));

export const showsArrow = (filter, a) => filter.node == null || a.from === filter.node || a.to === filter.node;

export const showsMark = (filter, m) => (filter.node == null || m.node === filter.node) && markItems(filter, m).length > 0;

/** Partitions, heals and violations span every lane: only the kind filter applies. */
export const showsBand = (filter, b) => showsGroup(filter, b.group);

/** The lane drawn highlighted: the narration's node filter, else the picture's selection. */
export const highlightedNode = (filter) => filter?.node ?? filter?.selected ?? null;
