/**
 * Requests and 5xx per route for the analyzer. ALB's logs carry no route name, so the routes the
 * function uses (routes.json or ROUTES) are applied to each logged method and path with the same
 * matcher; unmatched requests count as `default`. Bounded: one counter per configured route.
 */
import { RouteMatcher } from '../../shared/routes/route-matcher.js';
import { DEFAULT_ROUTE_NAME, type RouteSpec } from '../../shared/routes/route-spec.js';

export interface RouteRow {
  route: string;
  requests: number;
  /** Failed requests: a 5xx, or a `-` status (no response), which the field name predates. */
  fiveXx: number;
  /** Share of the route's requests with an elb_status_code of 100-499 (not `-`, 000 or a 5xx). */
  successRate: number;
}

export class RouteBreakdown {
  private readonly matcher: RouteMatcher<Pick<RouteSpec, 'name' | 'match' | 'methods'>>;
  private readonly counts = new Map<string, { requests: number; fiveXx: number }>();

  constructor(routes: readonly Pick<RouteSpec, 'name' | 'match' | 'methods'>[]) {
    this.matcher = new RouteMatcher(routes);
    // Every configured route gets a row, with zero requests when none came: that is a finding too.
    for (const name of [...routes.map((r) => r.name), DEFAULT_ROUTE_NAME]) this.counts.set(name, { requests: 0, fiveXx: 0 });
  }

  add(method: string | null, path: string, failed: boolean): void {
    const name = this.matcher.find(method ?? '', path)?.name ?? DEFAULT_ROUTE_NAME;
    const row = this.counts.get(name)!;
    row.requests += 1;
    if (failed) row.fiveXx += 1;
  }

  /** In route order, `default` last. */
  rows(): RouteRow[] {
    return [...this.counts].map(([route, c]) => ({ route, ...c, successRate: c.requests === 0 ? 1 : (c.requests - c.fiveXx) / c.requests }));
  }
}
