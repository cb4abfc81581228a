import type { Table } from 'apache-arrow';
import type { ArtifactRef, ArtifactStore } from '../../store/artifact-store';
import { ingestJsonlToDataset, readDataset, type DatasetRef } from '../../data/dataset-ref';
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
    for (let i = 0; i < table.numRows; i++) out[i] = toCell(vector?.get(i));
    values[name] = out;
  }
  return { names, types, values, rowCount: table.numRows };
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

/** Writes some rows of `cols` back to the store as a dataset, keeping the column types. */
export async function writeRows(
  store: ArtifactStore,
  cols: Columns,
  rows: ArrayLike<number>,
  tmpDir: string,
): Promise<DatasetRef> {
  const encoder = new TextEncoder();
  async function* lines(): AsyncGenerator<Uint8Array> {
    let buf = '';
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      const obj: Record<string, unknown> = {};
      for (const name of cols.names) {
        const v = cols.values[name]![r]!;
        obj[name] = cols.types[name] === 'date' && typeof v === 'number' ? new Date(v).toISOString() : v;
      }
      buf += `${JSON.stringify(obj)}\n`;
      if (buf.length > 1 << 16) {
        yield encoder.encode(buf);
        buf = '';
      }
    }
    if (buf.length > 0) yield encoder.encode(buf);
  }
  return ingestJsonlToDataset(store, lines(), { columns: cols.names, types: cols.types, tmpDir, source: 'split' });
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
