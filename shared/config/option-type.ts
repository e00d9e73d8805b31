/** The shape of one entry of the option table (`options.ts`), in a file of its own so the table's parts can share it. */

/**
 * The longest any millisecond setting (variable or route field) may be: Lambda's longest timeout
 * (15 minutes). It also keeps every timer under setTimeout's 2^31-1 ms, past which Node fires it
 * after 1 ms (a huge ATTEMPT_TIMEOUT_MS would time every attempt out at once, a huge hedge delay
 * hedge every request at once).
 */
export const MAX_MS = 900_000;

export interface ConfigOption {
  /** Environment variable name. */
  readonly name: string;
  /** Default as it would be written in the environment; `''` means "unset". */
  readonly default: string;
  /** Accepted form, as shown in error messages and docs/configuration.md. */
  readonly form: string;
  /** What it does and why the default is what it is. */
  readonly doc: string;
}
