import { describe, expect, it } from 'vitest';
import { groupFigures } from '../bench/groups.js';
import { SCENARIOS } from '../bench/scenarios.js';
import { parseRoutes } from '../shared/routes/route-spec.js';
import { RouteMatcher } from '../shared/routes/route-matcher.js';

describe('bench POST scenario groups', () => {
  const post = SCENARIOS.find((s) => s.id === 'post')!;
  const requests = Array.from({ length: 6 }, (_, i) => post.make(i, () => 0.5));

  it('declares the search route repeatable in the proxy\'s own route form, and only the searches match it', () => {
    const matcher = new RouteMatcher(parseRoutes(JSON.parse(post.env!.ROUTES!), 'ROUTES'));
    expect(requests.map((r) => matcher.find(r.method, r.path)?.name ?? 'default')).toEqual(['search', 'default', 'search', 'default', 'search', 'default']);
    expect(matcher.routes[0]).toMatchObject({ retryNonIdempotent: true, methods: ['POST'] });
  });

  it('counts success and repeats per group from the outcomes and the origin\'s request ids', () => {
    const outcomes = requests.map((_, i) => ({ i, startMs: 0, ms: 1, ...(i === 1 ? { error: 'UND_ERR_SOCKET' } : { status: i === 3 ? 502 : 200 }) }));
    const ids = { 'search-0': 2, 'search-2': 1, 'search-4': 3, 'order-1': 1, 'order-3': 1, 'order-5': 1 };
    expect(groupFigures(requests, outcomes, ids, post.groupOf!)).toEqual({
      'search (declared repeatable)': { sent: 3, succeeded: 3, successRate: 1, duplicates: 2 },
      'orders (undeclared)': { sent: 3, succeeded: 1, successRate: 1 / 3, duplicates: 0 },
    });
  });

  it('counts the broken-endpoint scenario by path, without repeats (its requests carry no request id)', () => {
    const broken = SCENARIOS.find((s) => s.id === 'broken')!;
    const draws = [0.1, 0.9, 0.9, 0.1];
    const paths = draws.map((d) => broken.make(0, () => d));
    const outcomes = paths.map((r, i) => ({ i, startMs: 0, ms: 1, status: r.path === '/status/500' ? 500 : 200 }));
    expect(groupFigures(paths, outcomes, {}, broken.groupOf!)).toEqual({
      broken: { sent: 2, succeeded: 0, successRate: 0 },
      healthy: { sent: 2, succeeded: 2, successRate: 1 },
    });
  });
});
