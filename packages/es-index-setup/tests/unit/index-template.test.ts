import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { buildIndexTemplate, indexTemplatePatterns, validateIndexName } from '../../src/index-template.js';
import { normalizeSettings } from '../../src/installer.js';
import { describeSearchEngineServer } from '../../src/search-engine-server.js';

describe('buildIndexTemplate', () => {
  it('covers <index> and <index>-* with a settings and a mappings component template', () => {
    const bundle = buildIndexTemplate();
    expect(bundle.indexPattern).toBe('connect,connect-*');
    expect(bundle.indexPatterns).toEqual(['connect', 'connect-*']);
    expect(bundle.indexTemplate.name).toBe('ctr-stream-connect');
    expect(bundle.indexTemplate.body).toMatchObject({
      index_patterns: ['connect', 'connect-*'],
      composed_of: ['ctr-stream-connect-settings', 'ctr-stream-connect-mappings'],
      priority: 207,
    });
    expect(bundle.componentTemplates[0]?.body.template.settings).toEqual({
      'index.number_of_shards': 1,
      'index.auto_expand_replicas': '0-1',
      'index.refresh_interval': '30s',
      'index.mapping.total_fields.limit': 1000,
      'index.mapping.ignore_malformed': true,
    });
    expect(bundle.componentTemplates[1]?.body.template.mappings?.properties.ContactId).toEqual({
      type: 'keyword',
      ignore_above: 1024,
    });
  });

  it('gives a longer, overlapping index name a higher priority, so both templates can coexist', () => {
    const connect = buildIndexTemplate({ index: 'connect' }).indexTemplate.body.priority;
    const prod = buildIndexTemplate({ index: 'connect-prod' }).indexTemplate.body.priority;
    expect(prod).toBeGreaterThan(connect);
    expect(buildIndexTemplate({ index: 'connect', priority: 500 }).indexTemplate.body.priority).toBe(500);
  });

  it('takes shards, replicas, refresh interval and index name', () => {
    const bundle = buildIndexTemplate({
      index: 'ctr-logs',
      shards: 3,
      replicas: 2,
      refreshInterval: '-1',
      totalFieldsLimit: 2000,
    });
    expect(bundle.indexTemplate.body.index_patterns).toEqual(['ctr-logs', 'ctr-logs-*']);
    expect(bundle.componentTemplates[0]?.body.template.settings).toMatchObject({
      'index.number_of_shards': 3,
      'index.number_of_replicas': 2,
      'index.refresh_interval': '-1',
      'index.mapping.total_fields.limit': 2000,
    });
    expect(bundle.componentTemplates[0]?.body.template.settings).not.toHaveProperty(
      'index.auto_expand_replicas',
    );
  });

  it('ignores dynamic fields beyond the limit instead of rejecting documents where the server can (ES 8.14+, dynamic true)', () => {
    const settings = (version: string) =>
      buildIndexTemplate({ dynamic: 'true', server: describeSearchEngineServer(version) })
        .componentTemplates[0]?.body.template.settings;
    expect(settings('8.15.0')).toHaveProperty(
      ['index.mapping.total_fields.ignore_dynamic_beyond_limit'],
      true,
    );
    expect(settings('8.10.0')).not.toHaveProperty(['index.mapping.total_fields.ignore_dynamic_beyond_limit']);
  });

  it.each([
    [{ shards: 0 }, 'shards'],
    [{ shards: 1.5 }, 'shards'],
    [{ replicas: -1 }, 'replicas'],
    [{ refreshInterval: '30' }, 'refreshInterval'],
    [{ refreshInterval: 'soon' }, 'refreshInterval'],
    [{ totalFieldsLimit: 10 }, 'totalFieldsLimit'],
    [{ index: 'Connect' }, 'index'],
    [{ index: 'connect*' }, 'index'],
    [{ index: '_connect' }, 'index'],
    [{ index: '' }, 'index'],
  ])('rejects %o naming the option', (options, option) => {
    try {
      buildIndexTemplate(options);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
    }
  });

  it('accepts Firehose-style names', () => {
    expect(validateIndexName('connect-2024-01-02')).toBe('connect-2024-01-02');
  });
});

/** Elasticsearch's index pattern matching (`Regex.simpleMatch`: `*` is the only wildcard). */
function matchesPattern(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}

const covers = (index: string, name: string) =>
  indexTemplatePatterns(index).some((pattern) => matchesPattern(pattern, name));

describe('indexTemplatePatterns', () => {
  it('is the index and its hyphenated rotations', () => {
    expect(indexTemplatePatterns('connect')).toEqual(['connect', 'connect-*']);
    expect(indexTemplatePatterns('ctr_logs')).toEqual(['ctr_logs', 'ctr_logs-*']);
  });

  it.each([
    'connect',
    'connect-2024-03-04', // OneDay
    'connect-2024-03-04-13', // OneHour
    'connect-2024-w10', // OneWeek
    'connect-2024-03', // OneMonth
    'connect-v2', // the reindex target the conflict message suggests
  ])('covers %s', (name) => {
    expect(covers('connect', name)).toBe(true);
  });

  it.each(['connections', 'connector-logs', 'connect_old', 'connect2024-03-04', 'xconnect', 'connec'])(
    'does not cover the unrelated index %s',
    (name) => {
      expect(covers('connect', name)).toBe(false);
    },
  );

  it('rejects an invalid index name like buildIndexTemplate does', () => {
    expect(() => indexTemplatePatterns('connect*')).toThrow(InvalidOptionError);
  });

  it('overlaps another index only when one name is the other plus a hyphen, and then the longer ranks higher', () => {
    const names = [
      'connect',
      'connect-prod',
      'connect-prod-eu',
      'connection',
      'connect_x',
      'conn',
      'ctr-a',
      'ctr-b',
    ];
    const probes = names.flatMap((name) => [name, `${name}-2024-03-04`, `${name}-`]);
    for (const first of names) {
      for (const second of names) {
        if (first === second) continue;
        const overlap = probes.some((probe) => covers(first, probe) && covers(second, probe));
        const nested = second.startsWith(`${first}-`) || first.startsWith(`${second}-`);
        expect(overlap, `${first} / ${second}`).toBe(nested);
        if (overlap) {
          const priorityOf = (index: string) => buildIndexTemplate({ index }).indexTemplate.body.priority;
          expect(priorityOf(first), `${first} / ${second}`).not.toBe(priorityOf(second));
        }
      }
    }
  });
});

describe('normalizeSettings', () => {
  it('reads the nested, string-valued form the server returns like the flat form we send', () => {
    expect(
      normalizeSettings({ index: { number_of_shards: '1', mapping: { total_fields: { limit: '1000' } } } }),
    ).toEqual(normalizeSettings({ 'index.number_of_shards': 1, 'index.mapping.total_fields.limit': 1000 }));
  });
});
