import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/http/errors.js';
import { loadConfig } from '../shared/config/config.js';
import { compilePattern, patternProblem } from '../shared/routes/route-pattern.js';
import { RouteMatcher } from '../shared/routes/route-matcher.js';
import { parseRoutes } from '../shared/routes/route-spec.js';
import { loadRoutes, ROUTES_FILE } from '../shared/routes/routes-source.js';
import { RouteTable } from '../shared/config/route-table.js';

describe('path patterns', () => {
  const matches = (pattern: string, path: string) => compilePattern(pattern).matches(path);
  /** Checks that pattern takes every path in `matching` and none in `notMatching`. */
  const expectMatching = (pattern: string, matching: string[], notMatching: string[]) => {
    for (const path of matching) expect(matches(pattern, path), `${pattern} on ${path}`).toBe(true);
    for (const path of notMatching) expect(matches(pattern, path), `${pattern} on ${path}`).toBe(false);
  };

  it('matches an exact path only as received: case, encoding and a trailing slash count', () => {
    expectMatching('/api/search', ['/api/search'], ['/api/search/', '/API/search', '/api/searchx']);
    expectMatching('/api/r%C3%A9sum%C3%A9', ['/api/r%C3%A9sum%C3%A9'], ['/api/résumé']);
  });

  it('lets * stand for exactly one non-empty segment (ALB\'s * would cross "/")', () => {
    expectMatching('/api/items/*', ['/api/items/42'], ['/api/items/42/notes', '/api/items/', '/api/items']);
    expectMatching('/api/*/notes', ['/api/7/notes'], ['/api/7/8/notes']);
  });

  it('lets a final ** stand for any depth, none included', () => {
    expectMatching('/reports/**', ['/reports', '/reports/', '/reports/2026', '/reports/2026/q1/summary.pdf'], ['/report', '/reportsx', '/', '/api/reports/1']);
    expectMatching('/**', ['/anything/at/all'], []);
    expectMatching('/api/*/files/**', ['/api/7/files/a/b'], ['/api/7/other/a']);
  });

  it('refuses patterns it cannot mean', () => {
    expect(patternProblem('reports/**')).toContain('does not start with "/"');
    expect(patternProblem('/a/**/b')).toContain('only as the last segment');
    expect(patternProblem('/items/item-*')).toContain('mixes "*"');
    expect(patternProblem('/search?q=1')).toContain('query');
    expect(patternProblem(7)).toBe('not a string');
    expect(patternProblem('/a/*/b/**')).toBeUndefined();
  });
});

describe('route matching', () => {
  const routes = parseRoutes(
    [
      { name: 'search', match: '/api/search', methods: ['POST'] },
      { name: 'items', match: '/api/items/*', methods: ['GET'] },
      { name: 'api', match: '/api/**' },
    ],
    'ROUTES',
  );
  const matcher = new RouteMatcher(routes);
  const name = (method: string, path: string) => matcher.find(method, path)?.name;

  it('takes the first route that matches both path and method', () => {
    expect(name('POST', '/api/search')).toBe('search');
    expect(name('GET', '/api/search')).toBe('api');
    expect(name('GET', '/api/items/3')).toBe('items');
    expect(name('DELETE', '/api/items/3')).toBe('api');
    expect(name('GET', '/other')).toBeUndefined();
  });

  it('matches methods exactly, and HEAD where a route lists GET', () => {
    expect(name('HEAD', '/api/items/3')).toBe('items');
    expect(name('post', '/api/search')).toBe('api');
    expect(name('OPTIONS', '/api/items/3')).toBe('api');
  });

  it('gives an unmatched request the global settings, `default` name and first-segment guard key', () => {
    const config = loadConfig({ ORIGIN_URL: 'http://o', RETRY_MAX_ATTEMPTS: '4', ROUTES: JSON.stringify([{ name: 'reports', match: '/reports/**', maxAttempts: 2, attemptTimeoutMs: 60000 }]) });
    const table = new RouteTable(config);
    const unmatched = table.resolve({ method: 'GET', path: '/things/1' });
    expect(unmatched.name).toBe('default');
    expect(unmatched.retry.maxAttempts).toBe(4);
    expect(RouteTable.guardKey(unmatched, '/things/1')).toBe('/things');
    const reports = table.resolve({ method: 'GET', path: '/reports/2026' });
    expect(reports).toMatchObject({ name: 'reports', attemptTimeoutMs: 60000, retry: { maxAttempts: 2, nonIdempotent: false } });
    expect(RouteTable.guardKey(reports, '/reports/2026')).toBe('reports');
  });
});

