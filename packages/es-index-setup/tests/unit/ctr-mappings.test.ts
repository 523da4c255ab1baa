import { contactTraceRecordJsonSchema } from '@ctr-stream/ctr-schema';
import { describe, expect, it } from 'vitest';
import { buildCtrMappings, CTR_DATE_FORMAT, listMappedFields } from '../../src/ctr-mappings.js';
import { InvalidOptionError } from '../../src/errors.js';
import { CTR_FIELDS } from '../../src/fields.js';
import type { JsonSchemaNode } from '../../src/json-schema-mappings.js';
import { describeSearchEngineServer } from '../../src/search-engine-server.js';

const jsonSchema = contactTraceRecordJsonSchema() as JsonSchemaNode;
const elasticsearch = describeSearchEngineServer('9.1.0');
const mappings = buildCtrMappings({ jsonSchema, server: elasticsearch });
const fields = listMappedFields(mappings.properties);

/** The type each shared field must have for the dashboards: the Kibana package relies on these. */
const EXPECTED_TYPES: Record<keyof typeof CTR_FIELDS, string> = {
  contactId: 'keyword',
  timeField: 'date',
  lastUpdateTimestamp: 'date',
  initiationTimestamp: 'date',
  channel: 'keyword',
  initiationMethod: 'keyword',
  disconnectReason: 'keyword',
  queueName: 'keyword',
  agentUsername: 'keyword',
  agentConnectedTimestamp: 'date',
  queueEnqueueTimestamp: 'date',
  customerName: 'keyword',
  callerLookupStatus: 'keyword',
  callerLookupReason: 'keyword',
};

