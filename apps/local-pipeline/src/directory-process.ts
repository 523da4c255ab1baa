import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Faults the directory injects (the `ctr-caller-directory` flags of the same names). */
export interface DirectoryFaults {
  /** Share of requests answered 500. */
  errorRate?: number;
  /** Share of requests never answered. */
  hangRate?: number;
  /** Share of answers replaced by an HTML error page with status 200. */
  garbageRate?: number;
  /** Share of connections reset without an answer. */
  resetRate?: number;
}

export interface DirectoryProcess {
  /** `GET <baseUrl><phone>` answers the name: the Lambda's CALLER_LOOKUP_URL. */
  baseUrl: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * Starts the caller directory as its own process (the `ctr-caller-directory` bin), as it is on AWS: a remote
 * service, not a guest in the Lambda's event loop. Resolves once it listens.
 *
 * @example
 * ```ts
 * const directory = await startDirectoryProcess({ file: 'callers.csv', latencyMs: 20 });
 * await directory.close();
 * ```
 */
export async function startDirectoryProcess(options: {
  file: string;
  latencyMs: number;
  faults?: DirectoryFaults;
  /**
   * Run it in a process group of its own, so the Ctrl-C a terminal sends to this process's group does not end it
   * (npm start --live, which ends gently on the first Ctrl-C). It is then ended by `close()` or by this process's
   * exit, not by a signal that kills this process outright. Default false: it ends with the group.
   */
  ownProcessGroup?: boolean;
}): Promise<DirectoryProcess> {
  const cli = join(
    dirname(require.resolve('@ctr-stream/caller-lookup/package.json')),
    'dist',
    'directory-server',
    'cli.js',
  );
  const faults = options.faults ?? {};
  const flags = [
    ['--error-rate', faults.errorRate],
    ['--hang-rate', faults.hangRate],
    ['--garbage-rate', faults.garbageRate],
    ['--reset-rate', faults.resetRate],
  ].flatMap(([flag, value]) => (value === undefined ? [] : [String(flag), String(value)]));
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, '--file', options.file, '--port', '0', '--latency-ms', String(options.latencyMs), ...flags],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownProcessGroup === true },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ctr-caller-directory did not start within 30 s: ${output.trim()}`));
    }, 30_000);
    child.once('exit', () => clearTimeout(timer));
    child.stdout?.once('data', () => clearTimeout(timer));
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (\S+?\/)(?:,|\s|$)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      reject(new Error(`ctr-caller-directory exited with code ${code}: ${output.trim()}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    baseUrl,
    close: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
