import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC, DEPLOY_DOC, parameterOf, withConfigTable, withParameterTable, ROUTES_DOC, withRouteFields } from '../scripts/config-doc.js';
import { CONFIG_OPTIONS } from '../shared/config/options.js';
import { RouteMatcher } from '../shared/routes/route-matcher.js';
import { ROUTE_FIELDS } from '../shared/routes/route-fields.js';
import { parseRoutes } from '../shared/routes/route-spec.js';

const readme = readFileSync('README.md', 'utf8');
const pages = readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const read = (file: string): string => readFileSync(file, 'utf8');

/** Relative markdown links of a file, resolved against its folder (anchors dropped). */
function linksOf(file: string): string[] {
  return [...read(file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => path.normalize(path.join(path.dirname(file), target)));
}

describe('README and docs', () => {
  it('holds the configuration table generated from the option table (npm run config:doc)', () => {
    const doc = read(CONFIG_DOC);
    expect(withConfigTable(doc)).toBe(doc);
    for (const option of CONFIG_OPTIONS) expect(doc).toContain(`| \`${option.name}\` |`);
  });

  it('holds the template parameter table generated from the option table (npm run config:doc)', () => {
    const doc = read(DEPLOY_DOC);
    expect(withParameterTable(doc)).toBe(doc);
    for (const option of CONFIG_OPTIONS) expect(doc).toContain(`| \`${parameterOf(option.name)}\` | \`${option.name}\` |`);
  });

  it('gives the two commands of a fresh machine', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('keeps the README short and links every docs page from it', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    const linked = new Set(linksOf('README.md'));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('has no relative link to a file that does not exist', () => {
    const broken = ['README.md', ...pages].flatMap((file) => linksOf(file).filter((t) => !existsSync(t)).map((t) => `${file} -> ${t}`));
    expect(broken).toEqual([]);
  });

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);
    const named = ['README.md', ...pages].flatMap((file) => [...read(file).matchAll(/npm run ([\w:-]+)/g)].map((m) => `${m[1]!}`));
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(scripts, `npm run ${name}`).toContain(name);
  });
});

describe(ROUTES_DOC, () => {
  const doc = readFileSync(ROUTES_DOC, 'utf8');

  it('holds the route field table generated from the field table (npm run config:doc)', () => {
    expect(doc.startsWith('# Route policies\n')).toBe(true);
    expect(withRouteFields(doc)).toBe(doc);
    for (const field of Object.keys(ROUTE_FIELDS)) expect(doc).toContain(`| \`${field}\` |`);
  });

  it('has a worked example that validates and routes as the text says', () => {
    const json = /## Worked example[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(json).toBeDefined();
    const matcher = new RouteMatcher(parseRoutes(JSON.parse(json!), ROUTES_DOC));
    const name = (method: string, path: string) => matcher.find(method, path)?.name ?? 'default';
    expect(name('GET', '/reports/2026/q1.pdf')).toBe('reports');
    expect(name('HEAD', '/reports/2026/q1.pdf')).toBe('reports');
    expect(name('POST', '/api/search')).toBe('search');
    expect(name('POST', '/bookings')).toBe('bookings');
    expect(name('GET', '/api/codes/icd10')).toBe('codes');
    expect(name('DELETE', '/api/beds/12')).toBe('beds');
    expect(name('GET', '/api/patients/7')).toBe('default');
  });
});
