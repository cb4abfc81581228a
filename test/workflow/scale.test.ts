import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { catalog } from '@kiln/nodes';
import { FolderArtifactStore, artifactSpecStore } from '@kiln/artifacts';
import { MAX_NODES, type PipelineSpec, type RunInput, validateSpec } from '@kiln/engine';
import { awaitRun, queryChanges, startRun } from '@kiln/engine/temporal';
import { type Harness, cmd, openHarness, spec, start, tempDir, waitFor } from '../support/harness';

let h: Harness;
// The workers and the runs started here share one artifact store, where large specs are kept.
const artifacts = tempDir('kiln-scale-');
const specStore = artifactSpecStore(new FolderArtifactStore(artifacts));
beforeAll(async () => {
  h = await openHarness({ artifactsDir: artifacts });
});
afterAll(() => h.close());

/** root → `width` no-ops → sink: the shape that hung at 10,002 nodes on Temporal's 2 MB payload limit. */
function fanOutFanIn(name: string, width: number, maxParallel: number): PipelineSpec {
  const nodes: unknown[] = [{ id: 'root', type: 'core.noop' }];
  const edges: unknown[] = [];
  for (let i = 0; i < width; i++) {
    nodes.push({ id: `n${i}`, type: 'core.noop' });
    edges.push({ from: 'root', to: `n${i}` }, { from: `n${i}`, to: 'sink' });
  }
  nodes.push({ id: 'sink', type: 'core.noop' });
  const checked = validateSpec(spec(name, nodes, edges, { maxParallel }), catalog);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return checked.spec;
}

/** The input the current generation of a run started with, as recorded in its history. */
async function currentInput(handle: WorkflowHandle): Promise<{ input: RunInput; bytes: number }> {
  const history = await h.client.workflow.getHandle(handle.workflowId).fetchHistory();
  const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  return { input: JSON.parse(new TextDecoder().decode(payload.data!)) as RunInput, bytes: payload.data!.length };
}

it('runs a 5,000-node pipeline, continuing as new to stay under the history limits', async () => {
  // 50 layers of 100 nodes; each node waits for two nodes of the layer above.
  const layers = 50;
  const width = 100;
  const id = (l: number, i: number) => `n${l}_${i}`;
  const nodes = [];
  const edges = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      nodes.push({ id: id(l, i), type: 'core.noop' });
      if (l > 0) {
        edges.push({ from: id(l - 1, i), to: id(l, i) });
        edges.push({ from: id(l - 1, (i + 1) % width), to: id(l, i) });
      }
    }
  }
  const handle = await start(h, spec('big', nodes, edges, { maxParallel: 64 }));
  const state = await awaitRun(handle);
  expect(state.status).toBe('succeeded');
  expect(Object.keys(state.nodes)).toHaveLength(5000);
  expect(Object.values(state.nodes).every((n) => n.status === 'succeeded')).toBe(true);
  // Every node started only after all of its predecessors had ended.
  for (const edge of edges) {
    expect(Date.parse(state.nodes[edge.from]!.endedAt!)).toBeLessThanOrEqual(Date.parse(state.nodes[edge.to]!.startedAt!));
  }
  expect(state.generations).toBeGreaterThanOrEqual(1);
  const description = await handle.describe();
  expect(description.historyLength).toBeLessThan(20_000);
}, 600_000);

