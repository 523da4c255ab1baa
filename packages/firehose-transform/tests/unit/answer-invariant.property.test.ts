import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createFirehoseTransformHandler,
  dropped,
  ok,
  processingFailed,
  silentLogger,
} from '../../src/index.js';
import { lambdaContext } from '../support/events.js';

type Payload =
  | { kind: 'json'; value: Record<string, string>; outcome: 'ok' | 'drop' | 'fail' | 'throw' | 'grow' }
  | { kind: 'badBase64'; text: string }
  | { kind: 'notJson'; text: string };

const payload: fc.Arbitrary<Payload> = fc.oneof(
  fc.record({
    kind: fc.constant('json' as const),
    value: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 40 }), {
      maxKeys: 4,
    }),
    outcome: fc.constantFrom(
      'ok' as const,
      'drop' as const,
      'fail' as const,
      'throw' as const,
      'grow' as const,
    ),
  }),
  fc.record({ kind: fc.constant('badBase64' as const), text: fc.string({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('notJson' as const), text: fc.string({ unit: 'binary', maxLength: 20 }) }),
);

function encode(item: Payload): string {
  if (item.kind === 'badBase64') return `${item.text}*`; // '*' is never base64
  if (item.kind === 'notJson') return Buffer.from(`{${item.text}`).toString('base64');
  return Buffer.from(JSON.stringify({ ...item.value, outcome: item.outcome })).toString('base64');
}

describe('invariant: every recordId is answered exactly once, in input order, within the size limit', () => {
  it('holds for arbitrary mixed batches, outcomes, recordIds and size limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), {
          minLength: 0,
          maxLength: 40,
        }),
        fc.array(payload, { minLength: 40, maxLength: 40 }),
        fc.nat({ max: 3_000 }),
        async (recordIds, payloads, extraBytes) => {
          const event = {
            invocationId: 'property',
            deliveryStreamArn: 'arn:aws:firehose:us-east-2:123456789012:deliverystream/s',
            sourceKinesisStreamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/k',
            region: 'us-east-2',
            records: recordIds.map((recordId, index) => ({ recordId, data: encode(payloads[index]!) })),
          };
          // The smallest response that can always be given: every record failed with its original data.
          const floor = Buffer.byteLength(
            JSON.stringify({
              records: event.records.map((r) => ({
                recordId: r.recordId,
                result: 'ProcessingFailed',
                data: r.data,
              })),
            }),
          );
          const maxResponseBytes = Math.max(floor, 100) + extraBytes;
          let reportedBytes = -1;
          const handler = createFirehoseTransformHandler<{ outcome: string }>({
            logger: silentLogger,
            maxResponseBytes,
            onSummary: (summary) => {
              reportedBytes = summary.responseBytes;
            },
            transformRecord: (record) => {
              switch (record.data.outcome) {
                case 'drop':
                  return dropped();
                case 'fail':
                  return processingFailed('asked');
                case 'throw':
                  throw new Error('thrown');
                case 'grow':
                  return ok({ ...record.data, pad: 'é'.repeat(200) });
                default:
                  return ok(record.data);
              }
            },
          });
          const response = await handler(event, lambdaContext());
          expect(response.records.map((record) => record.recordId)).toEqual(recordIds);
          const bytes = Buffer.byteLength(JSON.stringify(response));
          expect(bytes).toBe(reportedBytes);
          expect(bytes).toBeLessThanOrEqual(maxResponseBytes);
          response.records.forEach((answer, index) => {
            const item = payloads[index]!;
            const expected =
              item.kind !== 'json' || item.outcome === 'fail' || item.outcome === 'throw'
                ? 'ProcessingFailed'
                : item.outcome === 'drop'
                  ? 'Dropped'
                  : undefined;
            if (expected !== undefined) expect(answer.result).toBe(expected);
            else expect(['Ok', 'ProcessingFailed']).toContain(answer.result); // overflow of a Kinesis source fails
            if (answer.result === 'ProcessingFailed') expect(answer.data).toBe(event.records[index]!.data);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
