import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { ProcessorLoadError } from './errors.js';
import {
  type EnvironmentInvocationOutcome,
  ExecutionEnvironment,
  type InitOutcome,
} from './execution-environment.js';
import { type FirehoseLocalLogger, withoutRecordData } from './logger.js';
import {
  checkProcessorResponseJson,
  type ProcessorResponseCheck,
  responseNotSerializable,
  responseTooLarge,
} from './processor-response.js';
import {
  buildTransformationEventJson,
  type ProcessorEnvironmentCounts,
  type ProcessorFunction,
  type ProcessorInvocation,
  type ProcessorRuntime,
} from './processor-runtime.js';
import {
  executionEnvironmentVariables,
  lambdaLogGroupName,
  lambdaReservedVariables,
  newLogStreamName,
} from './reserved-environment-variables.js';

const RETURNED_AN_ERROR = 'The Lambda function was successfully invoked but it returned an error result';

const functionError = (errorMessage: string): ProcessorResponseCheck => ({
  valid: false,
  errorCode: 'Lambda.FunctionError',
  errorMessage,
});

/** Lambda's runtime error types for an environment whose init failed. */
const INIT_ERROR_TYPES: Record<Exclude<InitOutcome, { ready: true }>['kind'], string> = {
  import: 'Runtime.ImportModuleError',
  export: 'Runtime.HandlerNotFound',
  timeout: 'Runtime.InitTimeout',
  exit: 'Runtime.ExitError',
};

/**
 * Runs a handler module in worker-thread execution environments, as Lambda runs a function in sandboxes: one
 * environment per concurrent invocation, created on demand (a cold start imports the module), reused warm,
 * with the function's environment variables, and discarded when an invocation times out or the environment
 * crashes. The event goes in and the response comes back as JSON text. A handler that blocks its thread blocks
 * only its environment: the producer API keeps answering.
 */
export class WorkerProcessorRuntime implements ProcessorRuntime {
  readonly #modulePath: string;
  readonly #moduleUrl: string;
  readonly #exportName: string;
  readonly #function: ProcessorFunction;
  readonly #environment: Record<string, string>;
  readonly #logger: FirehoseLocalLogger;
  #firehoseEndpointUrl: string | undefined;
  /** Warm environments waiting for an invocation; the most recently used is reused first. */
  readonly #idle: ExecutionEnvironment[] = [];
  readonly #all = new Set<ExecutionEnvironment>();
  #coldStarts = 0;
  #closed = false;

  constructor(options: {
    /** Absolute path of the handler module. */
    modulePath: string;
    exportName: string;
    processorFunction: ProcessorFunction;
    /**
     * The function's environment variables: over `process.env` and Lambda's reserved variables when an
     * environment is created.
     */
    environment: Record<string, string> | undefined;
    logger: FirehoseLocalLogger;
  }) {
    this.#modulePath = options.modulePath;
    this.#moduleUrl = pathToFileURL(options.modulePath).href;
    this.#exportName = options.exportName;
    this.#function = options.processorFunction;
    this.#environment = options.environment ?? {};
    this.#logger = options.logger;
  }

  /**
   * firehose-local's own URL, known once it listens: environments created from then on get it as
   * `AWS_ENDPOINT_URL_FIREHOSE` (unless the function's configuration sets that variable), so a handler that puts
   * records with the AWS SDK reaches this Firehose, as on AWS, whatever firehose-local's own shell says.
   */
  setFirehoseEndpointUrl(url: string): void {
    this.#firehoseEndpointUrl = url;
  }

  /**
   * Imports the module once in a throwaway environment, so a module that does not load or does not export a
   * function fails `startFirehoseLocal` with `ProcessorLoadError`, as before any record arrives. It runs once the
   * server listens (answering puts with ServiceUnavailableException until it is done), so a module that calls
   * Firehose while it loads reaches this endpoint too. The environments that serve invocations are created
   * later, each with `process.env` as it is then.
   */
  async verifyLoads(): Promise<void> {
    const probe = this.#createEnvironment();
    const init = await probe.ready;
    await probe.terminate();
    if (!init.ready) {
      throw new ProcessorLoadError(
        this.#modulePath,
        this.#exportName,
        init.problem,
        init.cause === undefined ? undefined : { cause: init.cause },
      );
    }
  }

