import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  elasticsearchUrl,
  loadCtrFixtures,
  type NodeUnderTest,
  nodeUnderTest,
  removeInstall,
  uniqueIndexName,
} from './helpers.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

function runCli(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { ELASTICSEARCH_URL: _url, ...inherited } = process.env;
    const child = spawn(process.execPath, [CLI, ...argv], { env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let node: NodeUnderTest;
let client: Client;
const created: string[] = [];
beforeAll(async () => {
  expect(existsSync(CLI), 'dist/cli.js is missing: run npx nx run @ctr-stream/es-index-setup:build').toBe(
    true,
  );
  node = await nodeUnderTest();
  client = node.client;
});
afterAll(async () => {
  for (const index of created) await removeInstall(client, index);
  await client.close();
});

describe('ctr-es-setup (node dist/cli.js) against the real node', () => {
  it('installs, then reports no change, taking the node from ELASTICSEARCH_URL and never printing credentials', async () => {
    const index = uniqueIndexName('cli');
    created.push(index);
    const secretEnv = {
      ELASTICSEARCH_URL: elasticsearchUrl(),
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: 'pw-d0-not-print',
    };
    const first = await runCli(['--index', index, '--replicas', '0', '--refresh-interval', '5s'], secretEnv);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const heading = `${node.product} ${node.version} at http://127.0.0.1:`; // OpenSearch 2.19.6 at ...
    expect(first.stdout.slice(0, heading.length)).toBe(heading);
    expect(first.stdout).toContain(`created      index ${index}`);
    const settings = await client.indices.getSettings({ index, flat_settings: true });
    expect(settings[index]?.settings).toMatchObject({
      'index.refresh_interval': '5s',
      'index.number_of_replicas': '0',
    });

    const second = await runCli(
      ['--index', index, '--replicas', '0', '--refresh-interval', '5s', '--json'],
      secretEnv,
    );
    expect(second.status).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.changed).toBe(false);
    expect(report.actions).toHaveLength(4);
    for (const output of [first, second])
      expect(output.stdout + output.stderr).not.toContain('pw-d0-not-print');

    const withUrlCredentials = await runCli([
      '--node',
      elasticsearchUrl().replace('http://', 'http://elastic:pw-d0-not-print@'),
      '--index',
      index,
      '--replicas',
      '0',
      '--refresh-interval',
      '5s',
    ]);
    expect(withUrlCredentials.status).toBe(0);
    expect(withUrlCredentials.stdout).toContain('No change');
    expect(withUrlCredentials.stdout + withUrlCredentials.stderr).not.toContain('pw-d0-not-print');
  });

  it('prints the JSON of a dry run against the node and changes nothing', async () => {
    const index = uniqueIndexName('clidry');
    created.push(index);
    const { status, stdout } = await runCli(['--node', elasticsearchUrl(), '--index', index, '--dry-run']);
    expect(status).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.dryRun).toBe(true);
    expect(document.server).toEqual({ distribution: node.distribution, version: node.version });
    expect(document.actions.map((action: { status: string }) => action.status)).toEqual([
      'would_create',
      'would_create',
      'would_create',
      'would_create',
    ]);
    expect(document.requests[2].body.index_patterns).toEqual([index, `${index}-*`]);
    expect(await client.indices.exists({ index })).toBe(false);
  });

  it('exits 3 with the conflicting field, both types and the fix for a tutorial-style index', async () => {
    const index = uniqueIndexName('cliconflict');
    created.push(index);
    await client.index({ index, document: loadCtrFixtures()[0]?.record, refresh: true });
    const { status, stderr } = await runCli(['--node', elasticsearchUrl(), '--index', index]);
    expect(status).toBe(3);
    expect(stderr).toContain('ContactId: existing text, wanted keyword');
    expect(stderr).toContain('_reindex');
  });

  it("prints the package's version and a newline for --version, contacting no node", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const { status, stdout, stderr } = await runCli(['--version'], {
      ELASTICSEARCH_URL: 'http://127.0.0.1:9',
    });
    expect({ status, stdout, stderr }).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
    const help = await runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('\n  --version                 show the version\n');
  });

  it('exits 1 with a clear message when the node is unreachable', async () => {
    const { status, stderr } = await runCli(['--node', 'http://127.0.0.1:9', '--api-key', 'k3y-not-printed']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/could not reach http:\/\/127\.0\.0\.1:9/);
    expect(stderr).not.toContain('k3y-not-printed');
  });
});
