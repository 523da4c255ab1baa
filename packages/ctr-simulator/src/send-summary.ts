/** Counts of one UTC day (the `day` of the records sent). */
export interface SendDaySummary {
  readonly date: string;
  readonly records: number;
  readonly sent: number;
  readonly failed: number;
  /** Re-sends of this day's records after a failed attempt. */
  readonly retried: number;
}

/**
 * What {@link sendToFirehose} did. Always `records = sent + failed + unsent`; a record is counted
 * once however many attempts it took.
 */
export interface SendSummary {
  readonly deliveryStreamName: string;
  /** Records given. */
  readonly records: number;
  /** Records Firehose accepted (a RecordId came back). */
  readonly sent: number;
  /**
   * Records given up: oversize, failed on every attempt, refused, or in flight (or waiting for a retry) when aborted
   * (those in flight may have arrived).
   */
  readonly failed: number;
  /** Record re-sends (a record sent three times counts 2), the client's own retries of a request included. */
  readonly retried: number;
  /** Records never attempted because the send was aborted or stopped (waiting for the rate limit included). */
  readonly unsent: number;
  /**
   * PutRecordBatch requests made, retries included, the client's own too: what went on the wire (a call that found
   * no credentials to sign with made none).
   */
  readonly requests: number;
  /** Record bytes accepted (before base64). */
  readonly bytesSent: number;
  /** Final failures by reason: a Firehose ErrorCode, `RecordTooLarge`, `Aborted`, or an error name. */
  readonly failuresByReason: Readonly<Record<string, number>>;
  /** Per UTC day of the records that carry a `day`, sorted by date. */
  readonly perDay: readonly SendDaySummary[];
  readonly aborted: boolean;
  readonly durationMs: number;
}

/** Progress reported after every PutRecordBatch response. */
export interface SendProgress {
  readonly records: number;
  readonly sent: number;
  readonly failed: number;
  readonly retried: number;
  readonly requests: number;
  readonly elapsedMs: number;
}

interface MutableDay {
  records: number;
  sent: number;
  failed: number;
  retried: number;
}

/** Mutable counters behind a summary. */
export class SendCounters {
  sent = 0;
  failed = 0;
  retried = 0;
  requests = 0;
  bytesSent = 0;
  readonly failuresByReason: Record<string, number> = {};
  readonly #days = new Map<string, MutableDay>();
  readonly #records: number;

  constructor(records: number) {
    this.#records = records;
  }

  #day(day: string | undefined): MutableDay | undefined {
    if (day === undefined) return undefined;
    let counts = this.#days.get(day);
    if (!counts) {
      counts = { records: 0, sent: 0, failed: 0, retried: 0 };
      this.#days.set(day, counts);
    }
    return counts;
  }

  registerRecord(day: string | undefined): void {
    const counts = this.#day(day);
    if (counts) counts.records++;
  }

  recordSent(day: string | undefined, bytes: number): void {
    this.sent++;
    this.bytesSent += bytes;
    const counts = this.#day(day);
    if (counts) counts.sent++;
  }

  recordFailed(day: string | undefined, reason: string): void {
    this.failed++;
    this.failuresByReason[reason] = (this.failuresByReason[reason] ?? 0) + 1;
    const counts = this.#day(day);
    if (counts) counts.failed++;
  }

  recordRetried(day: string | undefined): void {
    this.retried++;
    const counts = this.#day(day);
    if (counts) counts.retried++;
  }

  progress(elapsedMs: number): SendProgress {
    return {
      records: this.#records,
      sent: this.sent,
      failed: this.failed,
      retried: this.retried,
      requests: this.requests,
      elapsedMs,
    };
  }

  summary(deliveryStreamName: string, aborted: boolean, durationMs: number): SendSummary {
    return {
      deliveryStreamName,
      records: this.#records,
      sent: this.sent,
      failed: this.failed,
      retried: this.retried,
      unsent: this.#records - this.sent - this.failed,
      requests: this.requests,
      bytesSent: this.bytesSent,
      failuresByReason: { ...this.failuresByReason },
      perDay: [...this.#days.entries()]
        .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
        .map(([date, counts]) => ({ date, ...counts })),
      aborted,
      durationMs,
    };
  }
}

/** Two summaries of the same stream as one (a send in parts: the live simulation's batches). */
export function addSendSummaries(total: SendSummary, part: SendSummary): SendSummary {
  const failuresByReason: Record<string, number> = { ...total.failuresByReason };
  for (const [reason, count] of Object.entries(part.failuresByReason))
    failuresByReason[reason] = (failuresByReason[reason] ?? 0) + count;
  const days = new Map<string, SendDaySummary>(total.perDay.map((day) => [day.date, day]));
  for (const day of part.perDay) {
    const before = days.get(day.date);
    days.set(
      day.date,
      before === undefined
        ? day
        : {
            date: day.date,
            records: before.records + day.records,
            sent: before.sent + day.sent,
            failed: before.failed + day.failed,
            retried: before.retried + day.retried,
          },
    );
  }
  return {
    deliveryStreamName: total.deliveryStreamName,
    records: total.records + part.records,
    sent: total.sent + part.sent,
    failed: total.failed + part.failed,
    retried: total.retried + part.retried,
    unsent: total.unsent + part.unsent,
    requests: total.requests + part.requests,
    bytesSent: total.bytesSent + part.bytesSent,
    failuresByReason,
    perDay: [...days.values()].sort((left, right) =>
      left.date < right.date ? -1 : left.date > right.date ? 1 : 0,
    ),
    aborted: total.aborted || part.aborted,
    durationMs: total.durationMs + part.durationMs,
  };
}

/** The summary of a send that has sent nothing yet. */
export function emptySendSummary(deliveryStreamName: string): SendSummary {
  return new SendCounters(0).summary(deliveryStreamName, false, 0);
}

/**
 * A summary without some of its unsent records (they are sent again later, and counted then): `records` and
 * `unsent`, overall and per day, less theirs.
 */
export function withoutRecords(
  summary: SendSummary,
  records: readonly { readonly day?: string }[],
): SendSummary {
  if (records.length === 0) return summary;
  const perDay = new Map<string, number>();
  for (const { day } of records) if (day !== undefined) perDay.set(day, (perDay.get(day) ?? 0) + 1);
  return {
    ...summary,
    records: summary.records - records.length,
    unsent: summary.unsent - records.length,
    perDay: summary.perDay
      .map((day) => ({ ...day, records: day.records - (perDay.get(day.date) ?? 0) }))
      .filter((day) => day.records > 0 || day.sent + day.failed + day.retried > 0),
  };
}

/** The summary of records that were never sent: all `unsent`. */
export function unsentSummary(
  deliveryStreamName: string,
  records: readonly { readonly day?: string }[],
): SendSummary {
  const counters = new SendCounters(records.length);
  for (const { day } of records) counters.registerRecord(day);
  return counters.summary(deliveryStreamName, false, 0);
}
