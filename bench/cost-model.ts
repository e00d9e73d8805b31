/**
 * What a request costs on Lambda (arm64, on demand) against the fixed price of EC2 instances
 * running nginx, from measured durations.
 *
 * Pure arithmetic, no I/O: the bench passes in what it
 * measured (per scenario: attempts per client request and the time the proxy added; the cold start's
 * init), and the prices below are parameters whose defaults name their date and source.
 *
 * Lambda bills memory x wall time, and this function mostly waits on HOSP (2-20 s per attempt), so
 * the origin's latency, not the proxy's CPU, sets the bill: the model takes it as a parameter.
 */

export interface LambdaPrices {
  /** USD per GB-second of duration (memory in GB = MB / 1024). */
  readonly gbSecondUsd: number;
  /** USD per request. */
  readonly requestUsd: number;
  /** Where and when the prices were read. */
  readonly source: string;
}

/**
 * us-east-1, arm64, first tier (up to 7.5 billion GB-s a month); read 2026-12-02 from
 * aws.amazon.com/lambda/pricing and price tables quoting it (unchanged since arm64 launched in
 * September 2021). INIT is billed like INVOKE since 2025-08-01 (AWS Compute Blog, "AWS Lambda
 * standardizes billing for INIT Phase"). Free tier and Savings Plans not counted.
 */
export const LAMBDA_ARM64_US_EAST_1: LambdaPrices = {
  gbSecondUsd: 0.0000133334,
  requestUsd: 0.2 / 1_000_000,
  source: 'AWS Lambda arm64 on-demand, us-east-1, read 2026-12-02',
};

export interface Ec2Offer {
  readonly instanceType: string;
  /** On-demand Linux USD per hour. */
  readonly hourlyUsd: number;
  /**
   * Instances always running: two, one per Availability Zone, for the same availability an ALB
   * spreading over Lambda gets. @default 2
   */
  readonly instances: number;
  /**
   * Requests in flight one instance holds. nginx proxies a request with two connections, so this is
   * about `worker_processes x worker_connections / 2`; at 2-20 s per attempt it, not CPU, bounds an
   * instance. Not measured by this bench: an assumption to set from your own nginx config.
   * @default 4000 (2 workers x 4096 connections)
   */
  readonly concurrentPerInstance: number;
  readonly source: string;
}

/** m7g.large (2 vCPU Graviton3, 8 GiB), us-east-1 Linux on demand, as quoted for June 2026. */
export const EC2_M7G_LARGE: Ec2Offer = {
  instanceType: 'm7g.large',
  hourlyUsd: 0.0816,
  instances: 2,
  concurrentPerInstance: 4000,
  source: 'EC2 on-demand m7g.large Linux, us-east-1, as quoted 2026-06-17',
};

/** AWS's monthly hour count (8,760 / 12). */
export const HOURS_PER_MONTH = 730;

export interface RequestProfile {
  /** Origin attempts per client request, sequential (retries); a cache hit is 0. */
  readonly attemptsPerRequest: number;
  /** Time the proxy itself adds per request (its code, backoff between retries), ms. */
  readonly ownMs: number;
}

export interface LambdaCostInput extends RequestProfile {
  /** HOSP's latency of one attempt, ms. */
  readonly originMs: number;
  /** The function's memory, MB. */
  readonly memoryMb: number;
  /** INIT duration of a cold start, ms. */
  readonly initMs: number;
  /** Share of requests that start a new environment, 0..1. @default 0.01 */
  readonly coldStartShare?: number;
  readonly prices?: LambdaPrices;
}

export interface LambdaCost {
  /** Billed duration of one request, ms (rounded up to the millisecond, as Lambda bills). */
  readonly billedMs: number;
  /** GB-seconds per request, INIT spread over the requests included. */
  readonly gbSeconds: number;
  readonly usdPerMillion: number;
}

/**
 * Lambda cost of one request and per million: duration = attempts x origin latency + the proxy's own
 * time, INIT billed on the `coldStartShare` of requests that start an environment (AWS measured
 * cold starts on under 1% of production invocations, hence the default).
 */
export function lambdaCost(input: LambdaCostInput): LambdaCost {
  const prices = input.prices ?? LAMBDA_ARM64_US_EAST_1;
  const coldStartShare = input.coldStartShare ?? 0.01;
  // Rounded to the microsecond first: 1.104 x 5000 is 5520.000000000001 in floating point, not 5521 ms billed.
  const billedMs = Math.ceil(Math.round((input.attemptsPerRequest * input.originMs + input.ownMs) * 1000) / 1000);
  const gb = input.memoryMb / 1024;
  const gbSeconds = gb * (billedMs / 1000) + coldStartShare * gb * (Math.ceil(input.initMs) / 1000);
  return { billedMs, gbSeconds, usdPerMillion: 1_000_000 * (gbSeconds * prices.gbSecondUsd + prices.requestUsd) };
}

export interface Ec2Cost {
  /** Instances the load needs: the offer's count, more if the requests in flight do not fit. */
  readonly instances: number;
  readonly usdPerMonth: number;
  readonly usdPerMillion: number;
}

/**
 * EC2 cost of `requestsPerMonth` spread evenly over the month, each holding a connection for
 * `holdMs`: a fixed monthly price, shared by however many requests the instances carry.
 */
export function ec2Cost(requestsPerMonth: number, holdMs: number, offer: Ec2Offer = EC2_M7G_LARGE): Ec2Cost {
  const perSecond = requestsPerMonth / (HOURS_PER_MONTH * 3600);
  const inFlight = perSecond * (holdMs / 1000);
  const instances = Math.max(offer.instances, Math.ceil(inFlight / offer.concurrentPerInstance));
  const usdPerMonth = instances * offer.hourlyUsd * HOURS_PER_MONTH;
  return { instances, usdPerMonth, usdPerMillion: requestsPerMonth > 0 ? usdPerMonth / (requestsPerMonth / 1_000_000) : Infinity };
}

/**
 * Monthly requests at which Lambda and the EC2 offer cost the same (below it Lambda is cheaper),
 * at the offer's minimum instance count. Beyond it EC2 only gets cheaper per request, until the
 * in-flight bound adds instances.
 */
export function breakEvenRequestsPerMonth(lambda: LambdaCost, offer: Ec2Offer = EC2_M7G_LARGE): number {
  return (offer.instances * offer.hourlyUsd * HOURS_PER_MONTH) / (lambda.usdPerMillion / 1_000_000);
}
