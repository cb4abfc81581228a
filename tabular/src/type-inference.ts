import { COLUMN_TYPES, type ColumnSchema, type ColumnType, type TypeOffenders } from '@kiln/engine';
import type { CsvChunk } from './csv-reader';
import { fieldText } from './csv-reader';
import {
  integerLiteral,
  isNonFiniteLiteral,
  parseBool,
  parseDecimal,
  parseTimestamp,
  parseTimestampText,
} from './value-parsers';

/**
 * A column's type (declared with the `Dataset` port value): `int` is a 32-bit integer (Arrow Int32),
 * `float` a double (Float64), `bool` a boolean, `date` an ISO 8601 date or date-time (Arrow Timestamp
 * in milliseconds, UTC) and `string` text, categorical or not (Utf8). A `ColumnSchema`'s `nullable`
 * says whether the column holds at least one null.
 */
export { COLUMN_TYPES, type ColumnSchema, type ColumnType };

/** How cells become typed values. */
export interface TypeOptions {
  /** Types that replace inference, by column name. */
  types?: Record<string, ColumnType>;
  /**
   * Cells read as null, compared exactly (default `''`, `NA`, `null`, `NaN`). An empty cell is always
   * null in a column that is not `string`.
   */
  nullValues?: readonly string[];
}

export const DEFAULT_NULL_VALUES: readonly string[] = ['', 'NA', 'null', 'NaN'];

/**
 * How many non-null values of a column may break its inferred type: 1% of them, and at least one
 * once there are {@link MIN_VALUES_FOR_MAJORITY}. A column whose sample is, say, all integers but one
 * `twelve` is `int`; the cells that do not fit are read as null and reported with their line and
 * value (see {@link TypeOffenders}), in the sample or after it. Below that share the column keeps
 * the wider type (`string`); with fewer values every one must fit.
 */
export function toleratedOffenders(values: number): number {
  return values < MIN_VALUES_FOR_MAJORITY ? 0 : Math.max(1, Math.floor(values * MAX_OFFENDER_SHARE));
}

export const MAX_OFFENDER_SHARE = 0.01;
export const MIN_VALUES_FOR_MAJORITY = 20;

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/** What the sample cells of one column look like; {@link TypeTally.type} decides the column type. */
export class TypeTally {
  nonNull = 0;
  /** Integers in the Int32 range. */
  ints = 0;
  /** Integers beyond Int32 but exact as doubles. */
  bigInts = 0;
  /** Integers beyond 2^53 (ids, hashes): a double would change them. */
  unsafeInts = 0;
  /** Integers written with a leading zero (`007`): codes rather than quantities. */
  codes = 0;
  floats = 0;
  nonFinite = 0;
  bools = 0;
  dates = 0;

  /** Counts one non-null CSV cell. */
  addCell(bytes: Buffer, start: number, end: number): void {
    if (start < 0) return this.addText(fieldText(bytes, start, end));
    this.nonNull++;
    const value = parseDecimal(bytes, start, end);
    if (value === value) {
      const literal = integerLiteral(bytes, start, end);
      if (literal === 2) this.codes++;
      else if (literal === 1) this.addInteger(value);
      else this.floats++;
      return;
    }
    const length = end - start;
    if (length <= 12 && isNonFiniteLiteral(bytes.toString('latin1', start, end))) this.nonFinite++;
    else if (parseBool(bytes, start, end, true) !== -1) this.bools++;
    else if (!Number.isNaN(parseTimestamp(bytes, start, end))) this.dates++;
  }

  /** Counts one non-null text value (a CSV cell with escaped quotes, or a JSON string). */
  addText(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.addCell(bytes, 0, bytes.byteLength);
  }

  /** Counts one non-null JSON value. JSON strings stay text unless they are dates. */
  addJson(value: unknown): void {
    if (typeof value === 'number') {
      this.nonNull++;
      if (Number.isInteger(value)) this.addInteger(value);
      else this.floats++;
    } else if (typeof value === 'boolean') {
      this.nonNull++;
      this.bools++;
    } else if (typeof value === 'string') {
      this.nonNull++;
      if (value.length >= 10 && value.length <= 64 && !Number.isNaN(parseTimestampText(value))) this.dates++;
    } else {
      this.nonNull++;
    }
  }

  private addInteger(value: number): void {
    if (value >= INT32_MIN && value <= INT32_MAX) this.ints++;
    else if (Number.isSafeInteger(value)) this.bigInts++;
    else this.unsafeInts++;
  }