describe('route validation', () => {
  const error = (routes: unknown, source = 'ROUTES'): string => {
    try {
      parseRoutes(routes, source);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(routes)}`);
  };
  const ok = { name: 'ok', match: '/ok' };

  it.each([
    [{ name: 'search', match: '/s', maxAttempts: 0 }, 'maxAttempts', '0', 'integer 1..20'],
    [{ name: 'search', match: '/s', maxAttempts: 2.5 }, 'maxAttempts', '2.5', 'integer 1..20'],
    [{ name: 'search', match: '/s', attemptTimeoutMs: '100' }, 'attemptTimeoutMs', '"100"', 'integer milliseconds 1..900000'],
    [{ name: 'search', match: '/s', retryStatuses: [503, 700] }, 'retryStatuses', '[503,700]', 'HTTP statuses 100..599'],
    [{ name: 'search', match: '/s', retryStatuses: '503' }, 'retryStatuses', '"503"', 'array of HTTP statuses'],
    [{ name: 'search', match: '/s', retryNonIdempotent: 'yes' }, 'retryNonIdempotent', '"yes"', 'true | false'],
    [{ name: 'search', match: '/s', originHonoursIdempotencyKey: 1 }, 'originHonoursIdempotencyKey', '1', 'true | false'],
    [{ name: 'search', match: '/s', hedgeAfterMs: 'soon' }, 'hedgeAfterMs', '"soon"', '"off" | "auto"'],
    [{ name: 'search', match: '/s', methods: ['POST'], hedgeAfterMs: 100 }, 'hedgeAfterMs', '100', 'lists only POST'],
    [{ name: 'search', match: '/s', cache: 'on' }, 'cache', '"on"', '"off" or {"defaultTtlS"'],
    [{ name: 'search', match: '/s', cache: { defaultTtlS: -1 } }, 'cache', '{"defaultTtlS":-1}', 'defaultTtlS must be an integer >= 0'],
    [{ name: 'search', match: '/s', cache: { ttl: 5 } }, 'cache', '{"ttl":5}', 'unknown field "ttl"'],
    [{ name: 'search', match: '/s', methods: ['get'] }, 'methods', '["get"]', 'upper-case method tokens'],
    [{ name: 'search', match: '/s', methods: [] }, 'methods', '[]', 'non-empty array'],
    [{ name: 'search', match: 's/**' }, 'match', '"s/**"', 'a path starting with "/"'],
    [{ name: 'search', match: '/s', maxAtempts: 3 }, 'maxAtempts', '3', 'unknown field'],
    // Found by review: a pattern no ALB path can match, and fields named like Object.prototype members.
    [{ name: 'search', match: '/médecins/**' }, 'match', '"/médecins/**"', 'percent-encoded'],
    [{ name: 'search', match: '/s', constructor: 2 }, 'constructor', '2', 'unknown field'],
    [{ name: 'search', match: '/s', toString: 2 }, 'toString', '2', 'unknown field'],
    [{ name: 'search', match: '/s', hasOwnProperty: 2 }, 'hasOwnProperty', '2', 'unknown field'],
  ])('names the route, the field, the value and the accepted form: %j', (route, field, value, form) => {
    const message = error([ok, route]);
    expect(message).toContain('ROUTES: route 1 ("search")');
    expect(message).toContain(`${field}: got ${value}`);
    expect(message).toContain(form);
  });

  it('accepts a percent-encoded pattern, which matches the path as ALB passes it', () => {
    const [route] = parseRoutes([{ name: 'doctors', match: '/m%C3%A9decins/**' }], 'ROUTES');
    expect(route?.match).toBe('/m%C3%A9decins/**');
  });

  it('refuses an unknown field named __proto__ (JSON.parse makes it an own field)', () => {
    expect(error(JSON.parse('[{"name":"search","match":"/s","__proto__":2}]'))).toContain('__proto__: got 2');
  });

  it('requires a token name, unique and not "default"', () => {
    expect(error([{ match: '/a' }])).toContain('route 0: name: got nothing, expected token');
    expect(error([{ name: 'has space', match: '/a' }])).toContain('name: got "has space"');
    expect(error([{ name: 'default', match: '/a' }])).toContain('not "default"');
    expect(error([ok, { name: 'ok', match: '/b' }])).toContain('route 1 ("ok"): name: got "ok", which an earlier route already has');
  });

  it('requires an array of objects, and names the file when the routes come from routes.json', () => {
    expect(error({ name: 'a' }, 'routes.json')).toMatch(/^routes\.json: got \{"name":"a"\}, expected a JSON array of routes/);
    expect(error(['x'])).toContain('route 0: got "x", expected an object');
  });

  it('accepts every field at once', () => {
    const [route] = parseRoutes(
      [{ name: 'r', match: '/r/**', methods: ['GET', 'POST'], maxAttempts: 3, attemptTimeoutMs: 9000, retryStatuses: [502], retryNonIdempotent: true, originHonoursIdempotencyKey: false, hedgeAfterMs: 'auto', cache: { defaultTtlS: 30, staleIfErrorS: 600 } }],
      'ROUTES',
    );
    expect(route).toEqual({
      index: 0, name: 'r', match: '/r/**', methods: ['GET', 'POST'], maxAttempts: 3, attemptTimeoutMs: 9000, retryStatuses: new Set([502]),
      retryNonIdempotent: true, originHonoursIdempotencyKey: false, hedgeAfterMs: 'auto', cache: { defaultTtlS: 30, staleIfErrorS: 600 },
    });
  });
});

describe('where routes come from', () => {
  it('uses ROUTES when set, replacing the file', () => {
    expect(loadRoutes('[{"name":"env","match":"/e"}]', [{ name: 'file', match: '/f' }]).map((r) => r.name)).toEqual(['env']);
  });

  it('uses the file when ROUTES is unset or blank', () => {
    expect(loadRoutes(undefined, [{ name: 'file', match: '/f' }]).map((r) => r.name)).toEqual(['file']);
    expect(loadRoutes('  ', [{ name: 'file', match: '/f' }]).map((r) => r.name)).toEqual(['file']);
  });

  it('ships an empty routes.json, so the build always has a file to inline', () => {
    expect(ROUTES_FILE).toEqual([]);
    expect(loadConfig({ ORIGIN_URL: 'http://o' }).routes).toEqual([]);
  });

  it('fails the cold start on ROUTES that are not JSON, naming the variable', () => {
    expect(() => loadConfig({ ORIGIN_URL: 'http://o', ROUTES: '[{name: 1}]' })).toThrow(/^ROUTES: is not JSON .*expected a JSON array of routes/);
    expect(() => loadConfig({ ORIGIN_URL: 'http://o', ROUTES: '[{"name":"a","match":"/a","maxAttempts":99}]' })).toThrow(
      'ROUTES: route 0 ("a"): maxAttempts: got 99, expected integer 1..20',
    );
  });
});

describe('npm start route summary', () => {
  it('lists the routes in match order with the fields they set, then the default', async () => {
    const { describeRoutes } = await import('../local/route-summary.js');
    const routes = parseRoutes([{ name: 'search', match: '/api/search', methods: ['POST'], retryNonIdempotent: true, retryStatuses: [502, 503] }, { name: 'reports', match: '/reports/**', cache: 'off' }], 'ROUTES');
    expect(describeRoutes(routes, true).split('\n')).toEqual([
      'routes in force (from ROUTES; first match wins, HEAD matches GET):',
      '  search   POST         /api/search  retryStatuses=502,503 retryNonIdempotent=true',
      '  reports  *            /reports/**  cache=off',
      '  default  *            anything else: the global settings',
    ]);
    expect(describeRoutes([], false)).toContain('none (routes.json is empty)');
  });
});
