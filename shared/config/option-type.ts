/** The shape of one entry of the option table (`options.ts`), in a file of its own so the table's parts can share it. */
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
