/**
 * Bad tabular input (CSV or JSON Lines): the message names the input, the line and, when known, the
 * column, then says what to do. `line` is 1-based and counts the header; `column` is a 1-based
 * character position for syntax errors and a column name for value errors.
 */
export class DataInputError extends Error {
  readonly line: number | undefined;
  readonly column: number | string | undefined;
  constructor(message: string, where: { source?: string; line?: number; column?: number | string } = {}) {
    const place =
      where.line === undefined
        ? ''
        : where.column === undefined
          ? `line ${where.line}: `
          : typeof where.column === 'number'
            ? `line ${where.line}, column ${where.column}: `
            : `line ${where.line}, column ${JSON.stringify(where.column)}: `;
    super(`${where.source ? `${where.source}: ` : ''}${place}${message}`);
    this.name = 'DataInputError';
    this.line = where.line;
    this.column = where.column;
  }
}

/** A value quoted for an error message, shortened so one huge cell cannot flood a log. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}
