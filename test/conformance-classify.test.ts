import { describe, expect, it } from 'vitest';
import { classify, countResults, formatCounts, type RawResult, type SuiteFile } from '../scripts/conformance/classify.js';

// A two-file suite shaped like http-tests/cache-tests' tests/*.mjs.
const SUITE: SuiteFile[] = [
  {
    id: 'fresh',
    name: 'Freshness',
    tests: [
      { id: 'a' },
      { id: 'b', kind: 'optimal' },
      { id: 'c', kind: 'required', depends_on: ['b'] },
      { id: 'd', kind: 'check' },
      { id: 'browser', kind: 'required' },
    ],
  },
  {
    id: 'other',
    name: 'Other',
    tests: [
      { id: 'e', kind: 'required' },
      { id: 'f', kind: 'optimal', depends_on: ['d'] },
      { id: 'g', kind: 'required' },
      { id: 'h', kind: 'required' },
    ],
  },
];

const RESULTS: Record<string, RawResult> = {
  a: true,
  b: ['Assertion', 'Response 2 does not come from cache'],
  c: true,
  d: true,
  e: ['Setup', 'Response 1 status is 500, not 200'],
  f: true,
  g: ['AbortError', 'timeout'],
  h: ['Assertion', 'no'],
};

describe('conformance classification (the suite results.mjs rules)', () => {
  it('a passing test whose dependency failed counts as a dependency failure', () => {
    expect(classify(SUITE, 'c', RESULTS)).toBe('dependency_fail');
  });
  it('a passing check is a dependency that holds', () => {
    expect(classify(SUITE, 'f', RESULTS)).toBe('pass');
  });
  it('separates setup, harness, required and optional failures', () => {
    expect(classify(SUITE, 'e', RESULTS)).toBe('setup_fail');
    expect(classify(SUITE, 'e', { e: ['Setup', 'retry'] })).toBe('retry');
    expect(classify(SUITE, 'g', RESULTS)).toBe('harness_fail');
    expect(classify(SUITE, 'h', RESULTS)).toBe('fail');
    expect(classify(SUITE, 'b', RESULTS)).toBe('optional_fail');
    expect(classify(SUITE, 'd', { d: ['Assertion', 'x'] })).toBe('no');
  });
  it('counts passes per file and in total, leaving checks and untested tests out', () => {
    const counts = countResults(SUITE, RESULTS);
    expect(counts.files).toEqual([
      { id: 'fresh', requiredPassed: 1, requiredTotal: 2, optimalPassed: 0, optimalTotal: 1 },
      { id: 'other', requiredPassed: 0, requiredTotal: 3, optimalPassed: 1, optimalTotal: 1 },
    ]);
    expect(counts.total).toEqual({ requiredPassed: 1, requiredTotal: 5, optimalPassed: 1, optimalTotal: 2 });
    expect(counts.untested).toEqual(['browser']);
    expect(counts.notPassed.map((n) => `${n.id}:${n.verdict}`)).toEqual(['b:optional_fail', 'c:dependency_fail', 'e:setup_fail', 'g:harness_fail', 'h:fail']);
    expect(formatCounts('run', counts)).toContain('TOTAL                  required     1/5   optimal     1/2');
  });
  it('names a test that the suite does not have', () => {
    expect(() => classify(SUITE, 'zz', {})).toThrow(/zz is not in the suite/);
  });
});
