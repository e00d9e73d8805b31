/**
 * The function's Powertools logger and its request metrics, one each per container, and the one way a
 * request's metrics leave the store (`takeEmf`; request-telemetry.ts prints them).
 *
 * Created at module scope so warm invocations reuse them. Service name, namespace and level come
 * from the POWERTOOLS_* variables; the metrics are emf.ts's (why not Powertools Metrics: there).
 *
 * Nothing here ever logs a body, a cookie or an authorization value: callers pass only the fields
 * of `RequestSummary` (request-telemetry.ts).
 */
import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import { getBooleanFromEnv, isDevMode } from '@aws-lambda-powertools/commons/utils/env';
import { RequestMetrics, type EmfDocument } from './emf.js';
import { ROUTE_DIMENSION } from './route-metrics.js';

/** One name for both: a log line and the EMF document of the same request name the same service. */
export const SERVICE = process.env.POWERTOOLS_SERVICE_NAME || 'alb-retry-proxy';

export const logger = new Logger({ serviceName: SERVICE });

export const metrics = new RequestMetrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'AlbRetryProxy',
  serviceName: SERVICE,
  reservedNames: [ROUTE_DIMENSION],
});

export type { EmfDocument };

/**
 * Powertools' own rule, read once at cold start with Powertools' own env helpers, as its Metrics
 * reads it: POWERTOOLS_METRICS_DISABLED when set, else POWERTOOLS_DEV.
 */
export const METRICS_DISABLED =
  process.env.POWERTOOLS_METRICS_DISABLED !== undefined
    ? getBooleanFromEnv({ key: 'POWERTOOLS_METRICS_DISABLED', defaultValue: false, extendedParsing: true })
    : isDevMode();

/** Adds `value` to a count metric; best effort, a metrics failure never fails a request. */
export function count(name: string, value = 1): void {
  try {
    metrics.add(name, 'Count', value);
  } catch (error) {
    logger.debug('metric dropped', { metric: name, error: String(error) });
  }
}

/** Records a duration metric in milliseconds; best effort like `count`. */
export function millis(name: string, value: number): void {
  try {
    metrics.add(name, 'Milliseconds', value);
  } catch (error) {
    logger.debug('metric dropped', { metric: name, error: String(error) });
  }
}

/**
 * The metrics recorded since the last call as one EMF document, and the store emptied; undefined when
 * metrics are disabled or none were recorded. The caller may add to it (the per-route directive)
 * before it is printed.
 */
export function takeEmf(): EmfDocument | undefined {
  if (!METRICS_DISABLED) return metrics.take();
  metrics.clear();
  return undefined;
}

/** True when `logger.info` prints (POWERTOOLS_LOG_LEVEL and sampling may turn INFO off). */
export const infoEnabled = (): boolean => logger.level <= LogLevelThreshold.INFO;
