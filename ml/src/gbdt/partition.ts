/**
 * The partition kernel: a stable split of `indices[start..end)` by one feature's bins. Rows whose
 * bin has `goesLeft[bin] === 1` are written from `indices[start]` on, the others from `scratch[start]`
 * on, both in their original order. Returns how many went left.
 *
 * Self-contained on purpose (no imports, no outer variables): worker threads run its source text.
 * `column` holds the feature's bin per row from `column[columnBase]` on.
 */
export function partitionRows(
  indices: Uint32Array,
  scratch: Uint32Array,
  column: Uint8Array,
  columnBase: number,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  // Branch-free: write the row to both sides and advance only the side it belongs to.
  let l = start;
  let r = start;
  for (let k = start; k < end; k++) {
    const i = indices[k]!;
    const left = goesLeft[column[columnBase + i]!]!;
    indices[l] = i;
    scratch[r] = i;
    l += left;
    r += 1 - left;
  }
  return l - start;
}

/** {@link partitionRows} on one thread, with the right rows moved back after the left ones. Returns where they start. */
export function partitionInPlace(
  indices: Uint32Array,
  scratch: Uint32Array,
  column: Uint8Array,
  columnBase: number,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  const mid = start + partitionRows(indices, scratch, column, columnBase, goesLeft, start, end);
  indices.set(scratch.subarray(start, start + (end - mid)), mid);
  return mid;
}

/**
 * Adds `value` to the score of each row `indices[start..end)` (a leaf's rows after growing a tree).
 * Self-contained on purpose, like {@link partitionRows}: worker threads run its source text.
 */
export function addToScores(scores: Float64Array, indices: Uint32Array, start: number, end: number, value: number): void {
  for (let k = start; k < end; k++) scores[indices[k]!]! += value;
}
