// The closed loop on real parts: Temporal, MinIO (artifacts), PostgreSQL (API database), a `kiln api`
// process serving predictions, and workers reaching it with a service token.
// churn-deploy trains, gates against the champion, deploys a canary and promotes it; churn-monitor,
// on a schedule, sees shifted production traffic, and starts churn-deploy by itself (trigger drift),
// which puts a new version into production.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3ArtifactStore } from '@kiln/artifacts';
import { type PostgresServer, startPostgres } from '@kiln/db';
import { type Harness, openHarness, tempDir } from '../support/harness';
import { type ApiProcess, eventually, startApiProcess } from '../support/api-process';
import { type MinioServer, startMinio } from '../support/minio-server';
import { type ChurnRow, churnData, churnFeatures } from '../support/churn-data';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const SERVICE_TOKEN = `kiln_svc_loop_${Math.random().toString(36).slice(2)}`;
const BUCKET = 'kiln-loop';
let minio: MinioServer;
let pg: PostgresServer;
let api: ApiProcess;
let h: Harness;

beforeAll(async () => {
  [minio, pg] = await Promise.all([startMinio(), startPostgres()]);
  const s3 = { S3_ENDPOINT: minio.endpoint, S3_BUCKET: BUCKET, S3_ACCESS_KEY: minio.accessKey, S3_SECRET_KEY: minio.secretKey };
  const address = (await openHarness({ workers: false })).address;
  api = await startApiProcess({ temporalAddress: address, databaseUrl: pg.url, env: { ...s3, KILN_SERVICE_TOKEN: SERVICE_TOKEN } });
  const store = new S3ArtifactStore({ endpoint: minio.endpoint, bucket: BUCKET, accessKey: minio.accessKey, secretKey: minio.secretKey, cacheDir: tempDir() });
  h = await openHarness({ store, api: { url: api.url, token: SERVICE_TOKEN } });
});
afterAll(async () => {
  await h?.close();
  await api?.stop();
  await Promise.all([minio?.stop(), pg?.stop()]);
});


function writeCsv(path: string, data: { header: string[]; rows: ChurnRow[] }) {
  writeFileSync(path, [data.header.join(','), ...data.rows.map((r) => data.header.map((n) => r[n] ?? '').join(','))].join('\n') + '\n');
}


async function runs(pipelineId: string) {
  return (await api.call('GET', `/api/v1/runs?pipelineId=${pipelineId}`)).json as { id: string; status: string; trigger: string }[];
}


