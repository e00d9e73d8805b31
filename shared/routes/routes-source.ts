/**
 * Where the routes come from: the ROUTES option when set, else `routes.json` at the repository
 * root, which the build (esbuild, for `npm run build` and `sam build` alike) inlines into the
 * bundle, so a deployed function reads no file at run time. An empty `[]` file means no routes.
 */
import routesFile from '../../routes.json' with { type: 'json' };
import { ConfigError } from '../http/errors.js';
import { parseRoutes, type RouteSpec } from './route-spec.js';

/** The routes.json content the build inlined. */
export const ROUTES_FILE: unknown = routesFile;

/** Validated routes from `raw` (the ROUTES value) or, when it is unset or blank, from `file`. */
export function loadRoutes(raw: string | undefined, file: unknown = ROUTES_FILE): RouteSpec[] {
  if (raw === undefined || raw.trim() === '') return parseRoutes(file, 'routes.json');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError('ROUTES', `is not JSON (${(error as Error).message}); expected a JSON array of routes (docs/routes.md), or leave it empty to use routes.json`);
  }
  return parseRoutes(value, 'ROUTES');
}
