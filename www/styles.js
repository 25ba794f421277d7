// The element's stylesheets, each a literal `new URL('./x.css',
// import.meta.url)` so that bundlers (Vite, Rollup, webpack) see and emit
// every file, and a plain module script finds them beside itself in any
// sub-folder. The single-file build (tools/single.mjs) turns these into
// data: URLs inside the one script.
export const STYLESHEETS = [
  new URL('./theme.css', import.meta.url),
  new URL('./layout.css', import.meta.url),
  new URL('./cluster-view.css', import.meta.url),
  new URL('./log-view.css', import.meta.url),
  new URL('./narration.css', import.meta.url),
  new URL('./banner.css', import.meta.url),
  new URL('./transport.css', import.meta.url),
  new URL('./settings.css', import.meta.url),
  new URL('./tour.css', import.meta.url),
  new URL('./help.css', import.meta.url),
];
