/**
 * The house rules of the source tree, checked on every run so they stay true: no import cycle
 * (type imports included: a cycle through types still forces files to be read together), each
 * `shared/` folder imports only from the folders below it on the request path, and no source file
 * grows past what a reader takes in at once.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['functions', 'shared', 'local', 'bench', 'scripts'];
const MAX_LINES = 250;

/** Which `shared/` folders each folder may import from (itself always allowed). */
const LAYERS: Record<string, readonly string[]> = {
  http: [],
  routes: ['http'],
  config: ['http', 'routes'],
  telemetry: ['http'],
  alb: ['http'],
  origin: ['http', 'alb'],
  resilience: ['http', 'config', 'origin', 'routes', 'telemetry'],
  cache: ['http', 'config', 'telemetry'],
  handler: ['http', 'config', 'telemetry', 'alb', 'origin', 'resilience', 'cache', 'routes'],
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'results' ? [] : walk(full);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

const files = SOURCE_DIRS.flatMap((d) => walk(path.join(ROOT, d)));

/** Relative imports of a file (static, dynamic, `export ... from`, type-only alike), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specs = [...source.matchAll(/(?:from|import)\s*\(?\s*['"](\.\.?\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string): string => path.relative(ROOT, f);

describe('source layout', () => {
  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map(rel).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const dep of graph.get(file) ?? []) visit(dep, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('resolves every relative import to a file that exists', () => {
    const missing = [...graph].flatMap(([file, deps]) => deps.filter((d) => !graph.has(d) && !d.endsWith('.json')).map((d) => `${rel(file)} -> ${rel(d)}`));
    expect(missing).toEqual([]);
  });

  it('keeps each shared/ folder to the folders below it on the request path', () => {
    const folderOf = (f: string): string | undefined => {
      const parts = rel(f).split(path.sep);
      return parts[0] === 'shared' && parts.length > 2 ? parts[1] : undefined;
    };
    const folders = new Set(files.map(folderOf).filter((f): f is string => f !== undefined));
    expect([...folders].filter((f) => !(f in LAYERS))).toEqual([]);
    const breaches = [...graph].flatMap(([file, deps]) => {
      const from = folderOf(file);
      if (from === undefined) return [];
      return deps.filter((d) => {
        const to = folderOf(d);
        return to !== undefined && to !== from && !LAYERS[from]!.includes(to);
      }).map((d) => `${rel(file)} -> ${rel(d)}`);
    });
    expect(breaches).toEqual([]);
    expect(files.filter((f) => rel(f).startsWith('shared') && folderOf(f) === undefined).map(rel)).toEqual([]);
  });

  it(`keeps every source file at or under ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: rel(f), lines: readFileSync(f, 'utf8').trimEnd().split('\n').length }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines}`);
    expect(long).toEqual([]);
  });

  it('opens each source file with a /** comment that says its one job in at most three lines', () => {
    const all = SOURCE_DIRS.flatMap((d) => (readdirSync(path.join(ROOT, d), { recursive: true }) as string[]).filter((n) => /\.(ts|mts|mjs)$/.test(n) && !n.includes('node_modules') && !n.startsWith('results')).map((n) => path.join(ROOT, d, n)));
    const problems = all.flatMap((f) => {
      const source = readFileSync(f, 'utf8');
      if (!source.startsWith('/**')) return [`${rel(f)}: does not start with /**`];
      const firstParagraph = source.slice(3, source.indexOf('*/')).split(/\n\s*\*?\s*\n/).find((p) => p.trim() !== '') ?? '';
      const lines = firstParagraph.split('\n').filter((l) => l.replace(/^\s*\*/, '').trim() !== '').length;
      return lines > 3 ? [`${rel(f)}: its first paragraph has ${lines} lines`] : [];
    });
    expect(all.length).toBeGreaterThan(150);
    expect(problems).toEqual([]);
  });
});
