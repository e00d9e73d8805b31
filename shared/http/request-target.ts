/**
 * The request target as ALB passes it: what an origin-form path may hold, one source for the event
 * reader (shared/alb/event.ts) and for route patterns (shared/routes/route-pattern.ts).
 */

/** Printable ASCII but "#" and "?" (RFC 9112 origin-form, percent-encoded as the browser sent it). */
const PATH_CHARS = '\\x21-\\x22\\x24-\\x3e\\x40-\\x7e';

/** An origin-form path: "/" then path characters ("//static/app.js", an empty first segment, is one). */
export const ORIGIN_FORM_PATH = new RegExp(`^\\/[${PATH_CHARS}]*$`);

/** Path characters only, any number: what a route pattern must be made of to ever match. */
export const PATH_TEXT = new RegExp(`^[${PATH_CHARS}]*$`);

/** One path character. */
export const PATH_CHAR = new RegExp(`^[${PATH_CHARS}]$`);
