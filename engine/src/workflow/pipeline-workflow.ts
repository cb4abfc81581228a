import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { APPROVAL_SIGNAL, type ApprovalDecision } from '../run/approval';
import {
  CHANGES_QUERY,
  DEFAULT_MAX_HISTORY_BYTES,
  DEFAULT_MAX_HISTORY_EVENTS,
  MAX_PAYLOAD_BYTES,
  type RunInput,
  STATE_QUERY,
} from '../run/run-input';
import { type PackedRunChanges, type PackedRunState, jsonBytes, packRunState } from '../run/packed-state';
import type { RunState } from '../run/run-state';
import { RunScheduler } from './run-scheduler';
import { readSpec, readStoredJson } from './read-spec';
import type { NodeReuse } from '../run/node-task';

export const stateQuery = defineQuery<PackedRunState>(STATE_QUERY);
export const changesQuery = defineQuery<PackedRunChanges, [number]>(CHANGES_QUERY);
export const approvalSignal = defineSignal<[ApprovalDecision]>(APPROVAL_SIGNAL);

/**
 * Runs any pipeline spec. Returns the final run state (packed: clients read it through
 * `awaitRun`) when every node succeeded (or was skipped by a gate); fails with the state in the
 * failure's details when a node failed; on cancellation, cancels running nodes, waits for them to
 * stop, and ends cancelled with the state in the details. Continues as new (carrying packed node
 * states) before its history grows past the limits. Whatever would outgrow one Temporal payload
 * fails the run with `KilnRunTooLarge` instead (Temporal would refuse it and retry the task forever).
 */
export async function pipelineWorkflow(input: RunInput): Promise<PackedRunState> {
  // Not cancellable (a few seconds at most): a cancellation that arrives meanwhile reaches the
  // scheduler below, which then ends the run cancelled with every node's state.
  const spec = input.spec ?? (await CancellationScope.nonCancellable(() => readSpec(input.specRef)));
  const reuseRef = input.reuseRef;
  const reuse = reuseRef ? await CancellationScope.nonCancellable(() => readStoredJson<Record<string, NodeReuse>>(reuseRef, 'reuse')) : input.reuse;
  // The run id is the workflow id, whoever started it (the API, a schedule, a webhook).
  const run = new RunScheduler(input, spec, workflowInfo().workflowId, reuse);
  setHandler(stateQuery, () => packRunState(run.state));
  setHandler(changesQuery, (since: number) => run.changesSince(since));
  setHandler(approvalSignal, (decision) => void run.decide(decision));

  const maxEvents = input.limits?.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const maxBytes = input.limits?.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES;
  // Reading a stored spec puts it in this generation's history; only what the run adds counts.
  const { historyLength: baseEvents, historySize: baseBytes } = workflowInfo();
  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    return info.historyLength - baseEvents >= maxEvents || info.historySize - baseBytes >= maxBytes;
  };

  try {
    run.pump(shouldContinueAsNew);
    await condition(() => run.idle);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    run.cancel();
    // Cancelled activities report back once their processes are gone; wait for that.
    await CancellationScope.nonCancellable(() => condition(() => run.idle));
  }

  if (run.drainingFor === 'continueAsNew') {
    const next: RunInput = { ...input, resume: run.resumeState() };
    const bytes = jsonBytes(next);
    if (bytes > MAX_PAYLOAD_BYTES) throw tooLarge(`the state carried to the next generation (spec, params, node states and outputs) comes to ${bytes} bytes`, run.state);
    await continueAsNew<typeof pipelineWorkflow>(next);
  }
  const state = run.finish();
  const packed = packRunState(state);
  const bytes = jsonBytes(packed);
  const fits = bytes <= MAX_PAYLOAD_BYTES;
  if (state.status === 'cancelled') throw new CancelledFailure('the run was cancelled', fits ? [packed] : []);
  if (!fits) throw tooLarge(`the final state (node states and outputs) comes to ${bytes} bytes`, state);
  if (state.status === 'failed') {
    const failed = Object.entries(state.nodes)
      .filter(([, n]) => n.status === 'failed')
      .map(([id, n]) => `node "${id}" failed: ${n.error?.message ?? 'unknown error'}`);
    throw ApplicationFailure.create({
      type: 'KilnRunFailed',
      message: failed.join('; '),
      nonRetryable: true,
      details: [packed],
    });
  }
  return packed;
}

/** The run cannot go on within Temporal's payload limit: fail it, saying how far it got. */
function tooLarge(what: string, state: RunState): ApplicationFailure {
  const counts: Record<string, number> = {};
  for (const node of Object.values(state.nodes)) counts[node.status] = (counts[node.status] ?? 0) + 1;
  const progress = Object.entries(counts).map(([status, n]) => `${n} ${status}`).join(', ');
  return ApplicationFailure.create({
    type: 'KilnRunTooLarge',
    message: `${what}, over the ${MAX_PAYLOAD_BYTES}-byte limit of one Temporal payload (nodes: ${progress}); keep node outputs small (large data belongs in artifacts) or split the pipeline`,
    nonRetryable: true,
  });
}
