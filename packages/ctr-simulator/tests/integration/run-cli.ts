import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The bins are tested as shipped: builds dist when it is missing or older than a source file. */
export function ensureBuilt(script: string): void {
  const sourceDirectory = join(packageRoot, 'src');
  const newestSource = Math.max(
    ...readdirSync(sourceDirectory).map((file) => statSync(join(sourceDirectory, file)).mtimeMs),
  );
  if (!existsSync(script) || statSync(script).mtimeMs < newestSource)
    execFileSync('npx', ['tsup'], { cwd: packageRoot, stdio: 'ignore' });
}

/** Runs a built bin with a minimal environment (no AWS settings of the shell leak in). */
export function runCli(
  script: string,
  args: string[],
  environment: Record<string, string | undefined> = {},
  onStart?: (child: ChildProcess) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: packageRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...environment,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    onStart?.(child);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
