import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import { DEFAULT_HEARTBEAT_TIMEOUT_SECONDS } from '../spec/defaults';
import type { NodeSpec } from '../spec/schema';
import { queueOf } from '../run/queue';
import { DEFAULT_NODE_TIMEOUT_SECONDS, INFRA_RETRY_ALLOWANCE, REGISTERED_SCHEDULE_TO_START_SECONDS } from '../run/run-input';


/**
 * A node's retry and timeout policy on Temporal's terms. The worker enforces `timeoutSeconds` itself
 * and marks the last allowed attempt final, so Temporal's own limits are a backstop: a little longer
 * than the node's timeout, and a few extra attempts for workers that die mid-task.
 */
export function activityOptionsOf(node: NodeSpec, queueSuffix = '', typeQueues?: Readonly<Record<string, string>>): ActivityOptions {
  const registered = typeQueues?.[node.type] !== undefined;
  return {
    taskQueue: queueOf(node, typeQueues) + queueSuffix,
    ...(registered ? { scheduleToStartTimeout: `${REGISTERED_SCHEDULE_TO_START_SECONDS}s` } : {}),
    heartbeatTimeout: `${node.heartbeatTimeoutSeconds ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS}s`,
    ...localActivityOptionsOf(node),
  };
}

/**
 * The same policy for a node run as a local activity (a light type, on the workflow worker): the
 * same timeout backstop and retries, no queue and no heartbeats (the workflow worker runs it).
 */
export function localActivityOptionsOf(node: NodeSpec): LocalActivityOptions & { retry: RetryPolicy } {
  const retry = node.retry ?? {};
  const maxAttempts = retry.maxAttempts ?? 1;
  const initial = retry.initialIntervalSeconds ?? 1;
  return {
    startToCloseTimeout: `${(node.timeoutSeconds ?? DEFAULT_NODE_TIMEOUT_SECONDS) + 30}s`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      maximumAttempts: maxAttempts + INFRA_RETRY_ALLOWANCE,
      initialInterval: `${initial}s`,
      backoffCoefficient: retry.backoffCoefficient ?? 2,
      maximumInterval: `${retry.maximumIntervalSeconds ?? initial * 100}s`,
      nonRetryableErrorTypes: retry.nonRetryableErrors ?? [],
    },
  };
}
