import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CallerLookupOptionsError } from '../errors.js';
import { MAX_TIMER_MS } from '../resolve-options.js';
import type { DirectoryFaultRule } from './faults.js';
import { type DirectoryServer, type DirectoryServerOptions, startDirectoryServer } from './server.js';

/**
 * The `ctr-caller-directory --help` text.
 *
 * @example
 * ```ts
 * import { DIRECTORY_CLI_USAGE } from '@ctr-stream/caller-lookup/directory-server';
 * console.log(DIRECTORY_CLI_USAGE);
 * ```
 */
export const DIRECTORY_CLI_USAGE = `Usage: ctr-caller-directory --file <callers.csv|callers.json> [options]

Serves caller names with the tutorial's contract: GET <baseUrl><phone> -> the name as text/plain, 404 if unknown.

Options:
  --file <path>           CSV with a "phone,name" header, or JSON { "<phone>": "<name>" } (required)
  --port <n>              port to listen on (default 8080; 0 picks a free port)
  --host <address>        interface to bind (default 127.0.0.1)
  --base-path <path>      path the number is appended to (default /api/user/)
  --latency-ms <n>        delay before every answer (default 0)
  --error-rate <0..1>     share of requests answered with --error-status (default 0)
  --error-status <n>      status of injected errors, an integer from 300 to 599 (default 500)
  --hang-rate <0..1>      share of requests never answered
  --reset-rate <0..1>     share of connections reset without an answer
  --slow-body-rate <0..1> share of answers sent one byte every 100 ms
  --garbage-rate <0..1>   share of answers replaced by an HTML error page with status 200
  --seed <n>              seed of the fault draws (default 1)
  --help                  show this help
  --version               show the version`;

/**
 * The version in this package's package.json (`--version`), the first package.json above this module: two levels
 * up from src/directory-server/, but one from dist/, where tsup puts this code in a chunk shared by
 * dist/directory-server/cli.js and dist/directory-server/index.js.
 */
function packageVersion(): string {
  for (let directory = new URL('./', import.meta.url); ; directory = new URL('../', directory)) {
    const manifest = new URL('package.json', directory);
    if (existsSync(manifest))
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    if (new URL('../', directory).href === directory.href)
      throw new Error(`No package.json above ${import.meta.url}`);
  }
}

function number(
  flag: string,
  value: string | undefined,
  fallback: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > max) {
    throw new CallerLookupOptionsError(flag, `expected a number between 0 and ${max}, got "${value}"`);
  }
  return parsed;
}

/** An integer flag from `min` to `max`: `--port`, `--error-status`. */
function integer(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max) {
    throw new CallerLookupOptionsError(flag, `expected an integer from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

/**
 * Runs the `ctr-caller-directory` command line with the given arguments and returns the started server, or
 * undefined after `--help` or `--version` (written with `write`), which start nothing.
 * Throws `CallerLookupOptionsError` for bad flags and `DirectoryFileError` for a bad file. `serverOptions`
 * holds what has no flag: the `ctr-caller-directory` bin passes `{ recordRequests: 0 }`, since nothing outside
 * its process can read `requests()`.
 *
 * @example
 * ```ts
 * import { runDirectoryCli } from '@ctr-stream/caller-lookup/directory-server';
 * const directory = await runDirectoryCli(['--file', 'callers.csv', '--port', '0', '--latency-ms', '20']);
 * await directory?.close();
 * ```
 */
export async function runDirectoryCli(
  argv: readonly string[],
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  serverOptions: Pick<DirectoryServerOptions, 'recordRequests'> = {},
): Promise<DirectoryServer | undefined> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        file: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'base-path': { type: 'string' },
        'latency-ms': { type: 'string' },
        'error-rate': { type: 'string' },
        'error-status': { type: 'string' },
        'hang-rate': { type: 'string' },
        'reset-rate': { type: 'string' },
        'slow-body-rate': { type: 'string' },
        'garbage-rate': { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new CallerLookupOptionsError('arguments', (error as Error).message, { cause: error });
  }
  if (values.help === true) {
    write(DIRECTORY_CLI_USAGE);
    return undefined;
  }
  if (values.version === true) {
    write(packageVersion());
    return undefined;
  }
  const text = (name: string) => values[name] as string | undefined;
  const file = text('file');
  if (file === undefined)
    throw new CallerLookupOptionsError('--file', 'is required (a CSV or JSON directory file)');
  const port = integer('--port', text('port'), 8080, 0, 65_535);
  // An error or a redirect: node:http throws on a status outside 100-999 in the middle of an answer, a 1xx
  // never ends the request, and a 2xx would serve "injected 200" as a name (--garbage-rate is that fault).
  const errorStatus = integer('--error-status', text('error-status'), 500, 300, 599);
  const faults: DirectoryFaultRule[] = [];
  const rate = (flag: string, rule: Omit<DirectoryFaultRule, 'probability'>) => {
    const probability = number(`--${flag}`, text(flag), 0, 1);
    if (probability > 0) faults.push({ ...rule, probability });
  };
  rate('error-rate', { fault: { type: 'status', status: errorStatus } });
  rate('hang-rate', { fault: { type: 'hang' } });
  rate('reset-rate', { fault: { type: 'reset' } });
  rate('slow-body-rate', { fault: { type: 'slow-body' } });
  rate('garbage-rate', {
    fault: {
      type: 'body',
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      contentType: 'text/html',
    },
  });
  const host = text('host') ?? '127.0.0.1';
  const server = await startDirectoryServer({
    file,
    port,
    host,
    latencyMs: number('--latency-ms', text('latency-ms'), 0, MAX_TIMER_MS),
    seed: number('--seed', text('seed'), 1),
    faults,
    ...(text('base-path') === undefined ? {} : { basePath: text('base-path')! }),
    ...serverOptions,
  }).catch((error: unknown) => {
    // An address it cannot listen on is the command line's to change, not a crash with a stack trace.
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === 'EADDRINUSE')
      throw new CallerLookupOptionsError(
        '--port',
        `${port} on ${host} is in use: pass another --port (0 picks a free one)`,
      );
    if (code === 'EACCES')
      throw new CallerLookupOptionsError(
        '--port',
        `${port} on ${host} needs privileges: pass a --port above 1023`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      throw new CallerLookupOptionsError(
        '--host',
        `cannot listen on ${host} (${code}): pass an address of this machine`,
      );
    throw error;
  });
  const faultNote =
    faults.length === 0
      ? ''
      : `, faults: ${faults.map((rule) => `${rule.fault.type}=${rule.probability}`).join(' ')}`;
  write(`ctr-caller-directory: ${server.size} entries, listening on ${server.baseUrl}${faultNote}`);
  return server;
}
