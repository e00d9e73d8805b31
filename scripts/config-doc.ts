/**
 * `npm run config:doc`: writes the configuration table of docs/configuration.md (between the `config-table` markers)
 * from shared/config/options.ts, so the documentation comes from the same table the code parses.
 * `--check` only verifies it (a test runs the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CONFIG_OPTIONS } from '../shared/config/options.js';

/** The page that holds the generated table. */
export const CONFIG_DOC = 'docs/configuration.md';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function configTable(): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const rows = CONFIG_OPTIONS.map((o) => `| \`${o.name}\` | ${o.default === '' ? '(none)' : `\`${o.default}\``} | ${cell(o.form)} | ${cell(o.doc)} |`);
  return ['| Variable | Default | Accepted | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** The page with its table section replaced by the generated one. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`${CONFIG_DOC} lacks the ${START} ... ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${configTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = readFileSync(CONFIG_DOC, 'utf8');
  const updated = withConfigTable(readme);
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      process.stderr.write(`${CONFIG_DOC}: configuration table is stale: run npm run config:doc\n`);
      process.exit(1);
    }
  } else writeFileSync(CONFIG_DOC, updated);
}
