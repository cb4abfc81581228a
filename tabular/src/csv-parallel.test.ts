import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { csvThreadWork, recordCut, startCsvThreads } from './csv-parallel';
import { csvToArrow, type CsvToArrowOptions } from './csv-to-arrow';
import { DataInputError } from './input-error';

const scratch = await mkdtemp(join(tmpdir(), 'kiln-csv-parallel-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let fileCount = 0;
const outPath = () => join(scratch, `out-${++fileCount}.arrow`);

/** Worker threads from the first region after the sample, with tiny regions. */
const PARALLEL: CsvToArrowOptions = { threads: 2, parallelFrom: 0, regionBytes: 200, batchRows: 50 };
const SEQUENTIAL: CsvToArrowOptions = { threads: 0, regionBytes: 200, batchRows: 50 };

/** The input in pieces of `size` bytes, as a stream. */
function pieces(text: string | Buffer, size = 97): Readable {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) out.push(bytes.subarray(i, i + size));
  return Readable.from(out);
}

async function run(input: string | Buffer, options: CsvToArrowOptions) {
  const path = outPath();
  try {
    const result = await csvToArrow(pieces(input), path, options);
    return { result, bytes: await readFile(path), error: undefined };
  } catch (error) {
    expect(existsSync(path), 'the partial file is removed').toBe(false);
    return { result: undefined, bytes: undefined, error: error as Error };
  }
}

/** Runs both paths and expects the same file, result or error. */
async function expectSameAsSequential(input: string | Buffer, extra: CsvToArrowOptions = {}) {
  const sequential = await run(input, { ...SEQUENTIAL, ...extra });
  const parallel = await run(input, { ...PARALLEL, ...extra });
  if (sequential.error !== undefined) {
    expect(parallel.error ?? 'no error').toBeInstanceOf(DataInputError);
    expect(parallel.error!.message).toBe(sequential.error.message);
    return sequential.error;
  }
  expect(parallel.error).toBeUndefined();
  expect(parallel.result).toEqual(sequential.result);
  expect(parallel.bytes!.equals(sequential.bytes), 'the same Arrow file').toBe(true);
  return sequential.result;
}

function table(rows: number, cell: (r: number) => string, header = 'id,x,flag,day,label,note'): string {
  let text = `${header}\n`;
  for (let r = 0; r < rows; r++) text += `${cell(r)}\n`;
  return text;
}

const row = (r: number) =>
  [
    r,
    r % 7 === 0 ? '' : ((r * 37) % 1000) / 8,
    r % 3 === 0 ? 'true' : 'false',
    `2024-01-${String((r % 28) + 1).padStart(2, '0')}`,
    ['a', 'b', 'c'][r % 3],
    // Quoted fields with commas, doubled quotes and line breaks (CRLF too), so many of them span the
    // cut between two regions.
    r % 5 === 0 ? `"line one\nline two, ""quoted""\r\nline ${r}"` : r % 11 === 0 ? '' : `note ${r}`,
  ].join(',');

describe('csvToArrow on worker threads', () => {
  it('writes the same file, statistics and schema as on one thread', { timeout: 60_000 }, async () => {
    const before = csvThreadWork();
    const result = await expectSameAsSequential(table(3000, row));
    expect(result).toMatchObject({ rowCount: 3000 });
    const after = csvThreadWork();
    expect(after.regions - before.regions, 'regions converted on the threads').toBeGreaterThan(0);
    expect(after.histogramShares - before.histogramShares, 'histogram shares counted on the threads').toBe(2);
  });

  it('handles CRLF line ends, blank lines and a last line without a line break', async () => {
    const text = table(800, row).replaceAll('\n', '\r\n').replace('\r\n5,', '\r\n\r\n\r\n5,').trimEnd();
    await expectSameAsSequential(text);
  });

  it('takes over from a stray quote in an unquoted field that misleads the guessed cut', async () => {
    await expectSameAsSequential(table(1500, (r) => (r === 400 ? `${row(r).replace('note', 'no"te')}` : row(r))));
  });

  it('keeps huge quoted fields longer than a region whole', async () => {
    const big = `"${'x,\n'.repeat(500)}"`;
    await expectSameAsSequential(table(600, (r) => (r % 100 === 0 ? row(r).replace(/note \d+$/, big) : row(r))));
  });

  it('names the right line for text in a numeric column far after the sample', async () => {
    // One value in 2,000 is read as null and reported; the region that holds it is converted on the
    // calling thread (as is the rest of the input).
    const result = (await expectSameAsSequential(
      table(2000, (r) => (r === 1700 ? row(r).replace(/^1700,[^,]*,/, '1700,abc,') : row(r))),
    )) as Awaited<ReturnType<typeof csvToArrow>>;
    // 1 header line, 2 lines for each quoted note before row 1700 (every 5th row).
    expect(result.stats[1]!.offenders).toEqual({ count: 1, samples: [{ line: 1 + 1700 + 2 * 340 + 1, value: 'abc' }] });
    // Past 1% of the values, the first one is the error, at its line.
    const error = await expectSameAsSequential(
      table(2000, (r) => (r >= 1700 && r < 1730 ? row(r).replace(/^(\d+),[^,]*,/, '$1,abc,') : row(r))),
    );
    expect((error as DataInputError).line).toBe(1 + 1700 + 2 * 340 + 1);
    expect((error as Error).message).toMatch(/column "x": "abc" is not a number.* \(30 of 1,719 values do not fit float/);
  });

  it('reports the error the single-thread path reports when a region has several', async () => {
    // Bad cells in two columns, in and across batches.
    await expectSameAsSequential(
      table(2000, (r) =>
        r === 1310 ? row(r).replace(',true,', ',maybe,').replace(',false,', ',maybe,') : r === 1290 ? row(r).replace(/^1290,/, '1290.5,') : row(r),
      ),
    );
  });

  it('names the right line for a ragged row, broken quoting and invalid UTF-8 in a later region', async () => {
    const ragged = await expectSameAsSequential(table(1500, (r) => (r === 1200 ? `${row(r)},extra` : row(r))));
    expect((ragged as Error).message).toMatch(/^line \d+: expected 6 fields, found 7/);
    const quote = await expectSameAsSequential(table(1500, (r) => (r === 1002 ? row(r).replace('note', '"note"x') : row(r))));
    expect((quote as Error).message).toMatch(/after a closing quote/);
    const text = Buffer.from(table(1500, row));
    const at = text.indexOf('note 1234');
    text[at] = 0xff;
    const utf8 = await expectSameAsSequential(text);
    expect((utf8 as Error).message).toMatch(/^line \d+, column \d+: invalid UTF-8 \(byte 0xFF\)/);
  });

  it('reports an unterminated quote at the end', async () => {
    const error = await expectSameAsSequential(`${table(1000, row)}1000,1,true,2024-01-01,a,"open\nnever closed\n`);
    expect((error as Error).message).toMatch(/unterminated quote/);
  });

  it('reads a file by path with 1, 2 and 3 threads into the same file and statistics as with none', { timeout: 120_000 }, async () => {
    // More than one read of the file (4 MB), so that regions go to the threads; text columns with
    // few and with more distinct values than are counted (their counting stops part-way).
    const path = join(scratch, 'input.csv');
    await writeFile(path, table(150_000, (r) => `${row(r)},c${(r * 7919) % 120_000}`, 'id,x,flag,day,label,note,code'));
    const options = { batchRows: 1000, parallelFrom: 0, stats: { maxDistinct: 50_000 }, sha256: true };
    const sequentialOut = outPath();
    const sequential = await csvToArrow(path, sequentialOut, { ...options, threads: 0 });
    expect(sequential.stats[6]).toMatchObject({ distinctCount: '>50000', topValuesExact: false });
    const sequentialBytes = await readFile(sequentialOut);
    expect(sequential.sha256).toBe(createHash('sha256').update(sequentialBytes).digest('hex'));
    for (const threads of [1, 2, 3]) {
      const before = csvThreadWork();
      const parallelOut = outPath();
      const parallel = await csvToArrow(path, parallelOut, { ...options, threads });
      const after = csvThreadWork();
      expect(after.regions - before.regions, `regions converted on ${threads} threads`).toBeGreaterThan(0);
      expect(after.histogramShares - before.histogramShares, `histogram shares counted on ${threads} threads`).toBe(threads);
      expect(after.hashes - before.hashes, `the file hashed on a thread (${threads} threads)`).toBe(1);
      expect(parallel, `${threads} threads`).toEqual(sequential);
      expect((await readFile(parallelOut)).equals(sequentialBytes), `the same Arrow file with ${threads} threads`).toBe(true);
    }
  });
});

describe('recordCut', () => {
  it('starts the threads ahead of a conversion and says when they have loaded', { timeout: 60_000 }, async () => {
    await startCsvThreads(2);
    const result = await expectSameAsSequential(table(500, row));
    expect(result).toMatchObject({ rowCount: 500 });
  });

  it('cuts after the last line feed outside quotes', () => {
    expect(recordCut(Buffer.from('a,b\nc,d\ne'))).toBe(8);
    expect(recordCut(Buffer.from('a,"b\nc",d\ne,"f\ng'))).toBe(10);
    expect(recordCut(Buffer.from('a,"b\nc'))).toBe(0);
    expect(recordCut(Buffer.from('no line feed'))).toBe(0);
  });
});
