// Records the workflow histories that test/workflow/replay-histories.test.ts replays on every change:
// one run of each shape the pipeline workflow takes (light and queued nodes with retries and outputs,
// fan-out and fan-in, a map, failures, an approval, a cancellation, continue-as-new), on a dev server
// with a real worker. Run it when the workflow gains a path, and keep the histories of earlier
// versions: they are what a rolling upgrade replays.
//   npm run record-histories -w @kiln/test -- <folder name, e.g. the commit>
// Only the imports below name packages, so the same file records on an older checkout too.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { z } from 'zod';
import { NodeFailure, defineNode, loadNodeDefinitions, nodeTypeInfo, nodeTypes } from '@kiln/nodes';
import { createWorkers } from '@kiln/worker';
import { FolderArtifactStore } from '@kiln/artifacts';
import { APPROVAL_SIGNAL, type PipelineSpec, catalogOf } from '@kiln/engine';
import { awaitRun, queryRun, startDevServer, startRun } from '@kiln/engine/temporal';
import { TEST_WORKER_POLICY, spec, tempDir } from '../../support/harness';

const folder = process.argv[2];
if (!folder || !/^[\w.-]+$/.test(folder)) {
  console.error('usage: record.ts <folder name>  (letters, digits, ".", "-", "_")');
  process.exit(2);
}
const out = join(import.meta.dirname, folder);

const base = { version: 1, category: 'test', capabilities: [], description: 'a history fixture node', inputs: {} } as const;
const none = z.strictObject({});
const definitions = [
  defineNode({
    ...base,
    type: 'test.emit',
    title: 'Emits its value',
    params: z.strictObject({ value: z.unknown() }),
    outputs: { value: 'Json' },
    run: async (_ctx, _inputs, params) => ({ outputs: { value: params.value } }),
  }),
  defineNode({
    ...base,
    type: 'test.flaky',
    title: 'Fails its first attempt',
    light: true,
    params: none,
    outputs: { attempt: 'Json' },
    run: async (ctx) => {
      if (ctx.attempt < 2) throw new NodeFailure('first attempt fails');
      return { outputs: { attempt: ctx.attempt } };
    },
  }),
  defineNode({
    ...base,
    type: 'test.fail',
    title: 'Always fails',
    params: none,
    outputs: {},
    run: async () => {
      throw new NodeFailure('this node always fails');
    },
  }),
  defineNode({
    ...base,
    type: 'test.hold',
    title: 'Holds until cancelled',
    params: none,
    outputs: {},
    run: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
  }),
];
const catalog = catalogOf([...nodeTypes, ...definitions].map(nodeTypeInfo));

const server = await startDevServer();
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
const workers = await createWorkers({
  temporal: { address: server.address },
  queues: ['cpu'],
  definitions: [...(await loadNodeDefinitions()), ...definitions],
  store: new FolderArtifactStore(tempDir()),
  policy: TEST_WORKER_POLICY,
  logLevel: 'ERROR',
});
const running = workers.run();
const retry = { maxAttempts: 2, initialIntervalSeconds: 0.1 };

const shapes: { name: string; spec: PipelineSpec; params?: Record<string, unknown>; limits?: { maxHistoryEvents: number }; drive?: (h: WorkflowHandle) => Promise<void> }[] = [
  {
    name: 'dag',
    spec: spec(
      'history-dag',
      [
        { id: 'source', type: 'test.emit', params: { value: { $param: 'n' } } },
        { id: 'light', type: 'test.flaky', retry },
        { id: 'queued', type: 'test.emit', params: { value: { $output: 'source.value' } } },
        { id: 'join', type: 'core.noop' },
      ],
      [
        { from: 'source', to: 'light' },
        { from: 'source', to: 'queued' },
        { from: 'light', to: 'join' },
        { from: 'queued', to: 'join' },
      ],
      { maxParallel: 2 },
    ),
    params: { n: 3 },
  },
  {
    name: 'map',
    spec: spec('history-map', [{ id: 'each', type: 'test.emit', params: { value: { $item: '' } }, map: { items: { $param: 'items' }, maxParallel: 2 } }]),
    params: { items: [1, 2, 3, 4] },
  },
  {
    name: 'failure',
    spec: spec(
      'history-failure',
      [
        { id: 'broken', type: 'test.fail', retry },
        { id: 'below', type: 'core.noop' },
        { id: 'beside', type: 'test.emit', params: { value: 'ok' } },
      ],
      [{ from: 'broken', to: 'below' }],
    ),
  },
  {
    name: 'approval',
    spec: spec('history-approval', [{ id: 'review', type: 'gate.approval', params: { timeoutSeconds: 600 } }, { id: 'after', type: 'core.noop' }], [{ from: 'review', to: 'after' }]),
    drive: async (h) => {
      await until(h, (nodes) => nodes.review === 'running');
      await h.signal(APPROVAL_SIGNAL, { nodeId: 'review', decision: 'approve', by: 'recorder', comment: 'fixture' });
    },
  },
  {
    name: 'cancel',
    spec: spec('history-cancel', [{ id: 'held', type: 'test.hold' }, { id: 'after', type: 'core.noop' }], [{ from: 'held', to: 'after' }]),
    drive: async (h) => {
      await until(h, (nodes) => nodes.held === 'running');
      await h.cancel();
    },
  },
  {
    name: 'continue-as-new',
    spec: spec(
      'history-generations',
      Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, type: i % 2 ? 'core.noop' : 'test.emit', ...(i % 2 ? {} : { params: { value: i } }) })),
      Array.from({ length: 11 }, (_, i) => ({ from: `n${i}`, to: `n${i + 1}` })),
    ),
    limits: { maxHistoryEvents: 30 },
  },
];

async function until(h: WorkflowHandle, ok: (nodes: Record<string, string>) => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const state = await queryRun(h).catch(() => undefined);
    if (state && ok(Object.fromEntries(Object.entries(state.nodes).map(([id, n]) => [id, n.status])))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for run ${h.workflowId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

mkdirSync(out, { recursive: true });
try {
  for (const shape of shapes) {
    const handle = await startRun(client, { spec: shape.spec, params: shape.params ?? {}, catalog, ...(shape.limits ? { limits: shape.limits } : {}) });
    const done = awaitRun(handle);
    await shape.drive?.(handle);
    const state = await done;
    // Every generation of the run: walk back from the last (each names the one it continued), then
    // number them first to last.
    const histories = [];
    let runId: string | undefined = undefined;
    do {
      const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      histories.unshift(history);
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    } while (runId);
    histories.forEach((history, generation) => writeFileSync(join(out, `${shape.name}${generation ? `.${generation}` : ''}.json`), `${historyToJSON(history)}\n`));
    const generation = histories.length;
    console.log(`${shape.name}: run ${state.status}, ${generation} generation(s)`);
  }
} finally {
  await workers.shutdown();
  await running;
  await connection.close();
  await server.stop();
}
