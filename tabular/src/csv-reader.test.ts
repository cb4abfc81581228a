import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { csvField, readCsv, type CsvReadOptions } from './csv-reader';
import { DataInputError } from './input-error';

/** Splits bytes into pieces of `size` (to cross every boundary the parser has). */
function pieces(input: string | Uint8Array, size: number): Readable {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function parse(input: string | Uint8Array, options: CsvReadOptions = {}, size = 1 << 20) {
  let columns: readonly string[] = [];
  const rows: string[][] = [];
  const lines: number[] = [];
  for await (const chunk of readCsv(pieces(input, size), options)) {
    columns = chunk.columns;
    for (let r = 0; r < chunk.rowCount; r++) {
      rows.push(columns.map((_, c) => csvField(chunk, r * columns.length + c)));
      lines.push(chunk.lines[r]!);
    }
  }
  return { columns, rows, lines };
}

async function parseError(input: string | Uint8Array, options: CsvReadOptions = {}): Promise<DataInputError> {
  try {
    await parse(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DataInputError);
    return error as DataInputError;
  }
  throw new Error('expected the input to be rejected');
}

const scratch = await mkdtemp(join(tmpdir(), 'kiln-csv-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('readCsv', () => {
  it('splits unquoted fields of every length and byte, four bytes a step or one', async () => {
    // Fields of 0 to 13 bytes, with multi-byte characters and bytes close to the delimiters', so the
    // four-byte scan meets its stop at every position of a word and at the end of the input.
    const alphabet = ['a', 'Z', '0', '-', '.', ' ', '+', '/', '\x0b', '\x0c', '\x1f', 'é', '日本', '😀'];
    let seed = 7;
    const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (const delimiter of [',', ';', '\t', '|']) {
      const rows: string[][] = [];
      for (let r = 0; r < 300; r++) {
        rows.push(Array.from({ length: 4 }, () => Array.from({ length: next(14) }, () => alphabet[next(alphabet.length)]).join('')));
      }
      // A record of empty fields only would be a blank line: give each a first field.
      for (const row of rows) row[0] = `r${row[0]}`;
      const text = ['a', 'b', 'c', 'd'].join(delimiter) + '\n' + rows.map((row) => row.join(delimiter)).join('\r\n');
      for (const size of [1 << 20, 5]) {
        const parsed = await parse(text, { delimiter }, size);
        expect(parsed.rows, `delimiter ${JSON.stringify(delimiter)}, pieces of ${size}`).toEqual(rows);
      }
    }
  });

  it('reads RFC 4180: quotes, doubled quotes, delimiters and line breaks inside quotes, CRLF and LF', async () => {
    const csv = 'id,name,note\r\n1,"Smith, J.","said ""hi"""\r\n2,plain,"two\r\nlines"\n3,,""\n';
    const { columns, rows, lines } = await parse(csv);
    expect(columns).toEqual(['id', 'name', 'note']);
    expect(rows).toEqual([
      ['1', 'Smith, J.', 'said "hi"'],
      ['2', 'plain', 'two\r\nlines'],
      ['3', '', ''],
    ]);
    expect(lines).toEqual([2, 3, 5]);
  });

  it('gives the same result however the bytes are split', async () => {
    const csv = '\ufeffa,b,c\r\n"x ""q""\ny",é,€\r\n,,"3"\n\n"last",ü,""\n';
    const whole = await parse(csv);
    expect(whole.rows).toEqual([
      ['x "q"\ny', 'é', '€'],
      ['', '', '3'],
      ['last', 'ü', ''],
    ]);
    for (let size = 1; size <= 12; size++) expect(await parse(csv, {}, size)).toEqual(whole);
  });

  it('supports another delimiter, no header, a missing final line break, lone CR and blank lines', async () => {
    expect(await parse('a;b\n\n1;"2;3"', { delimiter: ';' })).toEqual({
      columns: ['a', 'b'],
      rows: [['1', '2;3']],
      lines: [3],
    });
    expect(await parse('1\t2\r3\t4\r', { delimiter: '\t', header: false })).toEqual({
      columns: ['column_1', 'column_2'],
      rows: [
        ['1', '2'],
        ['3', '4'],
      ],
      lines: [1, 2],
    });
  });

  it('keeps a quote inside an unquoted field, and names empty header cells', async () => {
    expect(await parse('size,\n5\'11",x\n')).toEqual({
      columns: ['size', 'column_2'],
      rows: [['5\'11"', 'x']],
      lines: [2],
    });
  });

  it('yields the columns of a header-only file', async () => {
    expect(await parse('a,b\n')).toEqual({ columns: ['a', 'b'], rows: [], lines: [] });
  });

  it('reads a file by path and names it in errors', async () => {
    const path = join(scratch, 'people.csv');
    await writeFile(path, 'a,b\n1,2\n3\n');
    const chunks = [];
    await expect(
      (async () => {
        for await (const chunk of readCsv(path)) chunks.push(chunk);
      })(),
    ).rejects.toThrow('people.csv: line 3: expected 2 fields, found 1');
  });

  it('reads a quoted field far longer than a read region', async () => {
    const long = 'x'.repeat(3_000_000) + '\n"' + 'y'.repeat(10);
    const csv = `a,b\n"${long.replaceAll('"', '""')}",1\n2,3\n`;
    const { rows } = await parse(csv, {}, 65_536);
    expect(rows).toHaveLength(2);
    expect(rows[0]![0]).toBe(long);
    expect(rows[1]).toEqual(['2', '3']);
  });

  it('reads many rows across regions with correct line numbers', async () => {
    const body = Array.from({ length: 200_000 }, (_, i) => `${i},"v${i}"`).join('\n');
    const { rows, lines } = await parse(`n,v\n${body}\n`, {}, 100_000);
    expect(rows).toHaveLength(200_000);
    expect(rows[199_999]).toEqual(['199999', 'v199999']);
    expect(lines[199_999]).toBe(200_001);
  });

  describe('bad input', () => {
    it('ragged rows name the line and the counts', async () => {
      const error = await parseError('a,b,c,d\n1,2,3,4\n1,2,3,4\n\n1,2,3\n');
      expect(error.message).toBe(
        'line 5: expected 4 fields, found 3 (as many as the header has; a field that contains the delimiter must be quoted)',
      );
      expect(error.line).toBe(5);
      expect((await parseError('1,2\n3,4,5\n', { header: false })).message).toMatch(
        /^line 2: expected 2 fields, found 3 \(as many as the first row has;/,
      );
    });

    it('an unterminated quote names the line and column where it opened', async () => {
      const error = await parseError('a,b\n1,2\n3,"open\nstill open\nto the end\n');
      expect(error.message).toBe(
        'line 3, column 3: unterminated quote: the quoted field that starts here never ends; close it with "',
      );
      expect(error.line).toBe(3);
      expect(error.column).toBe(3);
    });

    it('text after a closing quote names line and column', async () => {
      expect((await parseError('a,b\n"x"y,2\n')).message).toBe(
        'line 2, column 4: unexpected "y" after a closing quote; a quote inside a quoted field must be doubled ("")',
      );
    });

    it('invalid UTF-8 names the line and column', async () => {
      const bytes = Buffer.concat([
        Buffer.from('a,b\n1,2\n"x\ny",caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]);
      const error = await parseError(bytes);
      expect(error.message).toBe(
        'line 4, column 7: invalid UTF-8 (byte 0xE9); the input must be UTF-8: re-save or convert it (it may be Latin-1 or Windows-1252)',
      );
      // A truncated multi-byte sequence at the very end is invalid too.
      expect((await parseError(Buffer.from([0x61, 0x0a, 0xe2, 0x82]))).message).toMatch(
        /^line 2, column 1: invalid UTF-8 \(byte 0xE2\)/,
      );
    });

    it('an empty file is an error', async () => {
      expect((await parseError('')).message).toBe('empty file: expected a header row naming the columns');
      expect((await parseError('\r\n\n')).message).toBe(
        'empty file: expected a header row naming the columns',
      );
      expect((await parseError('', { header: false })).message).toBe('empty file: no rows');
      expect((await parseError('', { source: 'in.csv' })).message).toBe(
        'in.csv: empty file: expected a header row naming the columns',
      );
    });

    it('duplicate column names are an error', async () => {
      expect((await parseError('a,b,a\n1,2,3\n')).message).toBe(
        'line 1: duplicate column name "a" (columns 1 and 3); rename one of them',
      );
    });

    it('a bad delimiter is refused', async () => {
      await expect(parse('a\n', { delimiter: '"' })).rejects.toThrow(
        'CSV delimiter must be one ASCII character',
      );
      await expect(parse('a\n', { delimiter: ';;' })).rejects.toThrow(
        'CSV delimiter must be one ASCII character',
      );
    });
  });
});
