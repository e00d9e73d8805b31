/**
 * The ALB request event in: checks its shape, decodes the body, and turns it into the proxy's
 * OriginRequest, remembering whether the target group uses multi-value headers.
 */
import { EventError } from '../http/errors.js';
import { appendHeader, forwardedRequestHeaders, SAFE_HEADER_VALUE, SENDABLE_HEADER_VALUE, TOKEN } from '../http/headers.js';
import { ORIGIN_FORM_PATH, PATH_CHAR } from '../http/request-target.js';
import type { HeaderMap, OriginRequest } from '../http/types.js';

/** An ALB request event, translated and validated; pure data, no I/O. */
export interface ParsedAlbEvent {
  readonly request: OriginRequest;
  /**
   * The target group sent `multiValueHeaders`; the reply must then use `multiValueHeaders` too,
   * or ALB answers the client 502.
   */
  readonly multiValue: boolean;
  /** An ELB health check: no Host header and user-agent ELB-HealthChecker (see the recorded event). */
  readonly healthCheck: boolean;
  readonly traceId: string | undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Translates an ALB event into the request to replay. Throws `EventError` naming the field when the
 * event is not one ALB could have sent (the handler answers that with 400).
 *
 * - Header names are lowercased (ALB already does; hand-written events may not).
 * - The query is rebuilt from the pairs exactly as ALB passed them: ALB does not decode them, so
 *   decoding or re-encoding would turn `%5B` into `[` or `%255B`.
 * - A base64 body is decoded strictly: a lenient decoder would silently drop bad characters and
 *   send the origin different bytes.
 */
/**
 * Whether the target group sent `multiValueHeaders` (its `lambda.multi_value_headers.enabled`), so
 * the reply must use them too. The one rule, also for an event too malformed to parse further.
 */
export function usesMultiValueHeaders(event: unknown): boolean {
  return isRecord(event) && isRecord(event.multiValueHeaders);
}

export function parseAlbEvent(event: unknown): ParsedAlbEvent {
  if (!isRecord(event)) throw new EventError('event', 'expected a JSON object');
  const method = event.httpMethod;
  if (typeof method !== 'string' || !TOKEN.test(method)) {
    throw new EventError('httpMethod', `expected an HTTP method token, got ${describe(method)}`);
  }
  const path = event.path;
  // Origin-form (RFC 9112): "/" then printable ASCII without "?" or "#". "//static/app.js" is one
  // too (an empty first segment, from a base URL ending in "/"); the target is written as is to
  // ORIGIN_URL's connection, so it names no other host, and ALB passes it to the origin as is.
  if (typeof path !== 'string' || !ORIGIN_FORM_PATH.test(path)) {
    throw new EventError('path', `expected an origin-form path: "/" then printable ASCII without "?" or "#", got ${pathProblem(path)}`);
  }

  const multiValue = usesMultiValueHeaders(event);
  // As the origin will get them (headers.ts forwardedRequestHeaders), so the cache sees the same.
  const headers = forwardedRequestHeaders(multiValue
    ? readMultiHeaders(event.multiValueHeaders as Record<string, unknown>)
    : readSingleHeaders(event.headers));
  // Only what is sent: a control character in a header dropped above (hop-by-hop, Connection-named)
  // harms nothing, and ALB forwards such requests; Host is never sent as is (host-policy.ts).
  for (const [name, values] of Object.entries(headers)) {
    if (name !== 'host' && !values.every((v) => SENDABLE_HEADER_VALUE.test(v))) {
      throw new EventError(`${multiValue ? 'multiValueHeaders' : 'headers'}.${name}`, 'header value contains a control character (only tab is allowed): node:http cannot send it');
    }
  }

  const rawQuery = multiValue || isRecord(event.multiValueQueryStringParameters)
    ? buildQuery(readMultiValueQuery(event.multiValueQueryStringParameters))
    : buildQuery(readSingleQuery(event.queryStringParameters));

  const body = readBody(event.body, event.isBase64Encoded);
  const userAgent = headers['user-agent']?.[0] ?? '';
  return {
    request: { method: method.toUpperCase(), path, rawQuery, headers, body },
    multiValue,
    healthCheck: headers.host === undefined && userAgent.startsWith('ELB-HealthChecker'),
    traceId: headers['x-amzn-trace-id']?.[0],
  };
}

function readSingleHeaders(raw: unknown): HeaderMap {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw new EventError('headers', 'expected an object of header name to string value');
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new EventError(`headers.${name}`, `expected a string, got ${describe(value)}`);
    addHeader(out, name, value, 'headers');
  }
  return out;
}

