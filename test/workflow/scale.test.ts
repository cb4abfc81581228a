import { afterAll, beforeAll, expect, it } from 'vitest';
import { awaitRun } from '@kiln/engine/temporal';
import { type Harness, openHarness, spec, start } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

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
