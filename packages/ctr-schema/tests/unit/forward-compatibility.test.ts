import { describe, expect, it } from 'vitest';
import { compileFastValidator } from '../../src/fast-validator.js';
import {
  CHANNELS,
  ContactLensInfoSchema,
  ContactTraceRecordSchema,
  contactTraceRecordJsonSchema,
  DISCONNECT_REASONS,
  ENDPOINT_TYPES,
  GlobalResiliencyMetadataSchema,
  INITIATION_METHODS,
  isKnownValue,
  parseContactTraceRecord,
  RECORDING_STATUSES,
  safeParseContactTraceRecord,
  TaskTemplateInfoSchema,
} from '../../src/index.js';
import { loadEvent } from '../load-events.js';

function roundTrip(input: unknown): unknown {
  return JSON.parse(JSON.stringify(parseContactTraceRecord(input)));
}

describe('forward compatibility', () => {
  it('keeps unknown fields at the top level and inside every nested object', () => {
    const input = loadEvent('synthetic-voice-contact-lens.json');
    const future = { Added: ['2030', 1, null, { Deep: true }] };
    input.FutureField = future;
    const agent = input.Agent as Record<string, Record<string, unknown>>;
    agent.FutureField = future;
    agent.RoutingProfile!.FutureField = future;
    (agent.HierarchyGroups!.Level1 as Record<string, unknown>).FutureField = future;
    (input.Queue as Record<string, unknown>).FutureField = future;
    (input.CustomerEndpoint as Record<string, unknown>).FutureField = future;
    (input.Recordings as Record<string, unknown>[])[0]!.FutureField = future;
    (input.MediaStreams as Record<string, unknown>[])[0]!.FutureField = future;
    const lens = input.ContactLens as { ConversationalAnalytics: { Configuration: Record<string, unknown> } };
    lens.ConversationalAnalytics.Configuration.FutureField = future;
    const routing = input.RoutingCriteria as {
      Steps: { Expression: { OrExpression: Record<string, unknown>[] } }[];
    };
    routing.Steps[0]!.Expression.OrExpression[1]!.FutureField = future;
    expect(roundTrip(input)).toStrictEqual(input);
  });

  it('keeps expressions nested deeper than the typed levels unchanged', () => {
    const input = loadEvent('synthetic-voice-contact-lens.json');
    const deep = {
      AndExpression: [{ OrExpression: [{ AndExpression: [{ AttributeCondition: { Name: 'x', Odd: 1 } }] }] }],
    };
    input.RoutingCriteria = { Steps: [{ Expression: { OrExpression: [deep] } }] };
    expect(roundTrip(input)).toStrictEqual(input);
  });

  it.each([
    ['Channel', 'EMAIL'],
    ['Channel', 'VIDEO_CALL_2031'],
    ['InitiationMethod', 'SOME_FUTURE_METHOD'],
    ['DisconnectReason', 'AGENT_HUNGUP'],
    ['AnsweringMachineDetectionStatus', 'FUTURE_AMD'],
  ])('accepts an unknown %s value %j as a string', (field, value) => {
    const input = { ...loadEvent('tutorial-abandoned-2018.json'), [field]: value };
    expect(parseContactTraceRecord(input)[field]).toBe(value);
  });

  it('accepts unknown values in nested open enumerations', () => {
    const input = loadEvent('synthetic-voice-recordings-s3-and-kvs.json');
    (input.CustomerEndpoint as Record<string, unknown>).Type = 'WHATSAPP_NUMBER';
    const recordings = input.Recordings as Record<string, unknown>[];
    recordings[0]!.StorageType = 'GLACIER';
    recordings[0]!.Status = 'ARCHIVED';
    (input.MediaStreams as Record<string, unknown>[])[0]!.Type = 'HOLOGRAM';
    expect(roundTrip(input)).toStrictEqual(input);
  });

  it('accepts null for every optional top-level field, and their absence', () => {
    const input = loadEvent('synthetic-voice-contact-lens.json');
    const optional = Object.keys(ContactTraceRecordSchema.shape).filter(
      (key) =>
        !ContactTraceRecordSchema.shape[key as keyof typeof ContactTraceRecordSchema.shape].safeParse(
          undefined,
        ).error,
    );
    expect(optional.length).toBeGreaterThan(40);
    const allNull = { ...input, ...Object.fromEntries(optional.map((key) => [key, null])) };
    expect(roundTrip(allNull)).toStrictEqual(allNull);
    const allAbsent = Object.fromEntries(Object.entries(input).filter(([key]) => !optional.includes(key)));
    expect(Object.keys(allAbsent).sort()).toEqual([
      'AWSAccountId',
      'AWSContactTraceRecordFormatVersion',
      'Channel',
      'ContactId',
      'InitiationMethod',
      'InitiationTimestamp',
      'InstanceARN',
      'LastUpdateTimestamp',
    ]);
    expect(roundTrip(allAbsent)).toStrictEqual(allAbsent);
  });

  it('accepts the nulls real records carry inside nested objects', () => {
    const input = loadEvent('synthetic-voice-callback.json');
    const agent = input.Agent as Record<string, unknown>;
    agent.HierarchyGroups = { Level1: null, Level2: null, Level3: null, Level4: null, Level5: null };
    agent.RoutingProfile = { ARN: null, Name: null };
    (input.Queue as Record<string, unknown>).Name = null;
    input.Campaign = { CampaignId: null };
    expect(roundTrip(input)).toStrictEqual(input);
  });

  it('does not pin the format version', () => {
    const input = {
      ...loadEvent('tutorial-abandoned-2018.json'),
      AWSContactTraceRecordFormatVersion: '2031-01-01',
    };
    expect(roundTrip(input)).toStrictEqual(input);
  });

  it('keeps non-string attribute values of hand-made records without rewriting them', () => {
    const input = loadEvent('synthetic-hand-made-attribute-types.json');
    const record = parseContactTraceRecord(input);
    expect(record.Attributes).toStrictEqual({ retries: 10, isVip: true, segment: null, note: 'hand-made' });
  });

  it('never coerces: numeric strings stay strings, integers stay integers', () => {
    const input = loadEvent('synthetic-voice-inbound-agent.json');
    input.Attributes = { menuChoice: '2', zero: '0', flag: 'true', empty: '' };
    const record = parseContactTraceRecord(input);
    expect(record.Attributes).toStrictEqual({ menuChoice: '2', zero: '0', flag: 'true', empty: '' });
    expect(record.Queue?.Duration).toBe(28);
    const withStringDuration = { ...input, AgentConnectionAttempts: '1' };
    expect(() => parseContactTraceRecord(withStringDuration)).toThrowError(/AgentConnectionAttempts/);
  });

  // Since the fast path: the validated record IS the input (nothing to copy, the schema never
  // rewrites); the input is still never modified by parsing.
  it('returns the input itself and leaves it untouched', () => {
    const input = loadEvent('synthetic-email-future-fields.json');
    const before = structuredClone(input);
    const record = parseContactTraceRecord(input);
    expect(input).toStrictEqual(before);
    expect(record).toBe(input);
    const rejected = { ...before, Agent: 'Bob' };
    const rejectedBefore = structuredClone(rejected);
    expect(() => parseContactTraceRecord(rejected)).toThrowError(/Agent/);
    expect(rejected).toStrictEqual(rejectedBefore);
  });

  // The fast validator itself (safeParseContactTraceRecord falls back to zod when it says no).
  const fast = compileFastValidator(contactTraceRecordJsonSchema()) ?? (() => false);
  // ctr.md: "References/Tags/ContactEvaluations/OutboundStrategy/GlobalResiliencyMetadata — accept any", and
  // items marked (unverified) are "optional/unknown": a guessed type must never turn a real record into a failure.
  const anyValues: unknown[] = [
    'x',
    0,
    1.5,
    true,
    null,
    [],
    [1, 'x', null],
    {},
    { a: 1, b: null, c: { d: ['e'] } },
  ];
  it.each([
    'References',
    'Tags',
    'ContactEvaluations',
    'OutboundStrategy',
    'GlobalResiliencyMetadata',
    'ContactAssociationId',
    'CustomerId',
    'ContactLens',
    'TaskTemplateInfo',
  ])('accepts any JSON value as %s, on the fast path and through zod, and keeps it unchanged', (field) => {
    for (const value of anyValues) {
      const input = { ...loadEvent('synthetic-voice-inbound-agent.json'), [field]: value };
      const result = safeParseContactTraceRecord(input);
      if (!result.success) throw new Error(`${field}: ${JSON.stringify(value)}: ${result.error.message}`);
      expect(result.data[field]).toStrictEqual(value);
      expect(fast(input), `fast path, ${field}: ${JSON.stringify(value)}`).toBe(true);
      expect(ContactTraceRecordSchema.safeParse(input).success).toBe(true);
    }
    const absent = loadEvent('synthetic-voice-inbound-agent.json');
    delete absent[field];
    expect(safeParseContactTraceRecord(absent).success).toBe(true);
  });

  it.each([
    'AcceptedByAgentTimestamp',
    'PreviewEndTimestamp',
    'AgentInitiatedHoldDuration',
    'DeviceInfo',
    'Capabilities',
  ])('accepts any JSON value as the unverified Agent.%s', (member) => {
    for (const value of [...anyValues, 1641403979, '2022-01-05T17:12:59+00:00']) {
      const base = loadEvent('synthetic-voice-inbound-agent.json');
      const input = { ...base, Agent: { ...(base.Agent as object), [member]: value } };
      const result = safeParseContactTraceRecord(input);
      if (!result.success)
        throw new Error(`Agent.${member}: ${JSON.stringify(value)}: ${result.error.message}`);
      expect((result.data.Agent as Record<string, unknown>)[member]).toStrictEqual(value);
      expect(fast(input), `fast path, Agent.${member}: ${JSON.stringify(value)}`).toBe(true);
      expect(ContactTraceRecordSchema.safeParse(input).success).toBe(true);
    }
  });

  it('still validates the documented fields next to them', () => {
    const input = { ...loadEvent('synthetic-voice-inbound-agent.json'), Tags: 'x', ContactId: 5 };
    const result = safeParseContactTraceRecord(input);
    if (result.success) throw new Error('accepted a numeric ContactId');
    expect(result.error.issues.map((issue) => issue.path)).toStrictEqual(['ContactId']);
  });

  it('keeps the typed views of the undocumented objects for readers who want them', () => {
    expect(GlobalResiliencyMetadataSchema.safeParse({ ActiveRegion: 'us-east-1' }).success).toBe(true);
    expect(GlobalResiliencyMetadataSchema.safeParse({ ActiveRegion: 1 }).success).toBe(false);
    expect(TaskTemplateInfoSchema.safeParse({ Arn: 'arn:x', Name: 'Follow-up' }).success).toBe(true);
    expect(ContactLensInfoSchema.safeParse('x').success).toBe(false);
  });
});

