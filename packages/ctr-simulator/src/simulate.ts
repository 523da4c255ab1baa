import { drawBusinessSecondOfDay, drawSecondOfDay, isWeekend } from './arrival-curve.js';
import { type CallerDirectory, generateCallerDirectory } from './caller-directory.js';
import { stringifyWithSortedKeys } from './canonical-json.js';
import { type ChannelName, createContactCenter, type SimulatedContactCenter } from './contact-center.js';
import { type CallerChoice, type ContactGeneratorContext, generateContact } from './contact-generator.js';
import { SimulationOptionsError } from './errors.js';
import { countGroundTruth, type GroundTruth } from './ground-truth.js';
import {
  type CountryCodeMix,
  countryCodeMixProblems,
  DEFAULT_COUNTRY_CODE_MIX,
  generatePhoneNumber,
} from './phone-numbers.js';
import { createRandom, type Random } from './random.js';
import type { GeneratedContactTraceRecord, SimulatedRecord, SimulatedRecordKind } from './record-types.js';
import { formatCtrTimestamp, parseIsoDate, SECONDS_PER_DAY, utcDayOf } from './timestamps.js';

/** Options of {@link simulateContactTraffic}. Only `startDate` is required. */
export interface SimulationOptions {
  /** First simulated day, `yyyy-mm-dd`, in the contact center's local time (see `utcOffsetMinutes`). */
  startDate: string;
  /** Number of days to simulate, 1 to 366. Default 7. */
  days?: number;
  /** Contacts arriving on an average weekday (weekends get `weekendFactor` of it), 0 to 100,000. Default 200. */
  contactsPerDay?: number;
  /** Seed of the generator: the same seed and options give the same bytes. Default 1. */
  seed?: number;
  /** Weekend volume relative to a weekday, 0 to 1. Default 0.3. */
  weekendFactor?: number;
  /** The contact center's clock relative to UTC in minutes (600 for Sydney AEST). Default 0. */
  utcOffsetMinutes?: number;
  /** Relative weights of the channels. Default `{ VOICE: 0.7, CHAT: 0.2, TASK: 0.1 }`. */
  channelMix?: Partial<Record<ChannelName, number>>;
  /** Country calling codes of callers with relative weights. Default `{ '61': 0.85, '64': 0.05, '44': 0.05, '1': 0.05 }`. */
  countryCodeMix?: CountryCodeMix;
  /** Numbers in the generated caller directory. Default `max(50, contactsPerDay)`. */
  callerDirectorySize?: number;
  /** Share of voice contacts whose number is in the directory (repeat callers). Default 0.7. */
  knownCallerShare?: number;
  /** Share of queued inbound voice and chat contacts abandoned by the customer. Default 0.07. */
  abandonRate?: number;
  /** Share of agent-handled voice and chat contacts transferred to another agent or queue. Default 0.08. */
  transferRate?: number;
  /** Share of inbound voice contacts that leave the queue for a callback. Default 0.04. */
  callbackRate?: number;
  /** Share of voice contacts that are agent-initiated outbound calls (business hours). Default 0.12. */
  outboundShare?: number;
  /** Share of contacts re-published later with one more attribute (same ContactId). Default 0.05. */
  updateRate?: number;
  /** Share of records delivered twice, byte-identical. Default 0.01. */
  duplicateRate?: number;
  /** Share of voice records in the 2018 shape (newer fields absent, like the tutorial's sample). Default 0.02. */
  legacyRecordShare?: number;
  /** AWS region of the simulated instance ARN. Default `ap-southeast-2` (the tutorial's). */
  region?: string;
  /** Agents in the contact center. Default `clamp(ceil(contactsPerDay / 25), 4, 500)`. */
  agentCount?: number;
}

/** The options with every default applied. */
export type ResolvedSimulationOptions = Required<SimulationOptions> & {
  channelMix: Record<ChannelName, number>;
};

