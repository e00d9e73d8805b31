/**
 * Which route a request belongs to: the first route whose pattern matches the path and whose
 * methods include the method (HEAD counts as GET: a HEAD is a GET without the body, RFC 9110
 * section 9.3.2). Shared by the proxy and the access-log analyzer, so both name requests alike.
 */
import { compilePattern, type PathPattern } from './route-pattern.js';
import type { RouteSpec } from './route-spec.js';

export class RouteMatcher<R extends Pick<RouteSpec, 'match' | 'methods'> = RouteSpec> {
  private readonly compiled: readonly { route: R; pattern: PathPattern; methods: ReadonlySet<string> | undefined }[];

  constructor(readonly routes: readonly R[]) {
    this.compiled = routes.map((route) => ({
      route,
      pattern: compilePattern(route.match),
      methods: route.methods ? new Set(route.methods) : undefined,
    }));
  }

  /** The first matching route, or undefined (the request gets the global settings). */
  find(method: string, path: string): R | undefined {
    for (const { route, pattern, methods } of this.compiled) {
      if (methods && !methods.has(method) && !(method === 'HEAD' && methods.has('GET'))) continue;
      if (pattern.matches(path)) return route;
    }
    return undefined;
  }
}
