/**
 * Calling the proxy handler as ALB and Lambda would at the template's settings: a recorded-shape
 * ALB event, a Lambda context with the function's 55 s, and a call timed in virtual time.
 */
import type { ALBEvent } from 'aws-lambda';
import { runVirtual } from './virtual-time.js';

/** An ALB event for `method path` to the public HTTPS address (single-value headers). */
export function albEvent(method: string, path: string, body = ''): ALBEvent {
  return {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1' } },
    httpMethod: method,
    path,
    queryStringParameters: {},
    headers: { host: 'app.example.org', 'x-forwarded-proto': 'https', 'content-type': 'application/json' },
    body,
    isBase64Encoded: false,
  };
}

/** template.yaml's FunctionTimeout (55 s) from now; the handler keeps DEADLINE_MARGIN_MS of it. */
export function functionContext(ms = 55_000): { getRemainingTimeInMillis(): number } {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}

/** Runs an invocation in virtual time: its status, body and how long it took. */
export async function timedCall(work: Promise<{ statusCode: number; body?: string }>): Promise<{ status: number; body: string | undefined; ms: number }> {
  const started = Date.now();
  const result = await runVirtual(work, { turns: 2 });
  return { status: result.statusCode, body: result.body, ms: Date.now() - started };
}