/** The result of {@link simulateContactTraffic}. */
export interface Simulation {
  /** Every record in delivery order (by LastUpdateTimestamp; a duplicate follows its original). */
  readonly records: readonly SimulatedRecord[];
  /** The directory of known callers (phone -> name), for the directory server. */
  readonly callerDirectory: CallerDirectory;
  /** Expected counts: distinct contacts per UTC day, totals. */
  readonly groundTruth: GroundTruth;
  /** The simulated instance: account, queues, routing profiles, agents. */
  readonly contactCenter: SimulatedContactCenter;
  readonly options: ResolvedSimulationOptions;
}

const UPDATE_ATTRIBUTES: readonly [string, (random: Random) => string][] = [
  ['GreetingPlayed', () => 'true'],
  ['postCallSurveyScore', (random) => String(random.integer(1, 5))],
  ['caseNumber', (random) => `CS-${random.digits(6)}`],
  ['crmSynced', () => 'true'],
];
/** A greeting is played to inbound callers only: other contacts get another attribute that draws nothing either. */
const NO_GREETING_ATTRIBUTES: readonly [string, (random: Random) => string][] = [
  ['surveyOffered', () => 'true'],
  ...UPDATE_ATTRIBUTES.slice(1),
];
const GREETED = new Set(['INBOUND', 'TRANSFER', 'QUEUE_TRANSFER']);

function updateAttributesFor(
  record: GeneratedContactTraceRecord,
): readonly [string, (random: Random) => string][] {
  return record.Channel === 'VOICE' && GREETED.has(record.InitiationMethod)
    ? UPDATE_ATTRIBUTES
    : NO_GREETING_ATTRIBUTES;
}

function checkNumber(
  problems: string[],
  name: string,
  value: number,
  min: number,
  max: number,
  integer: boolean,
): void {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    problems.push(
      `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${String(value)})`,
    );
  }
}

/**
 * Applies the defaults and validates every option; throws `SimulationOptionsError` listing all problems.
 *
 * @example
 * ```ts
 * resolveSimulationOptions({ startDate: '2024-03-04' }).contactsPerDay; // 200
 * ```
 */
export function resolveSimulationOptions(options: SimulationOptions): ResolvedSimulationOptions {
  const contactsPerDay = options.contactsPerDay ?? 200;
  const resolved: ResolvedSimulationOptions = {
    startDate: options.startDate,
    days: options.days ?? 7,
    contactsPerDay,
    seed: options.seed ?? 1,
    weekendFactor: options.weekendFactor ?? 0.3,
    utcOffsetMinutes: options.utcOffsetMinutes ?? 0,
    channelMix: { VOICE: 0.7, CHAT: 0.2, TASK: 0.1, ...options.channelMix },
    countryCodeMix: options.countryCodeMix ?? DEFAULT_COUNTRY_CODE_MIX,
    callerDirectorySize: options.callerDirectorySize ?? Math.max(50, Math.round(contactsPerDay)),
    knownCallerShare: options.knownCallerShare ?? 0.7,
    abandonRate: options.abandonRate ?? 0.07,
    transferRate: options.transferRate ?? 0.08,
    callbackRate: options.callbackRate ?? 0.04,
    outboundShare: options.outboundShare ?? 0.12,
    updateRate: options.updateRate ?? 0.05,
    duplicateRate: options.duplicateRate ?? 0.01,
    legacyRecordShare: options.legacyRecordShare ?? 0.02,
    region: options.region ?? 'ap-southeast-2',
    agentCount: options.agentCount ?? Math.min(500, Math.max(4, Math.ceil(contactsPerDay / 25))),
  };
  const problems: string[] = [];
  if (typeof resolved.startDate !== 'string' || parseIsoDate(resolved.startDate) === undefined) {
    problems.push(`startDate must be a real date as yyyy-mm-dd (got ${JSON.stringify(resolved.startDate)})`);
  }
  checkNumber(problems, 'days', resolved.days, 1, 366, true);
  checkNumber(problems, 'contactsPerDay', resolved.contactsPerDay, 0, 100_000, true);
  checkNumber(problems, 'seed', resolved.seed, 0, 4_294_967_295, true);
  checkNumber(problems, 'weekendFactor', resolved.weekendFactor, 0, 1, false);
  checkNumber(problems, 'utcOffsetMinutes', resolved.utcOffsetMinutes, -720, 840, true);
  checkNumber(problems, 'callerDirectorySize', resolved.callerDirectorySize, 1, 1_000_000, true);
  checkNumber(problems, 'agentCount', resolved.agentCount, 4, 10_000, true);
  for (const name of [
    'knownCallerShare',
    'abandonRate',
    'transferRate',
    'callbackRate',
    'outboundShare',
    'updateRate',
    'duplicateRate',
    'legacyRecordShare',
  ] as const) {
    checkNumber(problems, name, resolved[name], 0, 1, false);
  }
  const channels = Object.entries(resolved.channelMix);
  for (const [channel, weight] of channels) {
    if (!['VOICE', 'CHAT', 'TASK'].includes(channel))
      problems.push(`channelMix has an unknown channel "${channel}" (use VOICE, CHAT, TASK)`);
    if (!(Number.isFinite(weight) && weight >= 0))
      problems.push(`channelMix.${channel} must be a number >= 0 (got ${String(weight)})`);
  }
  if (!(channels.reduce((sum, [, weight]) => sum + weight, 0) > 0))
    problems.push('channelMix weights add up to 0');
  problems.push(
    ...countryCodeMixProblems(resolved.countryCodeMix).map((problem) => `countryCodeMix: ${problem}`),
  );
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(resolved.region))
    problems.push(`region must look like ap-southeast-2 (got ${JSON.stringify(resolved.region)})`);
  if (problems.length > 0) throw new SimulationOptionsError(problems);
  return resolved;
}

