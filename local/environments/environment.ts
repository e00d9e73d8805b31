/**
 * The parent's side of one execution environment (worker.mjs in a worker thread): starts it and
 * waits for its init, hands it one invocation at a time, and stops it. Knows nothing of pools.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { ALBEvent, ALBResult } from 'aws-lambda';
import { contextFields } from '../lambda-context.js';

const WORKER_FILE = new URL('./worker.mjs', import.meta.url);

/** What one invocation gave back. */
export type InvocationReply =
  | { readonly result: ALBResult; readonly durationMs: number }
  | { readonly error: string; readonly durationMs: number };

type WorkerMessage =
  | { type: 'ready'; initMs: number; error?: string }
  | { type: 'result'; result: ALBResult; durationMs: number }
  | { type: 'error'; message: string; durationMs: number };

export interface EnvironmentOptions {
  /** The built bundle (`dist/retry-proxy/index.mjs` or any module exporting `handler`). */
  readonly bundleFile: string;
  /** The function's environment variables: the worker's own `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The function's memory size, reported in the context. */
  readonly memoryMb: number;
}

export class ExecutionEnvironment {
  /** Time the bundle's import (init) took inside the worker, ms; set once started. */
  initMs = 0;
  busy = false;
  /** When it last finished an invocation (the pool's clock). */
  lastUsed = 0;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly wake = new Int32Array(new SharedArrayBuffer(4));
  private pending: ((message: WorkerMessage) => void) | undefined;
  private exited = false;
  /** An uncaught error in the thread: its exit follows, but the reply to the invocation comes first. */
  private crashed = false;
  private readonly gone: Promise<void>;

  private constructor(readonly id: number, private readonly options: EnvironmentOptions) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_FILE, {
      workerData: { bundleUrl: pathToFileURL(options.bundleFile).href, port: port2, signal: this.wake.buffer },
      transferList: [port2],
      env: { ...options.env },
    });
    this.port.on('message', (message: WorkerMessage) => {
      const waiter = this.pending;
      this.pending = undefined;
      waiter?.(message);
    });
    this.gone = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.exited = true;
        this.port.close();
        this.pending?.({ type: 'error', message: `execution environment exited (code ${code})`, durationMs: 0 });
        resolve();
      });
    });
    this.worker.once('error', (error) => {
      this.crashed = true;
      this.pending?.({ type: 'error', message: `execution environment crashed: ${error.message}`, durationMs: 0 });
    });
  }

  /** Spawns the thread and resolves once the bundle is loaded; rejects with the init error. */
  static async start(id: number, options: EnvironmentOptions): Promise<ExecutionEnvironment> {
    const env = new ExecutionEnvironment(id, options);
    const ready = await env.next();
    if (ready.type !== 'ready' || ready.error) {
      await env.stop();
      throw new Error(`init failed: ${ready.type === 'ready' ? ready.error : ready.type === 'error' ? ready.message : 'unexpected reply'}`);
    }
    env.initMs = ready.initMs;
    return env;
  }

  get alive(): boolean {
    return !this.exited && !this.crashed;
  }

  /** Thaws the environment for one invocation; it freezes again as soon as the handler settles. */
  async invoke(event: ALBEvent, deadline: number, requestId: string): Promise<InvocationReply> {
    if (this.exited) return { error: 'execution environment is gone', durationMs: 0 };
    const reply = this.next();
    this.signal({ type: 'invoke', event, deadline, context: contextFields(requestId, this.options.memoryMb, 'local-environment') });
    const message = await reply;
    if (message.type === 'result') return { result: message.result, durationMs: message.durationMs };
    if (message.type === 'error') return { error: message.message, durationMs: message.durationMs };
    return { error: `unexpected ${message.type} message`, durationMs: 0 };
  }

  /** Ends the thread: asks a frozen worker to leave its loop, and terminates one that is running. */
  async stop(): Promise<void> {
    if (this.exited) return;
    if (!this.busy) this.signal({ type: 'stop' });
    const timer = setTimeout(() => void this.worker.terminate(), this.busy ? 0 : 1000);
    await this.gone;
    clearTimeout(timer);
  }

  private next(): Promise<WorkerMessage> {
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }

  /** Posts first, then wakes: the worker reads the message synchronously right after waking. */
  private signal(message: object): void {
    this.port.postMessage(message);
    Atomics.store(this.wake, 0, 1);
    Atomics.notify(this.wake, 0);
  }
}