  /**
   * The narrowest type the sample values fit, all but at most {@link toleratedOffenders} of them;
   * `string` when there is nothing to go by.
   */
  type(): ColumnType {
    const n = this.nonNull;
    if (n === 0) return 'string';
    const tolerated = toleratedOffenders(n);
    const integers = this.ints + this.bigInts;
    const numeric = integers + this.unsafeInts + this.codes + this.floats + this.nonFinite;
    if (n - numeric <= tolerated && numeric > this.nonFinite) {
      // Codes and huge integers are identifiers: doubles would drop their zeros or digits.
      if (this.floats === 0 && (this.codes > 0 || this.unsafeInts > 0)) return 'string';
      if (this.floats === 0 && this.nonFinite === 0 && this.bigInts === 0) return 'int';
      return 'float';
    }
    if (n - this.bools <= tolerated && this.bools > 0) return 'bool';
    if (n - this.dates <= tolerated && this.dates > 0) return 'date';
    return 'string';
  }
}

/**
 * Cells of a column whose type was inferred that do not fit it (`twelve` in an `int` column): read
 * as null, counted, and the first few kept with their line (or row) and value, for the dataset's
 * statistics and validation reports.
 */
export type { TypeOffenders };

export const OFFENDER_SAMPLES = 10;

/** Exact-match null tokens, compared on bytes without decoding. */
export class NullTokens {
  readonly values: ReadonlySet<string>;
  /** Whether a token also reads as a number (e.g. `-999`): then tokens are checked before parsing. */
  readonly numeric: boolean;
  private readonly byLength: Buffer[][] = [];

  constructor(values: readonly string[] = DEFAULT_NULL_VALUES) {
    this.values = new Set(values);
    for (const value of this.values) {
      const bytes = Buffer.from(value, 'utf8');
      (this.byLength[bytes.byteLength] ??= []).push(bytes);
    }
    this.numeric = [...this.values].some((v) => v.trim() !== '' && !Number.isNaN(Number(v)));
  }

  /** Whether `bytes[start, end)` is a null token (`start` must not be `~`-marked). */
  matches(bytes: Uint8Array, start: number, end: number): boolean {
    const candidates = this.byLength[end - start];
    if (candidates === undefined) return false;
    outer: for (const token of candidates) {
      for (let i = 0; i < token.byteLength; i++) if (bytes[start + i] !== token[i]) continue outer;
      return true;
    }
    return false;
  }
}

/** Tallies the first `rows` rows of sample chunks, one tally per column. */
export function tallyCsvSample(
  chunks: readonly CsvChunk[],
  width: number,
  rows: number,
  nulls: NullTokens,
): TypeTally[] {
  const tallies = Array.from({ length: width }, () => new TypeTally());
  let left = rows;
  for (const chunk of chunks) {
    const count = Math.min(left, chunk.rowCount);
    for (let c = 0; c < width; c++) {
      const tally = tallies[c]!;
      for (let r = 0; r < count; r++) {
        const i = r * width + c;
        const start = chunk.starts[i]!;
        const end = chunk.ends[i]!;
        if (start >= 0 && (start === end || nulls.matches(chunk.bytes, start, end))) continue;
        if (start < 0 && nulls.values.has(fieldText(chunk.bytes, start, end))) continue;
        tally.addCell(chunk.bytes, start, end);
      }
    }
    left -= count;
    if (left === 0) break;
  }
  return tallies;
}

/** The type of each column: its override, else what its tally says. Throws on unknown overrides. */
export function resolveColumnTypes(
  columns: readonly string[],
  tallies: readonly TypeTally[],
  overrides: Record<string, ColumnType> = {},
): { types: ColumnType[]; overridden: boolean[] } {
  for (const [name, type] of Object.entries(overrides)) {
    if (!columns.includes(name)) {
      throw new Error(
        `type override for unknown column ${JSON.stringify(name)}; the columns are ${columns.map((c) => JSON.stringify(c)).join(', ')}`,
      );
    }
    if (!COLUMN_TYPES.includes(type)) {
      throw new Error(
        `type override for column ${JSON.stringify(name)} is ${JSON.stringify(type)}; use one of ${COLUMN_TYPES.join(', ')}`,
      );
    }
  }
  const overridden = columns.map((name) => Object.hasOwn(overrides, name));
  const types = columns.map((name, i) => (overridden[i] ? overrides[name]! : tallies[i]!.type()));
  return { types, overridden };
}
