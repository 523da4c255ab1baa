import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaBundleMissingError } from './errors.js';

/** The file inside the bundle directory that the Lambda handler `index.handler` loads. */
export const LAMBDA_BUNDLE_ENTRY = 'index.mjs';

/**
 * The directory of apps/lambda's bundle (`apps/lambda/dist`), found through the `@ctr-stream/lambda` workspace
 * package, so it works from any current directory.
 *
 * @example
 * ```ts
 * const directory = resolveLambdaBundleDirectory(); // '/repo/apps/lambda/dist'
 * ```
 */
export function resolveLambdaBundleDirectory(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('@ctr-stream/lambda/package.json')), 'dist');
  } catch {
    // Not linked as a workspace package (e.g. a partial checkout): fall back to the repository layout.
    return fileURLToPath(new URL('../../lambda/dist', import.meta.url));
  }
}

/**
 * Throws {@link LambdaBundleMissingError} unless `directory/index.mjs` exists and is a non-empty file.
 *
 * @example
 * ```ts
 * assertLambdaBundle(resolveLambdaBundleDirectory());
 * ```
 */
export function assertLambdaBundle(directory: string): void {
  const entry = join(directory, LAMBDA_BUNDLE_ENTRY);
  if (!existsSync(entry) || !statSync(entry).isFile() || statSync(entry).size === 0) {
    throw new LambdaBundleMissingError(directory);
  }
}
