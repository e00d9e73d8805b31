/** What the access-log analyzer is asked to count, and the target it judges the success rate by. */
import type { RouteSpec } from '../../shared/routes/route-spec.js';
import type { BucketSize } from './timeline.js';

/** The availability target the HOSP team set: 99% of requests succeed. */
export const DEFAULT_TARGET = 0.99;

export interface AnalyzeOptions {
  /** Only requests whose `time` is at or after this. */
  from?: Date;
  /** Only requests whose `time` is before this. */
  to?: Date;
  /**
   * Only requests routed to this target group (the proxy's), as the saved Athena queries keep: on a
   * load balancer shared with other rules, their requests would otherwise count too.
   */
  targetGroupArn?: string;
  /** @default 'auto' (per minute up to 6 hours of data, else per hour) */
  bucket?: BucketSize | 'auto';
  /** @default 0.99 */
  target?: number;
  /** @default 10 */
  topPaths?: number;
  /** Malformed lines listed in the report (all are counted). @default 20 */
  malformedExamples?: number;
  /** The function's routes, for a per-route breakdown; none or empty: no breakdown. */
  routes?: readonly Pick<RouteSpec, 'name' | 'match' | 'methods'>[];
}
