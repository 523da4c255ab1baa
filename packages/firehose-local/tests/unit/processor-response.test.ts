import { describe, expect, it } from 'vitest';
import { checkProcessorResponse, LAMBDA_RESPONSE_LIMIT_BYTES } from '../../src/index.js';

const base64 = (text: string) => Buffer.from(text).toString('base64');
const ids = ['r1', 'r2'];
const ok = (recordId: string, text = '{}') => ({ recordId, result: 'Ok', data: base64(text) });

describe('checkProcessorResponse', () => {
  it('accepts one valid result per record, in any order, and decodes the data', () => {
    const check = checkProcessorResponse(
      { records: [{ recordId: 'r2', result: 'Dropped' }, ok('r1', '{"a":1}')] },
      ids,
    );
    expect(check.valid).toBe(true);
    if (!check.valid) return;
    expect(check.records.get('r1')).toEqual({ result: 'Ok', data: Buffer.from('{"a":1}') });
    expect(check.records.get('r2')?.result).toBe('Dropped');
  });

  it.each([
    ['a wrong recordId', { records: [ok('r1'), ok('zz')] }, 'Lambda.MissingRecordId'],
    ['a missing record', { records: [ok('r1')] }, 'Lambda.MissingRecordId'],
    ['a duplicated record', { records: [ok('r1'), ok('r2'), ok('r1')] }, 'Lambda.DuplicatedRecordId'],
    [
      'bad base64',
      { records: [ok('r1'), { recordId: 'r2', result: 'Ok', data: 'no base64!' }] },
      'Lambda.JsonProcessingException',
    ],
    [
      'base64 without padding',
      { records: [ok('r1'), { recordId: 'r2', result: 'Ok', data: 'YQ' }] },
      'Lambda.JsonProcessingException',
    ],
    [
      'non-canonical base64 (stray bits in the last character)',
      { records: [ok('r1'), { recordId: 'r2', result: 'Ok', data: 'YWJ=' }] },
      'Lambda.JsonProcessingException',
    ],
    [
      'base64 with a character in the middle that Buffer.from would skip',
      { records: [ok('r1'), { recordId: 'r2', result: 'Ok', data: 'YW*j' }] },
      'Lambda.JsonProcessingException',
    ],
    [
      'Go enum names as result',
      { records: [ok('r1'), { ...ok('r2'), result: 'TRANSFORMED_STATE_OK' }] },
      'Lambda.JsonProcessingException',
    ],
    [
      'Ok without data',
      { records: [ok('r1'), { recordId: 'r2', result: 'Ok' }] },
      'Lambda.JsonProcessingException',
    ],
    [
      'a numeric recordId',
      { records: [ok('r1'), { ...ok('r2'), recordId: 2 }] },
      'Lambda.JsonProcessingException',
    ],
    ['no records array', { Records: [] }, 'Lambda.JsonProcessingException'],
    ['undefined', undefined, 'Lambda.JsonProcessingException'],
    ['an array', [ok('r1'), ok('r2')], 'Lambda.JsonProcessingException'],
  ])('fails the invocation for %s', (_label, response, errorCode) => {
    const check = checkProcessorResponse(response, ids);
    expect(check.valid).toBe(false);
    if (check.valid) return;
    expect(check.errorCode).toBe(errorCode);
    expect(check.errorMessage.length).toBeGreaterThan(10);
  });

  it('fails a response over the 6 MB Lambda limit and accepts one just under it', () => {
    const overhead = JSON.stringify({ records: [{ recordId: 'r1', result: 'Ok', data: '' }] }).length;
    const fits = 'A'.repeat(Math.floor((LAMBDA_RESPONSE_LIMIT_BYTES - overhead) / 4) * 4);
    expect(
      checkProcessorResponse({ records: [{ recordId: 'r1', result: 'Ok', data: fits }] }, ['r1']).valid,
    ).toBe(true);
    const tooLarge = checkProcessorResponse(
      { records: [{ recordId: 'r1', result: 'Ok', data: `${fits}AAAA` }] },
      ['r1'],
    );
    expect(tooLarge).toMatchObject({ valid: false, errorCode: 'Lambda.FunctionError' });
    if (!tooLarge.valid) expect(tooLarge.errorMessage).toContain('Function.ResponseSizeTooLarge');
  });

  it('rejects a response that cannot be serialized', () => {
    const cyclic: Record<string, unknown> = { records: [] };
    cyclic.self = cyclic;
    expect(checkProcessorResponse(cyclic, ids)).toMatchObject({
      valid: false,
      errorCode: 'Lambda.JsonProcessingException',
    });
  });
});
