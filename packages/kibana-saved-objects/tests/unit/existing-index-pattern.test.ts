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
});
