// Kiln as a team runs it: Temporal's production server (built from the Go module proxy) on
// PostgreSQL with SQL visibility, two `kiln api` replicas on one database and one MinIO bucket,
// two `cpu` workers and a `gpu` worker, all separate processes. Clients alternate between the
// replicas. Then faults under load: a replica SIGKILLed, a worker SIGKILLed, a worker stopped by
// SIGTERM, Temporal restarted, Kiln's PostgreSQL restarted.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signWebhook } from '@kiln/api';
import { eventually } from '../support/api-process';
import { churnData, churnFeatures } from '../support/churn-data';
import { tempDir } from '../support/harness';
import { type Cluster, startCluster } from './support/cluster';
import { followRun, followRunAcross, tryCall } from './support/client';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ workerGraceSeconds: 2 });
}, 600_000);
afterAll(async () => {
  await c?.stop();
});

const json = (path: string) => JSON.parse(readFileSync(join(EXAMPLES, path), 'utf8'));
const tiny = (name: string, command: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'kiln/v1',
  name,
  params: { type: 'object', properties: { tag: { type: 'string', default: 'x' } } },
  nodes: [{ id: 'work', type: 'core.command', params: { command, env: { TAG: { $param: 'tag' } } }, ...extra }],
  edges: [],
});

async function createPipeline(spec: unknown, replica = 0): Promise<string> {
  const res = await c.api(replica).call('POST', '/api/v1/pipelines', { spec });
  if (res.status !== 201) throw new Error(`pipeline not created: ${JSON.stringify(res.json)}`);
  return res.json.id;
}

it('both replicas started together on a fresh database: migrated once, one admin token, both serve', async () => {
  for (const api of c.apis) expect((await api.call('GET', '/api/v1/pipelines')).status).toBe(200);
  const tokens = (await c.api(1).call('GET', '/api/v1/tokens')).json as { name: string }[];
  expect(tokens.filter((t) => t.name === 'admin (KILN_ADMIN_TOKEN)')).toHaveLength(1);
});

it('runs the churn pipeline to the end: started on one replica, followed (SSE) and read on the other, trained on the gpu worker', async () => {
  const spec = json('churn/churn.json');
  spec.params.properties.data.default = join(EXAMPLES, 'churn/churn.csv');
  spec.nodes.find((n: { id: string }) => n.id === 'train').resources = { gpu: 1 };
  const id = await createPipeline(spec, 0);
  const started = await c.api(1).call('POST', `/api/v1/pipelines/${id}/runs`, { params: {}, idempotencyKey: 'churn-1' });
  expect(started.status, JSON.stringify(started.json)).toBe(201);
  const { runId } = started.json;
  // The same key through the other replica answers with the same run.
  expect((await c.api(0).call('POST', `/api/v1/pipelines/${id}/runs`, { params: {}, idempotencyKey: 'churn-1' })).json).toEqual({ runId, existing: true });
  const [stream] = await Promise.all([
    followRun(c.api(0), runId),
    (async () => {
      for (let i = 0; ; i++) {
        const run = (await c.api(i).call('GET', `/api/v1/runs/${runId}`)).json;
        expect(run.id).toBe(runId);
        if (run.status !== 'running') return;
        await new Promise((r) => setTimeout(r, 500));
      }
    })(),
  ]);
  expect(stream.ended).toBe(true);
  expect(stream.events.at(-1)).toEqual({ event: 'end', data: { runId, status: 'succeeded' } });
  const trained = stream.events.filter((e) => e.event === 'node' && e.data.nodeId === 'train').map((e) => e.data.status);
  expect(trained).toContain('succeeded');
  const run = await c.api(1).settled(runId);
  expect(run.status, JSON.stringify(run.state?.nodes).slice(0, 2000)).toBe('succeeded');
  expect(run.state.nodes.train.queue).toBe('gpu');
  expect(run.state.nodes.ingest.queue).toBe('cpu');
}, 300_000);

