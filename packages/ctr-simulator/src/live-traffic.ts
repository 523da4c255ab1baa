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

/**
 * How long before the contact center's midnight `generateAhead` may start on the next day: the evening's idle
 * moments are enough for a day of 100,000 contacts (about 4 s of generation), and little of the current day is
 * still held by then.
 */
const GENERATE_AHEAD_SECONDS = 4 * 3600;

/** The records of a live simulation: iterable once, and able to generate the next day while the caller waits. */
export interface LiveRecords extends Iterable<SimulatedRecord> {
  /**
   * Generates part of the next day's records ahead of need, for about `milliseconds` (at least one contact); call it
   * while waiting for the next record's time, as `sendLiveTraffic` does. Without it a day is generated when its
   * first record is asked for, which holds the caller for seconds at high volumes. Returns true while there is
   * more to do now; false once the next day is ready, or before its generation may start (in the last 4 hours
   * before the contact center's midnight, so that two whole days are never held at once).
   */
  generateAhead(milliseconds: number): boolean;
}

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
   * original), without end. Records are generated a day at a time: when the previous day's are used up, or
   * earlier, in pieces, through `generateAhead`.
   */
  readonly records: LiveRecords;
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

  // The day the iteration generates next, and the LastUpdateTimestamp from which generating it ahead may start.
  let nextLocalMidnight = firstLocalMidnight;
  let aheadFrom: string | undefined;
  let lastYielded: string | undefined;
  let ahead:
    | {
        localMidnight: number;
        contacts: Generator<GeneratedEntry[], void, undefined>;
        entries: GeneratedEntry[];
      }
    | undefined;
  let aheadDone = false;

  function generateAhead(milliseconds: number): boolean {
    if (aheadDone || aheadFrom === undefined || lastYielded === undefined || lastYielded < aheadFrom)
      return false;
    ahead ??= {
      localMidnight: nextLocalMidnight,
      contacts: generator.dayContacts(nextLocalMidnight, Number.POSITIVE_INFINITY),
      entries: [],
    };
    const deadline = performance.now() + milliseconds;
    do {
      const step = ahead.contacts.next();
      if (step.done) {
        ahead.entries.sort(byDeliveryOrder);
        aheadDone = true;
        return false;
      }
      for (const entry of step.value) ahead.entries.push(entry);
    } while (performance.now() < deadline);
    return true;
  }

  /** The entries of the day starting at `localMidnight`, sorted: what `generateAhead` made of it, completed. */
  function generateDay(localMidnight: number): GeneratedEntry[] {
    if (ahead === undefined || ahead.localMidnight !== localMidnight)
      return generator.day(localMidnight, Number.POSITIVE_INFINITY).sort(byDeliveryOrder);
    const { contacts, entries } = ahead;
    if (!aheadDone) {
      for (let step = contacts.next(); !step.done; step = contacts.next())
        for (const entry of step.value) entries.push(entry);
      entries.sort(byDeliveryOrder);
    }
    ahead = undefined;
    aheadDone = false;
    return entries;
  }

  function* records(): Generator<SimulatedRecord> {
    let pending: GeneratedEntry[] = [];
    for (let localMidnight = firstLocalMidnight; ; localMidnight += SECONDS_PER_DAY) {
      // Both sorted: the sort merges two runs.
      for (const entry of generateDay(localMidnight)) pending.push(entry);
      pending.sort(byDeliveryOrder);
      // Every record of a later day is dated at or after that day's start: those before it are final.
      const nextDayStartSeconds = localMidnight + SECONDS_PER_DAY - offsetSeconds;
      const nextDayStart = formatCtrTimestamp(nextDayStartSeconds);
      nextLocalMidnight = localMidnight + SECONDS_PER_DAY;
      aheadFrom = formatCtrTimestamp(nextDayStartSeconds - GENERATE_AHEAD_SECONDS);
      let settled = 0;
      while (settled < pending.length && pending[settled]!.record.LastUpdateTimestamp < nextDayStart)
        settled++;
      const ready: (GeneratedEntry | undefined)[] = pending.slice(0, settled);
      pending = pending.slice(settled);
      for (let index = 0; index < ready.length; index++) {
        const entry = ready[index]!;
        // Released as it goes: the day ahead is generated while the rest of this one is held.
        ready[index] = undefined;
        // Drawn for every record, so the records after `from` do not depend on when the simulation started.
        const duplicate = duplicateRandom.chance(duplicateRate);
        if (entry.record.LastUpdateTimestamp < fromTimestamp) continue;
        const simulated = toSimulatedRecord(entry);
        lastYielded = entry.record.LastUpdateTimestamp;
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
      generateAhead,
    },
    callerDirectory: generator.callerDirectory,
    contactCenter: generator.contactCenter,
    options: { ...rest, from: fromTimestamp },
  };
}
