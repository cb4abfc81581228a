// bench/data: CSV → Arrow ingest throughput (MB/s) beside pandas and polars `read_csv` on the same
// file, in the same run. Ours does more: it also writes the Arrow file, computes column statistics
// and stores the file content-addressed. Usage: npm run bench:data  (BENCH_CSV_MB, default 1024;
// BENCH_CSV_THREADS: worker threads that parse the CSV in the all-cores rounds, default as
// CsvToArrowOptions.threads; BENCH_ROUNDS: interleaved rounds, default 3). Each round runs Kiln on one
// thread, polars on one thread, Kiln on all cores and polars on all cores.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { ensurePythonVenv, venvPython } from '@kiln/engine/python-venv';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '..', 'results');
const MB = Number(process.env.BENCH_CSV_MB ?? 1024);
const THREADS = process.env.BENCH_CSV_THREADS;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
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

  const PYTHON = process.env.BENCH_PYTHON ?? venvPython(await ensurePythonVenv({ name: 'bench-venv', requirements: REQUIREMENTS, log: console.log }));
  // Each reader's seconds, and the CPU seconds of all its threads: on a machine shared with others the
  // seconds follow the load, CPU seconds much less (they show cost, not how well threads overlap).
  const py = (code: string, env: Record<string, string> = {}) => {
    const [seconds, cpuSeconds] = execFileSync(PYTHON, ['-c', code], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim().split(' ').map(Number);
    return { seconds: seconds!, cpuSeconds: cpuSeconds! };
  };
  const timed = (read: string) =>
    `import time\nt=time.perf_counter(); c=time.process_time(); ${read}; print(time.perf_counter()-t, time.process_time()-c)`;
  const timePandas = `import pandas as pd\n${timed(`df=pd.read_csv(${JSON.stringify(csv)})`)}`;
  const timePolars = `import polars as pl\n${timed(`df=pl.read_csv(${JSON.stringify(csv)})`)}`;
  const kiln = (threads: string | undefined) =>
    JSON.parse(
      execFileSync(process.execPath, [...process.execArgv, join(here, 'ingest-once.ts'), csv, ...(threads ? [threads] : [])], {
        encoding: 'utf8',
      }),
    ) as { seconds: number; cpuSeconds: number; rowCount: number; columns: number; threadRegions: number };

  // Kiln and polars (the goal's baseline), one thread and all cores, in interleaved rounds, each in a
  // fresh process: the VM's speed drifts by ±15% over minutes, and the median drops a round that met
  // a slow spell.
  const kiln1: number[] = [];
  const kilnAll: number[] = [];
  const polars1: number[] = [];
  const polarsAll: number[] = [];
  const cpu = { kiln1: [] as number[], polars1: [] as number[], kilnAll: [] as number[], polarsAll: [] as number[] };
  const loads: number[] = [];
  let shape = { rowCount: 0, columns: 0 };
  const load = () => loadavg()[0]!;
  for (let round = 0; round < ROUNDS; round++) {
    const startLoad = load();
    const single = kiln('0');
    shape = single;
    kiln1.push(single.seconds);
    cpu.kiln1.push(single.cpuSeconds);
    const polarsOne = py(timePolars, { POLARS_MAX_THREADS: '1' });
    polars1.push(polarsOne.seconds);
    cpu.polars1.push(polarsOne.cpuSeconds);
    const all = kiln(THREADS);
    // A thread that cannot load leaves every region to the calling thread, silently: not a figure.
    if (THREADS !== '0' && all.threadRegions === 0) throw new Error('no region was converted on a worker thread: the all-cores figure would be one thread');
    kilnAll.push(all.seconds);
    cpu.kilnAll.push(all.cpuSeconds);
    const polarsMany = py(timePolars);
    polarsAll.push(polarsMany.seconds);
    cpu.polarsAll.push(polarsMany.cpuSeconds);
    loads.push((startLoad + load()) / 2);
    console.log(
      `round ${round + 1}: kiln 1 thread ${single.seconds.toFixed(2)} s, polars 1 thread ${polars1.at(-1)!.toFixed(2)} s, ` +
        `kiln all cores ${all.seconds.toFixed(2)} s, polars all threads ${polarsAll.at(-1)!.toFixed(2)} s, load ${loads.at(-1)!.toFixed(1)}`,
    );
  }
  const { seconds: pandas, cpuSeconds: pandasCpu } = py(timePandas);

  const rows = [
    ['kiln ingest, 1 thread (CSV → Arrow + stats + store)', median(kiln1), kiln1, median(cpu.kiln1)],
    ['polars.read_csv, 1 thread', median(polars1), polars1, median(cpu.polars1)],
    ['kiln ingest, all cores', median(kilnAll), kilnAll, median(cpu.kilnAll)],
    ['polars.read_csv, all threads', median(polarsAll), polarsAll, median(cpu.polarsAll)],
    ['pandas.read_csv', pandas, [pandas], pandasCpu],
  ] as const;
  console.log(
    `\nbench/data — ${size.toFixed(0)} MB CSV, ${shape.rowCount.toLocaleString()} rows × ${shape.columns} columns, kiln parse threads (all cores): ${THREADS ?? 'default'}; ` +
      `median of ${ROUNDS} interleaved rounds; load average (1 min, mean of a round's start and end) per round: ${loads.map((l) => l.toFixed(1)).join(', ')} on ${availableParallelism()} cores`,
  );
  console.log('reader                                                seconds     MB/s  CPU s (median)   rounds (s)');
  for (const [name, s, all, cpuSeconds] of rows) {
    console.log(
      `${name.padEnd(52)} ${s.toFixed(2).padStart(8)} ${(size / s).toFixed(1).padStart(8)} ${cpuSeconds.toFixed(2).padStart(15)}   ${all.map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
  // Each round's own ratio too: a round's runs are minutes apart at most, so they met about the same
  // load, which on a shared machine swings the medians of the runs themselves.
  const perRound = (ours: number[], theirs: number[]) => median(ours.map((s, i) => theirs[i]! / s));
  console.log(
    `kiln / polars, 1 thread: ${(median(polars1) / median(kiln1)).toFixed(2)}× (median of rounds' ratios ${perRound(kiln1, polars1).toFixed(2)}×)   ` +
      `all cores: ${(median(polarsAll) / median(kilnAll)).toFixed(2)}× (${perRound(kilnAll, polarsAll).toFixed(2)}×)   ` +
      `kiln all cores / pandas: ${(pandas / median(kilnAll)).toFixed(2)}×`,
  );
  writeFileSync(
    join(results, 'data.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        sizeMb: size,
        seconds: Object.fromEntries(rows.map(([n, s]) => [n, s])),
        cpuSeconds: Object.fromEntries(rows.map(([n, , , c]) => [n, c])),
        rounds: { kiln1, polars1, kilnAll, polarsAll, load: loads },
      },
      null,
      2,
    ),
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

await main();
