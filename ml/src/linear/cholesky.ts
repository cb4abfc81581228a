/**
 * In-place Cholesky factorisation of a symmetric positive definite `n × n` row-major matrix (lower
 * triangle read and overwritten with L). Returns false when the matrix is not positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diag = a[j * n + j]!;
    for (let k = 0; k < j; k++) diag -= a[j * n + k]! * a[j * n + k]!;
    if (!(diag > 0) || !Number.isFinite(diag)) return false;
    const ljj = Math.sqrt(diag);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** Solves `L Lᵀ x = b` given the factor from `choleskyInPlace`; `b` is overwritten with x. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  return b;
}

/**
 * Solves the symmetric positive (semi)definite system `A x = b` (A is copied). If A is not positive
 * definite, a growing ridge (relative to its diagonal) is added until it factors; returns undefined
 * when even that fails.
 */
export function solveSpd(a: Float64Array, n: number, b: Float64Array): Float64Array | undefined {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]!));
  for (let attempt = 0; attempt < 8; attempt++) {
    const l = Float64Array.from(a);
    if (attempt > 0) {
      const jitter = maxDiag * 1e-14 * 100 ** (attempt - 1) || 1e-300;
      for (let i = 0; i < n; i++) l[i * n + i]! += jitter;
    }
    if (choleskyInPlace(l, n)) return choleskySolve(l, n, Float64Array.from(b));
  }
  return undefined;
}
