import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliUsageError, CtrSimulatorError } from './errors.js';

/** `parseArgs` in strict mode with positionals; an unknown or malformed option is a `CliUsageError`. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
  command: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError(
      `${error instanceof Error ? error.message : String(error)}. Run ${command} --help.`,
    );
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
  if (settings.version) {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`${manifest.version}\n`);
    return 0;
  }
  return settings;
}

/** Runs a bin's main: its result is the exit code; an unexpected error is printed (message only) and exits 1. */
export function runCommand(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message =
        error instanceof CtrSimulatorError || error instanceof Error ? error.message : String(error);
      process.stderr.write(`${command}: ${message}\n`);
      process.exitCode = 1;
    },
  );
}
