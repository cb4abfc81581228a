import type { BinMapper } from './binning';
import {
  type BinnedRows,
  buildHistogram,
  HistogramLayout,
  HistogramPool,
  type RowSet,
  subtractHistogram,
} from './histogram';
import { GrowerThreads, type TrainingArrays } from './grower-threads';
import type { GradientPairs, Objective } from './objectives';
import { addToScores, partitionInPlace } from './partition';
import {
  emptySplit,
  findBestSplit,
  leafOutput,
  type NodeSums,
  type SplitCandidate,
  type SplitConstraints,
} from './split-finder';
import type { Tree } from './types';
import { typedArray } from './shared-memory';

/** Tree shape limits and shrinkage. */
export interface GrowerParams extends SplitConstraints {
  readonly maxLeaves: number;
  /** 0 or less: unlimited. */
  readonly maxDepth: number;
  readonly learningRate: number;
}

/** A grown tree, plus where its leaves' training rows sit in the grower's `indices`. */
export interface GrownTree {
  readonly tree: Tree;
  /** Leaf `l` holds rows `indices[leafStart[l] .. leafEnd[l])`. */
  readonly leafStart: number[];
  readonly leafEnd: number[];
  readonly indices: Uint32Array;
}

interface LeafState {
  start: number;
  end: number;
  depth: number;
  sums: NodeSums;
  hist: Float64Array | undefined;
  split: SplitCandidate;
  /** Internal node whose child pointer refers to this leaf (−1 for the root). */
  parent: number;
  isLeft: boolean;
}

/**
 * Grows regression trees leaf-wise (best-first) on binned data, with histogram subtraction: of two
 * new siblings only the smaller one's histogram is built, the other is the parent's minus it.
 * One grower serves every tree of a training run so its buffers are allocated once.
 */
export class TreeGrower {
  readonly layout: HistogramLayout;
  private readonly pool: Pick<HistogramPool, 'acquire' | 'release'>;
  private readonly threads: GrowerThreads | undefined;
  private readonly scratch: Uint32Array;
  private readonly indices: Uint32Array;
  /**
   * Bins again, column-major (feature `f`'s bin of row `i` is `columns[f * numRows + i]`):
   * partitioning reads one feature of rows in increasing order, which a column serves from far
   * fewer cache lines than the row-major matrix.
   */
  private readonly columns: Uint8Array;
  /** Scratch for a block's sums in a histogram build on this thread (see `buildHistogram`). */
  private partial: Float64Array | undefined;
  /** Per bin of the feature being split: 1 when the row goes left. */
  private readonly goesLeft: Uint8Array;

  /**
   * `training` holds the run's scores, labels and gradients (see {@link gradients}). With
   * `numThreads > 1`, worker threads share the work; `bins.data` and every array of `training` must
   * then live in shared memory (see `typedArray`). Call `close()` when done.
   */
  constructor(
    private readonly bins: BinnedRows,
    private readonly mapper: BinMapper,
    private readonly params: GrowerParams,
    private readonly training: TrainingArrays,
    numThreads = 1,
  ) {
    this.layout = new HistogramLayout(Array.from({ length: bins.numFeatures }, (_, f) => mapper.numBins(f)));
    const shared = numThreads > 1;
    this.scratch = typedArray(Uint32Array, bins.numRows, shared);
    this.indices = typedArray(Uint32Array, bins.numRows, shared);
    this.goesLeft = typedArray(Uint8Array, 256, shared);
    this.columns = transpose(bins, typedArray(Uint8Array, bins.numRows * bins.numFeatures, shared));
    if (shared) {
      this.threads = new GrowerThreads(
        numThreads,
        this.layout,
        bins,
        this.columns,
        this.indices,
        this.scratch,
        this.goesLeft,
        training,
        params.maxLeaves,
      );
      this.pool = this.threads;
    } else {
      this.pool = new HistogramPool(this.layout.size);
    }
  }

  /** Stops the worker threads, if any. */
  async close(): Promise<void> {
    await this.threads?.close();
  }

