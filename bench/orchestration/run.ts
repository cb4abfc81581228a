// bench/orchestration: per-node overhead of Kiln's DAG workflow beside a hand-written Temporal workflow
// of the same shape (same server, same run) and beside Prefect 3 on its ephemeral server, in
// interleaved rounds, median reported with the machine's load average. Two columns of servers: the
// Temporal dev server and the production server (built temporal-server on PostgreSQL, as
// test/cluster runs it). Usage: npm run orchestration -w @kiln/bench [-- --servers dev,production
// --chain-rounds 7 --fan-rounds 5 --no-prefect]
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import type { PipelineSpec } from '@kiln/engine';
import { awaitRun, startDevServer, startRun } from '@kiln/engine/temporal';
import { ensurePythonVenv, venvPython } from '@kiln/engine/python-venv';
import { catalog } from '@kiln/nodes';
import { createWorkers } from '@kiln/worker';
import { startPostgres } from '@kiln/db';
import { startTemporalServer } from '@kiln/test/cluster/support/temporal-server';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const CONCURRENCY = 100;
const CHAIN = 40;
const FAN_OUT = 1000;
const PREFECT = 'prefect==3.9.1';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'dev,production' },
    'chain-rounds': { type: 'string', default: '7' },
    'fan-rounds': { type: 'string', default: '5' },
    'no-prefect': { type: 'boolean', default: false },
  },
});
const ROUNDS = { chain: Number(values['chain-rounds']), fanOut: Number(values['fan-rounds']) };

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

/** The Prefect peer: one long-lived Python process (its ephemeral server stays warm), a shape a line. */
async function startPrefect(): Promise<{ run(shape: 'chain' | 'fan', n: number): Promise<number>; stop(): Promise<void> }> {
  const venv = await ensurePythonVenv({ name: 'prefect-venv', requirements: [PREFECT], log: console.log });
  const home = mkdtempSync(join(tmpdir(), 'kiln-bench-prefect-'));
  const child: ChildProcessWithoutNullStreams = spawn(venvPython(venv), [join(here, 'prefect_peer.py')], {
    // Its own process group: the ephemeral server is a subprocess of the peer, stopped with it.
    detached: true,
    env: {
      ...process.env,
      PREFECT_HOME: home,
      PREFECT_API_URL: '',
      PREFECT_SERVER_ANALYTICS_ENABLED: 'false',
      PREFECT_LOGGING_LEVEL: 'ERROR',
      PREFECT_LOGGING_TO_API_ENABLED: 'false',
      // Its server starts in a subprocess; on a loaded machine that can outlast the 20 s default.
      PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: '180',
    },
  });
  let stderr = '';
  // Prefect logs its server's shutdown noise to stderr; keep the tail for errors only.
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run(shape, n) {
      child.stdin.write(`${shape} ${n}\n`);
      const next = await lines.next();
      if (next.done) throw new Error(`the Prefect peer exited: ${stderr}`);
      return Number(next.value);
    },
    // End of input lets the peer exit and Prefect stop its server; whatever outlives 15 s is killed
    // as a group (a SIGTERM to the peer alone left the server's uvicorn running).
    async stop() {
      const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      child.stdin.end();
      const timer = setTimeout(() => killGroup(child.pid, 'SIGTERM'), 15_000);
      await exited;
      clearTimeout(timer);
      killGroup(child.pid, 'SIGKILL');
    },
  };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid) process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

interface Target {
  name: string;
  address: string;
  stop(): Promise<void>;
}

async function devTarget(): Promise<Target> {
  const server = await startDevServer();
  return { name: 'dev server', address: server.address, stop: () => server.stop() };
}

async function productionTarget(): Promise<Target> {
  const pg = await startPostgres();
  const server = await startTemporalServer(pg.url);
  return {
    name: 'production',
    address: server.address,
    async stop() {
      await server.stop();
      await pg.stop();
    },
  };
}

interface Row {
  server: string;
  shape: string;
  kilnMsPerNode: number;
  rawMsPerNode: number;
  prefectMsPerNode?: number;
  load: number;
  kilnRunsMs: number[];
  rawRunsMs: number[];
  prefectRunsMs?: number[];
}

