import { randomUUID } from 'node:crypto';
import {
  type Client,
  type WorkflowHandle,
  WorkflowFailedError,
  CancelledFailure,
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import {
  CHANGES_QUERY,
  PIPELINE_WORKFLOW_TYPE,
  type RunInput,
  STATE_QUERY,
  WORKFLOW_TASK_QUEUE,
} from '../run/run-input';
import type { NodeState, RunChanges, RunState } from '../run/run-state';
import type { PipelineSpec } from '../spec/schema';

export interface StartRunOptions {
  spec: PipelineSpec;
  params: Record<string, unknown>;
  /** Defaults to `<pipeline>-<uuid>`; it is the Temporal workflow id. */
  runId?: string;
  trigger?: string;
  limits?: RunInput['limits'];
  /** Who starts the run (the API's authenticated actor), for the workers' capability checks. */
  startedBy?: RunInput['startedBy'];
  /** Searchable context kept with the workflow (the API stores pipeline id and version here). */
  memo?: Record<string, unknown>;
  /** Never start a second run with this id, even after the first has closed (webhook deliveries). */
  uniqueId?: boolean;
}

/** A run with the requested id exists already. */
export class RunExistsError extends Error {
  constructor(readonly runId: string) {
    super(`a run with id "${runId}" already exists`);
  }
}

/** Starts a run of a (validated) spec; the run id is the workflow id. */
export async function startRun(client: Client, options: StartRunOptions): Promise<WorkflowHandle> {
  const runId = options.runId ?? `${options.spec.name.replace(/[^\w-]/g, '-').slice(0, 80)}-${randomUUID()}`;
  const input: RunInput = {
    spec: options.spec,
    params: options.params,
    ...(options.trigger ? { trigger: options.trigger } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.startedBy ? { startedBy: options.startedBy } : {}),
  };
  try {
    return await client.workflow.start(PIPELINE_WORKFLOW_TYPE, {
      workflowId: runId,
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [input],
      ...(options.memo ? { memo: options.memo } : {}),
      ...(options.uniqueId ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new RunExistsError(runId);
    throw err;
  }
}

/**
 * Waits for the run to end and returns its final state, whether it succeeded, failed or was
 * cancelled. A cancelled workflow's close event carries no details, so its final state comes from
 * the state query (answered by replaying its history on a worker).
 */
export async function awaitRun(handle: WorkflowHandle): Promise<RunState> {
  try {
    return (await handle.result()) as RunState;
  } catch (err) {
    const state = stateFromFailure(err);
    if (state) return state;
    if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) return queryRun(handle);
    throw err;
  }
}

function stateFromFailure(err: unknown): RunState | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure || cause instanceof CancelledFailure) {
    const details = cause.details?.[0] as RunState | undefined;
    if (details && typeof details === 'object' && 'nodes' in details) return details;
  }
  return undefined;
}

/** The live state of a running run. */
export async function queryRun(handle: WorkflowHandle): Promise<RunState> {
  return handle.query<RunState>(STATE_QUERY);
}

/**
 * Polls the run and calls `onChange` for every node whose state changed, in the order the workflow
 * recorded the changes, until `done` settles; then reports what the final state adds. Query errors
 * while the run is between workflow tasks (continue-as-new, a worker restart) are retried.
 */
export async function watchRun(
  handle: WorkflowHandle,
  onChange: (nodeId: string, state: NodeState) => void,
  done: Promise<RunState>,
  intervalMs = 250,
): Promise<void> {
  let since = 0;
  let settled = false;
  const finished = done.then(
    (s) => s,
    () => undefined,
  );
  void finished.then(() => (settled = true));
  const seen = new Map<string, string>();
  const report = (nodes: Record<string, NodeState>) => {
    for (const [id, state] of Object.entries(nodes)) {
      const key = `${state.status}/${state.attempts}/${state.items?.done ?? ''}/${state.items?.failed ?? ''}`;
      if (seen.get(id) === key) continue;
      seen.set(id, key);
      onChange(id, state);
    }
  };
  while (!settled) {
    try {
      const changes = await handle.query<RunChanges, [number]>(CHANGES_QUERY, since);
      since = changes.version;
      if (!settled) report(changes.nodes);
    } catch {
      // Between generations, or already closed: `done` decides when to stop.
    }
    await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), finished]);
  }
  const final = await finished;
  if (final) report(final.nodes);
}
