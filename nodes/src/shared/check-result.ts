import type { Cell } from './tabular';

/** One check in a validation or drift report: what was checked, on which column, and what broke it. */
export interface CheckResult {
  check: string;
  column?: string;
  passed: boolean;
  /** Rows (or values) that broke the expectation. */
  failing: number;
  total: number;
  message: string;
  samples?: { row: number; values: Record<string, Cell> }[];
  [extra: string]: unknown;
}
