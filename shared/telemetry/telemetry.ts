import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The function's Powertools logger and metrics, created once per container (module scope) so warm
 * invocations reuse them. Service name, namespace and level come from the POWERTOOLS_* variables.
 *
 * Nothing here ever logs a body, a cookie or an authorization value: callers pass only the fields
 * listed in `RequestLogLine`.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'alb-retry-proxy' });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'AlbRetryProxy',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'alb-retry-proxy',
});

export { MetricUnit };

/** Adds `value` to a count metric; best effort, a metrics failure never fails a request. */
export function count(name: string, value = 1): void {
  try {
    metrics.addMetric(name, MetricUnit.Count, value);
  } catch (error) {
    logger.debug('metric dropped', { metric: name, error: String(error) });
  }
}

/** Records a duration metric in milliseconds; best effort like `count`. */
export function millis(name: string, value: number): void {
  try {
    metrics.addMetric(name, MetricUnit.Milliseconds, value);
  } catch (error) {
    logger.debug('metric dropped', { metric: name, error: String(error) });
  }
}
