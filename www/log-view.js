// Placeholder: mounts nothing yet.
export function mountLogs(container, app, host) {
  return () => {};
}