it('takes a webhook delivery once when it reaches both replicas at the same time', async () => {
  const id = await createPipeline(tiny('cluster-hook', 'echo "$TAG"'));
  const hook = (await c.api(0).call('POST', `/api/v1/pipelines/${id}/webhooks`, { paramMapping: { tag: 'tag' } })).json;
  const path = new URL(hook.url).pathname;
  const body = JSON.stringify({ tag: 'both' });
  const ts = Math.floor(Date.now() / 1000);
  const headers = { 'content-type': 'application/json', 'webhook-id': 'msg_cluster_1', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(hook.secret, 'msg_cluster_1', ts, body) };
  const answers = await Promise.all(
    [0, 1, 0, 1].map(async (i) => {
      const res = await fetch(`${c.api(i).url}${path}`, { method: 'POST', headers, body });
      return { status: res.status, json: (await res.json()) as { runId: string; duplicate?: boolean } };
    }),
  );
  expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
  expect(new Set(answers.map((a) => a.json.runId)).size).toBe(1);
  expect(answers.filter((a) => !a.json.duplicate)).toHaveLength(1);
  const runs = (await c.api(1).call('GET', `/api/v1/runs?pipelineId=${id}`)).json as { id: string; trigger: string }[];
  expect(runs.map((r) => r.trigger)).toEqual(['webhook']);
  expect((await c.api(0).settled(runs[0]!.id)).state.nodes.work.outputs.stdout).toBe('both\n');
});


it('closes the retrain loop with predictions, feedback and reads alternating between replicas', async () => {
  const shiftedCsv = join(tempDir(), 'churn-shifted.csv');
  const shiftedData = churnData(true);
  writeFileSync(shiftedCsv, [shiftedData.header.join(','), ...shiftedData.rows.map((r) => shiftedData.header.map((n) => r[n] ?? '').join(','))].join('\n') + '\n');
  const deploySpec = json('retrain-loop/churn-deploy.json');
  const monitorSpec = json('retrain-loop/churn-monitor.json');
  deploySpec.params.properties.observeSeconds.default = 3;
  deploySpec.params.properties.data.default = join(EXAMPLES, 'churn/churn.csv');
  monitorSpec.params.properties.minRows.default = 150;
  monitorSpec.params.properties.retrainData.default = shiftedCsv;
  monitorSpec.nodes[0].params.minAccuracy = 0.99;
  const deployId = await createPipeline(deploySpec, 0);
  const monitorId = await createPipeline(monitorSpec, 1);

  // 1. Version 1 goes into production; both replicas serve it.
  const first = await c.api(1).settled((await c.api(0).call('POST', `/api/v1/pipelines/${deployId}/runs`, { params: {} })).json.runId, 300_000);
  expect(first.status, JSON.stringify(first.state?.nodes).slice(0, 2000)).toBe('succeeded');
  const shifted = shiftedData.rows;

  // 2. Traffic alternates between replicas (each serves v1: the one that did not roll it out loads
  //    it on its first request); the logs of both are visible at once, from either.
  const since = new Date().toISOString();
  const feedback: { id: string; label: number }[] = [];
  for (let i = 0; i < 300; i += 10) {
    const batch = shifted.slice(i, i + 10);
    const res = await c.api(i / 10).call('POST', '/api/v1/deployments/churn/predict', { instances: batch.map(churnFeatures) });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.modelVersion).toBe(1);
    batch.forEach((row, k) => (i + k) % 2 || feedback.push({ id: res.json.ids[k], label: row.churned as number }));
  }
  const logs = (await c.api(0).call('GET', `/api/v1/deployments/churn/logs?since=${encodeURIComponent(since)}`)).json as { requests: number }[];
  expect(logs.reduce((n, l) => n + l.requests, 0)).toBe(30);
  expect((await c.api(1).call('POST', '/api/v1/deployments/churn/feedback', { items: feedback })).json).toEqual({ accepted: 150 });

  // 3. The monitor (started through replica 1) finds drift and retrains; the canary is promoted.
  const monitored = await c.api(0).settled((await c.api(1).call('POST', `/api/v1/pipelines/${monitorId}/runs`, { params: {} })).json.runId, 300_000);
  expect(monitored.status, JSON.stringify(monitored.state?.nodes?.monitor)).toBe('succeeded');
  const result = monitored.state.nodes.monitor.outputs.result;
  expect(result.drifted).toBe(true);
  expect(result.figures).toMatchObject({ rows: 300, requests: 30, errors: 0, labelled: 150 });
  const retrain = await c.api(1).settled(result.retrain.runId, 300_000);
  expect(retrain.trigger).toBe('drift');
  expect(retrain.status, JSON.stringify(retrain.state?.nodes).slice(0, 2000)).toBe('succeeded');
  expect(retrain.state.nodes.promote.outputs.decision.action).toBe('promote');

  // 4. Every replica follows the rollout: version 2 answers everywhere.
  for (const api of c.apis) {
    await eventually(async () => (await api.call('POST', '/api/v1/deployments/churn/predict', { instances: [churnFeatures(shifted[1]!)] })).json.modelVersion === 2, 30_000, 'v2 on every replica');
  }
  expect((await c.api(1).call('GET', '/api/v1/deployments/churn')).json).toMatchObject({ primaryVersion: 2, standbyVersion: 1, candidateVersion: null });
}, 900_000);

