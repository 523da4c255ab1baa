import { describe, expect, it } from 'vitest';
import { runCommandLine } from '../../src/command-line.js';

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await runCommandLine(argv, {
    env,
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  });
  return { status, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('ctr-es-setup (offline)', () => {
  it('prints the JSON it would send for a given server without any node', async () => {
    const { status, stdout } = await run([
      '--dry-run',
      '--server',
      'opensearch@2.11.0',
      '--index',
      'ctr-logs',
      '--replicas',
      '1',
    ]);
    expect(status).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.node).toBe('offline');
    expect(document.server).toEqual({ distribution: 'opensearch', version: '2.11.0' });
    expect(document.requests.map((request: { path: string }) => request.path)).toEqual([
      '/_component_template/ctr-stream-ctr-logs-settings',
      '/_component_template/ctr-stream-ctr-logs-mappings',
      '/_index_template/ctr-stream-ctr-logs',
      '/ctr-logs',
    ]);
    expect(document.requests[1].body.template.mappings.properties.Attributes).toEqual({
      type: 'flat_object',
    });
    expect(document.requests[0].body.template.settings['index.number_of_replicas']).toBe(1);
  });

  it('shows the help', async () => {
    const { status, stdout } = await run(['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('--refresh-interval');
  });

  it.each([
    [['--shards', 'two', '--dry-run']],
    [['--replicas', '-1', '--dry-run']],
    [['--dynamic', 'strict', '--dry-run']],
    [['--unknown']],
    [['--server', 'solr@9', '--dry-run']],
  ])('exits 2 for bad options %j', async (argv) => {
    const { status, stderr } = await run(argv);
    expect(status).toBe(2);
    expect(stderr.length).toBeGreaterThan(0);
  });

  it('exits 2 when there is no node and it is not an offline dry run', async () => {
    const { status, stderr } = await run([]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/ELASTICSEARCH_URL/);
  });
});
