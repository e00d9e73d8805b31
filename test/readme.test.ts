import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES_DOC, withConfigTable, withRouteFields } from '../scripts/config-doc.js';
import { RouteMatcher } from '../shared/routes/route-matcher.js';
import { ROUTE_FIELDS } from '../shared/routes/route-fields.js';
import { parseRoutes } from '../shared/routes/route-spec.js';
import { CONFIG_OPTIONS } from '../shared/config-options.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('holds the configuration table generated from the option table (npm run config:doc)', () => {
    expect(withConfigTable(readme)).toBe(readme);
    for (const option of CONFIG_OPTIONS) expect(readme).toContain(`| \`${option.name}\` |`);
  });

  it('gives the two commands of a fresh machine', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>);
    const named = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
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
