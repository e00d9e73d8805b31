/**
 * The ALB result out: a response in the exact shape ALB accepts (string header values, the request's
 * header mode, status description, base64 for binary bodies).
 */
import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { ALBResult } from 'aws-lambda';
import { withoutHopByHop } from '../http/headers.js';
import type { HeaderMap, OriginResponse } from '../http/types.js';
import { proxyStatusHeader } from '../http/proxy-status.js';
import { ALB_LIMITS } from './limits.js';

export interface AlbResultOptions {
  /** Reply with `multiValueHeaders` (exactly when the request event used them). */
  readonly multiValue: boolean;
  /** The request method: a HEAD reply carries no body. */
  readonly method: string;
  /** Name used in the `Proxy-Status` member of a size-limit 502. @default 'alb-retry-proxy' */
  readonly proxyName?: string;
}

/**
 * Translates a response into the ALB result, exactly per the contract: every header value a string,
 * the header form matching the request's, `statusDescription` as ALB wants it (`"200 OK"`), text
 * bodies as UTF-8 and everything else base64 (text too large for ALB once JSON-escaped goes as base64
 * when that fits). Falls back to a clean 502 when ALB could not carry it either way.
 */
export function toAlbResult(response: OriginResponse, options: AlbResultOptions): ALBResult {
  const result = buildResult(response, options);
  let problem = sizeProblem(result, options.multiValue);
  if (!problem) return result;
  if (problem.type === 'http_response_body_size' && !result.isBase64Encoded) {
    // JSON escaping can make text up to 6 times its bytes (quotes and backslashes 2, control
    // characters 6) while base64 is always 4/3: text full of them may fit only as base64.
    const binary = buildResult(response, { ...options, base64: true });
    const binaryProblem = sizeProblem(binary, options.multiValue);
    if (!binaryProblem) return binary;
    if ((binaryProblem.jsonBytes ?? Infinity) < (problem.jsonBytes ?? Infinity)) problem = binaryProblem;
  }
  const headers: HeaderMap = {
    'content-type': ['text/plain; charset=utf-8'],
    'proxy-status': [proxyStatusHeader(options.proxyName ?? 'alb-retry-proxy', { error: problem.type, details: problem.detail, receivedStatus: response.status })],
    'cache-control': ['no-store'],
  };
  // Cache-Status is on every response (docs/caching.md), this replacement too: what the cache did for the answer it replaces.
  const cacheStatus = response.headers['cache-status'];
  if (cacheStatus !== undefined) headers['cache-status'] = cacheStatus;
  return buildResult({ status: 502, headers, body: Buffer.from(`Bad Gateway: ${problem.detail}\n`) }, options);
}

interface BuildOptions extends AlbResultOptions {
  /** Send the body as base64 even when it is text (when its escaped text is too large for ALB). */
  readonly base64?: boolean;
}

function buildResult(response: OriginResponse, options: BuildOptions): ALBResult {
  const headers = withoutHopByHop(response.headers);
  const head = options.method === 'HEAD';
  if (head) {
    const length = headLength(response);
    if (length !== undefined) headers['content-length'] = [length];
  }
  const body = head ? Buffer.alloc(0) : response.body;
  const text = body.length === 0 || (!options.base64 && isTextual(headers) && isUtf8(body));
  const result: ALBResult = {
    statusCode: response.status,
    statusDescription: statusDescription(response.status),
    isBase64Encoded: !text,
    body: text ? body.toString('utf8') : body.toString('base64'),
  };
  if (options.multiValue) result.multiValueHeaders = headers;
  else result.headers = singleValueHeaders(headers);
  return result;
}

/**
 * A HEAD exists to tell the size (RFC 9110 section 9.3.2), so its reply keeps the origin's
 * Content-Length; a HEAD answered from a stored GET carries the stored body's length.
 */
function headLength(response: OriginResponse): string | undefined {
  if (response.body.length > 0) return String(response.body.length);
  const declared = response.headers['content-length']?.[0]?.trim();
  return declared !== undefined && /^\d+$/.test(declared) ? declared : undefined;
}

/** `"503 Service Unavailable"`; an unknown code gets a generic phrase rather than `undefined`. */
export function statusDescription(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

/**
 * Single-value mode can carry one value per name. Repeated fields are joined with ", " (RFC 9110
 * section 5.3 makes that equivalent), except Set-Cookie, which cannot be joined: its last value
 * wins, as ALB does for repeated request headers (the handler logs a warning and counts
 * `SetCookieDropped` for each loss). docs/proxying.md says to enable multi-value headers on the target
 * group when the origin sets several cookies.
 */
function singleValueHeaders(headers: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(headers)) {
    if (values.length === 0) continue;
    out[name] = name === 'set-cookie' ? values[values.length - 1]! : values.join(', ');
  }
  return out;
}

const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded)\b|application\/[\w.+-]+\+(json|xml)\b)/i;

/**
 * Text only when the content type says so and no content-coding applies: a gzip'd JSON body is
 * bytes, and sending it as a UTF-8 string would corrupt it.
 */
function isTextual(headers: HeaderMap): boolean {
  const encoding = headers['content-encoding']?.[0]?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') return false;
  const type = headers['content-type']?.[0]?.trim() ?? '';
  return TEXT_TYPES.test(type);
}

interface SizeProblem {
  readonly type: string;
  readonly detail: string;
  /** The result's size as JSON, for a body-size problem: the 502 reports the smaller form. */
  readonly jsonBytes?: number;
}

function sizeProblem(result: ALBResult, multiValue: boolean): SizeProblem | undefined {
  const pairs: Array<[string, string]> = multiValue
    ? Object.entries(result.multiValueHeaders ?? {}).flatMap(([n, vs]) => vs.map((v): [string, string] => [n, String(v)]))
    : Object.entries(result.headers ?? {}).map(([n, v]): [string, string] => [n, String(v)]);
  let section = 0;
  for (const [name, value] of pairs) {
    const size = Buffer.byteLength(name) + 2 + Buffer.byteLength(value) + 2;
    if (size > ALB_LIMITS.maxHeaderBytes) {
      return { type: 'http_response_header_size', detail: `response header ${name} is ${size} bytes; ALB allows ${ALB_LIMITS.maxHeaderBytes}` };
    }
    section += size;
  }
  if (section > ALB_LIMITS.maxHeaderSectionBytes) {
    return { type: 'http_response_header_section_size', detail: `response headers are ${section} bytes; ALB allows ${ALB_LIMITS.maxHeaderSectionBytes}` };
  }
  // Serializing a large body just to measure it costs milliseconds; skip it when a bound says it
  // fits: a JSON-escaped character takes at most 6 bytes (`"` and `\` 2, a control character 6), a
  // base64 one exactly 1, and each header adds its quotes, colon and comma.
  const body = result.body ?? '';
  const bodyBound = result.isBase64Encoded ? body.length : body.length * 6;
  if (bodyBound + section * 6 + pairs.length * 8 + 1024 <= ALB_LIMITS.maxResponseJsonBytes) return undefined;
  const json = Buffer.byteLength(JSON.stringify(result));
  if (json > ALB_LIMITS.maxResponseJsonBytes) {
    return { type: 'http_response_body_size', detail: `response is ${json} bytes as ALB JSON; ALB allows ${ALB_LIMITS.maxResponseJsonBytes}`, jsonBytes: json };
  }
  return undefined;
}
