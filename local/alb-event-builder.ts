/** The local ALB's request side: the Lambda event ALB builds from an HTTP request, and the X-Amzn-Trace-Id it forwards. */
import { randomBytes } from 'node:crypto';
import type { ALBEvent } from 'aws-lambda';
import { decodeHeaderBytes } from '../shared/http/headers.js';

/** What ALB knows about an incoming HTTP request when it builds the Lambda event. */
export interface IncomingHttpRequest {
  readonly method: string;
  /** The request target as sent: `/path?query`. */
  readonly target: string;
  /** Raw header pairs in arrival order (node's `rawHeaders`). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly clientIp: string;
  readonly listenerPort: number;
  readonly protocol: 'http' | 'https';
}

export interface EventBuilderOptions {
  /** The target group attribute `lambda.multi_value_headers.enabled`. @default false */
  readonly multiValue?: boolean;
  /** @default a local placeholder ARN */
  readonly targetGroupArn?: string;
}

export const LOCAL_TARGET_GROUP_ARN = 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/alb-retry-proxy-local/0000000000000000';

/**
 * A header value as ALB puts it in the event: decoded from UTF-8 (ALB passes "Rīga", not its bytes
 * one per character). Node's `rawHeaders` hold the bytes as latin1 characters, which
 * `decodeHeaderBytes` reads as UTF-8 when they are (latin1 otherwise: the emulator answers 400 to
 * non-UTF-8 headers before building an event); a value that is not such a byte string (a test's own
 * text) is left as it is.
 */
function utf8Value(value: string): string {
  return /[^\x00-\xff]/.test(value) ? value : decodeHeaderBytes(Buffer.from(value, 'latin1'));
}

/**
 * Builds the event ALB would send for this request, per ALB-CONTRACT.md: header names lowercased,
 * the last value winning in single-value mode, the query split into raw pairs (never decoded),
 * `x-forwarded-*` and `x-amzn-trace-id` added or updated, and the body base64 unless it is plain
 * text or empty.
 */
export function buildAlbEvent(request: IncomingHttpRequest, options: EventBuilderOptions = {}): ALBEvent {
  const multiValue = options.multiValue ?? false;
  const headers = new Map<string, string[]>();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), utf8Value(request.rawHeaders[i + 1]!)]);
  }
  const forwardedFor = headers.get('x-forwarded-for')?.join(', ');
  headers.set('x-forwarded-for', [forwardedFor ? `${forwardedFor}, ${request.clientIp}` : request.clientIp]);
  headers.set('x-forwarded-port', [String(request.listenerPort)]);
  headers.set('x-forwarded-proto', [request.protocol]);
  headers.set('x-amzn-trace-id', [traceHeader(headers.get('x-amzn-trace-id')?.[0])]);

  const queryAt = request.target.indexOf('?');
  const path = queryAt === -1 ? request.target : request.target.slice(0, queryAt);
  const query = new Map<string, string[]>();
  if (queryAt !== -1) {
    for (const part of request.target.slice(queryAt + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const [key, value] = eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
      query.set(key, [...(query.get(key) ?? []), value]);
    }
  }

  // Nothing to encode: AWS's own example GET event has `"body": "", "isBase64Encoded": false`
  // (ELB user guide, "Lambda functions as targets").
  const base64 = request.body.length > 0 && !isPlainText(headers);
  const event: ALBEvent = {
    requestContext: { elb: { targetGroupArn: options.targetGroupArn ?? LOCAL_TARGET_GROUP_ARN } },
    httpMethod: request.method,
    path,
    body: base64 ? request.body.toString('base64') : request.body.toString('utf8'),
    isBase64Encoded: base64,
  };
  if (multiValue) {
    event.multiValueHeaders = Object.fromEntries(headers);
    event.multiValueQueryStringParameters = Object.fromEntries(query);
  } else {
    event.headers = Object.fromEntries([...headers].map(([k, v]) => [k, v[v.length - 1]!]));
    event.queryStringParameters = Object.fromEntries([...query].map(([k, v]) => [k, v[v.length - 1]!]));
  }
  return event;
}

/** ALB sends the body as text only without content-encoding and for these content types. */
function isPlainText(headers: Map<string, string[]>): boolean {
  if (headers.has('content-encoding')) return false;
  const type = headers.get('content-type')?.[0]?.toLowerCase() ?? '';
  return /^(text\/|application\/(json|javascript|xml)\b)/.test(type);
}

/**
 * The X-Amzn-Trace-Id ALB forwards (ELB user guide, "Request tracing"): without one it makes
 * `Root=1-<epoch seconds, 8 hex>-<24 hex>`; with one, it updates the `Self` field if there is one
 * and otherwise inserts `Self=1-...;` in front, keeping Root and any fields of the application.
 */
export function traceHeader(incoming: string | undefined, now: number = Date.now()): string {
  const id = `1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
  if (incoming === undefined) return `Root=${id}`;
  const fields = incoming.split(';');
  const self = fields.findIndex((f) => /^\s*Self=/.test(f));
  if (self === -1) return [`Self=${id}`, ...fields].join(';');
  fields[self] = `Self=${id}`;
  return fields.join(';');
}
