// bench/train: train.gbdt's trainer (ml/src/gbdt) on a generated binary problem beside LightGBM
// (the goal's baseline) and scikit-learn HistGradientBoostingClassifier with the same trees, leaves,
// bins, learning rate and thread count, in the same run: training time (median of interleaved rounds,
// with the 1-min load average of each round) and held-out ROC-AUC (all AUCs by scikit-learn).
// Usage: npm run bench:train. Environment: BENCH_ROWS training rows (default 1_000_000);
// BENCH_FEATURES (default 20); BENCH_TREES (default 100); BENCH_ROUNDS (default 3); BENCH_THREADS
// (default: the CPU count), for Kiln and both baselines; BENCH_SKLEARN=0 leaves scikit-learn out;
// BENCH_KILN_ONLY=1 times Kiln alone (for profiling); BENCH_PYTHON (default
// .kiln/tools/bench-venv/bin/python, filled from PyPI with lightgbm and scikit-learn on first use).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonVenv, venvPython } from '@kiln/engine/python-venv';
import { trainBooster } from '@kiln/ml/gbdt';
import { makeSynthetic } from '@kiln/nodes/testing';

const here = dirname(fileURLToPath(import.meta.url));
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const FEATURES = Number(process.env.BENCH_FEATURES ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const THREADS = Number(process.env.BENCH_THREADS ?? availableParallelism());
const SKLEARN = process.env.BENCH_SKLEARN !== '0';
const KILN_ONLY = process.env.BENCH_KILN_ONLY === '1';
const TEST_ROWS = Math.max(1000, Math.round(ROWS / 4));
const REQUIREMENTS = ['lightgbm==4.7.0', 'scikit-learn==1.7.2', 'numpy==2.4.6'];
const PARAMS = {
  numIterations: Number(process.env.BENCH_TREES ?? 100),
  learningRate: 0.1,
  maxLeaves: 31,
  maxBins: 255,
  minDataInLeaf: 20,
};

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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  console.log(`generating ${ROWS} + ${TEST_ROWS} rows × ${FEATURES} features (binary)…`);
  const all = makeSynthetic('binary', { rows: ROWS + TEST_ROWS, features: FEATURES, seed: 42, missingRate: 0.05, noise: 0.5 });
  const train = split(all, 0, ROWS);
  const test = split(all, ROWS, ROWS + TEST_ROWS);

  const kiln = async () => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const booster = await trainBooster(
      { features: train.columns, labels: train.labels },
      { objective: 'binary', ...PARAMS, seed: 1, numThreads: THREADS },
    );
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, booster };
  };
  if (KILN_ONLY) {
    for (let round = 1; round <= ROUNDS; round++) {
      const { seconds, cpuSeconds } = await kiln();
      console.log(`round ${round}: kiln ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s), load ${loadavg()[0]!.toFixed(1)}`);
    }
    return;
  }

  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-train-'));
  try {
    writeNpy(join(dir, 'x_train.npy'), train.columns);
    writeNpy(join(dir, 'y_train.npy'), [train.labels]);
    writeNpy(join(dir, 'x_test.npy'), test.columns);
    writeNpy(join(dir, 'y_test.npy'), [test.labels]);
    const python = process.env.BENCH_PYTHON ?? venvPython(await ensurePythonVenv({ name: 'bench-venv', requirements: REQUIREMENTS, log: console.log }));
    const baselines = (which: string[]) => {
      const out = execFileSync(python, [join(here, 'baselines.py'), dir, JSON.stringify(PARAMS), which.join(',')], {
        encoding: 'utf8',
        // Same thread count on both sides; OpenMP would otherwise size itself from the host's cores.
        // Passive waits: spinning OpenMP threads are many times slower on a shared, busy machine.
        env: { ...process.env, OMP_NUM_THREADS: String(THREADS), OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive' },
        maxBuffer: 1 << 20,
      });
      return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    };

    // Interleaved rounds: the VM's speed drifts over minutes, and the median drops a round that met
    // a slow spell (or another tenant's burst) on one side only.
    const times = { kiln: [] as number[], lightgbm: [] as number[], sklearn: [] as number[] };
    // CPU seconds of all threads: on a machine shared with busy neighbours, wall time mostly says how
    // much of the CPUs the scheduler gave each side; CPU time says how much work each did.
    const cpu = { kiln: [] as number[], lightgbm: [] as number[] };
    const loads: number[] = [];
    const auc = { kiln: 0, lightgbm: 0, sklearn: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      const { seconds, cpuSeconds, booster } = await kiln();
      times.kiln.push(seconds);
      cpu.kiln.push(cpuSeconds);
      // The log-odds order the rows exactly as P(1) does.
      writeNpy(join(dir, 'kiln_proba.npy'), [booster.predictRaw(test.columns)[0]!]);
      const py = baselines(SKLEARN ? ['kiln', 'lightgbm', 'sklearn'] : ['kiln', 'lightgbm']);
      times.lightgbm.push(py.lightgbm_seconds!);
      cpu.lightgbm.push(py.lightgbm_cpu_seconds!);
      auc.kiln = py.kiln_auc!;
      auc.lightgbm = py.lightgbm_auc!;
      if (SKLEARN) {
        times.sklearn.push(py.sklearn_seconds!);
        auc.sklearn = py.sklearn_auc!;
      }
      loads.push(loadavg()[0]!);
      const sk = SKLEARN ? `, sklearn ${py.sklearn_seconds!.toFixed(2)} s` : '';
      console.log(
        `round ${round}: kiln ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s), ` +
          `LightGBM ${py.lightgbm_seconds!.toFixed(2)} s (CPU ${py.lightgbm_cpu_seconds!.toFixed(2)} s)${sk}, load ${loads.at(-1)!.toFixed(1)}`,
      );
    }

    const rows: [string, number[], number][] = [
      ['kiln train.gbdt', times.kiln, auc.kiln],
      ['LightGBM', times.lightgbm, auc.lightgbm],
    ];
    if (SKLEARN) rows.push(['sklearn HistGBC', times.sklearn, auc.sklearn]);
    console.log(
      `\nparams: ${JSON.stringify(PARAMS)}, ${ROWS} train rows × ${FEATURES} features, ${TEST_ROWS} held-out rows, ` +
        `${THREADS} threads on every side; median of ${ROUNDS} interleaved rounds; ` +
        `load average (1 min) per round: ${loads.map((l) => l.toFixed(1)).join(', ')} on ${availableParallelism()} cores`,
    );
    for (const [name, s, a] of rows) {
      console.log(`${name.padEnd(16)} ${median(s).toFixed(2).padStart(8)} s   ROC-AUC ${a.toFixed(5)}   rounds (s) ${s.map((x) => x.toFixed(2)).join(' ')}`);
    }
    const vsLgb = median(times.kiln) / median(times.lightgbm);
    const dAuc = auc.kiln - auc.lightgbm;
    const vsSk = SKLEARN ? `, kiln/sklearn ${(median(times.kiln) / median(times.sklearn)).toFixed(2)}×` : '';
    console.log(`time ratio kiln/LightGBM ${vsLgb.toFixed(2)}×${vsSk}`);
    console.log(
      `CPU seconds (median): kiln ${median(cpu.kiln).toFixed(2)}, LightGBM ${median(cpu.lightgbm).toFixed(2)}: ` +
        `ratio ${(median(cpu.kiln) / median(cpu.lightgbm)).toFixed(2)}×`,
    );
    console.log(`ROC-AUC kiln − LightGBM ${dAuc.toFixed(5)}${SKLEARN ? `, kiln − sklearn ${(auc.kiln - auc.sklearn).toFixed(5)}` : ''}`);
    console.log(`goal (≤ 2× LightGBM's time, ROC-AUC within 0.005): ${vsLgb <= 2 && Math.abs(dAuc) <= 0.005 ? 'met' : 'not met'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
