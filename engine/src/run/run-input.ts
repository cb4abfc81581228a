import type { RunStarter } from '../catalog/capabilities';
import type { PipelineSpec, TypeResources } from '../spec/schema';
import type { NodeReuse } from './node-task';
import type { PackedNodes } from './packed-state';

/**
 * A spec kept in the artifact store instead of the workflow's input (specs over
 * {@link INLINE_SPEC_BYTES}): the workflow reads it in pages through the {@link READ_SPEC_ACTIVITY}
 * activity, at the start of each generation, so it never weighs on a payload.
 */
export interface SpecRef {
  digest: string;
  /** Its JSON's length in UTF-16 units (what the pages slice). */
  length: number;
}

/** The workflow's input: the spec inline or by reference. `resume` is set when the workflow continues as new. */
export type RunInput = RunInputBase & ({ spec: PipelineSpec; specRef?: undefined } | { spec?: undefined; specRef: SpecRef });

interface RunInputBase {
  /** Run parameter values, already checked and with defaults filled in. */
  params: Record<string, unknown>;
  trigger?: string;
  /**
   * Who started the run, as the starter claims it: the API puts the authenticated token's name and
   * role here; workers check role-restricted capabilities against it, under their own policy (a
   * worker that disables a capability refuses it whatever the claim).
   */
  startedBy?: RunStarter;
  /**
   * Node types this run schedules as local activities (the catalog's light types, chosen when the run
   * starts so every replay of it makes the same choice). Nodes that name a queue or ask for a GPU
   * still go to their queue.
   */
  localTypes?: string[];
  /** False: no node of this run reads or writes the cache (`kiln run --no-cache`, the API's `"cache": false`). */
  cache?: boolean;
  /**
   * The task queue of each registered node type in the spec (its workers' own queue), chosen when the
   * run starts. A node of such a type that names no queue runs there, and waits at most
   * `REGISTERED_SCHEDULE_TO_START_SECONDS` for a worker to take it (its workers may be gone).
   */
  typeQueues?: Record<string, string>;
  /**
   * The default resources of each node type in the spec that declares some (the catalog's), chosen
   * when the run starts: a node's own `resources` override them field by field (`resourcesOf`).
   */
  typeResources?: Record<string, TypeResources>;
  /**
   * Appended to every task queue of this run, the workflow's own included (`kiln run` beside a
   * running `kiln up`: its in-process workers serve private queues, so neither takes the other's tasks).
   */
  queueSuffix?: string;
  /**
   * Results of an earlier run to reuse, by node id (a re-run from failure): inline, or (over
   * {@link INLINE_SPEC_BYTES}) kept in the artifact store as JSON and read like a stored spec.
   */
  reuse?: Record<string, NodeReuse>;
  reuseRef?: SpecRef;
  /** History thresholds that make the workflow continue as new (tests set them low). */
  limits?: { maxHistoryEvents?: number; maxHistoryBytes?: number };
  resume?: {
    startedAt: string;
    generations: number;
    /** The changes-query version reached, so watchers see one increasing count across generations. */
    version: number;
    nodes: PackedNodes;
    /** Outputs of the items a mapped node had finished, by index (null: not finished). */
    mapResults: Record<string, (Record<string, unknown> | null)[]>;
  };
}

export const WORKFLOW_TASK_QUEUE = 'kiln-workflows';
/** Specs larger than this (as JSON) go by reference ({@link SpecRef}); smaller ones inline. */
export const INLINE_SPEC_BYTES = 256 * 1024;
/** The bookkeeping activity (served by workflow workers) that reads one page of a stored spec. */
export const READ_SPEC_ACTIVITY = 'kiln.readSpec';
/** Characters per page of a stored spec: at most 1.5 MB of UTF-8, inside one payload. */
export const SPEC_PAGE_CHARS = 500_000;
export interface ReadSpecPage {
  digest: string;
  offset: number;
}
export const PIPELINE_WORKFLOW_TYPE = 'pipelineWorkflow';
export const STATE_QUERY = 'state';
export const CHANGES_QUERY = 'changes';
export const DEFAULT_MAX_HISTORY_EVENTS = 10_000;
export const DEFAULT_MAX_HISTORY_BYTES = 10 * 1024 * 1024;
/**
 * The most one payload (workflow input, continue-as-new state, result, a node's task, a query answer)
 * may weigh as JSON: Temporal's default limit of 2 MiB less room for the envelope. Beyond it Temporal
 * rejects the payload, so the workflow checks first and fails the node or run with a clear error.
 */
export const MAX_PAYLOAD_BYTES = 2_000_000;
/** Extra attempts granted beyond a node's policy for attempts lost with a worker (heartbeat timeouts). */
export const INFRA_RETRY_ALLOWANCE = 2;
export const DEFAULT_NODE_TIMEOUT_SECONDS = 7 * 24 * 3600;

/**
 * How long a node of a registered type waits on its queue for a worker to take it before it fails
 * (Temporal's schedule-to-start timeout, not retried): the API refuses to start a run whose registered
 * types have no live worker, and this bounds the wait when the workers go away during the run.
 */
export const REGISTERED_SCHEDULE_TO_START_SECONDS = 600;
