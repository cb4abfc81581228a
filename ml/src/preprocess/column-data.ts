// Columns as typed arrays, the form the ML code reads: numbers with NaN for missing, or text as codes
// into a dictionary of its distinct values. A column's type is its name in the dataset schema
// ('string' columns are text, 'bool' ones hold 1/0); reading datasets into this form is the caller's.

/** A cell as plain JS: number (int, float, date as epoch ms), boolean, string, or null. */
export type Cell = number | boolean | string | null;

/**
 * One column held as typed arrays, so that a million rows are two arrays rather than a million
 * boxed values: numbers (int, float, date as epoch ms, bool as 1/0) with NaN for a missing value, or
 * text as codes into a dictionary of its distinct values (−1 for a missing value).
 */
export type ColumnData =
  { kind: 'number'; values: Float64Array } | { kind: 'text'; codes: Int32Array; dictionary: string[] };

/** The number a cell stands for in a numeric column (NaN when missing or not a number). */
export function cellNumber(v: Cell | undefined): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : NaN;
}

/** A cell as text ("" when missing). */
export function cellText(v: Cell | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/** Gives each distinct text a code, in order of first appearance. */
export class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  code(text: string): number {
    let k = this.index.get(text);
    if (k === undefined) {
      k = this.values.length;
      this.values.push(text);
      this.index.set(text, k);
    }
    return k;
  }
}

/** Plain cells of a column, as the nodes that work on cells read them. */
export function columnCells(data: ColumnData, type: string): Cell[] {
  if (data.kind === 'text') {
    const { codes, dictionary } = data;
    return Array.from(codes, (k) => (k < 0 ? null : dictionary[k]!));
  }
  const { values } = data;
  if (type === 'bool') return Array.from(values, (x) => (x !== x ? null : x === 1));
  return Array.from(values, (x) => (x !== x ? null : x));
}

/** The typed form of plain cells (for columns built in memory rather than read from a dataset). */
export function columnDataFromCells(cells: readonly Cell[], type: string): ColumnData {
  if (type === 'string') {
    const dictionary = new Dictionary();
    const codes = Int32Array.from(cells, (v) =>
      v === null || v === undefined ? -1 : dictionary.code(String(v)),
    );
    return { kind: 'text', codes, dictionary: dictionary.values };
  }
  return { kind: 'number', values: Float64Array.from(cells, (v) => cellNumber(v)) };
}

/** The column as numbers (NaN: missing or not a number), whatever its kind. */
export function numbersOf(data: ColumnData): Float64Array {
  if (data.kind === 'number') return data.values;
  const byCode = data.dictionary.map((t) => cellNumber(t));
  return Float64Array.from(data.codes, (k) => (k < 0 ? NaN : byCode[k]!));
}

/** The column as text codes, whatever its kind (a number's text is `String(cell)`). */
export function textCodesOf(data: ColumnData, type: string): { codes: Int32Array; dictionary: string[] } {
  if (data.kind === 'text') return data;
  const dictionary = new Dictionary();
  const byNumber = new Map<number, number>();
  const codes = Int32Array.from(data.values, (x) => {
    if (x !== x) return -1;
    let k = byNumber.get(x);
    if (k === undefined) byNumber.set(x, (k = dictionary.code(String(type === 'bool' ? x === 1 : x))));
    return k;
  });
  return { codes, dictionary: dictionary.values };
}