it('loses no accepted run start when a replica is SIGKILLed under load; the other answers', async () => {
  const id = await createPipeline(tiny('cluster-load', 'echo "$TAG"'));
  const accepted = new Map<string, string>();
  const refused: string[] = [];
  const victim = c.api(1);
  const starts = Array.from({ length: 40 }, (_, k) => async () => {
    const key = `load-${k}`;
    const res = await tryCall(c.api(k), 'POST', `/api/v1/pipelines/${id}/runs`, { params: { tag: key }, idempotencyKey: key });
    if ('status' in res && res.status === 201) accepted.set(key, res.json.runId);
    else refused.push(key);
  });
  const load = (async () => {
    for (let k = 0; k < starts.length; k += 4) await Promise.all(starts.slice(k, k + 4).map((f) => f()));
  })();
  await eventually(async () => accepted.size >= 8, 60_000, 'load under way');
  expect(await victim.kill('SIGKILL')).toBeNull();
  await load;
  expect(refused.length).toBeGreaterThan(0);
  // A client retries what was refused through the replica that is left, with the same keys.
  for (const key of refused) {
    const res = await c.api(0).call('POST', `/api/v1/pipelines/${id}/runs`, { params: { tag: key }, idempotencyKey: key });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    accepted.set(key, res.json.runId);
  }
  // Every accepted start ran, exactly once per key, and the surviving replica knows each of them.
  for (const [key, runId] of accepted) {
    const run = await c.api(0).settled(runId, 120_000);
    expect(run.status).toBe('succeeded');
    expect(run.state.nodes.work.outputs.stdout).toBe(`${key}\n`);
  }
  const runs = (await c.api(0).call('GET', `/api/v1/runs?pipelineId=${id}&limit=1000`)).json as { id: string }[];
  expect(runs).toHaveLength(40);
  await c.replaceApi(1);
}, 600_000);

it('re-runs the nodes of a SIGKILLed worker elsewhere; a SIGTERMed worker hands its node back after the grace period', async () => {
  const dir = tempDir();
  // User code runs as an unprivileged user on these (root) workers: it may write here.
  chmodSync(dir, 0o777);
  // The node writes its worker's pid (its shell's parent), then runs long enough to be caught.
  const command = `echo $PPID >> ${dir}/$TAG-$KILN_ATTEMPT; sleep 6; echo done`;
  const id = await createPipeline(tiny('cluster-worker-fault', command, { heartbeatTimeoutSeconds: 3 }));
  for (const [tag, signal] of [
    ['kill', 'SIGKILL'],
    ['term', 'SIGTERM'],
  ] as const) {
    const runId = (await c.api(0).call('POST', `/api/v1/pipelines/${id}/runs`, { params: { tag } })).json.runId;
    const pidFile = join(dir, `${tag}-1`);
    await eventually(async () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 60_000, 'the node to start');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const [name, worker] = [...c.workers].find(([, w]) => w.pid === pid)!;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill(signal);
    await exited;
    const run = await c.api(1).settled(runId, 120_000);
    expect(run.status, JSON.stringify(run.state?.nodes)).toBe('succeeded');
    expect(run.state.nodes.work).toMatchObject({ status: 'succeeded', attempts: 2, outputs: { stdout: 'done\n' } });
    expect(Number(readFileSync(join(dir, `${tag}-2`), 'utf8').trim())).not.toBe(pid);
    await c.startWorker(name);
  }
}, 300_000);

