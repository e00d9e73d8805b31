/**
 * An ALB health check answered locally or forwarded as a single probe of the origin.
 */
import type { ProxyConfig } from '../config/config.js';
import { createForwarder } from './forwarder.js';
import type { Deadline, ForwardResult, OriginRequest } from '../http/types.js';
import type { OriginClient } from '../origin/client.js';

/**
 * Forwards an ALB health check (HEALTH_CHECK_LOCAL=false) as a probe of the origin: one attempt,
 * no retries, no hedge, no cache, no retry guards, within HEALTH_CHECK_TIMEOUT_MS.
 *
 * Why not the normal path: a check that retries a 2-20 s origin five times outlives the target
 * group's HealthCheckTimeoutSeconds and ALB counts a timeout it cannot explain; a cached or
 * stale-if-error 200 would report a dead origin as healthy; and checks must not spend the retry
 * budget or move the route's health that real requests depend on.
 */
export type HealthCheck = (request: OriginRequest, deadline: Deadline) => Promise<ForwardResult>;

export function createHealthCheck(config: Pick<ProxyConfig, 'attemptTimeoutMs' | 'retry' | 'hedge' | 'healthCheckTimeoutMs'>, client: OriginClient, now: () => number = Date.now): HealthCheck {
  const forward = createForwarder({
    config: {
      attemptTimeoutMs: Math.min(config.attemptTimeoutMs, config.healthCheckTimeoutMs),
      retry: { ...config.retry, maxAttempts: 1 },
      hedge: { ...config.hedge, after: undefined },
    },
    client,
    now,
  });
  return (request, deadline) => {
    // The earlier of the function's own deadline and the check's.
    const end = now() + config.healthCheckTimeoutMs;
    return forward(request, { remainingMs: () => Math.min(deadline.remainingMs(), end - now()) });
  };
}
