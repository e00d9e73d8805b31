/**
 * Athena (Trino) SQL to DuckDB SQL: the functions and syntax the saved queries use whose name or
 * meaning differs between the two engines. Everything else passes through unchanged, since both
 * speak close to standard SQL; docs/athena.md lists every difference that remains.
 */
import { mysqlToStrftime } from './mysql-format.js';
import { stringValue, tokenize, type Token } from './sql-tokens.js';
import { sqlString } from './glue-regex.js';

export interface TranslateOptions {
  /**
   * The instant `current_date`, `current_timestamp` and `now()` stand for (UTC, as Athena's
   * sessions are), so a query's day window is reproducible. @default the time of the call
   */
  now?: Date;
}

/** One rewrite: the translated argument texts (and the raw tokens of each) to DuckDB text. */
type Rewrite = (args: string[], raw: Token[][], options: Required<TranslateOptions>) => string;

// java.net.URI's grammar (RFC 2396 with RFC 2732's brackets), which Trino's url_* functions parse
// with: a URL that breaks it (a space, `|`, `"`, a bad %-escape) gives NULL in Athena.
const PCHAR = "(?:[A-Za-z0-9._~!*'();:@&=+$,/-]|%[0-9A-Fa-f]{2}|[^\\x00-\\x7F])";
const URIC = "(?:[A-Za-z0-9._~!*'();:@&=+$,/?\\[\\]-]|%[0-9A-Fa-f]{2}|[^\\x00-\\x7F])";
const AUTHORITY = "(?:[A-Za-z0-9._~!*'();:@&=+$,\\[\\]-]|%[0-9A-Fa-f]{2})*";
const URI = `^(?:[A-Za-z][A-Za-z0-9+.-]*:(?://${AUTHORITY})?)?(${PCHAR}*)(?:\\?${URIC}*)?(?:#${URIC}*)?$`;
/** `scheme:` not followed by `/`: an opaque URI (`mailto:x`), whose path Java gives as null. */
const OPAQUE = '^[A-Za-z][A-Za-z0-9+.-]*:(?:[^/]|$)';

function arity(name: string, args: string[], counts: number[]): void {
  if (!counts.includes(args.length)) {
    throw new Error(`${name}() takes ${counts.join(' or ')} argument(s) here, got ${args.length}`);
  }
}

const FUNCTIONS: Record<string, Rewrite> = {
  // Trino gives timestamp(3) with time zone: digits past the millisecond are dropped.
  from_iso8601_timestamp: (args) => {
    arity('from_iso8601_timestamp', args, [1]);
    return `date_trunc('millisecond', CAST(${args[0]} AS TIMESTAMPTZ))`;
  },
  from_iso8601_date: (args) => {
    arity('from_iso8601_date', args, [1]);
    return `CAST(${args[0]} AS DATE)`;
  },
  approx_percentile: (args) => {
    if (args.length === 3) throw new Error('approx_percentile(x, weight, p): the weighted form has no DuckDB counterpart here');
    arity('approx_percentile', args, [2]);
    return `approx_quantile(${args[0]}, ${args[1]})`;
  },
  // DuckDB's approx_count_distinct is off by up to a quarter (1249 for 1000 values) where Trino
  // documents a 2.3% standard error: the exact count is inside Athena's error, the estimate is not.
  approx_distinct: (args) => {
    arity('approx_distinct', args, [1]);
    return `count(DISTINCT ${args[0]})`;
  },
  // getPath() of java.net.URI: percent-escapes decoded, NULL for an invalid or opaque URI.
  url_extract_path: (args) => {
    arity('url_extract_path', args, [1]);
    const u = `(${args[0]})`;
    const path = `regexp_extract(${u}, ${sqlString(URI)}, 1)`;
    return `(CASE WHEN regexp_full_match(${u}, ${sqlString(URI)}) AND NOT regexp_matches(${u}, ${sqlString(OPAQUE)}) THEN try(url_decode(replace(${path}, '+', '%2B'))) END)`;
  },
  date_format: (args, raw) => {
    arity('date_format', args, [2]);
    const format = raw[1]!.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
    if (format.length !== 1 || format[0]!.kind !== 'string') {
      throw new Error('date_format(x, format): the format must be a string literal to be translated for DuckDB');
    }
    return `strftime(${args[0]}, ${sqlString(mysqlToStrftime(stringValue(format[0]!)))})`;
  },
  now: (args, _raw, options) => {
    arity('now', args, [0]);
    return timestampLiteral(options.now);
  },
};

/** Words that stand for a value without parentheses. */
const NILADIC: Record<string, (options: Required<TranslateOptions>) => string> = {
  current_date: (o) => `DATE '${o.now.toISOString().slice(0, 10)}'`,
  current_timestamp: (o) => timestampLiteral(o.now),
};

function timestampLiteral(now: Date): string {
  return `TIMESTAMPTZ '${now.toISOString().replace('T', ' ').replace('Z', '+00')}'`;
}

/** `sql` (Athena engine version 3) as DuckDB SQL. Throws for a construct it cannot translate. */
export function translateQuery(sql: string, options: TranslateOptions = {}): string {
  return rewrite(tokenize(sql), { now: options.now ?? new Date() });
}

function rewrite(tokens: Token[], options: Required<TranslateOptions>): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const word = token.kind === 'word' || token.kind === 'quoted' ? unquote(token).toLowerCase() : null;
    const next = nextSolid(tokens, i + 1);
    const callsFunction = token.kind === 'word' && next !== -1 && tokens[next]!.text === '(';
    if (word === 'awsdatacatalog' && next !== -1 && tokens[next]!.text === '.') {
      // The catalog of `AwsDataCatalog.db.table`: the local tables live in DuckDB's default one.
      i = next;
    } else if (callsFunction && word !== null && Object.hasOwn(FUNCTIONS, word)) {
      const close = matchingParen(tokens, next);
      const raw = splitArgs(tokens.slice(next + 1, close));
      out += FUNCTIONS[word]!(raw.map((arg) => rewrite(arg, options).trim()), raw, options);
      i = close;
    } else if (token.kind === 'word' && !callsFunction && word !== null && Object.hasOwn(NILADIC, word)) {
      out += NILADIC[word]!(options);
    } else {
      out += token.text;
    }
  }
  return out;
}

function unquote(token: Token): string {
  return token.kind === 'quoted' ? token.text.slice(1, -1).replace(/""/g, '"') : token.text;
}

function nextSolid(tokens: Token[], from: number): number {
  for (let i = from; i < tokens.length; i++) if (tokens[i]!.kind !== 'space' && tokens[i]!.kind !== 'comment') return i;
  return -1;
}

function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    else if (tokens[i]!.text === ')' && --depth === 0) return i;
  }
  throw new Error(`SQL: unclosed '(' after ${tokens[open - 1]?.text ?? 'the start'}`);
}

/** The arguments between a call's parentheses, split at top-level commas; none for `()`. */
function splitArgs(tokens: Token[]): Token[][] {
  if (tokens.every((t) => t.kind === 'space' || t.kind === 'comment')) return [];
  const args: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    if (t.text === ',' && depth === 0) args.push([]);
    else args.at(-1)!.push(t);
  }
  return args;
}
