/**
 * The parts of each request's work the cold-start bench can switch off (log line, EMF metrics,
 * cache) as an operator would, and the check that they really were off, or on.
 */

/** A part of each request's work that the bench can switch off, through the setting an operator would use. */
export type RequestPart = 'log' | 'metrics' | 'cache';

export const REQUEST_PARTS: readonly RequestPart[] = ['log', 'metrics', 'cache'];

/** The setting that switches each part off, and what the part is. */
export const PART_OFF: Record<RequestPart, { env: Record<string, string>; what: string }> = {
  log: { env: { POWERTOOLS_LOG_LEVEL: 'WARN' }, what: 'log line' },
  metrics: { env: { POWERTOOLS_METRICS_DISABLED: 'true' }, what: 'EMF metrics' },
  cache: { env: { CACHE_STORE: 'off' }, what: 'cache' },
};

/** `log,metrics` -> the parts, or an error naming what is not one. */
export function parseParts(text: string): RequestPart[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unknown = parts.filter((p) => !(REQUEST_PARTS as readonly string[]).includes(p));
  if (parts.length === 0 || unknown.length > 0) throw new Error(`--without: expected some of ${REQUEST_PARTS.join(',')}, got ${JSON.stringify(text)}`);
  return REQUEST_PARTS.filter((p) => parts.includes(p));
}

/**
 * The parts switched off really were: no request log line without the log, no EMF document without
 * metrics, a bypassed cache without the cache; and the parts left on showed: one log line and one
 * EMF document per timed request at least, and `cacheStatus` (a repeated request's Cache-Status)
 * answered from the entry the earlier one stored. A setting that silently stopped working would
 * otherwise make its part look free.
 */
export function checkParts(stdout: string, without: readonly RequestPart[], requests: number, cacheStatus: string): void {
  const lines = stdout.split('\n');
  const counted: Partial<Record<RequestPart, number>> = {
    log: lines.filter((l) => l.startsWith('{') && l.includes('"message":"request"')).length,
    metrics: lines.filter((l) => l.startsWith('{"_aws":')).length,
  };
  for (const part of ['log', 'metrics'] as const) {
    const n = counted[part]!;
    if (without.includes(part) ? n > 0 : n < requests) {
      throw new Error(`with the ${PART_OFF[part].what} ${without.includes(part) ? 'off' : 'on'} the handler printed ${n} of them for ${requests} timed requests`);
    }
  }
  const cached = !without.includes('cache');
  // fwd=stale: the earlier answer (no freshness of its own) was stored for stale-if-error and found.
  if (!/fwd=(stale|bypass)/.test(cacheStatus) || /fwd=bypass/.test(cacheStatus) === cached) {
    throw new Error(`with the cache ${cached ? 'on a repeated request did not find the stored answer' : 'off a request was not a bypass'} (Cache-Status: ${cacheStatus})`);
  }
}

/** `without the log line and cache (POWERTOOLS_LOG_LEVEL=WARN, CACHE_STORE=off)`, or '' for none. */
export function withoutLabel(without: readonly RequestPart[]): string {
  if (without.length === 0) return '';
  const what = without.map((p) => PART_OFF[p].what);
  const settings = without.flatMap((p) => Object.entries(PART_OFF[p].env).map(([k, v]) => `${k}=${v}`));
  return ` without the ${what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what.at(-1)}` : what[0]} (${settings.join(', ')})`;
}

/** `, logging and EMF metrics on` as deployed; what is left on otherwise. */
export function firstRequestParts(without: readonly RequestPart[]): string {
  const on = [...(without.includes('log') ? [] : ['logging']), ...(without.includes('metrics') ? [] : ['EMF metrics'])];
  return on.length === 0 ? '' : `, ${on.join(' and ')} on`;
}

/** The rows `--breakdown` measures: as deployed, each part off in turn, then all of them. */
export const BREAKDOWN_ROWS: readonly (readonly RequestPart[])[] = [[], ...REQUEST_PARTS.map((p) => [p]), REQUEST_PARTS];
