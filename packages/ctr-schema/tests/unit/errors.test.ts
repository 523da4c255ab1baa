import { describe, expect, it } from 'vitest';
import {
  ContactTraceRecordError,
  ContactTraceRecordJsonError,
  parseContactTraceRecord,
  parseContactTraceRecordJson,
  safeParseContactTraceRecord,
} from '../../src/index.js';
import { canonicalJson } from '../canonical-json.js';
import { loadEvent } from '../load-events.js';

function failureOf(input: unknown): ContactTraceRecordError {
  const result = safeParseContactTraceRecord(input);
  if (result.success) throw new Error('expected the record to be rejected');
  return result.error;
}

describe('ContactTraceRecordError', () => {
  it('names a string where an object belongs (the workshop generator writes "Agent": "Bob")', () => {
    const error = failureOf(loadEvent('invalid/agent-as-string.json'));
    expect(error.issues).toMatchInlineSnapshot(`
      [
        {
          "message": "Invalid input: expected object, received string",
          "path": "Agent",
        },
        {
          "message": "Invalid input: expected object, received string",
          "path": "CustomerEndpoint",
        },
      ]
    `);
    expect(error.message).toMatchInlineSnapshot(
      `"Invalid contact trace record c54d7b3a-581d-45ce-9a3c-e4cbb62eca3f (2 issues): Agent: Invalid input: expected object, received string; CustomerEndpoint: Invalid input: expected object, received string"`,
    );
    expect(error.contactId).toBe('c54d7b3a-581d-45ce-9a3c-e4cbb62eca3f');
  });

  it('names a missing ContactId', () => {
    const error = failureOf(loadEvent('invalid/missing-contact-id.json'));
    expect(error.issues).toMatchInlineSnapshot(`
      [
        {
          "message": "required field is missing",
          "path": "ContactId",
        },
      ]
    `);
    expect(error.contactId).toBeUndefined();
    expect(error.message).toMatchInlineSnapshot(
      `"Invalid contact trace record (1 issue): ContactId: required field is missing"`,
    );
  });

  it('names every bad timestamp and a fractional duration, nested ones included', () => {
    const error = failureOf(loadEvent('invalid/bad-timestamps-and-duration.json'));
    expect(error.issues).toMatchInlineSnapshot(`
      [
        {
          "message": "expected an ISO-8601 UTC timestamp such as 2018-11-02T07:00:12Z",
          "path": "LastUpdateTimestamp",
        },
        {
          "message": "expected an ISO-8601 UTC timestamp such as 2018-11-02T07:00:12Z",
          "path": "Queue.EnqueueTimestamp",
        },
        {
          "message": "expected a whole number",
          "path": "Queue.Duration",
        },
      ]
    `);
  });

  it('names every bad path at once, at every depth, with array indexes and quoted odd keys', () => {
    const input = loadEvent('synthetic-voice-recordings-s3-and-kvs.json');
    input.ContactId = '';
    input.Channel = 7;
    input.AgentConnectionAttempts = -1;
    (input.Agent as Record<string, unknown>).HierarchyGroups = { Level1: 'Sydney' };
    (input.Recordings as Record<string, unknown>[])[1]!.StartTimestamp = 1709873990000;
    input.Attributes = { 'caller.segment': { tier: 'gold' } };
    input.MediaStreams = { Type: 'AUDIO' };
    const error = failureOf(input);
    expect(error.issues).toMatchInlineSnapshot(`
      [
        {
          "message": "expected a string",
          "path": "Channel",
        },
        {
          "message": "expected a non-empty contact id",
          "path": "ContactId",
        },
        {
          "message": "Invalid input: expected object, received string",
          "path": "Agent.HierarchyGroups.Level1",
        },
        {
          "message": "expected a number >= 0",
          "path": "AgentConnectionAttempts",
        },
        {
          "message": "expected a string (or a number, boolean or null)",
          "path": "Attributes["caller.segment"]",
        },
        {
          "message": "Invalid input: expected array, received object",
          "path": "MediaStreams",
        },
        {
          "message": "expected an ISO-8601 UTC timestamp such as 2018-11-02T07:00:12Z",
          "path": "Recordings[1].StartTimestamp",
        },
      ]
    `);
    expect(error.contactId).toBeUndefined();
  });

  it('rejects what is not an object at (root), and says which required fields an agent event lacks', () => {
    expect(failureOf('{"ContactId":"x"}').issues).toEqual([
      { path: '(root)', message: 'Invalid input: expected object, received string' },
    ]);
    expect(failureOf(null).issues).toEqual([
      { path: '(root)', message: 'Invalid input: expected object, received null' },
    ]);
    expect(failureOf([]).issues).toEqual([
      { path: '(root)', message: 'Invalid input: expected object, received array' },
    ]);
    expect(failureOf(loadEvent('not-ctr/agent-event.json')).issues.map((issue) => issue.path)).toEqual([
      'AWSContactTraceRecordFormatVersion',
      'Channel',
      'ContactId',
      'InitiationMethod',
      'InitiationTimestamp',
      'LastUpdateTimestamp',
    ]);
  });

  it('never copies values into the error (phone numbers are personal data)', () => {
    const input = loadEvent('tutorial-abandoned-2018.json');
    input.CustomerEndpoint = '+61401004854';
    input.SystemEndpoint = { Address: 61401004854, Type: 'TELEPHONE_NUMBER' };
    input.InitiationTimestamp = '+61401004854';
    const error = failureOf(input);
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'InitiationTimestamp',
      'CustomerEndpoint',
      'SystemEndpoint.Address',
    ]);
    const serialized = JSON.stringify({ message: error.message, issues: error.issues, stack: error.stack });
    expect(serialized).not.toContain('61401004854');
    expect(error.cause).toBeUndefined();
  });

  it('is the base class, with name, frozen issues and isRetryable false', () => {
    const error = failureOf({});
    expect(error).toBeInstanceOf(ContactTraceRecordError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ContactTraceRecordError');
    expect(error.isRetryable).toBe(false);
    expect(error.issues).toHaveLength(8);
    expect(Object.isFrozen(error.issues)).toBe(true);
    expect(Object.isFrozen(error.issues[0])).toBe(true);
  });

  it('parseContactTraceRecord throws the same error safeParse returns', () => {
    const input = loadEvent('invalid/missing-contact-id.json');
    expect(() => parseContactTraceRecord(input)).toThrowError(ContactTraceRecordError);
    expect(() => parseContactTraceRecord(input)).toThrowError(/ContactId: required field is missing/);
  });

  it('truncates an absurd ContactId in the message', () => {
    const input = loadEvent('tutorial-abandoned-2018.json');
    input.ContactId = 'x'.repeat(10_000);
    input.Channel = null;
    const error = failureOf(input);
    expect(error.contactId).toHaveLength(256);
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('parseContactTraceRecordJson', () => {
  it('parses a Kinesis/Firehose payload with surrounding whitespace (the tutorial ends with a newline)', () => {
    const text = ` ${JSON.stringify(loadEvent('tutorial-abandoned-2018.json'))}\n`;
    expect(parseContactTraceRecordJson(text).ContactId).toBe('c54d7b3a-581d-45ce-9a3c-e4cbb62eca3f');
  });

  it('throws ContactTraceRecordJsonError for text that is not JSON, without quoting it', () => {
    const text = '{"CustomerEndpoint":{"Address":"+61401004854"';
    let thrown: unknown;
    try {
      parseContactTraceRecordJson(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ContactTraceRecordJsonError);
    expect(thrown).toBeInstanceOf(ContactTraceRecordError);
    const error = thrown as ContactTraceRecordJsonError;
    expect(error.name).toBe('ContactTraceRecordJsonError');
    expect(error.issues).toEqual([{ path: '(root)', message: 'not valid JSON' }]);
    expect(error.message).not.toContain('61401004854');
  });

  it('throws ContactTraceRecordError for JSON that is not a record', () => {
    expect(() => parseContactTraceRecordJson('{"ContactId": 5}')).toThrowError(ContactTraceRecordError);
    expect(() => parseContactTraceRecordJson('{"ContactId": 5}')).not.toThrowError(
      ContactTraceRecordJsonError,
    );
  });
});

describe('hostile keys', () => {
  it('rejects "__proto__" keys (zod would drop them silently) and names where they are', () => {
    const text = JSON.stringify(loadEvent('tutorial-abandoned-2018.json')).replace(
      '"Queue":{',
      '"Queue":{"__proto__":{"polluted":true},',
    );
    const input: unknown = JSON.parse(`${text.slice(0, -1)},"__proto__":{"polluted":true}}`);
    const error = failureOf(input);
    expect(error.issues).toEqual([
      { path: '__proto__', message: 'a "__proto__" key is not accepted' },
      { path: 'Queue.__proto__', message: 'a "__proto__" key is not accepted' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps other keys that look like Object.prototype members', () => {
    const input = {
      ...loadEvent('tutorial-abandoned-2018.json'),
      constructor: { x: 1 },
      toString: 'x',
      hasOwnProperty: 1,
    };
    expect(canonicalJson(parseContactTraceRecord(input))).toBe(canonicalJson(input));
    expect(canonicalJson(input)).toContain('"constructor":{"x":1}');
  });

  it('survives a deeply nested unknown field', () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const input = { ...loadEvent('tutorial-abandoned-2018.json'), Deep: JSON.parse(deep) };
    expect(parseContactTraceRecord(input).Deep).toBe(input.Deep);
  });
});
