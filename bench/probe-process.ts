/**
 * Runs a bench probe (an ES module given as source text) in a fresh plain-Node process and returns
 * the JSON it printed after a marker.
 *
 * The child's stdout goes to a temporary file, not to a pipe:
 * the handler's log lines and EMF metrics are written synchronously to stdout, and a pipe read by
 * this busy bench process (which also serves the origin) blocks those writes whenever the pipe is
 * full. That waited on the bench, not on the handler (in Lambda another process drains stdout), and
 * made up about a fifth of the measured per-request time; a file write costs what a log write costs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProbeOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Extra `node` flags before `-e` (e.g. `--max-old-space-size=...`). */
  readonly nodeFlags?: readonly string[];
  /** @default the bench's own */
  readonly cwd?: string;
  /** @default 120000 */
  readonly timeoutMs?: number;
  /** Also given everything the probe printed on stdout (the handler's log lines and EMF documents). */
  readonly onStdout?: (stdout: string) => void;
}

/** The probe must print `\n<marker> <json>\n` on stdout; anything else it prints is ignored. */
export async function runProbe<T>(source: string, marker: string, args: readonly string[], options: ProbeOptions): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'retry-proxy-probe-'));
  const outFile = join(dir, 'stdout.txt');
  const out = openSync(outFile, 'w');
  try {
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--input-type=module', '-e', source, ...args], {
        env: options.env,
        cwd: options.cwd,
        stdio: ['ignore', out, 'pipe'],
      });
      let err = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        if (err.length < 100_000) err += chunk.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(err);
        else reject(new Error(`the probe exited with ${signal ?? code}: ${err.slice(-1000)}`));
      });
    });
    const stdout = readFileSync(outFile, 'utf8');
    options.onStdout?.(stdout);
    const line = stdout.split('\n').find((l) => l.startsWith(`${marker} `));
    if (!line) throw new Error(`the probe printed no ${marker} line: ${stdout.slice(-500)}${stderr.slice(-500)}`);
    return JSON.parse(line.slice(marker.length + 1)) as T;
  } finally {
    closeSync(out);
    rmSync(dir, { recursive: true, force: true });
  }
}