function readMultiHeaders(raw: Record<string, unknown>): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, values] of Object.entries(raw)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new EventError(`multiValueHeaders.${name}`, `expected an array of strings, got ${describe(values)}`);
    }
    for (const value of values as string[]) addHeader(out, name, value, 'multiValueHeaders');
  }
  return out;
}

function addHeader(out: HeaderMap, name: string, value: string, field: string): void {
  if (!TOKEN.test(name)) throw new EventError(`${field}.${name}`, 'header name is not an RFC 9110 token');
  if (!SAFE_HEADER_VALUE.test(value)) throw new EventError(`${field}.${name}`, 'header value contains CR, LF or NUL');
  appendHeader(out, name.toLowerCase(), value);
}

type QueryPairs = Array<[string, string]>;

function readSingleQuery(raw: unknown): QueryPairs {
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw)) throw new EventError('queryStringParameters', 'expected an object of key to string value');
  return Object.entries(raw).map(([key, value]) => {
    if (typeof value !== 'string') {
      throw new EventError(`queryStringParameters.${key}`, `expected a string, got ${describe(value)}`);
    }
    return [key, value];
  });
}

function readMultiValueQuery(raw: unknown): QueryPairs {
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw)) throw new EventError('multiValueQueryStringParameters', 'expected an object of key to string arrays');
  const pairs: QueryPairs = [];
  for (const [key, values] of Object.entries(raw)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new EventError(`multiValueQueryStringParameters.${key}`, `expected an array of strings, got ${describe(values)}`);
    }
    for (const value of values as string[]) pairs.push([key, value]);
  }
  return pairs;
}

/**
 * `k=v&k2=v2` from the pairs, as received. Characters that cannot appear in a request target
 * (space, CR, LF, `#`...) are refused rather than encoded: ALB never sends them, and encoding them
 * would change what the origin sees for everything else.
 */
function buildQuery(pairs: QueryPairs): string {
  const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  if (!/^[\x21-\x7e]*$/.test(query) || query.includes('#')) {
    throw new EventError('queryStringParameters', 'a key or value contains a character not allowed in a URL query');
  }
  return query;
}

function readBody(body: unknown, isBase64Encoded: unknown): Buffer {
  if (body === undefined || body === null || body === '') return Buffer.alloc(0);
  if (typeof body !== 'string') throw new EventError('body', `expected a string or null, got ${describe(body)}`);
  if (isBase64Encoded === true) {
    if (!BASE64.test(body)) throw new EventError('body', 'isBase64Encoded is true but the body is not valid base64');
    return Buffer.from(body, 'base64');
  }
  if (isBase64Encoded !== false && isBase64Encoded !== undefined) {
    throw new EventError('isBase64Encoded', `expected true or false, got ${describe(isBase64Encoded)}`);
  }
  return Buffer.from(body, 'utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The kind of a value, never the value itself: header, query, path and body values can hold
 * cookies, tokens and passwords, and the message is logged (and answered in the 400).
 */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string of ${value.length} character(s)`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Where a path first breaks origin-form, by position and code point (not its text, which may hold a token). */
function pathProblem(path: unknown): string {
  if (typeof path !== 'string') return describe(path);
  const at = path.startsWith('/') ? [...path].findIndex((c) => !PATH_CHAR.test(c)) : 0;
  const char = [...path][at];
  return char === undefined ? 'an empty path' : `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at character ${at}`;
}
