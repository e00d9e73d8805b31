/**
 * Route policies as the operator writes them (routes.json or ROUTES): the JSON form, validated
 * into `RouteSpec`s once at cold start. Every error names the route's index and name, the field,
 * the value and the accepted form, so a typo fails the deployment instead of a request.
 */
import { ConfigError } from '../http/errors.js';
import { DEFAULT_ROUTE_NAME, ROUTE_FIELDS, type RouteFieldName } from './route-fields.js';
import { patternProblem } from './route-pattern.js';
import { SAFE_METHODS } from '../http/methods.js';
import { MAX_MS } from '../http/timers.js';

export { DEFAULT_ROUTE_NAME };

/** Routes a configuration may hold: each name is a metric dimension value, so they stay few. */
export const MAX_ROUTES = 100;

/** A route's cache settings: `off`, or overrides of CACHE_DEFAULT_TTL_S / CACHE_STALE_IF_ERROR_S. */
export type RouteCache = 'off' | { readonly defaultTtlS?: number; readonly staleIfErrorS?: number };

/** One validated route. Fields left out fall back to the global option of the same job. */
export interface RouteSpec {
  /** Position in the list, from 0 (first match wins). */
  readonly index: number;
  readonly name: string;
  /** The path pattern (see route-pattern.ts). */
  readonly match: string;
  /** Exact upper-case methods; undefined = every method. */
  readonly methods?: readonly string[];
  readonly maxAttempts?: number;
  readonly attemptTimeoutMs?: number;
  readonly retryStatuses?: ReadonlySet<number>;
  readonly retryNonIdempotent?: boolean;
  readonly originHonoursIdempotencyKey?: boolean;
  /** `off`, `auto` or milliseconds, as HEDGE_AFTER_MS. */
  readonly hedgeAfterMs?: 'off' | 'auto' | number;
  readonly cache?: RouteCache;
}

/** Each field's accepted form, shown in errors. */
const FIELD_FORMS: Record<RouteFieldName, string> = Object.fromEntries(Object.entries(ROUTE_FIELDS).map(([k, f]) => [k, f.form])) as Record<RouteFieldName, string>;

type Field = RouteFieldName;

/**
 * Validates `value` (the parsed JSON) as a route list. `source` names where it came from
 * (`ROUTES` or `routes.json`) and becomes the ConfigError's variable.
 */
export function parseRoutes(value: unknown, source: string): RouteSpec[] {
  if (!Array.isArray(value)) {
    throw new ConfigError(source, `got ${describe(value)}, expected a JSON array of routes, e.g. [{"name": "search", "match": "/api/search", "methods": ["POST"], "retryNonIdempotent": true}] (docs/routes.md)`);
  }
  if (value.length > MAX_ROUTES) throw new ConfigError(source, `has ${value.length} routes, at most ${MAX_ROUTES} are allowed (each name is a metric dimension)`);
  const names = new Set<string>();
  return value.map((raw, index) => {
    const spec = parseRoute(raw, index, source);
    if (names.has(spec.name)) throw new ConfigError(source, `route ${index} ("${spec.name}"): name: got ${JSON.stringify(spec.name)}, which an earlier route already has; expected ${FIELD_FORMS.name}`);
    names.add(spec.name);
    return spec;
  });
}

function parseRoute(raw: unknown, index: number, source: string): RouteSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, `route ${index}: got ${describe(raw)}, expected an object with at least "name" and "match"`);
  }
  const route = raw as Record<string, unknown>;
  const label = typeof route.name === 'string' ? `route ${index} ("${route.name}")` : `route ${index}`;
  const fail = (field: Field | string, got: unknown, why = ''): never => {
    const form = Object.hasOwn(FIELD_FORMS, field) ? FIELD_FORMS[field as Field] : `one of the fields ${Object.keys(FIELD_FORMS).join(', ')}`;
    throw new ConfigError(source, `${label}: ${field}: got ${describe(got)}${why ? ` (${why})` : ''}, expected ${form}`);
  };
  for (const key of Object.keys(route)) if (!Object.hasOwn(FIELD_FORMS, key)) fail(key, route[key], 'unknown field');

  const name = route.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name) || name === DEFAULT_ROUTE_NAME) fail('name', name);
  const match = route.match;
  const problem = patternProblem(match);
  if (problem) fail('match', match, problem);

  const spec: { -readonly [K in keyof RouteSpec]: RouteSpec[K] } = { index, name: name as string, match: match as string };
  const int = (field: Field, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const v = route[field];
    if (v === undefined) return undefined;
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : fail(field, v);
  };
  const bool = (field: Field): boolean | undefined => {
    const v = route[field];
    return v === undefined || typeof v === 'boolean' ? v : fail(field, v);
  };

  if (route.methods !== undefined) {
    const m = route.methods;
    if (!Array.isArray(m) || m.length === 0 || m.some((x) => typeof x !== 'string' || !/^[A-Z][A-Z-]*$/.test(x))) fail('methods', m);
    spec.methods = [...new Set(m as string[])];
  }
  spec.maxAttempts = int('maxAttempts', 1, 20);
  spec.attemptTimeoutMs = int('attemptTimeoutMs', 1, MAX_MS);
  if (route.retryStatuses !== undefined) {
    const s = route.retryStatuses;
    if (!Array.isArray(s) || s.length === 0 || s.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 100 || x > 599)) fail('retryStatuses', s);
    spec.retryStatuses = new Set(s as number[]);
  }
  spec.retryNonIdempotent = bool('retryNonIdempotent');
  spec.originHonoursIdempotencyKey = bool('originHonoursIdempotencyKey');
  const hedge = route.hedgeAfterMs;
  if (hedge !== undefined) {
    if (hedge !== 'off' && hedge !== 'auto' && !(typeof hedge === 'number' && Number.isSafeInteger(hedge) && hedge >= 1 && hedge <= MAX_MS)) fail('hedgeAfterMs', hedge);
    // A parallel copy of a POST could run twice: hedging a route of unsafe methods only is a mistake.
    if (hedge !== 'off' && spec.methods && !spec.methods.some((m) => SAFE_METHODS.has(m))) {
      fail('hedgeAfterMs', hedge, `this route lists only ${spec.methods.join(', ')}, and only GET, HEAD, OPTIONS and TRACE are ever hedged`);
    }
    spec.hedgeAfterMs = hedge as RouteSpec['hedgeAfterMs'];
  }
  if (route.cache !== undefined) spec.cache = parseCache(route.cache, (why) => fail('cache', route.cache, why));
  for (const key of Object.keys(spec) as (keyof RouteSpec)[]) if (spec[key] === undefined) delete spec[key];
  return spec;
}

function parseCache(value: unknown, fail: (why?: string) => never): RouteCache {
  if (value === 'off') return 'off';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail();
  const cache = value as Record<string, unknown>;
  const out: { defaultTtlS?: number; staleIfErrorS?: number } = {};
  for (const [key, v] of Object.entries(cache)) {
    if (key !== 'defaultTtlS' && key !== 'staleIfErrorS') return fail(`unknown field ${JSON.stringify(key)}`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return fail(`${key} must be an integer >= 0`);
    out[key] = v;
  }
  return out;
}

/** A value as it appears in an error: JSON, cut short. */
function describe(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
