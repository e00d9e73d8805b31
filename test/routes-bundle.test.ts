/**
 * routes.json is inlined by the build: a bundle built from a tree whose routes.json holds a route
 * carries it (no file is read at run time), ROUTES replaces it, and a bad route fails the cold start
 * of the bundle itself. Built from a copy of the sources, so the repository's routes.json is never touched.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../scripts/build-options.js';
import { REPO_ROOT, verifyBundle } from '../scripts/build.js';

const root = mkdtempSync(join(tmpdir(), 'routes-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function bundleWith(routesJson: string): Promise<string> {
  const tree = mkdtempSync(join(root, 'tree-'));
  for (const dir of ['functions', 'shared']) cpSync(join(REPO_ROOT, dir), join(tree, dir), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(tree, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
  writeFileSync(join(tree, 'routes.json'), routesJson);
  const outdir = join(tree, 'dist');
  await build(esbuildOptions(tree, outdir));
  // Nothing left to read at run time: the bundle must work with the tree gone.
  rmSync(join(tree, 'routes.json'));
  return join(outdir, 'index.mjs');
}

describe('routes.json in the bundle', () => {
  it('is inlined and validated at the bundle\'s cold start; ROUTES replaces it', { timeout: 120_000 }, async () => {
    const file = await bundleWith('[{"name": "bad", "match": "reports/**"}]');
    await expect(verifyBundle(file, { ...process.env, ROUTES: '' })).rejects.toThrow('routes.json: route 0 ("bad"): match: got "reports/**"');
    const replaced = await verifyBundle(file, { ...process.env, ROUTES: '[{"name":"ok","match":"/reports/**"}]' });
    expect(replaced.exports).toContain('handler');
  });
});
