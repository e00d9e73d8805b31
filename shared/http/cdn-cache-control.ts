/**
 * `CDN-Cache-Control` (RFC 9213): a targeted Cache-Control for gateway caches, which this cache is.
 * Its value is a Structured Field Dictionary (RFC 8941 section 3.2); a field that does not parse as
 * one, or whose known directives have the wrong type, is ignored as a whole (RFC 9213 section 2.1),
 * and the cache falls back to Cache-Control and Expires.
 */

/** Directive name -> its value (`true` for a bare name), as Cache-Control directives read. */
export type Directives = ReadonlyMap<string, string | true>;

/** Directives whose value must be an sf-integer (RFC 9213 section 2.1: "max-age=\"10\"" is invalid). */
const INTEGER_DIRECTIVES = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);

const KEY = /^[a-z*][a-z0-9_\-.*]*/;
const INTEGER = /^-?\d{1,15}(?!\.)/;
const DECIMAL = /^-?\d{1,12}\.\d{1,3}/;
const TOKEN = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/;
const BYTES = /^:[A-Za-z0-9+/=]*:/;
const BOOLEAN = /^\?[01]/;
const STRING = /^"(?:[^"\\\x00-\x1f\x7f]|\\["\\])*"/;

/** The directives of a `CDN-Cache-Control` value, or undefined when it is not a valid dictionary. */
export function parseCdnCacheControl(value: string): Directives | undefined {
  const directives = new Map<string, string | true>();
  let rest = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (rest === '') return undefined;
  while (rest !== '') {
    const key = KEY.exec(rest)?.[0];
    if (key === undefined) return undefined;
    rest = rest.slice(key.length);
    let item: { kind: string; text: string } | undefined = { kind: 'boolean', text: '?1' };
    if (rest.startsWith('=')) {
      rest = rest.slice(1);
      item = bareItem(rest);
      if (item === undefined) return undefined;
      rest = rest.slice(item.text.length);
    }
    const afterParameters = skipParameters(rest);
    if (afterParameters === undefined) return undefined;
    rest = afterParameters;
    if (INTEGER_DIRECTIVES.has(key) && item.kind !== 'integer') return undefined;
    // RFC 8941 section 4.2.2: a repeated key overwrites the earlier value.
    directives.set(key, item.kind === 'boolean' && item.text === '?1' ? true : unquote(item));
    rest = rest.replace(/^[ \t]*/, '');
    if (rest === '') break;
    if (!rest.startsWith(',')) return undefined;
    rest = rest.slice(1).replace(/^[ \t]*/, '');
    if (rest === '') return undefined; // a trailing comma is an error
  }
  return directives;
}

function bareItem(text: string): { kind: string; text: string } | undefined {
  const forms: Array<[string, RegExp]> = [['decimal', DECIMAL], ['integer', INTEGER], ['string', STRING], ['token', TOKEN], ['bytes', BYTES], ['boolean', BOOLEAN]];
  for (const [kind, form] of forms) {
    const match = form.exec(text)?.[0];
    if (match !== undefined) return { kind, text: match };
  }
  return undefined;
}

/** Skips `;key[=item]` parameters; undefined when one is malformed. */
function skipParameters(text: string): string | undefined {
  let rest = text;
  while (rest.startsWith(';')) {
    rest = rest.slice(1).replace(/^ */, '');
    const key = KEY.exec(rest)?.[0];
    if (key === undefined) return undefined;
    rest = rest.slice(key.length);
    if (rest.startsWith('=')) {
      const item = bareItem(rest.slice(1));
      if (item === undefined) return undefined;
      rest = rest.slice(1 + item.text.length);
    }
  }
  return rest;
}

function unquote(item: { kind: string; text: string }): string {
  return item.kind === 'string' ? item.text.slice(1, -1).replace(/\\(["\\])/g, '$1') : item.text;
}

/** The directives written back as a Cache-Control value, for the cache library to read. */
export function formatDirectives(directives: Directives): string {
  return [...directives].map(([name, value]) => (value === true ? name : `${name}=${/^[\w.-]+$/.test(value) ? value : JSON.stringify(value)}`)).join(', ');
}
