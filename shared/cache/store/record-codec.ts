import CachePolicy from 'http-cache-semantics';
import type { HeaderMap } from '../../http/types.js';
import type { CacheRecord } from '../record.js';

/**
 * One S3 object per record: `ARPC` magic, format version byte, uint32 big-endian length of a
 * UTF-8 JSON header, the header, then the body bytes untouched (binary bodies stay byte-exact and
 * cost no base64). Everything is validated on read, because an object may be truncated, written
 * by another version, or not ours at all.
 */
const MAGIC = Buffer.from('ARPC', 'latin1');
export const RECORD_FORMAT_VERSION = 1;
const PREAMBLE_BYTES = MAGIC.length + 1 + 4;

/** The object cannot be read as a record; the reason says which check failed. */
export class RecordFormatError extends Error {
  constructor(reason: string) {
    super(`unreadable cache record: ${reason}`);
    this.name = 'RecordFormatError';
  }
}

export function encodeRecord(record: CacheRecord): Buffer {
  const { body, ...meta } = record.kind === 'entry' ? record : { ...record, body: Buffer.alloc(0) };
  const header = Buffer.from(JSON.stringify({ ...meta, bodyLength: body.length }), 'utf8');
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  MAGIC.copy(preamble, 0);
  preamble.writeUInt8(RECORD_FORMAT_VERSION, MAGIC.length);
  preamble.writeUInt32BE(header.length, MAGIC.length + 1);
  return Buffer.concat([preamble, header, body]);
}

/** Parses and validates a record; throws `RecordFormatError` for anything else. */
export function decodeRecord(bytes: Uint8Array): CacheRecord {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < PREAMBLE_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) fail('not a cache record (magic)');
  const version = data.readUInt8(MAGIC.length);
  if (version !== RECORD_FORMAT_VERSION) fail(`format version ${version}, expected ${RECORD_FORMAT_VERSION}`);
  const headerLength = data.readUInt32BE(MAGIC.length + 1);
  if (PREAMBLE_BYTES + headerLength > data.length) fail('truncated header');
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(data.toString('utf8', PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength)) as Record<string, unknown>;
  } catch {
    return fail('header is not JSON');
  }
  if (typeof meta !== 'object' || meta === null) fail('header is not an object');
  const body = data.subarray(PREAMBLE_BYTES + headerLength);
  if (meta.bodyLength !== body.length) fail(`body is ${body.length} bytes, header says ${String(meta.bodyLength)}`);
  const { key, expiresAt } = meta;
  if (typeof key !== 'string' || key === '') fail('key');
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) fail('expiresAt');

  if (meta.kind === 'vary') {
    const { fields, generation } = meta;
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string' && f !== '')) fail('vary fields');
    if (typeof generation !== 'string' || generation === '') fail('vary generation');
    return { kind: 'vary', key, fields, generation, expiresAt };
  }
  if (meta.kind !== 'entry') fail(`kind ${String(meta.kind)}`);
  const { status, headers, policy } = meta;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) fail('status');
  if (!isHeaderMap(headers)) fail('headers');
  if (!isPolicyObject(policy)) fail('policy');
  // Copied out so a cached record does not pin the whole downloaded object.
  return { kind: 'entry', key, status, headers, body: Buffer.from(body), policy, expiresAt };
}

function isHeaderMap(value: unknown): value is HeaderMap {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.entries(value).every(
      ([name, values]) => name === name.toLowerCase() && Array.isArray(values) && values.every((v) => typeof v === 'string'),
    )
  );
}

/** The fields the library dereferences; `fromObject` itself only checks the version. */
function isPolicyObject(value: unknown): value is CachePolicy.CachePolicyObject {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null;
  if (!(p.v === 1 && typeof p.t === 'number' && typeof p.st === 'number' && typeof p.m === 'string')) return false;
  if (!(isObject(p.resh) && isObject(p.rescc) && isObject(p.reqcc) && (p.reqh === null || isObject(p.reqh)))) return false;
  try {
    CachePolicy.fromObject(p as unknown as CachePolicy.CachePolicyObject);
    return true;
  } catch {
    return false;
  }
}

function fail(reason: string): never {
  throw new RecordFormatError(reason);
}
