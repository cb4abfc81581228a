// bench/orchestration/scale: the largest shapes Kiln promises to run (a 20,000-node fan-out/fan-in and
// a map over 100,000 items), timed, with this process's memory (workers and workflows run here) and
// the dev server's sampled as they run. A capacity check, not a speed comparison: a hand-written
// Temporal workflow of these shapes would need the same continue-as-new and paging machinery.
// Usage: npm run orchestration:scale -w @kiln/bench [-- --nodes 20000 --items 100000] (0 skips a shape)
// Every 30 s it prints a progress line to stderr (items done, generation, memory) so a long run shows
// whether memory stays bounded as it goes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { catalog } from '@kiln/nodes';
import { FolderArtifactStore, artifactSpecStore } from '@kiln/artifacts';
import { createWorkers } from '@kiln/worker';
import { type PipelineSpec, validateSpec } from '@kiln/engine';
import { awaitRun, queryRun, startDevServer, startRun } from '@kiln/engine/temporal';

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

const DONE = new Set(['succeeded', 'cached', 'skipped']);
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

async function main() {
  const server = await startDevServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const store = new FolderArtifactStore(mkdtempSync(join(tmpdir(), 'kiln-bench-scale-')));
  const workers = await createWorkers({ temporal: { address: server.address }, queues: ['cpu'], concurrency: 100, store, logLevel: 'ERROR' });
  const running = workers.run();
  const specStore = artifactSpecStore(store);

  const results = [];
  const shapes = [
    [`fan-out/fan-in of ${NODES} nodes`, fanSpec, NODES],
    [`map over ${ITEMS} items`, mapSpec, ITEMS],
  ] as const;
  for (const [shape, spec, units] of shapes.filter(([, , n]) => n > 0)) {
    let peakSelf = 0;
    let peakServer = 0;
    let peakHeap = 0;
    const sample = () => {
      peakSelf = Math.max(peakSelf, rssMiB('self'));
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed / 2 ** 20);
      if (server.pid) peakServer = Math.max(peakServer, rssMiB(server.pid));
    };
    const sampler = setInterval(sample, 500);
    const loads: number[] = [];
    const t = performance.now();
    const handle = await startRun(client, { spec, params: {}, specStore, catalog });
    const progress = setInterval(() => {
      loads.push(loadAverage());
      void queryRun(handle).then(
        (live) => {
          const done = Object.values(live.nodes).reduce((sum, n) => sum + (n.items ? n.items.done : DONE.has(n.status) ? 1 : 0), 0);
          console.error(
            `${((performance.now() - t) / 1000).toFixed(0)} s: ${done}/${units} done, generation ${live.generations}, ` +
              `worker RSS ${rssMiB('self').toFixed(0)} MiB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, ` +
              `server RSS ${server.pid ? rssMiB(server.pid).toFixed(0) : '?'} MiB, load ${loads.at(-1)}`,
          );
        },
        (err: unknown) => console.error(`progress query failed: ${(err as Error).message}`),
      );
    }, 30_000);
    const state = await awaitRun(handle);
    const ms = performance.now() - t;
    clearInterval(sampler);
    clearInterval(progress);
    sample();
    loads.push(loadAverage());
    if (state.status !== 'succeeded') throw new Error(`${shape}: run ${state.runId} ${state.status}`);
    results.push({ shape, seconds: ms / 1000, msPerUnit: ms / units, generations: state.generations, peakSelf, peakHeap, peakServer, load: median(loads) });
  }

  console.log(`\nbench/orchestration/scale — Temporal dev server, maxParallel ${MAX_PARALLEL} (load: median 1-min load average while it ran)`);
  console.log('shape                              seconds  ms/unit  generations  worker RSS MiB  heap MiB  server RSS MiB  load');
  for (const r of results) {
    console.log(
      `${r.shape.padEnd(34)} ${r.seconds.toFixed(1).padStart(7)} ${r.msPerUnit.toFixed(2).padStart(8)} ${String(r.generations).padStart(12)} ` +
        `${r.peakSelf.toFixed(0).padStart(15)} ${r.peakHeap.toFixed(0).padStart(9)} ${r.peakServer.toFixed(0).padStart(15)} ${r.load.toFixed(1).padStart(5)}`,
    );
  }
  await workers.shutdown();
  await running;
  await connection.close();
  await server.stop();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

await main();
// The Temporal connection's native runtime keeps the event loop alive after everything is closed.
process.exit(0);
