import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { catalogOf, validateSpec } from '@kiln/engine';
import { awaitRun, startRun } from '@kiln/engine/temporal';
import { type NodeDefinition, defineNode, nodeTypeInfo } from '@kiln/nodes/define-node';
import { createWorkers, type WorkerSet } from '@kiln/worker';
import { type Harness, TEST_WORKER_POLICY, openHarness, spec } from '../support/harness';

// Default resources declared by node types, merged with a node's own, and used: GPU routing, the
// worker's core budget (KILN_WORKER_CPUS, here 2), and the cores a node is told it holds.

let running = 0;
let mostAtOnce = 0;
const seen: Record<string, { cpus: number | undefined; queue: string }> = {};
const hold = (type: string, resources: NodeDefinition['resources'], keep?: number) =>
  defineNode({
    type,
    version: 1,
    category: 'test',
    title: type,
    description: 'Holds its cores for a moment, noting how many nodes hold cores at once.',
    capabilities: [],
    ...(resources ? { resources } : {}),
    inputs: {},
    outputs: {},
    params: z.strictObject({}),
    run: async (ctx) => {
      if (keep !== undefined) ctx.keepCores(keep);
      seen[ctx.nodeId] = { cpus: ctx.cpus, queue: ctx.queue };
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((r) => setTimeout(r, 150));
      running--;
      return { outputs: {} };
    },
  }) as NodeDefinition;

const definitions = [hold('test.heavy', { cpu: 2 }), hold('test.vision', { gpu: 1 }), hold('test.small', { cpu: 2 }, 1)];
const catalog = catalogOf(definitions.map(nodeTypeInfo));
const SUFFIX = '-resources-test';

let h: Harness;
let workers: WorkerSet;
beforeAll(async () => {
  h = await openHarness({ workers: false });
  workers = await createWorkers({
    temporal: { address: h.address },
    queues: ['cpu', 'gpu'],
    queueSuffix: SUFFIX,
    definitions,
    policy: { ...TEST_WORKER_POLICY, cpus: 2 },
    logLevel: 'ERROR',
  });
  void workers.run();
});
afterAll(async () => {
  await workers.shutdown();
  await h.close();
});

async function runSpec(raw: unknown) {
  const checked = validateSpec(raw, catalog);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return awaitRun(await startRun(h.client, { spec: checked.spec, params: {}, catalog, queueSuffix: SUFFIX }));
}

it("nodes holding all of a worker's cores run one at a time, and each is told the cores it holds", async () => {
  mostAtOnce = 0;
  const state = await runSpec(spec('heavy', ['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'test.heavy' }))));
  expect(state.status).toBe('succeeded');
  // Four nodes ready at once (maxParallel 8), but each holds both cores of the budget.
  expect(mostAtOnce).toBe(1);
  expect(seen.a).toEqual({ cpus: 2, queue: `cpu${SUFFIX}` });
});

it("a node's own resources override its type's: fewer cores, or a GPU turned off", async () => {
  const state = await runSpec(
    spec('override', [
      { id: 'one', type: 'test.heavy', resources: { cpu: 1 } },
      { id: 'many', type: 'test.heavy', resources: { cpu: 64 } },
      { id: 'gpu', type: 'test.vision' },
      { id: 'nogpu', type: 'test.vision', resources: { gpu: 0 } },
    ]),
  );
  expect(state.status).toBe('succeeded');
  expect(seen.one!.cpus).toBe(1);
  // More than the worker has counts as all of it.
  expect(seen.many!.cpus).toBe(2);
  // The type's GPU routes its nodes to the gpu queue; it asks for no cores, so it is told none.
  expect(seen.gpu).toEqual({ cpus: undefined, queue: `gpu${SUFFIX}` });
  expect(state.nodes.gpu!.queue).toBe(`gpu`);
  expect(seen.nogpu!.queue).toBe(`cpu${SUFFIX}`);
});

it('cores a node gives back go to the nodes waiting for them', async () => {
  mostAtOnce = 0;
  // Each asks for both cores and keeps one once it runs: two can then run at once.
  const state = await runSpec(spec('small', ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, type: 'test.small' }))));
  expect(state.status).toBe('succeeded');
  expect(seen.f!.cpus).toBe(1);
  expect(mostAtOnce).toBeGreaterThanOrEqual(1);
  expect(mostAtOnce).toBeLessThanOrEqual(2);
});
