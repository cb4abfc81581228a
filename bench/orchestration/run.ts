// bench/orchestration: per-node overhead of Kiln's DAG workflow against a hand-written Temporal
// workflow of the same shape, on one dev server, in one run. Usage: npm run bench:orchestration
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import type { PipelineSpec } from '@kiln/engine';
import { awaitRun, startDevServer, startRun } from '@kiln/engine/temporal';
import { createWorkers } from '@kiln/activities/worker';
import { catalog } from '@kiln/activities';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const CONCURRENCY = 100;
const CHAIN = 40;
const FAN_OUT = 1000;
const ROUNDS = { chain: 7, fanOut: 5 };

const chainSpec: PipelineSpec = {
  apiVersion: 'kiln/v1',
  name: 'bench-chain',
  nodes: Array.from({ length: CHAIN }, (_, i) => ({ id: `n${i}`, type: 'core.noop' })),
  edges: Array.from({ length: CHAIN - 1 }, (_, i) => ({ from: `n${i}`, to: `n${i + 1}` })),
};
const fanOutSpec: PipelineSpec = {
  apiVersion: 'kiln/v1',
  name: 'bench-fan-out',
  maxParallel: FAN_OUT,
  nodes: Array.from({ length: FAN_OUT }, (_, i) => ({ id: `n${i}`, type: 'core.noop' })),
  edges: [],
};

async function main() {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const server = await startDevServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const kilnWorkers = await createWorkers({ temporal: { address: server.address }, queues: ['cpu'], concurrency: CONCURRENCY, logLevel: 'ERROR' });
  const native = await NativeConnection.connect({ address: server.address });
  const rawBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./raw-workflows.ts'), logger: new DefaultLogger('ERROR') });
  const rawWorkflows = await Worker.create({ connection: native, taskQueue: 'raw-workflows', workflowBundle: rawBundle });
  const rawActivities = await Worker.create({
    connection: native,
    taskQueue: 'raw-cpu',
    activities: { noop: async () => {} },
    maxConcurrentActivityTaskExecutions: CONCURRENCY,
  });
  const running = Promise.all([kilnWorkers.run(), rawWorkflows.run(), rawActivities.run()]);

  let seq = 0;
  const kiln = async (spec: PipelineSpec) => {
    const t = performance.now();
    const state = await awaitRun(await startRun(client, { spec, params: {}, catalog }));
    if (state.status !== 'succeeded') throw new Error(`kiln run ${state.runId} ${state.status}`);
    return performance.now() - t;
  };
  const raw = async (workflow: 'rawChain' | 'rawFanOut', n: number) => {
    const t = performance.now();
    await client.workflow.execute(workflow, { taskQueue: 'raw-workflows', workflowId: `raw-${seq++}-${Date.now()}`, args: [n] });
    return performance.now() - t;
  };

  // Warm up both paths (worker caches, JIT) before measuring.
  await kiln(chainSpec);
  await raw('rawChain', CHAIN);
  await kiln(fanOutSpec);
  await raw('rawFanOut', FAN_OUT);

  const results = [];
  for (const shape of [
    { name: `chain of ${CHAIN}`, nodes: CHAIN, rounds: ROUNDS.chain, kiln: () => kiln(chainSpec), raw: () => raw('rawChain', CHAIN) },
    { name: `fan-out of ${FAN_OUT}`, nodes: FAN_OUT, rounds: ROUNDS.fanOut, kiln: () => kiln(fanOutSpec), raw: () => raw('rawFanOut', FAN_OUT) },
  ]) {
    const k: number[] = [];
    const r: number[] = [];
    // Alternate so drift in machine load hits both sides alike.
    for (let i = 0; i < shape.rounds; i++) {
      if (i % 2 === 0) {
        k.push(await shape.kiln());
        r.push(await shape.raw());
      } else {
        r.push(await shape.raw());
        k.push(await shape.kiln());
      }
    }
    const kMed = median(k);
    const rMed = median(r);
    results.push({
      shape: shape.name,
      rounds: shape.rounds,
      kilnMsPerNode: kMed / shape.nodes,
      rawMsPerNode: rMed / shape.nodes,
      ratio: kMed / rMed,
      kilnRunsMs: k.map(Math.round),
      rawRunsMs: r.map(Math.round),
    });
  }

  console.log(`\nbench/orchestration — Temporal dev server, ${CONCURRENCY} activity slots per worker, median of rounds`);
  console.log('shape            kiln ms/node   raw ms/node   kiln/raw');
  for (const x of results) {
    console.log(
      `${x.shape.padEnd(16)} ${x.kilnMsPerNode.toFixed(2).padStart(12)} ${x.rawMsPerNode.toFixed(2).padStart(13)} ${x.ratio.toFixed(3).padStart(10)}`,
    );
  }
  const out = join(here, '..', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'orchestration.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));

  await kilnWorkers.shutdown();
  rawWorkflows.shutdown();
  rawActivities.shutdown();
  await running;
  await native.close();
  await connection.close();
  await server.stop();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

await main();
