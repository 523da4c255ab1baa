import { describe, expect, it } from 'vitest';
import { parseCliArguments } from '../../src/cli-arguments.js';
import { CliUsageError } from '../../src/errors.js';
import { parseReplayArguments } from '../../src/replay-arguments.js';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const parse = (argv: string[], environment: Record<string, string> = {}) =>
  parseCliArguments(argv, environment, NOW);

describe('parseCliArguments', () => {
  it('has the documented defaults', () => {
    const settings = parse([]);
    expect(settings).toMatchObject({
      deliveryStreamName: 'CTRFHStream',
      region: 'ap-southeast-2',
      rateLimitPerSecond: undefined,
      endpoint: undefined,
      outPath: undefined,
      json: false,
      progress: true,
      live: undefined,
    });
    // The 7 days ending yesterday (UTC).
    expect(settings.simulation).toEqual({ startDate: '2026-11-21', days: 7, region: 'ap-southeast-2' });
  });

  it('reads every option', () => {
    const settings = parse([
      '--stream',
      'MyStream',
      '--days',
      '3',
      '--contacts-per-day',
      '50',
      '--start-date',
      '2024-03-04',
      '--seed',
      '9',
      '--rate',
      '250',
      '--endpoint',
      'http://127.0.0.1:4573',
      '--region',
      'us-east-1',
      '--directory-out',
      'callers.json',
      '--utc-offset-minutes',
      '600',
      '--country-codes',
      '61=0.9,+64:0.1',
      '--json',
      '--no-progress',
    ]);
    expect(settings).toMatchObject({
      deliveryStreamName: 'MyStream',
      rateLimitPerSecond: 250,
      endpoint: 'http://127.0.0.1:4573',
      region: 'us-east-1',
      directoryOutPath: 'callers.json',
      json: true,
      progress: false,
    });
    expect(settings.simulation).toEqual({
      startDate: '2024-03-04',
      days: 3,
      contactsPerDay: 50,
      seed: 9,
      utcOffsetMinutes: 600,
      countryCodeMix: { '61': 0.9, '64': 0.1 },
      region: 'us-east-1',
    });
  });

  it('takes the region from the environment', () => {
    expect(parse([], { AWS_REGION: 'eu-west-1' }).region).toBe('eu-west-1');
    expect(parse([], { AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe('us-west-2');
  });

  it('treats an empty region variable as unset, and names the variable a bad region came from', () => {
    expect(parse([], { AWS_REGION: '' }).region).toBe('ap-southeast-2');
    expect(parse([], { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe('us-west-2');
    expect(parse([], { AWS_DEFAULT_REGION: '' }).region).toBe('ap-southeast-2');
    expect(() => parse([], { AWS_REGION: 'Sydney' })).toThrow(
      'AWS_REGION must look like ap-southeast-2 (got "Sydney"): set it to a region, unset it, or pass --region',
    );
    expect(() => parse([], { AWS_REGION: '', AWS_DEFAULT_REGION: 'sydney\u001b' })).toThrow(
      'AWS_DEFAULT_REGION must look like ap-southeast-2 (got "sydney?")',
    );
    // --region wins over the environment, and is blamed only when it is the one given.
    expect(parse(['--region', 'us-east-1'], { AWS_REGION: 'bad' }).region).toBe('us-east-1');
    expect(() => parse(['--region', ''], { AWS_REGION: 'eu-west-1' })).toThrow(
      '--region must look like ap-southeast-2 (got "")',
    );
    expect(() => parseReplayArguments(['backup'], { AWS_REGION: '' })).not.toThrow();
  });

  it.each([
    [['--days', '0'], '--days must be an integer from 1 to 366'],
    [['--days', 'seven'], '--days must be an integer'],
    [['--contacts-per-day', '1.5'], '--contacts-per-day'],
    [['--start-date', '2024-13-01'], '--start-date must be a real date'],
    [['--seed', '-1'], '--seed'],
    [['--rate', '0'], '--rate must be a number'],
    [['--rate', 'fast'], '--rate must be a number'],
    [['--rate', '1000000.5'], '--rate must be a number of records per second above 0 and at most 1000000'],
    [['--rate', '2000000'], '--rate must be a number of records per second above 0 and at most 1000000'],
    [['--endpoint', 'localhost:4573'], '--endpoint must be an http:// or https:// URL'],
    [['--endpoint', 'not a url'], '--endpoint must be a URL'],
    [['--endpoint', 'http://key:secret@127.0.0.1:1'], 'must not contain credentials'],
    [['--out', 'a.ndjson', '--endpoint', 'http://127.0.0.1:1'], 'cannot be combined'],
    [['--directory-out', 'callers.txt'], '*.csv or *.json'],
    [['--country-codes', 'australia'], '--country-codes must look like'],
    [['--region', 'Sydney'], '--region must look like'],
    [['--stream', 'my stream'], '--stream must be'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['extra'], 'unexpected argument "extra"'],
    [['--days'], "'--days <value>' argument missing"],
  ])('rejects %j with an actionable message', (argv, message) => {
    expect(() => parse(argv)).toThrow(CliUsageError);
    expect(() => parse(argv)).toThrow(message);
  });

  it('takes --rate from just above 0 to 1,000,000 (what the sender takes), in both bins', () => {
    expect(parse(['--rate', '1000000']).rateLimitPerSecond).toBe(1_000_000);
    expect(parse(['--rate', '0.0000001']).rateLimitPerSecond).toBe(0.0000001);
    expect(() => parseReplayArguments(['backup', '--rate', '1000001'], {})).toThrow(CliUsageError);
    expect(() => parseReplayArguments(['backup', '--rate', '1000001'], {})).toThrow('--rate must be');
  });

  it('does not echo credentials from a bad endpoint', () => {
    try {
      parse(['--endpoint', 'http://AKIAEXAMPLE:topsecret@127.0.0.1:1']);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('topsecret');
    }
  });

  it('reads --live and --duration in every unit, a number alone as seconds', () => {
    expect(parse(['--live']).live).toEqual({ durationMs: undefined });
    for (const [text, milliseconds] of [
      ['90', 90_000],
      ['90s', 90_000],
      ['1.5m', 90_000],
      ['8h', 28_800_000],
      ['2d', 172_800_000],
      ['250ms', 250],
    ] as const) {
      expect(parse(['--live', '--duration', text]).live).toEqual({ durationMs: milliseconds });
    }
    for (const bad of ['0', '-5m', '5 minutes', '1w', '367d', '']) {
      expect(() => parse(['--live', '--duration', bad])).toThrow(CliUsageError);
    }
    expect(() => parse(['--live', '--start-date', '2026-01-01'])).toThrow(
      '--live simulates from now on, without end: it cannot be combined with --start-date',
    );
  });
});
