/**
 * Byte-range requests (RFC 9110 section 14) answered from a complete stored response.
 */
import type { OriginRequest, OriginResponse } from '../http/types.js';

/**
 * A Range request answered from a complete stored response (RFC 9110 section 14): one byte range
 * becomes a 206 with Content-Range, an unsatisfiable one a 416. Several ranges, other units or a
 * malformed header are ignored and the whole 200 is sent, which section 14.2 allows. Partial
 * responses from the origin are passed through and never stored.
 */

/** Byte positions, inclusive, within a representation of `length` bytes. */
export interface ByteRange {
  readonly first: number;
  readonly last: number;
}

/** The one range of `header` within `length` bytes; 'unsatisfiable'; or undefined to send the whole. */
export function parseRange(header: string, length: number): ByteRange | 'unsatisfiable' | undefined {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, from, to] = match as unknown as [string, string, string];
  if (from === '') {
    // suffix-range: the last N bytes (section 14.1.2); "-0" selects nothing.
    const suffix = Number(to);
    if (suffix === 0 || length === 0) return 'unsatisfiable';
    return { first: Math.max(0, length - suffix), last: length - 1 };
  }
  const first = Number(from);
  const last = to === '' ? length - 1 : Math.min(Number(to), length - 1);
  if (to !== '' && Number(to) < first) return undefined; // invalid range-spec: ignored
  if (first >= length) return 'unsatisfiable';
  return { first, last };
}

/** `response` (a complete stored 200, headers already copied) as the answer to `request`'s Range. */
export function applyRange(request: OriginRequest, response: OriginResponse): OriginResponse {
  const header = request.headers.range;
  if (request.method !== 'GET' || response.status !== 200 || header === undefined || header.length !== 1) return response;
  const length = response.body.length;
  const range = parseRange(header[0]!, length);
  if (range === undefined) return response;
  const headers = { ...response.headers };
  if (range === 'unsatisfiable') {
    headers['content-range'] = [`bytes */${length}`];
    headers['content-length'] = ['0'];
    return { status: 416, headers, body: Buffer.alloc(0) };
  }
  const body = response.body.subarray(range.first, range.last + 1);
  headers['content-range'] = [`bytes ${range.first}-${range.last}/${length}`];
  headers['content-length'] = [String(body.length)];
  return { status: 206, headers, body };
}
