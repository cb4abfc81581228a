/** Objective: writes the gradient at x into g and returns the value. */
export type ValueAndGradient = (x: Float64Array, g: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when the largest gradient component is at most this (default 1e-10). */
  readonly gtol?: number;
  readonly maxIterations?: number;
  /** Correction pairs kept (default 10). */
  readonly memory?: number;
  /** Called after each iteration with the new value; may throw (abort) or be awaited. */
  readonly onIteration?: (iteration: number, value: number) => void | Promise<void>;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly gradMax: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/**
 * Limited-memory BFGS with a backtracking (Armijo) line search. Deterministic. Near the optimum, where
 * value differences drown in rounding, a step is also accepted when it shrinks the gradient.
 */
export async function lbfgs(
  fg: ValueAndGradient,
  x0: Float64Array,
  options: LbfgsOptions = {},
): Promise<LbfgsResult> {
  const gtol = options.gtol ?? 1e-10;
  const maxIterations = options.maxIterations ?? 1000;
  const m = options.memory ?? 10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const alpha = new Float64Array(m);
  const dir = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let iterations = 0;
  let gradMax = maxAbs(g);
  while (gradMax > gtol && iterations < maxIterations) {
    // Two-loop recursion: dir = −H g.
    dir.set(g);
    for (let i = sList.length - 1; i >= 0; i--) {
      const a = rhoList[i]! * dot(sList[i]!, dir);
      alpha[i] = a;
      const y = yList[i]!;
      for (let j = 0; j < n; j++) dir[j]! -= a * y[j]!;
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      const gamma = dot(sList[last]!, yList[last]!) / dot(yList[last]!, yList[last]!);
      for (let j = 0; j < n; j++) dir[j]! *= gamma;
    } else {
      const scale = 1 / Math.max(1, Math.sqrt(dot(g, g)));
      for (let j = 0; j < n; j++) dir[j]! *= scale;
    }
    for (let i = 0; i < sList.length; i++) {
      const b = rhoList[i]! * dot(yList[i]!, dir);
      const s = sList[i]!;
      for (let j = 0; j < n; j++) dir[j]! += (alpha[i]! - b) * s[j]!;
    }
    for (let j = 0; j < n; j++) dir[j] = -dir[j]!;
    let gd = dot(g, dir);
    if (!(gd < 0)) {
      // Not a descent direction: restart from steepest descent.
      sList.length = yList.length = rhoList.length = 0;
      for (let j = 0; j < n; j++) dir[j] = -g[j]!;
      gd = dot(g, dir);
    }
    let t = 1;
    let accepted = false;
    let fNew = f;
    for (let ls = 0; ls < 60; ls++) {
      for (let j = 0; j < n; j++) xNew[j] = x[j]! + t * dir[j]!;
      fNew = fg(xNew, gNew);
      if (fNew <= f + 1e-4 * t * gd || (fNew <= f + 1e-14 * Math.abs(f) && maxAbs(gNew) < gradMax)) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = xNew[j]! - x[j]!;
      y[j] = gNew[j]! - g[j]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-16 * dot(y, y)) {
      if (sList.length === m) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
    }
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    gradMax = maxAbs(g);
    iterations++;
    await options.onIteration?.(iterations, f);
  }
  return { x, value: f, iterations, converged: gradMax <= gtol, gradMax };
}
