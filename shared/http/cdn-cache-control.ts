/**
 * `CDN-Cache-Control` (RFC 9213): a targeted Cache-Control for gateway caches, which this cache is.
 *
 * Its value is a Structured Field Dictionary (RFC 8941 section 3.2); a field that does not parse as
 * one, or whose known directives have the wrong type, is ignored as a whole (RFC 9213 section 2.1),
 * and the cache falls back to Cache-Control and Expires.
 */
import { Token, parseDictionary, type BareItem, type Item } from 'structured-headers';

/** Directive name -> its value (`true` for a bare name), as Cache-Control directives read. */
export type Directives = ReadonlyMap<string, string | true>;

/** Directives whose value must be an sf-integer (RFC 9213 section 2.1: "max-age=\"10\"" is invalid). */
const INTEGER_DIRECTIVES = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);
const DECIMAL_MEMBER = new RegExp(`(?:^|,)[ \\t]*(?:${[...INTEGER_DIRECTIVES].join('|')})=-?\\d+\\.`);

/** The directives of a `CDN-Cache-Control` value, or undefined when it is not a valid dictionary. */
export function parseCdnCacheControl(value: string): Directives | undefined {
  let dictionary: ReturnType<typeof parseDictionary>;
  try {
    // The parser takes the field as received, less the OWS around it (RFC 9110 section 5.5).
    dictionary = parseDictionary(value.replace(/^[ \t]+|[ \t]+$/g, ''));
  } catch {
    return undefined;
  }
  if (dictionary.size === 0 || decimalWhereIntegerDue(value)) return undefined;
  const directives = new Map<string, string | true>();
  // Parameters are ignored; a repeated key has already overwritten the earlier value (RFC 8941 section 4.2.2).
  for (const [key, [item]] of dictionary) {
    if (INTEGER_DIRECTIVES.has(key) && (typeof item !== 'number' || !Number.isInteger(item))) return undefined;
    directives.set(key, directiveValue(item));
  }
  return directives;
}

/**
 * The parser returns Integers and Decimals alike as JS numbers, so `max-age=10.0` would read as 10;
 * RFC 8941 section 3.3.2 makes it a Decimal, the wrong type. In a valid dictionary, once strings
 * are blanked, every comma separates members, so a member's value is found by its key.
 */
function decimalWhereIntegerDue(value: string): boolean {
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return DECIMAL_MEMBER.test(unquoted);
}

/** A member's value as Cache-Control directives read: `true` for a bare name, else its text. */
function directiveValue(item: BareItem | Item[]): string | true {
  if (typeof item === 'number' || typeof item === 'string' || item instanceof Token) return String(item);
  // Kept as written, so `no-store=?0` still forbids storing, as it did before the library.
  if (item === false) return '?0';
  // A bare name, or a value no directive this cache knows takes (inner list, byte sequence,
  // date, display string): the directive stands bare.
  return true;
}

/** The directives written back as a Cache-Control value, for the cache library to read. */
export function formatDirectives(directives: Directives): string {
  return [...directives].map(([name, value]) => (value === true ? name : `${name}=${/^[\w.-]+$/.test(value) ? value : JSON.stringify(value)}`)).join(', ');
}
