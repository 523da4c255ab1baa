import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFirehoseLocalConfig } from './config.js';
import { FirehoseLocalError, FirehoseLocalListenError, hostAndPort } from './errors.js';
import { startFirehoseLocal } from './firehose-local.js';
import type { FirehoseLocalLogger } from './logger.js';
import type { DeliveryStreamMetrics } from './metrics.js';

const USAGE = `Usage: ctr-firehose-local --config <file.json> [--port N] [--host H] [--verbose]
       ctr-firehose-local --help | --version

Serves the Firehose producer API (PutRecord, PutRecordBatch, DescribeDeliveryStream,
ListDeliveryStreams) for the delivery streams in the config file. Prints the endpoint URL,
serves GET /metrics, and on Ctrl-C flushes every buffer and prints the metrics.`;

/** The version in this package's package.json (`--version`): one level up from src/ and from dist/. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** Where the CLI writes. */
export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

function stderrLogger(stderr: CliStreams['stderr'], verbose: boolean): FirehoseLocalLogger {
  const write = (level: string) => (message: string, details?: Record<string, unknown>) => {
    stderr.write(
      `[firehose-local] ${level} ${message}${details === undefined ? '' : ` ${JSON.stringify(details)}`}\n`,
    );
  };
  return {
    debug: verbose ? write('debug') : () => {},
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

/** Formats the metrics as the bin prints them on exit: one aligned column of values for every stream. */
export function formatMetrics(all: readonly DeliveryStreamMetrics[]): string {
  const entriesOf = (metrics: DeliveryStreamMetrics) => [
    ...Object.entries(metrics.cloudWatch),
    ...Object.entries(metrics.local),
  ];
  const nameWidth = Math.max(0, ...all.flatMap((metrics) => entriesOf(metrics).map(([name]) => name.length)));
  const lines: string[] = [];
  for (const metrics of all) {
    lines.push(`Delivery stream ${metrics.streamName}`);
    for (const [name, value] of entriesOf(metrics)) {
      const shown =
        value === null
          ? '-'
          : typeof value === 'object'
            ? `p50 ${value.p50} ms, p95 ${value.p95} ms, max ${value.max} ms (${value.samples} records)`
            : Number.isInteger(value)
              ? String(value)
              : value.toFixed(3);
      lines.push(`  ${name.padEnd(nameWidth)} ${shown}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A listen failure in the bin's own terms: what to pass on the command line instead. */
export function listenFailureLine(error: FirehoseLocalListenError): string {
  switch (error.systemCode) {
    case 'EADDRINUSE':
      return `Port ${error.port} on ${error.host} is in use: pass --port N (0 picks a free port).`;
    case 'EACCES':
      return `Port ${error.port} on ${error.host} needs privileges (EACCES): pass --port N above 1023 (0 picks a free port).`;
    case 'EADDRNOTAVAIL':
      return `Host ${error.host} is not an address of this machine (EADDRNOTAVAIL): pass --host 127.0.0.1, 0.0.0.0 (every interface) or another local address.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Host ${error.host} does not resolve (${error.systemCode}): pass --host 127.0.0.1 or another local address.`;
    default:
      return `Cannot listen on ${hostAndPort(error.host, error.port)}: ${(error.cause as Error).message}. Check --host and --port.`;
  }
}

/**
 * Where `JSON.parse` found the config file's text invalid, never what it quotes of it: its messages quote the text
 * around the error (`Unexpected token 'C', ..."API_KEY": CANARY-KEY"... is not valid JSON`), and the file holds
 * secrets (`processor.environment`, a password in `elasticsearch.url`). Line and column (from 1) come from the
 * `at position N` some messages give; without one, only that the file is not valid JSON.
 */
export function jsonSyntaxErrorText(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const position = /\bat position (\d+)\b/.exec(message);
  if (position === null || Number(position[1]) > text.length) {
    return /^Unexpected end of JSON input\b/.test(message)
      ? 'it is not valid JSON: it ends before the JSON is complete.'
      : 'it is not valid JSON.';
  }
  const before = text.slice(0, Number(position[1]));
  const line = before.split(/\r\n|\r|\n/).length;
  const column = before.length - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  return `it is not valid JSON: syntax error at line ${line}, column ${column}.`;
}

/**
 * Runs the `ctr-firehose-local` bin until `shutdown` aborts; resolves with the exit code.
 * Exit code 0: stopped cleanly; 1: a record could not be settled; 2: bad usage, a bad config, a processor
 * that does not load, or a host and port it cannot listen on.
 */
export async function runCli(
  argv: readonly string[],
  io: CliStreams,
  shutdown: AbortSignal,
): Promise<number> {
  let values: {
    config?: string;
    port?: string;
    host?: string;
    verbose?: boolean;
    help?: boolean;
    version?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (error) {
    const message = (error as Error).message;
    io.stderr.write(`${/[.!?]$/.test(message) ? message : `${message}.`}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (values.config === undefined) {
    io.stderr.write(`--config is required.\n${USAGE}\n`);
    return 2;
  }
  // Decimal digits only: Number() would read "" as 0 (a random port), "1e3" as 1000 and "0x50" as 80.
  const port = values.port === undefined ? undefined : /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (port !== undefined && !(port >= 0 && port <= 65_535)) {
    io.stderr.write(
      `--port must be an integer between 0 and 65535 (0 picks a free port), got ${JSON.stringify(values.port)}.\n`,
    );
    return 2;
  }
  const configPath = resolve(values.config);
  let fileText: string;
  try {
    fileText = await readFile(configPath, 'utf8');
  } catch (error) {
    io.stderr.write(`Cannot read the config file ${configPath}: ${(error as Error).message}\n`);
    return 2;
  }
  let fileContent: unknown;
  try {
    fileContent = JSON.parse(fileText);
  } catch (error) {
    io.stderr.write(`Cannot read the config file ${configPath}: ${jsonSyntaxErrorText(error, fileText)}\n`);
    return 2;
  }
  try {
    const config = parseFirehoseLocalConfig(fileContent);
    const firehose = await startFirehoseLocal({
      streams: config.streams,
      host: values.host ?? config.host ?? '127.0.0.1',
      port: port ?? config.port ?? 4573,
      baseDirectory: dirname(configPath),
      logger: stderrLogger(io.stderr, values.verbose ?? false),
    });
    io.stdout.write(`Firehose endpoint: ${firehose.url}\n`);
    io.stdout.write(`Metrics: ${firehose.url}/metrics\n`);
    io.stdout.write(`Delivery streams: ${config.streams.map((stream) => stream.name).join(', ')}\n`);
    await new Promise<void>((stop) => {
      if (shutdown.aborted) stop();
      else shutdown.addEventListener('abort', () => stop(), { once: true });
    });
    io.stderr.write('[firehose-local] flushing every buffer...\n');
    await firehose.close();
    const all = firehose.metrics();
    io.stdout.write(formatMetrics(all));
    return all.some((metrics) => metrics.local.pendingRecords > 0) ? 1 : 0;
  } catch (error) {
    if (error instanceof FirehoseLocalListenError) {
      io.stderr.write(`${listenFailureLine(error)}\n`);
      return 2;
    }
    if (error instanceof FirehoseLocalError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
