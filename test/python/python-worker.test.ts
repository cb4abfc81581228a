// The Python worker (sdk/python) on real Temporal beside Kiln's TypeScript workers, sharing one folder
// artifact store: a pipeline mixing built-in and Python nodes runs end to end (TypeScript reads the
// Arrow and ONNX Python wrote, Python reads the Arrow TypeScript wrote); a Python exception fails its
// node with the traceback; cancellation and the node's timeout stop the attempt's processes.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FolderArtifactStore } from '@kiln/artifacts';
import { logAttempts, readAttemptLog } from '@kiln/artifacts/logs';
import { computeFileStats } from '@kiln/tabular';
import { type DatasetValue, type ModelValue, type PipelineSpec, rerunReuse } from '@kiln/engine';
import { catalog } from '@kiln/nodes';
import { awaitRun, startRun } from '@kiln/engine/temporal';
import { type Harness, openHarness, spec, tempDir, waitFor } from '../support/harness';
import {
  PYTHON_EXAMPLE_DIR,
  REPO,
  type PythonWorker,
  sdkPython,
  startPythonWorker,
} from '../support/python-sdk';

const QUEUE = 'python-test';
const artifactsDir = tempDir('kiln-py-artifacts-');
const store = new FolderArtifactStore(artifactsDir);
let h: Harness;
let worker: PythonWorker;

beforeAll(async () => {
  const [python, harness] = await Promise.all([sdkPython(), openHarness({ queues: ['cpu'], artifactsDir })]);
  h = harness;
  worker = await startPythonWorker({
    python,
    modules: ['churn_nodes', 'fixture_nodes'],
    queue: QUEUE,
    paths: [PYTHON_EXAMPLE_DIR, import.meta.dirname],
    env: { TEMPORAL_ADDRESS: h.address, KILN_ARTIFACTS: artifactsDir },
    args: ['--no-register'],
  });
}, 900_000);
afterAll(async () => {
  expect(await worker?.stop()).toBe(0);
  await h?.close();
});

/** Starts a run of a spec holding Python node types (no validation: the built-in catalog does not list them). */
function startSpec(s: PipelineSpec) {
  return startRun(h.client, { spec: s, params: {}, catalog });
}

const py = (
  id: string,
  type: string,
  params: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) => ({ id, type, params, resources: { queue: QUEUE }, ...extra });

