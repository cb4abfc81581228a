// bench/train: train.gbdt's trainer (ml/src/gbdt) on a generated binary problem beside
// LightGBM and scikit-learn HistGradientBoostingClassifier with the same trees, leaves, bins and
// learning rate, in the same run: training time and held-out ROC-AUC (all AUCs by scikit-learn).
// Usage: npm run bench:train  (BENCH_ROWS training rows, default 1_000_000; BENCH_FEATURES, default 20;
// BENCH_PYTHON, default .kiln/tools/bench-venv/bin/python, filled from PyPI with lightgbm and scikit-learn on first use)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonVenv, venvPython } from '@kiln/engine/python-venv';
import { trainBooster } from '@kiln/ml/gbdt';
import { makeSynthetic } from '@kiln/nodes/testing';

const here = dirname(fileURLToPath(import.meta.url));
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const FEATURES = Number(process.env.BENCH_FEATURES ?? 20);
const TEST_ROWS = Math.max(1000, Math.round(ROWS / 4));
const REQUIREMENTS = ['lightgbm==4.7.0', 'scikit-learn==1.7.2', 'numpy==2.4.6'];
const PARAMS = { numIterations: 100, learningRate: 0.1, maxLeaves: 31, maxBins: 255, minDataInLeaf: 20 };

/** A .npy file (format 1.0, little-endian float64); a column list is written Fortran-ordered. */
function writeNpy(path: string, columns: Float64Array[]) {
  const rows = columns[0]!.length;
  const matrix = columns.length > 1;
  const shape = matrix ? `(${rows}, ${columns.length})` : `(${rows},)`;
  let header = `{'descr': '<f8', 'fortran_order': ${matrix ? 'True' : 'False'}, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const parts = [head, Buffer.from(header, 'latin1'), ...columns.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))];
  writeFileSync(path, Buffer.concat(parts));
}

function split(data: { columns: Float64Array[]; labels: Float64Array }, from: number, to: number) {
  return { columns: data.columns.map((c) => c.slice(from, to)), labels: data.labels.slice(from, to) };
}

async function main() {
  console.log(`generating ${ROWS} + ${TEST_ROWS} rows × ${FEATURES} features (binary)…`);
  const all = makeSynthetic('binary', { rows: ROWS + TEST_ROWS, features: FEATURES, seed: 42, missingRate: 0.05, noise: 0.5 });
  const train = split(all, 0, ROWS);
  const test = split(all, ROWS, ROWS + TEST_ROWS);

  const started = performance.now();
  const booster = await trainBooster(
    { features: train.columns, labels: train.labels },
    { objective: 'binary', ...PARAMS, seed: 1 },
  );
  const kilnSeconds = (performance.now() - started) / 1000;
  // The log-odds order the rows exactly as P(1) does.
  const proba = booster.predictRaw(test.columns)[0]!;

  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-train-'));
  try {
    writeNpy(join(dir, 'x_train.npy'), train.columns);
    writeNpy(join(dir, 'y_train.npy'), [train.labels]);
    writeNpy(join(dir, 'x_test.npy'), test.columns);
    writeNpy(join(dir, 'y_test.npy'), [test.labels]);
    writeNpy(join(dir, 'kiln_proba.npy'), [proba]);
    const python = process.env.BENCH_PYTHON ?? venvPython(await ensurePythonVenv({ name: 'bench-venv', requirements: REQUIREMENTS, log: console.log }));
    const out = execFileSync(python, [join(here, 'baselines.py'), dir, JSON.stringify(PARAMS)], {
      encoding: 'utf8',
      // Same thread count on both sides; OpenMP would otherwise size itself from the host's cores.
      // Passive waits: spinning OpenMP threads are many times slower on a shared, busy machine.
      env: {
        ...process.env,
        OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? String(availableParallelism()),
        OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive',
      },
      maxBuffer: 1 << 20,
    });
    const py = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    const rows = [
      ['kiln train.gbdt', kilnSeconds, py.kiln_auc!],
      ['LightGBM', py.lightgbm_seconds!, py.lightgbm_auc!],
      ['sklearn HistGBC', py.sklearn_seconds!, py.sklearn_auc!],
    ] as const;
    console.log(`params: ${JSON.stringify(PARAMS)}, ${ROWS} train rows, ${TEST_ROWS} held-out rows, ${availableParallelism()} threads`);
    for (const [name, s, auc] of rows) console.log(`${name.padEnd(16)} ${s.toFixed(2).padStart(8)} s   ROC-AUC ${auc.toFixed(5)}`);
    const vsLgb = kilnSeconds / py.lightgbm_seconds!;
    const vsSk = kilnSeconds / py.sklearn_seconds!;
    const dAuc = py.kiln_auc! - py.lightgbm_auc!;
    console.log(`time ratio kiln/LightGBM ${vsLgb.toFixed(2)}×, kiln/sklearn ${vsSk.toFixed(2)}×`);
    console.log(`ROC-AUC kiln − LightGBM ${dAuc.toFixed(5)}, kiln − sklearn ${(py.kiln_auc! - py.sklearn_auc!).toFixed(5)}`);
    console.log(`goal (≤ 3× LightGBM's time, ROC-AUC within 0.005): ${vsLgb <= 3 && Math.abs(dAuc) <= 0.005 ? 'met' : 'not met'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
