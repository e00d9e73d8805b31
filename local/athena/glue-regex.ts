/**
 * The Glue table's RegexSerDe as DuckDB SQL: the capture groups of the Java regex, checked against
 * the columns as Hive checks them, and the SELECT list that turns one log line into typed columns.
 *
 * As the SerDe does: the regex must match the whole line; a line that does not match gives a row of
 * NULLs; a group that took no part in the match is NULL; a value that does not parse as the
 * column's type is NULL.
 */
import type { GlueColumn } from './template.js';

/** One parenthesised group of a regex: where it opens and closes, and what follows it. */
interface Group {
  open: number;
  close: number;
  capturing: boolean;
  /** 1-based capture number (0 for a non-capturing group). */
  number: number;
  parent: Group | null;
  /** True when the group is followed by `?`, `*` or `{0,...}`: it may match zero times. */
  optional: boolean;
}

/** The groups of `regex` (Java syntax), in order of their opening parenthesis. */
export function regexGroups(regex: string): Group[] {
  const groups: Group[] = [];
  const stack: Group[] = [];
  let captures = 0;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(regex, i);
    else if (c === '(') {
      // `(?:`, lookarounds and flags do not capture; Java's `(?<name>` does (but `(?<=`, `(?<!` do not).
      const capturing = regex[i + 1] !== '?' || (regex[i + 2] === '<' && !'=!'.includes(regex[i + 3] ?? ''));
      const group: Group = { open: i, close: -1, capturing, number: capturing ? ++captures : 0, parent: stack.at(-1) ?? null, optional: false };
      groups.push(group);
      stack.push(group);
    } else if (c === ')') {
      const group = stack.pop();
      if (group === undefined) throw new Error(`input.regex: unbalanced ')' at offset ${i}`);
      group.close = i;
      group.optional = /^(?:[?*]|\{0[,}])/.test(regex.slice(i + 1));
    }
  }
  if (stack.length > 0) throw new Error(`input.regex: unclosed '(' at offset ${stack.at(-1)!.open}`);
  return groups;
}

/** Index of the `]` that closes the character class opening at `start`. */
function classEnd(regex: string, start: number): number {
  let i = start + 1;
  if (regex[i] === '^') i++;
  if (regex[i] === ']') i++; // a leading `]` is literal
  for (; i < regex.length; i++) {
    if (regex[i] === '\\') i++;
    else if (regex[i] === '[') i = classEnd(regex, i); // Java's nested classes
    else if (regex[i] === ']') return i;
  }
  throw new Error(`input.regex: unclosed '[' at offset ${start}`);
}

/**
 * True when the group's content surely consumes a character whenever it matches: it starts with a
 * single-character atom (literal, escape, class, `.`) that is not itself optional, with no `|` at
 * its top level. Then an empty capture of it means "took no part".
 */
function alwaysConsumes(regex: string, group: Group): boolean {
  let i = group.open + 1;
  if (regex[i] === '?') i = regex[i + 1] === ':' ? i + 2 : -1;
  if (i < 0 || '()|^$'.includes(regex[i] ?? ')')) return false;
  const atomEnd = regex[i] === '\\' ? i + 1 : regex[i] === '[' ? classEnd(regex, i) : i;
  if (regex[i] === '\\' && 'bBAzZG'.includes(regex[i + 1] ?? '')) return false;
  if (/^(?:[?*]|\{0[,}])/.test(regex.slice(atomEnd + 1))) return false;
  let depth = 0;
  for (let k = group.open + 1; k < group.close; k++) {
    const c = regex[k];
    if (c === '\\') k++;
    else if (c === '[') k = classEnd(regex, k);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return false;
  }
  return true;
}

/** Hive column types as DuckDB types. */
export function duckType(column: GlueColumn): string {
  const t = column.type.trim().toLowerCase();
  const simple: Record<string, string> = {
    string: 'VARCHAR', int: 'INTEGER', integer: 'INTEGER', bigint: 'BIGINT', smallint: 'SMALLINT', tinyint: 'TINYINT',
    double: 'DOUBLE', float: 'FLOAT', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP',
  };
  if (simple[t]) return simple[t];
  if (/^(?:var)?char\(\d+\)$/.test(t)) return 'VARCHAR';
  const decimal = /^decimal\((\d+)\s*,\s*(\d+)\)$/.exec(t);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  throw new Error(`column ${column.name}: Glue type ${column.type} is not supported locally (string, int, bigint, smallint, tinyint, double, float, boolean, date, timestamp, varchar(n), char(n), decimal(p,s))`);
}

export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
export const sqlIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * `SELECT <columns> FROM <from>` where `from` has a VARCHAR column `line`: the table's columns as
 * Hive's RegexSerDe reads them. Throws, as Hive does, when the groups do not match the columns.
 */
export function serdeSelect(regex: string, columns: readonly GlueColumn[], from: string, extra: readonly string[] = []): string {
  const groups = regexGroups(regex);
  const captures = groups.filter((g) => g.capturing);
  if (captures.length !== columns.length) {
    throw new Error(`input.regex has ${captures.length} capture groups for ${columns.length} columns: Hive's RegexSerDe rejects this ("Number of matching groups doesn't match the number of columns")`);
  }
  // A group inside an optional part took part iff that part did. DuckDB gives '' either way, so
  // such parts are captured too (a variant of the regex where `(?:` becomes `(`), and a non-empty
  // capture of a part that always consumes a character proves it was there. One extraction for all.
  const enclosing = captures.map((capture) => {
    let g: Group | null = capture;
    while (g !== null && !g.optional) g = g.parent;
    return g !== null && alwaysConsumes(regex, g) ? g : null;
  });
  const converted = [...new Set(enclosing.filter((g): g is Group => g !== null && !g.capturing))];
  let variant = regex;
  for (const g of [...converted].sort((a, b) => b.open - a.open)) variant = `${variant.slice(0, g.open)}(${variant.slice(g.open + 3)}`;
  const ordered = [...captures, ...converted].sort((a, b) => a.open - b.open);
  const field = (g: Group): string => (g.capturing ? columns[captures.indexOf(g)]!.name : `_part${converted.indexOf(g)}`);
  const inner = [
    `regexp_full_match(line, ${sqlString(regex)}) AS _matched`,
    `regexp_extract(line, ${sqlString(`^(?:${variant})$`)}, [${ordered.map((g) => sqlString(field(g))).join(', ')}]) AS _g`,
  ];
  const outer = columns.map((column, k) => {
    const part = enclosing[k];
    const took = part ? ` AND _g.${sqlIdent(field(part))} <> ''` : '';
    const value = `CASE WHEN _matched${took} THEN _g.${sqlIdent(column.name)} END`;
    const type = duckType(column);
    return `${type === 'VARCHAR' ? value : `TRY_CAST(${value} AS ${type})`} AS ${sqlIdent(column.name)}`;
  });
  return `SELECT ${[...outer, ...extra].join(',\n  ')}\nFROM (SELECT ${[...inner, ...extra].join(',\n  ')} FROM ${from})`;
}
