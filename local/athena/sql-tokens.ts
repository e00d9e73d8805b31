/**
 * A lexer for Trino SQL, just enough to rewrite function calls without touching string literals,
 * quoted identifiers or comments.
 */

export type TokenKind = 'string' | 'quoted' | 'word' | 'number' | 'space' | 'comment' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
}

const PATTERNS: [TokenKind, RegExp][] = [
  ['space', /\s+/y],
  ['comment', /--[^\n]*|\/\*[\s\S]*?\*\//y],
  ['string', /'(?:[^']|'')*'/y],
  ['quoted', /"(?:[^"]|"")*"/y],
  ['word', /[A-Za-z_][A-Za-z0-9_$]*/y],
  ['number', /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y],
  ['punct', /<>|!=|<=|>=|\|\||[^\s]/y],
];

/** The tokens of `sql`; their texts joined give `sql` back. Throws for an unclosed quote. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < sql.length) {
    const c = sql[at];
    if ((c === "'" || c === '"') && !new RegExp(`${c}(?:[^${c}]|${c}${c})*${c}`, 'y').test(sql.slice(at))) {
      throw new Error(`SQL: unclosed ${c} at offset ${at}`);
    }
    const found = PATTERNS.find(([, re]) => {
      re.lastIndex = at;
      return re.test(sql);
    });
    const [kind, re] = found!;
    tokens.push({ kind, text: sql.slice(at, re.lastIndex) });
    at = re.lastIndex;
  }
  return tokens;
}

/** The text of a string literal token, unquoted. */
export function stringValue(token: Token): string {
  return token.text.slice(1, -1).replace(/''/g, "'");
}
