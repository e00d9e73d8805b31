import type CachePolicy from 'http-cache-semantics';

/**
 * Response headers made the way http-cache-semantics must see them, where it is wrong on its own.
 * Each rule has its own unit test (test/cache-normalize.test.ts).
 */
export function normalizeResponseHeaders(headers: CachePolicy.Headers): CachePolicy.Headers {
  const out: CachePolicy.Headers = { ...headers };
  const expires = single(out.expires);
  // RFC 9111 section 5.3: an invalid Expires (anything but an HTTP-date) means "already expired".
  // The library used Date.parse, which takes "UTC" zones, missing commas, dashes and 1-digit hours.
  if (expires !== undefined && !isHttpDate(expires)) out.expires = 'Thu, 01 Jan 1970 00:00:00 GMT';
  const age = single(out.age);
  // RFC 9111 section 5.1: Age is delta-seconds (1*DIGIT); a recipient SHOULD ignore an invalid
  // value (section 1.2.2 "parse ... as a non-negative integer"). The library's parseInt read
  // "7200.0" as 7200 and made a fresh response stale (suite test age-parse-float).
  // A list-valued Age (two lines, or "7200, 0") is read as its first member (section 5.1).
  const firstAge = age?.split(',')[0]!.trim();
  if (firstAge !== undefined && /^\d+$/.test(firstAge)) out.age = firstAge;
  else delete out.age;
  const cc = single(out['cache-control']);
  // RFC 9111 section 5.2: directive names are case-insensitive (No-Cache, Max-Age).
  if (cc !== undefined) out['cache-control'] = lowerDirectiveNames(cc);
  return out;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
const HTTP_DATE = [
  new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`), // IMF-fixdate
  new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`), // rfc850-date
  new RegExp(`^${DAY} ${MONTH} (?:\\d{2}| \\d) ${TIME} \\d{4}$`), // asctime-date
];

/** RFC 9110 section 5.6.7: the three HTTP-date forms, exactly (whitespace around the value trimmed). */
export function isHttpDate(value: string): boolean {
  const trimmed = value.trim();
  return HTTP_DATE.some((form) => form.test(trimmed)) && !Number.isNaN(Date.parse(trimmed.replace(/-/g, ' ')));
}

/** Lower-cases each directive name, leaving quoted arguments as they are. */
export function lowerDirectiveNames(value: string): string {
  return value.replace(/(^|,)(\s*)([^=,\s]+)/g, (_m, sep: string, ws: string, name: string) => `${sep}${ws}${name.toLowerCase()}`);
}
