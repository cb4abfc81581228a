// The node cache end to end on Temporal: the churn example run twice (every deterministic node
// cached the second time), one changed threshold (only the gate runs), a deleted artifact (its node
// runs again), two identical runs at once (each node computed once), and the ways to turn it off.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderArtifactStore } from '@kiln/artifacts';
import { type PipelineSpec, type RunState, resolveRunParams, validateSpec } from '@kiln/engine';
import { awaitRun, startRun } from '@kiln/engine/temporal';
import { catalog } from '@kiln/nodes';
import { type Harness, openHarness, run, tempDir } from '../support/harness';
import { kiln } from '../support/kiln-process';

const DATA = resolve(import.meta.dirname, '../../examples/churn/churn.csv');
const churnSpec = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/churn/churn.json'), 'utf8')) as PipelineSpec;
const DETERMINISTIC = ['ingest', 'validate', 'featurize', 'train', 'evaluate', 'gate'];
const artifacts = tempDir('kiln-cache-artifacts-');
const store = new FolderArtifactStore(artifacts);
let h: Harness;

beforeAll(async () => {
  h = await openHarness({ artifactsDir: artifacts });
});
afterAll(() => h.close());

/** The churn spec with each node given `extra` (a fresh cacheVersion keeps a test's keys its own). */
function churn(extra: Record<string, unknown> = {}): PipelineSpec {
  const spec = structuredClone(churnSpec) as PipelineSpec;
  spec.nodes = spec.nodes.map((n) => ({ ...n, ...extra }));
  return spec;
}

const statuses = (state: RunState) => Object.fromEntries(Object.entries(state.nodes).map(([id, n]) => [id, n.status]));

async function startChurn(spec: PipelineSpec, params: Record<string, unknown>, cache?: false) {
  const checked = validateSpec(spec, catalog);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  const resolved = resolveRunParams(checked.spec, { data: DATA, ...params });
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
  return startRun(h.client, { spec: checked.spec, params: resolved.values, catalog, ...(cache === false ? { cache } : {}) });
}

describe('the churn example', () => {
  let first: RunState;

  it('run twice: every deterministic node is cached the second time, with 0 attempts and the same outputs', async () => {
    first = await run(h, churn(), { data: DATA });
    expect(first.status).toBe('succeeded');
    expect(statuses(first)).toEqual(Object.fromEntries(DETERMINISTIC.map((id) => [id, 'succeeded'])));
    const second = await run(h, churn(), { data: DATA });
    expect(second.status).toBe('succeeded');
    for (const id of DETERMINISTIC) {
      expect(second.nodes[id], id).toMatchObject({ status: 'cached', attempts: 0, outputs: first.nodes[id]!.outputs });
    }
    // A cached node has no attempt of its own: no log was written for it.
    expect(await store.objects.list(`logs/${second.runId}`)).toEqual([]);
  });

  it('with only the gate’s threshold changed, only the gate runs', async () => {
    const changed = await run(h, churn(), { data: DATA, minRocAuc: 0.7 });
    expect(changed.nodes.gate).toMatchObject({ status: 'succeeded', attempts: 1 });
    for (const id of DETERMINISTIC.filter((n) => n !== 'gate')) expect(changed.nodes[id]!.status, id).toBe('cached');
  });

  it('runs a node again when an artifact of its cached result was deleted', async () => {
    const model = (first.nodes.train!.outputs as { model: { artifact: { digest: string } } }).model.artifact.digest;
    const hex = model.slice('sha256:'.length);
    await rm(join(artifacts, 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex));
    expect(await store.has(model)).toBe(false);
    const again = await run(h, churn(), { data: DATA });
    expect(again.status).toBe('succeeded');
    expect(again.nodes.train).toMatchObject({ status: 'succeeded', attempts: 1 });
    for (const id of ['ingest', 'validate', 'featurize']) expect(again.nodes[id]!.status, id).toBe('cached');
    // The seeded trainer made the same model again, so what follows it is reused.
    expect(await store.has(model)).toBe(true);
    expect(again.nodes.evaluate!.status).toBe('cached');
  });

  it('computes each node once for two identical runs started together; the other waits and reuses it', async () => {
    const spec = churn({ cacheVersion: `together-${Date.now()}` });
    const [a, b] = await Promise.all([startChurn(spec, {}), startChurn(spec, {})]);
    const [ra, rb] = await Promise.all([awaitRun(a), awaitRun(b)]);
    expect([ra.status, rb.status]).toEqual(['succeeded', 'succeeded']);
    for (const id of DETERMINISTIC) {
      const pair = [ra.nodes[id]!, rb.nodes[id]!];
      expect(pair.map((n) => n.status).sort(), id).toEqual(['cached', 'succeeded']);
      expect(pair[0]!.outputs, id).toEqual(pair[1]!.outputs);
    }
  });

  it('honours cache: false on a node and on the run, and cacheVersion', async () => {
    const offNode = await run(h, { ...churn(), nodes: churn().nodes.map((n) => (n.id === 'featurize' ? { ...n, cache: false } : n)) }, { data: DATA });
    expect(offNode.nodes.featurize!.status).toBe('succeeded');
    expect(offNode.nodes.ingest!.status).toBe('cached');
    const offRun = await awaitRun(await startChurn(churn(), {}, false));
    expect(statuses(offRun)).toEqual(Object.fromEntries(DETERMINISTIC.map((id) => [id, 'succeeded'])));
    const bumped = await run(h, { ...churn(), nodes: churn().nodes.map((n) => (n.id === 'validate' ? { ...n, cacheVersion: 'v2' } : n)) }, { data: DATA });
    expect(bumped.nodes.ingest!.status).toBe('cached');
    expect(bumped.nodes.validate!.status).toBe('succeeded');
    // validate's output is the same dataset, so featurize and the rest are reused.
    expect(bumped.nodes.featurize!.status).toBe('cached');
  });

  it('kiln run --no-cache runs every node', async () => {
    const result = await kiln(['run', resolve(import.meta.dirname, '../../examples/churn/churn.json'), '--json', '--no-cache', '--temporal-address', h.address, '--param', `data=${DATA}`], {
      env: { KILN_ARTIFACTS: artifacts, KILN_HOME: tempDir() },
    });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const summary = JSON.parse(result.stdout) as { nodes: Record<string, { status: string }> };
    for (const id of DETERMINISTIC) expect(summary.nodes[id]!.status, id).toBe('succeeded');
  });
});
