// Shared by ml's tests (not used by the trainers): exported models run in onnxruntime, and measures.

/** Runs an exported model on float32 rows built from float64 columns; returns every output. */
export async function runOnnx(bytes: Uint8Array, columns: readonly Float64Array[]) {
  const ort = await import('onnxruntime-node');
  const n = columns[0]!.length;
  const d = columns.length;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) x[i * d + f] = columns[f]![i]!;
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run({ X: new ort.Tensor('float32', x, [n, d]) });
  } finally {
    await session.release();
  }
}

/** Largest absolute difference. */
export function maxDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

/** ROC-AUC as the Mann–Whitney statistic; tied scores share their average rank. */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let pos = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const avgRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!] === 1) {
        rankSumPos += avgRank;
        pos++;
      }
    }
    start = end + 1;
  }
  const neg = labels.length - pos;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
