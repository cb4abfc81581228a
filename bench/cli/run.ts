// bench/cli: start-up time of the `kiln` command, compiled (what users and containers run) and from
// sources (the dev loop, and what every start cost before the build), beside `node -e 0` measured in
// the same run. Rounds interleave the variants so a change in machine load hits them all alike.
// Usage: npm run build && npm run bench:cli   (BENCH_ROUNDS=15, BENCH_SOURCE_ROUNDS=3)
// BENCH_BASELINE=<another built checkout> adds its compiled `kiln` to the same rounds (a before/after
// of a change measured in one run: git worktree add <dir> main, npm install, node scripts/build.mjs).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIsCurrent } from '@kiln/cli/build-state';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '../..');
const KILN = join(ROOT, 'cli/bin/kiln.js');
const TEN_NODES = join(here, 'ten-nodes.json');
const TEN_NODES_TS = join(here, 'ten-nodes.ts');
const BASELINE = process.env.BENCH_BASELINE;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SOURCE_ROUNDS = Number(process.env.BENCH_SOURCE_ROUNDS ?? 3);

interface Variant {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Measured in the first SOURCE_ROUNDS rounds only (they take seconds each). */
  slow?: boolean;
  /** The goal, in seconds over `node -e 0`. */
  goal?: number;
}

const compiled = { KILN_DEV: '0' };
const sources = { KILN_DEV: '1' };
const VARIANTS: Variant[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'kiln --help', args: [KILN, '--help'], env: compiled, goal: 0.3 },
  // As in a checkout: kiln first checks that no source file is newer than the build.
  { name: 'kiln --help (build checked)', args: [KILN, '--help'], env: { KILN_DEV: '' }, goal: 0.3 },
  { name: 'kiln validate ten-nodes.json', args: [KILN, 'validate', TEN_NODES], env: compiled, goal: 1 },
  { name: 'kiln validate ten-nodes.ts', args: [KILN, 'validate', TEN_NODES_TS], env: compiled },
  // A command's own help is its usage line, printed before the command (Temporal, workers) is loaded.
  { name: 'kiln run --help', args: [KILN, 'run', '--help'], env: compiled, goal: 0.3 },
  { name: 'kiln logs --help', args: [KILN, 'logs', '--help'], env: compiled, goal: 0.3 },
  { name: 'kiln --help (sources)', args: [KILN, '--help'], env: sources, slow: true },
  {
    name: 'kiln validate ten-nodes.json (sources)',
    args: [KILN, 'validate', TEN_NODES],
    env: sources,
    slow: true,
  },
];
if (BASELINE) {
  const kiln = join(BASELINE, 'cli/bin/kiln.js');
  VARIANTS.push(
    { name: 'baseline: kiln --help', args: [kiln, '--help'], env: compiled },
    { name: 'baseline: kiln validate ten-nodes.json', args: [kiln, 'validate', TEN_NODES], env: compiled },
  );
}

/**
 * CPU seconds (user + system) of the children this process has waited for, from /proc (clock ticks
 * of 10 ms): less sensitive than wall time to other processes sharing the machine.
 */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime (fields 16, 17 of proc(5))
}

function timeOnce(v: Variant): { wall: number; cpu: number } {
  const cpu = childrenCpu();
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, v.args, {
    cwd: ROOT,
    env: { ...process.env, ...v.env },
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${v.name} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: childrenCpu() - cpu };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function main() {
  if (!buildIsCurrent(pathToFileURL(`${ROOT}/`))) {
    console.error('bench/cli: the build is missing or older than the sources; run `npm run build` first');
    process.exit(2);
  }
  if (BASELINE && !buildIsCurrent(pathToFileURL(`${BASELINE}/`))) {
    console.error(`bench/cli: the baseline's build is missing or older than its sources; run \`node scripts/build.mjs\` in ${BASELINE}`);
    process.exit(2);
  }
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  if (BASELINE) console.log(`bench/cli: baseline checkout ${BASELINE}`);
  console.log(
    `bench/cli: ${ROUNDS} rounds (${SOURCE_ROUNDS} for sources), ${cpus().length} CPUs, load average ${load()} (1, 5, 15 min)`,
  );
  const times = new Map<Variant, { wall: number; cpu: number }[]>(VARIANTS.map((v) => [v, []]));
  for (const v of VARIANTS) timeOnce(v); // warm the file cache (and the workflow of each variant)
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no variant always runs first after a pause.
    for (let i = 0; i < VARIANTS.length; i++) {
      const v = VARIANTS[(i + round) % VARIANTS.length]!;
      if (v.slow && round >= SOURCE_ROUNDS) continue;
      times.get(v)!.push(timeOnce(v));
    }
  }
  const wall = (v: Variant) => times.get(v)!.map((t) => t.wall);
  const cpu = (v: Variant) => times.get(v)!.map((t) => t.cpu);
  const node = median(wall(VARIANTS[0]!));
  const nodeCpu = median(cpu(VARIANTS[0]!));
  const col = (text: string, width: number) => text.padStart(width);
  console.log(
    `\n${'variant'.padEnd(40)}${col('wall median s', 14)}${col('min s', 8)}${col('over node s', 13)}${col('CPU median s', 14)}${col('over node', 11)}  goal (wall over node)`,
  );
  for (const v of VARIANTS) {
    const m = median(wall(v));
    const c = median(cpu(v));
    const first = v === VARIANTS[0];
    const goal = v.goal === undefined ? '' : `≤ ${v.goal} s: ${m - node <= v.goal ? 'met' : 'NOT met'}`;
    console.log(
      `${v.name.padEnd(40)}${col(m.toFixed(3), 14)}${col(Math.min(...wall(v)).toFixed(3), 8)}${col(first ? '' : (m - node).toFixed(3), 13)}` +
        `${col(c.toFixed(2), 14)}${col(first ? '' : (c - nodeCpu).toFixed(2), 11)}  ${goal}`,
    );
  }
  console.log(`\nload average at the end ${load()}`);
}

main();
