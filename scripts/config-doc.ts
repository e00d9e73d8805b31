/**
 * `npm run config:doc`: the configuration and route-field tables of the docs, written from the
 * tables the code parses.
 *
 * It writes the configuration table of docs/configuration.md (between the `config-table`
 * markers) and docs/deploy.md's template parameter table (between the `parameter-table` markers)
 * from shared/config/options.ts, and docs/routes.md's route field table (between the `route-fields`
 * markers) from shared/routes/route-fields.ts, so the documentation comes from the same tables the
 * code parses. `--check` only verifies them (a test runs the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CONFIG_OPTIONS } from '../shared/config/options.js';
import { ROUTE_FIELDS } from '../shared/routes/route-fields.js';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';
const PARAMETERS_START = '<!-- parameter-table:start -->';
const PARAMETERS_END = '<!-- parameter-table:end -->';
const ROUTES_START = '<!-- route-fields:start -->';
const ROUTES_END = '<!-- route-fields:end -->';

/** The page that documents the route fields. */
export const ROUTES_DOC = 'docs/routes.md';

const cell = (text: string): string => text.replaceAll('|', '\\|');

export function configTable(): string {
  const rows = CONFIG_OPTIONS.map((o) => `| \`${o.name}\` | ${o.default === '' ? '(none)' : `\`${o.default}\``} | ${cell(o.form)} | ${cell(o.doc)} |`);
  return ['| Variable | Default | Accepted | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** The template parameter that sets a variable: its name in PascalCase (test/template.test.ts checks each). */
export const parameterOf = (variable: string): string => variable.toLowerCase().replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** Every function setting's template parameter, its variable and default (ORIGIN_URL, the only one without, is required). */
export function parameterTable(): string {
  const shown = (o: (typeof CONFIG_OPTIONS)[number]): string => (o.default !== '' ? `\`${o.default}\`` : o.name === 'ORIGIN_URL' ? '(required)' : '(empty)');
  const rows = CONFIG_OPTIONS.map((o) => `| \`${parameterOf(o.name)}\` | \`${o.name}\` | ${shown(o)} |`);
  return ['| Parameter | Variable | Default |', '| --- | --- | --- |', ...rows].join('\n');
}

export function routeFieldsTable(): string {
  const rows = Object.entries(ROUTE_FIELDS).map(
    ([name, f]) => `| \`${name}\` | ${cell(f.form)} | ${cell(f.doc)} | ${'fallsBackTo' in f ? cell(f.fallsBackTo) : '-'} |`,
  );
  return ['| Field | Accepted | Meaning | Left out: |', '|---|---|---|---|', ...rows].join('\n');
}

/** `text` with the section between `startMarker` and `endMarker` replaced by `table`. */
function between(text: string, file: string, startMarker: string, endMarker: string, table: string): string {
  const start = text.indexOf(startMarker);
  const end = text.indexOf(endMarker);
  if (start === -1 || end < start) throw new Error(`${file} lacks the ${startMarker} ... ${endMarker} markers`);
  return `${text.slice(0, start + startMarker.length)}\n${table}\n${text.slice(end)}`;
}

/** The page that holds the generated option table. */
export const CONFIG_DOC = 'docs/configuration.md';

/** docs/configuration.md with its table section replaced by the generated one. */
export function withConfigTable(doc: string): string {
  return between(doc, CONFIG_DOC, START, END, configTable());
}

/** The page that holds the generated template parameter table. */
export const DEPLOY_DOC = 'docs/deploy.md';

/** docs/deploy.md with its parameter table replaced by the generated one. */
export function withParameterTable(doc: string): string {
  return between(doc, DEPLOY_DOC, PARAMETERS_START, PARAMETERS_END, parameterTable());
}

/** docs/routes.md with its field table replaced by the generated one. */
export function withRouteFields(doc: string): string {
  return between(doc, ROUTES_DOC, ROUTES_START, ROUTES_END, routeFieldsTable());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = [
    { file: CONFIG_DOC, update: withConfigTable },
    { file: DEPLOY_DOC, update: withParameterTable },
    { file: ROUTES_DOC, update: withRouteFields },
  ];
  for (const { file, update } of files) {
    const text = readFileSync(file, 'utf8');
    const updated = update(text);
    if (process.argv.includes('--check')) {
      if (updated !== text) {
        process.stderr.write(`${file}: the generated table is stale: run npm run config:doc\n`);
        process.exitCode = 1;
      }
    } else if (updated !== text) writeFileSync(file, updated);
  }
}
