/** One problem with one stack option, named by its CDK context key. */
export interface StackOptionIssue {
  /** The context key, e.g. `domainArn` (pass it with `-c domainArn=...`). */
  readonly option: string;
  /** What is wrong and what to do. */
  readonly message: string;
}

/**
 * Base class of every error thrown by `@ctr-stream/infra`.
 *
 * @example
 * ```ts
 * try {
 *   createCtrStreamApp({ context: {} });
 * } catch (error) {
 *   if (error instanceof CtrStreamInfraError) console.error(error.message);
 * }
 * ```
 */
export class CtrStreamInfraError extends Error {
  /** False: every infra error is a configuration problem that retrying cannot fix. */
  readonly isRetryable: boolean = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CtrStreamInfraError';
  }
}

/**
 * The stack options (CDK context values) are invalid; `issues` lists every problem found, not only the first.
 *
 * @example
 * ```ts
 * try {
 *   parseStackOptions({ callerLookupUrl: 'https://directory.example.com/api/user/' });
 * } catch (error) {
 *   if (error instanceof InvalidStackOptionsError) {
 *     for (const issue of error.issues) console.error(`${issue.option}: ${issue.message}`);
 *   }
 * }
 * ```
 */
export class InvalidStackOptionsError extends CtrStreamInfraError {
  readonly issues: readonly StackOptionIssue[];

  constructor(issues: readonly StackOptionIssue[], options?: ErrorOptions) {
    const lines = issues.map((issue) => `  - ${issue.option}: ${issue.message}`);
    super(
      `Invalid ctr-stream stack options (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}\n` +
        'Pass options as CDK context, e.g. `npx cdk deploy -c callerLookupUrl=https://... -c domainArn=arn:aws:es:...`; ' +
        'see apps/infra/README.md for the table of options.',
      options,
    );
    this.name = 'InvalidStackOptionsError';
    this.issues = issues;
  }
}

/**
 * The transform Lambda's bundle (`apps/lambda/dist/index.mjs`) is missing: build apps/lambda first.
 *
 * @example
 * ```ts
 * try {
 *   assertLambdaBundle('/repo/apps/lambda/dist');
 * } catch (error) {
 *   if (error instanceof LambdaBundleMissingError) console.error(error.bundleDirectory);
 * }
 * ```
 */
export class LambdaBundleMissingError extends CtrStreamInfraError {
  /** The directory that should contain `index.mjs`. */
  readonly bundleDirectory: string;

  constructor(bundleDirectory: string, options?: ErrorOptions) {
    super(
      `The transform Lambda bundle is missing: ${bundleDirectory}/index.mjs does not exist. ` +
        'Build apps/lambda first: `npx nx run @ctr-stream/lambda:build` from the repository root ' +
        '(nx does this for you before `npx nx run @ctr-stream/infra:test`), then run synth or deploy again.',
      options,
    );
    this.name = 'LambdaBundleMissingError';
    this.bundleDirectory = bundleDirectory;
  }
}