  async invoke(invocation: ProcessorInvocation): Promise<ProcessorResponseCheck> {
    if (this.#closed) return functionError(`${RETURNED_AN_ERROR}: the local Firehose endpoint is closed`);
    const awsRequestId = randomUUID();
    const environment = this.#warmEnvironment() ?? this.#coldStart();
    const init = await environment.ready;
    if (!init.ready) {
      this.#discard(environment);
      return functionError(`${RETURNED_AN_ERROR}: ${INIT_ERROR_TYPES[init.kind]}: ${init.problem}`);
    }
    const outcome = await environment.invoke(
      buildTransformationEventJson(invocation),
      this.#function.timeoutMs,
      awsRequestId,
    );
    if (environment.alive && !this.#closed) this.#idle.push(environment);
    else this.#discard(environment);
    return this.#check(
      outcome,
      invocation.records.map((record) => record.recordId),
      awsRequestId,
    );
  }

  environmentCounts(): ProcessorEnvironmentCounts {
    let active = 0;
    for (const environment of this.#all) if (environment.alive) active += 1;
    return { coldStarts: this.#coldStarts, active };
  }

  /** Terminates every environment, idle or running. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const environments = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.all(environments.map((environment) => environment.terminate()));
  }

  #check(
    outcome: EnvironmentInvocationOutcome,
    recordIds: readonly string[],
    awsRequestId: string,
  ): ProcessorResponseCheck {
    switch (outcome.kind) {
      case 'response':
        return checkProcessorResponseJson(outcome.json, recordIds);
      case 'too-large':
        return responseTooLarge(outcome.bytes);
      case 'not-serializable':
        return responseNotSerializable(outcome.reason);
      case 'error':
        return functionError(`${RETURNED_AN_ERROR}: ${outcome.description}`);
      case 'timeout':
        this.#logger.warn('processor invocation timed out: its execution environment was discarded', {
          functionName: this.#function.functionName,
          timeoutMs: this.#function.timeoutMs,
        });
        return functionError(
          `${awsRequestId} Task timed out after ${(this.#function.timeoutMs / 1000).toFixed(2)} seconds`,
        );
      case 'exit':
        this.#logger.warn('processor execution environment exited during an invocation', {
          functionName: this.#function.functionName,
          reason: withoutRecordData(outcome.description),
        });
        return functionError(`${RETURNED_AN_ERROR}: Runtime.ExitError: ${outcome.description}`);
    }
  }

  #warmEnvironment(): ExecutionEnvironment | undefined {
    for (;;) {
      const environment = this.#idle.pop();
      if (environment === undefined || environment.alive) return environment;
      // It crashed while idle (e.g. a timer the handler left behind threw): never reuse it.
      this.#discard(environment);
    }
  }

  #coldStart(): ExecutionEnvironment {
    this.#coldStarts += 1;
    const environment = this.#createEnvironment();
    this.#all.add(environment);
    this.#logger.debug('processor cold start: new execution environment', {
      functionName: this.#function.functionName,
      environments: this.#all.size,
    });
    return environment;
  }

  #createEnvironment(): ExecutionEnvironment {
    const { functionName, functionArn, region, memorySizeInMB } = this.#function;
    const logGroupName = lambdaLogGroupName(functionName);
    const logStreamName = newLogStreamName();
    return new ExecutionEnvironment({
      moduleUrl: this.#moduleUrl,
      exportName: this.#exportName,
      functionName,
      functionArn,
      memorySizeInMB,
      logGroupName,
      logStreamName,
      environment: executionEnvironmentVariables({
        parent: process.env,
        reserved: lambdaReservedVariables({
          functionName,
          region,
          memorySizeInMB,
          modulePath: this.#modulePath,
          exportName: this.#exportName,
          logStreamName,
        }),
        configured: this.#environment,
        firehoseEndpointUrl: this.#firehoseEndpointUrl,
      }),
    });
  }

  #discard(environment: ExecutionEnvironment): void {
    this.#all.delete(environment);
    void environment.terminate();
  }
}
