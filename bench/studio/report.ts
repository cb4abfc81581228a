/** Nearest-rank percentile of `values` (0–100). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** One line of the table: "label  kiln X ms | bare React Flow Y ms | ratio". */
export function row(label: string, kiln: number, bare: number): string {
  const ms = (v: number) => `${v.toFixed(v < 100 ? 1 : 0)} ms`.padStart(9);
  return `  ${label.padEnd(26)} kiln ${ms(kiln)} | bare React Flow ${ms(bare)} | ratio ${(kiln / bare).toFixed(2)}`;
}
