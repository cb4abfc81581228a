// bench/cluster: Kiln scaled out on this machine (test/cluster/support: Temporal's production server
// on PostgreSQL, MinIO, two `kiln api` replicas on one database, two cpu workers and a gpu worker).
//   throughput  run starts/s and predict req/s through one replica, then through both at once
//               (same total connections): the one-replica figure is the baseline.
//   faults      time for a run to make progress again after each fault: a worker SIGKILLed (its node
//               re-runs elsewhere), the Temporal server restarted, Kiln's PostgreSQL restarted, an
//               API replica SIGKILLed (the other's next answer).
// Machine load (1-minute load average, cores) is printed beside every figure: this machine is shared.
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import autocannon from 'autocannon';
import type { ApiProcess } from '@kiln/test/support/api-process';
import { churnFeatures, churnRows } from '@kiln/test/support/churn-data';
import { startCluster, type Cluster } from '@kiln/test/cluster/support/cluster';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;
const load = () => `load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;

async function call(api: ApiProcess, method: string, path: string, body?: unknown) {
  const res = await api.call(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** Requests/s of one request shape, spread over `apis` (connections split between them). */
async function rate(apis: ApiProcess[], path: string, body: unknown): Promise<{ rps: number; ok: number; other: number }> {
  const results = await Promise.all(
    apis.map((api) =>
      autocannon({
        url: `${api.url}${path}`,
        method: 'POST',
        connections: CONNECTIONS / apis.length,
        duration: DURATION,
        headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    ),
  );
  return {
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    ok: results.reduce((n, r) => n + r['2xx'], 0),
    other: results.reduce((n, r) => n + r.non2xx + r.errors, 0),
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 300_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const nodeOf = async (api: ApiProcess, runId: string, node: string) =>
  (await api.call('GET', `/api/v1/runs/${runId}`)).json?.state?.nodes?.[node] as { status: string; attempts: number } | undefined;

async function faults(c: Cluster) {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-cluster-'));
  const spec = (name: string) => ({
    apiVersion: 'kiln/v1',
    name,
    nodes: [
      { id: 'one', type: 'core.command', params: { command: `echo $PPID > ${dir}/$KILN_RUN_ID; sleep 4` }, heartbeatTimeoutSeconds: 3 },
      { id: 'two', type: 'core.command', params: { command: 'echo two' } },
    ],
    edges: [{ from: 'one', to: 'two' }],
  });
  const id = (await call(c.api(0), 'POST', '/api/v1/pipelines', { spec: spec('bench-faults') })).id as string;
  const start = async () => (await call(c.api(0), 'POST', `/api/v1/pipelines/${id}/runs`, { params: {} })).runId as string;
  const rows: [string, string, string][] = [];

  // A worker SIGKILLed while it runs node one: until attempt 2 runs on another worker.
  {
    const runId = await start();
    const pid = await waitFor('node one to start', async () => Number(readFileSync(join(dir, runId), 'utf8').trim()) || undefined);
    const [name, worker] = [...c.workers].find(([, w]) => w.pid === pid)!;
    const t0 = performance.now();
    worker.kill('SIGKILL');
    await waitFor('attempt 2', async () => (await nodeOf(c.api(1), runId, 'one'))?.attempts === 2);
    rows.push(['worker SIGKILL → node re-running elsewhere', `${((performance.now() - t0) / 1000).toFixed(1)} s`, load()]);
    await c.startWorker(name);
  }
  // Temporal restarted while node one runs: until node two has run.
  {
    const runId = await start();
    await waitFor('node one running', async () => (await nodeOf(c.api(0), runId, 'one'))?.status === 'running');
    const t0 = performance.now();
    await c.temporal.restart();
    const restarted = performance.now();
    await waitFor('node two done', async () => (await nodeOf(c.api(1), runId, 'two'))?.status === 'succeeded');
    rows.push(['Temporal restart → server serving', `${((restarted - t0) / 1000).toFixed(1)} s`, load()]);
    rows.push(['Temporal restart → the run finished', `${((performance.now() - t0) / 1000).toFixed(1)} s (node one: 4 s)`, load()]);
  }
  // Kiln's PostgreSQL down for 3 s: from its restart until both replicas answer reads again.
  {
    await c.kilnPg.down();
    await new Promise((r) => setTimeout(r, 3_000));
    const t0 = performance.now();
    await c.kilnPg.up();
    const up = performance.now();
    await Promise.all(c.apis.map((api) => waitFor('reads', async () => (await api.call('GET', '/api/v1/runs?limit=1')).status === 200)));
    rows.push(['PostgreSQL restart → database accepting', `${((up - t0) / 1000).toFixed(1)} s`, load()]);
    rows.push(['PostgreSQL restart → both replicas answering', `${((performance.now() - t0) / 1000).toFixed(1)} s`, load()]);
  }
  // An API replica SIGKILLed: until the other replica starts a run (it never stopped serving).
  {
    const t0 = performance.now();
    await c.api(1).kill('SIGKILL');
    await call(c.api(0), 'POST', `/api/v1/pipelines/${id}/runs`, { params: {} });
    rows.push(['API replica SIGKILL → a run started on the other', `${((performance.now() - t0) / 1000).toFixed(2)} s`, load()]);
    await c.replaceApi(1);
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

async function main() {
  console.log(`bench/cluster: starting the cluster (${load()})`);
  const c = await startCluster({ workerGraceSeconds: 2 });
  try {
    // A model in production: the churn pipeline, its model registered and deployed.
    const churn = JSON.parse(readFileSync(join(EXAMPLES, 'churn/churn.json'), 'utf8'));
    churn.params.properties.data.default = join(EXAMPLES, 'churn/churn.csv');
    const churnId = (await call(c.api(0), 'POST', '/api/v1/pipelines', { spec: churn })).id;
    const runId = (await call(c.api(0), 'POST', `/api/v1/pipelines/${churnId}/runs`, { params: {} })).runId;
    const run = await c.api(1).settled(runId, 600_000);
    if (run.status !== 'succeeded') throw new Error(`the churn run ended ${run.status}`);
    const version = await call(c.api(1), 'POST', '/api/v1/models/churn/versions', { runId, nodeId: 'train', metricsNodeId: 'evaluate' });
    await call(c.api(0), 'PUT', '/api/v1/deployments/churn', { model: 'churn', version: version.version });
    const row = churnFeatures(churnRows()[0]!);
    for (const api of c.apis) await waitFor('serving', async () => (await api.call('POST', '/api/v1/deployments/churn/predict', { instances: [row] })).status === 200);
    const noop = (await call(c.api(0), 'POST', '/api/v1/pipelines', { spec: { apiVersion: 'kiln/v1', name: 'bench-noop', nodes: [{ id: 'a', type: 'core.noop' }], edges: [] } })).id;

    const table: [string, string, string][] = [];
    for (const [what, path, body] of [
      ['predict (1 row)', '/api/v1/deployments/churn/predict', { instances: [row] }],
      ['run start', `/api/v1/pipelines/${noop}/runs`, { params: {} }],
    ] as const) {
      const one = await rate([c.api(0)], path, body);
      const loadOne = load();
      const two = await rate(c.apis, path, body);
      table.push([`${what}/s, 1 replica`, `${one.rps.toFixed(0)} (${one.ok} ok, ${one.other} other)`, loadOne]);
      table.push([`${what}/s, 2 replicas`, `${two.rps.toFixed(0)} (${two.ok} ok, ${two.other} other) = ${(two.rps / one.rps).toFixed(2)}×`, load()]);
    }
    // Let the started runs drain before timing faults.
    await waitFor('runs drained', async () => ((await c.api(0).call('GET', '/api/v1/runs?status=running&limit=1')).json as unknown[]).length === 0, 900_000);
    table.push(...(await faults(c)));
    const width = Math.max(...table.map((r) => r[0].length));
    console.log(`\nbench/cluster (${DURATION} s per load, ${CONNECTIONS} connections in all)`);
    for (const [what, figure, l] of table) console.log(`${what.padEnd(width)}  ${figure.padEnd(44)}  ${l}`);
  } finally {
    await c.stop();
  }
}

await main();
