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
  INLINE_SPEC_BYTES,
  MAX_PAYLOAD_BYTES,
  PIPELINE_WORKFLOW_TYPE,
  type RunInput,
  STATE_QUERY,
  type SpecRef,
  WORKFLOW_TASK_QUEUE,
} from '../run/run-input';
import {
  type PackedRunChanges,
  type PackedRunState,
  isPackedRunState,
  jsonBytes,
  unpackRunChanges,
  unpackRunState,
} from '../run/packed-state';
import type { NodeState, RunChanges, RunState } from '../run/run-state';
import type { NodeReuse } from '../run/node-task';
import type { PipelineSpec } from '../spec/schema';
import type { Catalog } from '../catalog/node-type-info';
import { localTypesOf, typeQueuesOf } from '../run/queue';
import { typeResourcesOf } from '../run/resources';

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
  /** Appended to every task queue of the run (see `RunInput.queueSuffix`); its workers serve the same. */
  queueSuffix?: string;
  /**
   * Results of an earlier run to reuse, by node id (re-run from failure). Over `INLINE_SPEC_BYTES`
   * they go to the spec store, like a large spec.
   */
  reuse?: Record<string, NodeReuse>;
  /** Never start a second run with this id, even after the first has closed (webhook deliveries). */
  uniqueId?: boolean;
  /**
   * Where a spec over `INLINE_SPEC_BYTES` is kept (the artifact store the workers read); without
   * one, large specs go inline, and one too large for a Temporal payload is refused.
   */
  specStore?: SpecStore;
  /**
   * The node types' catalog: nodes of the types it declares light run as local activities on the
   * workflow worker (without one, every node goes through its task queue).
   */
  catalog?: Catalog;
  /** False: the run neither reads nor writes the node cache (see `RunInput.cache`). */
  cache?: boolean;
}

/** Keeps a spec's JSON and returns its digest (workers read it back with the `kiln.readSpec` activity). */
export interface SpecStore {
  put(json: string): Promise<string>;
}

/** A run with the requested id exists already. */
export class RunExistsError extends Error {
  constructor(readonly runId: string) {
    super(`a run with id "${runId}" already exists`);
  }
}

/** The run's input would not fit in one Temporal payload (a spec or params too large). */
export class RunTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(
      `the run's input (spec, params and reused results) comes to ${bytes} bytes as JSON, over the ${MAX_PAYLOAD_BYTES}-byte limit of one Temporal payload; ` +
        'keep large data out of params (artifacts), and give large specs a spec store',
    );
  }
}

/** What builds a run's input: the spec (inline, or by digest through a spec store), params and context. */
export type RunInputOptions = Pick<
  StartRunOptions,
  'spec' | 'params' | 'trigger' | 'limits' | 'startedBy' | 'specStore' | 'catalog' | 'queueSuffix' | 'reuse' | 'cache'
>;

/**
 * The input a run starts with, whoever starts it (a direct start or a Temporal Schedule's action):
 * a spec over `INLINE_SPEC_BYTES` goes to the spec store and the input carries its digest. Throws
 * {@link RunTooLargeError} when the input would not fit in one Temporal payload.
 */
export async function runInputOf(options: RunInputOptions): Promise<RunInput> {
  let specPart: Pick<RunInput, 'spec'> | { specRef: SpecRef } = { spec: options.spec };
  if (options.specStore && jsonBytes(options.spec) > INLINE_SPEC_BYTES) {
    const json = JSON.stringify(options.spec);
    specPart = { specRef: { digest: await options.specStore.put(json), length: json.length } };
  }
  let reusePart: Pick<RunInput, 'reuse' | 'reuseRef'> = options.reuse ? { reuse: options.reuse } : {};
  if (options.reuse && options.specStore && jsonBytes(options.reuse) > INLINE_SPEC_BYTES) {
    const json = JSON.stringify(options.reuse);
    reusePart = { reuseRef: { digest: await options.specStore.put(json), length: json.length } };
  }
  const input = {
    ...specPart,
    ...reusePart,
    params: options.params,
    ...(options.trigger ? { trigger: options.trigger } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.startedBy ? { startedBy: options.startedBy } : {}),
    ...(options.catalog ? { localTypes: localTypesOf(options.spec, options.catalog) } : {}),
    ...typeQueuesPart(options.spec, options.catalog),
    ...typeResourcesPart(options.spec, options.catalog),
    ...(options.queueSuffix ? { queueSuffix: options.queueSuffix } : {}),
    ...(options.cache === false ? { cache: false } : {}),
  } as RunInput;
  const bytes = jsonBytes(input);
  if (bytes > MAX_PAYLOAD_BYTES) throw new RunTooLargeError(bytes);
  return input;
}

function typeQueuesPart(spec: PipelineSpec, catalog: Catalog | undefined): { typeQueues?: Record<string, string> } {
  const typeQueues = catalog ? typeQueuesOf(spec, catalog) : {};
  return Object.keys(typeQueues).length > 0 ? { typeQueues } : {};
}

function typeResourcesPart(spec: PipelineSpec, catalog: Catalog | undefined): Pick<RunInput, 'typeResources'> {
  const typeResources = catalog ? typeResourcesOf(spec, catalog) : {};
  return Object.keys(typeResources).length > 0 ? { typeResources } : {};
}

/** Starts a run of a (validated) spec; the run id is the workflow id. */
export async function startRun(client: Client, options: StartRunOptions): Promise<WorkflowHandle> {
  const runId = options.runId ?? `${options.spec.name.replace(/[^\w-]/g, '-').slice(0, 80)}-${randomUUID()}`;
  const input = await runInputOf(options);
  try {
    return await client.workflow.start(PIPELINE_WORKFLOW_TYPE, {
      workflowId: runId,
      taskQueue: WORKFLOW_TASK_QUEUE + (options.queueSuffix ?? ''),
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
    return unpackRunState((await handle.result()) as PackedRunState);
  } catch (err) {
    const state = stateFromFailure(err);
    if (state) return state;
    if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) return queryClosedRun(handle);
    throw err;
  }
}

/**
 * The state of a run that has just closed. A worker answers by replaying its history, but a query
 * that reaches the worker while it is still completing the run is buffered and then dropped when the
 * run leaves its cache ("leftover buffered tasks when evicting run"); the server then waits out its
 * own 30 s before failing it (seen in 2 of 5 Ctrl-Cs of `kiln run`: 30 s late, or exit 1). So each
 * attempt has a deadline, 1 s at first and doubling (a long history takes longer to replay), and a
 * lost query is asked again: about 1 s late in that race.
 */
async function queryClosedRun(handle: WorkflowHandle): Promise<RunState> {
  for (let attempt = 1, deadlineMs = 1_000; ; attempt++, deadlineMs *= 2) {
    try {
      return await handle.client.withDeadline(Date.now() + deadlineMs, () => queryRun(handle));
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

function stateFromFailure(err: unknown): RunState | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure || cause instanceof CancelledFailure) {
    const details: unknown = cause.details?.[0];
    if (isPackedRunState(details)) return unpackRunState(details);
  }
  return undefined;
}

/** The live state of a running run. */
export async function queryRun(handle: WorkflowHandle): Promise<RunState> {
  return unpackRunState(await handle.query<PackedRunState>(STATE_QUERY));
}

/** The nodes whose state changed after version `since` (0: all), and the version reached. */
export async function queryChanges(handle: WorkflowHandle, since: number): Promise<RunChanges> {
  return unpackRunChanges(await handle.query<PackedRunChanges, [number]>(CHANGES_QUERY, since));
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
      const changes = await queryChanges(handle, since);
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
