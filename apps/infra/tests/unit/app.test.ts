import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCtrStreamApp } from '../../src/app.js';
import { InvalidStackOptionsError, LambdaBundleMissingError } from '../../src/errors.js';
import { assertLambdaBundle, resolveLambdaBundleDirectory } from '../../src/lambda-bundle.js';

const run = promisify(execFile);
const infraDirectory = fileURLToPath(new URL('../../', import.meta.url));
const VALID = {
  callerLookupUrl: 'https://directory.example.com/api/user/',
  domainArn: 'arn:aws:es:ap-southeast-2:111122223333:domain/ctr-analytics',
};

/** Runs bin/ctr-stream.ts the way `cdk synth` does (context in CDK_CONTEXT_JSON), returning exit code and output. */
async function runBin(context: Record<string, unknown>): Promise<{ code: number; stderr: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'ctr-infra-out-'));
  try {
    await run(join(infraDirectory, '../../node_modules/.bin/tsx'), ['bin/ctr-stream.ts'], {
      cwd: infraDirectory,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

describe('the Lambda bundle', () => {
  it('defaults to apps/lambda/dist', () => {
    expect(resolveLambdaBundleDirectory()).toBe(join(infraDirectory, '..', 'lambda', 'dist'));
  });

  it('is the default asset of the stack, or its absence is a clear error', () => {
    const real = resolveLambdaBundleDirectory();
    if (existsSync(join(real, 'index.mjs'))) {
      const { stack } = createCtrStreamApp({ context: VALID });
      expect(stack.transform.function.functionArn).toBeDefined();
    } else {
      expect(() => createCtrStreamApp({ context: VALID })).toThrow(LambdaBundleMissingError);
    }
  });

  it('tells to build apps/lambda first when index.mjs is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'ctr-infra-empty-'));
    expect(() => assertLambdaBundle(empty)).toThrow(
      expect.objectContaining({
        name: 'LambdaBundleMissingError',
        bundleDirectory: empty,
        message: expect.stringMatching(
          /index\.mjs does not exist\. Build apps\/lambda first: `npx nx run @ctr-stream\/lambda:build`/,
        ),
      }),
    );
    expect(() => createCtrStreamApp({ context: VALID, lambdaBundleDirectory: empty })).toThrow(
      LambdaBundleMissingError,
    );
  });

  it('validates options before looking for the bundle', () => {
    const empty = mkdtempSync(join(tmpdir(), 'ctr-infra-empty-'));
    expect(() => createCtrStreamApp({ context: {}, lambdaBundleDirectory: empty })).toThrow(
      InvalidStackOptionsError,
    );
  });
});

describe('bin/ctr-stream.ts', () => {
  it('prints every invalid option and exits 1, without a stack trace', async () => {
    const { code, stderr } = await runBin({ domainArn: 'not-an-arn', lambdaMemoryMb: 'lots' });
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid ctr-stream stack options (3 problems)');
    expect(stderr).toContain('- callerLookupUrl: is required');
    expect(stderr).toContain('- lambdaMemoryMb: must be a whole number from 128 to 10240, got "lots".');
    expect(stderr).toContain(
      '- domainArn: must be an ARN of the form arn:aws:es:<region>:<account>:domain/<domain-name>',
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the build instruction and exits 1 when the bundle is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ctr-infra-empty-'));
    const { code, stderr } = await runBin({ ...VALID, lambdaBundleDirectory: empty });
    expect(code).toBe(1);
    expect(stderr).toContain('Build apps/lambda first');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
