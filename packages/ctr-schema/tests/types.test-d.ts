import { describe, expectTypeOf, it } from 'vitest';
import type {
  AgentInfo,
  Channel,
  ContactTraceRecord,
  DisconnectReason,
  Endpoint,
  KnownChannel,
  QueueInfo,
  RecordingsInfo,
  SafeParseContactTraceRecordResult,
} from '../src/index.js';
import {
  type ContactTraceRecordError,
  parseContactTraceRecord,
  safeParseContactTraceRecord,
} from '../src/index.js';

declare const record: ContactTraceRecord;

describe('inferred types', () => {
  it('types Channel as the known literals plus any string', () => {
    expectTypeOf<KnownChannel>().toEqualTypeOf<'VOICE' | 'CHAT' | 'TASK' | 'EMAIL'>();
    expectTypeOf(record.Channel).toEqualTypeOf<Channel>();
    expectTypeOf<'VOICE'>().toExtend<Channel>();
    expectTypeOf<'HOLOGRAM'>().toExtend<Channel>();
    expectTypeOf<Channel>().not.toEqualTypeOf<string>(); // the literals are kept for autocompletion
    expectTypeOf<42>().not.toExtend<Channel>();
    expectTypeOf<'CUSTOMER_DISCONNECT'>().toExtend<NonNullable<ContactTraceRecord['DisconnectReason']>>();
    expectTypeOf<ContactTraceRecord['DisconnectReason']>().toEqualTypeOf<
      DisconnectReason | null | undefined
    >();
  });

  it('types a routing expression as deep as the schema checks it, and the levels below as unchecked objects', () => {
    type Expression = NonNullable<
      NonNullable<NonNullable<ContactTraceRecord['RoutingCriteria']>['Steps']>[number]['Expression']
    >;
    type Level2 = NonNullable<Expression['AndExpression']>[number];
    type Level3 = NonNullable<Level2['OrExpression']>[number];
    type Level4 = NonNullable<Level3['AndExpression']>[number];
    expectTypeOf<NonNullable<Level3['AttributeCondition']>['ProficiencyLevel']>().toEqualTypeOf<
      number | null | undefined
    >();
    // Not checked by the schema below three levels: typed as what it is.
    expectTypeOf<Level4>().toEqualTypeOf<Record<string, unknown>>();
  });

  it('types the required core as non-optional strings', () => {
    expectTypeOf(record.ContactId).toEqualTypeOf<string>();
    expectTypeOf(record.LastUpdateTimestamp).toEqualTypeOf<string>();
    expectTypeOf(record.AWSContactTraceRecordFormatVersion).toEqualTypeOf<string>();
  });

  it('types Agent and other nested objects as nullable and optional', () => {
    expectTypeOf<ContactTraceRecord['Agent']>().toEqualTypeOf<AgentInfo | null | undefined>();
    expectTypeOf<ContactTraceRecord['Queue']>().toEqualTypeOf<QueueInfo | null | undefined>();
    expectTypeOf<ContactTraceRecord['CustomerEndpoint']>().toEqualTypeOf<Endpoint | null | undefined>();
    expectTypeOf<ContactTraceRecord['Recordings']>().toEqualTypeOf<RecordingsInfo[] | null | undefined>();
    expectTypeOf<ContactTraceRecord>().toHaveProperty('Agent');
    // @ts-expect-error Agent may be null: it must be narrowed before use
    record.Agent.Username;
  });

  it('types integer fields and timestamps as number and string', () => {
    expectTypeOf<NonNullable<AgentInfo['AgentInteractionDuration']>>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<QueueInfo['Duration']>>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<ContactTraceRecord['AgentConnectionAttempts']>>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<QueueInfo['EnqueueTimestamp']>>().toEqualTypeOf<string>();
  });

  it('allows unknown fields at the top level and in nested objects, typed unknown', () => {
    expectTypeOf(record.SomeFutureField).toEqualTypeOf<unknown>();
    expectTypeOf<AgentInfo['SomeFutureField']>().toEqualTypeOf<unknown>();
    const withExtra: ContactTraceRecord = {
      AWSAccountId: '111122223333',
      AWSContactTraceRecordFormatVersion: '2017-03-10',
      Channel: 'EMAIL',
      ContactId: 'c54d7b3a-581d-45ce-9a3c-e4cbb62eca3f',
      InitiationMethod: 'SOME_FUTURE_METHOD',
      InitiationTimestamp: '2018-11-02T07:00:12Z',
      InstanceARN: 'arn:aws:connect:ap-southeast-2:111122223333:instance/x',
      LastUpdateTimestamp: '2018-11-02T07:02:11Z',
      Agent: null,
      FutureField: { anything: [1, 'two'] },
    };
    expectTypeOf(withExtra).toExtend<ContactTraceRecord>();
  });

  it('types the parse functions', () => {
    expectTypeOf(parseContactTraceRecord).parameter(0).toEqualTypeOf<unknown>();
    expectTypeOf(parseContactTraceRecord).returns.toEqualTypeOf<ContactTraceRecord>();
    expectTypeOf(safeParseContactTraceRecord).returns.toEqualTypeOf<SafeParseContactTraceRecordResult>();
    const result = safeParseContactTraceRecord({});
    if (result.success) expectTypeOf(result.data).toEqualTypeOf<ContactTraceRecord>();
    else expectTypeOf(result.error).toEqualTypeOf<ContactTraceRecordError>();
    expectTypeOf<ContactTraceRecordError['issues']>().toEqualTypeOf<
      readonly { readonly path: string; readonly message: string }[]
    >();
  });
});
