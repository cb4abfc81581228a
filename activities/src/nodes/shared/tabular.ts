import { DataType, Precision, makeVector, type Data, type Table } from 'apache-arrow';
import type { ArtifactRef, ArtifactStore } from '../../store/artifact-store';
import { ingestColumnsToDataset, readDataset, type DatasetRef } from '../../data/dataset-ref';
import { DEFAULT_BATCH_ROWS } from '../../data/table-assembler';
import type { ColumnType } from '../../data/type-inference';
import { NodeFailure } from '../../define-node';

/** A cell as plain JS: number (int, float, date as epoch ms), boolean, string, or null. */
export type Cell = number | boolean | string | null;

/** Columns of a dataset as plain arrays, by name, in schema order. */
export interface Columns {
  names: string[];
  types: Record<string, ColumnType>;
  values: Record<string, Cell[]>;
  rowCount: number;
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  return String(v);
}

/** Reads a whole dataset into plain column arrays (the ML nodes work on modest tables in memory). */
export async function readColumns(store: ArtifactStore, ref: DatasetRef): Promise<Columns> {
  requireDatasetRef(ref, 'dataset');
  const table: Table = await readDataset(store, ref);
  const names = ref.schema.map((c) => c.name);
  const types = Object.fromEntries(ref.schema.map((c) => [c.name, c.type])) as Record<string, ColumnType>;
  const values: Record<string, Cell[]> = {};
  for (const name of names) {
    const vector = table.getChild(name);
    const out: Cell[] = new Array(table.numRows);
    if (vector) {
      let at = 0;
      for (const data of vector.data) {
        copyCells(data, out, at);
        at += data.length;
      }
    } else {
      out.fill(null);
    }
    values[name] = out;
  }
  return { names, types, values, rowCount: table.numRows };
}

/**
 * Copies one Arrow chunk's cells into `out` from `at`: straight from the buffers for the Int32,
 * Float64 and Utf8 columns ingest writes, through `get` (and {@link toCell}) for anything else.
 */
function copyCells(data: Data, out: Cell[], at: number): void {
  const n = data.length;
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  const valid = (i: number) => bitmap === undefined || ((bitmap[(data.offset + i) >> 3]! >> ((data.offset + i) & 7)) & 1) === 1;
  const type = data.type;
  if ((DataType.isInt(type) && type.bitWidth === 32 && type.isSigned) || (DataType.isFloat(type) && type.precision === Precision.DOUBLE)) {
    const values = data.values as Int32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      out[at + i] = valid(i) && v === v ? v : null;
    }
    return;
  }
  if (DataType.isUtf8(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) out[at + i] = valid(i) ? text.toString('utf8', offsets[i]!, offsets[i + 1]!) : null;
    return;
  }
  const vector = makeVector(data);
  for (let i = 0; i < n; i++) out[at + i] = toCell(vector.get(i));
}

/** Throws a clear, non-retryable failure unless `value` looks like a DatasetRef. */
export function requireDatasetRef(value: unknown, port: string): asserts value is DatasetRef {
  const v = value as Partial<DatasetRef> | null;
  if (!v || typeof v !== 'object' || !v.artifact || !Array.isArray(v.schema) || typeof v.rowCount !== 'number') {
    throw new NodeFailure(`input "${port}" is not a Dataset reference (expected {artifact, schema, rowCount, stats})`, {
      type: 'BadInput',
      retryable: false,
    });
  }
}

/**
 * Writes some rows of `cols` back to the store as a dataset, keeping the column types: the rows go
 * column-major, a record batch at a time, into the same builders ingest uses.
 */
export async function writeRows(
  store: ArtifactStore,
  cols: Columns,
  rows: ArrayLike<number>,
  tmpDir: string,
): Promise<DatasetRef> {
  const columns = cols.names.map((name) => ({ name, type: cols.types[name]! }));
  function* batches(): Generator<unknown[][]> {
    for (let from = 0; from < rows.length; from += DEFAULT_BATCH_ROWS) {
      const to = Math.min(rows.length, from + DEFAULT_BATCH_ROWS);
      yield cols.names.map((name) => {
        const values = cols.values[name]!;
        const date = cols.types[name] === 'date';
        const out = new Array<unknown>(to - from);
        for (let k = from; k < to; k++) {
          const v = values[rows[k]!]!;
          out[k - from] = date && typeof v === 'number' ? new Date(v) : v;
        }
        return out;
      });
    }
  }
  return ingestColumnsToDataset(store, columns, batches(), { tmpDir, source: 'split' });
}

/** Stores a JSON document as an artifact. */
export function putJson(store: ArtifactStore, value: unknown, meta?: Record<string, unknown>): Promise<ArtifactRef> {
  return store.put(new TextEncoder().encode(JSON.stringify(value)), {
    mediaType: 'application/json',
    ...(meta ? { meta } : {}),
  });
}

/** Reads a JSON artifact. */
export async function getJson<T>(store: ArtifactStore, ref: ArtifactRef): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await store.get(ref.digest))) as T;
}

/** A seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place with a seeded generator. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