  /** Writes the objective's gradients at the current scores into `training.gradHess`; returns the mean loss. */
  gradients(objective: Objective): number {
    if (this.threads) return this.threads.gradients(objective.kernel);
    const { scores, labels, gradHess } = this.training;
    return objective.gradients(scores, labels, gradHess);
  }

  /**
   * Grows one tree from per-row gradients and hessians, interleaved in `gradHess` (`[g0, h0, g1, h1, …]`).
   * `rows`: the in-bag rows in increasing order, or undefined for all rows.
   * `features`: the features this tree may split on.
   */
  grow(gradHess: GradientPairs, rows: Uint32Array | undefined, features: Int32Array): GrownTree {
    const { params, pool } = this;
    const indices = this.indices;
    let count: number;
    if (rows) {
      indices.set(rows);
      count = rows.length;
    } else {
      count = indices.length;
      for (let i = 0; i < count; i++) indices[i] = i;
    }
    // The root's histogram is always built: its sums come from it (any one feature's slots add up
    // to the node's totals), so no pass over the rows' gradients is needed on this thread.
    const rootHist = pool.acquire();
    this.build(rootHist, features, { indices: rows ? indices : undefined, start: 0, end: count }, gradHess);
    const root: LeafState = {
      start: 0,
      end: count,
      depth: 0,
      sums: featureSums(rootHist, this.layout, features[0]!),
      hist: rootHist,
      split: emptySplit(),
      parent: -1,
      isLeft: false,
    };
    const canSplit = (leaf: LeafState) =>
      (params.maxDepth <= 0 || leaf.depth < params.maxDepth) &&
      leaf.sums.count >= 2 * params.minDataInLeaf &&
      leaf.sums.hess >= 2 * params.minSumHessianInLeaf;
    if (params.maxLeaves > 1 && canSplit(root)) {
      findBestSplit(rootHist, this.layout, features, root.sums, params, root.split);
    }

    const tree: Tree = {
      splitFeature: [],
      splitBin: [],
      threshold: [],
      defaultLeft: [],
      left: [],
      right: [],
      splitGain: [],
      leafValue: [],
      leafCount: [],
    };
    const leaves: LeafState[] = [root];
    while (leaves.length < params.maxLeaves) {
      let bestLeaf = -1;
      for (let l = 0; l < leaves.length; l++) {
        const s = leaves[l]!.split;
        if (s.feature >= 0 && (bestLeaf < 0 || s.gain > leaves[bestLeaf]!.split.gain)) bestLeaf = l;
      }
      if (bestLeaf < 0) break;
      const leaf = leaves[bestLeaf]!;
      const split = leaf.split;
      const node = tree.splitFeature.length;
      tree.splitFeature.push(split.feature);
      tree.splitBin.push(split.bin);
      tree.threshold.push(this.mapper.thresholdValue(split.feature, split.bin));
      tree.defaultLeft.push(split.defaultLeft);
      tree.splitGain.push(split.gain);
      const rightLeafIndex = leaves.length;
      tree.left.push(~bestLeaf);
      tree.right.push(~rightLeafIndex);
      if (leaf.parent >= 0) (leaf.isLeft ? tree.left : tree.right)[leaf.parent] = node;

      const mid = this.partition(leaf.start, leaf.end, split);
      if (mid - leaf.start !== split.leftCount) {
        // The histogram and the rows disagree: a threading fault. Fail loudly rather than train on it.
        throw new Error(
          `tree grower: ${mid - leaf.start} rows went left of the split, its histogram counted ${split.leftCount}`,
        );
      }
      const s = leaf.sums;
      const left: LeafState = {
        start: leaf.start,
        end: mid,
        depth: leaf.depth + 1,
        sums: { grad: split.leftGrad, hess: split.leftHess, count: split.leftCount },
        hist: undefined,
        split: emptySplit(),
        parent: node,
        isLeft: true,
      };
      const right: LeafState = {
        start: mid,
        end: leaf.end,
        depth: leaf.depth + 1,
        sums: {
          grad: s.grad - split.leftGrad,
          hess: s.hess - split.leftHess,
          count: s.count - split.leftCount,
        },
        hist: undefined,
        split: emptySplit(),
        parent: node,
        isLeft: false,
      };
      leaves[bestLeaf] = left;
      leaves.push(right);

      const more = leaves.length < params.maxLeaves;
      const leftOk = more && canSplit(left);
      const rightOk = more && canSplit(right);
      const parentHist = leaf.hist!;
      if (!leftOk && !rightOk) {
        pool.release(parentHist);
        continue;
      }
      const [small, large, smallOk, largeOk] =
        left.end - left.start <= right.end - right.start
          ? [left, right, leftOk, rightOk]
          : [right, left, rightOk, leftOk];
      const smallHist = pool.acquire();
      const smallRows: RowSet = { indices, start: small.start, end: small.end };
      this.build(smallHist, features, smallRows, gradHess);
      if (largeOk) {
        subtractHistogram(parentHist, smallHist, this.layout, features);
        large.hist = parentHist;
        findBestSplit(parentHist, this.layout, features, large.sums, params, large.split);
      } else {
        pool.release(parentHist);
      }
      if (smallOk) {
        small.hist = smallHist;
        findBestSplit(smallHist, this.layout, features, small.sums, params, small.split);
      } else {
        pool.release(smallHist);
      }
    }

    const leafStart: number[] = [];
    const leafEnd: number[] = [];
    for (const leaf of leaves) {
      pool.release(leaf.hist);
      leaf.hist = undefined;
      const value = leafOutput(leaf.sums.grad, leaf.sums.hess, params.lambdaL2) * params.learningRate;
      tree.leafValue.push(Number.isFinite(value) ? value : 0);
      tree.leafCount.push(leaf.sums.count);
      leafStart.push(leaf.start);
      leafEnd.push(leaf.end);
    }
    return { tree, leafStart, leafEnd, indices };
  }

