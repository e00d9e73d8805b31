/**
 * The per-route EMF metrics: the same request figures as the undimensioned totals (which stay,
 * so alarms and dashboards on them keep working), published once more with a `Route` dimension.
 * The dimension's values are bounded: configured route names, or `default` for the rest.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from '../telemetry/telemetry.js';

/** The dimension name in CloudWatch. */
export const ROUTE_DIMENSION = 'Route';

/** A second Powertools instance: its dimension must not leak onto the totals of the main one. */
const routeMetrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'AlbRetryProxy',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'alb-retry-proxy',
});

export interface RouteFigures {
  /** The status the client got. */
  readonly status: number;
  /** Attempts sent to the origin, cancelled hedges included. */
  readonly attempts: number;
  readonly retries: number;
  readonly totalMs: number;
}

/**
 * Publishes one EMF document for one request: Requests, Status<n>xx, Attempts, Retries and
 * TotalLatency with `Route=<route>`. Best effort: a metrics failure never fails a request.
 */
export function recordRouteMetrics(route: string, figures: RouteFigures, sink: Metrics = routeMetrics): void {
  try {
    sink.addDimension(ROUTE_DIMENSION, route);
    sink.addMetric('Requests', MetricUnit.Count, 1);
    sink.addMetric(`Status${Math.floor(figures.status / 100)}xx`, MetricUnit.Count, 1);
    sink.addMetric('Attempts', MetricUnit.Count, figures.attempts);
    if (figures.retries > 0) sink.addMetric('Retries', MetricUnit.Count, figures.retries);
    sink.addMetric('TotalLatency', MetricUnit.Milliseconds, figures.totalMs);
    sink.publishStoredMetrics();
  } catch (error) {
    logger.debug('route metrics dropped', { route, error: String(error) });
  }
}
