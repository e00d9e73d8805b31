/**
 * The cache-tests suite's own result classification, ported so the counts here are the ones
 * cache-tests.fyi shows.
 *
 * From http-tests/cache-tests `test-engine/lib/results.mjs` at commit
 * b55b8bda3dbb8c927c04e85bd8d496a8caa3e4ba (BSD-3-Clause): a test whose dependency did not pass counts as failed, a setup
 * failure is not a pass, `check` tests count in neither total. Then per-file and total counts.
 */

/** One test as the suite's `tests/*.mjs` declare it (only what classification reads). */
export interface SuiteTest {
  readonly id: string;
  /** `required` when absent. */
  readonly kind?: 'required' | 'optimal' | 'check';
  readonly depends_on?: readonly string[];
}

/** One file of the suite (`tests/<id>.mjs`). */
export interface SuiteFile {
  readonly id: string;
  readonly name: string;
  readonly tests: readonly SuiteTest[];
}

/** What the CLI prints per test: `true`, or `[errorName, message]` (`Setup`, `Assertion`, `AbortError`, ...). */
export type RawResult = true | false | readonly [string, string?];

export type Verdict = 'untested' | 'pass' | 'fail' | 'optional_fail' | 'yes' | 'no' | 'setup_fail' | 'harness_fail' | 'dependency_fail' | 'retry';

const PASSES: ReadonlySet<Verdict> = new Set(['pass', 'yes']);

function lookup(files: readonly SuiteFile[], id: string): SuiteTest {
  for (const file of files) {
    const test = file.tests.find((t) => t.id === id);
    if (test) return test;
  }
  throw new Error(`conformance: test ${id} is not in the suite's tests/index.mjs (results from another suite commit?)`);
}

/** `determineTestResult(testSuites, testId, testResults, honorDependencies = true)`, same order of checks. */
export function classify(files: readonly SuiteFile[], id: string, results: Readonly<Record<string, RawResult>>): Verdict {
  const test = lookup(files, id);
  const result = results[id];
  if (result === undefined) return 'untested';
  for (const dependency of test.depends_on ?? []) {
    if (!PASSES.has(classify(files, dependency, results))) return 'dependency_fail';
  }
  if (Array.isArray(result) && result[0] === 'Setup') return result[1] === 'retry' ? 'retry' : 'setup_fail';
  if (result === false) return 'harness_fail';
  if (Array.isArray(result) && result[0] === 'AbortError') return 'harness_fail';
  const kind = test.kind ?? 'required';
  if (kind === 'required') return result === true ? 'pass' : 'fail';
  if (kind === 'optimal') return result === true ? 'pass' : 'optional_fail';
  if (kind === 'check') return result === true ? 'yes' : 'no';
  throw new Error(`conformance: test ${id} has unknown kind ${String(kind)}`);
}

export interface Tally {
  readonly requiredPassed: number;
  readonly requiredTotal: number;
  readonly optimalPassed: number;
  readonly optimalTotal: number;
}

export interface Counts {
  readonly files: ReadonlyArray<{ readonly id: string } & Tally>;
  readonly total: Tally;
  /** Required and optimal tests that did not pass, with their verdict, for the JSON result. */
  readonly notPassed: ReadonlyArray<{ readonly id: string; readonly kind: 'required' | 'optimal'; readonly verdict: Verdict }>;
  /** Required and optimal tests without a result (the CLI skips `browser_only` ones); in no total. */
  readonly untested: readonly string[];
}

/** Pass counts of required and optimal tests per file and in total. */
export function countResults(files: readonly SuiteFile[], results: Readonly<Record<string, RawResult>>): Counts {
  const notPassed: Array<Counts['notPassed'][number]> = [];
  const untested: string[] = [];
  const perFile = files.map((file) => {
    const tally = { id: file.id, requiredPassed: 0, requiredTotal: 0, optimalPassed: 0, optimalTotal: 0 };
    for (const test of file.tests) {
      const kind = test.kind ?? 'required';
      if (kind === 'check') continue;
      const verdict = classify(files, test.id, results);
      // Not run by this client (browser_only): cache-tests.fyi shows "-" and counts it nowhere.
      if (verdict === 'untested') {
        untested.push(test.id);
        continue;
      }
      const passed = verdict === 'pass';
      if (kind === 'required') {
        tally.requiredTotal += 1;
        tally.requiredPassed += passed ? 1 : 0;
      } else {
        tally.optimalTotal += 1;
        tally.optimalPassed += passed ? 1 : 0;
      }
      if (!passed) notPassed.push({ id: test.id, kind, verdict });
    }
    return tally;
  });
  const sum = (field: keyof Tally): number => perFile.reduce((n, f) => n + f[field], 0);
  const total = { requiredPassed: sum('requiredPassed'), requiredTotal: sum('requiredTotal'), optimalPassed: sum('optimalPassed'), optimalTotal: sum('optimalTotal') };
  return { files: perFile, total, notPassed, untested };
}

/** The table printed for one run. */
export function formatCounts(label: string, counts: Counts): string {
  const row = (id: string, t: Tally): string =>
    `  ${id.padEnd(22)} required ${`${t.requiredPassed}/${t.requiredTotal}`.padStart(7)}   optimal ${`${t.optimalPassed}/${t.optimalTotal}`.padStart(7)}`;
  return [`${label}:`, ...counts.files.map((f) => row(f.id, f)), row('TOTAL', counts.total)].join('\n') + '\n';
}
