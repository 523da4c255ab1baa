import { describe, expect, it } from 'vitest';
import { endpointForDisplay, maskUserInfo, parseCliArguments } from '../../src/cli-arguments.js';
import { sendTarget } from '../../src/cli-send.js';
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

  it("says an unknown option in one sentence, without Node's advice on positionals (and its unclosed quote)", () => {
    expect(() => parse(['--dayz', '3'])).toThrow(
      new CliUsageError("Unknown option '--dayz'. Run ctr-simulate --help."),
    );
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

  it.each([
    'http://elastic:CANARY?PASS@127.0.0.1:9/',
    'http://elastic:CANARY/PASS@127.0.0.1:9/',
    'http://elastic:CANARY#PASS@127.0.0.1:9/',
    'ftp://elastic:CANARY/PASS@127.0.0.1:9/',
    'elastic:CANARY/PASS@127.0.0.1:9',
  ])('never echoes a password holding / ? or # from a bad endpoint, in either bin: %s', (endpoint) => {
    const messages = [
      () => parse(['--endpoint', endpoint]),
      () => parseReplayArguments(['backup', '--endpoint', endpoint], {}),
      () => parseReplayArguments(['s3://bucket/', '--s3-endpoint', endpoint], {}),
    ].map((attempt) => {
      try {
        attempt();
      } catch (error) {
        expect(error).toBeInstanceOf(CliUsageError);
        return (error as Error).message;
      }
      return expect.unreachable();
    });
    for (const message of messages) {
      expect(message).not.toContain('CANARY');
      expect(message).not.toContain('PASS@');
      expect(message).toContain('***@127.0.0.1:9');
    }
    expect(messages[2]).toContain('--s3-endpoint');
  });

  it('masks user info up to the last @, and shows endpoints without it, a query string or a fragment', () => {
    expect(maskUserInfo('http://u:p/q?r#s@host:9/x')).toBe('http://***@host:9/x');
    expect(maskUserInfo('u:p@host:9')).toBe('***@host:9');
    expect(maskUserInfo('http://127.0.0.1:4573')).toBe('http://127.0.0.1:4573');
    expect(endpointForDisplay('http://127.0.0.1:9/?X-Amz-Security-Token=CANARY-TOK')).toBe(
      'http://127.0.0.1:9',
    );
    expect(endpointForDisplay('https://firehose.example.com/prefix#CANARY')).toBe(
      'https://firehose.example.com/prefix',
    );
    // Parsed as a URL, a password with a / (the path) or a token with an @ in the query shows neither.
    expect(endpointForDisplay('http://elastic:1234/CANARY@127.0.0.1:9/')).toBe('http://***@127.0.0.1:9');
    expect(endpointForDisplay('http://127.0.0.1:9/?token=CANARY@TOK')).toBe('http://127.0.0.1:9');
    // Not an http(s) URL: masked as text, then cut at the first ?, # or & after the last @.
    expect(endpointForDisplay('ftp://u:CANARY@h/x?token=TOK')).toBe('ftp://***@h/x');
    expect(endpointForDisplay('ftp://h/x?email=a@b.com&token=CANARY')).toBe('ftp://***@b.com');
    expect(endpointForDisplay('http://127.0.0.1:4573')).toBe('http://127.0.0.1:4573');
    expect(
      sendTarget({
        endpoint: 'http://127.0.0.1:9/?X-Amz-Security-Token=CANARY-TOK',
        region: 'ap-southeast-2',
      }),
    ).toBe('http://127.0.0.1:9');
    expect(sendTarget({ endpoint: undefined, region: 'ap-southeast-2' })).toBe('Firehose in ap-southeast-2');
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
