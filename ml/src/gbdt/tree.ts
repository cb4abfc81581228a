import type { BinnedRows } from './histogram';
import type { Tree } from './types';

/**
 * The leaf a row of raw feature values reaches. Values are rounded to float32 first, as in training
 * and in ONNX inference; `NaN` follows the node's default direction.
 */
export function leafForRow(tree: Tree, columns: readonly Float64Array[], row: number): number {
  let node = tree.splitFeature.length > 0 ? 0 : -1;
  while (node >= 0) {
    const x = Math.fround(columns[tree.splitFeature[node]!]![row]!);
    const goLeft = x !== x ? tree.defaultLeft[node]! : x <= tree.threshold[node]!;
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
  return ~node;
}

/** Adds the tree's output for every row of raw feature columns to `scores`. */
export function addTreeOutput(tree: Tree, columns: readonly Float64Array[], scores: Float64Array): void {
  const values = tree.leafValue;
  for (let i = 0; i < scores.length; i++) scores[i]! += values[leafForRow(tree, columns, i)]!;
}

/**
 * Adds the tree's output for every binned row (or the given rows) to `scores` (routing by bin, which agrees
 * with routing by value). `missingBin[f]` is feature f's missing bin.
 */
export function addTreeOutputBinned(
  tree: Tree,
  bins: BinnedRows,
  missingBin: Int32Array,
  scores: Float64Array,
  rows?: Uint32Array,
): void {
  const { splitFeature, splitBin, defaultLeft, left, right, leafValue } = tree;
  if (splitFeature.length === 0) {
    const v = leafValue[0]!;
    if (rows) for (let k = 0; k < rows.length; k++) scores[rows[k]!]! += v;
    else for (let i = 0; i < scores.length; i++) scores[i]! += v;
    return;
  }
  const n = rows ? rows.length : scores.length;
  const { data, stride: d } = bins;
  for (let k = 0; k < n; k++) {
    const i = rows ? rows[k]! : k;
    const r = i * d;
    let node = 0;
    while (node >= 0) {
      const f = splitFeature[node]!;
      const b = data[r + f]!;
      const goLeft = b === missingBin[f] ? defaultLeft[node]! : b <= splitBin[node]!;
      node = goLeft ? left[node]! : right[node]!;
    }
    scores[i]! += leafValue[~node]!;
  }
}
