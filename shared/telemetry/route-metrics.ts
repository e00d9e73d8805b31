/**
 * The per-route EMF metrics: the same request figures as the undimensioned totals (which stay,
 * so alarms and dashboards on them keep working), published once more with a `Route` dimension.
 * The dimension's values are bounded: configured route names, or `default` for the rest.
 *
 * They ride in the request's own EMF document as a second metric directive (the EMF specification
 * allows several per document, each with its own dimension set, reading the same root values): a
 * request's Requests, Status<n>xx, Attempts, Retries and TotalLatency are the same numbers with or
 * without the route, so nothing is added but the directive and the `Route` member.
 */
import type { EmfDocument } from './emf.js';

/** The dimension name in CloudWatch. */
export const ROUTE_DIMENSION = 'Route';

/** The request figures published per route too (`Status<n>xx` by pattern). */
const PER_ROUTE = new Set(['Requests', 'Attempts', 'Retries', 'TotalLatency']);
const perRoute = (name: string): boolean => PER_ROUTE.has(name) || /^Status\dxx$/.test(name);

/** `emf` with a second directive: the per-route subset of its metrics, dimensioned by `Route=<route>`. */
export function withRouteDirective(emf: EmfDocument, route: string): EmfDocument {
  const [totals, ...others] = emf._aws.CloudWatchMetrics;
  if (!totals) return emf;
  const byRoute = {
    Namespace: totals.Namespace,
    Dimensions: [[...(totals.Dimensions[0] ?? []), ROUTE_DIMENSION]],
    Metrics: totals.Metrics.filter((m) => perRoute(m.Name)),
  };
  return { ...emf, [ROUTE_DIMENSION]: route, _aws: { ...emf._aws, CloudWatchMetrics: [totals, ...others, byRoute] } };
}
