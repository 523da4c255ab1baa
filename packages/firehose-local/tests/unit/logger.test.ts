import { describe, expect, it } from 'vitest';
import { withoutRecordData, withoutUrlSecrets } from '../../src/logger.js';

describe('withoutRecordData', () => {
  it('drops what a JSON.parse error quotes of its input, and masks the phone number it cut', () => {
    let message = '';
    try {
      JSON.parse('+61412345678 is no JSON');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('61412345');
    expect(withoutRecordData(message)).not.toMatch(/41234/);
    expect(withoutRecordData(message)).toContain('is not valid JSON');
    expect(withoutRecordData(`Unexpected token 'x', "{"Name":"Ana Lima"}" is not valid JSON`)).toBe(
      `Unexpected token 'x', "…" is not valid JSON`,
    );
  });

  it('keeps the last two digits of a run of 7 or more, and leaves shorter numbers alone', () => {
    expect(withoutRecordData('caller +61 412 345 678 unknown')).toBe('caller +** *** *** *78 unknown');
    expect(withoutRecordData('lookup of 0412345678 failed')).toBe('lookup of ********78 failed');
    expect(withoutRecordData('timed out after 30000 ms on attempt 3 at 2026-11-29')).toBe(
      'timed out after 30000 ms on attempt 3 at ****-**-29',
    );
    expect(withoutRecordData('TypeError: lookup service unreachable')).toBe(
      'TypeError: lookup service unreachable',
    );
  });

  it('masks the user info of every URL (as redactUrlCredentials does), drops its query and fragment, and keeps the digit masking', () => {
    expect(
      withoutRecordData('lookup failed: GET http://svc:CANARYPASS@127.0.0.1:9/api/user/+61411222490'),
    ).toBe('lookup failed: GET http://***:***@127.0.0.1:9/api/user/+*********90');
    expect(
      withoutRecordData('GET https://token@api.example.com/v1?api_key=CANARY#x failed, then http://h:9/ too'),
    ).toBe('GET https://***@api.example.com/v1 failed, then http://h:9/ too');
    // A password written raw, with / ? # or @ in it: masked up to the last @ of the URL.
    for (const password of ['CANARY/PASS', 'CANARY?PASS', 'CANARY#PASS', 'CANARY@PASS']) {
      expect(withoutRecordData(`connect http://svc:${password}@es:9200/x refused`)).toBe(
        'connect http://***:***@es:9200/x refused',
      );
    }
    // An @ in a query (an email address): the next parameter starts at &.
    expect(withoutUrlSecrets('GET http://h/x?email=a@b.com&token=CANARY done')).toBe(
      'GET http://***@b.com done',
    );
  });

  it('leaves quotes where they were, so that quoted record data stays masked', () => {
    expect(withoutUrlSecrets(`x "http://h/?t=CANARY" for "Ana Lima"`)).toBe('x "http://h/" for "Ana Lima"');
    expect(withoutRecordData(`x "http://h/?t=CANARY" for "Ana Lima"`)).toBe('x "…" for "…"');
    expect(withoutRecordData(`Unexpected token 'h', "http://u:CANARY@h"... is not valid JSON`)).toBe(
      `Unexpected token 'h', "…" is not valid JSON`,
    );
    expect(withoutUrlSecrets('see mailto:a@b and http://127.0.0.1:9200')).toBe(
      'see mailto:a@b and http://127.0.0.1:9200',
    );
  });
});
