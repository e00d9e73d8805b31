/**
 * Route path patterns: compiles `/api/search`, `/api/items/*` and `/reports/**` into a matcher of
 * request paths.
 *
 * Matching is on the path as received (percent-encoded, case-sensitive, a trailing
 * slash counts), segment by segment:
 * - a literal segment matches itself only;
 * - `*` matches exactly one non-empty segment (unlike ALB's listener-rule patterns, where `*`
 *   also crosses `/`);
 * - `**`, allowed only as the last segment, matches any depth, none included: `/reports/**`
 *   matches `/reports`, `/reports/` and `/reports/2026/q1`.
 */

import { PATH_TEXT } from '../http/request-target.js';

/** The accepted form, for error messages and docs. */
export const PATTERN_FORM =
  'a path starting with "/" whose segments are literal, "*" (exactly one segment) or, last only, "**" (any depth), e.g. /reports/** or /api/items/*';

export interface PathPattern {
  readonly source: string;
  matches(path: string): boolean;
}

/** Why `pattern` is not a valid path pattern, or undefined when it is. */
export function patternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return 'not a string';
  if (!pattern.startsWith('/')) return 'does not start with "/"';
  if (/[?#\s]/.test(pattern)) return 'contains "?", "#" or white space (the query is never matched)';
  // What an ALB path can hold (shared/http/request-target.ts): anything else never matches.
  if (!PATH_TEXT.test(pattern)) return 'holds a character an ALB path never does: write it percent-encoded as the browser sends it, e.g. /m%C3%A9decins/**';
  const segments = pattern.slice(1).split('/');
  for (const [i, segment] of segments.entries()) {
    if (segment === '**' && i !== segments.length - 1) return '"**" is allowed only as the last segment';
    if (segment !== '*' && segment !== '**' && segment.includes('*')) {
      return `segment ${JSON.stringify(segment)} mixes "*" with other characters; "*" stands for a whole segment`;
    }
  }
  return undefined;
}

/** Compiles a pattern already checked with `patternProblem`; throws on an invalid one. */
export function compilePattern(source: string): PathPattern {
  const problem = patternProblem(source);
  if (problem) throw new Error(`invalid path pattern ${JSON.stringify(source)}: ${problem}`);
  const segments = source.slice(1).split('/');
  const anyDepth = segments[segments.length - 1] === '**';
  const fixed = anyDepth ? segments.slice(0, -1) : segments;
  if (!source.includes('*')) return { source, matches: (path) => path === source };
  return {
    source,
    matches(path) {
      if (!path.startsWith('/')) return false;
      const parts = path.slice(1).split('/');
      if (anyDepth ? parts.length < fixed.length : parts.length !== fixed.length) return false;
      // `/reports/**` against `/`: the root splits into one empty segment, which is not "reports".
      return fixed.every((segment, i) => (segment === '*' ? parts[i] !== '' : segment === parts[i]));
    },
  };
}
