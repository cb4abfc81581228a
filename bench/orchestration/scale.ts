// bench/orchestration/scale: the largest shapes Kiln promises to run (a 20,000-node fan-out/fan-in and
// a map over 100,000 items), timed, with this process's memory (workers and workflows run here) and
// the dev server's sampled as they run. A capacity check, not a speed comparison: a hand-written
// Temporal workflow of these shapes would need the same continue-as-new and paging machinery.
// Usage: npm run orchestration:scale -w @kiln/bench [-- --nodes 20000 --items 100000]
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { catalog } from '@kiln/nodes';
import { FolderArtifactStore, artifactSpecStore } from '@kiln/artifacts';
import { createWorkers } from '@kiln/worker';
import { type PipelineSpec, validateSpec } from '@kiln/engine';
import { awaitRun, startDevServer, startRun } from '@kiln/engine/temporal';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '20000' },
    items: { type: 'string', default: '100000' },
    'max-parallel': { type: 'string', default: '200' },
  },
});
const NODES = Number(values.nodes);
const ITEMS = Number(values.items);
const MAX_PARALLEL = Number(values['max-parallel']);

function checked(raw: unknown): PipelineSpec {
  const result = validateSpec(raw, catalog);
  if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
  return result.spec;
}

const fanSpec = (() => {
  const nodes: unknown[] = [{ id: 'root', type: 'core.noop' }];
  const edges: unknown[] = [];
  for (let i = 0; i < NODES - 2; i++) {
    nodes.push({ id: `n${i}`, type: 'core.noop' });
    edges.push({ from: 'root', to: `n${i}` }, { from: `n${i}`, to: 'sink' });
  }
  nodes.push({ id: 'sink', type: 'core.noop' });
  return checked({ apiVersion: 'kiln/v1', name: 'scale-fan', maxParallel: MAX_PARALLEL, nodes, edges });
})();
const mapSpec = checked({
  apiVersion: 'kiln/v1',
  name: 'scale-map',
  maxParallel: MAX_PARALLEL,
  nodes: [{ id: 'each', type: 'core.noop', map: { items: Array.from({ length: ITEMS }, (_, i) => i) } }],
});

/** Resident memory of a process (from /proc), in MiB. */
function rssMiB(pid: number | 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function main() {
  const server = await startDevServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const store = new FolderArtifactStore(mkdtempSync(join(tmpdir(), 'kiln-bench-scale-')));
  const workers = await createWorkers({ temporal: { address: server.address }, queues: ['cpu'], concurrency: 100, store, logLevel: 'ERROR' });
  const running = workers.run();
  const specStore = artifactSpecStore(store);

  const results = [];
  for (const [shape, spec, units] of [
    [`fan-out/fan-in of ${NODES} nodes`, fanSpec, NODES],
    [`map over ${ITEMS} items`, mapSpec, ITEMS],
  ] as const) {
    let peakSelf = 0;
    let peakServer = 0;
    let peakHeap = 0;
    const sample = () => {
      peakSelf = Math.max(peakSelf, rssMiB('self'));
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed / 2 ** 20);
      if (server.pid) peakServer = Math.max(peakServer, rssMiB(server.pid));
    };
    const sampler = setInterval(sample, 500);
    const t = performance.now();
    const state = await awaitRun(await startRun(client, { spec, params: {}, specStore, catalog }));
    const ms = performance.now() - t;
    clearInterval(sampler);
    sample();
    if (state.status !== 'succeeded') throw new Error(`${shape}: run ${state.runId} ${state.status}`);
    results.push({ shape, seconds: ms / 1000, msPerUnit: ms / units, generations: state.generations, peakSelf, peakHeap, peakServer });
  }

  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\nbench/orchestration/scale — Temporal dev server, maxParallel ${MAX_PARALLEL}, load average ${load}`);
  console.log('shape                              seconds  ms/unit  generations  worker RSS MiB  heap MiB  server RSS MiB');
  for (const r of results) {
    console.log(
      `${r.shape.padEnd(34)} ${r.seconds.toFixed(1).padStart(7)} ${r.msPerUnit.toFixed(2).padStart(8)} ${String(r.generations).padStart(12)} ` +
        `${r.peakSelf.toFixed(0).padStart(15)} ${r.peakHeap.toFixed(0).padStart(9)} ${r.peakServer.toFixed(0).padStart(15)}`,
    );
  }
  await workers.shutdown();
  await running;
  await connection.close();
  await server.stop();
}

await main();
