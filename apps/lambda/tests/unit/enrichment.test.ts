import { describe, expect, it } from 'vitest';
import { schemaIssuePath } from '../../src/enrichment.js';
import { applyEnrichment, customerPhoneNumber, notContactTraceRecordReason } from '../../src/index.js';
import { ctrFixture } from '../support.js';

describe('enrichment helpers', () => {
  it('finds the phone number only on a TELEPHONE_NUMBER customer endpoint', () => {
    expect(
      customerPhoneNumber({ CustomerEndpoint: { Type: 'TELEPHONE_NUMBER', Address: '+61401004854' } }),
    ).toBe('+61401004854');
    expect(
      customerPhoneNumber({ CustomerEndpoint: { Type: 'EMAIL_ADDRESS', Address: 'a@b.c' } }),
    ).toBeUndefined();
    expect(
      customerPhoneNumber({ CustomerEndpoint: { Type: 'TELEPHONE_NUMBER', Address: ' ' } }),
    ).toBeUndefined();
    expect(customerPhoneNumber({ CustomerEndpoint: null })).toBeUndefined();
    expect(customerPhoneNumber({})).toBeUndefined();
  });

  it('adds the name in place and the namespaced field last, keeping key order', () => {
    const record = { A: 1, CustomerEndpoint: { Address: '+1', Type: 'TELEPHONE_NUMBER' }, Z: 2 };
    applyEnrichment(record, { Status: 'found' }, 'Zoë');
    expect(JSON.stringify(record)).toBe(
      '{"A":1,"CustomerEndpoint":{"Address":"+1","Type":"TELEPHONE_NUMBER","Name":"Zoë"},"Z":2,"CtrStream":{"CallerLookup":{"Status":"found"}}}',
    );
  });

  it('replaces an earlier CallerLookup and keeps other CtrStream members', () => {
    const record: Record<string, unknown> = {
      CtrStream: { Other: true, CallerLookup: { Status: 'error', Reason: 'timeout' } },
    };
    applyEnrichment(record, { Status: 'not_found' }, undefined);
    expect(record.CtrStream).toEqual({ Other: true, CallerLookup: { Status: 'not_found' } });
  });

  it('names agent events, arrays and scalars', () => {
    const agentEvent = ctrFixture('not-ctr/agent-event.json');
    expect(agentEvent.EventType).toBe('STATE_CHANGE');
    expect(notContactTraceRecordReason(agentEvent)).toBe(
      'not a contact trace record (looks like an Amazon Connect agent event); send agent events to their own stream',
    );
    expect(notContactTraceRecordReason([1])).toMatch(/got an array/);
    expect(notContactTraceRecordReason('x')).toMatch(/got string/);
    expect(notContactTraceRecordReason(null)).toMatch(/got null/);
    expect(notContactTraceRecordReason({ ContactId: 'x' })).toBeUndefined();
  });
});

describe('schemaIssuePath: logged reasons hold schema paths, never customer-defined keys', () => {
  it.each([
    ['(root)', '(root)'],
    ['ContactId', 'ContactId'],
    ['Recordings[0].Status', 'Recordings[0].Status'],
    ['Agent.HierarchyGroups.Level1.ARN', 'Agent.HierarchyGroups.Level1.ARN'],
    ['Attributes["card number 4111"]', 'Attributes[…]'],
    ['Attributes.customerName', 'Attributes[…]'],
    ['Tags.team', 'Tags[…]'],
    ['SegmentAttributes["connect:Subtype"].ValueString', 'SegmentAttributes[…].ValueString'],
    ['SegmentAttributes.x.ValueMap.secret', 'SegmentAttributes[…].ValueMap[…]'],
    ['Unknown["odd key"]', '[…][…]'],
    // Names the data model does not define, under members of any shape or at the top: chosen by the record's writer.
    ['Extra.tel61411222460.__proto__', '[…][…][…]'],
    ['OutboundStrategy.caller_61411222461', 'OutboundStrategy[…]'],
    ['References.x.Value', 'References[…].Value'],
    ['Attributes["a\\"b"]', 'Attributes[…]'],
    ['not a path!', '(path withheld)'],
  ])('%s -> %s', (path, expected) => {
    expect(schemaIssuePath(path)).toBe(expected);
  });
});
