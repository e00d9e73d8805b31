/**
 * `--single` mode's function: one handler in the emulator's own process, invoked the way the pool
 * invokes an environment (the same timeout and the same failures), but serving every request at once.
 */
import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import { DEFAULT_MEMORY_MB, localContext } from '../lambda-context.js';
import { functionError, timedOut, withinTimeout, type FunctionTarget, type InvokeOutcome } from './target.js';

/** A Lambda handler as ALB calls it. */
export type LocalHandler = (event: ALBEvent, context: Context) => Promise<ALBResult>;

export class InProcessTarget implements FunctionTarget {
  private invocations = 0;

  constructor(
    private readonly handler: LocalHandler,
    private readonly memoryMb: number = DEFAULT_MEMORY_MB,
  ) {}

  async invoke(event: ALBEvent, timeoutMs: number): Promise<InvokeOutcome> {
    const context = localContext(Date.now() + timeoutMs, `local-${++this.invocations}`, this.memoryMb);
    const reply = await withinTimeout(
      // Through a then: a handler that throws before its first await is a function error too.
      Promise.resolve().then(() => this.handler(event, context)).then(
        (result) => ({ result }),
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      ),
      timeoutMs,
    );
    if (reply === 'timeout') return timedOut(timeoutMs);
    return 'error' in reply ? functionError(reply.error) : reply;
  }

  async close(): Promise<void> {
    // Nothing to release: the handler lives as long as the process.
  }
}
