// The shapes the CSV reader, its tokenizer and the column builders share (kept apart so that the
// reader and the tokenizer do not import each other).

/** Options of {@link readCsv}. */
export interface CsvReadOptions {
  /** One character (default `,`). */
  delimiter?: string;
  /** Whether the first record names the columns (default true); without one they are `column_1`, …. */
  header?: boolean;
  /** A name for the input in error messages (default: the file name when reading a path). */
  source?: string;
  /** Bytes read before a region is tokenized (default 1 MB; small values are for tests). */
  regionBytes?: number;
}

/**
 * Complete rows of a CSV as byte ranges into validated UTF-8: field `i = row * columns.length + col`
 * is `bytes[starts[i], ends[i])`. A quoted field whose doubled quotes (`""`) still need undoing has
 * its start stored as `~start` (negative); {@link fieldText} handles both.
 */
export interface CsvChunk {
  /** Column names (the same array in every chunk). */
  columns: readonly string[];
  bytes: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  /** The line each row starts on (1-based, counting the header). */
  lines: Float64Array;
  rowCount: number;
  /**
   * Set when this thread's WebAssembly kernel tokenized the chunk: the kernel's region count then,
   * so the numeric and text builders copy the cells it read while it still holds them.
   */
  kernelGeneration?: number;
  /**
   * Says the caller is done with the chunk. A chunk the kernel tokenized keeps its field offsets in
   * the kernel's memory until something reads them (most regions need none: the kernel read every
   * cell); without this call, they are copied out before the kernel takes its next region.
   */
  release?(): void;
}
