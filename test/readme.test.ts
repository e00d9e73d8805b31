import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withConfigTable } from '../scripts/config-doc.js';
import { CONFIG_OPTIONS } from '../shared/config/options.js';

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
