// Drift checks for validate.tabular and monitor.drift: the ML package's column drift as report checks.
import { type DriftOptions, columnDrift } from '@kiln/ml/drift/drift';
import type { ColumnStats } from '@kiln/engine';
import type { CheckResult } from './check-result';
import type { Columns } from './tabular';

export type { DriftOptions };

/** One check per column: PSI over the reference's histogram bins or categories, plus KS for numbers. */
export function driftChecks(cols: Columns, reference: Columns, refStats: readonly ColumnStats[], p: DriftOptions): CheckResult[] {
  return columnDrift(cols, reference, refStats, p).map(({ column, passed, psi, ks, message }) => ({
    check: 'drift',
    column,
    passed,
    failing: passed ? 0 : 1,
    total: 1,
    ...(psi === undefined ? {} : { psi }),
    ...(ks === undefined ? {} : { ks }),
    message,
  }));
}
