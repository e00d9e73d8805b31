import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ENTRY_POINT, OUT_DIR, esbuildOptions } from './build-options.js';

/** Repository root: the template's `CodeUri`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BundleResult {
  /** Absolute path of the bundle (`<outdir>/index.mjs`). */
  readonly file: string;
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** Imports left outside the bundle: Node built-ins only, or Lambda would fail to load it. */
  readonly externalImports: readonly string[];
  /** esbuild's warnings as `file:line: text`. */
  readonly warnings: readonly string[];
}

/** Bundles the function with the shared options into `outdir` (default `dist/retry-proxy`). */
export async function buildBundle(outdir = join(REPO_ROOT, OUT_DIR)): Promise<BundleResult> {
  const result = await build(esbuildOptions(REPO_ROOT, outdir));
  const outputs = Object.entries(result.metafile?.outputs ?? {});
  const entry = outputs.find(([, output]) => output.entryPoint === ENTRY_POINT);
  if (!entry) throw new Error(`esbuild produced no output for ${ENTRY_POINT} (outputs: ${outputs.map(([p]) => p).join(', ')})`);
  const [outPath, output] = entry;
  const file = resolve(REPO_ROOT, outPath);
  const externalImports = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))].sort();
  // `node:` covers built-ins newer than this Node: undici lazily requires node:sqlite, which
  // Lambda's nodejs22.x has and Node 20 lacks.
  const foreign = externalImports.filter((path) => !path.startsWith('node:') && !isBuiltin(path));
  if (foreign.length > 0) {
    throw new Error(`the bundle imports ${foreign.join(', ')} at run time, which Lambda will not have; bundle them (scripts/build-options.ts)`);
  }
  const warnings = result.warnings.map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`);
  return { file, bytes: output.bytes, sourceMapBytes: statSync(`${file}.map`).size, externalImports, warnings };
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
  console.log(
    `${relative(REPO_ROOT, bundle.file)}: ${kib(bundle.bytes)} (source map ${kib(bundle.sourceMapBytes)}), ` +
      `exports ${check.exports.join(', ')}; left external: ${bundle.externalImports.length} Node built-ins`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
