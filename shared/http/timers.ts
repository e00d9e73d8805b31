/**
 * The longest timer a setting may ask for (a variable or a route field): Lambda's longest timeout.
 */

/**
 * Lambda's longest timeout, 15 minutes. It also keeps every timer under setTimeout's 2^31-1 ms, past
 * which Node fires it after 1 ms (a huge ATTEMPT_TIMEOUT_MS would time every attempt out at once, a
 * huge hedge delay hedge every request at once).
 */
export const MAX_MS = 900_000;
