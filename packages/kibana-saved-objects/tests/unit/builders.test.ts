import { CTR_FIELDS, callsPerDayAggregation, INDEX_PATTERN } from '@ctr-stream/es-index-setup';
import { describe, expect, it } from 'vitest';
import {
  buildCallsPerDayTable,
  buildContactCenterDashboard,
  buildIndexPattern,
  buildSavedObjects,
  compareVersions,
  contactCenterTables,
  fieldRequirements,
  SAVED_OBJECT_IDS,
  type SavedObject,
  TARGET_NAMES,
  targetProfile,
} from '../../src/index.js';
import { DASHBOARD_ATTRIBUTES, VISUALIZATION_ATTRIBUTES } from '../support/kibana-contract-server.js';

interface Aggregation {
  id: string;
  type: string;
  schema: string;
  params: Record<string, unknown>;
}

function visState(object: SavedObject): {
  title: string;
  type: string;
  params: Record<string, unknown>;
  aggs: Aggregation[];
} {
  return JSON.parse(object.attributes.visState as string);
}

function searchSource(object: SavedObject): Record<string, unknown> {
  return JSON.parse(
    (object.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
  );
}

describe('index pattern', () => {
  it.each(TARGET_NAMES)(
    '%s: connect* with the time field ConnectedToSystemTimestamp and no cached fields',
    (target) => {
      const indexPattern = buildIndexPattern(target);
      expect(indexPattern.type).toBe('index-pattern');
      expect(indexPattern.id).toBe(SAVED_OBJECT_IDS.indexPattern);
      expect(indexPattern.attributes).toEqual({
        title: INDEX_PATTERN,
        timeFieldName: 'ConnectedToSystemTimestamp',
      });
      expect(indexPattern.attributes.title).toBe('connect*');
    },
  );
});

describe('Calls per day', () => {
  it.each(TARGET_NAMES)(
    '%s: unique count of ContactId "Calls", rows split by a daily histogram of LastUpdateTimestamp "Date"',
    (target) => {
      const table = buildCallsPerDayTable(target);
      expect(table.attributes.title).toBe('Calls per day');
      const state = visState(table);
      expect(state.type).toBe('table');
      expect(state.title).toBe('Calls per day');
      expect(state.aggs).toHaveLength(2);
      const [metric, rows] = state.aggs;
      expect(metric).toMatchObject({
        type: 'cardinality',
        schema: 'metric',
        params: { field: 'ContactId', customLabel: 'Calls', json: '{"precision_threshold":40000}' },
      });
      expect(rows).toMatchObject({
        type: 'date_histogram',
        schema: 'bucket',
        params: { field: 'LastUpdateTimestamp', interval: 'd', min_doc_count: 1, customLabel: 'Date' },
      });
    },
  );

  it('computes what callsPerDayAggregation() of es-index-setup computes (same fields, daily, min_doc_count)', () => {
    const aggregation = callsPerDayAggregation().calls_per_day;
    const [metric, rows] = visState(buildCallsPerDayTable('kibana-8.8')).aggs;
    expect(metric!.params.field).toBe(aggregation.aggs.calls.cardinality.field);
    expect(JSON.parse(metric!.params.json as string)).toEqual({
      precision_threshold: aggregation.aggs.calls.cardinality.precision_threshold,
    });
    expect(rows!.params.field).toBe(aggregation.date_histogram.field);
    expect(aggregation.date_histogram.calendar_interval).toBe('1d');
    expect(rows!.params.interval).toBe('d');
    expect(rows!.params.min_doc_count).toBe(aggregation.date_histogram.min_doc_count);
  });

  it('never uses the auto interval (Kibana allows it only on the time field, and LastUpdateTimestamp is not it)', () => {
    expect(CTR_FIELDS.lastUpdateTimestamp).not.toBe(CTR_FIELDS.timeField);
    for (const target of TARGET_NAMES) {
      for (const object of buildSavedObjects(target).filter(
        (candidate) => candidate.type === 'visualization',
      )) {
        for (const aggregation of visState(object).aggs) expect(aggregation.params.interval).not.toBe('auto');
      }
    }
  });

  it('names the normalised-interval flag per product', () => {
    expect(visState(buildCallsPerDayTable('opensearch-dashboards-2')).aggs[1]!.params).toHaveProperty(
      'useNormalizedOpenSearchInterval',
      true,
    );
    expect(visState(buildCallsPerDayTable('opensearch-dashboards-2')).aggs[1]!.params).not.toHaveProperty(
      'useNormalizedEsInterval',
    );
    expect(visState(buildCallsPerDayTable('kibana-7.10')).aggs[1]!.params).toHaveProperty(
      'useNormalizedEsInterval',
      true,
    );
  });
});

describe('references', () => {
  it.each(TARGET_NAMES)(
    '%s: every visualization reaches the index pattern through indexRefName',
    (target) => {
      for (const object of buildSavedObjects(target).filter(
        (candidate) => candidate.type === 'visualization',
      )) {
        const source = searchSource(object);
        expect(source).not.toHaveProperty('index');
        expect(source.indexRefName).toBe('kibanaSavedObjectMeta.searchSourceJSON.index');
        expect(object.references).toEqual([
          {
            name: 'kibanaSavedObjectMeta.searchSourceJSON.index',
            type: 'index-pattern',
            id: SAVED_OBJECT_IDS.indexPattern,
          },
        ]);
        expect(source.query).toMatchObject({ language: 'kuery' });
      }
    },
  );

  it.each(TARGET_NAMES)(
    '%s: every dashboard panel resolves to a visualization of the set, as the target looks it up',
    (target) => {
      const objects = buildSavedObjects(target);
      const dashboard = buildContactCenterDashboard(target);
      const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as {
        panelIndex: string;
        panelRefName: string;
        gridData: { i: string };
      }[];
      expect(panels).toHaveLength(6);
      const prefixed = targetProfile(target).panelReferenceStyle === 'prefixed';
      for (const panel of panels) {
        expect(panel.gridData.i).toBe(panel.panelIndex);
        const name = prefixed ? `${panel.panelIndex}:${panel.panelRefName}` : panel.panelRefName;
        if (prefixed) expect(panel.panelRefName).toBe(`panel_${panel.panelIndex}`);
        else expect(panel.panelRefName).toMatch(/^panel_\d+$/);
        const reference = dashboard.references.find((candidate) => candidate.name === name);
        expect(reference, `reference ${name}`).toBeDefined();
        expect(reference!.type).toBe('visualization');
        expect(objects.some((object) => object.type === 'visualization' && object.id === reference!.id)).toBe(
          true,
        );
      }
      expect(new Set(dashboard.references.map((reference) => reference.id)).size).toBe(6);
    },
  );

  it('panels do not overlap on the 48-column grid', () => {
    const panels = JSON.parse(buildContactCenterDashboard('kibana-8.8').attributes.panelsJSON as string) as {
      gridData: { x: number; y: number; w: number; h: number };
    }[];
    const cells = new Set<string>();
    for (const { gridData } of panels) {
      expect(gridData.x + gridData.w).toBeLessThanOrEqual(48);
      for (let x = gridData.x; x < gridData.x + gridData.w; x += 1) {
        for (let y = gridData.y; y < gridData.y + gridData.h; y += 1) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe('object versions', () => {
  it.each(TARGET_NAMES)('%s: each object carries exactly the version fields of its target', (target) => {
    const profile = targetProfile(target);
    for (const object of buildSavedObjects(target)) {
      const expected = profile.objectVersions.types[object.type];
      if (profile.objectVersions.style === 'migrationVersion') {
        expect(object.migrationVersion).toEqual({ [object.type]: expected });
        expect(object).not.toHaveProperty('typeMigrationVersion');
      } else {
        expect(object.typeMigrationVersion).toBe(expected);
        expect(object).not.toHaveProperty('migrationVersion');
      }
      if (profile.objectVersions.coreMigrationVersion === undefined)
        expect(object).not.toHaveProperty('coreMigrationVersion');
      else expect(object.coreMigrationVersion).toBe(profile.objectVersions.coreMigrationVersion);
    }
  });

  it('7.10 and OpenSearch Dashboards objects never claim versions newer than Kibana 7.10.2 knows', () => {
    const known = { 'index-pattern': '7.6.0', visualization: '7.10.0', dashboard: '7.9.3' } as const;
    for (const target of ['kibana-7.10', 'opensearch-dashboards-2'] as const) {
      for (const object of buildSavedObjects(target)) {
        expect(
          compareVersions(object.migrationVersion![object.type]!, known[object.type]),
        ).toBeLessThanOrEqual(0);
      }
    }
  });

  it('8.0-8.7 objects never claim a core version above 8.0.0', () => {
    for (const object of buildSavedObjects('kibana-8.0')) expect(object.coreMigrationVersion).toBe('8.0.0');
  });

  it('8.8+ visualization and dashboard attributes stay within the create-time schemas (no unknown keys)', () => {
    for (const object of buildSavedObjects('kibana-8.8')) {
      const allowed =
        object.type === 'visualization'
          ? VISUALIZATION_ATTRIBUTES
          : object.type === 'dashboard'
            ? DASHBOARD_ATTRIBUTES
            : undefined;
      if (allowed === undefined) continue;
      for (const key of Object.keys(object.attributes)) expect([...allowed]).toContain(key);
    }
  });
});

describe('the dashboard', () => {
  it('is "Contact center", last 30 days, refreshed every minute, with the six tables', () => {
    const dashboard = buildContactCenterDashboard('kibana-8.8');
    expect(dashboard.id).toBe(SAVED_OBJECT_IDS.dashboard);
    expect(dashboard.attributes).toMatchObject({
      title: 'Contact center',
      timeRestore: true,
      timeFrom: 'now-30d',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
    });
    expect(contactCenterTables().map((table) => table.title)).toEqual([
      'Calls per day',
      'Calls per channel',
      'Calls per queue',
      'Abandoned contacts',
      'Unknown callers',
      'Caller lookup failures',
    ]);
  });

  it('filters the panels with the documented definitions (abandoned, unknown, failed lookups)', () => {
    const byId = new Map(contactCenterTables().map((table) => [table.id, table]));
    expect(byId.get(SAVED_OBJECT_IDS.abandonedContacts)!.query).toBe(
      'Queue.EnqueueTimestamp:* and not Agent.ConnectedToAgentTimestamp:*',
    );
    expect(byId.get(SAVED_OBJECT_IDS.unknownCallers)!.query).toBe(
      'CtrStream.CallerLookup.Status:"not_found"',
    );
    expect(byId.get(SAVED_OBJECT_IDS.callerLookupFailures)!.query).toBe(
      'CtrStream.CallerLookup.Status:"error"',
    );
    for (const table of contactCenterTables()) {
      expect(table.aggregations[0]).toMatchObject({ kind: 'uniqueCount', field: CTR_FIELDS.contactId });
      expect(
        searchSource(buildSavedObjects('kibana-8.8').find((object) => object.id === table.id)!).query,
      ).toEqual({
        query: table.query,
        language: 'kuery',
      });
    }
  });

  it('uses fixed, unique ids with no <uuid>_<uuid> shape', () => {
    const objects = buildSavedObjects('opensearch-dashboards-2');
    const ids = objects.map((object) => `${object.type}:${object.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const object of objects) expect(object.id).toMatch(/^ctr-stream-[a-z-]+$/);
    expect(buildSavedObjects('kibana-8.8').map((object) => object.id)).toEqual(
      objects.map((object) => object.id),
    );
  });
});

describe('fieldRequirements', () => {
  it('lists every field the objects use, with the strongest need', () => {
    const requirements = new Map(
      fieldRequirements().map((requirement) => [requirement.field, requirement.needs]),
    );
    expect(Object.fromEntries(requirements)).toEqual({
      ConnectedToSystemTimestamp: 'date',
      ContactId: 'aggregatable',
      LastUpdateTimestamp: 'date',
      Channel: 'aggregatable',
      'Queue.Name.keyword': 'aggregatable',
      'Queue.EnqueueTimestamp': 'searchable',
      'Agent.ConnectedToAgentTimestamp': 'searchable',
      'CtrStream.CallerLookup.Status': 'searchable',
      'CtrStream.CallerLookup.Reason': 'aggregatable',
    });
  });

  it('covers every field that appears in a visState or a query', () => {
    const fields = new Set(fieldRequirements().map((requirement) => requirement.field));
    for (const object of buildSavedObjects('kibana-8.8').filter(
      (candidate) => candidate.type === 'visualization',
    )) {
      for (const aggregation of visState(object).aggs) expect(fields).toContain(aggregation.params.field);
      const query = (searchSource(object).query as { query: string }).query;
      for (const match of query.matchAll(/([A-Za-z.]+):/g)) expect(fields).toContain(match[1]);
    }
  });
});
