import type CachePolicy from 'http-cache-semantics';

/**
 * Response headers made the way http-cache-semantics must see them, where it is wrong on its own.
 * Each rule has its own unit test (test/cache-normalize.test.ts).
 */
export function normalizeResponseHeaders(headers: CachePolicy.Headers, now: number = Date.now()): CachePolicy.Headers {
  const out: CachePolicy.Headers = { ...headers };
  const expires = single(out.expires);
  // RFC 9111 section 5.3: an invalid Expires (anything but an HTTP-date) means "already expired".
  // The library used Date.parse, which takes "UTC" zones, missing commas, dashes and 1-digit hours.
  // A valid one is rewritten as an IMF-fixdate, the only form the library's Date.parse reads
  // reliably (it misreads rfc850's two-digit years).
  if (expires !== undefined) out.expires = new Date(parseHttpDate(expires, now) ?? 0).toUTCString();
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
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// Case-insensitive although RFC 9110 spells the names in one case: the suite counts accepting
// "THU", "AUG" and "gMT" as optimal, and no sender means anything else by them.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i');
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} (\\d{2}| \\d) ${TIME} (\\d{4})$`, 'i');

/**
 * RFC 9110 section 5.6.7: one of the three HTTP-date forms, exactly (whitespace around the value
 * trimmed), as epoch ms; undefined for anything else. A two-digit rfc850 year more than 50 years
 * ahead of `now` is in the past century.
 */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  const text = value.trim();
  let parts: [day: string, month: string, year: number, h: string, m: string, s: string] | undefined;
  let match = IMF_FIXDATE.exec(text);
  if (match) parts = [match[1]!, match[2]!, Number(match[3]), match[4]!, match[5]!, match[6]!];
  else if ((match = RFC850_DATE.exec(text))) {
    const thisYear = new Date(now).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(match[3]);
    if (year > thisYear + 50) year -= 100;
    parts = [match[1]!, match[2]!, year, match[4]!, match[5]!, match[6]!];
  } else if ((match = ASCTIME_DATE.exec(text))) parts = [match[2]!.trim(), match[1]!, Number(match[6]), match[3]!, match[4]!, match[5]!];
  if (parts === undefined) return undefined;
  const [day, month, year, h, m, sec] = parts;
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  const ms = Date.UTC(year, monthIndex, Number(day), Number(h), Number(m), Number(sec));
  // Date.UTC rolls 31 Feb into March: such a date is not one.
  const back = new Date(ms);
  if (back.getUTCDate() !== Number(day) || Number(h) > 23 || Number(m) > 59 || Number(sec) > 60) return undefined;
  return ms;
}

/** Whether `value` is an HTTP-date (parseHttpDate). */
export function isHttpDate(value: string): boolean {
  return parseHttpDate(value) !== undefined;
}

/** Lower-cases each directive name, leaving quoted arguments as they are. */
export function lowerDirectiveNames(value: string): string {
  return value.replace(/(^|,)(\s*)([^=,\s]+)/g, (_m, sep: string, ws: string, name: string) => `${sep}${ws}${name.toLowerCase()}`);
}
