/**
 * npm run build: bundles the function with esbuild into dist/, and checks the bundle loads and what
 * it loads at cold start.
 */
import { execFile } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { ENTRY_POINT, OUT_DIR, esbuildOptions } from './build-options.js';

/** Repository root: the template's `CodeUri`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BundleFile {
  /** Absolute path. */
  readonly file: string;
  readonly bytes: number;
  /** The npm packages with code in this file (`@aws-sdk/client-s3`, `undici`, ...), sorted. */
  readonly packages: readonly string[];
}

export interface BundleResult {
  /** Absolute path of the entry (`<outdir>/index.mjs`), the file the template's Handler names. */
  readonly file: string;
  /** Bytes of the entry file alone. */
  readonly bytes: number;
  /** Source map bytes of every output file. */
  readonly sourceMapBytes: number;
  /**
   * What a cold start loads before the handler runs: the entry and the chunks it imports statically
   * (transitively). Chunks reached only through a dynamic `import()`, such as the S3 client, are not in it.
   */
  readonly coldStart: readonly BundleFile[];
  /**
   * What the first request of S3 mode loads besides: the chunks the cold-start files import with
   * `import()` (the S3 client), each with its static imports. The SDK's own lazy chunks (credential
   * providers other than the environment's, which Lambda uses) are not in it.
   */
  readonly firstS3Request: readonly BundleFile[];
  /** Every `.mjs` written, the lazily loaded chunks included. */
  readonly outputs: readonly BundleFile[];
  /** Imports left outside the bundle (any file): Node built-ins only, or Lambda would fail to load it. */
  readonly externalImports: readonly string[];
  /** esbuild's warnings as `file:line: text`. */
  readonly warnings: readonly string[];
}

/**
 * Bundles the function with the shared options into `outdir` (default `dist/retry-proxy`). Old
 * `.mjs` outputs there are removed first: chunk names carry a content hash, so a rebuild would
 * otherwise leave stale chunks beside the new ones.
 */
