import { describe, expect, test } from 'vitest';
import { applyRange, parseRange } from '../shared/cache/range.js';
import type { OriginResponse } from '../shared/http/types.js';
import { originRequest } from './support/cache-harness.js';

describe('one byte range of a stored response (RFC 9110 section 14.1.2)', () => {
  test.each([
    ['bytes=0-1', { first: 0, last: 1 }],
    ['bytes=1-', { first: 1, last: 10 }],
    ['bytes=-1', { first: 10, last: 10 }],
    ['bytes=-50', { first: 0, last: 10 }],
    ['bytes=5-99', { first: 5, last: 10 }],
    ['Bytes = 2 - 3', { first: 2, last: 3 }],
    ['bytes=11-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=3-1', undefined],
    ['bytes=0-1,4-5', undefined],
    ['items=0-1', undefined],
    ['bytes=-', undefined],
  ])('%s of 11 bytes: %j', (header, expected) => {
    expect(parseRange(header, 11)).toEqual(expected);
  });
});

describe('a stored 200 answering a Range request', () => {
  const stored: OriginResponse = { status: 200, headers: { 'content-type': ['text/plain'], 'content-length': ['11'] }, body: Buffer.from('01234567890') };
  test('becomes a 206 with Content-Range and the slice', () => {
    const out = applyRange(originRequest('GET', '/', { range: 'bytes=0-1' }), stored);
    expect(out.status).toBe(206);
    expect(out.body.toString()).toBe('01');
    expect(out.headers['content-range']).toEqual(['bytes 0-1/11']);
    expect(out.headers['content-length']).toEqual(['2']);
    expect(out.headers['content-type']).toEqual(['text/plain']);
  });
  test('an unsatisfiable range is a 416 naming the length', () => {
    const out = applyRange(originRequest('GET', '/', { range: 'bytes=20-' }), stored);
    expect(out.status).toBe(416);
    expect(out.headers['content-range']).toEqual(['bytes */11']);
    expect(out.body.length).toBe(0);
  });
  test('no Range, a HEAD, another status or several ranges: unchanged', () => {
    expect(applyRange(originRequest('GET', '/'), stored)).toBe(stored);
    expect(applyRange(originRequest('HEAD', '/', { range: 'bytes=0-1' }), stored)).toBe(stored);
    expect(applyRange(originRequest('GET', '/', { range: 'bytes=0-1' }), { ...stored, status: 404 }).status).toBe(404);
    expect(applyRange(originRequest('GET', '/', { range: 'bytes=0-1, 3-4' }), stored)).toBe(stored);
  });
});
