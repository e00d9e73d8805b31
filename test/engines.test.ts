import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../scripts/build.js';

/**
 * The Node versions the project claims are ones its dependencies accept: package.json's `engines`
 * (what `npm ci` checks), the README's "Node X or newer", and the template's Lambda runtime for
 * what is bundled into the function. A dependency that raises its floor (undici 7 needs 20.18.1)
 * shows here rather than on a developer's older Node.
 */
interface Manifest {
  readonly engines?: { readonly node?: string };
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const read = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;
const project = read(join(REPO_ROOT, 'package.json'));
// npm installs each direct dependency at the top of node_modules (a package's exports may hide its package.json from require).
const manifestOf = (name: string): Manifest => read(join(REPO_ROOT, 'node_modules', name, 'package.json'));
const floor = semver.minVersion(project.engines?.node ?? '')?.version;

/** The dependencies whose declared Node range does not admit `version`. */
function refusing(names: readonly string[], version: string): string[] {
  return names.filter((name) => {
    const range = manifestOf(name).engines?.node;
    return range !== undefined && !semver.satisfies(version, range);
  }).map((name) => `${name} (${manifestOf(name).engines!.node})`);
}

describe('Node versions', () => {
  it('package.json declares a minimum Node version', () => {
    expect(floor, `engines.node ${project.engines?.node}`).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('every dependency accepts the minimum that package.json declares', () => {
    const names = [...Object.keys(project.dependencies ?? {}), ...Object.keys(project.devDependencies ?? {})];
    expect(names.length).toBeGreaterThan(10);
    expect(refusing(names, floor!)).toEqual([]);
  });

  it('the bundled dependencies accept the template\'s Lambda runtime', () => {
    const runtime = /Runtime: nodejs(\d+)\.x/.exec(readFileSync(join(REPO_ROOT, 'template.yaml'), 'utf8'))?.[1];
    expect(runtime).toBeDefined();
    expect(refusing(Object.keys(project.dependencies ?? {}), `${runtime}.0.0`)).toEqual([]);
  });

  it('the README names the same minimum', () => {
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain(`Node ${floor} or newer`);
  });

  it('the check refuses a version below a dependency\'s floor', () => {
    expect(refusing(['undici'], '20.16.0')).toEqual([`undici (${manifestOf('undici').engines!.node})`]);
  });
});