it('resumes runs when the Temporal server restarts; their event streams carry on', async () => {
  const id = await createPipeline(
    { ...tiny('cluster-temporal-restart', 'sleep 3; echo one'), nodes: [{ id: 'one', type: 'core.command', params: { command: 'sleep 3; echo one' } }, { id: 'two', type: 'core.command', params: { command: 'echo two' } }], edges: [{ from: 'one', to: 'two' }] },
  );
  const runId = (await c.api(0).call('POST', `/api/v1/pipelines/${id}/runs`, { params: {} })).json.runId;
  const events = followRunAcross(() => c.apis, runId);
  await eventually(async () => (await c.api(1).call('GET', `/api/v1/runs/${runId}`)).json.state?.nodes?.one?.status === 'running', 60_000, 'node one running');
  await c.temporal.restart();
  const run = await c.api(1).settled(runId, 180_000);
  expect(run.status, JSON.stringify(run.state?.nodes)).toBe('succeeded');
  expect(run.state.nodes.two.outputs.stdout).toBe('two\n');
  expect((await events).at(-1)).toEqual({ event: 'end', data: { runId, status: 'succeeded' } });
  // New runs start through both replicas again.
  for (const api of c.apis) expect((await api.call('POST', `/api/v1/pipelines/${id}/runs`, { params: {} })).status).toBe(201);
}, 300_000);

it('answers 503 without a crash while Kiln’s PostgreSQL is down, then recovers on every replica', async () => {
  const id = await createPipeline(tiny('cluster-db-restart', 'echo "$TAG"'));
  await c.kilnPg.down();
  const during = await Promise.all(c.apis.map((api) => tryCall(api, 'GET', `/api/v1/runs?pipelineId=${id}`)));
  for (const answer of during) {
    // The replica is alive and says the database is down (503), no hang and no crash.
    expect('status' in answer ? answer.status : answer.error).toBe(503);
  }
  for (const api of c.apis) expect(await Promise.race([api.exited, new Promise((r) => setTimeout(() => r('alive'), 100))])).toBe('alive');
  await c.kilnPg.up();
  for (const api of c.apis) await eventually(async () => (await tryCall(api, 'GET', `/api/v1/runs?pipelineId=${id}`) as { status?: number }).status === 200, 60_000, 'recovery');
  const runId = (await c.api(1).call('POST', `/api/v1/pipelines/${id}/runs`, { params: { tag: 'after' } })).json.runId;
  expect((await c.api(0).settled(runId)).state.nodes.work.outputs.stdout).toBe('after\n');
}, 300_000);

it('stops a replica gracefully on SIGTERM: event streams end, a request under way finishes, new ones are refused, exit 0', async () => {
  const api = c.api(1);
  const id = await createPipeline(tiny('cluster-sigterm', 'sleep 5; echo "$TAG"'));
  const runId = (await api.call('POST', `/api/v1/pipelines/${id}/runs`, { params: { tag: 'term' } })).json.runId;
  const stream = followRun(api, runId);
  // A request under way: its headers are in, its body still coming.
  const body = JSON.stringify({ spec: tiny('cluster-sigterm-slow', 'true') });
  const req = request(`${api.url}/api/v1/pipelines`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const answer = new Promise<{ status: number; connection?: string }>((resolve, reject) => {
    req.on('response', (r) => {
      r.resume();
      r.on('end', () => resolve({ status: r.statusCode!, ...(r.headers.connection ? { connection: r.headers.connection } : {}) }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 10));
  await new Promise((r) => setTimeout(r, 500));
  const exited = api.kill('SIGTERM');
  // The stream ends without `end` (its client reconnects elsewhere); new connections are refused.
  expect((await stream).ended).toBe(false);
  await eventually(async () => {
    const r = await tryCall(api, 'GET', '/api/v1/pipelines');
    return 'error' in r && /ECONNREFUSED/.test(r.error);
  }, 30_000, 'new connections refused');
  req.end(body.slice(10));
  expect(await answer).toEqual({ status: 201, connection: 'close' });
  expect(await exited).toBe(0);
  // The run goes on; the other replica follows it to the end.
  expect((await followRun(c.api(0), runId)).events.at(-1)).toEqual({ event: 'end', data: { runId, status: 'succeeded' } });
  await c.replaceApi(1);
}, 120_000);
