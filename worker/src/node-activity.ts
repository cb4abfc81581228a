import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { type NodeFailureDetails, type NodeResult, type NodeTask, type PortMap, type PortValues, capabilityRefusal } from '@kiln/engine';
import { trustedStarter } from '@kiln/engine/temporal';
import { type NodeContext, type NodeDefinition, NodeFailure } from '@kiln/nodes/define-node';
import { AttemptLog } from '@kiln/artifacts/logs/attempt-log';
import { type ApiConnection, KilnApi, noApi } from '@kiln/nodes/platform/kiln-api';
import type { ArtifactStore } from '@kiln/artifacts/artifact-store';
import { portValueProblem } from '@kiln/engine';
import type { WorkerPolicy } from './worker-policy';
import { isReuseMiss, reuseOutputs } from './reuse';
import { WorkerNodeCache, cacheKeyOf, cachingOn } from './cache/node-cache';
import { type CoreGrant, CpuBudget } from './cpu-budget';

/** How often a running node tells Temporal it is alive (the worker throttles what it sends). */
const HEARTBEAT_EVERY_MS = 1000;

/**
 * Why this worker refuses to run a node of this type for the run's starter, or undefined. The
 * worker's own policy decides, whatever the API allowed: a run that reached Temporal some other way
 * is checked here all the same.
 */
export function refusalOf(def: NodeDefinition, task: Pick<NodeTask, 'nodeId' | 'startedBy'>, policy: WorkerPolicy, workflowId: string): string | undefined {
  // A role counts only when the API's seal on it verifies for this run.
  const { starter, unverified } = trustedStarter(policy.starterKeys, task.startedBy, workflowId);
  for (const capability of def.capabilities) {
    const why = capabilityRefusal(capability, policy.capabilities, starter);
    if (why) return `node "${task.nodeId}" (${def.type}) refused by this worker: ${why}${unverified ? `; ${unverified}` : ''}`;
  }
  return undefined;
}

/** The node's own memory limit, never above the worker's ceiling. */
export function memoryLimit(node: number | undefined, ceiling: number | undefined): { memoryMb?: number } {
  const limits = [node, ceiling].filter((m): m is number => m !== undefined);
  return limits.length > 0 ? { memoryMb: Math.min(...limits) } : {};
}

/**
 * Wraps a node definition as a Temporal activity: checks the type's capabilities against the
 * worker's policy and the run's starter, checks params, reuses a cached result (or waits for the
 * worker computing the same key, see `cache/`), heartbeats while the node runs,
 * enforces the node's timeout, forwards cancellation, and turns errors into failures that say
 * which attempt failed and whether another may follow.
 */