export async function buildBundle(outdir = join(REPO_ROOT, OUT_DIR)): Promise<BundleResult> {
  removeOldOutputs(outdir);
  const result = await build(esbuildOptions(REPO_ROOT, outdir));
  const metafile = result.metafile;
  if (!metafile) throw new Error('esbuild wrote no metafile');
  const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
  const entry = outputs.find(([, output]) => output.entryPoint === ENTRY_POINT);
  if (!entry) throw new Error(`esbuild produced no output for ${ENTRY_POINT} (outputs: ${outputs.map(([p]) => p).join(', ')})`);
  const [outPath, output] = entry;
  const file = resolve(REPO_ROOT, outPath);
  const externalImports = [
    ...new Set(outputs.flatMap(([, o]) => o.imports.filter((i) => i.external).map((i) => i.path))),
  ].sort();
  // `node:` covers built-ins newer than this Node: undici lazily requires node:sqlite, which
  // Lambda's nodejs22.x has and Node 20 lacks.
  const foreign = externalImports.filter((path) => !path.startsWith('node:') && !isBuiltin(path));
  if (foreign.length > 0) {
    throw new Error(`the bundle imports ${foreign.join(', ')} at run time, which Lambda will not have; bundle them (scripts/build-options.ts)`);
  }
  const warnings = result.warnings.map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`);
  const asFile = (path: string): BundleFile => ({
    file: resolve(REPO_ROOT, path),
    bytes: metafile.outputs[path]!.bytes,
    packages: packagesIn(metafile.outputs[path]!),
  });
  const coldStart = staticClosure(metafile, outPath);
  return {
    file,
    bytes: output.bytes,
    sourceMapBytes: outputs.reduce((sum, [path]) => sum + statSync(resolve(REPO_ROOT, `${path}.map`)).size, 0),
    coldStart: coldStart.map(asFile),
    firstS3Request: lazyClosure(metafile, coldStart).map(asFile),
    outputs: outputs.map(([path]) => asFile(path)),
    externalImports,
    warnings,
  };
}

/** `files`, then what they reach through one `import()` each and that chunk's static imports. */
function lazyClosure(metafile: Metafile, files: readonly string[]): string[] {
  const lazy = files.flatMap((file) => (metafile.outputs[file]?.imports ?? []).filter((i) => !i.external && i.kind === 'dynamic-import').map((i) => i.path));
  return [...new Set([...files, ...lazy.flatMap((chunk) => staticClosure(metafile, chunk))])];
}

/** `from` and every output it reaches through static `import` statements (not `import()`), `from` first. */
export function staticClosure(metafile: Metafile, from: string): string[] {
  const seen = [from];
  for (let i = 0; i < seen.length; i++) {
    for (const imported of metafile.outputs[seen[i]!]?.imports ?? []) {
      if (!imported.external && imported.kind === 'import-statement' && !seen.includes(imported.path)) seen.push(imported.path);
    }
  }
  return seen;
}

function packagesIn(output: Metafile['outputs'][string]): string[] {
  const names = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1])
    .filter((name): name is string => name !== undefined);
  return [...new Set(names)].sort();
}

function removeOldOutputs(outdir: string): void {
  let names: string[];
  try {
    names = readdirSync(outdir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.endsWith('.mjs') || name.endsWith('.mjs.map')) rmSync(join(outdir, name), { force: true });
  }
}

export interface BundleCheck {
  /** Names the bundle exports. */
  readonly exports: readonly string[];
}

/**
 * Loads the bundle in a fresh plain-Node process (no tsx, no loader), the way Lambda's runtime does,
 * and fails unless it exports a `handler` function. Module init reads the config, so ORIGIN_URL is
 * given a harmless loopback default when the environment has none.
 */
export async function verifyBundle(file: string, env: NodeJS.ProcessEnv = process.env): Promise<BundleCheck> {
  const probe = [
    'const m = await import(process.argv[1]);',
    'process.stdout.write(JSON.stringify({ exports: Object.keys(m), handler: typeof m.handler }));',
    'process.exit(0);',
  ].join(' ');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', probe, pathToFileURL(file).href],
    {
      env: { POWERTOOLS_LOG_LEVEL: 'SILENT', ...env, ORIGIN_URL: env.ORIGIN_URL || 'http://127.0.0.1:9' },
      timeout: 30_000,
    },
  ).catch((error: Error & { stderr?: string }) => {
    throw new Error(`${file} does not load in Node ${process.version}: ${firstErrorLine(error.stderr) ?? error.message}`);
  });
  const seen = JSON.parse(stdout) as { exports: string[]; handler: string };
  if (seen.handler !== 'function') {
    throw new Error(`${file} exports ${JSON.stringify(seen.exports)} but no handler function (template Handler is index.handler)`);
  }
  return { exports: seen.exports };
}

/** The `SomeError: message` line of a crash report; the lines above it echo minified source. */
function firstErrorLine(stderr: string | undefined): string | undefined {
  return stderr?.split('\n').find((line) => /^[A-Za-z]*Error\b/.test(line.trim()))?.trim();
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const bundle = await buildBundle();
  for (const warning of bundle.warnings) console.warn(`warning: ${warning}`);
  const check = await verifyBundle(bundle.file);
  const coldStart = bundle.coldStart.reduce((sum, f) => sum + f.bytes, 0);
  const all = bundle.outputs.reduce((sum, f) => sum + f.bytes, 0);
  console.log(
    `${relative(REPO_ROOT, bundle.file)}: ${kib(bundle.bytes)}, exports ${check.exports.join(', ')}; ` +
      `loaded at cold start ${kib(coldStart)} in ${bundle.coldStart.length} file(s), ` +
      `${bundle.outputs.length} files ${kib(all)} in all (source maps ${kib(bundle.sourceMapBytes)}); ` +
      `left external: ${bundle.externalImports.length} Node built-ins`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
