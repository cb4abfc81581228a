// Deployments through a real `kiln api`: strategies, serving, bad requests, corrupted artifacts,
// feedback, logs and metrics. Models come from real churn runs on the test's Temporal server.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, openHarness } from '../support/harness';
import { type ApiProcess, eventually, startApiProcess } from '../support/api-process';
import { churnFeatures, churnRows } from '../support/churn-data';

const CHURN = resolve(import.meta.dirname, '../../examples/churn');
const SERVICE_TOKEN = `kiln_svc_test_${Math.random().toString(36).slice(2)}`;
let h: Harness;
let api: ApiProcess;
let viewer: string;
let rows: Record<string, unknown>[];

beforeAll(async () => {
  api = await startApiProcess({ temporalAddress: (await openHarness({ workers: false })).address, env: { KILN_SERVICE_TOKEN: SERVICE_TOKEN } });
  h = await openHarness({ artifactsDir: api.artifactsDir, api: { url: api.url, token: SERVICE_TOKEN } });
  viewer = (await api.call('POST', '/api/v1/tokens', { name: 'client', role: 'viewer' })).json.token;
  rows = churnRows().slice(0, 300).map(churnFeatures);
});
afterAll(async () => {
  await h?.close();
  await api?.stop();
});


/** The churn pipeline with a deploy.model node at its end. */
function deploySpec(name: string, deployment: string, strategy: string) {
  const churn = JSON.parse(readFileSync(join(CHURN, 'churn.json'), 'utf8'));
  churn.name = name;
  churn.nodes.push({ id: 'deploy', type: 'deploy.model', params: { deployment, model: 'churn', strategy, canaryPercent: 50 } });
  churn.edges.push({ from: 'gate', to: 'deploy' }, { from: 'train.model', to: 'deploy.model' }, { from: 'evaluate.metrics', to: 'deploy.metrics' }, { from: 'featurize.train', to: 'deploy.data' });
  return churn;
}

const predict = (name: string, instances: unknown, token: string | null = viewer) => api.call('POST', `/api/v1/deployments/${name}/predict`, { instances }, token);