  /** Adds each leaf's value of a tree grown on all rows to their scores (output `output` of `training`). */
  addLeafValues(grown: GrownTree, output: number): void {
    const { tree, leafStart, leafEnd, indices } = grown;
    if (this.threads) return this.threads.addLeafValues(leafStart, leafEnd, tree.leafValue, output);
    const scores = this.training.scores[output]!;
    tree.leafValue.forEach((v, l) => addToScores(scores, indices, leafStart[l]!, leafEnd[l]!, v));
  }

  private build(hist: Float64Array, features: Int32Array, rows: RowSet, gradHess: GradientPairs): void {
    if (this.threads) this.threads.build(hist, features, rows, gradHess);
    else buildHistogram(hist, this.layout, this.bins, features, rows, gradHess, (this.partial ??= new Float64Array(this.layout.size)));
  }

  /** Stable in-place partition of `indices[start..end)`: left rows first. Returns where the right rows start. */
  private partition(start: number, end: number, split: SplitCandidate): number {
    const { goesLeft } = this;
    const f = split.feature;
    const missing = this.mapper.missingBin(f);
    for (let b = 0; b < missing; b++) goesLeft[b] = b <= split.bin ? 1 : 0;
    goesLeft[missing] = split.defaultLeft ? 1 : 0;
    const columnBase = f * this.bins.numRows;
    if (this.threads) return this.threads.partition(start, end, columnBase);
    return partitionInPlace(this.indices, this.scratch, this.columns, columnBase, goesLeft, start, end);
  }
}

/** A node's gradient, hessian and row totals: the sum of one feature's slots (missing bin included) in its histogram. */
function featureSums(hist: Float64Array, layout: HistogramLayout, feature: number): NodeSums {
  const [s, e] = layout.range(feature);
  let grad = 0;
  let hess = 0;
  let count = 0;
  for (let o = s; o < e; o += 3) {
    grad += hist[o]!;
    hess += hist[o + 1]!;
    count += hist[o + 2]!;
  }
  return { grad, hess, count };
}

/** Copies the row-major bins into `columns`, column-major. */
function transpose(bins: BinnedRows, columns: Uint8Array): Uint8Array {
  const { data, numRows: n, numFeatures: d, stride } = bins;
  for (let f = 0; f < d; f++) {
    for (let i = 0, o = f, c = f * n; i < n; i++, o += stride, c++) columns[c] = data[o]!;
  }
  return columns;
}
