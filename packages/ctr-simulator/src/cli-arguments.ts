import { callerDirectoryFormatFromPath } from './caller-directory.js';
import { parseCommandLine } from './cli-command.js';
import { CliUsageError } from './errors.js';
import type { CountryCodeMix } from './phone-numbers.js';
import { MAX_RATE_PER_SECOND } from './rate-limiter.js';
import type { SimulationOptions } from './simulate.js';
import { formatCtrTimestamp, parseIsoDate, SECONDS_PER_DAY } from './timestamps.js';

export interface CliSettings {
  readonly help: boolean;
  readonly version: boolean;
  readonly simulation: SimulationOptions;
  readonly deliveryStreamName: string;
  readonly rateLimitPerSecond: number | undefined;
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly outPath: string | undefined;
  readonly directoryOutPath: string | undefined;
  readonly json: boolean;
  readonly progress: boolean;
  /** `--live`: traffic sent as it happens, for `durationMs` or until interrupted. */
  readonly live: { readonly durationMs: number | undefined } | undefined;
}

/** How the bins find credentials: the end of every usage text. */
export const CREDENTIALS_HELP = `Credentials come from the standard AWS chain (environment, profile, SSO, instance role). With a
loopback --endpoint and no AWS_ACCESS_KEY_ID / AWS_PROFILE, placeholder credentials are used.`;

export const USAGE = `Usage: ctr-simulate [options]

Generates realistic Amazon Connect contact trace records and sends them to a Firehose delivery
stream (AWS or any Firehose-compatible endpoint) with PutRecordBatch, or writes them as NDJSON.

Options:
  --stream NAME             delivery stream name (default CTRFHStream)
  --days N                  days to simulate, 1-366 (default 7)
  --contacts-per-day N      contacts on an average weekday; weekends get 30% (default 200)
  --start-date YYYY-MM-DD   first day (default: the N days ending yesterday, UTC)
  --seed N                  generator seed; same seed and options, same records (default 1)
  --rate N                  records per second, at most (default: as fast as Firehose accepts)
  --endpoint URL            Firehose-compatible endpoint, e.g. http://127.0.0.1:4573
  --region REGION           AWS region (default $AWS_REGION, $AWS_DEFAULT_REGION or ap-southeast-2)
  --out FILE.ndjson         write the records to a file instead of sending them
  --directory-out FILE      write the caller directory (.csv or .json) for the directory server
  --utc-offset-minutes N    the contact center's clock vs UTC, e.g. 600 for Sydney, -300 for New
                            York (default 0)
  --country-codes LIST      caller country codes and weights, e.g. 61=0.85,64=0.15
  --live                    send traffic as it happens, from now on: each record when its contact
                            ends, until Ctrl-C or --duration (not with --days, --start-date,
                            --rate, --out)
  --duration TIME           with --live: stop after TIME, e.g. 90s, 30m, 8h, 2d (a number alone
                            is seconds)
  --json                    print a machine-readable summary (JSON) on stdout
  --no-progress             no progress bar (it is shown on a terminal only, on stderr)
  -h, --help                show this help
  --version                 show the version

${CREDENTIALS_HELP}
Exit code: 0 all records sent or written, 1 some failed, 2 bad usage, 130 interrupted (with --live,
Ctrl-C ends the run normally; a second Ctrl-C interrupts).`;

function integerOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim()))
    throw new CliUsageError(`--${name} must be an integer from ${min} to ${max} (got "${text}")`);
  const value = Number(text);
  if (value < min || value > max)
    throw new CliUsageError(`--${name} must be an integer from ${min} to ${max} (got ${value})`);
  return value;
}

