/**
 * Encodes and decodes a cache record as one S3 object, validating everything it reads.
 */
import type { HeaderMap } from '../../http/types.js';
import type { CacheRecord } from '../record.js';
import type CachePolicy from 'http-cache-semantics';

/**
 * One S3 object per record: `ARPC` magic, format version byte, uint32 big-endian length of a
 * UTF-8 JSON header, the header, then the body bytes untouched (binary bodies stay byte-exact and
 * cost no base64). Everything is validated on read, because an object may be truncated, written
 * by another version, or not ours at all.
 */
const MAGIC = Buffer.from('ARPC', 'latin1');
/**
 * 2: policies built from library-view.ts (CDN-Cache-Control, must-revalidate hidden, surrogate
 * status), and the library's policy object no longer checked field by field. A record of another
 * version is a plain miss, not corrupt: a deploy starts over, it does not delete another's objects.
 */
export const RECORD_FORMAT_VERSION = 2;
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
  if (version !== RECORD_FORMAT_VERSION) throw new RecordVersionError(version);
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

/**
 * The library's `toObject()` form is its own business: only that it is an object is checked here.
 * Whether the library can still read it (another library version) is found out on restore, and
 * an unreadable one is a miss there (cached-read.ts), never a reason to call the record corrupt.
 */
function isPolicyObject(value: unknown): value is CachePolicy.CachePolicyObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object is a record of another format version (an older or newer deploy): a miss, not damage. */
export class RecordVersionError extends RecordFormatError {
  constructor(readonly version: number) {
    super(`format version ${version}, expected ${RECORD_FORMAT_VERSION}`);
    this.name = 'RecordVersionError';
  }
}

function fail(reason: string): never {
  throw new RecordFormatError(reason);
}
