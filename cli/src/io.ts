/** Where a command writes: stdout for results, stderr for problems and progress. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  readonly isTty: boolean;
  /** The terminal's width, when stdout is one. */
  readonly columns?: number | undefined;
  /** Writes raw text to stdout (live views). */
  write(text: string): void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  write: (text) => process.stdout.write(text),
  isTty: Boolean(process.stdout.isTTY),
  get columns() {
    return process.stdout.columns;
  },
};
