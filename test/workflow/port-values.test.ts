import { afterAll, beforeAll, expect, it } from 'vitest';
import { type NodeDefinition, defineNode, ingestFile } from '@kiln/nodes';
import { createWorkers, type WorkerSet } from '@kiln/worker';
import { type Harness, TEST_WORKER_POLICY, openHarness, run, spec } from '../support/harness';

// A worker on its own queue serving a broken `ingest.file`: it returns a Dataset whose column type
// is not one Kiln knows.
const ingest = await ingestFile.load();
let calls = 0;
const broken = defineNode({
  ...ingest,
  run: async () => {
    calls++;
    const artifact = { uri: 'file:///x', digest: `sha256:${'0'.repeat(64)}`, size: 1, mediaType: 'application/vnd.apache.arrow.file' };
    return { outputs: { dataset: { artifact, schema: [{ name: 'x', type: 'text', nullable: false }], rowCount: 1, stats: [] } as never } };
  },
}) as NodeDefinition;

let h: Harness;
let brokenWorkers: WorkerSet;
beforeAll(async () => {
  h = await openHarness();
  brokenWorkers = await createWorkers({ temporal: { address: h.address }, queues: ['broken'], definitions: [broken], policy: TEST_WORKER_POLICY, logLevel: 'ERROR' });
  void brokenWorkers.run();
});
afterAll(async () => {
  await brokenWorkers.shutdown();
  await h.close();
});

it('a node whose output breaks its port schema fails at once, naming node, port and path', async () => {
  const state = await run(
    h,
    spec('bad-output', [{ id: 'load', type: 'ingest.file', params: { uri: 'x.csv' }, resources: { queue: 'broken' }, retry: { maxAttempts: 3, initialIntervalSeconds: 0.1 } }]),
  );
  expect(state.status).toBe('failed');
  expect(state.nodes.load).toMatchObject({
    status: 'failed',
    attempts: 1,
    error: {
      type: 'InvalidPortValue',
      message: expect.stringContaining('node "load" (ingest.file): output "dataset" is not a valid Dataset: schema[0].type: '),
    },
  });
  // Not retried, though the node allowed three attempts.
  expect(calls).toBe(1);
});
