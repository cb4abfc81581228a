import { describe, expect, it } from 'vitest';
import {
  integerLiteral,
  isNonFiniteLiteral,
  parseBool,
  parseDecimal,
  parseTimestampText,
} from './value-parsers';

const bytesOf = (text: string) => Buffer.from(text, 'utf8');
const decimal = (text: string) => parseDecimal(bytesOf(text), 0, Buffer.byteLength(text));
const bool = (text: string, wordsOnly = false) =>
  parseBool(bytesOf(text), 0, Buffer.byteLength(text), wordsOnly);
const literal = (text: string) => integerLiteral(bytesOf(text), 0, Buffer.byteLength(text));

describe('parseDecimal', () => {
  it('reads decimal numbers exactly like Number', () => {
    const cases = [
      '0',
      '-0',
      '42',
      '+7',
      '-12.5',
      '3.14159',
      '.5',
      '5.',
      '1e3',
      '-2.5E-3',
      '1e+300',
      ' 12 ',
      '007',
      '0.1',
      '0.30000000000000004',
      '123456789012345',
      '1234567890123456789',
      '9007199254740993',
      '0.14285714285714285',
      '2147483648',
      '4.35',
      '1.7976931348623157e308',
    ];
    for (const text of cases) expect(decimal(text), text).toBe(Number(text));
  });

  it('checks every fast-path result against Number', () => {
    for (let i = 0; i < 20_000; i++) {
      const text = (i % 3 === 0 ? '-' : '') + (Math.random() * 10 ** ((i % 12) - 3)).toFixed(i % 9);
      expect(decimal(text), text).toBe(Number(text));
    }
  });

  it('refuses what is not a plain decimal number', () => {
    for (const text of [
      '',
      ' ',
      '-',
      '.',
      'e5',
      '1e',
      '1e+',
      '0x10',
      '0b1',
      '1_000',
      '1,5',
      'Infinity',
      'NaN',
      '12a',
      '--1',
      '1.2.3',
    ]) {
      expect(decimal(text), text).toBeNaN();
    }
    expect(decimal('1e999')).toBe(Infinity);
  });

  it('reads a slice of a larger buffer', () => {
    const bytes = bytesOf('a,12.25,b');
    expect(parseDecimal(bytes, 2, 7)).toBe(12.25);
  });
});

describe('integerLiteral and isNonFiniteLiteral', () => {
  it('tells integers, codes with leading zeros and the rest apart', () => {
    expect([
      literal('12'),
      literal('-3'),
      literal('0'),
      literal('007'),
      literal('1.0'),
      literal('1e3'),
      literal('x'),
    ]).toEqual([1, 1, 1, 2, 0, 0, 0]);
  });

  it('recognises spellings of infinity and NaN', () => {
    for (const text of ['Infinity', '-Infinity', '+inf', 'INF', 'nan', 'NaN'])
      expect(isNonFiniteLiteral(text), text).toBe(true);
    for (const text of ['info', 'nano', '1', '']) expect(isNonFiniteLiteral(text), text).toBe(false);
  });
});

describe('parseBool', () => {
  it('reads true/false in any case, and 1/0 unless words only', () => {
    expect([
      bool('true'),
      bool('FALSE'),
      bool(' True '),
      bool('1'),
      bool('0'),
      bool('yes'),
      bool('t'),
    ]).toEqual([1, 0, 1, 1, 0, -1, -1]);
    expect([bool('1', true), bool('0', true), bool('true', true)]).toEqual([-1, -1, 1]);
  });
});

describe('parseTimestamp', () => {
  it('reads ISO 8601 dates and date-times as UTC milliseconds', () => {
    const cases: [string, string][] = [
      ['2024-03-01', '2024-03-01T00:00:00.000Z'],
      ['2024-02-29T23:59', '2024-02-29T23:59:00.000Z'],
      ['2024-03-01T12:30:45', '2024-03-01T12:30:45.000Z'],
      ['2024-03-01 12:30:45.5', '2024-03-01T12:30:45.500Z'],
      ['2024-03-01T12:30:45.123456789Z', '2024-03-01T12:30:45.123Z'],
      ['2024-03-01T12:30:45+02:00', '2024-03-01T10:30:45.000Z'],
      ['2024-03-01T12:30:45-0130', '2024-03-01T14:00:45.000Z'],
      ['2024-03-01T01:00+05', '2024-02-29T20:00:00.000Z'],
      ['1969-07-20T20:17:40Z', '1969-07-20T20:17:40.000Z'],
      ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ];
    for (const [text, iso] of cases) expect(new Date(parseTimestampText(text)).toISOString(), text).toBe(iso);
  });

  it('refuses impossible or non-ISO dates', () => {
    for (const text of [
      '2023-02-29',
      '2024-13-01',
      '2024-04-31',
      '2024-03-01T24:00',
      '2024-03-01T12:60',
      '2024-3-1',
      '03/01/2024',
      '2024-03-01T12',
      '2024-03-01T12:30:45.',
      '2024-03-01T12:30+2',
      'today',
      '20240301',
    ]) {
      expect(parseTimestampText(text), text).toBeNaN();
    }
  });
});
