/**
 * Every process the bench starts goes through `spawnTracked`, so that all of them are stopped at
 * the end, on failure and on Ctrl-C: a benchmark that leaves an nginx or a proxy listening behind
 * poisons the next run's figures.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Tracked {
  readonly child: ChildProcess;
  /** Last lines of stdout and stderr, for error messages. */
  output(): string;
  /** Resolves when `pattern` appears on stdout or stderr; rejects if the process exits first or after `timeoutMs`. */
  ready(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Tracked>();

export function spawnTracked(command: string, args: string[], options: SpawnOptions & { name: string }): Tracked {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let seen = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-4000);
    // Keep only what a readiness pattern may still need; the rest is drained and dropped.
    seen = (seen + text).slice(-16_000);
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (err) => { tail += `\n${err.message}`; });

  const tracked: Tracked = {
    child,
    output: () => tail,
    ready: (pattern, timeoutMs) => new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(seen);
        if (m) done(() => resolve(m));
      };
      const onExit = () => done(() => reject(new Error(`${options.name} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready:\n${tail}`)));
      const timer = setTimeout(() => done(() => reject(new Error(`${options.name} not ready after ${timeoutMs} ms:\n${tail}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', onExit);
        settle();
      };
      waiters.add(check);
      child.once('exit', onExit);
      check();
    }),
    stop: async (graceMs = 3000) => {
      running.delete(tracked);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(tracked);
  return tracked;
}

/** Stops every tracked process that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((t) => t.stop()));
}

/**
 * Stops the children on Ctrl-C / SIGTERM, then exits with the conventional code; `onSignal`
 * runs first (e.g. to stop the progress bar). A last synchronous SIGTERM on `exit` covers crashes.
 */
export function installCleanup(onSignal: () => void): void {
  const handle = (signal: NodeJS.Signals) => {
    onSignal();
    process.stderr.write(`\n${signal}: stopping ${running.size} child process(es)...\n`);
    void stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
  process.once('exit', () => {
    for (const t of running) t.child.kill('SIGTERM');
  });
}
