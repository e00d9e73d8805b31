/**
 * The Lambda context the local runs hand the handler, in-process (`npm run invoke`, `--single`) or
 * in an execution environment (worker.mjs gets the data part by message): one set of names and one memory size.
 */
import type { Context } from 'aws-lambda';

/** The template's FunctionMemorySize default, MB: the context's memoryLimitInMB and the pool's GB-seconds. */
export const DEFAULT_MEMORY_MB = 256;

/** The context's plain data, which a worker thread can be sent (its functions cannot). */
export type ContextFields = Omit<Context, 'getRemainingTimeInMillis' | 'done' | 'fail' | 'succeed'>;

export function contextFields(awsRequestId: string, memoryMb: number, logStreamName: string): ContextFields {
  return {
    functionName: 'alb-retry-proxy-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:alb-retry-proxy-local',
    memoryLimitInMB: String(memoryMb),
    awsRequestId,
    logGroupName: '/aws/lambda/alb-retry-proxy-local',
    logStreamName,
    callbackWaitsForEmptyEventLoop: false,
  };
}

/** A Lambda context whose remaining time counts down to `deadline` (epoch ms). */
export function localContext(deadline: number, awsRequestId: string, memoryMb: number = DEFAULT_MEMORY_MB): Context {
  const noop = () => undefined;
  return { ...contextFields(awsRequestId, memoryMb, 'local'), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), done: noop, fail: noop, succeed: noop };
}
