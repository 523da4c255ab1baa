import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliUsageError, CtrSimulatorError, reasonOf, withoutFinalPeriod } from './errors.js';

/**
 * `--name -300` as `--name=-300` for the options that take a value: parseArgs alone calls a value that starts with a
 * dash ambiguous, but a negative number cannot be an option. Nothing after `--` is touched. Exported for other
 * command lines of the toolkit (npm start's `--utc-offset-minutes -300`).
 *
 * @example
 * ```ts
 * import { joinNegativeNumbers } from '@ctr-stream/ctr-simulator';
 * joinNegativeNumbers(['--utc-offset-minutes', '-300'], { 'utc-offset-minutes': { type: 'string' } });
 * // ['--utc-offset-minutes=-300']
 * ```
 */
export function joinNegativeNumbers(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): string[] {
  const joined: string[] = [];
  for (let position = 0; position < argv.length; position++) {
    const argument = argv[position]!;
    if (argument === '--') {
      joined.push(...argv.slice(position));
      break;
    }
    const next = argv[position + 1];
    const option = argument.startsWith('--') ? options[argument.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && /^-\d+(\.\d+)?$/.test(next)) {
      joined.push(`${argument}=${next}`);
      position++;
    } else {
      joined.push(argument);
    }
  }
  return joined;
}

/**
 * `parseArgs` in strict mode with positionals; an unknown or malformed option is a `CliUsageError` on one line. A
 * negative number may follow an option that takes a value (`--utc-offset-minutes -300`).
 */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
  command: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({
      args: joinNegativeNumbers(argv, options),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    let reason = reasonOf(error).replace(/\s*\n\s*/g, ' ');
    // Node adds advice on positionals that start with '-' (with a quote it never closes): the first sentence says it.
    if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      reason = reason.split(/(?<=\.) /)[0] ?? reason;
    throw new CliUsageError(`${withoutFinalPeriod(reason)}. Run ${command} --help.`);
  }
}

/**
 * The start every bin shares: parses the command line, then answers `--help` and `--version`. Returns the
 * settings to go on with, or the exit code to stop with (0 after help or version, 2 on bad usage).
 */
export function startCommand<T extends { help: boolean; version: boolean }>(
  command: string,
  usage: string,
  parse: () => T,
): T | number {
  let settings: T;
  try {
    settings = parse();
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`${command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (settings.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  // The AWS SDK warns on Node 20, in 7 lines in the middle of the output, that its 2027 releases need Node 22: these
  // bins run on Node 20.19+ (engines), as npm start does, which silences it the same way. Setting it to false shows it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (settings.version) {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`${manifest.version}\n`);
    return 0;
  }
  return settings;
}

/**
 * Output nobody reads any more (`ctr-simulate | head -5`: the reader has gone) is dropped quietly: EPIPE stops the
 * writes, not the run, and the exit code stays the run's. Another stdout error (a full disk) is reported once on
 * stderr and turns a success into exit code 1. Returns whether output was lost that way.
 */
function guardOutput(command: string): () => boolean {
  let lost = false;
  const gone = (error: NodeJS.ErrnoException) =>
    error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (gone(error) || lost) return;
    lost = true;
    process.stderr.write(`${command}: cannot write to stdout: ${reasonOf(error)}\n`);
  });
  // Nowhere left to report a stderr error: drop it rather than crash.
  process.stderr.on('error', () => undefined);
  return () => lost;
}

/** Runs a bin's main: its result is the exit code; an unexpected error is printed (message only) and exits 1. */
export function runCommand(command: string, main: () => Promise<number>): void {
  const outputLost = guardOutput(command);
  main().then(
    (code) => {
      process.exitCode = code === 0 && outputLost() ? 1 : code;
    },
    (error: unknown) => {
      const message =
        error instanceof CtrSimulatorError || error instanceof Error ? error.message : String(error);
      process.stderr.write(`${command}: ${message}\n`);
      process.exitCode = 1;
    },
  );
}
