import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommandLine } from '../../src/command-line.js';
import { installIndexTemplate } from '../../src/installer.js';
import { elasticsearchUrl, nodeUnderTest, removeInstall, uniqueIndexName } from './helpers.js';

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

interface DryRunDocument {
  node: string;
  changed: boolean;
  actions: { target: string; name: string; status: string; detail?: string }[];
  requests: { method: string; path: string; body: { properties?: Record<string, unknown> } }[];
}

let client: Client;
const created: string[] = [];
beforeAll(async () => {
  client = (await nodeUnderTest()).client;
});
afterAll(async () => {
  for (const index of created) await removeInstall(client, index);
  await client.close();
});

describe('ctr-es-setup --dry-run against the real node', () => {
  it('lists only what would be sent: nothing for an up-to-date install with --no-create-index', async () => {
    const index = uniqueIndexName('dryuptodate');
    created.push(index);
    await installIndexTemplate({ node: elasticsearchUrl(), index });
    const { status, stdout } = await run(['--dry-run', '--index', index, '--no-create-index'], {
      ELASTICSEARCH_URL: elasticsearchUrl(),
    });
    expect(status).toBe(0);
    const document = JSON.parse(stdout) as DryRunDocument;
    expect(document.changed).toBe(false);
    expect(document.actions.every((action) => action.status === 'unchanged')).toBe(true);
    expect(document.requests).toEqual([]);
  });

  it('lists the PUT /<index>/_mapping of an index that lacks fields, and no PUT of the existing index', async () => {
    const index = uniqueIndexName('drymissing');
    created.push(index);
    // An index made before the template, with one of the mapped fields only.
    await client.indices.create({ index, mappings: { properties: { ContactId: { type: 'keyword' } } } });
    const { status, stdout } = await run(['--dry-run', '--node', elasticsearchUrl(), '--index', index]);
    expect(status).toBe(0);
    const document = JSON.parse(stdout) as DryRunDocument;
    const wouldUpdate = document.actions.filter((action) => action.status === 'would_update');
    expect(wouldUpdate).toEqual([
      expect.objectContaining({
        target: 'index_mapping',
        name: index,
        detail: expect.stringMatching(/^adds/),
      }),
    ]);
    expect(document.actions.at(-1)).toEqual({ target: 'index', name: index, status: 'unchanged' });
    expect(document.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `PUT /_component_template/ctr-stream-${index}-settings`,
      `PUT /_component_template/ctr-stream-${index}-mappings`,
      `PUT /_index_template/ctr-stream-${index}`,
      `PUT /${index}/_mapping`,
    ]);
    const mappingUpdate = document.requests[3]?.body.properties ?? {};
    expect(mappingUpdate).toHaveProperty('LastUpdateTimestamp', expect.objectContaining({ type: 'date' }));
    expect(mappingUpdate).not.toHaveProperty('ContactId');
    // Nothing changed on the node.
    const mapping = await client.indices.getMapping({ index });
    expect(Object.keys(mapping[index]?.mappings.properties ?? {})).toEqual(['ContactId']);
  });

  it('with --server, contacts no node at all, not even ELASTICSEARCH_URL', async () => {
    const seen: string[] = [];
    const node = createServer((incoming, response) => {
      seen.push(`${incoming.method} ${incoming.url}`);
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
      const { status, stdout, stderr } = await run(['--dry-run', '--server', 'elasticsearch@8.19.0'], {
        ELASTICSEARCH_URL: url,
      });
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect((JSON.parse(stdout) as DryRunDocument).node).toBe('offline');
      expect(seen).toEqual([]);
    } finally {
      node.closeAllConnections();
      await new Promise((resolve) => node.close(resolve));
    }
  });

  it('without --server, an unreachable node fails and suggests --server to plan offline', async () => {
    const { status, stdout, stderr } = await run(['--dry-run'], { ELASTICSEARCH_URL: 'http://127.0.0.1:9' });
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/could not reach http:\/\/127\.0\.0\.1:9/);
    expect(stderr).toContain('To plan the dry run offline, pass --server DIST@VERSION');
    expect(stderr.split('\n')).toHaveLength(1);
  });

  it('ignores an empty ELASTICSEARCH_API_KEY next to a username and password (as ctr-kibana-setup does)', async () => {
    const index = uniqueIndexName('dryemptykey');
    const { status, stderr } = await run(['--dry-run', '--index', index], {
      ELASTICSEARCH_URL: elasticsearchUrl(),
      ELASTICSEARCH_API_KEY: '',
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: 'pw-not-printed',
    });
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});
