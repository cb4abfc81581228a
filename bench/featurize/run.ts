// bench/featurize: featurize.tabular on 1M rows × 20 columns (14 numeric with missing values, 5 text
// categoricals with missing values, a binary target) beside pandas + scikit-learn doing the same steps
// in the same run: stratified train_test_split, then a ColumnTransformer (SimpleImputer(median) +
// StandardScaler on numbers, SimpleImputer(most_frequent) + dense OneHotEncoder on text) fitted on
// the training split and applied to both splits.
// Kiln's figure is the node (read the Arrow dataset, split, fit, write both splits as Arrow files with
// column statistics into the store) plus applying the fitted transform to both splits, as a trainer
// does; pandas' figure is reading the same Arrow file into a DataFrame, splitting, fit_transform and
// transform. Kiln (in this process) and pandas (a fresh process each time) run in interleaved rounds;
// the median round is reported with the machine's load average.
// Usage: npm run featurize -w @kiln/bench  (BENCH_ROWS, default 1_000_000; BENCH_ROUNDS, default 3;
// BENCH_PYTHON, default .kiln/tools/bench-venv/bin/python, made from PyPI with the pinned versions below)
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestCsvToDataset, type DatasetRef } from '@kiln/tabular';
import { featurizeTabular as featurizeType } from '@kiln/nodes';
import { FolderArtifactStore, type ArtifactRef } from '@kiln/artifacts';
import { ensurePythonVenv, venvPython } from '@kiln/engine/python-venv';
import { applyTransform, requireTransformSpec } from '@kiln/nodes/featurize/transform-spec';
import { getJson, readColumns } from '@kiln/nodes/shared/tabular';
import { testContext } from '@kiln/nodes/testing';

const featurizeTabular = await featurizeType.load();

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '..', 'results');
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const NUMERIC = 14;
const CATEGORIES = [4, 8, 12, 30, 50];
const PARAMS = { target: 'label', impute: 'median', scale: 'standard', encoding: 'onehot', testFraction: 0.2, stratify: true, seed: 42 } as const;
const REQUIREMENTS = ['pandas==2.3.3', 'scikit-learn==1.7.2', 'pyarrow==21.0.0'];

