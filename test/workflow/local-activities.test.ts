// Light node types run as local activities on the workflow worker: retries still count attempts in
// the run state, cancellation still reaches the running node, a node that names a queue still goes to
// it, and the histories replay. Custom node types, so this file has a dev server of its own (the
// shared one's other workflow workers would not serve them).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NodeFailure, defineNode, noop, nodeTypeInfo } from '@kiln/nodes';
import { createWorkers, workflowBundle, type WorkerSet } from '@kiln/worker';
import { FolderArtifactStore } from '@kiln/artifacts';
import { type PipelineSpec, WORKFLOW_TASK_QUEUE, catalogOf } from '@kiln/engine';
import { type DevServer, awaitRun, startDevServer, startRun } from '@kiln/engine/temporal';
import { TEST_WORKER_POLICY, spec, tempDir, waitFor } from '../support/harness';

const base = { version: 1, category: 'test', capabilities: [], description: 'a test node', inputs: {}, params: noop.params } as const;
const flaky = defineNode({
  ...base,
  type: 'test.flaky',
  title: 'Fails once',
  light: true,
  outputs: { attempt: 'Json' },
  run: async (ctx) => {
    if (ctx.attempt < 2) throw new NodeFailure('first attempt fails');
    return { outputs: { attempt: ctx.attempt } };
  },
});
const marker = tempDir('kiln-local-');
const hold = defineNode({
  ...base,
  type: 'test.hold',
  title: 'Holds until cancelled',
  light: true,
  outputs: {},
  run: (ctx) =>
    new Promise((_, reject) => {
      writeFileSync(join(marker, `${ctx.nodeId}.started`), '');
      ctx.signal.addEventListener('abort', () => {
        writeFileSync(join(marker, `${ctx.nodeId}.aborted`), '');
        reject(new Error('aborted'));
      });
    }),
});
const heavy = defineNode({ ...base, type: 'test.heavy', title: 'Not light', outputs: {}, run: async () => ({ outputs: {} }) });
const definitions = [flaky, hold, heavy];
const catalog = catalogOf(definitions.map(nodeTypeInfo));

let server: DevServer;
let connection: Connection;
let client: Client;
let workers: WorkerSet;
const runIds: string[] = [];
beforeAll(async () => {
  server = await startDevServer();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  workers = await createWorkers({
    temporal: { address: server.address },
    queues: ['cpu', 'special'],
    definitions,
    store: new FolderArtifactStore(tempDir()),
    policy: TEST_WORKER_POLICY,
    logLevel: 'ERROR',
  });
  void workers.run();
});
afterAll(async () => {
  await workers?.shutdown();
  await connection?.close();
  await server?.stop();
});

async function start(s: PipelineSpec) {
  const handle = await startRun(client, { spec: s, params: {}, catalog });
  runIds.push(handle.workflowId);
  return handle;
}

it('runs light nodes on the workflow worker, retried with their attempts counted; others on their queues', async () => {
  const state = await awaitRun(
    await start(
      spec('local-retry', [
        { id: 'flaky', type: 'test.flaky', retry: { maxAttempts: 3, initialIntervalSeconds: 0.1 } },
        { id: 'routed', type: 'test.flaky', retry: { maxAttempts: 2, initialIntervalSeconds: 0.1 }, resources: { queue: 'special' } },
        { id: 'heavy', type: 'test.heavy' },
        { id: 'once', type: 'test.flaky' },
      ]),
    ),
  );
  expect(state.nodes.flaky).toMatchObject({ status: 'succeeded', attempts: 2, queue: WORKFLOW_TASK_QUEUE, outputs: { attempt: 2 } });
  expect(state.nodes.routed).toMatchObject({ status: 'succeeded', attempts: 2, queue: 'special' });
  expect(state.nodes.heavy).toMatchObject({ status: 'succeeded', queue: 'cpu' });
  expect(state.nodes.once).toMatchObject({ status: 'failed', attempts: 1, queue: WORKFLOW_TASK_QUEUE, error: { message: 'first attempt fails' } });
});

// A local activity runs inside an open workflow task, so the cancellation is seen at the task's next
// heartbeat (up to ~8 s with the default 10 s task timeout): light nodes are meant to be short.
it('cancelling a run reaches a running light node', async () => {
  const handle = await start(spec('local-cancel', [{ id: 'held', type: 'test.hold' }, { id: 'after', type: 'test.heavy' }], [{ from: 'held', to: 'after' }]));
  await waitFor(handle, (s) => s.nodes.held!.status === 'running');
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(marker, 'held.started')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await handle.cancel();
  const state = await awaitRun(handle);
  expect(state.status).toBe('cancelled');
  expect(state.nodes.held).toMatchObject({ status: 'cancelled', queue: WORKFLOW_TASK_QUEUE });
  expect(state.nodes.after!.status).toBe('cancelled');
  expect(existsSync(join(marker, 'held.aborted'))).toBe(true);
});

it('a wide fan-out of light nodes finishes (local slots bounded) and every history replays', async () => {
  const width = 300;
  const state = await awaitRun(
    await start(
      spec(
        'local-fan',
        Array.from({ length: width }, (_, i) => ({ id: `n${i}`, type: 'test.flaky', retry: { maxAttempts: 2, initialIntervalSeconds: 0.1 } })),
        [],
        { maxParallel: width },
      ),
    ),
  );
  expect(state.status).toBe('succeeded');
  expect(Object.values(state.nodes).every((n) => n.status === 'succeeded' && n.attempts === 2)).toBe(true);
  for (const workflowId of runIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
  }
});
