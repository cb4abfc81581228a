import { describe, expect, it } from 'vitest';
import { NullTokens, TypeTally, resolveColumnTypes, toleratedOffenders, type ColumnType } from './type-inference';

function inferCells(...cells: string[]): ColumnType {
  const tally = new TypeTally();
  const nulls = new NullTokens();
  for (const cell of cells) {
    const bytes = Buffer.from(cell, 'utf8');
    if (!nulls.matches(bytes, 0, bytes.byteLength)) tally.addCell(bytes, 0, bytes.byteLength);
  }
  return tally.type();
}

function inferJson(...values: unknown[]): ColumnType {
  const tally = new TypeTally();
  for (const value of values) if (value !== null) tally.addJson(value);
  return tally.type();
}

describe('type inference from CSV cells', () => {
  it('picks the narrowest type every value fits', () => {
    expect(inferCells('1', '-2', '300', '')).toBe('int');
    expect(inferCells('1', '2.5', 'NA')).toBe('float');
    expect(inferCells('1', '3000000000')).toBe('float'); // beyond Int32: a double holds it exactly
    expect(inferCells('true', 'False', 'TRUE', 'null')).toBe('bool');
    expect(inferCells('2024-01-01', '2024-01-02T10:00:00Z', '')).toBe('date');
    expect(inferCells('red', 'green', '1')).toBe('string');
  });

  it("takes the majority type when at most 1% of the values (one, from 20 values) break it", () => {
    const ints = (n: number) => Array.from({ length: n }, (_, i) => String(i));
    expect([19, 20, 99, 100, 199, 200, 1000].map(toleratedOffenders)).toEqual([0, 1, 1, 1, 1, 2, 10]);
    expect(inferCells(...ints(19), 'twelve')).toBe('int');
    expect(inferCells(...ints(18), 'twelve')).toBe('string');
    expect(inferCells(...ints(198), 'twelve', 'x')).toBe('int');
    expect(inferCells(...ints(197), 'twelve', 'x', 'y')).toBe('string');
    expect(inferCells(...ints(50), '2.5', 'n/a')).toBe('float');
    expect(inferCells(...Array.from({ length: 30 }, () => 'true'), 'maybe')).toBe('bool');
    expect(inferCells(...Array.from({ length: 30 }, () => '2024-01-01'), 'soon')).toBe('date');
  });

  it('keeps identifiers as text: leading zeros and integers beyond 2^53', () => {
    expect(inferCells('007', '012', '123')).toBe('string');
    expect(inferCells('12345678901234567890', '1')).toBe('string');
  });

  it('reads 0/1 as int, not bool, and an all-null column as string', () => {
    expect(inferCells('0', '1', '1')).toBe('int');
    expect(inferCells('', 'NA', 'NaN', 'null')).toBe('string');
  });

  it('keeps a numeric column numeric when it holds Infinity, so conversion can name the cell', () => {
    expect(inferCells('1', 'Infinity')).toBe('float');
    expect(inferCells('1', '2', '-inf')).toBe('float');
    expect(inferCells('Infinity')).toBe('string');
  });
});

describe('type inference from JSON values', () => {
  it('follows the JSON types', () => {
    expect(inferJson(1, 2, null)).toBe('int');
    expect(inferJson(1, 2.5)).toBe('float');
    expect(inferJson(true, false)).toBe('bool');
    expect(inferJson('2024-01-01', '2024-02-01T00:00:00Z')).toBe('date');
    expect(inferJson('12', '13')).toBe('string');
    expect(inferJson(1, 'a')).toBe('string');
    expect(inferJson({ a: 1 }, [1])).toBe('string');
  });
});

describe('NullTokens', () => {
  it('matches configured tokens exactly, on bytes', () => {
    const nulls = new NullTokens(['', 'NA', 'n/a', '-999']);
    const at = (text: string) => nulls.matches(Buffer.from(text), 0, Buffer.byteLength(text));
    expect([at(''), at('NA'), at('n/a'), at('-999'), at('na'), at('NA '), at('-99')]).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(nulls.numeric).toBe(true);
    expect(new NullTokens().numeric).toBe(false);
  });
});

describe('resolveColumnTypes', () => {
  const tallies = ['1', 'x'].map((cell) => {
    const tally = new TypeTally();
    tally.addCell(Buffer.from(cell), 0, cell.length);
    return tally;
  });

  it('applies overrides over inference', () => {
    expect(resolveColumnTypes(['a', 'b'], tallies, { a: 'float' })).toEqual({
      types: ['float', 'string'],
      overridden: [true, false],
    });
  });

  it('refuses overrides of unknown columns or types', () => {
    expect(() => resolveColumnTypes(['a', 'b'], tallies, { c: 'int' })).toThrow(
      'type override for unknown column "c"; the columns are "a", "b"',
    );
    expect(() => resolveColumnTypes(['a', 'b'], tallies, { a: 'number' as ColumnType })).toThrow(
      'type override for column "a" is "number"; use one of int, float, bool, date, string',
    );
  });
});