it('runs ingest.file → Python features → Python trainer → evaluate.model → gate.metrics, each side reading what the other wrote', async () => {
  const s = spec(
    'python-mixed',
    [
      {
        id: 'ingest',
        type: 'ingest.file',
        params: {
          uri: join(REPO, 'examples/churn/churn.csv'),
          format: 'csv',
          types: { churned: 'int', senior_citizen: 'int' },
        },
      },
      py('features', 'churn_py.features', { target: 'churned' }),
      py('train', 'churn_py.train_sklearn', { target: 'churned', drop: ['customer_id'] }),
      { id: 'evaluate', type: 'evaluate.model', params: { latencyRows: 0 } },
      { id: 'gate', type: 'gate.metrics', params: { rules: [{ metric: 'roc_auc', op: '>=', value: 0.75 }] } },
    ],
    [
      { from: 'ingest.dataset', to: 'features.dataset' },
      { from: 'features.train', to: 'train.train' },
      { from: 'train.model', to: 'evaluate.model' },
      { from: 'features.test', to: 'evaluate.dataset' },
      { from: 'evaluate.metrics', to: 'gate.metrics' },
    ],
  );
  const state = await awaitRun(await startSpec(s));
  expect(state.status, JSON.stringify(state.nodes, null, 1).slice(0, 4000)).toBe('succeeded');
  expect(state.nodes.features!.queue).toBe(QUEUE);

  // Python's datasets: Kiln's Arrow column types, and the statistics TypeScript computes from the file.
  const train = state.nodes.features!.outputs!.train as DatasetValue;
  expect(train.rowCount + (state.nodes.features!.outputs!.test as DatasetValue).rowCount).toBe(2000);
  expect(train.schema).toEqual(
    expect.arrayContaining([
      { name: 'tenure_months', type: 'int', nullable: false },
      { name: 'monthly_charges', type: 'float', nullable: true },
      { name: 'contract', type: 'string', nullable: false },
      { name: 'is_month_to_month', type: 'int', nullable: false },
    ]),
  );
  const path = await store.localPath(train.artifact.digest);
  const tsStats = await computeFileStats(path, train.schema);
  for (const [i, ts] of tsStats.entries()) {
    const pyStats = train.stats[i]! as Record<string, unknown>;
    if (ts.kind === 'numeric') {
      const { mean, std, ...exact } = ts;
      expect(pyStats).toMatchObject(exact);
      expect(pyStats.mean as number).toBeCloseTo(mean!, 9);
      expect(pyStats.std as number).toBeCloseTo(std!, 9);
    } else expect(pyStats).toEqual(ts);
  }

  // Python's model: ONNX in the store under the sha256 of its bytes, with the signature Kiln's trainers give.
  const model = state.nodes.train!.outputs!.model as ModelValue;
  expect(model).toMatchObject({
    task: 'binary',
    classes: [0, 1],
    target: 'churned',
    artifact: { mediaType: 'application/onnx' },
  });
  const bytes = await store.get(model.artifact.digest); // verifies the digest
  expect(bytes.byteLength).toBe(model.artifact.size);
  expect(model.features.map((f) => f.name)).not.toContain('customer_id');
  expect(model.features).toContainEqual({ name: 'contract', type: 'string' });

  // TypeScript scored it; the gate passed on its ROC-AUC.
  const metrics = state.nodes.evaluate!.outputs!.metrics as { values: Record<string, number> };
  expect(metrics.values.roc_auc).toBeGreaterThan(0.8);
  expect(metrics.values.rows).toBe(500);
  expect((state.nodes.gate!.outputs!.decision as { passed: boolean }).passed).toBe(true);
  expect(
    (state.nodes.train!.outputs!.metrics as { values: Record<string, number> }).values.train_roc_auc,
  ).toBeGreaterThan(0.8);

  // Re-run from the evaluation on: the Python nodes reuse their outputs (their artifacts are stored);
  // once the model is gone from the store, the trainer runs again and its log says why.
  const again = await awaitRun(
    await startRun(h.client, { spec: s, params: {}, catalog, reuse: rerunReuse(s, state, ['evaluate']) }),
  );
  expect(again.status).toBe('succeeded');
  expect(again.nodes.features).toMatchObject({
    status: 'cached',
    cachedFrom: { runId: state.runId, nodeId: 'features' },
  });
  expect(again.nodes.train).toMatchObject({ status: 'cached', attempts: 0 });
  expect(again.nodes.evaluate!.status).toBe('succeeded');
  rmSync(await store.localPath(model.artifact.digest));
  const third = await awaitRun(
    await startRun(h.client, { spec: s, params: {}, catalog, reuse: rerunReuse(s, state, ['evaluate']) }),
  );
  expect(third.status).toBe('succeeded');
  expect(third.nodes.features!.status).toBe('cached');
  expect(third.nodes.train).toMatchObject({ status: 'succeeded', attempts: 1 });
  const trainLog = await readAttemptLog(store, { runId: third.runId, nodeId: 'train', attempt: 1 });
  expect(trainLog.lines[0]!.m).toBe(
    `not reusing the result of run ${state.runId} (node "train"): artifact ${model.artifact.digest} no longer in the store; running the node`,
  );
});

