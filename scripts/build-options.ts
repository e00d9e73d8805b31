/**
 * The one description of the Lambda bundle, shared by npm run build and sam build.
 */
import type { BuildOptions } from 'esbuild';

/**
 * The one description of the Lambda bundle. `npm run build` (scripts/build.ts) hands it to esbuild;
 * `sam build` reads the same settings from template.yaml's `Metadata.BuildProperties`, and
 * test/template.test.ts checks that `samBuildProperties()` equals them, so both build the same file.
 */

/** The function's entry, relative to the repository root (the template's `CodeUri`). */
export const ENTRY_POINT = 'functions/retry-proxy/index.ts';

/** Where `npm run build` writes the bundle (git-ignored). */
export const OUT_DIR = 'dist/retry-proxy';

/**
 * `.mjs` so Lambda loads the bundle as ESM without a package.json beside it; the handler string
 * `index.handler` resolves to `index.mjs`.
 */
export const OUT_EXTENSION = '.mjs';

/**
 * Bundled CommonJS code (the AWS SDK v3 in the S3 chunks, among others) calls `require('node:https')`
 * and friends. An ESM bundle has no `require`, and esbuild's shim then throws "Dynamic require of
 * node:https is not supported" at load; this banner gives the module scope a real one.
 */
export const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * - `node20`: Lambda runs nodejs22.x, but the same bundle must load on Node 20 (CI, `npm run invoke`).
 * - Everything is bundled, `@aws-sdk/*` included. nodejs22.x ships an SDK v3, but its version is
 *   whatever the runtime carries that day; bundling pins the version our S3 cache is tested with
 *   (package-lock.json), and tree-shaking keeps only the S3 client's used commands.
 * - Minified with a source map: smaller zip, faster cold start, readable stack traces (SAM turns on
 *   `NODE_OPTIONS=--enable-source-maps` itself when `Sourcemap` is true).
 * - `splitting` (ESM only): every dynamic `import()` becomes its own chunk beside `index.mjs`, loaded
 *   only when that line runs. Without it esbuild inlines the S3 client (about 580 KB, imported
 *   dynamically by shared/cache/store/s3.ts) into the entry, and memory mode parses it at every cold
 *   start. The chunks get the same `.mjs` extension and the banner, so their bundled CommonJS has a
 *   `require` too. aws-lambda-builders passes a boolean BuildProperty through as `--splitting`.
 * - `mainFields: module, main`: a package without an `exports` map is read from its ES module build
 *   when it has one, which esbuild can tree-shake; from `main` (CommonJS) it keeps every module. That
 *   is cockatiel, of which the retry backoff uses 0.7 KB of 24.5 KB (entry 153.9 -> 129.9 KB, about
 *   4 ms less import), and the AWS SDK in the lazily loaded S3 chunks. Packages with `exports` (Powertools,
 *   middy, lru-cache, structured-headers) resolve as before. SAM passes it as `--main-fields=module,main`.
 */
export const BUNDLE = {
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: true,
  splitting: true,
  mainFields: ['module', 'main'],
  external: [] as string[],
} as const;

/** esbuild options writing `<outdir>/index.mjs` and its lazily loaded `chunk-*.mjs` (+ `.map`) from the repository at `root`. */
export function esbuildOptions(root: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [ENTRY_POINT],
    outdir,
    bundle: true,
    platform: 'node',
    target: BUNDLE.target,
    format: BUNDLE.format,
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourcemap,
    splitting: BUNDLE.splitting,
    mainFields: [...BUNDLE.mainFields],
    external: [...BUNDLE.external],
    outExtension: { '.js': OUT_EXTENSION },
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    logLevel: 'silent',
  };
}

/** The same settings in the shape of SAM's esbuild `BuildProperties` (aws-lambda-builders flags). */
export function samBuildProperties(): Record<string, unknown> {
  return {
    Target: BUNDLE.target,
    Format: BUNDLE.format,
    Minify: BUNDLE.minify,
    Sourcemap: BUNDLE.sourcemap,
    Splitting: BUNDLE.splitting,
    MainFields: BUNDLE.mainFields.join(','),
    EntryPoints: [ENTRY_POINT],
    OutExtension: [`.js=${OUT_EXTENSION}`],
    Banner: [`js=${REQUIRE_BANNER}`],
    ...(BUNDLE.external.length > 0 ? { External: [...BUNDLE.external] } : {}),
  };
}