function parseCountryCodes(text: string): CountryCodeMix {
  const mix: Record<string, number> = {};
  for (const part of text.split(',')) {
    const match = /^\s*\+?(\d{1,3})\s*(?:[=:]\s*(\d+(?:\.\d+)?))?\s*$/.exec(part);
    if (!match)
      throw new CliUsageError(`--country-codes must look like 61=0.85,64=0.15 (could not read "${part}")`);
    mix[match[1]!] = match[2] === undefined ? 1 : Number(match[2]);
  }
  return mix;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const MAX_DURATION_MS = 366 * 86_400_000;

/**
 * `--duration TIME`: `90s`, `30m`, `8h`, `2d`, `500ms`, or seconds alone; milliseconds, or undefined when absent.
 * Throws an error whose message names `--duration` and the accepted forms (for tools that take the same option).
 */
export function parseDurationOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const milliseconds = match ? Number(match[1]) * DURATION_UNITS[match[2] ?? 's']! : Number.NaN;
  if (!(milliseconds > 0 && milliseconds <= MAX_DURATION_MS))
    throw new CliUsageError(
      `--duration must be a time above 0 and at most 366 days, such as 90s, 30m, 8h or 2d (got "${text}")`,
    );
  return milliseconds;
}

/** `--rate N`: records per second above 0 and at most 1,000,000, or undefined when absent. */
export function parseRateOption(rate: string | undefined): number | undefined {
  if (rate === undefined) return undefined;
  const rateLimitPerSecond = Number(rate);
  if (
    !/^\d+(\.\d+)?$/.test(rate.trim()) ||
    !(rateLimitPerSecond > 0 && rateLimitPerSecond <= MAX_RATE_PER_SECOND)
  ) {
    throw new CliUsageError(
      `--rate must be a number of records per second above 0 and at most ${MAX_RATE_PER_SECOND} (got "${rate}")`,
    );
  }
  return rateLimitPerSecond;
}

/**
 * A URL-like text for a message, with everything up to its last `@` (after `scheme://`, if it starts with one)
 * masked: `http://u:p@host` -> `http://***@host`, `u:p@host` -> `***@host`. Up to the LAST `@`, wherever it is: a
 * password written raw may hold `/`, `?`, `#` or `@`, and a text that is not a URL has no authority to stop at. An
 * `@` in a path or query masks more than the user info; that is the safe side.
 */
export function maskUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[\s\S]*@/i, '$1***@');
}

/**
 * An endpoint as the bins print it, in messages and errors: no user info, no query string, no fragment (a presigned
 * token, `X-Amz-Security-Token=...`, goes there). An http(s) URL loses its query and fragment as the URL parser reads
 * them (`http://127.0.0.1:4573/?token=x` -> `http://127.0.0.1:4573`). Then `maskUserInfo` masks everything up to the
 * last `@`, and any other text loses everything from the first `?`, `#` or `&` after that `@` (after an `@` in a
 * query, such as an email address, the next parameter starts at `&`).
 */
