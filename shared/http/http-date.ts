/** HTTP-date (RFC 9110 section 5.6.7), parsed strictly: Expires, Date and Last-Modified all use it. */

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
