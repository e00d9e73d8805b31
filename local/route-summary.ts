/**
 * The routes in force as `npm start` prints them: one line per route in match order, with the
 * fields it sets (the rest fall back to the global options), and where they came from.
 */
import type { RouteSpec } from '../shared/routes/route-spec.js';
import { DEFAULT_ROUTE_NAME } from '../shared/routes/route-spec.js';

export function describeRoutes(routes: readonly RouteSpec[], fromEnv: boolean): string {
  const source = fromEnv ? 'ROUTES' : 'routes.json';
  if (routes.length === 0) return `routes in force: none (${source} is empty): every request gets the global settings, as route "${DEFAULT_ROUTE_NAME}"`;
  const width = Math.max(...routes.map((r) => r.name.length), DEFAULT_ROUTE_NAME.length);
  const lines = routes.map((r) => {
    const { index: _i, name, match, methods, ...fields } = r;
    const set = Object.entries(fields).map(([key, value]) => `${key}=${value instanceof Set ? [...value].join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
    return `  ${name.padEnd(width)}  ${(methods?.join(',') ?? '*').padEnd(12)} ${match}${set.length > 0 ? `  ${set.join(' ')}` : ''}`;
  });
  return [
    `routes in force (from ${source}; first match wins, HEAD matches GET):`,
    ...lines,
    `  ${DEFAULT_ROUTE_NAME.padEnd(width)}  ${'*'.padEnd(12)} anything else: the global settings`,
  ].join('\n');
}