/** Draws known callers with a skew (a few frequent callers, a long tail) and unknown numbers. */
function createCallerPicker(
  random: Random,
  directory: CallerDirectory,
  knownShare: number,
  countryCodeMix: CountryCodeMix,
): () => CallerChoice {
  const known = [...directory.keys()];
  const unknownRepeat: string[] = [];
  return () => {
    if (known.length > 0 && random.chance(knownShare)) {
      return { phone: known[Math.floor(known.length * random.next() ** 2.2)]! };
    }
    if (unknownRepeat.length > 0 && random.chance(0.25)) return { phone: random.pick(unknownRepeat) };
    let phone = generatePhoneNumber(random, random.weighted(countryCodeMix));
    while (directory.has(phone)) phone = generatePhoneNumber(random, random.weighted(countryCodeMix));
    unknownRepeat.push(phone);
    return { phone };
  };
}

/** A generated record before delivery order is settled: `order` breaks ties of LastUpdateTimestamp. */
export interface GeneratedEntry {
  readonly record: GeneratedContactTraceRecord;
  readonly kind: SimulatedRecordKind;
  readonly order: number;
}

/** The seeded generator both the batch and the live simulation draw from, day after day. */
interface TrafficGenerator {
  readonly contactCenter: SimulatedContactCenter;
  readonly callerDirectory: CallerDirectory;
  /** The stream behind updates and duplicates, after the contact streams. */
  readonly deliveryRandom: Random;
  /**
   * The contacts arriving on the local day that starts at `localMidnight` (epoch seconds, as if UTC) with their
   * re-published updates, which are never dated at or after `updatesBefore` (epoch seconds).
   */
  day(localMidnight: number, updatesBefore: number): GeneratedEntry[];
  /**
   * The same entries as `day`, a contact at a time (its records and updates in one array), drawn as they are
   * asked for: generation can be spread over idle moments. Draw each day to its end before starting another.
   */
  dayContacts(localMidnight: number, updatesBefore: number): Generator<GeneratedEntry[], void, undefined>;
}

/**
 * The generator of a simulation. `streams` labels the traffic's own random streams (callers, contacts, updates):
 * the live simulation labels them with its first day, so its ContactIds are not those of a batch simulation (or of
 * another day's live run) with the same seed, while the contact center and the caller directory stay the same.
 */
