/**
 * `npm run invoke` (local/invoke.ts): recorded events through the real entry against a simulated
 * origin, each result printed; with INFO on, the log lines say `cold_start` as Lambda's would (true
 * on the environment's first invocation only) and the memory size FUNCTION_MEMORY_MB gives; a bad
 * event file or memory size exits 2 naming it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const EVENT = 'events/aws-lambda-go__alb-lambda-target-request-headers-only.json';

/** Runs local/invoke.ts with `args`; ORIGIN_URL unset, so it starts its own simulated origin. */
async function invoke(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', ...env };
  delete base.ORIGIN_URL;
  delete base.AWS_LAMBDA_INITIALIZATION_TYPE;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'local/invoke.ts', ...args], { env: base, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm run invoke', () => {
  it('answers each event and logs cold_start true on the first invocation only', async () => {
    const { code, stdout } = await invoke([EVENT, EVENT]);
    expect(code).toBe(0);
    const logs = stdout.split('\n').filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = logs.filter((l) => l.message === 'request');
    expect(requests.map((l) => l.cold_start)).toEqual([true, false]);
    expect(requests.map((l) => l.status)).toEqual([200, 200]);
    // The template's memory size by default, in the context the log line reports.
    expect(requests.map((l) => l.function_memory_size)).toEqual(['256', '256']);
    // The pretty-printed ALB results, one per event.
    expect(stdout.match(/^ {2}"statusCode": 200,$/gm)).toHaveLength(2);
  });

  it('gives the context FUNCTION_MEMORY_MB, and refuses one Lambda does not offer, naming it', async () => {
    const { stdout } = await invoke([EVENT], { FUNCTION_MEMORY_MB: '1024' });
    expect(stdout).toContain('"function_memory_size":"1024"');
    const bad = await invoke([EVENT], { FUNCTION_MEMORY_MB: '64' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('FUNCTION_MEMORY_MB: got "64", expected an integer 128..10240');
  });

  it('exits 2 naming a file that is not an event', async () => {
    const { code, stderr } = await invoke(['events/SOURCES.md']);
    expect(code).toBe(2);
    expect(stderr).toContain('events/SOURCES.md: ');
  });
});
