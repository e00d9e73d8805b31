/**
 * The method sets of RFC 9110 section 9.2, named once: the retry policy, the hedge, the cache and the
 * origin client all ask these questions, and three hand-written lists would drift apart.
 */

/** RFC 9110 section 9.2.1: safe methods, the only ones hedged or answered from the cache. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** RFC 9110 section 9.2.2: repeating these has the same effect as sending them once. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Methods whose requests normally carry no body, so none is announced when the client sent none. */
export const BODILESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE']);

/** GET or HEAD: the methods a stored response can answer (RFC 9111 section 4). */
export function isGetOrHead(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}
