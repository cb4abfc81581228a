import { isUtf8 } from 'node:buffer';
import { DataInputError } from './input-error';
import {
  DEFAULT_BATCH_ROWS,
  TableAssembler,
  type TableWriteOptions,
  type TableWriteResult,
} from './table-assembler';
import { invalidUtf8Error, openInput, type ByteInput } from './text-input';
import { NullTokens, TypeTally, resolveColumnTypes, type TypeOptions } from './type-inference';
import { asBuffer } from './value-parsers';

/** Options of {@link jsonlToArrow}. */
export interface JsonlToArrowOptions extends TypeOptions, TableWriteOptions {
  /** A name for the input in error messages (default: the file name when reading a path). */
  source?: string;
  /**
   * The columns, in order. By default they are the keys of the first `batchRows` objects, in order of
   * appearance, and a later object with another key is an error.
   */
  columns?: readonly string[];
}

/** Objects parsed from a run of lines. */
interface ObjectRun {
  objects: Record<string, unknown>[];
  lines: number[];
}

const MIN_REGION = 1 << 20;

/**
 * Converts JSON Lines (one JSON object per line; blank lines skipped) into an Arrow IPC file, like
 * {@link csvToArrow}. Types follow the JSON values: numbers are int or float, booleans bool, strings
 * string, or date when every sampled one is ISO 8601; arrays and objects are kept as JSON text in a
 * string column. `nullValues` defaults to none here, since JSON has null.
 */
export async function jsonlToArrow(
  input: ByteInput,
  outPath: string,
  options: JsonlToArrowOptions = {},
): Promise<TableWriteResult> {
  const batchRows = Math.max(1, options.batchRows ?? DEFAULT_BATCH_ROWS);
  const nulls = new NullTokens(options.nullValues ?? []);
  const { chunks, source } = openInput(input, options.source);
  const runs = readJsonObjects(chunks, source);
  try {
    const sample: ObjectRun[] = [];
    let sampled = 0;
    while (sampled < batchRows) {
      const next = await runs.next();
      if (next.done) break;
      sample.push(next.value);
      sampled += next.value.objects.length;
    }
    const columns = options.columns ? [...options.columns] : keysInOrder(sample, batchRows);
    if (columns.length === 0) {
      throw new DataInputError(
        'empty file: no JSON object with any field',
        source === undefined ? {} : { source },
      );
    }
    const sampleRows = Math.min(sampled, batchRows);
    const tallies = tallySample(sample, columns, sampleRows, nulls);
    const { types, overridden } = resolveColumnTypes(columns, tallies, options.types);
    const context = source === undefined ? { nulls, sampleRows, tolerant: true } : { nulls, sampleRows, source, tolerant: true };
    const specs = columns.map((name, i) => ({ name, type: types[i]!, overridden: overridden[i]! }));
    const index = new Map(columns.map((name, i) => [name, i]));
    const assembler = await TableAssembler.create(outPath, specs, context, options);
    try {
      const append = (run: ObjectRun) => {
        const cells = toCells(run, index, options.columns !== undefined, sampleRows, source);
        return assembler.appendJson(cells, run.lines, run.objects.length);
      };
      for (const run of sample.splice(0)) await append(run);
      for await (const run of runs) await append(run);
      return await assembler.finish();
    } catch (error) {
      await assembler.abort();
      throw error;
    }
  } finally {
    await runs.return(undefined);
  }
}

/** Parses lines into objects, a region (≥ 1 MB of whole lines) at a time. */
async function* readJsonObjects(
  chunks: AsyncIterable<Uint8Array>,
  source: string | undefined,
): AsyncGenerator<ObjectRun> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let minRegion = MIN_REGION;
  let line = 1;
  let first = true;

  function region(final: boolean): ObjectRun {
    let bytes = pending.length === 1 ? asBuffer(pending[0]!) : Buffer.concat(pending, pendingBytes);
    if (first) {
      first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const end = final ? bytes.byteLength : bytes.lastIndexOf(10) + 1;
    const run: ObjectRun = { objects: [], lines: [] };
    if (end > 0) {
      if (!isUtf8(bytes.subarray(0, end))) throw invalidUtf8Error(bytes, 0, end, line, false, source);
      const text = bytes.toString('utf8', 0, end);
      for (let from = 0; from < text.length; line++) {
        const newline = text.indexOf('\n', from);
        const to = newline === -1 ? text.length : newline;
        const lineText = text.slice(from, to);
        from = to + 1;
        if (lineText.trim() === '') continue;
        run.objects.push(parseObject(lineText, line, source));
        run.lines.push(line);
      }
    }
    const carry = bytes.subarray(end);
    pending = carry.byteLength > 0 ? [carry] : [];
    pendingBytes = carry.byteLength;
    if (carry.byteLength * 2 > minRegion) minRegion = carry.byteLength * 2;
    return run;
  }

  for await (const piece of chunks) {
    if (piece.byteLength === 0) continue;
    pending.push(piece);
    pendingBytes += piece.byteLength;
    if (pendingBytes < minRegion) continue;
    const run = region(false);
    if (run.objects.length > 0) yield run;
  }
  const run = region(true);
  if (run.objects.length > 0) yield run;
}

function parseObject(text: string, line: number, source: string | undefined): Record<string, unknown> {
  const where = source === undefined ? { line } : { source, line };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataInputError(
      `invalid JSON: ${(error as Error).message}; each line must hold one JSON object`,
      where,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    throw new DataInputError(`expected a JSON object ({...}), found ${found}`, where);
  }
  return value as Record<string, unknown>;
}

function keysInOrder(sample: readonly ObjectRun[], rows: number): string[] {
  const keys = new Set<string>();
  let left = rows;
  for (const run of sample) {
    for (const object of run.objects.slice(0, left)) for (const key of Object.keys(object)) keys.add(key);
    left -= run.objects.length;
    if (left <= 0) break;
  }
  return [...keys];
}

function tallySample(
  sample: readonly ObjectRun[],
  columns: readonly string[],
  rows: number,
  nulls: NullTokens,
): TypeTally[] {
  const tallies = columns.map(() => new TypeTally());
  let left = rows;
  for (const run of sample) {
    for (const object of run.objects.slice(0, left)) {
      columns.forEach((name, c) => {
        const value = object[name];
        if (value === null || value === undefined || (typeof value === 'string' && nulls.values.has(value)))
          return;
        tallies[c]!.addJson(value);
      });
    }
    left -= run.objects.length;
    if (left <= 0) break;
  }
  return tallies;
}

/** Row-major cells of a run (`undefined` where a key is missing). */
function toCells(
  run: ObjectRun,
  index: ReadonlyMap<string, number>,
  columnsGiven: boolean,
  sampleRows: number,
  source: string | undefined,
): unknown[] {
  const width = index.size;
  const cells = new Array<unknown>(run.objects.length * width);
  run.objects.forEach((object, r) => {
    for (const key of Object.keys(object)) {
      const c = index.get(key);
      if (c === undefined) {
        const line = run.lines[r]!;
        const why = columnsGiven
          ? 'it is not in the columns option'
          : `it does not appear in the first ${sampleRows} lines`;
        throw new DataInputError(
          `field ${JSON.stringify(key)} has no column: ${why}; list every column in the columns option`,
          source === undefined ? { line } : { source, line },
        );
      }
      cells[r * width + c] = object[key];
    }
  });
  return cells;
}
