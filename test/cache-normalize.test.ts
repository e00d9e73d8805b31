import { describe, expect, test } from 'vitest';
import { isHttpDate, lowerDirectiveNames, normalizeResponseHeaders, parseHttpDate } from '../shared/cache/normalize.js';

describe('Expires (RFC 9111 section 5.3)', () => {
  test.each([
    ['IMF-fixdate', 'Thu, 01 Jan 2099 10:00:00 GMT', true],
    ['asctime', 'Thu Jan  1 10:00:00 2099', true],
    ['upper-case weekday', 'THU, 01 Jan 2099 10:00:00 GMT', true],
    ['upper-case month', 'Thu, 01 JAN 2099 10:00:00 GMT', true],
    ['mixed-case zone', 'Thu, 01 Jan 2099 10:00:00 gMT', true],
    ['31 February', 'Thu, 31 Feb 2099 10:00:00 GMT', false],
    ['UTC zone', 'Thu, 01 Jan 2099 10:00:00 UTC', false],
    ['no comma', 'Thu 01 Jan 2099 10:00:00 GMT', false],
    ['multiple spaces', 'Thu,  01 Jan 2099 10:00:00 GMT', false],
    ['dashes in the date', 'Thu, 01-Jan-2099 10:00:00 GMT', false],
    ['1-digit hour', 'Thu, 01 Jan 2099 1:00:00 GMT', false],
  ])('%s: valid = %s', (_name, value, valid) => {
    expect(isHttpDate(value)).toBe(valid);
    const out = normalizeResponseHeaders({ expires: value });
    expect(Date.parse(String(out.expires)) === Date.UTC(2099, 0, 1, 10)).toBe(valid && !value.includes('Feb'));
  });
  test('a valid Expires is rewritten as an IMF-fixdate', () => {
    expect(normalizeResponseHeaders({ expires: 'Thursday, 01-Jan-49 10:00:00 GMT' }, Date.UTC(2026, 0, 1)).expires).toBe('Fri, 01 Jan 2049 10:00:00 GMT');
    expect(normalizeResponseHeaders({ expires: 'Thursday, 01-Jan-99 10:00:00 GMT' }, Date.UTC(2026, 0, 1)).expires).toBe('Fri, 01 Jan 1999 10:00:00 GMT');
  });
  test('a two-digit rfc850 year more than 50 years ahead is in the past century (RFC 9110 section 5.6.7)', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseHttpDate('Thursday, 18-Aug-50 02:01:18 GMT', now)).toBe(Date.UTC(2050, 7, 18, 2, 1, 18));
    expect(parseHttpDate('Monday, 18-Aug-80 02:01:18 GMT', now)).toBe(Date.UTC(1980, 7, 18, 2, 1, 18));
  });
  test('an invalid Expires becomes a date in the past', () => {
    expect(Date.parse(String(normalizeResponseHeaders({ expires: 'soon' }).expires))).toBeLessThan(Date.now());
  });
});

describe('Age (RFC 9111 section 5.1)', () => {
  test('a float Age is invalid and ignored', () => expect(normalizeResponseHeaders({ age: '7200.0' }).age).toBeUndefined());
  test('an integer Age is kept', () => expect(normalizeResponseHeaders({ age: '30' }).age).toBe('30'));
  test('a list-valued Age is read as its first member', () => expect(normalizeResponseHeaders({ age: '7200, 0' }).age).toBe('7200'));
  test('two Age lines are read as the first', () => expect(normalizeResponseHeaders({ age: ['7200', '0'] }).age).toBe('7200'));
  test('a list whose first member is invalid is ignored', () => expect(normalizeResponseHeaders({ age: 'old, 0' }).age).toBeUndefined());
});

describe('Cache-Control directive names are case-insensitive', () => {
  test('names lower-cased, quoted values kept', () => {
    expect(lowerDirectiveNames('No-Cache, Max-Age=60, private="Set-Cookie"')).toBe('no-cache, max-age=60, private="Set-Cookie"');
  });
});
