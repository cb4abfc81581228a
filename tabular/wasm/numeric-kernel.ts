// AssemblyScript (compiled to WebAssembly by tabular/wasm/build.mjs; not part of the TypeScript
// project). The loops of the numeric statistics: a batch's range (first pass); its sum and histogram
// counts in one pass, then its squared deviations from the mean (second pass). The JavaScript loops
// they replaced define the results (numeric-batch.test.ts keeps them as its reference, and
// numeric-batch.ts's countIntoHistogram is the same binning): the same additions in the same order
// (without nulls four running sums, lane j taking the values at indices ≡ j mod 4, the rest into
// the first, then s0 + s1 + s2 + s3; with nulls one, in row order), the same bin arithmetic, so the
// results are the same bit for bit. Memory is laid out by the caller (numeric-kernel.ts).

/** Loads values `i` and `i + 1` as two f64 lanes (`int`: the column holds Int32 values). */
// @ts-ignore: decorator
@inline
function pair(values: usize, i: i32, int: bool): v128 {
  return int ? f64x2.convert_low_i32x4_s(v128.load64_zero(values + (<usize>i << 2))) : v128.load(values + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function one(values: usize, i: i32, int: bool): f64 {
  return int ? <f64>load<i32>(values + (<usize>i << 2)) : load<f64>(values + (<usize>i << 3));
}

/** Adds value `x` to the counts of its bin (a NaN to none), as countIntoHistogram does. */
// @ts-ignore: decorator
@inline
function countOne(x: f64, counts: usize, bins: i32, halfMin: f64, halfRange: f64): void {
  const q = Math.floor(((x * 0.5 - halfMin) / halfRange) * <f64>bins);
  if (q != q) return;
  const last = bins - 1;
  const bin = q > <f64>last ? last : q < 0 ? 0 : <i32>q;
  const at = counts + (<usize>bin << 2);
  store<i32>(at, load<i32>(at) + 1);
}

/**
 * The sum of values `[0, n)` (Float64, or Int32 when `int`), and, when `bins` > 0, their counts added
 * to `counts` (bins Int32 counts, then a second set of `bins` the caller adds to the first: two
 * lanes, two sets, so that consecutive increments do not wait on each other), bins of equal width
 * from `2 * halfMin` to `2 * (halfMin + halfRange)`; `halfRange` > 0 and both finite.
 */
export function sumAndCount(values: usize, n: i32, int: bool, counts: usize, bins: i32, halfMin: f64, halfRange: f64): f64 {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  const half = f64x2.splat(0.5);
  const low = f64x2.splat(halfMin);
  const range = f64x2.splat(halfRange);
  const scale = f64x2.splat(<f64>bins);
  const last = i32x4.splat(bins - 1);
  const zero = i32x4.splat(0);
  const second = counts + (<usize>bins << 2);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const x = pair(values, i, int);
    const y = pair(values, i + 2, int);
    a = f64x2.add(a, x);
    b = f64x2.add(b, y);
    if (bins == 0) continue;
    if (!int && (v128.any_true(f64x2.ne(x, x)) || v128.any_true(f64x2.ne(y, y)))) {
      // A NaN counts in no bin.
      for (let k: i32 = 0; k < 4; k++) countOne(one(values, i + k, int), counts, bins, halfMin, halfRange);
      continue;
    }
    const qx = i32x4.trunc_sat_f64x2_s_zero(f64x2.floor(f64x2.mul(f64x2.div(f64x2.sub(f64x2.mul(x, half), low), range), scale)));
    const qy = i32x4.trunc_sat_f64x2_s_zero(f64x2.floor(f64x2.mul(f64x2.div(f64x2.sub(f64x2.mul(y, half), low), range), scale)));
    const bx = i32x4.min_s(i32x4.max_s(qx, zero), last);
    const by = i32x4.min_s(i32x4.max_s(qy, zero), last);
    let at = counts + (<usize>i32x4.extract_lane(bx, 0) << 2);
    store<i32>(at, load<i32>(at) + 1);
    at = second + (<usize>i32x4.extract_lane(bx, 1) << 2);
    store<i32>(at, load<i32>(at) + 1);
    at = counts + (<usize>i32x4.extract_lane(by, 0) << 2);
    store<i32>(at, load<i32>(at) + 1);
    at = second + (<usize>i32x4.extract_lane(by, 1) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  let s0 = f64x2.extract_lane(a, 0);
  for (; i < n; i++) {
    const x = one(values, i, int);
    s0 += x;
    if (bins > 0) countOne(x, counts, bins, halfMin, halfRange);
  }
  return s0 + f64x2.extract_lane(a, 1) + f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1);
}

/** The sum of `(x - mean)²` over values `[0, n)`, in the order of {@link sumAndCount}'s sum. */
export function squaredDeviations(values: usize, n: i32, int: bool, mean: f64): f64 {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  const m = f64x2.splat(mean);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const x = f64x2.sub(pair(values, i, int), m);
    const y = f64x2.sub(pair(values, i + 2, int), m);
    a = f64x2.add(a, f64x2.mul(x, x));
    b = f64x2.add(b, f64x2.mul(y, y));
  }
  let s0 = f64x2.extract_lane(a, 0);
  for (; i < n; i++) {
    const d = one(values, i, int) - mean;
    s0 += d * d;
  }
  return s0 + f64x2.extract_lane(a, 1) + f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1);
}

