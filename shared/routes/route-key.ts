/**
 * The guards' key for a request no route policy matches: its path's first segment (`/catalog/7`
 * gives `catalog`, `/` the empty key). One function, so the forwarder, the route table and the
 * access-log analyzer agree on it.
 */
export function firstSegmentKey(path: string): string {
  const end = path.indexOf('/', 1);
  return path.slice(1, end === -1 ? undefined : end);
}
