import { availableParallelism } from 'node:os';
import { DefaultLogger, type LogLevel, NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { READ_SPEC_ACTIVITY, WORKFLOW_TASK_QUEUE } from '@kiln/engine';
import { type TemporalTarget, temporalConnectError, temporalConnectionOptions } from '@kiln/engine/temporal';
import type { NodeDefinition } from '@kiln/nodes/define-node';
import { loadNodeDefinitions } from '@kiln/nodes/catalog';
import { nodeActivity } from './node-activity';
import { type ApiConnection, apiConnectionFromEnv } from '@kiln/nodes/platform/kiln-api';
import type { ArtifactStore } from '@kiln/artifacts/artifact-store';
import { defaultArtifactStore } from '@kiln/artifacts/default-store';
import { readSpecActivity } from './read-spec-activity';
import { workflowBundle } from './workflow-bundle';
import { type WorkerPolicy, workerPolicyFromEnv } from './worker-policy';
import { WorkerNodeCache } from './cache/node-cache';
import { CpuBudget } from './cpu-budget';

export interface WorkerSetOptions {
  /** Where Temporal is and how to connect (TLS, API key); see `temporalSettings`. */
  temporal: TemporalTarget;
  /** Activity task queues to serve, e.g. `["cpu", "gpu"]`. */
  queues: readonly string[];
  /** Appended to every queue served, the workflow queue included (runs started with the same `queueSuffix`). */
  queueSuffix?: string;
  /** Also run pipeline workflows (on the `kiln-workflows` queue). */
  workflows?: boolean;
  /** Nodes run at once per queue. */
  concurrency?: number;
  /** Node definitions to serve (default: every node type's, loaded at start). */
  definitions?: readonly NodeDefinition[];
  /** Where nodes keep artifacts (default: the folder store under `$KILN_HOME/artifacts`). */
  store?: ArtifactStore;
  /** The Kiln API for nodes that need it (default: KILN_API_URL + KILN_API_TOKEN, if set). */
  api?: ApiConnection;
  /**
   * What nodes may do here (default: from this process's environment, `workerPolicyFromEnv`: user
   * code refused unless KILN_ALLOW_USER_CODE says otherwise).
   */
  policy?: WorkerPolicy;
  /**
   * On shutdown, how long running nodes may take to finish after polling stops (default 5 s); nodes
   * still running then are cancelled and handed back to Temporal, which retries them on another worker.
   */
  shutdownGraceSeconds?: number;
  /** The SDK's log level for this process (default WARN); the first worker set of a process sets it. */
  logLevel?: LogLevel;
}

/** Workers for a set of queues on one connection; `run` serves until `shutdown` is called. */
export interface WorkerSet {
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * Sets the SDK's log level (the Rust core and the SDK are chatty at INFO). Every line, the core's
 * included, goes through the logger to stderr, never stdout (`kiln run --json` keeps stdout for its
 * summary). Signals are left to the commands: each stops its workers itself, in its own order (the SDK
 * would shut every worker down on the first SIGINT, before a cancelled run could finish).
 */
function installRuntime(level: LogLevel): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: level }), forward: {} } },
      shutdownSignals: [],
    });
  } catch {
    // Already installed by the host process.
  }
}

export async function createWorkers(options: WorkerSetOptions): Promise<WorkerSet> {
  const policy = options.policy ?? workerPolicyFromEnv(process.env);
  installRuntime(options.logLevel ?? 'WARN');
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(await temporalConnectionOptions(options.temporal));
  } catch (err) {
    throw temporalConnectError(err, options.temporal);
  }
  const namespace = options.temporal.namespace ?? 'default';
  const store = options.store ?? defaultArtifactStore();
  const api = options.api ?? apiConnectionFromEnv();
  const definitions = options.definitions ?? (await loadNodeDefinitions());
  const cache = new WorkerNodeCache(store);
  // One core budget for the whole process: its cpu and gpu queue workers run on the same cores.
  const cores = new CpuBudget(policy.cpus ?? availableParallelism());
  const activities = Object.fromEntries(definitions.map((d) => [d.type, nodeActivity(d, store, policy, api, cache, cores)]));
  // Light node types run as local activities on the workflow worker: the same activities, served there too.
  const localActivities = Object.fromEntries(definitions.filter((d) => d.light).map((d) => [d.type, activities[d.type]!]));
  const common = {
    connection,
    namespace,
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    shutdownGraceTime: `${options.shutdownGraceSeconds ?? 5}s`,
    // An oversized payload that slipped past the workflow's own checks goes to the server, which ends
    // the workflow ("… exceeds size limit") instead of the SDK failing the task and retrying forever.
    disablePayloadErrorLimit: true,
  } as const;
  const workers: Worker[] = [];
  try {
    for (const queue of new Set(options.queues)) {
      workers.push(
        await Worker.create({
          ...common,
          taskQueue: queue + (options.queueSuffix ?? ''),
          activities,
          maxConcurrentActivityTaskExecutions: options.concurrency ?? 8,
        }),
      );
    }
    if (options.workflows ?? true) {
      workers.push(
        await Worker.create({
          ...common,
          taskQueue: WORKFLOW_TASK_QUEUE + (options.queueSuffix ?? ''),
          workflowBundle: await workflowBundle(),
          // Bookkeeping the workflow asks for: reading a large spec kept by digest.
          activities: { ...localActivities, [READ_SPEC_ACTIVITY]: readSpecActivity(store) },
        }),
      );
    }
  } catch (err) {
    await connection.close();
    throw err;
  }
  let running: Promise<void> | undefined;
  return {
    run() {
      running ??= Promise.all(workers.map((w) => w.run())).then(() => connection.close());
      return running;
    },
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
    },
  };
}
