import { GbdtInputError } from './errors';
import type { FeatureMatrix } from './types';

/** A feature matrix as one column per feature, with its shape checked. */
export interface Columns {
  readonly columns: readonly Float64Array[];
  readonly numRows: number;
  readonly numFeatures: number;
}

/**
 * Checks the shape of a feature matrix and returns it column-major (row-major input is copied).
 * `what` names the matrix in error messages ("training features", …).
 */
export function toColumns(matrix: FeatureMatrix, what: string): Columns {
  if (isColumnList(matrix)) {
    if (matrix.length === 0) throw new GbdtInputError(`${what}: no feature columns were given`);
    const numRows = matrix[0]!.length;
    matrix.forEach((col, f) => {
      if (!(col instanceof Float64Array)) {
        throw new GbdtInputError(`${what}: column ${f} is not a Float64Array`);
      }
      if (col.length !== numRows) {
        throw new GbdtInputError(
          `${what}: column ${f} has ${col.length} rows but column 0 has ${numRows}; all columns must have the same length`,
        );
      }
    });
    return { columns: matrix, numRows, numFeatures: matrix.length };
  }
  const { values, rows, cols } = matrix;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 1) {
    throw new GbdtInputError(`${what}: invalid shape ${rows} × ${cols}`);
  }
  if (values.length !== rows * cols) {
    throw new GbdtInputError(
      `${what}: ${values.length} values do not make a ${rows} × ${cols} matrix (expected ${rows * cols})`,
    );
  }
  const columns: Float64Array[] = [];
  for (let c = 0; c < cols; c++) {
    const col = new Float64Array(rows);
    for (let r = 0, k = c; r < rows; r++, k += cols) col[r] = values[k]!;
    columns.push(col);
  }
  return { columns, numRows: rows, numFeatures: cols };
}

function isColumnList(matrix: FeatureMatrix): matrix is readonly Float64Array[] {
  return Array.isArray(matrix);
}
