/**
 * One execution environment: the body of a worker thread that imports the built bundle (its own
 * module instances, its own config load, pool, cache and guards), then serves one invocation at a
 * time, like Lambda's runtime loop.
 *
 * Plain JavaScript on purpose: it runs on bare Node with no loader, as the Lambda runtime loads
 * index.mjs.
 *
 * Freezing: between invocations the thread blocks in Atomics.wait, so nothing in it runs - no
 * timers, no socket callbacks, no microtasks - just as Lambda freezes an environment once the
 * handler's promise settles. The next invocation is read with receiveMessageOnPort after the wake
 * (a 'message' listener would need the event loop, which a frozen thread does not turn). Timers due
 * while frozen fire right after the thaw, late, as they do on Lambda.
 *
 * Protocol (see environment.ts): workerData { bundleUrl, port, signal }; the parent posts
 * { type: 'invoke', event, deadline, context } (context: the data of ../lambda-context.ts) or
 * { type: 'stop' } on `port`, then sets signal[0] = 1 and notifies. The worker answers
 * { type: 'ready', initMs, error? } once, then { type: 'result', result, durationMs } or
 * { type: 'error', message, durationMs } per invocation.
 */
import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';

const { bundleUrl, port, signal } = workerData;
const wake = new Int32Array(signal);

/** Blocks the thread until the parent signals, then takes the message it posted before signalling. */
function freezeUntilInvoked() {
  Atomics.wait(wake, 0, 0);
  Atomics.store(wake, 0, 0);
  return receiveMessageOnPort(port)?.message;
}

/** The parent's context data, plus what a message cannot carry: the countdown and the callbacks. */
function context(message) {
  const noop = () => undefined;
  return { ...message.context, getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()), done: noop, fail: noop, succeed: noop };
}

const initStarted = performance.now();
let handler;
try {
  ({ handler } = await import(bundleUrl));
  if (typeof handler !== 'function') throw new Error(`${bundleUrl} exports no handler function`);
  port.postMessage({ type: 'ready', initMs: performance.now() - initStarted });
} catch (error) {
  port.postMessage({ type: 'ready', initMs: performance.now() - initStarted, error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

for (;;) {
  const message = freezeUntilInvoked();
  if (!message || message.type !== 'invoke') break;
  const started = performance.now();
  // Lambda's runtime keeps the process up while an invocation is pending; without a handle, a
  // handler awaiting nothing that can settle would end this thread (exit code 13, unsettled await).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const result = await handler(message.event, context(message));
    port.postMessage({ type: 'result', result, durationMs: performance.now() - started });
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error), durationMs: performance.now() - started });
  } finally {
    clearInterval(keepAlive);
  }
}
process.exit(0);
