import { describe, expect, it } from 'vitest';
import { FirehoseEventError, parseFirehoseTransformationEvent } from '../../src/index.js';
import { loadEvent } from '../support/events.js';

describe('parseFirehoseTransformationEvent', () => {
  it('accepts the Kinesis-sourced fixture with subsequenceNumber ""', () => {
    const event = parseFirehoseTransformationEvent(loadEvent('kinesis-source-event.json'));
    expect(event.sourceKinesisStreamArn).toBe('arn:aws:kinesis:us-east-1:123456789012:stream/kinesis-source');
    expect(event.records.map((record) => record.recordId)).toEqual(['record1', 'record2']);
  });

  it('accepts a numeric subsequenceNumber and a non-ARN deliveryStreamArn (aws-lambda-go fixture shape)', () => {
    const event = parseFirehoseTransformationEvent(loadEvent('go-style-event.json'));
    expect(event.records).toHaveLength(1);
  });

  it('accepts Direct PUT and the tutorial test event, and keeps unknown fields', () => {
    const input = loadEvent('direct-put-event.json');
    input.somethingNew = 1;
    expect(parseFirehoseTransformationEvent(input).somethingNew).toBe(1);
    expect(parseFirehoseTransformationEvent(loadEvent('tutorial-test-event.json')).records).toHaveLength(1);
  });

  it('reads an approximateArrivalTimestamp that is not a number as absent, never failing the batch for it', () => {
    const input = loadEvent('direct-put-event.json');
    input.records[0]!.approximateArrivalTimestamp = null;
    input.records[1]!.approximateArrivalTimestamp = '1700000000000';
    const event = parseFirehoseTransformationEvent(input);
    expect(event.records.map((record) => record.approximateArrivalTimestamp)).toEqual([
      undefined,
      undefined,
      ...event.records.slice(2).map((record) => record.approximateArrivalTimestamp),
    ]);
    expect(event.records.map((record) => record.data)).toEqual(input.records.map((record) => record.data));
  });

  it('rejects a malformed envelope with every issue and its path', () => {
    const input = loadEvent('direct-put-event.json');
    delete input.invocationId;
    input.records[1]!.recordId = 7;
    input.records[0]!.data = null;
    let thrown: unknown;
    try {
      parseFirehoseTransformationEvent(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FirehoseEventError);
    const error = thrown as FirehoseEventError;
    expect(error.isRetryable).toBe(false);
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'invocationId',
      'records.0.data',
      'records.1.recordId',
    ]);
    expect(error.message).toContain('Invalid Firehose transformation event');
    expect(error.message).toContain('records.0.data');
  });

  it.each([null, 'text', [], { records: 'x' }])('rejects %j', (input) => {
    expect(() => parseFirehoseTransformationEvent(input)).toThrow(FirehoseEventError);
  });

  it('rejects duplicated recordIds, since one answer per recordId would be impossible', () => {
    const input = loadEvent('direct-put-event.json');
    input.records[1]!.recordId = 'record1';
    expect(() => parseFirehoseTransformationEvent(input)).toThrow(
      /records\.1\.recordId: duplicates the recordId of records\.0/,
    );
  });
});
