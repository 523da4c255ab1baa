import { z } from 'zod';
import { FirehoseEventError, type FirehoseIssue } from './errors.js';

/**
 * One input record of a Firehose data-transformation event. `kinesisRecordMetadata` is kept as it
 * came (its `subsequenceNumber` is `""` in some fixtures and a number in others), never validated.
 *
 * @example
 * ```ts
 * FirehoseInputRecordSchema.parse({ recordId: 'r1', data: 'e30=' });
 * ```
 */
export const FirehoseInputRecordSchema = z.looseObject({
  recordId: z.string().min(1, 'recordId must be a non-empty string'),
  // Informational only: a value that is not a number is read as absent, never a reason to fail the batch.
  approximateArrivalTimestamp: z.number().optional().catch(undefined),
  data: z.string({ error: 'data must be a base64 string' }),
  kinesisRecordMetadata: z.unknown().optional(),
});

/**
 * The Firehose data-transformation event (Direct PUT or Kinesis-data-stream sourced). Loose: unknown
 * fields are accepted and ignored.
 *
 * @example
 * ```ts
 * const result = FirehoseTransformationEventSchema.safeParse(event);
 * if (!result.success) console.log(result.error.issues);
 * ```
 */
export const FirehoseTransformationEventSchema = z.looseObject({
  invocationId: z.string(),
  deliveryStreamArn: z.string(),
  region: z.string(),
  sourceKinesisStreamArn: z.string().optional(),
  records: z.array(FirehoseInputRecordSchema),
});

/** A validated Firehose data-transformation event. */
export type FirehoseTransformationEvent = z.infer<typeof FirehoseTransformationEventSchema>;
/** One validated input record of a Firehose data-transformation event. */
export type FirehoseInputRecord = z.infer<typeof FirehoseInputRecordSchema>;

/**
 * Validates a Firehose data-transformation event. Record `data` is not decoded here: a record with
 * bad data is a per-record failure, not an envelope failure.
 *
 * @throws {FirehoseEventError} when the envelope is malformed or a recordId appears twice.
 * @example
 * ```ts
 * const event = parseFirehoseTransformationEvent(JSON.parse(text));
 * console.log(event.records.length);
 * ```
 */
export function parseFirehoseTransformationEvent(input: unknown): FirehoseTransformationEvent {
  const parsed = FirehoseTransformationEventSchema.safeParse(input);
  if (!parsed.success) {
    const issues: FirehoseIssue[] = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    throw new FirehoseEventError(issues, { cause: parsed.error });
  }
  const seen = new Map<string, number>();
  const duplicates: FirehoseIssue[] = [];
  parsed.data.records.forEach((record, index) => {
    const first = seen.get(record.recordId);
    if (first === undefined) seen.set(record.recordId, index);
    else
      duplicates.push({
        path: `records.${index}.recordId`,
        message: `duplicates the recordId of records.${first}; every recordId must be unique`,
      });
  });
  if (duplicates.length > 0) throw new FirehoseEventError(duplicates);
  return parsed.data;
}
