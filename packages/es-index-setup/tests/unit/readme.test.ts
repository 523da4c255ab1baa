import { readFileSync } from 'node:fs';
import { contactTraceRecordJsonSchema } from '@ctr-stream/ctr-schema';
import { describe, expect, it } from 'vitest';
import type { ElasticsearchConnection } from '../../src/connection.js';
import { buildCtrMappings, listMappedFields } from '../../src/ctr-mappings.js';
import { installIndexTemplate } from '../../src/installer.js';
import type { JsonSchemaNode } from '../../src/json-schema-mappings.js';
import { describeSearchEngineServer } from '../../src/search-engine-server.js';

// The README's claims about the mapping and the report, checked against the code that makes them true.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const fields = listMappedFields(
  buildCtrMappings({
    jsonSchema: contactTraceRecordJsonSchema() as JsonSchemaNode,
    server: describeSearchEngineServer('9.1.0'),
  }).properties,
);

/** The first cell of the "Mapping choices" row whose second cell is exactly `type`. */
function mappingRow(type: string): string {
  const row = readme
    .split('\n')
    .find((line) => line.split(/(?<!\\)\|/)[2]?.trim() === type && line.startsWith('| '));
  if (row === undefined) throw new Error(`no mapping row of type ${type}`);
  return row.split(/(?<!\\)\|/)[1] ?? '';
}

describe('README', () => {
  it('counts the date fields the mapping has', () => {
    const dates = [...fields].filter(([, type]) => type === 'date').map(([path]) => path);
    const claimed = /Every timestamp \(`\*Timestamp`, (\d+) fields/.exec(readme)?.[1];
    expect(Number(claimed)).toBe(dates.length);
    expect(dates.every((path) => path.endsWith('Timestamp'))).toBe(true);
  });

  it('lists as double only fields mapped as double', () => {
    const named = [...mappingRow('`double`').matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
    expect(named.length).toBeGreaterThan(0);
    for (const field of named) expect([field, fields.get(field)]).toEqual([field, 'double']);
    const doubles = [...fields].filter(([, type]) => type === 'double').map(([path]) => path);
    expect(named.sort()).toEqual(doubles.sort());
  });

  it('shows the first action the installer reports', async () => {
    const connection: ElasticsearchConnection = {
      displayUrl: 'http://search.test:9200',
      async request(method, path) {
        if (method === 'GET' && path.includes('/_mapping')) return { statusCode: 200, body: {} };
        if (method === 'GET' || method === 'HEAD') return { statusCode: 404, body: undefined };
        return { statusCode: 200, body: { acknowledged: true } };
      },
    };
    const report = await installIndexTemplate({ connection, server: describeSearchEngineServer('9.5.4') });
    const first = report.actions[0];
    expect(readme).toContain(
      `console.log(report.changed, report.actions); // ${report.changed} [{ target: '${first?.target}', name: '${first?.name}', status: '${first?.status}' }, ...]`,
    );
  });
});