it('detects drift in production, retrains by itself, and puts the new version into production', async () => {
  const shiftedCsv = join(tempDir(), 'churn-shifted.csv');
  writeCsv(shiftedCsv, churnData(true));
  const deploySpec = JSON.parse(readFileSync(join(EXAMPLES, 'retrain-loop/churn-deploy.json'), 'utf8'));
  const monitorSpec = JSON.parse(readFileSync(join(EXAMPLES, 'retrain-loop/churn-monitor.json'), 'utf8'));
  // Short waits for a test; the example's defaults are for real traffic.
  deploySpec.params.properties.observeSeconds.default = 3;
  deploySpec.params.properties.data.default = join(EXAMPLES, 'churn/churn.csv');
  monitorSpec.params.properties.minRows.default = 150;
  monitorSpec.params.properties.retrainData.default = shiftedCsv;
  monitorSpec.nodes[0].params.minAccuracy = 0.99;
  const deployId = (await api.call('POST', '/api/v1/pipelines', { spec: deploySpec })).json.id;
  const monitorId = (await api.call('POST', '/api/v1/pipelines', { spec: monitorSpec })).json.id;

  // 1. Pipeline A trains and deploys version 1 (the first version takes all traffic).
  const first = await api.settled((await api.call('POST', `/api/v1/pipelines/${deployId}/runs`, { params: {} })).json.runId);
  expect(first.status, JSON.stringify(first.state.nodes, null, 1).slice(0, 3000)).toBe('succeeded');
  expect(first.state.nodes.gate.outputs.decision.champion).toEqual({ model: 'churn', version: null });
  expect(first.state.nodes.promote.outputs.decision.action).toBe('none');
  expect((await api.call('GET', '/api/v1/deployments/churn')).json).toMatchObject({ primaryVersion: 1, ready: true });

  // 2. Pipeline B runs on a schedule; production traffic now looks different from the training data.
  const schedule = await api.call('POST', `/api/v1/pipelines/${monitorId}/schedules`, { cron: '@every 1h' });
  expect(schedule.status, JSON.stringify(schedule.json)).toBe(201);
  const shifted = churnData(true).rows;
  const feedback: { id: string; label: number }[] = [];
  let correct = 0;
  for (let i = 0; i < 300; i += 10) {
    const batch = shifted.slice(i, i + 10);
    const res = await api.call('POST', '/api/v1/deployments/churn/predict', { instances: batch.map(churnFeatures) });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.modelVersion).toBe(1);
    // Ground truth arrives later for half of them.
    batch.forEach((row, k) => {
      if ((i + k) % 2) return;
      feedback.push({ id: res.json.ids[k], label: row.churned as number });
      if (res.json.predictions[k] === row.churned) correct++;
    });
  }
  expect((await api.call('POST', '/api/v1/deployments/churn/feedback', { items: feedback })).json).toEqual({ accepted: 150 });
  expect((await api.call('POST', `/api/v1/schedules/${schedule.json.id}/trigger`)).status).toBeLessThan(300);

  // 3. B finds drift and starts A with trigger "drift"; A gates v2 against the champion (v1),
  //    deploys it as a canary and promotes it.
  const monitorRun = await eventually(async () => (await runs(monitorId)).find((r) => r.status !== 'running'), 120_000, 'the monitor run');
  const monitored = await api.settled(monitorRun.id);
  expect(monitored.status, JSON.stringify(monitored.state.nodes.monitor)).toBe('succeeded');
  const result = monitored.state.nodes.monitor.outputs.result;
  expect(result.drifted).toBe(true);
  expect(result.figures.driftedFeatures).toEqual(expect.arrayContaining(['monthly_charges', 'tenure_months']));
  expect(result.retrain.pipeline).toBe('churn-deploy');
  expect(result.figures).toMatchObject({ rows: 300, requests: 30, errors: 0, labelled: 150, liveAccuracy: correct / 150 });
  expect(result.reasons.join('\n')).toMatch(/live accuracy .* < 0.99 over 150 labelled predictions/);
  const retrain = await api.settled(result.retrain.runId);
  expect(retrain.trigger).toBe('drift');
  expect(retrain.status, JSON.stringify(retrain.state.nodes, null, 1).slice(0, 3000)).toBe('succeeded');
  expect(retrain.state.nodes.gate.outputs.decision.champion).toEqual({ model: 'churn', version: 1 });
  expect(retrain.state.nodes.deploy.outputs.deployment).toMatchObject({ version: 2, role: 'canary', strategy: 'canary' });
  expect(retrain.state.nodes.promote.outputs.decision.action).toBe('promote');

  // 4. Version 2 is in production and serves; v1 is archived and on standby.
  const deployment = (await api.call('GET', '/api/v1/deployments/churn')).json;
  expect(deployment).toMatchObject({ primaryVersion: 2, standbyVersion: 1, candidateVersion: null, ready: true });
  expect((await api.call('POST', '/api/v1/deployments/churn/predict', { instances: [churnFeatures(shifted[0]!)] })).json.modelVersion).toBe(2);
  const model = (await api.call('GET', '/api/v1/models/churn')).json;
  expect(model.versions.map((v: { version: number; stage: string }) => `${v.version}:${v.stage}`)).toEqual(['1:archived', '2:production']);
  const v2 = (await api.call('GET', '/api/v1/models/churn/versions/2')).json;
  expect(v2.lineage.runId).toBe(retrain.id);
  expect(v2.model.artifact.uri).toMatch(/^s3:\/\/kiln-loop\//);
  const kinds = (await api.call('GET', '/api/v1/deployments/churn/events')).json.map((e: { kind: string }) => e.kind);
  expect(kinds).toEqual(expect.arrayContaining(['rollout', 'drift', 'retrain', 'promote']));

  // 5. One retraining per window: the same deployment, pipeline and window start one run, ever.
  expect((await runs(deployId)).filter((r) => r.trigger === 'drift')).toHaveLength(1);
  const sameWindow = await api.call('POST', '/api/v1/deployments/churn/retrain', { pipelineId: deployId, params: {}, key: result.windowStart });
  expect(sameWindow.json).toEqual({ runId: result.retrain.runId, existing: true });
  expect(kinds.filter((k: string) => k === 'retrain')).toHaveLength(1);
  // The general form: any run start may carry an idempotency key.
  const key = { params: {}, idempotencyKey: 'window-test' };
  const once = (await api.call('POST', `/api/v1/pipelines/${monitorId}/runs`, key)).json;
  const twice = (await api.call('POST', `/api/v1/pipelines/${monitorId}/runs`, key)).json;
  expect(twice).toEqual({ runId: once.runId, existing: true });
  expect((await api.settled(once.runId)).trigger).toBe('api');
});
