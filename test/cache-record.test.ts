import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createPolicies } from '../shared/cache/policy.js';
import type { EntryRecord, VaryRecord } from '../shared/cache/record.js';
import { decodeRecord, encodeRecord, RecordFormatError, RecordVersionError } from '../shared/cache/store/record-codec.js';
import { originRequest } from './support/cache-harness.js';

const policies = createPolicies({ now: () => 1_700_000_000_000, defaultTtlS: 0, originHost: 'hosp.internal' });

const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const headerMap = fc.dictionary(headerName, fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 3 }), { maxKeys: 8 });

const entry = fc.record({
  status: fc.integer({ min: 100, max: 599 }),
  headers: headerMap,
  body: fc.uint8Array({ maxLength: 4096 }),
  key: fc.webUrl({ withQueryParameters: true }),
  expiresAt: fc.integer({ min: 0, max: 2 ** 45 }),
}).map(({ status, headers, body, key, expiresAt }): EntryRecord => ({
  kind: 'entry',
  key,
  status,
  headers,
  body: Buffer.from(body),
  policy: policies.create(key, originRequest('GET', '/'), { status: 200, headers: { 'cache-control': ['max-age=60'] } }).toObject(),
  expiresAt,
}));

describe('cache record format', () => {
  test('round-trips any entry byte for byte, binary bodies included', () => {
    fc.assert(
      fc.property(entry, (record) => {
        const decoded = decodeRecord(encodeRecord(record));
        expect(decoded).toEqual(record);
        expect(decoded.kind === 'entry' && decoded.body.equals(record.body)).toBe(true);
      }),
    );
  });

  test('round-trips a Vary marker', () => {
    const marker: VaryRecord = { kind: 'vary', key: 'http://o/x', fields: ['accept-language', 'cookie'], generation: 'g-1', expiresAt: 123 };
    expect(decodeRecord(encodeRecord(marker))).toEqual(marker);
  });

  test('rejects any other bytes with RecordFormatError, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(() => decodeRecord(bytes)).toThrow(RecordFormatError);
      }),
    );
  });

  test('a damaged header either fails with RecordFormatError or still decodes to a well-formed record', () => {
    fc.assert(
      fc.property(entry, fc.nat(), fc.integer({ min: 1, max: 255 }), (record, at, flip) => {
        const bytes = encodeRecord(record);
        const damaged = Buffer.from(bytes);
        const index = at % (9 + bytes.readUInt32BE(5));
        damaged[index] = damaged[index]! ^ flip;
        let decoded;
        try {
          decoded = decodeRecord(damaged);
        } catch (error) {
          expect(error).toBeInstanceOf(RecordFormatError);
          return;
        }
        // e.g. a flipped letter inside a header value: still a record, served as such.
        expect(decoded.kind).toBe('entry');
        expect(typeof decoded.key).toBe('string');
      }),
    );
  });

  test('rejects a body shorter or longer than its header says', () => {
    fc.assert(
      fc.property(entry, fc.uint8Array({ minLength: 1, maxLength: 64 }), (record, extra) => {
        const valid = encodeRecord(record);
        const headerEnd = 9 + valid.readUInt32BE(5);
        // Cut inside the body, or (for an empty body) inside the header: both are refused, each by its own check.
        const cut = valid.subarray(0, valid.length - 1);
        const reason = valid.length > headerEnd ? /body is \d+ bytes, header says \d+/ : /truncated header/;
        expect(() => decodeRecord(cut)).toThrow(reason);
        expect(() => decodeRecord(Buffer.concat([valid, extra]))).toThrow(/body is \d+ bytes, header says \d+/);
      }),
    );
  });

  test('names what is wrong', () => {
    const marker: VaryRecord = { kind: 'vary', key: 'http://o/x', fields: ['accept'], generation: 'g', expiresAt: 1 };
    const valid = encodeRecord(marker);
    expect(() => decodeRecord(Buffer.from('PK\u0003\u0004zip'))).toThrow('not a cache record (magic)');
    const version1 = Buffer.from(valid);
    version1[4] = 1;
    expect(() => decodeRecord(version1)).toThrow('unreadable cache record: format version 1, expected 2');
  });

  test('a record of another format version is a RecordVersionError (a miss for the stores, not corrupt)', () => {
    const version1 = Buffer.from(encodeRecord({ kind: 'vary', key: 'http://o/x', fields: ['accept'], generation: 'g', expiresAt: 1 }));
    version1[4] = 1;
    expect(() => decodeRecord(version1)).toThrow(RecordVersionError);
    expect(RecordVersionError.prototype).toBeInstanceOf(RecordFormatError);
  });

  test("the library's policy object is opaque: another library version's fields still decode", () => {
    const record: EntryRecord = { kind: 'entry', key: 'http://o/x', status: 200, headers: {}, body: Buffer.from('b'), policy: { v: 9, other: 'shape' } as never, expiresAt: 5 };
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
    expect(() => decodeRecord(encodeRecord({ ...record, policy: 'x' as never }))).toThrow('unreadable cache record: policy');
  });
});
