import { describe, expect, it } from 'vitest';
import { isContactTraceRecordLike } from '../../src/index.js';
import { loadEvent } from '../load-events.js';

describe('isContactTraceRecordLike', () => {
  it('is true for records, even invalid ones that carry both markers', () => {
    expect(isContactTraceRecordLike(loadEvent('tutorial-abandoned-2018.json'))).toBe(true);
    expect(isContactTraceRecordLike(loadEvent('invalid/agent-as-string.json'))).toBe(true);
    expect(
      isContactTraceRecordLike({ ContactId: 'x', AWSContactTraceRecordFormatVersion: '2017-03-10' }),
    ).toBe(true);
  });

  it('is false for agent events and everything else', () => {
    expect(isContactTraceRecordLike(loadEvent('not-ctr/agent-event.json'))).toBe(false);
    expect(isContactTraceRecordLike(loadEvent('invalid/missing-contact-id.json'))).toBe(false);
    expect(isContactTraceRecordLike({ ContactId: 'x' })).toBe(false);
    expect(isContactTraceRecordLike({ ContactId: 1, AWSContactTraceRecordFormatVersion: '2017-03-10' })).toBe(
      false,
    );
    for (const value of [null, undefined, 'ContactId', 42, [], [{ ContactId: 'x' }]]) {
      expect(isContactTraceRecordLike(value)).toBe(false);
    }
  });

  it('is true for any plain object: JSON.parse output, structuredClone copies, null-prototype objects', () => {
    const record = { ContactId: 'x', AWSContactTraceRecordFormatVersion: '2017-03-10' };
    expect(isContactTraceRecordLike(JSON.parse(JSON.stringify(record)))).toBe(true);
    expect(isContactTraceRecordLike(structuredClone(record))).toBe(true);
    expect(isContactTraceRecordLike(Object.assign(Object.create(null) as object, record))).toBe(true);
  });

  it('is false for objects that are not plain, even when they carry both fields', () => {
    class ContactRecord {
      ContactId = 'x';
      AWSContactTraceRecordFormatVersion = '2017-03-10';
    }
    const fields = { ContactId: 'x', AWSContactTraceRecordFormatVersion: '2017-03-10' };
    for (const value of [
      new ContactRecord(),
      Object.assign(new Date('2018-11-02T07:00:12Z'), fields),
      Object.assign(new Map(), fields),
      Object.assign([], fields),
      Object.assign(Object.create(fields) as object, fields),
    ]) {
      expect(isContactTraceRecordLike(value), Object.prototype.toString.call(value)).toBe(false);
    }
  });

  it('narrows the type', () => {
    const value: unknown = loadEvent('tutorial-abandoned-2018.json');
    if (!isContactTraceRecordLike(value)) throw new Error('expected a record');
    expect(value.ContactId.length).toBe(36);
  });
});
