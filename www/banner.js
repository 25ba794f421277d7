// Placeholder: mounts nothing yet.
export function mountBanner(container, app, host) {
  return () => {};
}