describe('buildCtrMappings from the ctr-schema JSON Schema', () => {
  it.each(Object.entries(CTR_FIELDS))(
    'maps the shared field %s (%s) with the type dashboards need',
    (key, path) => {
      expect(fields.get(path)).toBe(EXPECTED_TYPES[key as keyof typeof CTR_FIELDS]);
    },
  );

  it('maps every timestamp in the schema as a date accepting Connect format and epoch millis', () => {
    const timestamps = [...fields].filter(([path]) => /Timestamp$/.test(path));
    expect(timestamps.length).toBeGreaterThan(20);
    for (const [path, type] of timestamps) expect(type, path).toBe('date');
    expect(mappings.properties.LastUpdateTimestamp).toEqual({ type: 'date', format: CTR_DATE_FORMAT });
  });

  it('maps IDs, ARNs and enumerations as keyword, display names as text with a keyword sub-field', () => {
    for (const path of [
      'ContactId',
      'InstanceARN',
      'Agent.ARN',
      'Queue.ARN',
      'Channel',
      'InitiationMethod',
      'DisconnectReason',
      'Recordings.StorageType',
    ]) {
      expect(fields.get(path), path).toBe('keyword');
    }
    for (const path of [
      'Queue.Name',
      'CustomerEndpoint.Name',
      'Agent.RoutingProfile.Name',
      'Agent.HierarchyGroups.Level1.GroupName',
      'Agent.HierarchyGroups.Level5.GroupName',
    ]) {
      expect(fields.get(path), path).toBe('text');
      expect(fields.get(`${path}.keyword`), path).toBe('keyword');
    }
  });

  it('maps durations and counts as integer and millisecond figures as long', () => {
    for (const path of [
      'Queue.Duration',
      'Agent.AgentInteractionDuration',
      'Agent.AfterContactWorkDuration',
      'Agent.NumberOfHolds',
      'AgentConnectionAttempts',
    ]) {
      expect(fields.get(path), path).toBe('integer');
    }
    expect(fields.get('ChatMetrics.ContactMetrics.ConversationCloseTimeInMillis')).toBe('long');
  });

  it('maps every open map as one flattened field, so customer keys cannot explode the mapping', () => {
    for (const path of [
      'Attributes',
      'ContactDetails',
      'SegmentAttributes',
      'Tags',
      'ContactEvaluations',
      'RoutingCriteria.Steps.Expression',
    ]) {
      expect(fields.get(path), path).toBe('flattened');
    }
    expect([...fields.keys()].filter((path) => path.startsWith('Attributes.'))).toEqual([]);
  });

  it('maps the Lambda enrichment fields', () => {
    expect(mappings.properties.CtrStream).toEqual({
      properties: {
        CallerLookup: {
          properties: {
            Reason: { type: 'keyword', ignore_above: 1024 },
            Status: { type: 'keyword', ignore_above: 1024 },
          },
        },
      },
    });
  });

  it('stores fields of unknown shape without indexing them, never rejecting a value', () => {
    expect(mappings.properties.References).toEqual({ type: 'object', enabled: false });
  });

  it('maps the members ctr-schema accepts whatever their shape (undocumented) by their documented shape', () => {
    expect(mappings.properties.CustomerId).toEqual({ type: 'keyword', ignore_above: 1024 });
    expect(mappings.properties.Tags).toEqual({ type: 'flattened', ignore_above: 1024 });
    expect(mappings.properties.OutboundStrategy).toEqual({ type: 'flattened', ignore_above: 1024 });
    expect(mappings.properties.GlobalResiliencyMetadata?.properties?.ActiveRegion).toEqual({
      type: 'keyword',
      ignore_above: 1024,
    });
    expect(mappings.properties.TaskTemplateInfo?.properties?.Name?.type).toBe('text');
    expect(mappings.properties.Agent?.properties?.AcceptedByAgentTimestamp).toEqual({
      type: 'date',
      format: CTR_DATE_FORMAT,
    });
    expect(mappings.properties.Agent?.properties?.AgentInitiatedHoldDuration).toEqual({ type: 'integer' });
  });

  it('stays far below the total fields limit and turns dynamic mapping off by default', () => {
    expect(fields.size).toBeLessThan(400);
    expect(mappings.dynamic).toBe(false);
    expect(mappings.date_detection).toBe(false);
  });

  it('uses flat_object on OpenSearch 2.7+ and a stored, unindexed object before that', () => {
    const openSearch = buildCtrMappings({ jsonSchema, server: describeSearchEngineServer('2.11.0') });
    expect(openSearch.properties.Attributes).toEqual({ type: 'flat_object' });
    const old = buildCtrMappings({ jsonSchema, server: describeSearchEngineServer('2.5.0') });
    expect(old.properties.Attributes).toEqual({ type: 'object', enabled: false });
    expect(old.properties.ContactId).toEqual(mappings.properties.ContactId);
  });

  it("stores open maps unindexed on Elasticsearch's oss flavor, which has no flattened type", () => {
    const oss = buildCtrMappings({
      jsonSchema,
      server: describeSearchEngineServer('7.10.2', 'elasticsearch', 'oss'),
    });
    const flattened = JSON.stringify(oss).match(/"type":"flattened"/g);
    expect(flattened).toBeNull();
    expect(oss.properties.Attributes).toEqual({ type: 'object', enabled: false });
    expect(oss.properties.ContactId).toEqual(mappings.properties.ContactId);
  });

  it('adds CustomerEndpoint.Name even when the schema has no CustomerEndpoint', () => {
    const minimal = buildCtrMappings({
      jsonSchema: { type: 'object', properties: { ContactId: { type: 'string' } } },
      server: elasticsearch,
    });
    expect(listMappedFields(minimal.properties).get('CustomerEndpoint.Name.keyword')).toBe('keyword');
    expect(listMappedFields(minimal.properties).get('CtrStream.CallerLookup.Status')).toBe('keyword');
  });

  it('accepts dynamic true and runtime, and rejects runtime where the server lacks it', () => {
    expect(buildCtrMappings({ jsonSchema, server: elasticsearch, dynamic: 'true' }).dynamic).toBe(true);
    expect(buildCtrMappings({ jsonSchema, server: elasticsearch, dynamic: 'runtime' }).dynamic).toBe(
      'runtime',
    );
    expect(() =>
      buildCtrMappings({ jsonSchema, server: describeSearchEngineServer('2.11.0'), dynamic: 'runtime' }),
    ).toThrow(InvalidOptionError);
    expect(() =>
      buildCtrMappings({ jsonSchema, server: elasticsearch, dynamic: 'strict' as 'true' }),
    ).toThrow(/false, true or runtime/);
  });
});
