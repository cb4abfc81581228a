// bench/api: webhook intake (signed deliveries turned into started runs) and GET /runs/:id latency,
// each beside a bare Fastify hello-world route measured in the same run. Usage: npm run bench:api
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Client, Connection } from '@temporalio/client';
import { signWebhook } from '@kiln/api';
import { freePort } from '@kiln/engine/free-port';
import { startDevServer } from '@kiln/engine/temporal';
import { PIPELINE_WORKFLOW_TYPE, WORKFLOW_TASK_QUEUE } from '@kiln/engine';
import { type PostgresServer, startPostgres } from '@kiln/db';
import { child } from '../support/child';

const here = dirname(fileURLToPath(import.meta.url));
const KILN = join(here, '../../cli/bin/kiln.js');
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;


async function load(opts: autocannon.Options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    other: result.non2xx + result.errors,
  };
}

/** BENCH_DB=postgres runs the API on a PostgreSQL server instead of embedded PGlite. */
const DB = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite';

async function main() {
  const temporal = await startDevServer();
  const postgres: PostgresServer | undefined = DB === 'postgres' ? await startPostgres() : undefined;
  const apiPort = await freePort();
  const helloPort = await freePort();
  const token = 'kiln_bench_admin';
  const children: ChildProcess[] = [];
  try {
    children.push(
      await child([KILN, 'worker', '--queues', 'cpu', '--temporal-address', temporal.address], {}, 'kiln worker: serving'),
    );
    children.push(
      await child(
        [KILN, 'api', '--temporal-address', temporal.address, ...(postgres ? [] : ['--data-dir', mkdtempSync(join(tmpdir(), 'kiln-bench-db-'))])],
        {
          KILN_API_PORT: String(apiPort),
          KILN_ADMIN_TOKEN: token,
          KILN_LOG_LEVEL: 'error',
          KILN_HOOK_RATE: '1000000',
          ...(postgres ? { DATABASE_URL: postgres.url } : {}),
        },
        'listening',
      ),
    );
    children.push(
      await child(['--import', '@swc-node/register/esm-register', join(here, 'hello-server.ts')], { PORT: String(helloPort) }, 'listening'),
    );
    const api = `http://127.0.0.1:${apiPort}`;
    const H = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${api}${path}`, { method, headers: H, ...(body ? { body: JSON.stringify(body) } : {}) });
      return (await res.json()) as Record<string, unknown>;
    };
    const pipeline = await call('POST', '/api/v1/pipelines', {
      spec: {
        apiVersion: 'kiln/v1',
        name: 'bench-hook',
        params: { type: 'object', properties: { n: { type: 'integer' } } },
        nodes: [{ id: 'a', type: 'core.noop' }],
      },
    });
    const hook = await call('POST', `/api/v1/pipelines/${String(pipeline.id)}/webhooks`, { paramMapping: { n: 'n' } });
    const { runId } = (await call('POST', `/api/v1/pipelines/${String(pipeline.id)}/runs`, { params: { n: 0 } })) as { runId: string };
    // Wait for the run to end, so GET /runs/:id reads the stored run.
    for (let i = 0; i < 100 && (await call('GET', `/api/v1/runs/${runId}`)).status === 'running'; i++) await new Promise((r) => setTimeout(r, 200));

    const helloGet = await load({ url: `http://127.0.0.1:${helloPort}/hello` });
    const runGet = await load({ url: `${api}/api/v1/runs/${runId}`, headers: { authorization: `Bearer ${token}` } });

    let seq = 0;
    const body = (n: number) => JSON.stringify({ n });
    const helloPost = await load({
      url: `http://127.0.0.1:${helloPort}/hello`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(1),
    });
    const secret = String(hook.secret);
    const hookUrl = new URL(String(hook.url));
    const intake = await load({
      url: `${api}${hookUrl.pathname}`,
      method: 'POST',
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const id = `msg_${process.pid}_${++seq}`;
            const ts = Math.floor(Date.now() / 1000);
            const b = body(seq);
            return {
              ...req,
              body: b,
              headers: {
                'content-type': 'application/json',
                'webhook-id': id,
                'webhook-timestamp': String(ts),
                'webhook-signature': signWebhook(secret, id, ts, b),
              },
            };
          },
        },
      ],
    });

    // Every accepted delivery is a workflow started on Temporal.
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const { count: started } = await client.workflow.count(`WorkflowId STARTS_WITH "hook-"`);

    // The other ceiling: starting the same workflow straight from a Temporal client, as fast as
    // 16 concurrent callers can.
    const input = { spec: { apiVersion: 'kiln/v1', name: 'bench-hook', nodes: [{ id: 'a', type: 'core.noop' }] }, params: {} };
    const latencies: number[] = [];
    const until = Date.now() + DURATION * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < until) {
          const t = performance.now();
          await client.workflow.start(PIPELINE_WORKFLOW_TYPE, { taskQueue: WORKFLOW_TASK_QUEUE, workflowId: `raw-start-${++n}`, args: [input] });
          latencies.push(performance.now() - t);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const rawStart = {
      rps: latencies.length / DURATION,
      p50: latencies[Math.floor(latencies.length * 0.5)]!,
      p99: latencies[Math.floor(latencies.length * 0.99)]!,
      ok: latencies.length,
      other: 0,
    };
    await connection.close();

    const rows = [
      ['GET hello-world (ceiling)', helloGet],
      ['GET /api/v1/runs/:id', runGet],
      ['POST hello-world (ceiling)', helloPost],
      ['Temporal start, raw client (ceiling)', rawStart],
      ['POST /api/v1/hooks/:id (signed)', intake],
    ] as const;
    console.log(`\nbench/api — ${CONNECTIONS} connections, ${DURATION} s each, database ${DB === 'postgres' ? 'PostgreSQL 15 server' : 'embedded PostgreSQL (PGlite)'}, Temporal dev server, one machine`);
    console.log('route                                  req/s     p50 ms   p99 ms   non-2xx');
    for (const [name, r] of rows) {
      console.log(`${name.padEnd(38)} ${r.rps.toFixed(0).padStart(7)} ${r.p50.toFixed(1).padStart(9)} ${r.p99.toFixed(1).padStart(8)} ${String(r.other).padStart(9)}`);
    }
    console.log(`GET /runs/:id throughput / hello-world: ${(runGet.rps / helloGet.rps).toFixed(3)}`);
    console.log(`webhook intake / hello-world POST:      ${(intake.rps / helloPost.rps).toFixed(3)}`);
    console.log(`webhook intake / raw Temporal starts:   ${(intake.rps / rawStart.rps).toFixed(3)}`);
    console.log(`deliveries accepted: ${intake.ok}; runs started on Temporal: ${started} (${(intake.ok / DURATION).toFixed(0)} runs/s)`);
    const out = join(here, '..', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `api-${DB}.json`), JSON.stringify({ at: new Date().toISOString(), rows, started }, null, 2));
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await temporal.stop();
    await postgres?.stop();
  }
}

await main();