/** A seeded CSV: x0..x13 (5% missing), c0..c4 (text, 3% missing), label (0/1, about 30% ones). */
async function generate(path: string) {
  const out = createWriteStream(path);
  const header = [...Array.from({ length: NUMERIC }, (_, i) => `x${i}`), ...CATEGORIES.map((_, i) => `c${i}`), 'label'];
  out.write(`${header.join(',')}\n`);
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let r = 0; r < ROWS;) {
    let chunk = '';
    for (let k = 0; k < 10_000 && r < ROWS; k++, r++) {
      const cells: string[] = [];
      let z = 0;
      for (let i = 0; i < NUMERIC; i++) {
        const v = (rand() - 0.5) * (i + 1) * 10 + i;
        z += i % 3 === 0 ? v / (i + 1) : 0;
        cells.push(rand() < 0.05 ? '' : v.toFixed(4));
      }
      CATEGORIES.forEach((n, i) => {
        const c = Math.floor(rand() * n);
        if (i === 0) z += c - 1.5;
        cells.push(rand() < 0.03 ? '' : `cat${i}_${c}`);
      });
      cells.push(z + (rand() - 0.5) * 4 > 1 ? '1' : '0');
      chunk += `${cells.join(',')}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main() {
  const python = process.env.BENCH_PYTHON ?? venvPython(await ensurePythonVenv({ name: 'bench-venv', requirements: REQUIREMENTS, log: console.log }));
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-featurize-'));
  try {
    console.log(`generating ${ROWS.toLocaleString()} rows × ${NUMERIC + CATEGORIES.length + 1} columns…`);
    const csv = join(dir, 'data.csv');
    await generate(csv);
    const store = new FolderArtifactStore(join(dir, 'store'), { fsync: false });
    const dataset: DatasetRef = await ingestCsvToDataset(store, csv, { tmpDir: dir });
    rmSync(csv);
    const ctx = testContext({ store });

    const arrow = await store.localPath(dataset.artifact.digest);

    /** One Kiln round: the node, then the transform applied to both splits. */
    const kilnRound = async () => {
      const t0 = performance.now();
      const out = await featurizeTabular.run(ctx, { dataset }, featurizeTabular.params.parse(PARAMS));
      const t1 = performance.now();
      const spec = requireTransformSpec(await getJson(store, (out.outputs.transform as { artifact: ArtifactRef }).artifact));
      let outputFeatures = 0;
      const splitRows: number[] = [];
      for (const split of ['train', 'test'] as const) {
        const cols = await readColumns(store, out.outputs[split] as DatasetRef);
        const rows = Array.from({ length: cols.rowCount }, (_, i) => i);
        outputFeatures = applyTransform(spec, cols, rows).length;
        splitRows.push(cols.rowCount);
      }
      const t2 = performance.now();
      return { node: (t1 - t0) / 1000, transform: (t2 - t1) / 1000, outputFeatures, splitRows };
    };
    const pandasRound = () => {
      const stdout = execFileSync(python, [join(here, 'baseline.py'), arrow, PARAMS.target, String(PARAMS.testFraction), String(PARAMS.seed)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
    };

    const rounds: { kiln: Awaited<ReturnType<typeof kilnRound>>; py: Record<string, number>; load: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const kiln = await kilnRound();
      const py = pandasRound();
      const load = loadavg()[0]!;
      rounds.push({ kiln, py, load });
      const pandas = py.read_seconds! + py.split_seconds! + py.fit_transform_seconds!;
      console.log(
        `round ${round + 1}: kiln ${(kiln.node + kiln.transform).toFixed(2)} s, pandas + sklearn ${pandas.toFixed(2)} s, ` +
          `ratio ${((kiln.node + kiln.transform) / pandas).toFixed(2)}×, load ${load.toFixed(1)}`,
      );
    }
    const kilnTotal = (r: (typeof rounds)[number]) => r.kiln.node + r.kiln.transform;
    const pandasTotal = (r: (typeof rounds)[number]) => r.py.read_seconds! + r.py.split_seconds! + r.py.fit_transform_seconds!;
    // The round with the median ratio stands for the run (its parts are shown as measured).
    const byRatio = [...rounds].sort((a, b) => kilnTotal(a) / pandasTotal(a) - kilnTotal(b) / pandasTotal(b));
    const { kiln: k, py } = byRatio[Math.floor(byRatio.length / 2)]!;
    const pandas = pandasTotal(byRatio[Math.floor(byRatio.length / 2)]!);
    const node = k.node;
    const transform = k.transform;
    const kiln = node + transform;
    const loads = rounds.map((r) => r.load.toFixed(1)).join(', ');

    console.log(`\nbench/featurize — ${ROWS.toLocaleString()} rows × ${dataset.schema.length} columns; split ${k.splitRows.join(' / ')} (kiln), ${py.train_rows} / ${py.test_rows} (sklearn); ${k.outputFeatures} (kiln) vs ${py.output_features} (sklearn) output features`);
    console.log(`median of ${ROUNDS} interleaved rounds (by ratio); load average (1 min) per round: ${loads} on ${availableParallelism()} cores`);
    const lines = [
      ['kiln featurize.tabular node (read, split, fit, write splits + stats)', node],
      ['kiln applyTransform on both splits (read splits, impute/scale/one-hot)', transform],
      ['kiln total', kiln],
      ['pandas: Arrow file → DataFrame', py.read_seconds!],
      ['sklearn train_test_split (stratified)', py.split_seconds!],
      ['sklearn ColumnTransformer fit_transform + transform', py.fit_transform_seconds!],
      ['pandas + sklearn total', pandas],
    ] as const;
    for (const [name, s] of lines) console.log(`${name.padEnd(72)} ${s.toFixed(2).padStart(8)} s`);
    console.log(`ratio kiln / (pandas + sklearn): ${(kiln / pandas).toFixed(2)}×   rounds: ${rounds.map((r) => (kilnTotal(r) / pandasTotal(r)).toFixed(2)).join(', ')}`);
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'featurize.json'), JSON.stringify({ at: new Date().toISOString(), rows: ROWS, seconds: Object.fromEntries(lines), ratio: kiln / pandas, rounds: rounds.map((r) => ({ kiln: kilnTotal(r), pandas: pandasTotal(r), load: r.load })) }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
