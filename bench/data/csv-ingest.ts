// bench/data: CSV → Arrow ingest throughput (MB/s) beside pandas and polars `read_csv` on the same
// file, in the same run. Ours does more: it also writes the Arrow file, computes column statistics
// and stores the file content-addressed. Usage: npm run bench:data  (BENCH_CSV_MB, default 1024;
// BENCH_CSV_THREADS: worker threads that parse the CSV, default as CsvToArrowOptions.threads)
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { FolderArtifactStore } from '@kiln/activities/store';
import { ingestCsvToDataset, startCsvThreads } from '@kiln/activities/data';
import { ensurePythonVenv, venvPython } from '@kiln/engine/temporal';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '..', 'results');
const MB = Number(process.env.BENCH_CSV_MB ?? 1024);
const THREADS = process.env.BENCH_CSV_THREADS;
const REQUIREMENTS = ['pandas==2.3.3', 'pyarrow==21.0.0', 'polars==2.1.0'];

/** A seeded CSV: 6 numeric columns (some missing), a category and a free-text column. */
async function generate(path: string, bytes: number) {
  const out = createWriteStream(path);
  out.write('id,age,income,score,ratio,visits,balance,plan,note\n');
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const plans = ['basic', 'plus', 'pro', 'enterprise'];
  let written = 0;
  let id = 0;
  while (written < bytes) {
    let chunk = '';
    for (let i = 0; i < 5000; i++) {
      id++;
      const income = rand() < 0.02 ? '' : (20000 + rand() * 180000).toFixed(2);
      chunk += `${id},${18 + Math.floor(rand() * 70)},${income},${(rand() * 100).toFixed(4)},${rand().toFixed(6)},${Math.floor(rand() * 300)},${((rand() - 0.3) * 10000).toFixed(2)},${plans[Math.floor(rand() * 4)]},customer note ${Math.floor(rand() * 1e6)}\n`;
    }
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main() {
  mkdirSync(results, { recursive: true });
  const csv = join(results, `ingest-${MB}mb.csv`);
  if (!existsSync(csv)) await generate(csv, MB * 1024 * 1024);
  const size = statSync(csv).size / (1024 * 1024);
  // Every reader gets the file from the page cache: it is read once before any is timed (the first
  // reader would otherwise also pay for the disk, which on this VM is about 1.8 s per GB).
  for await (const chunk of createReadStream(csv, { highWaterMark: 1 << 20 })) void chunk;

  // The parse thread loads its code first, as a Kiln worker process does when it starts (and as the
  // Python readers' imports are not timed either).
  await startCsvThreads();
  const storeDir = mkdtempSync(join(tmpdir(), 'kiln-bench-store-'));
  const store = new FolderArtifactStore(storeDir, { fsync: false });
  const t = performance.now();
  const ref = await ingestCsvToDataset(store, csv, THREADS === undefined ? {} : { threads: Number(THREADS) });
  const ours = (performance.now() - t) / 1000;
  rmSync(storeDir, { recursive: true, force: true });

  const PYTHON = process.env.BENCH_PYTHON ?? venvPython(await ensurePythonVenv({ name: 'bench-venv', requirements: REQUIREMENTS, log: console.log }));
  const py = (code: string, env: Record<string, string> = {}) =>
    Number(execFileSync(PYTHON, ['-c', code], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim());
  const timePandas = `import time, pandas as pd\nt=time.perf_counter(); df=pd.read_csv(${JSON.stringify(csv)}); print(time.perf_counter()-t)`;
  const timePolars = `import time, polars as pl\nt=time.perf_counter(); df=pl.read_csv(${JSON.stringify(csv)}); print(time.perf_counter()-t)`;
  const pandas = py(timePandas);
  const polars1 = py(timePolars, { POLARS_MAX_THREADS: '1' });
  const polarsAll = py(timePolars);

  const rows = [
    ['kiln ingest (CSV → Arrow file + stats + store)', ours],
    ['pandas.read_csv', pandas],
    ['polars.read_csv, 1 thread', polars1],
    ['polars.read_csv, all threads', polarsAll],
  ] as const;
  console.log(`\nbench/data — ${size.toFixed(0)} MB CSV, ${ref.rowCount.toLocaleString()} rows × ${ref.schema.length} columns, parse threads: ${THREADS ?? 'default'}`);
  console.log('reader                                          seconds     MB/s');
  for (const [name, s] of rows) console.log(`${name.padEnd(46)} ${s.toFixed(2).padStart(8)} ${(size / s).toFixed(1).padStart(8)}`);
  console.log(`kiln / polars 1 thread: ${(polars1 / ours).toFixed(2)}×   kiln / pandas: ${(pandas / ours).toFixed(2)}×`);
  writeFileSync(join(results, 'data.json'), JSON.stringify({ at: new Date().toISOString(), sizeMb: size, seconds: Object.fromEntries(rows) }, null, 2));
}

await main();
