// The scikit-learn references shared by the linear and MLP tests (not used by the trainers).
import { readFileSync } from 'node:fs';

/** A fixture written by `linear/fixtures/make_reference.py`. */
export interface Reference {
  dataset: string;
  sklearnVersion: string;
  columns: number[][];
  labels: number[];
  trainRows: number[];
  testRows: number[];
  settings: Record<string, Record<string, unknown>>;
  sklearn: Record<string, Record<string, unknown>>;
}

export function loadReference(name: string): Reference {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Reference;
}

export function takeRows(ref: Reference, rows: readonly number[]) {
  return {
    columns: ref.columns.map((col) => Float64Array.from(rows, (i) => col[i]!)),
    labels: Float64Array.from(rows, (i) => ref.labels[i]!),
  };
}
