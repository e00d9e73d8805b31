/**
 * The Trino-to-DuckDB translation, one mapping at a time, each checked by what DuckDB then
 * computes (the figures Athena gives for the same input), not by the text it writes.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mysqlToStrftime } from '../local/athena/mysql-format.js';
import { tokenize } from '../local/athena/sql-tokens.js';
import { translateQuery } from '../local/athena/translate.js';

const NOW = new Date('2026-12-02T14:30:00.000Z');
let instance: DuckDBInstance;
let db: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  await db.run("SET TimeZone = 'UTC'");
});
afterAll(() => {
  db.closeSync();
  instance.closeSync();
});

/** The single value Athena SQL `expression` gives, translated and run in DuckDB. */
async function athena(expression: string): Promise<unknown> {
  const rows = (await db.runAndReadAll(translateQuery(`SELECT ${expression} AS v`, { now: NOW }))).getRowObjectsJson();
  return rows[0]!.v;
}

describe('date_format: Trino (MySQL) specifiers as strftime', () => {
  // Sunday 2026-01-04 13:05:06.789: ISO week 1 of 2026 (it began on Monday 2025-12-29).
  const TS = "from_iso8601_timestamp('2026-01-04T13:05:06.789Z')";
  const expected: [string, string][] = [
    ['%a', 'Sun'], ['%b', 'Jan'], ['%c', '1'], ['%d', '04'], ['%e', '4'], ['%f', '789000'], ['%H', '13'],
    ['%h', '01'], ['%I', '01'], ['%i', '05'], ['%j', '004'], ['%k', '13'], ['%l', '1'], ['%M', 'January'],
    ['%m', '01'], ['%p', 'PM'], ['%r', '01:05:06 PM'], ['%S', '06'], ['%s', '06'], ['%T', '13:05:06'],
    ['%v', '01'], ['%W', 'Sunday'], ['%x', '2026'], ['%Y', '2026'], ['%y', '26'], ['%%', '%'], ['%q', 'q'],
    ['%Y/%m/%d', '2026/01/04'], ['day=%e, 100%% sure', 'day=4, 100% sure'],
  ];
  for (const [format, value] of expected) {
    test(`${format} gives ${value}`, async () => {
      expect(await athena(`date_format(${TS}, '${format}')`)).toBe(value);
    });
  }

  test('the specifiers Trino refuses (%D %U %u %V %w %X) are refused, named', () => {
    for (const letter of ['D', 'U', 'u', 'V', 'w', 'X']) expect(() => mysqlToStrftime(`%Y %${letter}`)).toThrow(`%${letter}`);
  });

  test('a format that is not a string literal cannot be translated', () => {
    expect(() => translateQuery('SELECT date_format(current_date, fmt) FROM t')).toThrow(/string literal/);
  });

  test("the saved queries' partition bound: 7 days before the injected clock, as yyyy/MM/dd", async () => {
    expect(await athena("date_format(current_date - interval '7' day, '%Y/%m/%d')")).toBe('2026/11/25');
  });
});

describe('from_iso8601_timestamp', () => {
  test('reads the log time (microseconds, Z) as a UTC timestamp truncated to milliseconds, as Trino timestamp(3) does', async () => {
    expect(await athena("from_iso8601_timestamp('2026-12-02T14:46:54.123999Z')")).toBe('2026-12-02 14:46:54.123+00');
  });

  test('an offset is honoured', async () => {
    expect(await athena("from_iso8601_timestamp('2026-12-02T16:00:00+02:00')")).toBe('2026-12-02 14:00:00+00');
  });

  test('date_trunc by hour of it gives the hour bucket the saved queries group by', async () => {
    expect(await athena("date_trunc('hour', from_iso8601_timestamp('2026-12-02T14:46:54.123456Z'))")).toBe('2026-12-02 14:00:00+00');
  });

  test('from_iso8601_date gives a DATE', async () => {
    expect(await athena("from_iso8601_date('2026-12-02')")).toBe('2026-12-02');
  });
});

