import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { buildIndexTemplate, validateIndexName } from '../../src/index-template.js';
import { normalizeSettings } from '../../src/installer.js';
import { describeSearchEngineServer } from '../../src/search-engine-server.js';

describe('buildIndexTemplate', () => {
  it('covers <index>* with a settings and a mappings component template', () => {
    const bundle = buildIndexTemplate();
    expect(bundle.indexPattern).toBe('connect*');
    expect(bundle.indexTemplate.name).toBe('ctr-stream-connect');
    expect(bundle.indexTemplate.body).toMatchObject({
      index_patterns: ['connect*'],
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
    expect(bundle.indexTemplate.body.index_patterns).toEqual(['ctr-logs*']);
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

describe('normalizeSettings', () => {
  it('reads the nested, string-valued form the server returns like the flat form we send', () => {
    expect(
      normalizeSettings({ index: { number_of_shards: '1', mapping: { total_fields: { limit: '1000' } } } }),
    ).toEqual(normalizeSettings({ 'index.number_of_shards': 1, 'index.mapping.total_fields.limit': 1000 }));
  });
});