/**
 * The least and greatest of values `[0, n)` into `out` (two f64), starting from `out`'s: by
 * comparisons, so a NaN is never taken (as in stats-accumulators.ts, where `x < min` decides). Two
 * lanes then merged: of equal values (0 and -0) the one kept may differ from a sequential loop's.
 */
export function range(values: usize, n: i32, int: bool, out: usize): void {
  let min = f64x2.splat(load<f64>(out));
  let max = f64x2.splat(load<f64>(out, 8));
  let i: i32 = 0;
  for (; i + 2 <= n; i += 2) {
    const x = pair(values, i, int);
    min = v128.bitselect(x, min, f64x2.lt(x, min));
    max = v128.bitselect(x, max, f64x2.gt(x, max));
  }
  let lo = f64x2.extract_lane(min, 0);
  let hi = f64x2.extract_lane(max, 0);
  const lo1 = f64x2.extract_lane(min, 1);
  const hi1 = f64x2.extract_lane(max, 1);
  if (lo1 < lo) lo = lo1;
  if (hi1 > hi) hi = hi1;
  for (; i < n; i++) {
    const x = one(values, i, int);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  store<f64>(out, lo);
  store<f64>(out, hi, 8);
}

/** Whether row `i` is valid: bit `i` of `validity` set. */
// @ts-ignore: decorator
@inline
function valid(validity: usize, i: i32): bool {
  return ((load<u8>(validity + (<usize>i >> 3)) >> (<u32>i & 7)) & 1) != 0;
}

/**
 * {@link sumAndCount} for a batch with nulls (row `i` valid when bit `i` of `validity` is set): one
 * running sum in row order, as the JavaScript loop for such batches; the number of valid rows goes
 * to `out` (an f64).
 */
export function sumAndCountValid(values: usize, n: i32, int: bool, validity: usize, counts: usize, bins: i32, halfMin: f64, halfRange: f64, out: usize): f64 {
  let sum: f64 = 0;
  let count: i32 = 0;
  for (let i: i32 = 0; i < n; i++) {
    if (!valid(validity, i)) continue;
    const x = one(values, i, int);
    count++;
    sum += x;
    if (bins > 0) countOne(x, counts, bins, halfMin, halfRange);
  }
  store<f64>(out, <f64>count);
  return sum;
}

/** {@link squaredDeviations} for a batch with nulls, in row order. */
export function squaredDeviationsValid(values: usize, n: i32, int: bool, validity: usize, mean: f64): f64 {
  let s: f64 = 0;
  for (let i: i32 = 0; i < n; i++) {
    if (!valid(validity, i)) continue;
    const d = one(values, i, int) - mean;
    s += d * d;
  }
  return s;
}
