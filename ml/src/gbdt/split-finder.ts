import type { HistogramLayout } from './histogram';

/** Limits a split must respect. */
export interface SplitConstraints {
  readonly lambdaL2: number;
  readonly minDataInLeaf: number;
  readonly minSumHessianInLeaf: number;
  readonly minGainToSplit: number;
}

/** The best split of one node; `feature < 0` means none was found. Right-side sums are total − left. */
export interface SplitCandidate {
  gain: number;
  feature: number;
  /** Rows with bin <= `bin` go left. */
  bin: number;
  /** Where missing values go. */
  defaultLeft: boolean;
  leftGrad: number;
  leftHess: number;
  leftCount: number;
}

export function emptySplit(): SplitCandidate {
  return { gain: 0, feature: -1, bin: 0, defaultLeft: false, leftGrad: 0, leftHess: 0, leftCount: 0 };
}

/** Node totals, needed because the histogram alone does not say which side a split's rest lands on. */
export interface NodeSums {
  readonly grad: number;
  readonly hess: number;
  readonly count: number;
}

/** `G² / (H + λ)`: twice the loss reduction of a leaf at its optimal value. */
export function leafScore(grad: number, hess: number, lambdaL2: number): number {
  return (grad * grad) / (hess + lambdaL2);
}

/** The optimal leaf value before shrinkage: `−G / (H + λ)`. */
export function leafOutput(grad: number, hess: number, lambdaL2: number): number {
  return -grad / (hess + lambdaL2);
}

/**
 * Scans every feature's bins for the split with the largest gain
 * `score(left) + score(right) − score(parent)`. When the node has missing values for a feature, both
 * directions for them are tried (as scikit-learn and LightGBM do); when it has none, missing values at
 * prediction time follow the child that got more training rows.
 */
export function findBestSplit(
  hist: Float64Array,
  layout: HistogramLayout,
  features: Int32Array,
  sums: NodeSums,
  c: SplitConstraints,
  out: SplitCandidate,
): SplitCandidate {
  out.gain = 0;
  out.feature = -1;
  const { lambdaL2: lambda, minDataInLeaf: minData, minSumHessianInLeaf: minHess } = c;
  const G = sums.grad;
  const H = sums.hess;
  const N = sums.count;
  if (N < 2 * minData || H < 2 * minHess) return out;
  let best = leafScore(G, H, lambda) + c.minGainToSplit;
  for (let j = 0; j < features.length; j++) {
    const f = features[j]!;
    const base = layout.offsets[f]!;
    const nb = layout.numBins[f]!;
    const mo = base + nb * 3;
    const mCount = hist[mo + 2]!;
    // Missing values (if any) go right: thresholds 0..nb-2, plus nb-1 ("missing alone on the right").
    const lastBin = mCount > 0 ? nb - 1 : nb - 2;
    let gl = 0;
    let hl = 0;
    let nl = 0;
    for (let b = 0; b <= lastBin; b++) {
      const o = base + b * 3;
      gl += hist[o]!;
      hl += hist[o + 1]!;
      nl += hist[o + 2]!;
      if (nl < minData || hl < minHess) continue;
      const nr = N - nl;
      const hr = H - hl;
      if (nr < minData || hr < minHess) break;
      const gr = G - gl;
      const score = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda);
      if (score > best) {
        best = score;
        record(out, f, b, mCount > 0 ? false : nl > nr, gl, hl, nl);
      }
    }
    if (mCount <= 0) continue;
    // Missing values go left: start the left side with the missing bin.
    gl = hist[mo]!;
    hl = hist[mo + 1]!;
    nl = mCount;
    for (let b = 0; b <= nb - 2; b++) {
      const o = base + b * 3;
      gl += hist[o]!;
      hl += hist[o + 1]!;
      nl += hist[o + 2]!;
      if (nl < minData || hl < minHess) continue;
      const nr = N - nl;
      const hr = H - hl;
      if (nr < minData || hr < minHess) break;
      const gr = G - gl;
      const score = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda);
      if (score > best) {
        best = score;
        record(out, f, b, true, gl, hl, nl);
      }
    }
  }
  if (out.feature >= 0) out.gain = best - leafScore(G, H, lambda);
  return out;
}

function record(
  out: SplitCandidate,
  feature: number,
  bin: number,
  defaultLeft: boolean,
  gl: number,
  hl: number,
  nl: number,
): void {
  out.feature = feature;
  out.bin = bin;
  out.defaultLeft = defaultLeft;
  out.leftGrad = gl;
  out.leftHess = hl;
  out.leftCount = nl;
}
