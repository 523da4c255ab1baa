import type { CallerDirectory } from './caller-directory.js';
import type { SimulatedContactCenter } from './contact-center.js';
import { SimulationOptionsError } from './errors.js';
import { createRandom } from './random.js';
import type { SimulatedRecord } from './record-types.js';
import {
  byDeliveryOrder,
  createTrafficGenerator,
  type GeneratedEntry,
  type ResolvedSimulationOptions,
  resolveSimulationOptions,
  type SimulationOptions,
  toSimulatedRecord,
} from './simulate.js';
import { formatCtrTimestamp, SECONDS_PER_DAY } from './timestamps.js';

/**
 * Days generated before the one `from` falls on: contacts that span midnight and updates re-published a day later
 * then arrive as they would have. Updates of older contacts (up to three days later) are left out: each day costs
 * its generation time at start.
 */
const LOOKBACK_DAYS = 1;

/** Options of {@link simulateLiveTraffic}: those of the batch simulation, without its period. */
export interface LiveTrafficOptions extends Omit<SimulationOptions, 'startDate' | 'days'> {
  /** The start (a Date or epoch milliseconds): records dated before it are left out. */
  from: Date | number;
}

/** The options of a live simulation with every default applied. */
export type ResolvedLiveTrafficOptions = Omit<ResolvedSimulationOptions, 'startDate' | 'days'> & {
  /** The start, as a CTR timestamp (second precision). */
  readonly from: string;
};

/** The result of {@link simulateLiveTraffic}. */
export interface LiveTraffic {
  /**
   * Every record dated at or after `from`, in delivery order (by LastUpdateTimestamp; a duplicate follows its
   * original), without end. Records are generated a day at a time, when the previous day's are used up.
   */
  readonly records: Iterable<SimulatedRecord>;
  /** The directory of known callers (phone -> name), the same as the batch simulation's with these options. */
  readonly callerDirectory: CallerDirectory;
  readonly contactCenter: SimulatedContactCenter;
  readonly options: ResolvedLiveTrafficOptions;
}

/**
 * Contact-center traffic from now on, for sending as it happens: the batch simulation's model, days and seed, with
 * each record dated when its contact ends. Started at any time of the same day (the contact center's), the same
 * seed and options give the same records for the same moments. Throws `SimulationOptionsError` on invalid options.
 *
 * @example
 * ```ts
 * const live = simulateLiveTraffic({ from: Date.now(), contactsPerDay: 2000, seed: 7 });
 * for (const record of live.records) {
 *   // wait until Date.parse(record.record.LastUpdateTimestamp), then send record.data
 * }
 * ```
 */
export function simulateLiveTraffic(options: LiveTrafficOptions): LiveTraffic {
  const { from, ...model } = (options ?? {}) as LiveTrafficOptions;
  const fromMilliseconds = from instanceof Date ? from.getTime() : from;
  const problems: string[] = [];
  if (typeof fromMilliseconds !== 'number' || !Number.isFinite(fromMilliseconds))
    problems.push(`from must be a valid Date or epoch milliseconds (got ${String(from)})`);
  let resolved: ResolvedSimulationOptions | undefined;
  try {
    // The period is set below, once the offset is known to be valid.
    resolved = resolveSimulationOptions({ ...model, startDate: '2000-01-01', days: 1 });
  } catch (error) {
    if (!(error instanceof SimulationOptionsError)) throw error;
    problems.push(...error.problems);
  }
  // Without contacts the records would never come: the iteration would look for them forever.
  if (resolved !== undefined && resolved.contactsPerDay < 1)
    problems.push(`contactsPerDay must be at least 1 for live traffic (got ${resolved.contactsPerDay})`);
  if (problems.length > 0 || resolved === undefined) throw new SimulationOptionsError(problems);
  const { duplicateRate } = resolved;

  const offsetSeconds = resolved.utcOffsetMinutes * 60;
  const fromSeconds = Math.ceil(fromMilliseconds / 1000);
  const fromTimestamp = formatCtrTimestamp(fromSeconds);
  const localDay = Math.floor((fromSeconds + offsetSeconds) / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const firstLocalMidnight = localDay - LOOKBACK_DAYS * SECONDS_PER_DAY;
  const generator = createTrafficGenerator(
    resolved,
    `live:${formatCtrTimestamp(firstLocalMidnight).slice(0, 10)}`,
  );
  const { startDate: _startDate, days: _days, ...rest } = resolved;
  const duplicateRandom = createRandom(resolved.seed).fork('live-duplicates');
  let iterated = false;

  function* records(): Generator<SimulatedRecord> {
    let pending: GeneratedEntry[] = [];
    for (let localMidnight = firstLocalMidnight; ; localMidnight += SECONDS_PER_DAY) {
      for (const entry of generator.day(localMidnight, Number.POSITIVE_INFINITY)) pending.push(entry);
      pending.sort(byDeliveryOrder);
      // Every record of a later day is dated at or after that day's start: those before it are final.
      const nextDayStart = formatCtrTimestamp(localMidnight + SECONDS_PER_DAY - offsetSeconds);
      let settled = 0;
      while (settled < pending.length && pending[settled]!.record.LastUpdateTimestamp < nextDayStart)
        settled++;
      const ready = pending.slice(0, settled);
      pending = pending.slice(settled);
      for (const entry of ready) {
        // Drawn for every record, so the records after `from` do not depend on when the simulation started.
        const duplicate = duplicateRandom.chance(duplicateRate);
        if (entry.record.LastUpdateTimestamp < fromTimestamp) continue;
        const simulated = toSimulatedRecord(entry);
        yield simulated;
        if (duplicate) yield { ...simulated, kind: 'duplicate' };
      }
    }
  }

  return {
    records: {
      [Symbol.iterator]: () => {
        if (iterated) throw new Error('the records of a live simulation can be iterated once');
        iterated = true;
        return records();
      },
    },
    callerDirectory: generator.callerDirectory,
    contactCenter: generator.contactCenter,
    options: { ...rest, from: fromTimestamp },
  };
}
