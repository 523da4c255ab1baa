import { type ResourceLimits, Worker } from 'node:worker_threads';
import { EXECUTION_ENVIRONMENT_RUNTIME } from './execution-environment-runtime.js';
import { LAMBDA_RESPONSE_LIMIT_BYTES } from './processor-response.js';

/** Lambda's limit on the init phase (importing the module) of an on-demand execution environment. */
export const INIT_TIMEOUT_MS = 10_000;

/**
 * The V8 heap limits Lambda's Node.js runtime starts a function with, from its `MemorySize`. The runtime's bootstrap
 * (`/var/runtime/bootstrap` in AWS's Lambda base images) gives the young generation a tenth of the memory, as
 * `--max-semi-space-size` of half that, and the old generation the rest (`--max-old-space-size`). A worker's young
 * generation is three semi-spaces in V8 (two, plus the space for large new objects).
 */
export function lambdaHeapLimits(
  memorySizeInMB: number,
): Required<Pick<ResourceLimits, 'maxYoungGenerationSizeMb' | 'maxOldGenerationSizeMb'>> {
  const newSpace = Math.floor(memorySizeInMB / 10);
  const semiSpace = Math.floor(newSpace / 2);
  return { maxYoungGenerationSizeMb: semiSpace * 3, maxOldGenerationSizeMb: memorySizeInMB - newSpace };
}

/** How the init phase (cold start) of an environment ended. */
export type InitOutcome =
  | { ready: true }
  | { ready: false; kind: 'import' | 'export' | 'timeout' | 'exit'; problem: string; cause?: Error };

/** How one invocation in an environment ended. `reusable` is false once the environment is gone. */
export type EnvironmentInvocationOutcome =
  | { kind: 'response'; json: string | undefined }
  | { kind: 'too-large'; bytes: number }
  | { kind: 'not-serializable'; reason: string }
  | { kind: 'error'; description: string }
  | { kind: 'timeout' }
  | { kind: 'exit'; description: string };

type RuntimeMessage =
  | { type: 'ready' }
  | {
      type: 'init-failed';
      kind: 'import' | 'export';
      problem: string;
      errorName?: string;
      errorStack?: string;
    }
  | { type: 'response'; invocation: number; json: string | undefined }
  | { type: 'too-large'; invocation: number; bytes: number }
  | { type: 'not-serializable'; invocation: number; reason: string }
  | { type: 'error'; invocation: number; description: string };

/** What an environment is created with: the handler module, and the Lambda configuration it sees. */
export interface ExecutionEnvironmentOptions {
  moduleUrl: string;
  exportName: string;
  functionName: string;
  functionArn: string;
  /** The context's `memoryLimitInMB`. */
  memorySizeInMB: number;
  /** The context's `logGroupName` (also `AWS_LAMBDA_LOG_GROUP_NAME`). */
  logGroupName: string;
  /** This environment's log stream: the context's `logStreamName` (also `AWS_LAMBDA_LOG_STREAM_NAME`). */
  logStreamName: string;
  /** The variables the handler sees as `process.env` (already merged over firehose-local's). */
  environment: Record<string, string | undefined>;
}

/**
 * One Lambda execution environment: a worker thread that imported the handler module once (cold start) and
 * runs one invocation at a time, warm, until it is terminated (timeout, crash, close). Its `process.env` is its
 * own copy, so the function's environment variables never touch firehose-local's.
 */
export class ExecutionEnvironment {
  /** Resolves when the module is imported and the handler found, or with why not. Never rejects. */
  readonly ready: Promise<InitOutcome>;
  readonly #worker: Worker;
  #alive = true;
  #invocation = 0;
  #pending: { invocation: number; settle: (outcome: EnvironmentInvocationOutcome) => void } | undefined;
  #settleInit: ((outcome: InitOutcome) => void) | undefined;

