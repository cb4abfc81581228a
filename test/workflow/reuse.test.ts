import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '@kiln/nodes';
import { type DatasetValue, INLINE_SPEC_BYTES, type NodeReuse, type PipelineSpec, type RunState, rerunReuse, validateSpec } from '@kiln/engine';
import { awaitRun, startRun } from '@kiln/engine/temporal';
import { FolderArtifactStore, artifactSpecStore } from '@kiln/artifacts';
import { type Harness, cmd, openHarness, spec, tempDir } from '../support/harness';

// Re-running with reused results, on a real Temporal: the scheduler offers each node its earlier
// outputs, the worker reuses them when their artifacts are still stored, and only the rest runs.

let h: Harness;
let store: FolderArtifactStore;
const dir = tempDir('kiln-reuse-');
const marker = join(dir, 'marker');
beforeAll(async () => {
  const artifacts = join(dir, 'artifacts');
  store = new FolderArtifactStore(artifacts);
  h = await openHarness({ artifactsDir: artifacts });
  writeFileSync(join(dir, 'a.csv'), 'x,y\n1,2\n3,4\n');
  writeFileSync(join(dir, 'b.csv'), 'x,y\n5,6\n');
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A command that counts its executions in a file of its own. */
const counted = (id: string, command: string) => cmd(id, `echo x >> ${join(dir, `ran-${id}`)}; ${command}`);
const runs = (id: string) => (existsSync(join(dir, `ran-${id}`)) ? readFileSync(join(dir, `ran-${id}`), 'utf8').split('\n').length - 1 : 0);

// load → flaky → after; loads (mapped over two files) → count. `flaky` fails while the marker exists.
const raw = spec(
  'reuse',
  [
    { id: 'load', type: 'ingest.file', params: { uri: join(dir, 'a.csv') } },
    counted('flaky', `test ! -e ${marker}`),
    counted('after', 'echo done'),
    { id: 'loads', type: 'ingest.file', params: { uri: { $item: '' } }, map: { items: [join(dir, 'a.csv'), join(dir, 'b.csv')] } },
    counted('count', 'echo 2'),
  ],
  [
    { from: 'load', to: 'flaky' },
    { from: 'flaky', to: 'after' },
    { from: 'loads', to: 'count' },
  ],
);
const checked = validateSpec(raw, catalog);
if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
const pipeline: PipelineSpec = checked.spec;

const runWith = async (reuse?: Record<string, NodeReuse>): Promise<RunState> =>
  awaitRun(await startRun(h.client, { spec: pipeline, params: {}, catalog, specStore: artifactSpecStore(store), ...(reuse ? { reuse } : {}) }));
const statuses = (state: RunState) => Object.fromEntries(Object.entries(state.nodes).map(([id, n]) => [id, n.status]));

describe('re-running with reused results', () => {
  let first: RunState;
  let second: RunState;

  it('reuses what succeeded and runs only the failed and skipped nodes', async () => {
    writeFileSync(marker, '');
    first = await runWith();
    expect(statuses(first)).toEqual({ load: 'succeeded', flaky: 'failed', after: 'skipped', loads: 'succeeded', count: 'succeeded' });
    expect(first.nodes.loads!.items).toEqual({ total: 2, done: 2, failed: 0 });
    unlinkSync(marker);

    second = await runWith(rerunReuse(pipeline, first, 'failed'));
    expect(statuses(second)).toEqual({ load: 'cached', flaky: 'succeeded', after: 'succeeded', loads: 'cached', count: 'cached' });
    for (const id of ['load', 'loads', 'count']) {
      expect(second.nodes[id]).toMatchObject({ attempts: 0, cachedFrom: { runId: first.runId, nodeId: id }, outputs: first.nodes[id]!.outputs });
    }
    expect([runs('flaky'), runs('after'), runs('count')]).toEqual([2, 1, 1]);
  });

  it('re-runs the named nodes and everything downstream; the rest keeps its original source', async () => {
    const third = await runWith(rerunReuse(pipeline, second, ['load']));
    expect(statuses(third)).toEqual({ load: 'succeeded', flaky: 'succeeded', after: 'succeeded', loads: 'cached', count: 'cached' });
    expect(third.nodes.loads!.cachedFrom).toEqual({ runId: first.runId, nodeId: 'loads' });
    expect([runs('flaky'), runs('after'), runs('count')]).toEqual([3, 2, 1]);
  });

  it('runs a node whose reused artifact is gone, and what its new outputs feed; carries a large reuse map by reference', async () => {
    const reuse = rerunReuse(pipeline, first, 'failed');
    // One of the mapped node's two datasets: that item runs again, the other is reused.
    const gone = (first.nodes.loads!.outputs!.dataset as DatasetValue[])[1]!.artifact;
    const kept = (first.nodes.load!.outputs!.dataset as DatasetValue).artifact;
    expect(gone.digest).not.toBe(kept.digest);
    unlinkSync(fileURLToPath(gone.uri));
    // The item reads different data now: `count`, computed from the old outputs, must run again.
    writeFileSync(join(dir, 'b.csv'), 'x,y\n7,8\n9,10\n');
    // Entries for nodes the pipeline lacks are never read; this one makes the map outgrow the inline limit.
    reuse.padding = { outputs: { blob: 'x'.repeat(INLINE_SPEC_BYTES) }, from: { runId: 'none', nodeId: 'none' } };
    const fourth = await runWith(reuse);
    expect(statuses(fourth)).toEqual({ load: 'cached', flaky: 'succeeded', after: 'succeeded', loads: 'succeeded', count: 'succeeded' });
    expect(fourth.nodes.loads).toMatchObject({ attempts: 1, items: { total: 2, done: 2, failed: 0 } });
    expect(fourth.nodes.loads!.cachedFrom).toBeUndefined();
    expect(fourth.nodes.loads!.items).toEqual({ total: 2, done: 2, failed: 0, cached: 1 });
    expect((fourth.nodes.loads!.outputs!.dataset as DatasetValue[]).map((d) => d.rowCount)).toEqual([2, 2]);
    expect(runs('count')).toBe(2);
  });
});
