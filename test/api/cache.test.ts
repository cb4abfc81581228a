// GET/DELETE /api/v1/cache on a real `kiln api`, sharing its artifact store with the workers that
// write the entries: viewers list, editors purge, filters by type and pipeline, bad filters are 400s.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, openHarness, spec, tempDir } from '../support/harness';
import { type ApiProcess, startApiProcess } from '../support/api-process';

let h: Harness;
let api: ApiProcess;
let editor: string;
let viewer: string;
const dir = tempDir('kiln-cache-api-');
const artifactsDir = join(dir, 'artifacts');
beforeAll(async () => {
  h = await openHarness({ artifactsDir });
  api = await startApiProcess({ temporalAddress: h.address, artifactsDir });
  editor = await api.token('editor');
  viewer = await api.token('viewer');
  writeFileSync(join(dir, 'data.csv'), 'x,y\n1,2\n3,4\n');
});
afterAll(async () => {
  await api?.stop();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('lists the entries runs made, filters them, and purges them (editor only)', async () => {
  const pipeline = spec('cached', [
    { id: 'load', type: 'ingest.file', params: { uri: join(dir, 'data.csv') } },
    { id: 'check', type: 'validate.tabular', params: { minRows: 1 } },
  ], [{ from: 'load.dataset', to: 'check.dataset' }]);
  const id = (await api.call('POST', '/api/v1/pipelines', { spec: pipeline }, editor)).json.id as string;
  const runOnce = async (body: Record<string, unknown> = {}) => {
    const runId = (await api.call('POST', `/api/v1/pipelines/${id}/runs`, body, editor)).json.runId as string;
    return { ...(await api.settled(runId, 90_000)), runId };
  };
  const first = await runOnce();
  expect(first.status).toBe('succeeded');

  const listed = await api.call('GET', '/api/v1/cache', undefined, viewer);
  expect(listed.status).toBe(200);
  expect(listed.json.entries.map((e: { type: string }) => e.type).sort()).toEqual(['ingest.file', 'validate.tabular']);
  expect(listed.json.entries[0]).toMatchObject({ pipeline: 'cached', runId: first.runId });
  expect((await api.call('GET', '/api/v1/cache?type=ingest.file', undefined, viewer)).json.count).toBe(1);
  expect((await api.call('GET', '/api/v1/cache?pipeline=other', undefined, viewer)).json.count).toBe(0);
  expect((await api.call('GET', '/api/v1/cache?olderThan=1d', undefined, viewer)).json.count).toBe(0);
  const bad = await api.call('GET', '/api/v1/cache?olderThan=soon', undefined, viewer);
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.json)).toContain('olderThan');

  // A second run reuses both; one with "cache": false computes both.
  const second = await runOnce();
  expect(second.state.nodes.load.status).toBe('cached');
  const uncached = await runOnce({ cache: false });
  expect(uncached.state.nodes.load.status).toBe('succeeded');

  expect((await api.call('DELETE', '/api/v1/cache?type=ingest.file', undefined, viewer)).status).toBe(403);
  const purged = await api.call('DELETE', '/api/v1/cache?type=ingest.file', undefined, editor);
  expect(purged.json).toEqual({ removed: 1 });
  const third = await runOnce();
  expect(third.state.nodes.load.status).toBe('succeeded');
  expect((await api.call('DELETE', '/api/v1/cache', undefined, editor)).json).toEqual({ removed: 2 });
  expect((await api.call('GET', '/api/v1/cache', undefined, viewer)).json.count).toBe(0);
});