it('deploys from a pipeline, serves predictions, and rolls versions by strategy', async () => {
  const pid = (await api.call('POST', '/api/v1/pipelines', { spec: deploySpec('churn-deploy', 'churn', 'replace') })).json.id;
  const run = await api.runToEnd(pid, { data: join(CHURN, 'churn.csv') });
  expect(run.status, JSON.stringify(run.state.nodes.deploy)).toBe('succeeded');
  expect(run.state.nodes.deploy.outputs.deployment).toEqual({ name: 'churn', model: 'churn', version: 1, strategy: 'replace', role: 'primary' });

  const first = await predict('churn', rows.slice(0, 3));
  expect(first.status, JSON.stringify(first.json)).toBe(200);
  expect(first.json.modelVersion).toBe(1);
  expect(first.json.predictions).toHaveLength(3);
  expect(first.json.probabilities[0]).toHaveLength(2);
  expect(first.json.ids).toHaveLength(3);
  const v1 = (await api.call('GET', '/api/v1/models/churn/versions/1')).json;
  expect(v1.stage).toBe('production');
  expect(v1.reference.rowCount).toBeGreaterThan(1000);
  expect(v1.lineage.runId).toBe(run.id);

  // v2 by hand from the same run's model, as a canary taking half the traffic.
  const reg = await api.call('POST', '/api/v1/models/churn/versions', { runId: run.id, nodeId: 'train', metricsNodeId: 'evaluate' });
  expect(reg.status).toBe(201);
  // Registered from a finished run, the drift reference is the dataset that fed the trainer's `train` input.
  expect(reg.json.reference.artifact.digest).toBe(run.state.nodes.featurize.outputs.train.artifact.digest);
  const canary = await api.call('PUT', '/api/v1/deployments/churn', { model: 'churn', version: 2, strategy: 'canary', canaryPercent: 50 });
  expect(canary.status, JSON.stringify(canary.json)).toBe(200);
  expect(canary.json).toMatchObject({ primaryVersion: 1, candidateVersion: 2, candidateMode: 'canary', canaryPercent: 50 });
  const seen = new Set<number>();
  for (let i = 0; i < 40; i++) seen.add((await predict('churn', [rows[i]])).json.modelVersion);
  expect([...seen].sort()).toEqual([1, 2]);
  expect((await api.call('GET', '/api/v1/models/churn/versions/2')).json.stage).toBe('staging');

  const promoted = await api.call('POST', '/api/v1/deployments/churn/promote');
  expect(promoted.json).toMatchObject({ primaryVersion: 2, standbyVersion: 1, candidateVersion: null });
  expect((await predict('churn', [rows[0]])).json.modelVersion).toBe(2);
  const back = await api.call('POST', '/api/v1/deployments/churn/rollback', { reason: 'testing' });
  expect(back.json).toMatchObject({ primaryVersion: 1, standbyVersion: null });
  expect((await predict('churn', [rows[0]])).json.modelVersion).toBe(1);
  expect((await api.call('GET', '/api/v1/models/churn/versions/1')).json.stage).toBe('production');

  // Shadow: version 2 sees every request, answers are logged, clients only ever see version 1.
  expect((await api.call('PUT', '/api/v1/deployments/churn', { model: 'churn', version: 2, strategy: 'shadow' })).json.candidateMode).toBe('shadow');
  for (let i = 0; i < 10; i++) expect((await predict('churn', [rows[i]])).json.modelVersion).toBe(1);
  const logs = await eventually(async () => {
    const chunks = (await api.call('GET', '/api/v1/deployments/churn/logs')).json as { rows: number; artifact: { digest: string } }[];
    return chunks.reduce((s, c) => s + c.rows, 0) >= 60 ? chunks : undefined;
  }, 20_000, 'logged predictions');
  expect(logs.length).toBeGreaterThan(0);
  const roles = new Set<string>();
  for (const chunk of logs) {
    const body = (await api.call('GET', `/api/v1/artifacts/${chunk.artifact.digest}`)).json;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    for (const line of text.trim().split('\n')) if (line) roles.add(JSON.parse(line).role);
  }
  expect([...roles].sort()).toEqual(['canary', 'primary', 'shadow']);

  // Swaps under load drop nothing: requests keep flowing while versions change underneath them.
  let swapping = true;
  const statuses: number[] = [];
  const load = (async () => {
    while (swapping) {
      const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => predict('churn', [rows[i]])));
      statuses.push(...burst.map((r) => r.status));
    }
  })();
  for (const strategy of ['replace', 'blue-green', 'replace']) {
    const version = strategy === 'blue-green' ? 1 : 2;
    expect((await api.call('PUT', '/api/v1/deployments/churn', { model: 'churn', version, strategy })).status).toBe(200);
  }
  swapping = false;
  await load;
  expect(statuses.length).toBeGreaterThan(8);
  expect(new Set(statuses)).toEqual(new Set([200]));

  // Blue-green: switch, and back at once to the standby.
  expect((await api.call('PUT', '/api/v1/deployments/churn', { model: 'churn', version: 1, strategy: 'replace' })).status).toBe(200);
  const bg = await api.call('PUT', '/api/v1/deployments/churn', { model: 'churn', version: 2, strategy: 'blue-green' });
  expect(bg.json).toMatchObject({ primaryVersion: 2, standbyVersion: 1, candidateVersion: null });
  expect((await api.call('POST', '/api/v1/deployments/churn/rollback')).json.primaryVersion).toBe(1);

  // Feedback for logged predictions, metrics per deployment and version.
  const ids = first.json.ids as string[];
  const fb = await api.call('POST', '/api/v1/deployments/churn/feedback', { items: ids.map((id, i) => ({ id, label: i % 2 })) }, viewer);
  expect(fb.json).toEqual({ accepted: 3 });
  expect((await api.call('GET', '/api/v1/deployments/churn/feedback')).json).toHaveLength(3);
  const metrics = (await api.call('GET', '/metrics')).json as string;
  expect(metrics).toMatch(/kiln_predict_duration_seconds_count\{deployment="churn",version="1",role="primary"\} \d+/);
  expect(metrics).toMatch(/kiln_predict_duration_seconds_count\{deployment="churn",version="2",role="shadow"\} \d+/);
  const stats = (await api.call('GET', '/api/v1/deployments/churn/stats')).json as { version: number; role: string; requests: number; p99Ms: number }[];
  expect(stats.filter((s) => s.role === 'shadow').reduce((n, s) => n + s.requests, 0)).toBeGreaterThanOrEqual(10);
  expect(stats.find((s) => s.version === 1 && s.role === 'primary')!.p99Ms).toBeGreaterThan(0);
  const events = (await api.call('GET', '/api/v1/deployments/churn/events')).json.map((e: { kind: string }) => e.kind);
  expect(events).toEqual(expect.arrayContaining(['rollout', 'promote', 'rollback']));
  const audit = (await api.call('GET', '/api/v1/audit?limit=200')).json.map((a: { action: string }) => a.action);
  expect(audit).toEqual(expect.arrayContaining(['deployment.rollout', 'deployment.promote', 'deployment.rollback', 'model.register']));
});

