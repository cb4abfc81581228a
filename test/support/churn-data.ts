import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const CHURN_DIR = resolve(import.meta.dirname, '../../examples/churn');

export type ChurnRow = Record<string, string | number | null>;

/** examples/churn/churn.csv as rows: numbers as numbers, empty cells as null. */
export function churnRows(): ChurnRow[] {
  const [headerLine, ...lines] = readFileSync(resolve(CHURN_DIR, 'churn.csv'), 'utf8').trim().split('\n');
  const header = headerLine!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const row: ChurnRow = {};
    header.forEach((name, i) => {
      const v = cells[i]!;
      row[name] = v === '' ? null : /^-?[0-9.]+$/.test(v) && name !== 'customer_id' ? Number(v) : v;
    });
    return row;
  });
}

/** A row as the churn model takes it: without the id and the label. */
export function churnFeatures(row: ChurnRow): ChurnRow {
  const { customer_id: _id, churned: _label, ...features } = row;
  return features;
}

/** churn.csv, optionally moved: the world changed (longer tenure, higher charges). */
export function churnData(shift: boolean): { header: string[]; rows: ChurnRow[] } {
  const rows = churnRows();
  if (shift) {
    for (const row of rows) {
      if (typeof row.monthly_charges === 'number') row.monthly_charges = Math.round(row.monthly_charges * 180) / 100 + 25;
      if (typeof row.tenure_months === 'number') row.tenure_months = Math.min(120, row.tenure_months + 30);
      if (typeof row.total_charges === 'number') row.total_charges = Math.round(row.total_charges * 250) / 100;
    }
  }
  return { header: Object.keys(rows[0]!), rows };
}
