import type { ChannelName } from './contact-center.js';
import type { SimulatedRecord } from './record-types.js';

/** One row of the expected "Calls per day" table. */
export interface GroundTruthDay {
  /** UTC day of LastUpdateTimestamp, `yyyy-mm-dd` (the Kibana date_histogram bucket). */
  readonly date: string;
  /** Distinct ContactIds having at least one record this day: the expected unique count. */
  readonly distinctContacts: number;
  /** Records (documents) whose LastUpdateTimestamp falls on this day, duplicates and updates included. */
  readonly records: number;
}

/** What the simulation contains, counted while generating it: the expected results downstream. */
export interface GroundTruth {
  /** Sorted by date; days without records are absent. */
  readonly days: readonly GroundTruthDay[];
  readonly totals: {
    /** Every record in the stream (= documents expected in Elasticsearch when nothing fails). */
    readonly records: number;
    readonly originalRecords: number;
    /** Re-published records: same ContactId, later LastUpdateTimestamp, one more attribute. */
    readonly updateRecords: number;
    /** Byte-identical repeats of another record (at-least-once delivery). */
    readonly duplicateRecords: number;
    /** Distinct ContactIds (transfer and callback legs are contacts of their own, as in Connect). */
    readonly distinctContacts: number;
    readonly distinctContactsByChannel: Readonly<Record<ChannelName, number>>;
    readonly recordsByChannel: Readonly<Record<ChannelName, number>>;
    /** Distinct ContactIds enqueued, never connected to an agent, ended by the customer (no callback). */
    readonly abandonedContacts: number;
    /** Records whose CustomerEndpoint is a TELEPHONE_NUMBER listed in the caller directory (should be enriched with a name). */
    readonly recordsWithKnownCaller: number;
    /** Records whose CustomerEndpoint is a TELEPHONE_NUMBER not in the directory. */
    readonly recordsWithUnknownCaller: number;
    /** Records without a phone number to look up (chats, tasks): CustomerEndpoint null. */
    readonly recordsWithoutPhoneNumber: number;
    /** VOICE records with a CustomerEndpoint phone number. */
    readonly voiceRecordsWithPhoneNumber: number;
    /** Distinct directory numbers that called or were called. */
    readonly distinctKnownCallers: number;
    /** Distinct numbers not in the directory. */
    readonly distinctUnknownCallers: number;
  };
}

/** Counts the ground truth of a record list against the caller directory. */
export function countGroundTruth(
  records: readonly SimulatedRecord[],
  directory: ReadonlyMap<string, string>,
): GroundTruth {
  const counter = new GroundTruthCounter(directory);
  for (const record of records) counter.add(record);
  return counter.result();
}

/**
 * The ground truth counted one record at a time, for traffic that is never held whole (the live simulation): it keeps
 * ContactIds and phone numbers, not records.
 */
export class GroundTruthCounter {
  readonly #directory: ReadonlyMap<string, string>;
  readonly #contactsPerDay = new Map<string, Set<string>>();
  readonly #recordsPerDay = new Map<string, number>();
  readonly #contacts = new Set<string>();
  readonly #contactsByChannel: Record<ChannelName, Set<string>> = {
    VOICE: new Set(),
    CHAT: new Set(),
    TASK: new Set(),
  };
  readonly #recordsByChannel: Record<ChannelName, number> = { VOICE: 0, CHAT: 0, TASK: 0 };
  readonly #abandoned = new Set<string>();
  readonly #knownCallers = new Set<string>();
  readonly #unknownCallers = new Set<string>();
  #records = 0;
  #originalRecords = 0;
  #updateRecords = 0;
  #duplicateRecords = 0;
  #recordsWithKnownCaller = 0;
  #recordsWithUnknownCaller = 0;
  #recordsWithoutPhoneNumber = 0;
  #voiceRecordsWithPhoneNumber = 0;

  constructor(directory: ReadonlyMap<string, string>) {
    this.#directory = directory;
  }

  add({ record, day, kind }: SimulatedRecord): void {
    this.#records++;
    let dayContacts = this.#contactsPerDay.get(day);
    if (!dayContacts) {
      dayContacts = new Set();
      this.#contactsPerDay.set(day, dayContacts);
    }
    dayContacts.add(record.ContactId);
    this.#recordsPerDay.set(day, (this.#recordsPerDay.get(day) ?? 0) + 1);
    this.#contacts.add(record.ContactId);
    this.#contactsByChannel[record.Channel].add(record.ContactId);
    this.#recordsByChannel[record.Channel]++;
    if (kind === 'original') this.#originalRecords++;
    else if (kind === 'update') this.#updateRecords++;
    else this.#duplicateRecords++;
    // Enqueued, never connected to an agent (ctr.md 1.11), not sent on, and ended by the customer: records of the
    // 2018 shape have no DisconnectReason, and their abandoned calls count too.
    if (
      record.Queue !== null &&
      record.Agent === null &&
      record.NextContactId === null &&
      (record.DisconnectReason === 'CUSTOMER_DISCONNECT' || record.DisconnectReason === undefined)
    ) {
      this.#abandoned.add(record.ContactId);
    }
    const phone = record.CustomerEndpoint?.Address;
    if (phone === undefined || phone === '') {
      this.#recordsWithoutPhoneNumber++;
      return;
    }
    if (record.Channel === 'VOICE') this.#voiceRecordsWithPhoneNumber++;
    if (this.#directory.has(phone)) {
      this.#recordsWithKnownCaller++;
      this.#knownCallers.add(phone);
    } else {
      this.#recordsWithUnknownCaller++;
      this.#unknownCallers.add(phone);
    }
  }

  result(): GroundTruth {
    return {
      days: [...this.#contactsPerDay.keys()].sort().map((date) => ({
        date,
        distinctContacts: this.#contactsPerDay.get(date)!.size,
        records: this.#recordsPerDay.get(date) ?? 0,
      })),
      totals: {
        records: this.#records,
        originalRecords: this.#originalRecords,
        updateRecords: this.#updateRecords,
        duplicateRecords: this.#duplicateRecords,
        distinctContacts: this.#contacts.size,
        distinctContactsByChannel: {
          VOICE: this.#contactsByChannel.VOICE.size,
          CHAT: this.#contactsByChannel.CHAT.size,
          TASK: this.#contactsByChannel.TASK.size,
        },
        recordsByChannel: { ...this.#recordsByChannel },
        abandonedContacts: this.#abandoned.size,
        recordsWithKnownCaller: this.#recordsWithKnownCaller,
        recordsWithUnknownCaller: this.#recordsWithUnknownCaller,
        recordsWithoutPhoneNumber: this.#recordsWithoutPhoneNumber,
        voiceRecordsWithPhoneNumber: this.#voiceRecordsWithPhoneNumber,
        distinctKnownCallers: this.#knownCallers.size,
        distinctUnknownCallers: this.#unknownCallers.size,
      },
    };
  }
}
