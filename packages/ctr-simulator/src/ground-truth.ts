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
  const contactsPerDay = new Map<string, Set<string>>();
  const recordsPerDay = new Map<string, number>();
  const contacts = new Set<string>();
  const contactsByChannel: Record<ChannelName, Set<string>> = {
    VOICE: new Set(),
    CHAT: new Set(),
    TASK: new Set(),
  };
  const recordsByChannel: Record<ChannelName, number> = { VOICE: 0, CHAT: 0, TASK: 0 };
  const abandoned = new Set<string>();
  const knownCallers = new Set<string>();
  const unknownCallers = new Set<string>();
  let originalRecords = 0;
  let updateRecords = 0;
  let duplicateRecords = 0;
  let recordsWithKnownCaller = 0;
  let recordsWithUnknownCaller = 0;
  let recordsWithoutPhoneNumber = 0;
  let voiceRecordsWithPhoneNumber = 0;

  for (const { record, day, kind } of records) {
    let dayContacts = contactsPerDay.get(day);
    if (!dayContacts) {
      dayContacts = new Set();
      contactsPerDay.set(day, dayContacts);
    }
    dayContacts.add(record.ContactId);
    recordsPerDay.set(day, (recordsPerDay.get(day) ?? 0) + 1);
    contacts.add(record.ContactId);
    contactsByChannel[record.Channel].add(record.ContactId);
    recordsByChannel[record.Channel]++;
    if (kind === 'original') originalRecords++;
    else if (kind === 'update') updateRecords++;
    else duplicateRecords++;
    if (
      record.Queue !== null &&
      record.Agent === null &&
      record.NextContactId === null &&
      record.DisconnectReason === 'CUSTOMER_DISCONNECT'
    ) {
      abandoned.add(record.ContactId);
    }
    const phone = record.CustomerEndpoint?.Address;
    if (phone === undefined || phone === '') {
      recordsWithoutPhoneNumber++;
      continue;
    }
    if (record.Channel === 'VOICE') voiceRecordsWithPhoneNumber++;
    if (directory.has(phone)) {
      recordsWithKnownCaller++;
      knownCallers.add(phone);
    } else {
      recordsWithUnknownCaller++;
      unknownCallers.add(phone);
    }
  }

  return {
    days: [...contactsPerDay.keys()].sort().map((date) => ({
      date,
      distinctContacts: contactsPerDay.get(date)!.size,
      records: recordsPerDay.get(date) ?? 0,
    })),
    totals: {
      records: records.length,
      originalRecords,
      updateRecords,
      duplicateRecords,
      distinctContacts: contacts.size,
      distinctContactsByChannel: {
        VOICE: contactsByChannel.VOICE.size,
        CHAT: contactsByChannel.CHAT.size,
        TASK: contactsByChannel.TASK.size,
      },
      recordsByChannel,
      abandonedContacts: abandoned.size,
      recordsWithKnownCaller,
      recordsWithUnknownCaller,
      recordsWithoutPhoneNumber,
      voiceRecordsWithPhoneNumber,
      distinctKnownCallers: knownCallers.size,
      distinctUnknownCallers: unknownCallers.size,
    },
  };
}