it('runs a 10,002-node fan-out/fan-in with its spec kept by digest and its state packed across generations', async () => {
  // Before: the spec and every node's state rode in the continue-as-new input, which outgrew 2 MB
  // at ~9,500 nodes and failed the workflow task forever (TMPRL1103).
  const big = fanOutFanIn('fan-10k', 10_000, 200);
  const handle = await startRun(h.client, { spec: big, params: {}, specStore, limits: { maxHistoryEvents: 5_000 } });
  const first = await currentInput(handle);
  expect(first.input.spec).toBeUndefined();
  expect(first.input.specRef?.digest).toMatch(/^sha256:/);
  expect(first.bytes).toBeLessThan(1_000);

  // A watcher that starts after a continue-as-new still sees the nodes earlier generations settled.
  const mid = await waitFor(handle, (s) => s.generations >= 1, 1_200_000);
  expect(Object.keys(mid.nodes)).toHaveLength(10_002);
  const changes = await queryChanges(handle, 0);
  const settled = Object.entries(mid.nodes).filter(([, n]) => n.status === 'succeeded');
  expect(settled.length).toBeGreaterThan(0);
  for (const [id] of settled) expect(changes.nodes[id]?.status).toBe('succeeded');

  const state = await awaitRun(handle);
  expect(state.status).toBe('succeeded');
  expect(state.generations).toBeGreaterThanOrEqual(2);
  const nodes = Object.values(state.nodes);
  expect(nodes).toHaveLength(10_002);
  expect(nodes.every((n) => n.status === 'succeeded' && n.attempts === 1 && n.queue === 'cpu')).toBe(true);
  const sinkStarted = Date.parse(state.nodes.sink!.startedAt!);
  for (let i = 0; i < 10_000; i++) {
    expect(Date.parse(state.nodes.root!.endedAt!)).toBeLessThanOrEqual(Date.parse(state.nodes[`n${i}`]!.startedAt!));
    expect(Date.parse(state.nodes[`n${i}`]!.endedAt!)).toBeLessThanOrEqual(sinkStarted);
  }
  // The last generation started from the digest and packed states: far under the payload limit.
  const last = await currentInput(handle);
  expect(last.input.resume?.nodes.ids).toHaveLength(10_002);
  expect(last.bytes).toBeLessThan(600_000);
}, 1_800_000);

it('cancels a 10,002-node run mid-way, ending cancelled with every node accounted for', async () => {
  const big = fanOutFanIn('fan-10k-cancel', 10_000, 50);
  const handle = await startRun(h.client, { spec: big, params: {}, specStore });
  await waitFor(handle, (s) => Object.values(s.nodes).filter((n) => n.status === 'succeeded').length >= 200, 300_000);
  await handle.cancel();
  const state = await awaitRun(handle);
  expect(state.status).toBe('cancelled');
  const nodes = Object.values(state.nodes);
  expect(nodes).toHaveLength(10_002);
  expect(nodes.every((n) => ['succeeded', 'cancelled'].includes(n.status))).toBe(true);
  expect(state.nodes.sink!.status).toBe('cancelled');
}, 600_000);

it('fails a run whose outputs outgrow one Temporal payload with a clear error instead of wedging', async () => {
  // 40 nodes of 64 KiB of stdout each: every result fits, their sum (2.6 MB) does not.
  const nodes = Array.from({ length: 40 }, (_, i) => cmd(`out${i}`, `head -c 65536 /dev/zero | tr '\\0' x`));
  const handle = await start(h, spec('fat-outputs', nodes, [], { maxParallel: 8 }));
  const failure = await awaitRun(handle).then(
    () => undefined,
    (err: unknown) => err as Error & { cause?: Error & { type?: string } },
  );
  expect(failure?.cause?.type).toBe('KilnRunTooLarge');
  expect(failure?.cause?.message).toMatch(/final state .* \d+ bytes, over the 2000000-byte limit of one Temporal payload \(nodes: 40 succeeded\)/);
}, 300_000);

it('refuses at validation a pipeline over the node limit, naming it', () => {
  const nodes = Array.from({ length: MAX_NODES + 1 }, (_, i) => ({ id: `n${i}`, type: 'core.noop' }));
  const checked = validateSpec(spec('too-many', nodes), catalog);
  expect(checked.ok).toBe(false);
  expect(checked.problems).toEqual([{ path: 'nodes', message: `${MAX_NODES + 1} nodes, over the limit of ${MAX_NODES} nodes per pipeline` }]);
});
