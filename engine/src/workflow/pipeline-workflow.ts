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
  type RunInput,
  STATE_QUERY,
} from '../run/run-input';
import type { RunChanges, RunState } from '../run/run-state';
import { RunScheduler } from './run-scheduler';

export const stateQuery = defineQuery<RunState>(STATE_QUERY);
export const changesQuery = defineQuery<RunChanges, [number]>(CHANGES_QUERY);
export const approvalSignal = defineSignal<[ApprovalDecision]>(APPROVAL_SIGNAL);

/**
 * Runs any pipeline spec. Returns the final run state when every node succeeded (or was skipped by a
 * gate); fails with the state in the failure's details when a node failed; on cancellation, cancels
 * running nodes, waits for them to stop, and ends cancelled with the state in the details.
 * Continues as new (carrying node states) before its history grows past the limits.
 */
export async function pipelineWorkflow(input: RunInput): Promise<RunState> {
  // The run id is the workflow id, whoever started it (the API, a schedule, a webhook).
  const run = new RunScheduler(input, workflowInfo().workflowId);
  setHandler(stateQuery, () => run.state);
  setHandler(changesQuery, (since: number) => run.changesSince(since));
  setHandler(approvalSignal, (decision) => void run.decide(decision));

  const maxEvents = input.limits?.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const maxBytes = input.limits?.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES;
  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    return info.historyLength >= maxEvents || info.historySize >= maxBytes;
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
    await continueAsNew<typeof pipelineWorkflow>({ ...input, resume: run.resumeState() });
  }
  const state = run.finish();
  if (state.status === 'cancelled') throw new CancelledFailure('the run was cancelled', [state]);
  if (state.status === 'failed') {
    const failed = Object.entries(state.nodes)
      .filter(([, n]) => n.status === 'failed')
      .map(([id, n]) => `node "${id}" failed: ${n.error?.message ?? 'unknown error'}`);
    throw ApplicationFailure.create({
      type: 'KilnRunFailed',
      message: failed.join('; '),
      nonRetryable: true,
      details: [state],
    });
  }
  return state;
}
