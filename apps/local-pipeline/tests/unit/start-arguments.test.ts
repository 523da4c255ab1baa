import { describe, expect, test } from 'vitest';
import { parseStartArguments } from '../../src/index.js';

const parse = (argv: string[], environment: Record<string, string | undefined> = {}) =>
  parseStartArguments(argv, environment);
const failure = (argv: string[], environment: Record<string, string | undefined> = {}) => {
  const result = parse(argv, environment);
  if (!('exitCode' in result)) throw new Error('expected a usage error');
  return result;
};

describe("npm start's arguments: every mistake is caught before anything is started or deleted", () => {
  test('defaults, and every option read', () => {
    expect(parse([])).toEqual({
      settings: {
        days: 7,
        contactsPerDay: 200,
        seed: 1,
        startDate: undefined,
        utcOffsetMinutes: 0,
        index: undefined,
        resetIndex: false,
        kibanaUrl: undefined,
        lambdaLogLevel: undefined,
        live: undefined,
      },
    });
    expect(
      parse(
        [
          '--days',
          '3',
          '--contacts-per-day',
          '50',
          '--seed',
          '9',
          '--index',
          'x',
          '--reset-index',
          '--utc-offset-minutes=-300',
          '--live',
          '--duration',
          '30m',
        ],
        { LOG_LEVEL: 'INFO', KIBANA_URL: 'http://localhost:5601' },
      ),
    ).toEqual({
      settings: {
        days: 3,
        contactsPerDay: 50,
        seed: 9,
        startDate: undefined,
        utcOffsetMinutes: -300,
        index: 'x',
        resetIndex: true,
        kibanaUrl: 'http://localhost:5601',
        lambdaLogLevel: 'info',
        live: { durationMs: 1_800_000 },
      },
    });
    expect(parse(['--start-date', '2026-03-02'])).toMatchObject({ settings: { startDate: '2026-03-02' } });
  });

  test('--live runs until Ctrl-C unless --duration is given, which needs --live', () => {
    expect(parse(['--live'])).toMatchObject({ settings: { live: { durationMs: undefined } } });
    expect(failure(['--duration', '5m']).output).toMatch(
      /^--duration sets how long --live runs: add --live\n/,
    );
    expect(failure(['--live', '--duration', 'soon']).output).toMatch(/^--duration must be a time above 0/);
    expect(failure(['--utc-offset-minutes', '99999']).output).toMatch(
      /^--utc-offset-minutes must be an integer from -720 to 840 \(got 99999\)/,
    );
    expect(failure(['--utc-offset-minutes', '6.5']).output).toMatch(
      /^--utc-offset-minutes must be an integer/,
    );
  });

  test('a --contacts-per-day over the limit names that option and its range, nothing internal', () => {
    const { exitCode, output } = failure(['--contacts-per-day', '100000000']);
    expect(exitCode).toBe(2);
    const message = output.split('\n')[0]!;
    expect(message).toMatch(/^--contacts-per-day must be an integer from 1 to 100000\b/);
    expect(message).not.toContain('callerDirectorySize');
  });

  test('a negative --utc-offset-minutes (a contact center west of UTC) as a separate argument', () => {
    for (const argv of [['--utc-offset-minutes', '-300'], ['--utc-offset-minutes=-300']]) {
      const result = parse(argv);
      if ('exitCode' in result) throw new Error(result.output);
      expect(result.settings.utcOffsetMinutes).toBe(-300);
    }
  });

  test('--help is the usage with exit code 0', () => {
    const help = failure(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.output).toMatch(/^usage: npm start -- /);
  });

  test.each([
    [['--dayz', '3'], "Unknown option '--dayz'"],
    [['--days', '0'], '--days must be a positive integer, got "0"'],
    [['--days', '1e2'], '--days must be a positive integer, got "1e2"'],
    [['--days', '400'], '--days must be an integer from 1 to 366'],
    [['--start-date', '2026-13-45'], '--start-date must be a real date as yyyy-mm-dd (got "2026-13-45")'],
    [['--index', 'Bad Index'], '--index: Invalid index name "Bad Index": use lowercase letters'],
    // The live traffic starts now: history from another date would leave a gap, or overlap it.
    [['--live', '--start-date', '2026-11-01'], '--start-date picks the simulated days, and --live simulates'],
  ])('%j: exit code 2, %s, then the usage', (argv, message) => {
    const result = failure(argv);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain(message);
    expect(result.output).toContain('usage: npm start -- ');
  });

  test('a LOG_LEVEL in the shell the Lambda would refuse (it would fail every record)', () => {
    expect(failure([], { LOG_LEVEL: 'trace' }).output).toContain(
      'LOG_LEVEL is "trace" in this shell, and the Lambda accepts only debug, info, warn or error: change it or unset it',
    );
    expect(parse([], { LOG_LEVEL: '' })).toMatchObject({ settings: { lambdaLogLevel: undefined } });
  });

  test('a KIBANA_URL that is not an http(s) URL, its credentials never shown', () => {
    expect(failure([], { KIBANA_URL: 'localhost:5601' }).output).toContain(
      'KIBANA_URL must be an http:// or https:// URL such as http://localhost:5601 (got "localhost:5601")',
    );
    const withSecret = failure([], { KIBANA_URL: 'ftp://elastic:s3cret@kibana.example.com' });
    expect(withSecret.output).toContain('KIBANA_URL must be an http:// or https:// URL');
    expect(withSecret.output).not.toContain('s3cret');
    // Without a scheme, or with a port no URL can have: the password is still masked.
    for (const value of ['elastic:s3cret@localhost:5601', 'http://elastic:s3cret@localhost:99999']) {
      const result = failure([], { KIBANA_URL: value });
      expect(result.output).toContain('(got "');
      expect(result.output).toContain('***@localhost');
      expect(result.output).not.toContain('s3cret');
    }
  });

  test('a KIBANA_URL the Kibana installer would refuse after the whole run is refused before anything starts', () => {
    const withCredentials = failure([], { KIBANA_URL: 'http://elastic:s3cret@localhost:5601' });
    expect(withCredentials.exitCode).toBe(2);
    expect(withCredentials.output).toContain(
      'KIBANA_URL must not contain a user or password (http://***@localhost:5601): set KIBANA_USERNAME and KIBANA_PASSWORD, or KIBANA_API_KEY, instead',
    );
    expect(withCredentials.output).not.toContain('s3cret');
    for (const value of ['http://localhost:5601/?space=ops', 'http://localhost:5601/#/home']) {
      expect(failure([], { KIBANA_URL: value }).output).toContain(
        'KIBANA_URL must not have a query string or fragment (http://localhost:5601/): a Kibana space is part of the path, /s/<space>',
      );
    }
    expect(failure([], { KIBANA_URL: 'http://localhost:5601', KIBANA_USERNAME: 'elastic' }).output).toContain(
      'KIBANA_USERNAME is set without KIBANA_PASSWORD: set both, or KIBANA_API_KEY',
    );
    expect(failure([], { KIBANA_URL: 'http://localhost:5601', KIBANA_PASSWORD: 'pw' }).output).toContain(
      'KIBANA_PASSWORD is set without KIBANA_USERNAME: set both, or KIBANA_API_KEY',
    );
    expect(
      parse([], {
        KIBANA_URL: 'http://localhost:5601/s/ops',
        KIBANA_USERNAME: 'elastic',
        KIBANA_PASSWORD: 'pw',
      }),
    ).toMatchObject({ settings: { kibanaUrl: 'http://localhost:5601/s/ops' } });
    expect(parse([], { KIBANA_URL: 'http://localhost:5601', KIBANA_API_KEY: 'k' })).toMatchObject({
      settings: { kibanaUrl: 'http://localhost:5601' },
    });
  });
});
