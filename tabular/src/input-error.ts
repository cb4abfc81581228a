/**
 * Bad tabular input (CSV, JSON Lines or Parquet): the message names the input, the line (or, for
 * Parquet, the row) and, when known, the column, then says what to do. `line` is 1-based and counts
 * the header; `row` is 1-based (Parquet has no lines); `column` is a 1-based character position for
 * syntax errors and a column name for value errors.
 */
export class DataInputError extends Error {
  readonly line: number | undefined;
  readonly row: number | undefined;
  readonly column: number | string | undefined;
  /** The message without the place (`source: line N, column M: `). */
  readonly detail: string;
  readonly source: string | undefined;
  constructor(
    message: string,
    where: { source?: string; line?: number; row?: number; column?: number | string } = {},
  ) {
    const place =
      where.row !== undefined
        ? `row ${where.row}${where.column === undefined ? '' : `, column ${JSON.stringify(where.column)}`}: `
        : where.line === undefined
        ? ''
        : where.column === undefined
          ? `line ${where.line}: `
          : typeof where.column === 'number'
            ? `line ${where.line}, column ${where.column}: `
            : `line ${where.line}, column ${JSON.stringify(where.column)}: `;
    super(`${where.source ? `${where.source}: ` : ''}${place}${message}`);
    this.name = 'DataInputError';
    this.line = where.line;
    this.row = where.row;
    this.column = where.column;
    this.detail = message;
    this.source = where.source;
  }
}

/** A value quoted for an error message, shortened so one huge cell cannot flood a log. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}
