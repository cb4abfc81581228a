import type { Table } from 'apache-arrow';
import type { ArtifactRef, ArtifactStore } from '@kiln/artifacts/artifact-store';
import type { ColumnPiece } from '@kiln/tabular/column-builders';
import { ingestPiecesToDataset, readDataset, type DatasetRef } from '@kiln/tabular/dataset-ref';
import { DEFAULT_BATCH_ROWS } from '@kiln/tabular/table-assembler';
import type { ColumnType } from '@kiln/tabular/type-inference';
import { type Cell, type ColumnData, columnCells, columnDataFromCells } from '@kiln/ml/preprocess/column-data';
import { columnDataFromArrow, columnPiece, utf8Values } from './column-data';

export type { Cell, ColumnData } from '@kiln/ml/preprocess/column-data';

/**
 * Columns of a dataset by name, in schema order. `values` gives plain cells; read from a dataset,
 * the columns are typed arrays underneath (`data`) and a column's cells are made the first time
 * they are asked for. Code on the hot paths (split, fit, transform, write) reads
 * {@link columnData}, which also serves columns built in memory from cells.
 */
export interface Columns {
  names: string[];
  types: Record<string, ColumnType>;
  values: Record<string, Cell[]>;
  rowCount: number;
  data?: Record<string, ColumnData>;
}

/** Reads a whole dataset into typed columns (the ML nodes work on modest tables in memory). */
export async function readColumns(store: ArtifactStore, ref: DatasetRef): Promise<Columns> {
  const table: Table = await readDataset(store, ref);
  const names = ref.schema.map((c) => c.name);
  const types = Object.fromEntries(ref.schema.map((c) => [c.name, c.type])) as Record<string, ColumnType>;
  const data: Record<string, ColumnData> = {};
  for (const name of names) {
    const vector = table.getChild(name);
    data[name] = columnDataFromArrow(vector ? vector.data : [], table.numRows, types[name]!);
  }
  return { names, types, values: lazyCells(names, types, data), rowCount: table.numRows, data };
}

/** Cells by column name, each column's made from its typed data on first use and kept. */
function lazyCells(names: readonly string[], types: Record<string, ColumnType>, data: Record<string, ColumnData>): Record<string, Cell[]> {
  const values: Record<string, Cell[]> = {};
  for (const name of names) {
    Object.defineProperty(values, name, {
      enumerable: true,
      configurable: true,
      get() {
        const cells = columnCells(data[name]!, types[name]!);
        Object.defineProperty(values, name, { value: cells, enumerable: true, writable: true });
        return cells;
      },
    });
  }
  return values;
}

const fromCells = new WeakMap<readonly Cell[], ColumnData>();

/** A column's typed data (undefined when there is no such column). */
export function columnData(cols: Columns, name: string): ColumnData | undefined {
  if (cols.data && Object.hasOwn(cols.data, name)) return cols.data[name];
  if (!Object.hasOwn(cols.values, name)) return undefined;
  const cells = cols.values[name]!;
  let made = fromCells.get(cells);
  if (!made) fromCells.set(cells, (made = columnDataFromCells(cells, cols.types[name]!)));
  return made;
}

/**
 * Writes some rows of `cols` back to the store as a dataset, keeping the column types: the rows go
 * column-major from the typed columns, a record batch at a time, into the same builders ingest uses.
 */
export async function writeRows(
  store: ArtifactStore,
  cols: Columns,
  rows: ArrayLike<number>,
  tmpDir: string,
): Promise<DatasetRef> {
  const columns = cols.names.map((name) => ({ name, type: cols.types[name]! }));
  const data = cols.names.map((name) => columnData(cols, name)!);
  const utf8 = data.map((d) => (d.kind === 'text' ? utf8Values(d.dictionary) : undefined));
  function* batches(): Generator<ColumnPiece[]> {
    for (let from = 0; from < rows.length; from += DEFAULT_BATCH_ROWS) {
      const to = Math.min(rows.length, from + DEFAULT_BATCH_ROWS);
      yield data.map((d, c) => columnPiece(d, columns[c]!.type, rows, from, to, utf8[c]));
    }
  }
  return ingestPiecesToDataset(store, columns, batches(), { tmpDir, source: 'split' });
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