it('fails a deploy.model node with the API’s reason when the rollout is refused', async () => {
  const wrong = deploySpec('churn-wrong-model', 'churn', 'replace');
  wrong.nodes.find((n: { id: string }) => n.id === 'deploy').params.model = 'another-model';
  const run = await api.runToEnd((await api.call('POST', '/api/v1/pipelines', { spec: wrong })).json.id, { data: join(CHURN, 'churn.csv') });
  expect(run.status).toBe('failed');
  expect(run.state.nodes.deploy.status).toBe('failed');
  expect(run.state.nodes.deploy.attempts).toBe(1);
  expect(run.state.nodes.deploy.error.message).toMatch(/409: deployment "churn" serves model "churn", not "another-model"/);
  expect((await api.call('GET', '/api/v1/deployments/churn')).json.primaryVersion).toBe(1);
});

it('answers bad predict requests with 400 naming the column, and 404/503 when nothing can serve', async () => {
  const good = rows[0]!;
  const missing = await predict('churn', [{ ...good, tenure_months: undefined }]);
  expect(missing.status).toBe(400);
  expect(missing.json.message).toContain('tenure_months');
  const extra = await predict('churn', [good, { ...good, tenure_monthz: 3 }]);
  expect(extra.status).toBe(400);
  expect(extra.json.message).toMatch(/instances\[1\].*tenure_monthz/);
  const mistyped = await predict('churn', [{ ...good, monthly_charges: 'lots' }]);
  expect(mistyped.status).toBe(400);
  expect(mistyped.json.message).toContain('monthly_charges');
  expect((await predict('churn', 'nope')).status).toBe(400);
  const broken = await api.call('POST', '/api/v1/deployments/churn/predict', '{"instances": [', viewer);
  expect(broken.status).toBe(400);
  expect(broken.json.message).toMatch(/JSON/);
  expect((await predict('churn', [])).status).toBe(400);
  expect((await predict('churn', [good], null)).status).toBe(401);
  expect((await predict('nobody', [good])).status).toBe(404);
  expect((await api.call('PUT', '/api/v1/deployments/churn', { model: 'churn', version: 99 })).status).toBe(404);
  expect((await api.call('PUT', '/api/v1/deployments/churn', { model: 'other', version: 1 })).status).toBe(409);
  expect((await api.call('PUT', '/api/v1/deployments/churn', { model: 'churn', version: 2 }, viewer)).status).toBe(403);
  expect((await api.call('POST', '/api/v1/deployments/churn/promote')).status).toBe(409);
  expect((await api.call('PATCH', '/api/v1/deployments/churn', { canaryPercent: 20 })).status).toBe(409);
  expect((await api.call('POST', '/api/v1/deployments/churn/feedback', { items: [] }, viewer)).status).toBe(400);
  const metrics = (await api.call('GET', '/metrics')).json as string;
  expect(metrics).toMatch(/kiln_predict_errors_total\{deployment="churn",version="1",kind="bad_input"\} [1-9]/);
});

