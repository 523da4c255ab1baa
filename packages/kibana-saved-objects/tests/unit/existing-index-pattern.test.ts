import { describe, expect, it } from 'vitest';
import { mergeIndexPattern } from '../../src/existing-index-pattern.js';
import { buildIndexPattern } from '../../src/index-pattern.js';

describe('mergeIndexPattern', () => {
  it("keeps the user's attributes, sets the installer's title and time field, and names what it kept", () => {
    const { object, kept } = mergeIndexPattern(buildIndexPattern('kibana-8.8', 'connect-*'), {
      attributes: {
        title: 'connect*',
        timeFieldName: 'LastUpdateTimestamp',
        name: '',
        fieldAttrs: '{"ContactId":{"customLabel":"Contact"}}',
        fieldFormatMap: '{}',
        runtimeFieldMap: '{"talkMinutes":{"type":"double"}}',
        sourceFilters: '[]',
        allowNoIndex: false,
      },
      typeMigrationVersion: '8.0.0',
      coreMigrationVersion: '8.15.3',
    });
    expect(object.attributes).toEqual({
      title: 'connect-*',
      timeFieldName: 'ConnectedToSystemTimestamp',
      name: '',
      fieldAttrs: '{"ContactId":{"customLabel":"Contact"}}',
      fieldFormatMap: '{}',
      runtimeFieldMap: '{"talkMinutes":{"type":"double"}}',
      sourceFilters: '[]',
      allowNoIndex: false,
    });
    // Kibana's empty defaults are kept but not reported.
    expect(kept).toEqual(['fieldAttrs', 'runtimeFieldMap']);
    expect(object).toMatchObject({ id: 'ctr-stream-connect', type: 'index-pattern', references: [] });
  });

  it("takes the existing object's version fields (its attributes are in that shape), else the target's", () => {
    const ours = buildIndexPattern('kibana-7.10');
    const fromServer = mergeIndexPattern(ours, {
      attributes: { title: 'connect*', fields: '[{"name":"x","scripted":true}]' },
      migrationVersion: { 'index-pattern': '7.11.0' },
    });
    expect(fromServer.object.migrationVersion).toEqual({ 'index-pattern': '7.11.0' });
    expect(fromServer.kept).toEqual(['fields']);
    const unversioned = mergeIndexPattern(ours, { attributes: { title: 'connect*' } });
    expect(unversioned.object.migrationVersion).toEqual(ours.migrationVersion);
    expect(unversioned.kept).toEqual([]);
  });

  it('leaves out a cached field list, so that 7.10 and OpenSearch Dashboards read the fields again', () => {
    // kibana.md 2.2: those servers write the field list back on read and refresh it only when it is missing or
    // empty; sending the old list back would hide the fields added since (a new attribute table's field).
    const cached = JSON.stringify([
      { name: 'ContactId', type: 'string', esTypes: ['text'], searchable: true, aggregatable: false },
      {
        name: 'LastUpdateTimestamp',
        type: 'date',
        searchable: true,
        aggregatable: true,
        readFromDocValues: true,
      },
    ]);
    for (const fields of [cached, '[]', 'not json', '']) {
      const { object, kept } = mergeIndexPattern(buildIndexPattern('opensearch-dashboards-2'), {
        attributes: { title: 'connect*', fields, fieldFormatMap: '{"Agent.Username":{"id":"url"}}' },
        migrationVersion: { 'index-pattern': '7.6.0' },
      });
      expect(object.attributes.fields, fields).toBeUndefined();
      expect(kept).toEqual(['fieldFormatMap']);
    }
    // Scripted fields live nowhere else: a list that holds one is the user's and kept whole.
    const scripted = JSON.stringify([
      { name: 'talkMinutes', type: 'number', scripted: true, script: 'doc.x.value / 60', lang: 'painless' },
      { name: 'ContactId', type: 'string', searchable: true, aggregatable: true, readFromDocValues: true },
    ]);
    const withScripted = mergeIndexPattern(buildIndexPattern('kibana-7.10'), {
      attributes: { title: 'connect*', fields: scripted },
    });
    expect(withScripted.object.attributes.fields).toBe(scripted);
    expect(withScripted.kept).toEqual(['fields']);
  });
});
