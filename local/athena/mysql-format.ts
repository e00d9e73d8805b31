/**
 * Trino's `date_format` specifiers (MySQL's) as DuckDB `strftime` specifiers. Source: Trino
 * documentation, "Date and time functions", section "MySQL date functions" (trino.io/docs/current/
 * functions/datetime.html#mysql-date-functions), which Athena engine version 3 follows.
 */

/** Specifier letter -> strftime text. */
const SPECIFIERS: Record<string, string> = {
  a: '%a', // abbreviated weekday name
  b: '%b', // abbreviated month name
  c: '%-m', // month 1..12
  d: '%d', // day of month 01..31
  e: '%-d', // day of month 1..31
  // Trino prints six digits of which the last three are always 0 ("truncated to milliseconds").
  f: '%g000',
  H: '%H',
  h: '%I',
  I: '%I',
  i: '%M', // minutes
  j: '%j',
  k: '%-H', // hour 0..23
  l: '%-I', // hour 1..12
  M: '%B', // month name
  m: '%m',
  p: '%p',
  r: '%I:%M:%S %p',
  S: '%S',
  s: '%S',
  T: '%H:%M:%S',
  v: '%V', // ISO week 01..53, Monday first
  W: '%A', // weekday name
  x: '%G', // year of the ISO week
  Y: '%Y',
  y: '%y',
  '%': '%%',
};

/** Documented by Trino and refused by it ("not currently supported"): refused here too. */
const UNSUPPORTED = new Set(['D', 'U', 'u', 'V', 'w', 'X']);

/** The strftime format for Trino `date_format` format `format`. Throws for a specifier Trino refuses. */
export function mysqlToStrftime(format: string): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const letter = format[i + 1];
    i++;
    if (letter === undefined) {
      // Trino prints a trailing lone % as is.
      out += '%%';
    } else if (UNSUPPORTED.has(letter)) {
      throw new Error(`date_format: %${letter} in '${format}' is not supported by Trino (Athena would refuse it too)`);
    } else {
      // "%x: x, for any x not listed above".
      out += SPECIFIERS[letter] ?? (letter === '%' ? '%%' : letter);
    }
  }
  return out;
}