async function measure(target: Target, prefect: Awaited<ReturnType<typeof startPrefect>> | undefined): Promise<Row[]> {
  const connection = await Connection.connect({ address: target.address });
  const client = new Client({ connection });
  const kilnWorkers = await createWorkers({ temporal: { address: target.address }, queues: ['cpu'], concurrency: CONCURRENCY, logLevel: 'ERROR' });
  const native = await NativeConnection.connect({ address: target.address });
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
  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const kiln = (spec: PipelineSpec) =>
    timed(async () => {
      const state = await awaitRun(await startRun(client, { spec, params: {}, catalog }));
      if (state.status !== 'succeeded') throw new Error(`kiln run ${state.runId} ${state.status}`);
    });
  const raw = (workflow: 'rawChain' | 'rawFanOut', n: number) =>
    timed(() => client.workflow.execute(workflow, { taskQueue: 'raw-workflows', workflowId: `raw-${seq++}-${Date.now()}`, args: [n] }));

  // Warm up every path (worker caches, JIT, the Prefect server) before measuring.
  await kiln(chainSpec);
  await raw('rawChain', CHAIN);
  await kiln(fanOutSpec);
  await raw('rawFanOut', FAN_OUT);
  if (prefect) await prefect.run('chain', CHAIN);

  const rows: Row[] = [];
  for (const shape of [
    { name: `chain of ${CHAIN}`, nodes: CHAIN, rounds: ROUNDS.chain, kiln: () => kiln(chainSpec), raw: () => raw('rawChain', CHAIN), prefect: () => prefect!.run('chain', CHAIN) },
    { name: `fan-out of ${FAN_OUT}`, nodes: FAN_OUT, rounds: ROUNDS.fanOut, kiln: () => kiln(fanOutSpec), raw: () => raw('rawFanOut', FAN_OUT), prefect: () => prefect!.run('fan', FAN_OUT) },
  ]) {
    const k: number[] = [];
    const r: number[] = [];
    const p: number[] = [];
    const loads: number[] = [];
    // Rotate the order each round so drift in machine load hits every side alike.
    const sides = [() => shape.kiln().then((ms) => k.push(ms)), () => shape.raw().then((ms) => r.push(ms))];
    if (prefect) sides.push(() => shape.prefect().then((ms) => p.push(ms)));
    for (let i = 0; i < shape.rounds; i++) {
      for (let j = 0; j < sides.length; j++) await sides[(i + j) % sides.length]!();
      loads.push(loadavg()[0]!);
    }
    rows.push({
      server: target.name,
      shape: shape.name,
      kilnMsPerNode: median(k) / shape.nodes,
      rawMsPerNode: median(r) / shape.nodes,
      ...(prefect ? { prefectMsPerNode: median(p) / shape.nodes, prefectRunsMs: p.map(Math.round) } : {}),
      load: median(loads),
      kilnRunsMs: k.map(Math.round),
      rawRunsMs: r.map(Math.round),
    });
  }
  await kilnWorkers.shutdown();
  rawWorkflows.shutdown();
  rawActivities.shutdown();
  await running;
  await native.close();
  await connection.close();
  return rows;
}

async function main() {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const prefect = values['no-prefect'] ? undefined : await startPrefect();
  const rows: Row[] = [];
  try {
    for (const name of values.servers.split(',')) {
      const target = name === 'production' ? await productionTarget() : await devTarget();
      try {
        // Prefect does not use Temporal: it is measured once, beside the first server.
        rows.push(...(await measure(target, rows.length === 0 ? prefect : undefined)));
      } finally {
        await target.stop();
      }
    }
  } finally {
    await prefect?.stop();
  }

  console.log(`\nbench/orchestration — ${CONCURRENCY} activity slots per worker, median of interleaved rounds, 2-core machine shared with other work`);
  console.log('server       shape            kiln ms/node   raw ms/node  prefect ms/node   kiln/raw  prefect/kiln  load avg (1 min)');
  for (const x of rows) {
    const prefectCol = x.prefectMsPerNode === undefined ? '—' : x.prefectMsPerNode.toFixed(2);
    const vsPrefect = x.prefectMsPerNode === undefined ? '—' : (x.prefectMsPerNode / x.kilnMsPerNode).toFixed(2);
    console.log(
      `${x.server.padEnd(12)} ${x.shape.padEnd(16)} ${x.kilnMsPerNode.toFixed(2).padStart(12)} ${x.rawMsPerNode.toFixed(2).padStart(13)} ` +
        `${prefectCol.padStart(16)} ${(x.kilnMsPerNode / x.rawMsPerNode).toFixed(3).padStart(10)} ${vsPrefect.padStart(13)} ${x.load.toFixed(1).padStart(17)}`,
    );
  }
  const out = join(here, '..', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'orchestration.json'), JSON.stringify({ at: new Date().toISOString(), prefect: PREFECT, rows }, null, 2));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

await main();
// The SDK's native runtime keeps the event loop alive after every worker and connection closed.
process.exit(0);