export function nodeActivity(
  def: NodeDefinition,
  store: ArtifactStore,
  policy: WorkerPolicy,
  api?: ApiConnection,
  cache: WorkerNodeCache = new WorkerNodeCache(store),
  cores: CpuBudget = new CpuBudget(policy.cpus ?? availableParallelism()),
): (task: NodeTask) => Promise<NodeResult> {
  return async (task) => {
    const activity = Context.current();
    const attempt = activity.info.attempt;
    const finalAttempt = attempt >= task.maxAttempts;
    const fail = (message: string, type: string, retryable = true) =>
      ApplicationFailure.create({
        message,
        type,
        nonRetryable: finalAttempt || !retryable,
        details: [{ attempt } satisfies NodeFailureDetails],
      });

    // Checked before any reuse too: a result is handed only to a run whose starter could have
    // computed it here (a viewer's run gets no `core.command` output, computed or reused).
    const refused = refusalOf(def, task, policy, activity.info.workflowExecution?.workflowId ?? '');
    if (refused) throw fail(refused, 'CapabilityRefused', false);

    let reuseMiss: string | undefined;
    if (task.reuse) {
      const reused = await reuseOutputs(task, task.reuse, def.outputs, store).catch((err: unknown) => ({ reason: `the store could not be asked: ${(err as Error).message}` }));
      if (!isReuseMiss(reused)) return reused;
      reuseMiss = `not reusing the result of run ${task.reuse.from.runId} (node "${task.reuse.from.nodeId}"): ${reused.reason}; running the node`;
    }

    const parsed = def.params.safeParse(task.params);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
      throw fail(`invalid params for ${def.type}: ${issues}`, 'InvalidParams', false);
    }

    // Port values: inputs and outputs are checked against their ports' schemas, so nodes never
    // guard by duck typing; a wrong value is a bug or bad data, not worth another attempt.
    const badInput = portValueProblem(task, 'input', def.inputs, task.inputs);
    if (badInput) throw fail(badInput, 'InvalidPortValue', false);

    const controller = new AbortController();
    let timedOut = false;
    const onCancel = () => controller.abort(activity.cancellationSignal.reason);
    activity.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    const timeout =
      task.timeoutSeconds !== undefined
        ? setTimeout(() => {
            timedOut = true;
            controller.abort(new Error('timeout'));
          }, task.timeoutSeconds * 1000)
        : undefined;
    let progress: Record<string, unknown> | undefined;
    let scratch: Promise<string> | undefined;
    // A local activity (a light type on the workflow worker) has no heartbeats: its workflow task is its pulse.
    const beat = activity.info.isLocal ? undefined : setInterval(() => activity.heartbeat(progress), HEARTBEAT_EVERY_MS);
    const cleanUp = () => {
      if (beat) clearInterval(beat);
      if (timeout) clearTimeout(timeout);
      activity.cancellationSignal.removeEventListener('abort', onCancel);
    };
    let cacheKey: string | undefined;
    let releaseLease: (() => Promise<void>) | undefined;
    if (cachingOn(def, task, parsed.data)) {
      try {
        cacheKey = await cacheKeyOf(def, task, parsed.data as Record<string, unknown>, store, controller.signal);
        const found = cacheKey === undefined ? undefined : await cache.lookup(def, task, cacheKey, controller.signal);
        if (found?.hit) {
          cleanUp();
          return found.hit;
        }
        if (found?.lease) releaseLease = cache.hold(found.lease);
      } catch (err) {
        if (controller.signal.aborted) {
          cleanUp();
          throw timedOut ? fail(`node "${task.nodeId}" timed out after ${task.timeoutSeconds} s`, 'Timeout') : new CancelledFailure(`node "${task.nodeId}" was cancelled`);
        }
        // The cache is an optimisation: a store that cannot answer must not fail the node.
        console.warn(`kiln worker: node cache lookup for "${task.nodeId}" (${def.type}) failed, running it: ${(err as Error).message}`);
        cacheKey = undefined;
      }
    }
    const log = new AttemptLog(store, { runId: task.runId, nodeId: task.nodeId, attempt, ...(task.item ? { item: task.item.index } : {}) });
    log.start();
    if (reuseMiss) log.logger.info(reuseMiss);
    let outcome: 'succeeded' | 'failed' | 'cancelled' = 'failed';
    let granted: CoreGrant | undefined;
    const ctx: NodeContext = {
      runId: task.runId,
      pipeline: task.pipeline,
      nodeId: task.nodeId,
      attempt,
      queue: activity.info.taskQueue,
      signal: controller.signal,
      progress: (details) => (progress = details),
      log: log.logger,
      ...(task.item ? { item: task.item } : {}),
      store,
      scratchDir: () => (scratch ??= mkdtemp(join(tmpdir(), `kiln-${task.nodeId.slice(0, 40)}-`))),
      api: () => {
        if (!api) throw noApi(def.type);
        return new KilnApi(api, controller.signal);
      },
      userCode: {
        ...(policy.runAs ? { runAs: policy.runAs } : {}),
        ...memoryLimit(task.memoryMb, policy.memoryMb),
      },
      get cpus() {
        return granted?.cores;
      },
      keepCores: (cores) => granted?.keep(cores),
    };
    try {
      if (task.cpu !== undefined) {
        // Cache hits above took no cores; a node that runs holds its share until it ends.
        granted = await cores.acquire(task.cpu, controller.signal, (inUse) =>
          log.logger.info(`waiting for ${Math.min(task.cpu!, cores.total)} of this worker's ${cores.total} cores (${inUse} in use)`),
        );
      }
      // The inputs were checked against their ports' schemas above.
      const result = await def.run(ctx, task.inputs as PortValues<PortMap>, parsed.data);
      const badOutput = portValueProblem(task, 'output', def.outputs, result.outputs);
      if (badOutput) throw new NodeFailure(badOutput, { type: 'InvalidPortValue', retryable: false });
      outcome = 'succeeded';
      if (cacheKey !== undefined) {
        await cache.record(def, task, cacheKey, result).catch((err: Error) => {
          console.warn(`kiln worker: could not record "${task.nodeId}" (${def.type}) in the node cache: ${err.message}`);
        });
      }
      return {
        outputs: result.outputs,
        attempt,
        ...(result.skipDownstream ? { skipDownstream: result.skipDownstream } : {}),
      };
    } catch (err) {
      // The first line only: a command's failure repeats its output, which the log already holds.
      log.logger.warn(`attempt ${attempt} failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
      if (activity.cancellationSignal.aborted) {
        outcome = 'cancelled';
        // The worker is shutting down and the grace period is over: hand the node back (retryable,
        // even on the node's last attempt; Temporal allows two more for attempts lost with workers).
        const reason = activity.cancellationSignal.reason as { message?: string } | undefined;
        if (reason?.message === 'WORKER_SHUTDOWN' && !activity.cancellationDetails?.cancelRequested) {
          throw ApplicationFailure.create({ message: `node "${task.nodeId}" was handed back: its worker shut down`, type: 'WorkerShutdown', nonRetryable: false, details: [{ attempt } satisfies NodeFailureDetails] });
        }
        throw new CancelledFailure(`node "${task.nodeId}" was cancelled`);
      }
      if (timedOut) throw fail(`node "${task.nodeId}" timed out after ${task.timeoutSeconds} s`, 'Timeout');
      if (err instanceof NodeFailure) throw fail(err.message, err.type, err.retryable);
      const error = err instanceof Error ? err : new Error(String(err));
      throw fail(error.message, error.name || 'Error');
    } finally {
      granted?.release();
      await finishLog(log, outcome);
      await releaseLease?.().catch(() => {});
      if (scratch) await rm(await scratch, { recursive: true, force: true }).catch(() => {});
      cleanUp();
    }
  };
}

/** How long the end of an attempt waits for its log to reach the store (a store outage must not hold the node). */
const LOG_FINISH_MS = 10_000;

async function finishLog(log: AttemptLog, outcome: 'succeeded' | 'failed' | 'cancelled'): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([log.finish(outcome), new Promise((resolve) => (timer = setTimeout(resolve, LOG_FINISH_MS)))]);
  clearTimeout(timer);
}
