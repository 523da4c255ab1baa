import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CtrStreamStack } from './ctr-stream-stack.js';
import { parseStackOptions } from './stack-options.js';

/** Options of {@link createCtrStreamApp}. */
export interface CreateCtrStreamAppOptions {
  /** Context values; by default the CDK CLI's (`-c key=value`, cdk.json, cdk.context.json). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Where to write the cloud assembly; by default the CLI's choice (cdk.out). */
  readonly outdir?: string;
  /** The Lambda bundle directory; defaults to apps/lambda/dist. */
  readonly lambdaBundleDirectory?: string;
}

/**
 * Builds the CDK app with one {@link CtrStreamStack} from context values. Throws `InvalidStackOptionsError` listing
 * every invalid option, or `LambdaBundleMissingError` when apps/lambda has not been built.
 *
 * @example
 * ```ts
 * const { app, stack } = createCtrStreamApp({
 *   context: { example: 'true' },
 * });
 * app.synth();
 * stack.stackName; // 'CtrStream'
 * ```
 */
export function createCtrStreamApp(settings: CreateCtrStreamAppOptions = {}): {
  app: App;
  stack: CtrStreamStack;
} {
  const app = new App({
    ...(settings.context === undefined ? {} : { context: { ...settings.context } }),
    ...(settings.outdir === undefined ? {} : { outdir: settings.outdir }),
  });
  const { options, placement } = parseStackOptions(app.node.getAllContext());
  const bundleDirectory = settings.lambdaBundleDirectory ?? placement.lambdaBundleDirectory;
  const env =
    placement.account !== undefined || placement.region !== undefined
      ? {
          env: {
            ...(placement.account === undefined ? {} : { account: placement.account }),
            ...(placement.region === undefined ? {} : { region: placement.region }),
          },
        }
      : {};
  const stack = new CtrStreamStack(app, placement.stackName, {
    options,
    ...env,
    ...(placement.example
      ? { description: 'ctr-stream EXAMPLE synthesis (example=true): placeholder ARNs, do not deploy' }
      : {}),
    ...(bundleDirectory === undefined ? {} : { lambdaBundleDirectory: resolve(bundleDirectory) }),
  });
  return { app, stack };
}