export function endpointForDisplay(text: string): string {
  let shown = text;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      url.search = '';
      url.hash = '';
      shown = url.href.replace(/\/$/, '');
    }
  } catch {
    // Not a URL: read as text.
  }
  return maskUserInfo(shown).replace(/[?#&][\s\S]*$/, '');
}

/** `--endpoint URL`: an http(s) URL without credentials in it. */
export function parseEndpointOption(endpoint: string | undefined, option = '--endpoint'): string | undefined {
  if (endpoint === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CliUsageError(
      `${option} must be a URL such as http://127.0.0.1:4573 (got "${endpointForDisplay(endpoint)}")`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new CliUsageError(`${option} must not contain credentials; use the standard AWS credential chain`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliUsageError(
      `${option} must be an http:// or https:// URL (got "${endpointForDisplay(endpoint)}")`,
    );
  }
  return endpoint;
}

/**
 * `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else ap-southeast-2 (the tutorial's region). An empty
 * variable counts as unset; a bad value is reported under the name it came from.
 */
export function resolveRegionOption(
  region: string | undefined,
  environment: Readonly<Record<string, string | undefined>>,
): string {
  const fromEnvironment = (['AWS_REGION', 'AWS_DEFAULT_REGION'] as const).find(
    (name) => environment[name] !== undefined && environment[name] !== '',
  );
  const [source, resolved] =
    region !== undefined
      ? ['--region', region]
      : fromEnvironment !== undefined
        ? [fromEnvironment, environment[fromEnvironment]!]
        : ['the default region', 'ap-southeast-2'];
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(resolved)) {
    const shown = JSON.stringify(resolved.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'));
    throw new CliUsageError(
      source === '--region'
        ? `--region must look like ap-southeast-2 (got ${shown})`
        : `${source} must look like ap-southeast-2 (got ${shown}): set it to a region, unset it, or pass --region`,
    );
  }
  return resolved;
}

/** `--stream NAME`, default CTRFHStream (the tutorial's stream). */
export function parseStreamOption(stream: string | undefined): string {
  const name = stream ?? 'CTRFHStream';
  if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(name)) {
    throw new CliUsageError(`--stream must be 1-64 letters, digits, _ . - (got "${name}")`);
  }
  return name;
}

/** Parses the command line into settings; throws `CliUsageError` with an actionable message. */
export function parseCliArguments(
  argv: readonly string[],
  environment: Readonly<Record<string, string | undefined>>,
  nowEpochMilliseconds: number,
): CliSettings {
  const parsed = parseCommandLine(argv, OPTIONS, 'ctr-simulate');
  const { values, positionals } = parsed;
  if (positionals.length > 0)
    throw new CliUsageError(`unexpected argument "${positionals[0]}". Run ctr-simulate --help.`);

  const live = values.live === true;
  if (live) {
    const clash = (['days', 'start-date', 'rate', 'out'] as const).find((name) => values[name] !== undefined);
    if (clash !== undefined)
      throw new CliUsageError(
        clash === 'rate'
          ? '--live sends each record when its contact ends, at the simulated pace: it cannot be combined with --rate'
          : `--live simulates from now on, without end: it cannot be combined with --${clash}`,
      );
  } else if (values.duration !== undefined) {
    throw new CliUsageError('--duration sets how long --live runs: add --live, or use --days for a period');
  }
  const durationMs = parseDurationOption(values.duration);
  const days = integerOption('days', values.days, 1, 366) ?? 7;
  let startDate = values['start-date'];
  if (startDate === undefined) {
    const today = Math.floor(nowEpochMilliseconds / 1000 / SECONDS_PER_DAY) * SECONDS_PER_DAY;
    startDate = formatCtrTimestamp(today - days * SECONDS_PER_DAY).slice(0, 10);
  } else if (parseIsoDate(startDate) === undefined) {
    throw new CliUsageError(`--start-date must be a real date as YYYY-MM-DD (got "${startDate}")`);
  }
  const rateLimitPerSecond = parseRateOption(values.rate);
  const endpoint = parseEndpointOption(values.endpoint);
  if (values.out !== undefined && values.endpoint !== undefined) {
    throw new CliUsageError('--out writes a file instead of sending; it cannot be combined with --endpoint');
  }
  if (values['directory-out'] !== undefined) {
    try {
      callerDirectoryFormatFromPath(values['directory-out']);
    } catch (error) {
      throw new CliUsageError(`--directory-out: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const simulation: SimulationOptions = { startDate, days };
  const contactsPerDay = integerOption('contacts-per-day', values['contacts-per-day'], 0, 100_000);
  if (contactsPerDay !== undefined) simulation.contactsPerDay = contactsPerDay;
  const seed = integerOption('seed', values.seed, 0, 4_294_967_295);
  if (seed !== undefined) simulation.seed = seed;
  const offset = integerOption('utc-offset-minutes', values['utc-offset-minutes'], -720, 840);
  if (offset !== undefined) simulation.utcOffsetMinutes = offset;
  if (values['country-codes'] !== undefined)
    simulation.countryCodeMix = parseCountryCodes(values['country-codes']);
  const region = resolveRegionOption(values.region, environment);
  simulation.region = region;
  const stream = parseStreamOption(values.stream);

  return {
    help: values.help === true,
    version: values.version === true,
    simulation,
    deliveryStreamName: stream,
    rateLimitPerSecond,
    endpoint,
    region,
    outPath: values.out,
    directoryOutPath: values['directory-out'],
    json: values.json === true,
    progress: values['no-progress'] !== true,
    live: live ? { durationMs } : undefined,
  };
}

const OPTIONS = {
  stream: { type: 'string' },
  days: { type: 'string' },
  'contacts-per-day': { type: 'string' },
  'start-date': { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  out: { type: 'string' },
  'directory-out': { type: 'string' },
  'utc-offset-minutes': { type: 'string' },
  'country-codes': { type: 'string' },
  live: { type: 'boolean' },
  duration: { type: 'string' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;
