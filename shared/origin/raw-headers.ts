/**
 * Header bytes on the wire to the origin and back: the response's raw pairs as a HeaderMap, and the
 * request's values as the bytes node:http must write.
 */
import { appendHeader, decodeHeaderBytes } from '../http/headers.js';
import type { HeaderMap } from '../http/types.js';

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Raw header pairs to a HeaderMap: every repeated field kept, names lowercased, bytes decoded
 * faithfully. Node's parser hands header bytes over as latin1 strings, so latin1 gets the bytes back.
 */
export function rawHeaderMap(raw: string[]): HeaderMap {
  const out: HeaderMap = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    // ASCII (nearly every header) reads the same in latin1 and UTF-8: no bytes to decode.
    appendHeader(out, name, ASCII.test(value) ? value : decodeHeaderBytes(Buffer.from(value, 'latin1')));
  }
  return out;
}

/**
 * ALB hands header values over decoded from UTF-8 (a Latvian city name arrives as "Rīga"), and
 * node:http writes a string as latin1 (refusing anything above U+00FF): each value that is not ASCII
 * is replaced, in place, by the latin1 string of its UTF-8 bytes, so the client's bytes go out again
 * as they came in.
 */
export function asUtf8Bytes(headers: Record<string, string | string[]>): void {
  for (const [name, values] of Object.entries(headers)) {
    if (Array.isArray(values) && values.some((v) => !ASCII.test(v))) headers[name] = values.map((v) => (ASCII.test(v) ? v : Buffer.from(v, 'utf8').toString('latin1')));
  }
}