export function createTrafficGenerator(
  resolved: ResolvedSimulationOptions,
  streams?: string,
): TrafficGenerator {
  const root = createRandom(resolved.seed);
  const centerRandom = root.fork('contact-center');
  const directoryRandom = root.fork('caller-directory');
  const labelled = (random: Random) => (streams === undefined ? random : random.fork(streams));
  const callerRandom = labelled(root.fork('callers'));
  const trafficRandom = labelled(root.fork('traffic'));
  const deliveryRandom = labelled(root.fork('delivery'));

  const contactCenter = createContactCenter(centerRandom, {
    region: resolved.region,
    agentCount: resolved.agentCount,
  });
  const callerDirectory = generateCallerDirectory(
    directoryRandom,
    resolved.callerDirectorySize,
    resolved.countryCodeMix,
  );
  const context: ContactGeneratorContext = {
    random: trafficRandom,
    center: contactCenter,
    behaviour: resolved,
    pickCaller: createCallerPicker(
      callerRandom,
      callerDirectory,
      resolved.knownCallerShare,
      resolved.countryCodeMix,
    ),
  };
  const offsetSeconds = resolved.utcOffsetMinutes * 60;
  let order = 0;

  function* dayContacts(
    localMidnight: number,
    updatesBefore: number,
  ): Generator<GeneratedEntry[], void, undefined> {
    const weekend = isWeekend(localMidnight);
    const volume =
      resolved.contactsPerDay * (weekend ? resolved.weekendFactor : 1) * (0.9 + 0.2 * trafficRandom.next());
    const contactCount = Math.round(volume);
    const arrivals: { at: number; channel: ChannelName; business: boolean }[] = [];
    for (let index = 0; index < contactCount; index++) {
      const channel = trafficRandom.weighted(resolved.channelMix);
      // Tasks are created by back-office systems and staff during business hours on weekdays.
      const business = channel === 'TASK' && !weekend;
      const second = business
        ? drawBusinessSecondOfDay(trafficRandom)
        : drawSecondOfDay(trafficRandom, weekend);
      arrivals.push({ at: localMidnight - offsetSeconds + second, channel, business });
    }
    arrivals.sort((left, right) => left.at - right.at);
    for (const arrival of arrivals) {
      const localHour = Math.floor((arrival.at + offsetSeconds - localMidnight) / 3600);
      const busy = !weekend && ((localHour >= 9 && localHour < 12) || (localHour >= 13 && localHour < 16));
      const outboundAllowed = !weekend && localHour >= 9 && localHour < 17;
      const records = generateContact(context, arrival.channel, arrival.at, { busy, outboundAllowed });
      const generated: GeneratedEntry[] = records.map((record) => ({
        record,
        kind: 'original',
        order: order++,
      }));

      // Re-published updates: the last segment again, later, with one more attribute (ctr.md §1.1).
      if (deliveryRandom.chance(resolved.updateRate)) {
        let previous = records[records.length - 1]!;
        const updateCount = deliveryRandom.chance(0.3) ? 2 : 1;
        for (let update = 0; update < updateCount; update++) {
          const previousAt = Date.parse(previous.LastUpdateTimestamp) / 1000;
          const delay = deliveryRandom.chance(0.3)
            ? deliveryRandom.integer(1, 3) * SECONDS_PER_DAY + deliveryRandom.integer(0, 7200)
            : deliveryRandom.integer(300, 6 * 3600);
          // An update due after the period is not sent in it (it was once held at the period's last second, a
          // spike of updates there).
          const updatedAt = previousAt + delay;
          if (updatedAt >= updatesBefore) break;
          const attributeEntry = updateAttributesFor(previous).find(([key]) => !(key in previous.Attributes));
          if (!attributeEntry) break;
          const [key, value] = attributeEntry;
          const next: GeneratedContactTraceRecord = {
            ...structuredClone(previous),
            Attributes: { ...previous.Attributes, [key]: value(deliveryRandom) },
            LastUpdateTimestamp: formatCtrTimestamp(updatedAt),
          };
          generated.push({ record: next, kind: 'update', order: order++ });
          previous = next;
        }
      }
      yield generated;
    }
  }

  const day = (localMidnight: number, updatesBefore: number): GeneratedEntry[] => {
    const generated: GeneratedEntry[] = [];
    for (const contact of dayContacts(localMidnight, updatesBefore)) generated.push(...contact);
    return generated;
  };

  return { contactCenter, callerDirectory, deliveryRandom, day, dayContacts };
}

