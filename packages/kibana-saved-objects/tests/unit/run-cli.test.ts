import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/index.js';

/** Runs the CLI with a stdout that throws `error` on first use (a broken pipe, a bug): an unexpected failure. */
async function runFailing(
  error: unknown,
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(['--out', '-', '--target', 'kibana-8.8'], {
    env,
    stdout: () => {
      throw error;
    },
    stderr: (text) => (stderr += text),
  });
  return { code, stderr };
}

describe('runCli: an unexpected internal error', () => {
  it('is one line naming it, exit 1 (failed), no stack trace', async () => {
    const { code, stderr } = await runFailing(
      new TypeError('Cannot read properties of undefined (reading "id")'),
    );
    expect(code).toBe(1);
    expect(stderr).toBe(
      'ctr-kibana-setup: unexpected error: TypeError: Cannot read properties of undefined (reading "id")\n',
    );
    expect(stderr).not.toContain('    at ');
  });

  it('never echoes credentials of a URL in its message, and keeps it on one line', async () => {
    const { code, stderr } = await runFailing(
      new Error(
        'request to https://admin:s3cr3t@kibana.example:5601/api/status\nand http://u:p@ss@127.0.0.1:9/ failed',
      ),
    );
    expect(code).toBe(1);
    expect(stderr).toBe(
      'ctr-kibana-setup: unexpected error: Error: request to https://***@kibana.example:5601/api/status and http://***@127.0.0.1:9/ failed\n',
    );
    expect(stderr).not.toMatch(/admin|s3cr3t|u:p|ss@/);
  });

  it('prints the stack, masked, only when DEBUG or CTR_STREAM_DEBUG is set', async () => {
    const failure = new Error('cannot reach http://admin:s3cr3t@127.0.0.1:9', {
      cause: new RangeError('inner at http://other:pw@host'),
    });
    for (const env of [{ DEBUG: '1' }, { CTR_STREAM_DEBUG: 'true' }, { DEBUG: 'ctr-stream:*' }]) {
      const { code, stderr } = await runFailing(failure, env);
      expect(code).toBe(1);
      const [first, ...rest] = stderr.trimEnd().split('\n');
      expect(first).toBe('ctr-kibana-setup: unexpected error: Error: cannot reach http://***@127.0.0.1:9');
      expect(rest.join('\n')).toContain('    at ');
      expect(rest.join('\n')).toContain('Caused by: RangeError: inner at http://***@host');
      expect(stderr).not.toMatch(/s3cr3t|other:pw/);
    }
    for (const env of [{}, { DEBUG: '' }, { CTR_STREAM_DEBUG: '' }]) {
      const { stderr } = await runFailing(failure, env);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('describes a thrown value that is not an Error', async () => {
    expect((await runFailing('disk full')).stderr).toBe(
      'ctr-kibana-setup: unexpected error: thrown string: disk full\n',
    );
    expect((await runFailing(undefined)).code).toBe(1);
  });
});

describe('runCli --version', () => {
  async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      env: { KIBANA_API_KEY: 'k' },
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    });
    return { code, stdout, stderr };
  }
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };

  it("prints the package's version and a newline, exit 0, contacting nothing", async () => {
    for (const argv of [
      ['--version'],
      // A Kibana nobody answers (a request would fail the run), and a run that would print NDJSON on stdout.
      ['--kibana', 'http://127.0.0.1:9', '--version'],
      ['--version', '--out', '-', '--target', 'kibana-8.8'],
    ]) {
      expect(await run(argv)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('is listed in --help, which wins over it; a bad option beside it is still bad usage', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('\n  --version               show the version\n');
    expect(await run(['--version', '--help'])).toEqual(help);
    const bad = await run(['--version', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Unknown option '--bogus'/);
  });
});
