import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, cmd, openHarness, spec } from '../support/harness';
import { type ApiProcess, startApiProcess } from '../support/api-process';

const CHURN = resolve(import.meta.dirname, '../../examples/churn');
let h: Harness;
let api: ApiProcess;
let viewer: string;
beforeAll(async () => {
  h = await openHarness();
  // Its pipelines run shell commands (user code), which this instance allows.
  api = await startApiProcess({ temporalAddress: h.address, env: { KILN_ALLOW_USER_CODE: 'true' } });
  viewer = (await api.call('POST', '/api/v1/tokens', { name: 'vi', role: 'viewer' })).json.token;
});
afterAll(async () => {
  await api?.stop();
  await h?.close();
});


it('registers models from runs with lineage and a card, promotes, and rolls back', async () => {
  const churn = JSON.parse(readFileSync(resolve(CHURN, 'churn.json'), 'utf8'));
  const pipelineId = (await api.call('POST', '/api/v1/pipelines', { spec: churn })).json.id;
  const run = await api.runToEnd(pipelineId, { data: resolve(CHURN, 'churn.csv') });
  expect(run.status, JSON.stringify(run.state.nodes)).toBe('succeeded');

  const v1 = await api.call('POST', '/api/v1/models/churn-model/versions', { runId: run.id, nodeId: 'train', metricsNodeId: 'evaluate' });
  expect(v1.status, JSON.stringify(v1.json)).toBe(201);
  expect(v1.json).toMatchObject({ name: 'churn-model', version: 1, stage: 'none', lineage: { runId: run.id, pipelineId, pipelineVersion: 1 } });
  expect(v1.json.model.artifact.digest).toMatch(/^sha256:/);
  expect(v1.json.metrics.roc_auc).toBeGreaterThan(0.7);
  expect(v1.json.lineage.datasets.map((d: { nodeId: string }) => d.nodeId)).toEqual(expect.arrayContaining(['ingest', 'featurize']));
  expect(v1.json.card.markdown).toContain('## Limitations');
  expect(v1.json.card.markdown).toContain('roc_auc');

  const v2 = await api.call('POST', '/api/v1/models/churn-model/versions', { runId: run.id, nodeId: 'train' });
  expect(v2.json.version).toBe(2);
  expect((await api.call('POST', '/api/v1/models/churn-model/versions/1/promote', { stage: 'production' })).json.stage).toBe('production');
  expect((await api.call('POST', '/api/v1/models/churn-model/versions/2/promote', {})).json.stage).toBe('production');
  const model = (await api.call('GET', '/api/v1/models/churn-model', undefined, viewer)).json;
  expect(model.versions.map((v: { version: number; stage: string }) => `${v.version}:${v.stage}`)).toEqual(['1:archived', '2:production']);
  const back = await api.call('POST', '/api/v1/models/churn-model/rollback');
  expect(back.json).toMatchObject({ version: 1, stage: 'production' });
  expect((await api.call('GET', '/api/v1/models')).json).toEqual([expect.objectContaining({ name: 'churn-model', versions: 2, latestVersion: 2, production: 1 })]);
  expect((await api.call('GET', '/api/v1/models/churn-model/versions/2')).json.stage).toBe('archived');

  const audit = (await api.call('GET', '/api/v1/audit?limit=100')).json.map((a: { action: string }) => a.action);
  expect(audit).toEqual(expect.arrayContaining(['model.register', 'model.promote', 'model.rollback']));
});

it('refuses what cannot be registered or changed, saying why', async () => {
  const pid = (await api.call('POST', '/api/v1/pipelines', { spec: spec('not-a-model', [cmd('a', 'true'), cmd('bad', 'exit 1')]) })).json.id;
  const failed = await api.runToEnd(pid);
  expect(failed.status).toBe('failed');
  expect((await api.call('POST', '/api/v1/models/m/versions', { runId: failed.id, nodeId: 'a' })).status).toBe(409);
  const ok = await api.runToEnd((await api.call('POST', '/api/v1/pipelines', { spec: spec('plain', [cmd('a', 'true')]) })).json.id);
  expect((await api.call('POST', '/api/v1/models/m/versions', { runId: ok.id, nodeId: 'a' })).status).toBe(422);
  expect((await api.call('POST', '/api/v1/models/m/versions', { runId: ok.id, nodeId: 'zz' })).status).toBe(404);
  expect((await api.call('POST', '/api/v1/models/bad name!/versions', { runId: ok.id, nodeId: 'a' })).status).toBe(400);
  expect((await api.call('POST', '/api/v1/models/churn-model/versions/1/promote', {}, viewer)).status).toBe(403);
  expect((await api.call('POST', '/api/v1/models/nobody/rollback')).status).toBe(409);
  expect((await api.call('GET', '/api/v1/models/nobody')).status).toBe(404);
});