/** Puts bytes in the API's folder store by hand (as a broken or tampered artifact would be), returning the digest. */
function plant(bytes: Buffer): { digest: string; path: string } {
  const hex = createHash('sha256').update(bytes).digest('hex');
  const path = join(api.artifactsDir, 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return { digest: `sha256:${hex}`, path };
}

function modelPath(digest: string) {
  const hex = digest.slice('sha256:'.length);
  return join(api.artifactsDir, 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex);
}

it('never serves a model that is not ONNX or whose bytes do not match their digest', async () => {
  const v1 = (await api.call('GET', '/api/v1/models/churn/versions/1')).json;
  const rollout = (digest: string) =>
    api.call('POST', '/api/v1/deployments/churn-b/rollouts', {
      model: 'churn',
      register: { model: { ...v1.model, artifact: { ...v1.model.artifact, digest } }, metrics: {}, runId: v1.lineage.runId, nodeId: 'train' },
    });
  const notOnnx = await rollout(plant(Buffer.from('this is not an ONNX model')).digest);
  expect(notOnnx.status).toBe(422);
  expect(notOnnx.json.message).toMatch(/readiness check.*ONNX/i);

  // The real model plus an unknown protobuf field: a valid model under a digest nothing has loaded yet.
  const original = readFileSync(modelPath(v1.model.artifact.digest));
  const variant = plant(Buffer.concat([original, Buffer.from([0xa0, 0x06, 0x01])]));
  const tampered = Buffer.from(readFileSync(variant.path));
  tampered.writeUInt8(tampered.readUInt8(100) ^ 0xff, 100);
  writeFileSync(variant.path, tampered);
  const refused = await rollout(variant.digest);
  expect(refused.status).toBe(422);
  expect(refused.json.message).toMatch(/readiness check/);
  expect(refused.json.message).toMatch(/sha256|digest|integrity/i);
  expect((await api.call('GET', '/api/v1/deployments/churn-b')).status).toBe(404);
  // Registered versions stay (nothing stored is lost), unserved.
  expect((await api.call('GET', '/api/v1/models/churn')).json.versions.length).toBeGreaterThanOrEqual(4);
});

it('answers 503 when a restarted API finds the serving version corrupted', async () => {
  const digest = (await api.call('GET', '/api/v1/models/churn/versions/1')).json.model.artifact.digest as string;
  const { dataDir, artifactsDir, adminToken } = api;
  await api.stop();
  const path = modelPath(digest);
  const original = readFileSync(path);
  const corrupted = Buffer.from(original);
  corrupted.writeUInt8(corrupted.readUInt8(corrupted.length - 10) ^ 0xff, corrupted.length - 10);
  writeFileSync(path, corrupted);
  try {
    api = await startApiProcess({ temporalAddress: h.address, dataDir, artifactsDir, adminToken, env: { KILN_SERVICE_TOKEN: SERVICE_TOKEN } });
    const res = await predict('churn', [rows[0]]);
    expect(res.status).toBe(503);
    expect(res.json.message).toMatch(/no ready version/);
    expect((await api.call('GET', '/api/v1/deployments/churn/ready')).status).toBe(503);
    writeFileSync(path, original);
    // Fixed bytes serve again after the next change is noticed (a rollout re-reads the deployment).
    const again = await api.call('PUT', '/api/v1/deployments/churn', { model: 'churn', version: 1, strategy: 'replace' });
    expect(again.status, JSON.stringify(again.json)).toBe(200);
    expect((await predict('churn', [rows[0]])).json.modelVersion).toBe(1);
  } finally {
    writeFileSync(path, original);
  }
});
