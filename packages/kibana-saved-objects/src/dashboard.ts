import { SAVED_OBJECT_IDS } from './ids.js';
import { type SavedObject, type SavedObjectReference, withObjectVersions } from './saved-object.js';
import { type TargetName, targetProfile } from './targets.js';
import { contactCenterTables } from './visualizations.js';

/** Where a panel sits on the dashboard's 48-column grid. */
export interface PanelPlacement {
  visualizationId: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The Contact center layout: two panels per row, Calls per day top left, the "Calls per <key>" tables of
 * `attributeFields` after the six fixed ones, continuing the same grid.
 *
 * @example
 * ```ts
 * contactCenterLayout()[0]; // { visualizationId: 'ctr-stream-calls-per-day', x: 0, y: 0, w: 24, h: 15 }
 * contactCenterLayout(['menuChoice'])[6]; // { visualizationId: attributeTableId('menuChoice'), x: 0, y: 45, ... }
 * ```
 */
export function contactCenterLayout(attributeFields: readonly string[] = []): PanelPlacement[] {
  return contactCenterTables(attributeFields).map((table, index) => ({
    visualizationId: table.id,
    x: (index % 2) * 24,
    y: Math.floor(index / 2) * 15,
    w: 24,
    h: 15,
  }));
}

/**
 * Builds the "Contact center" dashboard: the tables of {@link contactCenterTables} (the six fixed ones, then one
 * per key of `attributeFields`), the last 30 days, refreshed every minute. Panels reference their visualizations the way the target expects: `panelRefName: "panel_0"` with
 * a `panel_0` reference (Kibana 7.10, OpenSearch Dashboards), or `panelRefName: "panel_<panelIndex>"` with a
 * `<panelIndex>:panel_<panelIndex>` reference (Kibana 8+).
 *
 * @example
 * ```ts
 * const dashboard = buildContactCenterDashboard('kibana-8.8');
 * dashboard.references.length; // 6
 * ```
 */
export function buildContactCenterDashboard(
  target: TargetName,
  attributeFields: readonly string[] = [],
): SavedObject {
  const profile = targetProfile(target);
  const references: SavedObjectReference[] = [];
  const panels = contactCenterLayout(attributeFields).map((placement, index) => {
    const panelIndex = String(index + 1);
    const panelRefName = profile.panelReferenceStyle === 'legacy' ? `panel_${index}` : `panel_${panelIndex}`;
    const referenceName =
      profile.panelReferenceStyle === 'legacy' ? panelRefName : `${panelIndex}:${panelRefName}`;
    references.push({ name: referenceName, type: 'visualization', id: placement.visualizationId });
    return {
      version: profile.panelVersion,
      gridData: { x: placement.x, y: placement.y, w: placement.w, h: placement.h, i: panelIndex },
      panelIndex,
      embeddableConfig: {},
      panelRefName,
    };
  });
  return withObjectVersions(profile, {
    type: 'dashboard',
    id: SAVED_OBJECT_IDS.dashboard,
    attributes: {
      title: 'Contact center',
      description:
        attributeFields.length === 0
          ? 'Amazon Connect contact trace records: calls per day, channel and queue, abandoned contacts, unknown callers and caller lookup failures.'
          : 'Amazon Connect contact trace records: calls per day, channel and queue, abandoned contacts, unknown callers, caller lookup failures and calls per contact attribute.',
      hits: 0,
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ useMargins: true, hidePanelTitles: false }),
      version: 1,
      timeRestore: true,
      timeFrom: 'now-30d',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
      },
    },
    references,
  });
}
