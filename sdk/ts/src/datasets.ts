import { Readable } from 'node:stream';
import type { ColumnType, DatasetValue } from '@kiln/engine';
import type { ArtifactStore } from '@kiln/artifacts/artifact-store';
import { ingestJsonlToDataset, readDataset } from '@kiln/tabular';

/** One row of a dataset as a plain object: numbers, strings, booleans, dates as epoch milliseconds, null when missing. */
export type Row = Record<string, unknown>;

/**
 * Every row of a `Dataset` input, as plain objects. The whole table is read into memory: fine for the
 * sizes a node written this way handles; Kiln's own nodes stream record batches instead.
 */
export async function readRows(ctx: { store: ArtifactStore }, dataset: DatasetValue): Promise<Row[]> {
  const table = await readDataset(ctx.store, dataset);
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((n) => table.getChild(n)!);
  const rows: Row[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Row = {};
    names.forEach((name, c) => (row[name] = plain(columns[c]!.get(i))));
    rows[i] = row;
  }
  return rows;
}

/**
 * Writes rows as a `Dataset` output: an Arrow file in the node's artifact store, column types inferred
 * (as `ingest.file` infers them from JSON Lines, overridable with `types`), with the column statistics
 * every downstream node expects.
 */
export function writeRows(
  ctx: { store: ArtifactStore },
  rows: readonly Row[],
  options: { columns?: readonly string[]; types?: Record<string, ColumnType> } = {},
): Promise<DatasetValue> {
  const lines = function* () {
    for (const row of rows) yield Buffer.from(`${JSON.stringify(row)}\n`);
  };
  return ingestJsonlToDataset(ctx.store, Readable.from(lines()), {
    source: 'rows',
    ...(options.columns ? { columns: options.columns } : {}),
    ...(options.types ? { types: options.types } : {}),
  });
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  return value ?? null;
}
