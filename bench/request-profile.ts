/**
 * `tsx bench/request-profile.ts [--requests N] [--top N] [--keep FILE.cpuprofile] [--entry BUNDLE.mjs]`:
 * where the handler's own per-request time goes.
 *
 * One handler instance (functions/retry-proxy/index.ts, logging and EMF metrics on, as
 * deployed) is driven sequentially against a local origin in a child process under
 * `node --cpu-prof`; this prints the functions with the most self time, and self time per package,
 * from the `.cpuprofile` it wrote. The TypeScript sources are run (through tsx), not the minified
 * bundle, so the names and files in the profile are the real ones; `--entry` profiles a built bundle.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../scripts/build.js';
import { runProbe } from './probe-process.js';
import { invocationSource } from './probe-invocation.js';

const ENTRY = pathToFileURL(join(REPO_ROOT, 'functions/retry-proxy/index.ts')).href;

/** The child: the same event and context as bench/cold-start.ts's probe (probe-invocation.ts), `n` sequential invocations. */
const DRIVER = `
const { handler } = await import(process.argv[1]);
${invocationSource('/cold')}const n = Number(process.argv[2]);
for (let i = 0; i < n; i++) await invoke(event);
process.stdout.write('\\nPROFILED {}\\n');
process.exit(0);
`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  readonly name: string;
  readonly us: number;
}

/** Self time (microseconds) per function and per package (or repository folder) of a `.cpuprofile`. */
export function selfTimes(profile: CpuProfile): { functions: SelfTime[]; packages: SelfTime[]; totalUs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const perNode = new Map<number, number>();
  profile.samples.forEach((id, i) => perNode.set(id, (perNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of perNode) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalUs += us;
    const file = url.startsWith('file://') ? relative(REPO_ROOT, fileURLToPath(url)) : url;
    const fn = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    packages.set(packageOf(file, functionName), (packages.get(packageOf(file, functionName)) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>): SelfTime[] => [...m].map(([name, us]) => ({ name, us })).sort((a, b) => b.us - a.us);
  return { functions: sorted(functions), packages: sorted(packages), totalUs };
}

function packageOf(file: string, functionName: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (m) return m[1]!;
  if (file.startsWith('node:')) return 'node internals';
  if (file === '') return functionName.startsWith('(') ? functionName : 'native';
  return file.split('/').slice(0, 2).join('/');
}

/** `keep`: also write the `.cpuprofile` there (Chrome DevTools and speedscope open it). */
export async function profileRequests(requests: number, keep?: string, entry?: string): Promise<ReturnType<typeof selfTimes>> {
  const dir = mkdtempSync(join(tmpdir(), 'retry-proxy-profile-'));
  const origin = createServer((_req, res) => res.end('ok'));
  try {
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as { port: number }).port;
    const env: NodeJS.ProcessEnv = { ...process.env, ORIGIN_URL: `http://127.0.0.1:${port}`, CACHE_STORE: 'memory' };
    delete env.POWERTOOLS_LOG_LEVEL;
    delete env.POWERTOOLS_METRICS_DISABLED;
    await runProbe(DRIVER, 'PROFILED', [entry ? pathToFileURL(resolve(entry)).href : ENTRY, String(requests)], {
      env,
      cwd: REPO_ROOT,
      nodeFlags: ['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir', dir],
      timeoutMs: 300_000,
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`node --cpu-prof wrote no profile into ${dir}`);
    const text = readFileSync(join(dir, file), 'utf8');
    if (keep) writeFileSync(keep, text);
    return selfTimes(JSON.parse(text) as CpuProfile);
  } finally {
    origin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '5000' }, top: { type: 'string', default: '30' }, keep: { type: 'string' }, entry: { type: 'string' } } });
  const requests = Number(values.requests);
  const top = Number(values.top);
  const { functions, packages, totalUs } = await profileRequests(requests, values.keep, values.entry);
  const line = (s: SelfTime): string => `${((s.us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(s.us / requests).toFixed(1).padStart(7)} us/req  ${s.name}`;
  process.stdout.write(`self time of ${requests} sequential requests (${(totalUs / 1000).toFixed(0)} ms profiled, start-up included)\n`);
  process.stdout.write(`\nby package or folder:\n${packages.slice(0, 15).map(line).join('\n')}\n`);
  process.stdout.write(`\ntop ${top} functions:\n${functions.slice(0, top).map(line).join('\n')}\n`);
}