  constructor(options: ExecutionEnvironmentOptions) {
    const heapLimits = lambdaHeapLimits(options.memorySizeInMB);
    this.#worker = new Worker(EXECUTION_ENVIRONMENT_RUNTIME, {
      eval: true,
      env: options.environment,
      // The handler's heap is as large as on Lambda: a function that runs out of memory there does here too.
      resourceLimits: heapLimits,
      workerData: {
        moduleUrl: options.moduleUrl,
        exportName: options.exportName,
        functionName: options.functionName,
        functionArn: options.functionArn,
        memoryLimitInMB: String(options.memorySizeInMB),
        logGroupName: options.logGroupName,
        logStreamName: options.logStreamName,
        responseLimitBytes: LAMBDA_RESPONSE_LIMIT_BYTES,
      },
    });
    // An idle environment does not keep the process alive; a running invocation holds its timeout timer.
    this.#worker.unref();
    this.ready = new Promise<InitOutcome>((settle) => {
      const timer = setTimeout(() => {
        settle({
          ready: false,
          kind: 'timeout',
          problem: `the module did not finish loading within ${INIT_TIMEOUT_MS / 1000} seconds (Lambda's init limit)`,
        });
        void this.terminate();
      }, INIT_TIMEOUT_MS);
      timer.unref();
      this.#settleInit = (outcome) => {
        clearTimeout(timer);
        this.#settleInit = undefined;
        settle(outcome);
      };
    });
    this.#worker.on('message', (message: RuntimeMessage) => this.#onMessage(message));
    this.#worker.on('error', (error: Error & { code?: string }) =>
      this.#onGone(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the function ran out of memory: its JavaScript heap reached the ${heapLimits.maxOldGenerationSizeMb} MB that Lambda's Node.js runtime gives a ${options.memorySizeInMB} MB function (raise processor.memorySizeInMB, or hold less of the batch at once)`
          : `${error.name}: ${error.message}`,
        error,
      ),
    );
    this.#worker.on('exit', (code: number) =>
      this.#onGone(`the execution environment exited with code ${code}`),
    );
  }

  /** False once the environment crashed, exited or was terminated: it must not be reused. */
  get alive(): boolean {
    return this.#alive;
  }

  /**
   * Runs one invocation. `event` is the event's JSON text as bytes owning their whole ArrayBuffer, which is
   * transferred to the environment (no copy; the caller must not use it afterwards). After `timeoutMs` the environment is terminated
   * (like Lambda discarding a sandbox whose invocation timed out) and the outcome is `timeout`.
   */
  invoke(event: Buffer, timeoutMs: number, awsRequestId: string): Promise<EnvironmentInvocationOutcome> {
    if (!this.#alive) {
      return Promise.resolve({ kind: 'exit', description: 'the execution environment is gone' });
    }
    if (this.#pending !== undefined)
      throw new Error('an execution environment runs one invocation at a time');
    this.#invocation += 1;
    const invocation = this.#invocation;
    return new Promise<EnvironmentInvocationOutcome>((settle) => {
      const timer = setTimeout(() => {
        this.#pending = undefined;
        settle({ kind: 'timeout' });
        void this.terminate();
      }, timeoutMs);
      this.#pending = {
        invocation,
        settle: (outcome) => {
          clearTimeout(timer);
          this.#pending = undefined;
          settle(outcome);
        },
      };
      this.#worker.postMessage({ invocation, event, deadline: Date.now() + timeoutMs, awsRequestId }, [
        event.buffer as ArrayBuffer,
      ]);
    });
  }

  /** Stops the thread, whatever it is doing (a blocking handler included). Idempotent. */
  async terminate(): Promise<void> {
    this.#alive = false;
    await this.#worker.terminate();
  }

  #onMessage(message: RuntimeMessage): void {
    if (message.type === 'ready') {
      this.#settleInit?.({ ready: true });
      return;
    }
    if (message.type === 'init-failed') {
      let cause: Error | undefined;
      if (message.errorName !== undefined) {
        cause = new Error(message.problem);
        cause.name = message.errorName;
        if (message.errorStack !== undefined) cause.stack = message.errorStack;
      }
      this.#settleInit?.({
        ready: false,
        kind: message.kind,
        problem: message.problem,
        ...(cause ? { cause } : {}),
      });
      void this.terminate();
      return;
    }
    const pending = this.#pending;
    if (pending === undefined || pending.invocation !== message.invocation) return;
    switch (message.type) {
      case 'response':
        pending.settle({ kind: 'response', json: message.json });
        break;
      case 'too-large':
        pending.settle({ kind: 'too-large', bytes: message.bytes });
        break;
      case 'not-serializable':
        pending.settle({ kind: 'not-serializable', reason: message.reason });
        break;
      case 'error':
        pending.settle({ kind: 'error', description: message.description });
        break;
    }
  }

  #onGone(description: string, cause?: Error): void {
    this.#alive = false;
    this.#settleInit?.({ ready: false, kind: 'exit', problem: description, ...(cause ? { cause } : {}) });
    this.#pending?.settle({ kind: 'exit', description });
  }
}
