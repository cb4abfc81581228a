import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderArtifactStore } from '@kiln/artifacts/folder-store';
import { isReuseMiss, reuseOutputs } from './reuse';

let dir: string;
let store: FolderArtifactStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-reuse-'));
  store = new FolderArtifactStore(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const node = { nodeId: 'train', type: 'train.x' };
const from = { runId: 'r0', nodeId: 'train' };
const ports = { model: 'Model', report: 'Report', count: 'Json' } as const;
const modelOf = (artifact: object) => ({ artifact, task: 'regression', features: [{ name: 'x', type: 'float' }], classes: null, target: 'y' });

describe('reuseOutputs', () => {
  it('returns a cached result when every artifact is still stored', async () => {
    const a = await store.put(new TextEncoder().encode('model bytes'), { mediaType: 'application/onnx' });
    const b = await store.put(new TextEncoder().encode('{"r":1}'), { mediaType: 'application/json' });
    const outputs = { model: modelOf(a), report: { artifact: b, summary: {} }, count: 3 };
    const result = await reuseOutputs(node, { outputs, from, skipDownstream: { reason: 'no' } }, ports, store);
    expect(result).toEqual({ outputs, attempt: 0, cached: true, cachedFrom: from, skipDownstream: { reason: 'no' } });
  });

  it('turns the reuse down when an artifact is gone, naming it', async () => {
    const a = await store.put(new TextEncoder().encode('doomed'), { mediaType: 'application/onnx' });
    const b = await store.put(new TextEncoder().encode('{"r":2}'), { mediaType: 'application/json' });
    await unlink(new URL(a.uri));
    const result = await reuseOutputs(node, { outputs: { model: modelOf(a), report: { artifact: b, summary: {} }, count: 1 }, from }, ports, store);
    expect(isReuseMiss(result) && result.reason).toBe(`artifact ${a.digest} no longer in the store`);
  });

  it('turns the reuse down when the outputs no longer fit the ports', async () => {
    const a = await store.put(new TextEncoder().encode('m'), { mediaType: 'application/onnx' });
    const result = await reuseOutputs(node, { outputs: { model: modelOf(a), count: 1 }, from }, ports, store);
    expect(isReuseMiss(result) && result.reason).toMatch(/no longer fit: .*output "report" \(Report\) has no value/);
  });
});