it('fails a node whose Python function raises, with the traceback, after its retries', async () => {
  const state = await awaitRun(
    await startSpec(
      spec('python-raise', [
        py(
          'boom',
          'kiln_test.explode',
          { rows: 0 },
          { retry: { maxAttempts: 2, initialIntervalSeconds: 0.1 } },
        ),
      ]),
    ),
  );
  expect(state.status).toBe('failed');
  const node = state.nodes.boom!;
  expect(node.status).toBe('failed');
  expect(node.attempts).toBe(2);
  expect(node.error!.type).toBe('ZeroDivisionError');
  const message = node.error!.message;
  expect(message.split('\n')[0]).toBe('ZeroDivisionError: division by zero');
  expect(message).toContain('Traceback (most recent call last):');
  expect(message).toMatch(/fixture_nodes\.py", line \d+, in explode/);
  expect(message).toMatch(/fixture_nodes\.py", line \d+, in _check_ratio\n\s+return 1 \/ rows/);

  // Each attempt's log, where kiln logs and the studio read logs: prints, ctx.log, a child's stderr.
  expect(await logAttempts(store, state.runId, 'boom')).toEqual([{ attempt: 1 }, { attempt: 2 }]);
  const log = await readAttemptLog(store, { runId: state.runId, nodeId: 'boom', attempt: 2 });
  expect(log.end).toMatchObject({ outcome: 'failed', lines: 4, droppedLines: 0 });
  expect(log.lines.map((l) => l.n)).toEqual([1, 2, 3, 4]);
  // Streams are read side by side, so their lines interleave as they arrive; the failure comes last.
  expect(log.lines.slice(0, 3).map((l) => [l.s, l.m])).toEqual(
    expect.arrayContaining([
      ['stdout', 'checking 0 rows'],
      ['info', 'about to divide'],
      ['stderr', 'from a child process'],
    ]),
  );
  expect(log.lines[3]).toMatchObject({
    s: 'warn',
    m: 'attempt 2 failed: ZeroDivisionError: division by zero',
  });
});

it('refuses bad params before running the function', async () => {
  const state = await awaitRun(
    await startSpec(
      spec('python-params', [
        py('boom', 'kiln_test.explode', { rows: 'many', extra: 1 }, { retry: { maxAttempts: 3 } }),
      ]),
    ),
  );
  const node = state.nodes.boom!;
  expect(node.error!.type).toBe('InvalidParams');
  expect(node.attempts).toBe(1);
  expect(node.error!.message).toMatch(
    /^invalid params for kiln_test\.explode: extra: unknown param .*; rows: Input should be a valid integer/,
  );
});

/** Whether a process exists (a zombie counts as gone: it runs nothing). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function pidsOnceRunning(pidFile: string): Promise<number[]> {
  for (;;) {
    try {
      const pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
      if (pids.length === 2) return pids;
    } catch {
      // Not written yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('reports the running node’s progress in its heartbeats and its log live; cancelling the run stops the node and the process it started', async () => {
  const pidFile = join(tempDir(), 'pids');
  const handle = await startSpec(
    spec('python-cancel', [py('spin', 'kiln_test.spin', { pid_file: pidFile })]),
  );
  const [node, child] = await pidsOnceRunning(pidFile);
  expect(alive(node!) && alive(child!)).toBe(true);
  await waitFor(handle, (s) => s.nodes.spin!.status === 'running');
  // The node's ctx.progress reaches Temporal as the activity's heartbeat details (JSON, as the API reads them).
  const progress = async () => {
    const details = (await handle.describe()).raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
    return details ? (defaultPayloadConverter.fromPayload(details) as { tick: number }) : undefined;
  };
  let beat = await progress();
  while (!beat) {
    await new Promise((r) => setTimeout(r, 200));
    beat = await progress();
  }
  expect(beat.tick).toBeGreaterThan(0);
  // Its print is in the store while it runs (a live segment, as `kiln logs -f` and the studio read it).
  const attempt = { runId: handle.workflowId, nodeId: 'spin', attempt: 1 };
  let live = await readAttemptLog(store, attempt);
  for (let i = 0; i < 100 && live.lines.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    live = await readAttemptLog(store, attempt);
  }
  expect(live.end).toBeUndefined();
  expect(live.lines.map((l) => [l.s, l.m])).toEqual([['stdout', 'spinning until stopped']]);
  await handle.cancel();
  const state = await awaitRun(handle);
  // The workflow waits for the activity to report its cancellation, which the worker does once the
  // node's process group is gone.
  expect(state.status).toBe('cancelled');
  expect(state.nodes.spin!.status).toBe('cancelled');
  expect((await readAttemptLog(store, { runId: state.runId, nodeId: 'spin', attempt: 1 })).end?.outcome).toBe(
    'cancelled',
  );
  expect(alive(node!)).toBe(false);
  expect(alive(child!)).toBe(false);
});

it('stops a node at its timeout, with the processes it started', async () => {
  const pidFile = join(tempDir(), 'pids');
  const state = await awaitRun(
    await startSpec(
      spec('python-timeout', [py('spin', 'kiln_test.spin', { pid_file: pidFile }, { timeoutSeconds: 3 })]),
    ),
  );
  expect(state.nodes.spin!.error).toEqual({ type: 'Timeout', message: 'node "spin" timed out after 3 s' });
  const [node, child] = await pidsOnceRunning(pidFile);
  expect(alive(node!)).toBe(false);
  expect(alive(child!)).toBe(false);
});