/** Delivery order: by LastUpdateTimestamp, generation order on ties. */
export function byDeliveryOrder(left: GeneratedEntry, right: GeneratedEntry): number {
  return left.record.LastUpdateTimestamp < right.record.LastUpdateTimestamp
    ? -1
    : left.record.LastUpdateTimestamp > right.record.LastUpdateTimestamp
      ? 1
      : left.order - right.order;
}

export function toSimulatedRecord({ record, kind }: GeneratedEntry): SimulatedRecord {
  return {
    contactId: record.ContactId,
    day: utcDayOf(record.LastUpdateTimestamp),
    kind,
    data: stringifyWithSortedKeys(record),
    record,
  };
}

/**
 * Generates N days of realistic Amazon Connect contact trace records, deterministically from a seed:
 * a business-hours arrival curve with quieter weekends, VOICE/CHAT/TASK, inbound, outbound,
 * transfers, callbacks, abandoned contacts, holds, after-contact work, recordings, repeat callers
 * from a generated directory plus unknown numbers, re-published updates and duplicate deliveries.
 * Returns the records, the caller directory and the ground truth (distinct contacts per UTC day).
 * Throws `SimulationOptionsError` on invalid options.
 *
 * @example
 * ```ts
 * const simulation = simulateContactTraffic({ startDate: '2024-03-04', days: 7, contactsPerDay: 200, seed: 42 });
 * console.log(simulation.records.length, simulation.groundTruth.days);
 * ```
 */
export function simulateContactTraffic(options: SimulationOptions): Simulation {
  const steps = simulationSteps(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `simulateContactTraffic`, giving the event loop a turn between days and every 1,000 records: the same records,
 * while signals, timers and I/O are served (a day of 20,000 contacts takes about 2 s to generate here, and a
 * Ctrl-C must not wait for the whole period). Rejects with `SimulationOptionsError` on invalid options.
 */
export async function simulateContactTrafficAsync(options: SimulationOptions): Promise<Simulation> {
  const steps = simulationSteps(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The work of a simulation, in steps: each `yield` is a point where the caller may let other work run. */
function* simulationSteps(options: SimulationOptions): Generator<undefined, Simulation, undefined> {
  const resolved = resolveSimulationOptions(options);
  const generator = createTrafficGenerator(resolved);
  const firstLocalMidnight = parseIsoDate(resolved.startDate)!;
  const periodEnd = firstLocalMidnight + resolved.days * SECONDS_PER_DAY - resolved.utcOffsetMinutes * 60;
  const generated: GeneratedEntry[] = [];
  for (let dayIndex = 0; dayIndex < resolved.days; dayIndex++) {
    for (const entry of generator.day(firstLocalMidnight + dayIndex * SECONDS_PER_DAY, periodEnd))
      generated.push(entry);
    yield;
  }

  // Duplicates follow their original.
  generated.sort(byDeliveryOrder);
  const records: SimulatedRecord[] = [];
  for (const [index, entry] of generated.entries()) {
    const simulated = toSimulatedRecord(entry);
    records.push(simulated);
    if (generator.deliveryRandom.chance(resolved.duplicateRate))
      records.push({ ...simulated, kind: 'duplicate' });
    if (index % 1_000 === 999) yield;
  }

  return {
    records,
    callerDirectory: generator.callerDirectory,
    groundTruth: countGroundTruth(records, generator.callerDirectory),
    contactCenter: generator.contactCenter,
    options: resolved,
  };
}
