/**
 * Every environment variable the function reads, with its default and a one-line why.
 *
 * This table is the single source for three things that must agree: `loadConfig` (which parses
 * them), the configuration table of docs/configuration.md (`npm run config:doc` prints it) and `template.yaml`
 * (a test checks that every variable the function gets here is a template parameter and back).
 * Names are stable: operators' scripts and the template depend on them.
 */
import type { ConfigOption } from './option-type.js';
import { CACHE_AND_TELEMETRY_OPTIONS } from './options-cache.js';
import { REQUEST_OPTIONS } from './options-request.js';

export type { ConfigOption } from './option-type.js';

/** Every option, in the order the configuration table lists them. */
export const CONFIG_OPTIONS = [...REQUEST_OPTIONS, ...CACHE_AND_TELEMETRY_OPTIONS] as const;

export type ConfigName = (typeof CONFIG_OPTIONS)[number]['name'];

/** The option record for `name`; throws on an unknown name (a typo in code, not in config). */
export function configOption(name: ConfigName): ConfigOption {
  const option = CONFIG_OPTIONS.find((o) => o.name === name);
  if (!option) throw new Error(`unknown config option ${name}`);
  return option;
}
