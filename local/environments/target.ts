/**
 * What the local ALB emulator invokes: a Lambda function, however it is run (one in-process
 * handler in `--single` mode, or a pool of execution environments), and what ALB makes of a failed
 * invocation.
 */
import type { ALBEvent, ALBResult } from 'aws-lambda';

/** ALB's answer when the invocation gave no usable result: status and access-log error reason. */
export interface InvokeFailure {
  /** The status ALB sends the client (502 for a function error and for a throttle). */
  readonly status: number;
  /** The access log's `error_reason`, e.g. `LambdaUnhandled`, `LambdaThrottling`. */
  readonly reason: string;
  /** For the emulator's `x-local-alb-error` header. */
  readonly message: string;
  /** False when the function never ran (throttled): the log's target_processing_time is then -1. */
  readonly reachedTarget: boolean;
  /** How long the function ran, when that is known exactly (the timeout, for a timed-out invocation). */
  readonly durationMs?: number;
}

export type InvokeOutcome = { readonly result: ALBResult } | InvokeFailure;

export interface FunctionTarget {
  /** One invocation; never rejects. `timeoutMs` is the function timeout Lambda would enforce. */
  invoke(event: ALBEvent, timeoutMs: number): Promise<InvokeOutcome>;
  /** Releases what it holds (threads, timers). */
  close(): Promise<void>;
}

/**
 * A throttled invocation, as ALB reports it: HTTP 502 with error reason `LambdaThrottling`. The
 * status: "Troubleshoot your Application Load Balancers", HTTP 502, "a Lambda function that returned
 * an error or the function was throttled by the Lambda service"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html);
 * its 503 is only for target groups with no registered targets. The reason: "Access logs for your
 * Application Load Balancer", "Error reason codes" (a table of code, description and metric, no status).
 */
export const THROTTLED: InvokeFailure = {
  status: 502,
  reason: 'LambdaThrottling',
  message: 'every execution environment is busy and MAX_ENVIRONMENTS is reached (Lambda throttled the invocation)',
  reachedTarget: false,
};

/**
 * An invocation that ran out of time. Lambda stops the function at its timeout; ALB has no timeout
 * code of its own and reports a function error (ELB access-log reference, error_reason:
 * `LambdaUnhandled`, HTTP 502). The function did run, for the whole timeout: that is its target time.
 */
export function timedOut(timeoutMs: number): InvokeFailure {
  return { status: 502, reason: 'LambdaUnhandled', message: `function timed out after ${timeoutMs} ms`, reachedTarget: true, durationMs: timeoutMs };
}

/** An invocation that threw (or whose environment crashed): ALB's `LambdaUnhandled`, HTTP 502. */
export function functionError(message: string): InvokeFailure {
  return { status: 502, reason: 'LambdaUnhandled', message: `function error: ${message}`, reachedTarget: true };
}

/** `invocation`, or 'timeout' once `timeoutMs` has passed first; the timer is cleared either way. */
export async function withinTimeout<T>(invocation: Promise<T>, timeoutMs: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([invocation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