describe('approx_percentile and approx_distinct', () => {
  test('approx_percentile(x, p) is DuckDB approx_quantile: the median of 1..1001 is 501', async () => {
    const sql = translateQuery('SELECT approx_percentile(x, 0.5) AS v FROM range(1, 1002) t(x)');
    expect(Number((await db.runAndReadAll(sql)).getRowObjectsJson()[0]!.v)).toBeCloseTo(501, -1);
  });

  test('an array of percentages gives an array', async () => {
    const sql = translateQuery('SELECT approx_percentile(x, ARRAY[0.1, 0.9]) AS v FROM range(1, 1002) t(x)');
    const [p10, p90] = (await db.runAndReadAll(sql)).getRowObjectsJson()[0]!.v as string[];
    expect([Number(p10), Number(p90)].map((v) => Math.round(v / 10))).toEqual([10, 90]);
  });

  test('the weighted form is refused, not mistranslated', () => {
    expect(() => translateQuery('SELECT approx_percentile(x, w, 0.5) FROM t')).toThrow(/weighted/);
  });

  test('approx_distinct counts exactly: within the 2.3% standard error Trino documents', async () => {
    const sql = translateQuery('SELECT approx_distinct(x % 1000) AS v FROM range(100000) t(x)');
    expect(Number((await db.runAndReadAll(sql)).getRowObjectsJson()[0]!.v)).toBe(1000);
  });
});

describe("url_extract_path: java.net.URI's getPath(), as Trino", () => {
  const cases: [string, string | null][] = [
    ['http://127.0.0.1:3000/items/42?q=1#top', '/items/42'],
    ['https://example.com:443/', '/'],
    ['http://example.com:80', ''],
    ['http://h:80/a%20b/c%2Fd', '/a b/c/d'], // escapes decoded
    ['http://h:80/a+b', '/a+b'], // a + in a path is a +
    ['http://h:80/caf%C3%A9', '/café'],
    ['*', '*'], // OPTIONS *
    ['/relative/path?x', '/relative/path'],
    ['http://h:80/a b', null], // invalid URIs give NULL
    ['http://h:80/a|b', null],
    ['http://h:80/%zz', null],
    ['http://h:80/a?x="y"', null],
    ['mailto:someone@example.com', null], // opaque: no path
  ];
  for (const [url, path] of cases) {
    test(`${url} -> ${path === null ? 'NULL' : `'${path}'`}`, async () => {
      expect(await athena(`url_extract_path('${url}')`)).toBe(path);
    });
  }
});

describe('the clock, the catalog, and what must stay untouched', () => {
  test('current_date, current_timestamp and now() are the injected clock (UTC)', async () => {
    expect(await athena('current_date')).toBe('2026-12-02');
    expect(await athena('current_timestamp')).toBe('2026-12-02 14:30:00+00');
    expect(await athena('now()')).toBe('2026-12-02 14:30:00+00');
  });

  test('string literals, quoted identifiers and comments are not rewritten', () => {
    const sql = `SELECT 'url_extract_path(x) current_date' AS "current_date" -- now()\nFROM t /* date_format(a, '%D') */`;
    expect(translateQuery(sql, { now: NOW })).toBe(sql);
  });

  test('function names are matched without regard to case, as Trino does', async () => {
    expect(await athena("URL_EXTRACT_PATH('http://h:80/x')")).toBe('/x');
  });

  test('nested calls are translated inside out', async () => {
    expect(await athena("date_format(from_iso8601_timestamp('2026-03-04T05:06:07Z'), '%Y-%m-%d %T')")).toBe('2026-03-04 05:06:07');
  });

  test('the AwsDataCatalog prefix is dropped: the tables live in the default catalog', () => {
    expect(translateQuery('SELECT * FROM AwsDataCatalog."db"."t"')).toBe('SELECT * FROM "db"."t"');
    expect(translateQuery('SELECT * FROM "awsdatacatalog".db.t')).toBe('SELECT * FROM db.t');
  });

  test('count_if, interval literals and || pass through: DuckDB has them as Trino does', async () => {
    expect(translateQuery("SELECT count_if(x > 1), 'a' || 'b' FROM t WHERE d > current_date - interval '1' day", { now: NOW })).toBe(
      "SELECT count_if(x > 1), 'a' || 'b' FROM t WHERE d > DATE '2026-12-02' - interval '1' day",
    );
  });

  test('an unclosed quote or parenthesis is a clear error', () => {
    expect(() => tokenize("SELECT 'abc")).toThrow(/unclosed ' at offset 7/);
    expect(() => translateQuery('SELECT url_extract_path(x FROM t')).toThrow(/unclosed '\('/);
  });

  test('the tokens give the query back byte for byte', () => {
    const sql = "SELECT a.b, \"x\"\"y\", 'it''s', 1.5e3, -- c\n x<>y /* z */";
    expect(tokenize(sql).map((t) => t.text).join('')).toBe(sql);
  });
});
