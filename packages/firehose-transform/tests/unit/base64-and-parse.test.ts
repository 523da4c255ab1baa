import { describe, expect, it } from 'vitest';
import { decodeStrictBase64, parseJsonRecord, parseUtf8Record, RecordParseError } from '../../src/index.js';

describe('decodeStrictBase64', () => {
  it('decodes canonical base64, including empty and padded', () => {
    expect(decodeStrictBase64('SGVsbG8gV29ybGQ=')?.toString()).toBe('Hello World');
    expect(decodeStrictBase64('YQ==')?.toString()).toBe('a');
    expect(decodeStrictBase64('')?.length).toBe(0);
  });

  it.each([
    ['missing padding', 'SGVsbG8gV29ybGQ'],
    ['a stray character', 'SGVsbG8*V29ybGQ='],
    ['whitespace', 'SGVs bG8g'],
    ['a newline', 'SGVs\nbG8g'],
    ['the URL-safe alphabet', 'a-_b'],
    ['non-zero pad bits', 'YR=='],
    ['padding in the middle', 'YQ==YQ=='],
    ['non-ASCII', 'ÿÿÿÿ'],
  ])('rejects %s', (_label, text) => {
    expect(decodeStrictBase64(text)).toBeUndefined();
  });
});

describe('parseJsonRecord', () => {
  it('parses UTF-8 JSON, including non-ASCII', () => {
    expect(parseJsonRecord(Buffer.from('{"name":"Zoë 山田 😀"}'))).toEqual({ name: 'Zoë 山田 😀' });
  });

  it('rejects invalid UTF-8 instead of inventing U+FFFD', () => {
    expect(() => parseJsonRecord(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(
      new RecordParseError('data is not valid UTF-8'),
    );
  });

  it('says where JSON breaks without quoting the content', () => {
    let message = '';
    try {
      parseJsonRecord(Buffer.from('{"phone":"+61401004854",}'));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^data is not valid JSON/);
    expect(message).not.toContain('61401004854');
  });

  it('names empty data', () => {
    expect(() => parseJsonRecord(Buffer.from('  '))).toThrow('data is empty, expected JSON');
  });

  it('parseUtf8Record returns text and rejects invalid UTF-8', () => {
    expect(parseUtf8Record(Buffer.from('plain'))).toBe('plain');
    expect(() => parseUtf8Record(Buffer.from([0xc3]))).toThrow(RecordParseError);
  });
});