describe('known enumeration values', () => {
  it('lists the documented values', () => {
    expect(CHANNELS).toEqual(['VOICE', 'CHAT', 'TASK', 'EMAIL']);
    expect(INITIATION_METHODS).toEqual(
      expect.arrayContaining(['INBOUND', 'OUTBOUND', 'TRANSFER', 'CALLBACK', 'API']),
    );
    expect(INITIATION_METHODS).toEqual(expect.arrayContaining(['QUEUE_TRANSFER', 'MONITOR', 'DISCONNECT']));
    expect(DISCONNECT_REASONS).toEqual(
      expect.arrayContaining([
        'CUSTOMER_DISCONNECT',
        'AGENT_DISCONNECT',
        'TELECOM_PROBLEM',
        'CONTACT_FLOW_DISCONNECT',
      ]),
    );
    expect(ENDPOINT_TYPES[0]).toBe('TELEPHONE_NUMBER');
    expect(RECORDING_STATUSES).toEqual(['AVAILABLE', 'DELETED', 'NULL']);
    for (const values of [CHANNELS, INITIATION_METHODS, DISCONNECT_REASONS, ENDPOINT_TYPES]) {
      expect(new Set(values).size).toBe(values.length);
    }
  });

  it('isKnownValue tells known values from future ones', () => {
    expect(isKnownValue(CHANNELS, 'VOICE')).toBe(true);
    expect(isKnownValue(CHANNELS, 'HOLOGRAM')).toBe(false);
    expect(isKnownValue(CHANNELS, 42)).toBe(false);
  });
});
