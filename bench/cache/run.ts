// bench/cache: the churn example on a 1M-row file, three runs on one store: the first (computes
// everything: the baseline), the same again (every node cached), and one with only the gate's
// threshold changed (only the gate runs). Prints wall times, their ratio to the first run, and the
// machine's load average beside each. Goal: the last two within 5% of the first.
//
//   npm run cache -w @kiln/bench            (BENCH_ROWS=1000000 by default)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { FolderArtifactStore } from '@kiln/artifacts';
import { type PipelineSpec, resolveRunParams, validateSpec } from '@kiln/engine';
import { awaitRun, startDevServer, startRun } from '@kiln/engine/temporal';
import { catalog } from '@kiln/nodes/catalog';
import { createWorkers } from '@kiln/worker';
import { OPEN_CAPABILITY_POLICY } from '@kiln/engine';
import { makeChurnCsv } from '@kiln/examples/churn/make-data';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-cache-'));
const data = join(dir, 'churn.csv');
writeFileSync(data, makeChurnCsv(ROWS));
process.env.KILN_DATA_ROOTS = dir;

const spec = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/churn/churn.json'), 'utf8')) as PipelineSpec;
// Customer ids past 99,999 have six digits.
for (const node of spec.nodes) {
  if (node.id !== 'validate') continue;
  const columns = (node.params as { columns: { name: string; regex?: string }[] }).columns;
  for (const c of columns) if (c.regex) c.regex = 'C[0-9]+';
}

const server = await startDevServer();
const workers = await createWorkers({
  temporal: { address: server.address },
  queues: ['cpu', 'gpu'],
  workflows: true,
  logLevel: 'ERROR',
  policy: { capabilities: OPEN_CAPABILITY_POLICY },
  store: new FolderArtifactStore(join(dir, 'artifacts')),
});
void workers.run();
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });

async function timed(label: string, params: Record<string, unknown>) {
  const checked = validateSpec(spec, catalog);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  const resolved = resolveRunParams(checked.spec, { data, ...params });
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
  const load = loadavg()[0]!;
  const started = performance.now();
  const state = await awaitRun(await startRun(client, { spec: checked.spec, params: resolved.values, catalog }));
  const ms = performance.now() - started;
  if (state.status !== 'succeeded') throw new Error(`${label}: run ${state.status}: ${JSON.stringify(state.nodes).slice(0, 2000)}`);
  const ran = Object.entries(state.nodes).filter(([, n]) => n.status !== 'cached').map(([id]) => id);
  return { label, ms, load, ran };
}

try {
  const first = await timed('first run (baseline: computes every node)', {});
  const same = await timed('unchanged second run', {});
  const gate = await timed('second run, only the gate changed', { minRocAuc: 0.6 });
  console.log(`churn on ${ROWS.toLocaleString('en')} rows (${(readFileSync(data).length / 1e6).toFixed(0)} MB CSV), one worker process, folder store`);
  console.log('run                                          wall s   vs first   load(1m)  nodes that ran');
  for (const r of [first, same, gate]) {
    console.log(
      `${r.label.padEnd(44)} ${(r.ms / 1000).toFixed(2).padStart(7)} ${`${((r.ms / first.ms) * 100).toFixed(1)}%`.padStart(10)} ${r.load.toFixed(2).padStart(10)}  ${r.ran.join(', ') || '(none)'}`,
    );
  }
  console.log(`goal: the last two ≤ 5% of the first: ${[same, gate].every((r) => r.ms <= first.ms * 0.05) ? 'met' : 'NOT met'}`);
} finally {
  await connection.close();
  await workers.shutdown();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
